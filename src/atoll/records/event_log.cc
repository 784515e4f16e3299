#include "atoll/records/event_log.h"

#include <unistd.h>

#include <chrono>
#include <ctime>
#include <nlohmann/json.hpp>
#include <random>

#include "atoll/common/clock.h"
#include "atoll/records/system_tables.h"

namespace atl::lake {

namespace {

using iceberg::Type;

constexpr char kStage[] = "atoll_log_events_stage";
constexpr int kAttempts = 10;

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

nlohmann::json ToJson(const LogValue& v) {
  if (const auto* s = std::get_if<std::string>(&v)) return *s;
  if (const auto* i = std::get_if<int64_t>(&v)) return *i;
  if (const auto* d = std::get_if<double>(&v)) return *d;
  return std::get<bool>(v);
}

const std::vector<SystemColumn>& EventColumns() {
  static const std::vector<SystemColumn> kColumns = {
      {"time", Type::TimestampTz(), true, "TIMESTAMPTZ"},
      {"level", Type::String(), true, "VARCHAR"},
      {"command", Type::String(), false, "VARCHAR"},
      {"run_id", Type::String(), true, "VARCHAR"},
      {"table_name", Type::String(), false, "VARCHAR"},
      {"message", Type::String(), true, "VARCHAR"},
      {"fields", Type::String(), true, "VARCHAR"},
      {"host", Type::String(), false, "VARCHAR"},
  };
  return kColumns;
}

// "<ms, 12 hex digits>-<8 random hex digits>": sortable by start time.
std::string NewRunId() {
  std::random_device rd;
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%012llx-%08x", static_cast<unsigned long long>(SystemNowMs()),
                static_cast<unsigned>(rd()));
  return buf;
}

}  // namespace

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "info";
}

std::string LogFieldsJson(const LogFields& fields) {
  nlohmann::ordered_json doc = nlohmann::ordered_json::object();
  for (const auto& [key, value] : fields) doc[key] = ToJson(value);
  return doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string FormatLogLine(const LogEvent& event) {
  std::string level(LogLevelName(event.level));
  for (char& c : level) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  level.resize(5, ' ');
  std::string line = StrCat(IsoTimeMs(event.time_ms), " ", level, " ");
  if (!event.table.empty()) line += event.table + ": ";
  line += event.message;
  for (const auto& [key, value] : event.fields) {
    line += StrCat(" ", key, "=",
                   ToJson(value).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  }
  return line;
}

iceberg::TableIdentifier EventTableId(const Lake& lake) {
  return iceberg::TableIdentifier{{lake.settings().zones.log, "atoll"}, "events"};
}

EventLog::EventLog(EventLogOptions options) : options_(std::move(options)), run_id_(NewRunId()) {}

void EventLog::Log(LogLevel level, std::string table, std::string message, LogFields fields) {
  LogEvent e;
  e.time_ms = SystemNowMs();
  e.level = level;
  e.command = options_.command;
  e.table = std::move(table);
  e.message = std::move(message);
  e.fields = std::move(fields);
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.echo != nullptr && level >= options_.echo_level)
    *options_.echo << FormatLogLine(e) << "\n";
  if (pending_.size() >= options_.max_pending) {
    pending_.erase(pending_.begin());
    ++dropped_;
  }
  pending_.push_back(std::move(e));
}

size_t EventLog::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return pending_.size();
}

uint64_t EventLog::dropped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dropped_;
}

uint64_t EventLog::committed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return committed_;
}

bool EventLog::FlushDue(int64_t now_ms) const {
  std::lock_guard<std::mutex> lock(mu_);
  if (pending_.empty()) return false;
  return pending_.size() >= options_.flush_every_events ||
         now_ms - pending_.front().time_ms >= options_.flush_every_ms;
}

Status EventLog::Flush(const Lake& lake, const LakeTables& tables, engine::Engine& engine,
                       trail::Trail* trail) {
  std::vector<LogEvent> events;
  {
    std::lock_guard<std::mutex> lock(mu_);
    events = pending_;
  }
  if (events.empty()) return Status::OK();
  const iceberg::TableIdentifier id = EventTableId(lake);
  ATOLL_ASSIGN_OR_RETURN_CTX(
      iceberg::Table table,
      LoadOrCreateSystemTable(tables, id, EventColumns(),
                              {{"atoll.log", "events of the lake's commands"}}, trail,
                              options_.command),
      StrCat("opening ", id.ToString()));
  const std::string host = HostName();
  Status st;
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    ATOLL_RETURN_NOT_OK(StageRows(engine, kStage, EventColumns(), [&](engine::Appender& a) {
      for (const LogEvent& e : events) {
        ATOLL_RETURN_NOT_OK(a.AppendInt(e.time_ms * 1000));
        ATOLL_RETURN_NOT_OK(a.AppendBytes(LogLevelName(e.level)));
        ATOLL_RETURN_NOT_OK(AppendTextOrNull(a, e.command));
        ATOLL_RETURN_NOT_OK(a.AppendBytes(run_id_));
        ATOLL_RETURN_NOT_OK(AppendTextOrNull(a, e.table));
        ATOLL_RETURN_NOT_OK(a.AppendBytes(e.message));
        ATOLL_RETURN_NOT_OK(a.AppendBytes(LogFieldsJson(e.fields)));
        ATOLL_RETURN_NOT_OK(AppendTextOrNull(a, host));
        ATOLL_RETURN_NOT_OK(a.EndRow());
      }
      return Status::OK();
    }));
    const std::optional<int64_t> before = table.metadata().current_snapshot_id;
    st = CommitStaged(
        engine, table, tables, kStage, "events-",
        {{"atoll.log.events", std::to_string(events.size())}, {"atoll.log.run-id", run_id_}});
    if (st.ok()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        // Events logged meanwhile stay pending; those committed leave (they are the
        // oldest, unless some were dropped meanwhile).
        size_t n = std::min(events.size(), pending_.size());
        pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(n));
        committed_ += events.size();
      }
      return RecordSystemCommit(trail, table, before, options_.command);
    }
    if (st.code() != StatusCode::kCommitConflict) return st;
    ATOLL_RETURN_NOT_OK(table.Refresh());
  }
  return st;
}

void EventLog::FlushOrWarn(const Lake& lake, const LakeTables& tables, engine::Engine& engine,
                           trail::Trail* trail) {
  Status st = Flush(lake, tables, engine, trail);
  if (!st.ok() && options_.echo != nullptr) {
    *options_.echo << "atoll: warning: the log events were not saved: "
                   << (st.message().empty() ? st.ToString() : st.message()) << "\n";
  }
}

}  // namespace atl::lake
