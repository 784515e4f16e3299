// prepare/ → load/: converts the raw files dropped under `prepare/<db>/<table>/` into
// zstd-compressed Parquet files under `load/<db>/<table>/`, ready for ingestion.
//
// Per table: every object under the table's folder (sub-folders included; names whose
// last segment starts with '.' or '_' are left alone) is taken in key order and grouped
// into batches of up to PrepareSettings::batch_target_bytes (stored size) and
// max_files_per_batch files; each batch becomes one Parquet file.
//
// Formats: CSV, TSV, JSON (array or one document per line), NDJSON, Avro, ORC and Parquet;
// text formats also gzip- or zstd-compressed (see input_file.h for detection, and
// docs/lake.md for the options of settings.h that apply). Files of one batch are combined
// by column name (DuckDB's UNION ALL BY NAME: missing columns are NULL, types widen).
// Parquet field ids are assigned 1..n depth-first (field_ids.h).
//
// Crash safety and idempotency:
//   - the output key is "prepared-<h>.parquet" where <h> hashes the batch's source keys,
//     sizes and etags, so a re-run after a crash (sources not yet deleted) overwrites the
//     same object instead of adding a second copy;
//   - a source is deleted only after the Put of the output holding its rows returned, and
//     only while it is the version that was read (source_check.h): a file that changes
//     while it is read is not converted, one replaced before its deletion stays, and both
//     are taken by a later run (as are files younger than PrepareSettings::min_age_ms);
//   - lineage (each source's key, size and etag) is stored in the output's Parquet
//     key-value metadata under "atoll.lineage" (JSON), and returned in the report.
//
// Rejects: a file that cannot be fetched, decompressed, read or converted is moved to
// `<rejected>/<prepare>/<db>/<table>/<name>` with `<name>.error.json`
// ({"reason", "stage", "time", "source_key", "size", "etag"}); when a batch fails, its
// files are converted one by one so the good ones still load. Content DuckDB would crash
// on or load as junk columns (nesting deeper than max_json_depth, whitespace only, binary
// or JSON content in a CSV, rows with extra or missing fields, a .parquet that is not
// Parquet) is rejected before DuckDB reads it (CheckInputContent, input_file.h; json_guard.h)
// with a reason naming the cause. Decompressed size per file
// (max_decompressed_bytes), CSV line / JSON document length (max_line_bytes) and DuckDB's
// memory (memory_limit; DuckDB spills to the work directory) are bounded; a file that
// needs more memory than memory_limit on its own (a value larger than the limit) is
// rejected with a reason naming the limit and the setting (engine/memory_limit.h).
//
// Errors of the store (kUnavailable, kUnknownOutcome, kPermissionDenied, ...) stop the
// table's run and are returned: nothing is rejected because the store misbehaved (DuckDB's
// memory limit, also kUnavailable, is told apart: engine::IsMemoryLimitError).
//
// Direct load (PrepareOptions::direct): a batch of CSV/TSV files is first offered to the
// sink, which may write its rows straight into the table (skipping load/, so the rows are
// read and written once). When the sink declines (or the files need the fallbacks above),
// the batch goes the load/ way. The sink owns the sources it loads: it deletes them after
// its commit, with the same exactly-once bookkeeping as load/ files (ingest.h).
//
// Local stores: uncompressed files of a LocalStore are read in place, not copied.
//
// Thread safety: one call at a time per work directory; separate calls may run
// concurrently on different tables (each opens its own DuckDB).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/ingest/source_file.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

// A batch offered to PrepareOptions::direct.
struct DirectBatch {
  std::vector<SourceFile> sources;
  std::string query;  // SELECT of the batch's rows (reads local files only)
  std::vector<std::pair<std::string, std::string>> columns;  // its DESCRIBE: name, DuckDB type
};

// What the sink did: declined (the batch goes to load/), or loaded its rows into `table`.
// `changed`: sources whose version changed while the sink read them (source_check.h); the
// sink committed nothing, and prepare leaves them for a later run and offers the rest again.
struct DirectOutcome {
  bool loaded = false;
  std::string table;  // "stg.shop.orders"
  int64_t rows = 0;
  std::vector<SourceFile> changed;
};

struct PrepareOptions {
  // Local scratch directory; "" = a fresh directory under $TMPDIR, removed afterwards.
  std::string work_dir;
  int threads = 2;  // DuckDB worker threads
  // Milliseconds since the epoch, for the "time" of reject reasons; default: system clock.
  std::function<int64_t()> now_ms;
  // Tables to prepare as "<db>.<table>"; empty = every table with files waiting.
  std::vector<std::string> tables;
  // The time zone of ORC timestamps in files that name no writer zone (format 0.11 files;
  // ORC's own readers use their local zone there). An IANA name.
  std::string orc_default_timezone = "UTC";
  // Offered every batch of CSV/TSV files (see "Direct load"); its errors stop the table's
  // run like store errors. Unset: every batch goes to load/.
  std::function<Result<DirectOutcome>(const DirectBatch&)> direct;
  // Batch limits over the settings' (batch_target_bytes, max_files_per_batch) when > 0:
  // with `direct`, a batch is one commit, so ingest passes its commit limits.
  uint64_t batch_bytes = 0;
  int batch_files = 0;
  // Sources to leave alone this time (e.g. another process's committed batch holds them
  // and will delete them). Unset: none.
  std::function<bool(const SourceFile&)> skip;
};

struct PreparedFile {
  std::string output_key;   // the load/ file; empty when the rows went straight into a table
  std::string loaded_into;  // that table (PrepareOptions::direct), else empty
  uint64_t output_size = 0;
  int64_t rows = 0;
  std::vector<SourceFile> sources;
};

struct TablePrepareReport {
  std::string db;
  std::string table;
  std::vector<PreparedFile> prepared;
  std::vector<RejectedFile> rejected;
  // Files left in place for a later run: modified less than prepare.min_age ago, or
  // changed while they were read or before their deletion (source_check.h).
  std::vector<SourceFile> left;
  std::vector<UnusableFile> skipped;  // left in place (Prepare only; see SetAsideUnusable)
  std::string error;  // Prepare only: non-empty when the table's run stopped on an error
};

struct PrepareReport {
  std::vector<TablePrepareReport> tables;
  size_t files_prepared() const;
  size_t files_rejected() const;
  bool ok() const;  // no table stopped on an error
};

// Prepares every table (or the ones named in options.tables). One table never stops the
// others: a folder whose name cannot be a table has its files rejected (stage "name"),
// files whose names cannot be taken are set aside (rejects.h, SetAsideUnusable), and a
// table whose run fails gets TablePrepareReport::error. Errors returned are the run's own
// (listing prepare/, opening the work directory).
Result<PrepareReport> Prepare(const Lake& lake, const PrepareOptions& options = {});

// Prepares one table. Files whose names cannot be taken (CheckSourceKey) are left alone.
Result<TablePrepareReport> PrepareTable(const Lake& lake, const std::string& db,
                                        const std::string& table,
                                        const PrepareOptions& options = {});

}  // namespace atl::lake
