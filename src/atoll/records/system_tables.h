// System tables: the Iceberg tables a lake keeps about itself (stats/, log/), written the
// way the trail's audit table is (lake_trail.h): rows are staged in a DuckDB table of an
// engine, written as Parquet data files with table::WriteDataFiles and committed with one
// Append per call, never rebased onto a concurrent commit.
//
//   SystemColumn / SystemTableSchema(columns)   a schema from a column list (ids 1..n)
//   LoadOrCreateSystemTable(tables, id, ...)    loads the table or creates it unpartitioned
//                                               (race-safe; "commit.retry.num-retries" 0)
//   StageRows(engine, stage, columns, fill)     CREATE OR REPLACE the stage table and fill
//                                               it through an Appender
//   CommitStaged(engine, table, stage, ...)     writes and appends the staged rows: one
//                                               commit; kCommitConflict when another
//                                               writer committed first (its files deleted):
//                                               the caller refreshes, recomputes and retries
//   RecordSystemCommit(trail, table, ...)       the commit's trail record (lake_trail.h),
//                                               so the next ReconcileTrail finds nothing
//                                               missing for these tables
//
// Errors: the engine's, the catalog's and the store's, as Status.
// Thread safety: the engine's rule (one thread at a time per engine).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/appender.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/commit/transaction.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct SystemColumn {
  const char* name;
  iceberg::TypePtr type;
  bool required;
  const char* duckdb_type;  // the DuckDB type the stage table uses for it
};

// Fields 1..n in the order given.
iceberg::Schema SystemTableSchema(const std::vector<SystemColumn>& columns);

// The table `id`, created unpartitioned with `columns` and `properties` (plus
// "commit.retry.num-retries" = 0) when missing; a creation by this call is recorded in
// `trail` when it is not null.
Result<iceberg::Table> LoadOrCreateSystemTable(const LakeTables& tables,
                                               const iceberg::TableIdentifier& id,
                                               const std::vector<SystemColumn>& columns,
                                               std::map<std::string, std::string> properties,
                                               trail::Trail* trail, const std::string& command);

// Replaces the DuckDB table `stage` by one with `columns` and calls `fill` with an
// appender on it; closes the appender.
Status StageRows(engine::Engine& engine, const std::string& stage,
                 const std::vector<SystemColumn>& columns,
                 const std::function<Status(engine::Appender&)>& fill);

// Writes the rows of `stage` into data files of `table` (names start with `file_prefix`)
// and commits them in one Append with `summary` (and `properties` set in the same
// transaction). Drops the stage table. kCommitConflict after another writer's commit (the
// written files are deleted; refresh and recompute before retrying).
Status CommitStaged(engine::Engine& engine, iceberg::Table& table, const LakeTables& tables,
                    const std::string& stage, const std::string& file_prefix,
                    iceberg::SummaryProperties summary,
                    std::map<std::string, std::string> properties = {});

// Records the commit that made `table`'s current metadata in `trail` (no-op when null).
// `snapshot_before`: the table's current snapshot before that commit.
Status RecordSystemCommit(trail::Trail* trail, const iceberg::Table& table,
                          std::optional<int64_t> snapshot_before, const std::string& command);

// Appender helpers: NULL for empty text / nullopt.
Status AppendTextOrNull(engine::Appender& a, const std::string& text);
Status AppendIntOrNull(engine::Appender& a, const std::optional<int64_t>& v);

}  // namespace atl::lake
