// Parquet copies of ORC and Avro data files, made on demand and kept for the life of the
// process.
//
// iceberg_scan reads every data and delete file with DuckDB's read_parquet; an ORC or Avro
// file is first converted into a private temporary directory, and the Parquet path is read
// in its place: ORC through orc_table.h (atoll's ORC reader → a DuckDB table → COPY with the
// Iceberg field ids of its "iceberg.id" attributes), Avro through avro_table.h (the same
// with the schema's "field-id" attributes; the whole object is fetched). Rows keep their
// file order, so position deletes apply to the copies.
//
// Cache: one entry per (location, size, etag) — Iceberg files are immutable, so a file is
// converted once per process however many queries read it. The directory
// ($TMPDIR/atoll-copies-XXXXXX) and the copies in it are removed by an atexit handler when the
// process exits normally (not after a crash or SIGKILL); conversions asked for after that
// are kCancelled. Errors are not cached. The cache and its engine are never freed (they
// live until exit).
//
// Conversions run on a private DuckDB engine (one worker thread, spilling into the cache
// directory), never on the caller's engine: iceberg_scan converts while its query is being
// bound.
//
// Errors: the store's (Head/ranged Get), the ORC reader's kCorruption/kNotSupported naming
// the file, kNotSupported for ORC types DuckDB cannot hold, kIOError for the local disk.
//
// Thread safety: safe from any thread; conversions are serialized (one at a time per process).
#pragma once

#include <string>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::table {

enum class DataFileFormat { kOrc, kAvro };

// The local path of a Parquet copy of the data file `key` of `store`. `location` names the
// file in errors and in the cache key (the location as the table metadata writes it).
Result<std::string> ParquetCopy(storage::Store& store, const std::string& key,
                                const std::string& location, DataFileFormat format);
Result<std::string> OrcAsParquet(storage::Store& store, const std::string& key,
                                 const std::string& location);

// Number of conversions done by this process (for tests: a cached file is not converted again).
int64_t ParquetCopyConversions();

}  // namespace atl::table
