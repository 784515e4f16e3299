#include "atoll/catalog/sqlite_catalog.h"

#include <sqlite3.h>

#include <chrono>
#include <thread>

namespace atl::catalog {

namespace {

// Converts a SQLite result code once. `commits`: the statement may have committed
// (a write outside a transaction, or COMMIT), so a disk failure leaves it unknown.
Status SqliteStatus(sqlite3* db, int rc, bool commits, std::string_view what) {
  const std::string message = StrCat(what, ": ", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  switch (rc & 0xff) {
    case SQLITE_CONSTRAINT:
      if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
        return AlreadyExists(message);
      return InvalidArgument(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Unavailable(message, " (the database stayed locked by another connection)");
    case SQLITE_TOOBIG:
    case SQLITE_RANGE:
    case SQLITE_MISMATCH:
      return InvalidArgument(message);
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Corruption(message);
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH:
      return PermissionDenied(message);
    case SQLITE_IOERR:
    case SQLITE_FULL:
      if (commits) return UnknownOutcome(message);
      return IOError(message);
    case SQLITE_CANTOPEN:
      return IOError(message);
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT:
      return Unavailable(message);
    default:
      return Internal(message);
  }
}

class SqliteConnection final : public SqlConnection {
 public:
  static Result<std::unique_ptr<SqlConnection>> Open(const std::string& path, int busy_timeout_ms) {
    sqlite3* db = nullptr;
    const int rc =
        sqlite3_open_v2(path.c_str(), &db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    std::unique_ptr<SqliteConnection> conn(new SqliteConnection(db));
    if (rc != SQLITE_OK) return SqliteStatus(db, rc, false, StrCat("opening ", path));
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, busy_timeout_ms);
    // WAL is a property of the file; switching needs a moment alone with it, so a busy
    // answer (another process is switching or checkpointing) is waited out.
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
    for (const char* pragma : {"PRAGMA journal_mode = WAL", "PRAGMA synchronous = FULL",
                               "PRAGMA case_sensitive_like = ON", "PRAGMA foreign_keys = OFF"}) {
      while (true) {
        auto st = conn->Run(pragma, {}, nullptr, false);
        if (st.ok()) break;
        if (st.status().code() != StatusCode::kUnavailable ||
            std::chrono::steady_clock::now() > deadline) {
          return st.status().WithContext(StrCat("opening ", path));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
    }
    return std::unique_ptr<SqlConnection>(std::move(conn));
  }

  ~SqliteConnection() override { sqlite3_close_v2(db_); }

  Result<std::vector<SqlRow>> Query(std::string_view sql,
                                    const std::vector<SqlValue>& params) override {
    std::vector<SqlRow> rows;
    ATOLL_RETURN_NOT_OK(Run(sql, params, &rows, false).status());
    return rows;
  }

  Result<int64_t> Execute(std::string_view sql, const std::vector<SqlValue>& params) override {
    return Run(sql, params, nullptr, !in_transaction_);
  }

  Status Begin() override {
    ATOLL_RETURN_NOT_OK(Run("BEGIN IMMEDIATE", {}, nullptr, false).status());
    in_transaction_ = true;
    return Status::OK();
  }

  Status Commit() override {
    auto st = Run("COMMIT", {}, nullptr, true);
    if (!st.ok()) {
      Rollback();
      return st.status();
    }
    in_transaction_ = false;
    return Status::OK();
  }

  void Rollback() override {
    if (!sqlite3_get_autocommit(db_)) (void)Run("ROLLBACK", {}, nullptr, false);
    in_transaction_ = false;
  }

  bool healthy() const override { return db_ != nullptr && sqlite3_get_autocommit(db_); }

 private:
  explicit SqliteConnection(sqlite3* db) : db_(db) {}

  // Prepares, binds and steps `sql`; collects rows into `rows` when given. Returns the
  // number of rows changed.
  Result<int64_t> Run(std::string_view sql, const std::vector<SqlValue>& params,
                      std::vector<SqlRow>* rows, bool commits) {
    sqlite3_stmt* raw = nullptr;
    int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &raw, nullptr);
    std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt(raw, sqlite3_finalize);
    if (rc != SQLITE_OK) return SqliteStatus(db_, rc, false, "preparing a statement");
    for (size_t i = 0; i < params.size(); ++i) {
      const int index = static_cast<int>(i + 1);
      rc = params[i] ? sqlite3_bind_text(raw, index, params[i]->data(),
                                         static_cast<int>(params[i]->size()), SQLITE_TRANSIENT)
                     : sqlite3_bind_null(raw, index);
      if (rc != SQLITE_OK) return SqliteStatus(db_, rc, false, "binding a value");
    }
    while ((rc = sqlite3_step(raw)) == SQLITE_ROW) {
      if (!rows) continue;
      SqlRow row;
      const int n = sqlite3_column_count(raw);
      for (int c = 0; c < n; ++c) {
        if (sqlite3_column_type(raw, c) == SQLITE_NULL) {
          row.emplace_back(std::nullopt);
        } else {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(raw, c));
          row.emplace_back(
              std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(raw, c))));
        }
      }
      rows->push_back(std::move(row));
    }
    if (rc != SQLITE_DONE) return SqliteStatus(db_, rc, commits, "running a statement");
    return static_cast<int64_t>(sqlite3_changes(db_));
  }

  sqlite3* db_;
  bool in_transaction_ = false;
};

}  // namespace

Result<std::unique_ptr<SqlCatalog>> OpenSqliteCatalog(const std::string& path,
                                                      SqlCatalogOptions options) {
  if (path.empty()) return InvalidArgument("empty SQLite catalog path");
  const int busy_timeout_ms = options.busy_timeout_ms;
  auto connect = [path, busy_timeout_ms]() {
    return SqliteConnection::Open(path, busy_timeout_ms);
  };
  return SqlCatalog::Open(connect, path.front() == '/' ? "sqlite://" + path : "sqlite:" + path,
                          std::move(options));
}

}  // namespace atl::catalog
