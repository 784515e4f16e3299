// Avro object container file → a DuckDB table, with atoll's Avro reader and the engine's
// Appender (no SQL text in between).
//
// Type mapping (Avro → DuckDB):
//   null → VARCHAR (always NULL)   boolean → BOOLEAN   int → INTEGER   long → BIGINT
//   float → FLOAT   double → DOUBLE   string → VARCHAR   bytes, fixed → BLOB
//   enum → VARCHAR (the symbol)   array → T[]   map → MAP(VARCHAR, T)   record → STRUCT
//   union [null, T] / [T, null] → T (nullable)
//   other unions → STRUCT(tag INTEGER, field0 T0, field1 T1, ...) over the non-null
//     branches (Iceberg's representation of unions); tag is the index of the branch set
//   logical types: date → DATE; time-millis, time-micros → TIME;
//     timestamp-millis, timestamp-micros → TIMESTAMPTZ (TIMESTAMP when the field carries
//     Iceberg's "adjust-to-utc": false); local-timestamp-millis/-micros → TIMESTAMP;
//     timestamp-nanos, local-timestamp-nanos → TIMESTAMP_NS (DuckDB's appender has no
//     TIMESTAMPTZ_NS: the UTC flag of timestamp-nanos is lost);
//     decimal (bytes or fixed) → DECIMAL(p, s) when p ≤ 38 (else kNotSupported);
//     uuid (string or fixed 16) → UUID; duration → BLOB (the 12 raw bytes)
// A top-level schema that is not a record becomes one column named "value". Fields whose
// type is a record without fields (or only such records) hold no values and are left out
// (Iceberg manifests of unpartitioned tables have one); a file with nothing else is
// kNotSupported.
// Recursive schemas are kNotSupported.
//
// Errors: the reader's kCorruption / kNotSupported, kNotSupported for the cases above,
// kInvalidArgument for a value DuckDB refuses (invalid UTF-8, a uuid string that does not
// parse, a decimal with too many digits).
//
// Thread safety: uses `engine` (one thread at a time, see engine.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/formats/avro/reader.h"

namespace atl::table {

struct AvroTableOptions {
  // Largest Avro block accepted (compressed or decompressed).
  uint64_t max_block_bytes = uint64_t{256} << 20;
};

// Creates (or replaces) table `table` in `engine` holding every row of the Avro file at
// local `path`. `name` is used in error messages. Returns the number of rows.
Result<int64_t> LoadAvroFile(engine::Engine& engine, const std::string& path,
                             const std::string& name, const std::string& table,
                             const AvroTableOptions& options = {});

// The same from an open reader (positioned before its first datum).
Result<int64_t> LoadAvro(engine::Engine& engine, avro::Reader& reader, const std::string& name,
                         const std::string& table);

// DuckDB's COPY option FIELD_IDS for the table LoadAvro makes from a file of schema `root`:
// the Iceberg "field-id" of each top-level field, with "element-id", "key-id", "value-id"
// and nested field ids for records, arrays and maps. A column whose ids are incomplete (or
// a union of several types) goes without ids; nullopt when no column has one.
std::optional<std::string> AvroFieldIdsOption(const avro::Node& root);

// Converts an Avro file (an Iceberg Avro data file: ids as above) to a Parquet file at local
// `parquet_path` with `compression`, rows in file order, through a scratch table dropped
// afterwards. Returns the number of rows. Errors as LoadAvro's, plus the COPY's.
Result<int64_t> AvroToParquet(engine::Engine& engine, avro::Reader& reader, const std::string& name,
                              const std::string& parquet_path,
                              const std::string& compression = "snappy");

}  // namespace atl::table
