// ORC file → a DuckDB table (and → a Parquet file), with atoll's own ORC reader and the
// engine's Appender: no ORC code in DuckDB, no SQL text for the values.
//
// Streaming: the reader holds one stripe (its stored bytes and decompressed streams) and
// one batch (ReaderOptions::batch_rows rows) at a time; each batch is appended and dropped
// before the next is decoded. The rows themselves live in the DuckDB table (DuckDB spills
// to its temp directory under its memory limit).
//
// Type mapping (ORC → DuckDB):
//   boolean → BOOLEAN   tinyint → TINYINT   smallint → SMALLINT   int → INTEGER
//   bigint → BIGINT     float → FLOAT       double → DOUBLE
//   string, varchar(n), char(n) → VARCHAR (the stored bytes: char values keep their padding)
//   binary → BLOB       decimal(p,s) → DECIMAL(p,s) (p ≤ 38; Hive 0.11 decimals without a
//                         precision come from the reader as decimal(38, hive11 scale))
//   date → DATE         timestamp → TIMESTAMP (the writer's wall clock)
//   timestamp with local time zone → TIMESTAMPTZ (the instant)
//     Both timestamps keep microseconds: nanoseconds below a microsecond are dropped
//     (rounded toward the past, so pre-1970 values stay ordered).
//   array<T> → T[]      map<K,V> → MAP(K, V) (a null key is kInvalidArgument)
//   struct<...> → STRUCT("name" T, ...)
//   uniontype<T0,T1,...> → STRUCT(tag INTEGER, field0 T0, field1 T1, ...): tag is the
//     branch of the row, the field of that branch holds the value, the others are NULL
//     (the representation Iceberg uses for unions; avro_table uses the same shape).
// The columns of a root struct become the table's columns; any other root type becomes
// one column named "value". A root struct without fields, an empty nested struct and
// decimals over 38 digits are kNotSupported.
//
// Iceberg field ids: ORC files written by Iceberg carry each field's id in the type
// attribute "iceberg.id" (on struct fields, list elements, map keys and values).
// DescribeOrcSchema returns them with the column tree, and OrcFieldIdsOption renders them
// as the FIELD_IDS option of DuckDB's COPY ... (FORMAT parquet), so a converted file can be
// read by field id like any Iceberg Parquet data file.
//
// Errors: the reader's kCorruption / kNotSupported (naming the file), kNotSupported for the
// types above, kInvalidArgument for values DuckDB refuses (invalid UTF-8 in a string, a
// timestamp out of DuckDB's range) with the file, row and column as context; the engine's
// errors for CREATE TABLE / COPY.
//
// Thread safety: the functions use `engine` (one thread at a time, see engine.h) and the
// reader they are given (one thread); they keep no state of their own.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/formats/orc/reader.h"

namespace atl::table {

// One node of an ORC schema as DuckDB sees it.
struct OrcColumn {
  std::string name;                 // struct field name; "element", "key", "value", "tag",
                                    // "field<i>" below lists, maps and unions
  std::string type;                 // DuckDB SQL type of the whole subtree
  std::optional<int32_t> field_id;  // the "iceberg.id" attribute, when present and valid
  std::vector<OrcColumn> children;  // struct fields; list: element; map: key, value;
                                    // union: tag, field0, field1, ...
};

// The table columns for an ORC schema (see the mapping above). kNotSupported for types
// DuckDB cannot hold; kCorruption for an "iceberg.id" that is not a positive integer.
Result<std::vector<OrcColumn>> DescribeOrcSchema(const orc::Type& schema);

// The FIELD_IDS option value for COPY ... (FORMAT parquet) carrying the columns' Iceberg
// field ids, e.g. {"id": 1, "tags": {__duckdb_field_id: 2, "element": 3}}; nullopt when no
// column carries one. Columns without an id are left out (Parquet gets no id for them).
std::optional<std::string> OrcFieldIdsOption(const std::vector<OrcColumn>& columns);

struct OrcLoad {
  int64_t rows = 0;
  std::vector<OrcColumn> columns;
};

// Creates (or replaces) table `table` (an unqualified name) in `engine` holding every row
// of `reader`, which must be positioned at its first row.
Result<OrcLoad> LoadOrc(engine::Engine& engine, orc::Reader& reader, const std::string& table);

// Opens the local ORC file at `path` and loads it as LoadOrc does. `name` replaces the path
// in error messages ("" = the path).
Result<OrcLoad> LoadOrcFile(engine::Engine& engine, const std::string& path,
                            const std::string& name, const std::string& table,
                            const orc::ReaderOptions& options = {});

struct OrcParquetOptions {
  std::string compression = "zstd";
  // Write the Iceberg field ids found in the file (OrcFieldIdsOption).
  bool field_ids = true;
  // The scratch table used in `engine` (dropped afterwards, whatever happens).
  std::string scratch_table = "__atoll_orc_to_parquet";
};

// Writes every row of `reader` to the Parquet file `parquet_path` (any path the engine
// can write): LoadOrc into a scratch table, COPY it out in row order, drop it. The Parquet
// file has the rows in the ORC file's order, so row positions (Iceberg position deletes)
// stay valid. Returns the load (row count and columns).
Result<OrcLoad> OrcToParquet(engine::Engine& engine, orc::Reader& reader,
                             const std::string& parquet_path,
                             const OrcParquetOptions& options = {});

}  // namespace atl::table
