#include "atoll/catalog/postgres_catalog.h"

#include <libpq-fe.h>

#include <cstdlib>

namespace atl::catalog {

namespace {

// "?" placeholders become "$1", "$2", ... (outside quoted literals and identifiers).
std::string Renumber(std::string_view sql) {
  std::string out;
  int n = 0;
  char quote = 0;
  for (char c : sql) {
    if (quote) {
      if (c == quote) quote = 0;
      out += c;
    } else if (c == '\'' || c == '"') {
      quote = c;
      out += c;
    } else if (c == '?') {
      out += "$" + std::to_string(++n);
    } else {
      out += c;
    }
  }
  return out;
}

std::string Trimmed(const char* message) {
  std::string s = message ? message : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PgConnection final : public SqlConnection {
 public:
  static Result<std::unique_ptr<SqlConnection>> Open(const std::string& uri,
                                                     const std::string& describe) {
    // Later entries override earlier ones, so the URI's own settings win.
    const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
    const char* values[] = {"10", "atoll", uri.c_str(), nullptr};
    PGconn* conn = PQconnectdbParams(keys, values, /*expand_dbname=*/1);
    std::unique_ptr<PgConnection> c(new PgConnection(conn));
    if (!conn) return Unavailable("connecting to ", describe, ": out of memory");
    if (PQstatus(conn) != CONNECTION_OK) {
      return Unavailable("connecting to ", describe, ": ", Trimmed(PQerrorMessage(conn)));
    }
    // Keep server notices ("relation already exists, skipping") off stderr.
    PQsetNoticeProcessor(
        conn, [](void*, const char*) {}, nullptr);
    return std::unique_ptr<SqlConnection>(std::move(c));
  }

  ~PgConnection() override {
    if (conn_) PQfinish(conn_);
  }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    ATOLL_ASSIGN_OR_RETURN(auto res, Exec(sql, params, false));
    std::vector<SqlRow> rows;
    const int n = PQntuples(res.get()), m = PQnfields(res.get());
    rows.reserve(n);
    for (int r = 0; r < n; ++r) {
      SqlRow row;
      for (int c = 0; c < m; ++c) {
        if (PQgetisnull(res.get(), r, c)) {
          row.emplace_back(std::nullopt);
        } else {
          row.emplace_back(std::string(PQgetvalue(res.get(), r, c), PQgetlength(res.get(), r, c)));
        }
      }
      rows.push_back(std::move(row));
    }
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    ATOLL_ASSIGN_OR_RETURN(auto res, Exec(sql, params, !in_transaction_));
    const char* tuples = PQcmdTuples(res.get());
    return static_cast<int64_t>(tuples && *tuples ? std::strtoll(tuples, nullptr, 10) : 0);
  }

  Status Begin() override {
    ATOLL_RETURN_NOT_OK(Exec("BEGIN", {}, false).status());
    in_transaction_ = true;
    return Status::OK();
  }

  Status Commit() override {
    auto res = Exec("COMMIT", {}, true);
    in_transaction_ = false;
    if (!res.ok()) {
      Rollback();
      return res.status();
    }
    return Status::OK();
  }

  void Rollback() override {
    if (PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) != PQTRANS_IDLE) {
      (void)Exec("ROLLBACK", {}, false);
    }
    in_transaction_ = false;
  }

  bool healthy() const override {
    return PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
  }

 private:
  using ResultPtr = std::unique_ptr<PGresult, void (*)(PGresult*)>;
  explicit PgConnection(PGconn* conn) : conn_(conn) {}

  // Runs one statement. `commits`: it may commit on its own (see sql_connection.h).
  Result<ResultPtr> Exec(std::string_view sql, const std::vector<SqlValue>& params, bool commits) {
    if (PQstatus(conn_) != CONNECTION_OK) {
      if (in_transaction_)
        return Unavailable("the connection to the server was lost during a transaction");
      PQreset(conn_);  // nothing was sent yet: reconnecting is safe
      if (PQstatus(conn_) != CONNECTION_OK) {
        return Unavailable("reconnecting to the server: ", Trimmed(PQerrorMessage(conn_)));
      }
    }
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    const std::string text = Renumber(sql);
    ResultPtr res(PQexecParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                               values.data(), nullptr, nullptr, 0),
                  PQclear);
    const ExecStatusType status = res ? PQresultStatus(res.get()) : PGRES_FATAL_ERROR;
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return res;
    const std::string message =
        Trimmed(res ? PQresultErrorMessage(res.get()) : PQerrorMessage(conn_));
    if (PQstatus(conn_) != CONNECTION_OK) {
      // The statement was (perhaps) sent and the connection died: only a statement that
      // commits on its own may have taken effect.
      if (commits) return UnknownOutcome("connection lost while the statement ran: ", message);
      return Unavailable("connection lost: ", message);
    }
    const char* state = res ? PQresultErrorField(res.get(), PG_DIAG_SQLSTATE) : nullptr;
    const std::string sqlstate = state ? state : "";
    if (sqlstate == "23505") return AlreadyExists(message);
    if (sqlstate == "22001") return InvalidArgument(message);
    if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "55P03" || sqlstate == "57014" ||
        sqlstate.starts_with("53")) {
      return Unavailable(
          message);  // serialization failure, deadlock, lock timeout, cancel, resources
    }
    if (sqlstate.starts_with("08") || sqlstate.starts_with("57P")) {
      if (commits) return UnknownOutcome(message);
      return Unavailable(message);
    }
    if (sqlstate.starts_with("42501") || sqlstate.starts_with("28"))
      return PermissionDenied(message);
    if (sqlstate.starts_with("22") || sqlstate.starts_with("23")) return InvalidArgument(message);
    return IOError("PostgreSQL error ", sqlstate, ": ", message);
  }

  PGconn* conn_;
  bool in_transaction_ = false;
};

}  // namespace

std::string RedactPostgresUri(const std::string& uri) {
  const size_t scheme = uri.find("://");
  if (scheme == std::string::npos) return uri;
  const size_t start = scheme + 3;
  const size_t end = uri.find_first_of("/?", start);
  const size_t at = uri.rfind('@', end == std::string::npos ? std::string::npos : end);
  if (at == std::string::npos || at < start) return uri;
  const size_t colon = uri.find(':', start);
  if (colon == std::string::npos || colon > at) return uri;
  return uri.substr(0, colon) + uri.substr(at);
}

Result<std::unique_ptr<SqlCatalog>> OpenPostgresCatalog(const std::string& uri,
                                                        SqlCatalogOptions options) {
  if (uri.empty()) return InvalidArgument("empty PostgreSQL connection URI");
  const std::string describe = RedactPostgresUri(uri);
  auto connect = [uri, describe]() { return PgConnection::Open(uri, describe); };
  return SqlCatalog::Open(connect, describe, std::move(options));
}

}  // namespace atl::catalog
