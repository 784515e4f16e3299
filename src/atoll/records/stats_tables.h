// The lake's statistics tables (docs/lake.md, "stats/"): after each ingest or maintain run,
// one row per table and snapshot in `<stats zone>.atoll.tables` and one row per table,
// snapshot and primitive column in `<stats zone>.atoll.columns`.
//
//   RecordLakeStats(lake, tables, engine, options)
//       for every table of the lake outside the trail, stats and log zones (their own
//       commits would otherwise need new rows forever), each snapshot of the table's
//       current metadata that a stats table does not hold yet gets its rows: record, data
//       file, delete file counts and bytes from the snapshot's live files (iceberg::PlanScan);
//       per column the sums of the files' value, null and NaN counts and the min of their
//       lower bounds and max of their upper bounds (decoded with iceberg::Literal, as text).
//       A count or bound is NULL when some file does not carry it (unknown). Each stats
//       table gets at most one commit per call; a concurrent writer that commits first
//       makes the call recompute what is missing and try again, so rows are never
//       duplicated and running it twice adds nothing the second time. A table that
//       cannot be read is listed in StatsReport::unreadable; the others are recorded.
//
// Bounds are the manifests' bounds: strings may be truncated by the writer (a truncated
// min is still a lower bound).
//
// Errors: catalog, store and engine errors (Status). kCommitConflict after 10 lost races.
// Thread safety: the engine's rule (one thread at a time per engine).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/schema.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

// {[stats zone, "atoll"], "tables"} and {[stats zone, "atoll"], "columns"}.
// stats.atoll.tables: table_name string, snapshot_id long, parent_snapshot_id long,
// operation string, committed_at timestamptz, record_count, data_file_count,
// delete_file_count, total_bytes long, last_updated, recorded_at timestamptz.
// stats.atoll.columns: table_name string, snapshot_id long, committed_at timestamptz,
// field_id int, column_name, type string, value_count, null_count, nan_count long,
// min, max string, recorded_at timestamptz.
iceberg::TableIdentifier TableStatsId(const Lake& lake);
iceberg::TableIdentifier ColumnStatsId(const Lake& lake);

struct StatsOptions {
  std::string command = "atoll stats";  // recorded in the trail with each commit
  trail::Trail* trail = nullptr;        // where the commits are recorded; null: nowhere
  int64_t now_ms = 0;                   // recorded_at; 0 = now
};

struct StatsReport {
  size_t tables = 0;         // tables examined
  uint64_t table_rows = 0;   // rows appended to stats.atoll.tables
  uint64_t column_rows = 0;  // rows appended to stats.atoll.columns
  // Tables that could not be read (a missing metadata file or manifest, ...): their
  // snapshots that could not be described get no rows this time. {table name, reason}.
  std::vector<std::pair<std::string, std::string>> unreadable;
};

Result<StatsReport> RecordLakeStats(const Lake& lake, const LakeTables& tables,
                                    engine::Engine& engine, const StatsOptions& options = {});

// True for tables whose own commits are not described by stats rows (the trail, stats
// and log zones).
bool IsSelfRecordingTable(const Lake& lake, const iceberg::TableIdentifier& id);

// The data file locations of `table`'s current snapshot (for reading it with SQL).
Result<std::vector<std::string>> CurrentDataFiles(const iceberg::Table& table);

}  // namespace atl::lake
