// Writing the rows of a SQL query as Parquet data files of an Iceberg table.
//
// WriteDataFiles() runs `query` once and writes its rows under
// `<table location>/data/<partition path>/<prefix><uuidv7>.parquet` (unpartitioned: under
// `<location>/data/`), as Parquet in the options' codec (default zstd level 1; a table's own
// codec: ApplyWriteProperties) carrying the Iceberg field ids (DuckDB's FIELD_IDS),
// and returns one DataFile per file with its partition tuple and metrics (ReadParquetMetrics
// on each written footer). The files are not committed anywhere: adding them to a snapshot
// is the caller's business, as is deleting them when the commit does not happen.
//
// Columns: the query's columns are matched by name to the schema's top-level fields
// (every field must be present; extra query columns are ignored) and CAST to the DuckDB
// type of the Iceberg type (DuckDbType(type, kWrite) of duckdb_types.h: int -> INTEGER,
// long -> BIGINT, timestamptz -> TIMESTAMPTZ, structs by field name, lists, maps). A failed
// cast or a NULL in a required top-level field is kInvalidArgument. fixed(L), timestamptz_ns,
// unknown, variant and geo types are kNotSupported (DuckDB cannot write them as Iceberg
// expects).
//
// How: the converted rows and one column per partition field (the transform result, in
// SQL) are first materialized in a DuckDB temporary table, so that the query runs once and
// required fields are checked (NOT NULL). Each distinct partition tuple is then written by
// its own COPY ... TO '<dir>' (FILE_SIZE_BYTES, RETURN_STATS): DuckDB 1.4 cannot combine
// PARTITION_BY with FILE_SIZE_BYTES, and per-tuple COPYs let the directories follow
// Iceberg's partition paths. Costs: the staged rows live in DuckDB memory (spilling to its
// temp directory), and each COPY scans the staged table and is followed by a footer read:
// about 0.1 s per partition tuple on a busy 2-core machine, fine for tens of partitions; a
// write touching thousands of partitions should be split by the caller. Files roll over
// once they exceed target_file_size_bytes (DuckDB checks after each row group, so a file
// may exceed the target by up to one row group).
//
// Transforms in SQL: identity, void, year/month/day/hour (UTC, from epoch units, so the
// session time zone never matters), truncate[W] (int, long, decimal, string by code
// points, binary by bytes), bucket[N] through a scalar function `atoll_iceberg_hash`
// registered on the engine on first use (Murmur3 of the spec's Appendix B bytes, see
// iceberg/murmur3.h).
//
// Object stores: `table_location` may be any URI the engine can write, e.g. "s3://b/t"
// after Engine::RegisterStores. A location without "://" is a local path; its partition
// directories are created as needed.
//
// Errors: kInvalidArgument (bad query, cast failures, missing columns, spec not valid for
// the schema), kNotSupported (types above, transforms on unsupported types), the engine's
// IO errors. On error some files may already be written.
//
// Thread safety: uses the Engine, so the Engine's rule applies (one thread at a time).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/schema.h"
#include "atoll/table/parquet_metrics.h"

namespace atl::table {

struct DataWriterOptions {
  int64_t target_file_size_bytes = 512LL << 20;
  int64_t row_group_size = 0;  // rows per row group; 0 = DuckDB's default (122,880)
  std::string compression = "zstd";
  // zstd level (DuckDB's COMPRESSION_LEVEL; 0 = DuckDB's default, 3). Level 1 costs a
  // little more time than snappy (0-15% in DuckDB's COPY, docs/benchmarks.md) and writes
  // about half of snappy's bytes.
  int compression_level = 1;
  std::string file_name_prefix;  // prepended to the uuidv7 of each file name
  // When set, the caller guarantees that every row has this partition tuple (e.g. the
  // partition fields transform a column the query sets to one constant value): the rows
  // are then written by one COPY straight from the query, without staging them in a
  // temporary table (required fields are checked in that COPY). The tuple is not checked
  // against the rows.
  std::optional<std::vector<iceberg::Literal>> constant_partition;
  ParquetMetricsOptions metrics;
};

// The Parquet codecs the writer offers (DuckDB's names, which are also Iceberg's
// write.parquet.compression-codec values): zstd, snappy, gzip, brotli, uncompressed.
bool IsWritableCodec(std::string_view codec);
// "COMPRESSION '<codec>'[, COMPRESSION_LEVEL <level>]": the COPY options of `codec`; the
// level only for zstd, when > 0.
std::string ParquetCompressionOptions(std::string_view codec, int level);

// The codec of a table's Parquet files from its properties, as Iceberg writers read them:
// `write.parquet.compression-codec` (IsWritableCodec, any case; another value such as
// lz4, which DuckDB writes only as LZ4_RAW, keeps options' codec)
// and, for zstd, `write.parquet.compression-level` (1..22); the file size from
// `write.target-file-size-bytes` (a positive integer). Properties not set (or not valid)
// leave `options` as they are.
void ApplyWriteProperties(const std::map<std::string, std::string>& properties,
                          DataWriterOptions* options);

Result<std::vector<iceberg::DataFile>> WriteDataFiles(engine::Engine& engine,
                                                      std::string_view query,
                                                      const iceberg::Schema& schema,
                                                      const iceberg::PartitionSpec& spec,
                                                      std::string_view table_location,
                                                      const DataWriterOptions& options = {});

// The COPY option value mapping column names to `schema`'s field ids, e.g.
// {'id': 1, 'tags': {__duckdb_field_id: 2, element: 3}}.
std::string FieldIdsOption(const iceberg::Schema& schema);

}  // namespace atl::table
