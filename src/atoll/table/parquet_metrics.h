// Iceberg metrics of a Parquet data file, read from its footer through DuckDB
// (parquet_schema(), parquet_file_metadata() and parquet_metadata()); the data pages are
// not read.
//
// Column mapping: a Parquet column maps to the Iceberg field whose id is its Parquet
// field_id when the column has one (then only by id: a column with an unknown id is not
// mapped); otherwise by name, level by level (the name path, as Iceberg's default name
// mapping would). Lists (3-level, and the legacy 2-level forms) and maps (repeated
// key_value group) map by structure to the element / key / value fields. Unmapped columns
// contribute no metrics.
//
// Metrics (keyed by Iceberg field id), summed over row groups:
//   column_sizes       compressed bytes of the column chunks (every mapped leaf)
//   value_counts       values including nulls (num_values; for list/map leaves that is
//                      elements, as Parquet counts them)
//   null_value_counts  from the chunk statistics; omitted for a column when any row group
//                      lacks a null count (DuckDB writes none for list/map leaves)
//   nan_value_counts   never filled: Parquet footers do not carry NaN counts (absence
//                      means "unknown" in Iceberg, which is what we know)
//   lower/upper_bounds Appendix D single-value binary form, for primitive fields that are
//                      not inside a list or map. Omitted for a column when some row group
//                      with non-null values has no min/max (DuckDB writes none for a
//                      float/double chunk holding NaN, so bounds never hide a NaN), or when
//                      the statistic cannot be read as the Iceberg type. Strings and
//                      binary are truncated like Iceberg's default metrics mode
//                      truncate(16): the lower bound is the first 16 code points (bytes
//                      for binary), the upper bound the same prefix with its last code
//                      point (byte) incremented, dropping trailing ones that cannot be; no
//                      upper bound when none can. Fixed and UUID are not truncated.
//   split_offsets      the start of each row group (its first page, dictionary or data),
//                      ascending
// record_count is the footer's row count; file_format "PARQUET", content kData,
// file_path the given URI. The partition tuple is left empty for the caller.
//
// Errors: those of Engine::Query (kNotFound for a missing file, kInvalidArgument for a
// file that is not Parquet).
//
// Thread safety: uses the Engine, so the Engine's rule applies (one thread at a time).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/schema.h"

namespace atl::table {

struct ParquetMetricsOptions {
  // Code points (strings) or bytes (binary) kept in bounds; 0 = no truncation.
  int truncate_length = 16;
};

// The DataFile for the Parquet file at `uri` (a local path, or a URI the engine serves
// through Engine::RegisterStores) of `file_size` bytes.
Result<iceberg::DataFile> ReadParquetMetrics(engine::Engine& engine, std::string_view uri,
                                             int64_t file_size, const iceberg::Schema& schema,
                                             const ParquetMetricsOptions& options = {});

// Iceberg's truncated bounds (exposed for tests): the lower bound of `s` keeps the first
// `length` code points; the upper bound increments the last kept code point (skipping
// surrogates, dropping code points that are already U+10FFFF) and is nullopt when none
// can be incremented. Strings no longer than `length` are returned unchanged.
std::string TruncateStringLower(std::string_view s, int length);
std::optional<std::string> TruncateStringUpper(std::string_view s, int length);
// The same for bytes (0xFF bytes cannot be incremented).
std::string TruncateBinaryLower(std::string_view s, int length);
std::optional<std::string> TruncateBinaryUpper(std::string_view s, int length);

}  // namespace atl::table
