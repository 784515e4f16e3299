// Schemas of landed tables: from the columns of a Parquet file (as DuckDB types) to an
// Iceberg schema, and merging a later file's columns into a table's schema.
//
// DuckDB → Iceberg type mapping: leaves by table::IcebergLeafType (table/duckdb_types.h;
// e.g. BIGINT → long, TIMESTAMP_NS → timestamp, ENUM → string); T[] and T[n] → list;
// STRUCT → struct; MAP(K, V) → map. INTERVAL, BIT, UNION, TIME WITH TIME ZONE and VARINT
// are kNotSupported (the file is rejected with that reason).
// Every column is optional (files carry no reliable NOT NULL contract). Field ids in the
// returned types are placeholders: Table::Create and SchemaUpdate assign the real ones.
//
// Merging (a new file into a table): a column the table lacks is added (top level, as
// optional); a column whose type differs is widened when Iceberg allows it (int → long,
// float → double, decimal precision); a file column narrower than the table's (int in a
// long column) needs no change; any other difference is kInvalidArgument naming the
// column and both types. Nested types must match exactly (after the same narrowing rule
// for their leaves, which the write casts).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/schema.h"
#include "atoll/iceberg/types.h"

namespace atl::lake {

// Columns as DuckDB's DESCRIBE gives them: (name, type text).
using DuckColumns = std::vector<std::pair<std::string, std::string>>;

// The Iceberg type for a DuckDB type text.
Result<iceberg::TypePtr> IcebergTypeForDuckDb(std::string_view duckdb_type);

// The Iceberg schema (ids placeholders) for a file's columns. Duplicate names (case
// sensitive) are kInvalidArgument.
Result<iceberg::Schema> SchemaForColumns(const DuckColumns& columns);

// What must change in `table` to take the rows of a file whose schema is `file` (both
// top-level names matched exactly).
struct SchemaMerge {
  std::vector<std::pair<std::string, iceberg::TypePtr>> add;    // new top-level columns
  std::vector<std::pair<std::string, iceberg::TypePtr>> widen;  // top-level columns to promote
  bool empty() const { return add.empty() && widen.empty(); }
};
Result<SchemaMerge> PlanSchemaMerge(const iceberg::Schema& table, const iceberg::Schema& file);

// `table` with `merge` applied (new ids after table.HighestFieldId()), for accumulating the
// files of one batch before the table's real schema update is committed.
Result<iceberg::Schema> ApplySchemaMerge(const iceberg::Schema& table, const SchemaMerge& merge);

}  // namespace atl::lake
