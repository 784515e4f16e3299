#include "atoll/cli/record_run.h"

#include <memory>

#include "atoll/lake/lake_tables.h"
#include "atoll/lake/work_session.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/stats_tables.h"

namespace atl::cli {

void RecordRun(const lake::Lake& lake, const std::string& command, lake::EventLog& log,
               bool flush_log, Io& io) {
  auto warn = [&io](const std::string& what, const Status& st) {
    io.err << "atoll: warning: " << what << ": "
           << (st.message().empty() ? st.ToString() : st.message()) << "\n";
  };
  Result<lake::LakeTables> tables = lake::OpenLakeTables(lake);
  if (!tables.ok()) return warn("recording statistics and events", tables.status());
  Result<std::unique_ptr<lake::WorkSession>> session =
      lake::WorkSession::Open(lake, "", 2, "records");
  if (!session.ok()) return warn("recording statistics and events", session.status());
  engine::Engine& engine = (*session)->engine();
  Result<std::unique_ptr<trail::Trail>> trail = lake::OpenLakeTrail(lake);
  if (!trail.ok()) warn("opening the trail", trail.status());
  trail::Trail* t = trail.ok() ? trail->get() : nullptr;
  lake::StatsOptions so;
  so.command = command;
  so.trail = t;
  Result<lake::StatsReport> stats = lake::RecordLakeStats(lake, *tables, engine, so);
  if (!stats.ok()) {
    log.Error("", "statistics not recorded: " + stats.status().message());
  } else {
    // Echoed on stderr as warnings: one unreadable table does not stop the others.
    for (const auto& [table, reason] : stats->unreadable) {
      log.Warn(table, "statistics not recorded: the table cannot be read", {{"reason", reason}});
    }
    if (stats->table_rows + stats->column_rows > 0) {
      log.Log(lake::LogLevel::kDebug, "", "statistics recorded",
              {{"table_rows", static_cast<int64_t>(stats->table_rows)},
               {"column_rows", static_cast<int64_t>(stats->column_rows)}});
    }
  }
  if (flush_log) log.FlushOrWarn(lake, *tables, engine, t);
  if (t != nullptr) {
    Result<lake::SyncReport> synced = lake::SyncTrailTable(lake, *tables, *t, engine);
    if (!synced.ok()) warn("bringing the trail's audit table up to date", synced.status());
  }
}

}  // namespace atl::cli
