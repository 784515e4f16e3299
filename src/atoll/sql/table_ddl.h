// Running CREATE TABLE / CREATE TABLE AS / DROP TABLE on lake tables (syntax: lake_ddl.h).
//
//   CreateLakeTable(ctx, ddl)
//     Column definitions go through DuckDB (a temporary table with them shows their types;
//     NOT NULL makes a required field); AS query takes the query's columns (DESCRIBE).
//     Types map to Iceberg as ingest maps file columns (ingest/landing_schema.h). The
//     table is created in the lake's catalog at <lake>/<zone>/<db>/<table>, format v2
//     unless format_version says otherwise, with the partitioning and properties given;
//     for AS query the rows are then written and appended (a second commit; when it fails
//     the new table is dropped again). IF NOT EXISTS on an existing table does nothing;
//     OR REPLACE drops the existing table first (its history is not kept) and creates it.
//   DropLakeTable(ctx, ddl)
//     Removes the table from the catalog; PURGE also deletes every file under its
//     location. IF EXISTS on a missing table does nothing.
//   AlterLakeTable(ctx, ddl)
//     One metadata commit: a schema change (Iceberg schema evolution: new columns are
//     optional, types only widen, ids never reused), properties set or removed, or a new
//     default partition spec (existing files keep theirs). IF [NOT] EXISTS on a column
//     (or property) that is absent (present) does nothing.
//   Each change is recorded in the trail (create, append, drop) when ctx.trail is set.
//
// Errors: kAlreadyExists (CREATE of an existing table), kNotFound (DROP of a missing
// one), kInvalidArgument (bad columns, types, partition fields naming unknown columns,
// bad property values), the engine's and the catalog's.
// Thread safety: one thread (the engine's rule).
#pragma once

#include <cstdint>

#include "atoll/common/result.h"
#include "atoll/sql/lake_ddl.h"
#include "atoll/sql/table_dml.h"

namespace atl::lake {

struct DdlOutcome {
  bool changed = false;    // false: IF [NOT] EXISTS made it a no-op
  int64_t rows_added = 0;  // CREATE TABLE AS
};

Result<DdlOutcome> CreateLakeTable(const DmlContext& ctx, const CreateTableDdl& ddl);
Result<DdlOutcome> DropLakeTable(const DmlContext& ctx, const DropTableDdl& ddl);
Result<DdlOutcome> AlterLakeTable(const DmlContext& ctx, const AlterTableDdl& ddl);

}  // namespace atl::lake
