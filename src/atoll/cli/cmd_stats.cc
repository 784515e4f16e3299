// atoll stats: prints the lake's statistics tables (lake/stats_tables.h): per table the
// record, file and byte counts of its latest recorded snapshot, and per column the null
// counts and bounds.
#include <optional>
#include <string>
#include <vector>

#include "atoll/cli/command.h"
#include "atoll/cli/query_output.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/stats_tables.h"

namespace atl::cli {

// sql-names: ViewName, where, latest, snapshots
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace {

std::string ViewName(const iceberg::TableIdentifier& id) {
  std::string out;
  for (const std::string& part : id.ns) out += engine::QuoteIdentifier(part) + ".";
  return out + engine::QuoteIdentifier(id.name);
}

// Warns about each table (of those the statistics are printed for) that cannot be read:
// its figures are the last recorded, and queries naming it fail.
Status WarnAboutBrokenTables(const lake::Lake& lake, const lake::LakeTables& tables,
                             const std::optional<iceberg::TableIdentifier>& only, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
  for (const iceberg::TableIdentifier& id : ids) {
    if (lake::IsSelfRecordingTable(lake, id) || (only && id.ToString() != only->ToString())) {
      continue;
    }
    Status st = lake::CheckLakeTable(tables, id);
    if (!st.ok()) io.err << "atoll: warning: " << st.message() << "\n";
  }
  return Status::OK();
}

Status RunStats(const ParsedArgs& args, Io& io) {
  const std::string& uri = args.positional()[0];
  const std::string default_format = args.Has("json") ? "json" : "table";
  ATOLL_ASSIGN_OR_RETURN(OutputFormat format,
                         ParseOutputFormat(args.Value("format").value_or(default_format)));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  std::string where;
  std::optional<iceberg::TableIdentifier> only;
  if (args.positional().size() > 1) {
    std::string name = args.positional()[1];
    size_t dots = 0;
    for (char c : name) dots += c == '.';
    if (dots == 1) name = lake->settings().zones.stg + "." + name;
    ATOLL_ASSIGN_OR_RETURN(only, lake::ParseLakeTableName(name));
    where = StrCat(" WHERE table_name = ", engine::QuoteString(only->ToString()));
  }
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
  Result<iceberg::Table> stats = lake::LoadLakeTable(tables, lake::TableStatsId(*lake));
  if (!stats.ok()) {
    if (stats.status().code() != StatusCode::kNotFound) return stats.status();
    io.err << "atoll: no statistics yet in " << lake->root_uri()
           << " (they are recorded by atoll ingest and atoll maintain)\n";
    return Status::OK();
  }
  ATOLL_RETURN_NOT_OK(WarnAboutBrokenTables(*lake, tables, only, io));
  const std::string latest =
      args.Has("all") ? ""
                      : " QUALIFY row_number() OVER (PARTITION BY table_name ORDER BY committed_at "
                        "DESC, snapshot_id DESC) = 1";
  const std::string snapshots = StrCat(
      "SELECT table_name, snapshot_id, operation, committed_at, record_count, "
      "data_file_count, delete_file_count, total_bytes, last_updated FROM ",
      ViewName(lake::TableStatsId(*lake)), where, latest);
  const std::string sql =
      args.Has("columns")
          ? StrCat(
                "SELECT c.table_name, c.snapshot_id, c.column_name, c.type, c.value_count, "
                "c.null_count, c.nan_count, c.min, c.max FROM ",
                ViewName(lake::ColumnStatsId(*lake)), " c JOIN (", snapshots,
                ") s USING (table_name, snapshot_id) ORDER BY c.table_name, s.committed_at, "
                "c.snapshot_id, c.field_id")
          : StrCat(snapshots, " ORDER BY table_name, committed_at, snapshot_id");
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, lake::OpenQueryEngine(uri, sql));
  return PrintQuery(*engine, sql, format, io.out);
}

}  // namespace

CommandSpec StatsCommand() {
  return {
      .name = "stats",
      .summary = "Print the statistics of a lake's tables (rows, files, bytes, column bounds)",
      .arguments = "LAKE [TABLE]",
      .description =
          "Prints the statistics recorded in stats.atoll.tables by atoll ingest and atoll\n"
          "maintain: per table (TABLE as db.table for the stg zone, or zone.db.table) the\n"
          "record count, data and delete file counts and bytes of its latest snapshot\n"
          "(--all: every recorded snapshot). --columns prints stats.atoll.columns instead:\n"
          "per column its value, null and NaN counts and min and max (as text; NULL when\n"
          "unknown). --format as for atoll query: table, csv or json.\n",
      .options = {OutputFormatOption(),
                  {"all", 0, OptionKind::kFlag, "", "Every recorded snapshot, not only the latest"},
                  {"columns", 0, OptionKind::kFlag, "", "Per-column statistics"},
                  {"json", 0, OptionKind::kFlag, "", "The same as --format json"}},
      .min_positional = 1,
      .max_positional = 2,
      .run = RunStats,
  };
}

}  // namespace atl::cli
