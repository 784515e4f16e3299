// The lake's event log (docs/lake.md, "log/"): structured events of a command — time,
// level, command, table, message and fields — printed on stderr as they happen and kept
// in memory until Flush() commits them, in one append, to the Iceberg table
// `<log zone>.atoll.events`.
//
//   EventLog log({.command = "atoll ingest", .echo = &std::cerr});
//   log.Warn("stg.web.events", "rejected a file", {{"source", key}, {"stage", "read"}});
//   log.FlushOrWarn(lake, tables, engine, trail);   // at the end of the command
//
// One line per event on the echo stream, e.g.
//   2026-12-04T22:56:56.123Z WARN  stg.web.events: rejected a file source="load/..." stage="read"
// Flush commits every pending event in one commit (never one per line) and records that
// commit in the trail when given one. For long-running commands, FlushDue(now) says when
// `flush_every_events` events are pending or the oldest pending one is `flush_every_ms`
// old. A failed flush keeps the events (at most max_pending; the oldest are dropped
// beyond, and counted in dropped()) for the next flush; FlushOrWarn prints the failure on
// the echo stream instead of returning it, so logging never fails a command.
//
// Errors: Flush returns the catalog's, store's or engine's Status.
// Thread safety: Log/Info/Warn/Error and pending() may be called from any thread; Flush
// uses the engine (the engine's rule: one thread at a time).
#pragma once

#include <cstdint>
#include <mutex>
#include <ostream>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/schema.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
std::string_view LogLevelName(LogLevel level);  // "debug", "info", "warn", "error"

// A field value: text, integer, number or boolean (JSON string, number or boolean).
using LogValue = std::variant<std::string, int64_t, double, bool>;
using LogFields = std::vector<std::pair<std::string, LogValue>>;

struct LogEvent {
  int64_t time_ms = 0;
  LogLevel level = LogLevel::kInfo;
  std::string command;
  std::string table;  // "" when the event concerns no table
  std::string message;
  LogFields fields;
};

// The fields as one JSON object ("{}" when none).
std::string LogFieldsJson(const LogFields& fields);
// The readable one-line form (no newline).
std::string FormatLogLine(const LogEvent& event);

// {[log zone, "atoll"], "events"}: time timestamptz, level, command, run_id, table_name,
// message, fields (JSON text), host string.
iceberg::TableIdentifier EventTableId(const Lake& lake);

struct EventLogOptions {
  std::string command;                    // e.g. "atoll ingest"
  std::ostream* echo = nullptr;           // where events are printed; null: nowhere
  LogLevel echo_level = LogLevel::kInfo;  // events below it are kept but not printed
  size_t flush_every_events = 1000;
  int64_t flush_every_ms = 60 * 1000;
  size_t max_pending = 100000;
};

class EventLog {
 public:
  explicit EventLog(EventLogOptions options);

  void Log(LogLevel level, std::string table, std::string message, LogFields fields = {});
  void Info(std::string table, std::string message, LogFields fields = {}) {
    Log(LogLevel::kInfo, std::move(table), std::move(message), std::move(fields));
  }
  void Warn(std::string table, std::string message, LogFields fields = {}) {
    Log(LogLevel::kWarn, std::move(table), std::move(message), std::move(fields));
  }
  void Error(std::string table, std::string message, LogFields fields = {}) {
    Log(LogLevel::kError, std::move(table), std::move(message), std::move(fields));
  }

  // This process's run id (one per EventLog), a column of every row.
  const std::string& run_id() const { return run_id_; }
  size_t pending() const;
  uint64_t dropped() const;
  uint64_t committed() const;  // events committed by this log so far
  bool FlushDue(int64_t now_ms) const;

  // Commits the pending events (nothing when none) in one append; `trail` may be null.
  Status Flush(const Lake& lake, const LakeTables& tables, engine::Engine& engine,
               trail::Trail* trail);
  // Flush, printing a failure on the echo stream ("atoll: warning: ...") instead.
  void FlushOrWarn(const Lake& lake, const LakeTables& tables, engine::Engine& engine,
                   trail::Trail* trail);

 private:
  EventLogOptions options_;
  std::string run_id_;
  mutable std::mutex mu_;
  std::vector<LogEvent> pending_;
  uint64_t dropped_ = 0;
  uint64_t committed_ = 0;
};

}  // namespace atl::lake
