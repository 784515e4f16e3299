#include "atoll/records/record_run.h"

#include <memory>

#include "atoll/lake/lake_tables.h"
#include "atoll/lake/work_session.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"

namespace atl::lake {

RecordRunReport RecordRun(const Lake& lake, EventLog& log, const RecordRunOptions& options) {
  RecordRunReport report;
  auto warn = [&](std::string what, const Status& st) {
    if (options.on_warning) options.on_warning(what, st);
    report.warnings.push_back({std::move(what), st});
  };
  Result<LakeTables> tables = OpenLakeTables(lake);
  if (!tables.ok()) {
    warn("recording statistics and events", tables.status());
    return report;
  }
  Result<std::unique_ptr<WorkSession>> session = WorkSession::Open(lake, "", 2, "records");
  if (!session.ok()) {
    warn("recording statistics and events", session.status());
    return report;
  }
  engine::Engine& engine = (*session)->engine();
  Result<std::unique_ptr<trail::Trail>> trail = OpenLakeTrail(lake);
  if (!trail.ok()) warn("opening the trail", trail.status());
  trail::Trail* t = trail.ok() ? trail->get() : nullptr;
  StatsOptions so;
  so.command = options.command;
  so.trail = t;
  Result<StatsReport> stats = RecordLakeStats(lake, *tables, engine, so);
  if (!stats.ok()) {
    log.Error("", "statistics not recorded: " + stats.status().message());
  } else {
    // Echoed on stderr as warnings: one unreadable table does not stop the others.
    for (const auto& [table, reason] : stats->unreadable) {
      log.Warn(table, "statistics not recorded: the table cannot be read", {{"reason", reason}});
    }
    if (stats->table_rows + stats->column_rows > 0) {
      log.Log(LogLevel::kDebug, "", "statistics recorded",
              {{"table_rows", static_cast<int64_t>(stats->table_rows)},
               {"column_rows", static_cast<int64_t>(stats->column_rows)}});
    }
    report.stats = std::move(*stats);
  }
  if (options.flush_log) log.FlushOrWarn(lake, *tables, engine, t);
  if (t != nullptr) {
    Result<SyncReport> synced = SyncTrailTable(lake, *tables, *t, engine);
    if (!synced.ok()) warn("bringing the trail's audit table up to date", synced.status());
  }
  return report;
}

}  // namespace atl::lake
