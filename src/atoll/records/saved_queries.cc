#include "atoll/records/saved_queries.h"

#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "atoll/common/clock.h"
#include "atoll/storage/body.h"

namespace atl::lake {

namespace {

using nlohmann::ordered_json;

// Parses IsoTime's form back (0 when it does not parse).
int64_t ParseIsoTime(const std::string& text) {
  std::tm tm{};
  int ms = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%3dZ", &tm.tm_year, &tm.tm_mon,
                  &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &ms) != 7) {
    return 0;
  }
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + ms;
}

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v == nullptr ? "" : v;
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

// The SQL without trailing blanks and semicolons.
std::string TrimSql(const std::string& sql) {
  size_t end = sql.size();
  while (end > 0 && (std::isspace(static_cast<unsigned char>(sql[end - 1])) || sql[end - 1] == ';'))
    --end;
  return sql.substr(0, end);
}

ordered_json StatusJson(const SavedQueryStatus& s) {
  ordered_json doc = {
      {"id", s.id},
      {"state", s.state},
      {"started_at", IsoTimeMs(s.started_ms)},
      {"finished_at",
       s.finished_ms ? ordered_json(IsoTimeMs(s.finished_ms)) : ordered_json(nullptr)},
      {"duration_ms", s.duration_ms},
      {"rows", s.rows},
      {"error", s.error.empty() ? ordered_json(nullptr) : ordered_json(s.error)},
      {"result", s.result_key.empty() ? ordered_json(nullptr) : ordered_json(s.result_key)},
      {"result_format", s.result_format}};
  return doc;
}

Status PutJson(const Lake& lake, const std::string& key, const ordered_json& doc) {
  storage::PutOptions options;
  options.content_type = "application/json";
  return storage::PutString(lake.store(), key, doc.dump(2) + "\n", options)
      .status()
      .WithContext(StrCat("saving ", key));
}

}  // namespace

std::string NewQueryId(int64_t now_ms) {
  std::time_t secs = static_cast<std::time_t>(now_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  std::random_device rd;
  char buf[64];
  std::snprintf(buf, sizeof(buf), "%04d%02d%02dT%02d%02d%02d.%03dZ-%08x", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(now_ms % 1000), static_cast<unsigned>(rd()));
  return buf;
}

Status ValidateQueryId(std::string_view id) {
  bool ok = !id.empty() && id.size() <= 64 && id.front() != '.';
  for (char c : id)
    ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-');
  if (!ok) return InvalidArgument("'", id, "' is not a saved query id");
  return Status::OK();
}

std::string SavedQueryPrefix(const Lake& lake, std::string_view id) {
  return StrCat(lake.settings().zones.queries, "/", id, "/");
}

Result<SavedQueryRun> RunSavedQuery(const Lake& lake, engine::Engine& engine,
                                    const std::string& sql, const std::string& result_format,
                                    const std::string& work_dir) {
  if (result_format != "parquet" && result_format != "csv")
    return InvalidArgument("unknown result format '", result_format, "' (parquet or csv)");
  SavedQueryRun run;
  SavedQueryStatus& s = run.status;
  s.started_ms = SystemNowMs();
  s.id = NewQueryId(s.started_ms);
  s.state = "running";
  s.result_format = result_format;
  const std::string prefix = SavedQueryPrefix(lake, s.id);
  ordered_json request = {{"id", s.id},
                          {"sql", sql},
                          {"result_format", result_format},
                          {"user", Env("USER").empty() ? Env("LOGNAME") : Env("USER")},
                          {"host", HostName()},
                          {"submitted_at", IsoTimeMs(s.started_ms)}};
  ATOLL_RETURN_NOT_OK(PutJson(lake, prefix + "request.json", request));
  ATOLL_RETURN_NOT_OK(PutJson(lake, prefix + "status.json", StatusJson(s)));

  const std::string local = work_dir + "/result.parquet";
  auto started = std::chrono::steady_clock::now();
  Result<engine::QueryResult> copied =
      engine.Query(StrCat("COPY (", TrimSql(sql), "\n) TO ", engine::QuoteString(local),
                          " (FORMAT parquet, COMPRESSION zstd)"));
  Status outcome = copied.status();
  std::string upload = local;
  if (outcome.ok()) {
    if (!copied->rows.empty() && !copied->rows[0].empty() && copied->rows[0][0])
      s.rows = std::strtoll(copied->rows[0][0]->c_str(), nullptr, 10);
    if (result_format == "csv") {
      upload = work_dir + "/result.csv";
      outcome =
          engine.Execute(StrCat("COPY (SELECT * FROM read_parquet(", engine::QuoteString(local),
                                ")) TO ", engine::QuoteString(upload), " (FORMAT csv, HEADER)"));
    }
  }
  s.finished_ms = SystemNowMs();
  s.duration_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::steady_clock::now() - started)
                      .count();
  if (outcome.ok()) {
    s.result_key = StrCat(prefix, "result.", result_format);
    ATOLL_ASSIGN_OR_RETURN(storage::Body body, storage::Body::FromFile(upload));
    storage::PutOptions options;
    options.content_type = result_format == "csv" ? "text/csv" : "application/octet-stream";
    ATOLL_RETURN_NOT_OK_CTX(lake.store().Put(s.result_key, body, options).status(),
                            StrCat("saving ", s.result_key));
    s.state = "succeeded";
    run.local_parquet = local;
  } else {
    s.state = "failed";
    s.rows = 0;
    s.error = outcome.message().empty() ? outcome.ToString() : outcome.message();
  }
  ATOLL_RETURN_NOT_OK(PutJson(lake, prefix + "status.json", StatusJson(s)));
  return run;
}

Result<SavedQueryStatus> ReadSavedQueryStatus(const Lake& lake, std::string_view id) {
  ATOLL_RETURN_NOT_OK(ValidateQueryId(id));
  const std::string key = SavedQueryPrefix(lake, id) + "status.json";
  Result<std::string> text = lake.store().Get(key);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound)
      return NotFound("no saved query '", id, "' in ", lake.root_uri());
    return text.status();
  }
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return Corruption(key, " is not a JSON object");
  auto str = [&doc](const char* k) {
    auto it = doc.find(k);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto num = [&doc](const char* k) -> int64_t {
    auto it = doc.find(k);
    return it != doc.end() && it->is_number_integer() ? it->get<int64_t>() : 0;
  };
  SavedQueryStatus s;
  s.id = str("id");
  s.state = str("state");
  s.started_ms = ParseIsoTime(str("started_at"));
  s.finished_ms = ParseIsoTime(str("finished_at"));
  s.duration_ms = num("duration_ms");
  s.rows = num("rows");
  s.error = str("error");
  s.result_key = str("result");
  s.result_format = str("result_format");
  return s;
}

Result<std::string> FetchSavedResult(const Lake& lake, const SavedQueryStatus& status,
                                     const std::string& work_dir) {
  if (status.result_key.empty())
    return NotFound("saved query '", status.id, "' has no result (", status.state, ")");
  const std::string local =
      StrCat(work_dir, "/result.", status.result_format == "csv" ? "csv" : "parquet");
  ATOLL_RETURN_NOT_OK_CTX(storage::DownloadToFile(lake.store(), status.result_key, local),
                          StrCat("reading ", status.result_key));
  return local;
}

}  // namespace atl::lake
