// File manifests: the manifest-summary.json + manifest-data.parquet pair that describes a
// set of files (dbsnaplake's "DB Snapshot File Manifest" and the group manifests derived
// from it).
//
// manifest-data.parquet has one row per file with the columns
//   uri        VARCHAR  where the file is (local absolute path or s3://bucket/key)
//   etag       VARCHAR  the store's version tag when listed (may be NULL)
//   size       BIGINT   bytes on storage
//   n_record   BIGINT   rows, NULL when unknown
//   partition  VARCHAR  staging and partition file group manifests only: "k1=v1/k2=v2"
// Reading accepts manifests written elsewhere with at least `uri` and `size` (the other
// columns are optional). manifest-summary.json holds {"n_file", "total_size",
// "n_record" (sum of the known counts), "n_record_unknown" (files without a count)} plus
// step-specific members.
//
// Row counts when scanning a prefix: Parquet files from their footers; CSV(.gz) and
// NDJSON(.gz) are NULL (unknown) unless `count_text_rows`, which reads each file once.
//
// Errors: the store's and the engine's (kNotFound for a missing manifest; kInvalidArgument
// for a manifest-data file without the required columns).
// Thread safety: uses the engine (one thread at a time).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/snapshot/bucket.h"
#include "atoll/snapshot/reports.h"

namespace atl::snapshot {

struct FileEntry {
  std::string uri;
  std::string etag;
  int64_t size = 0;
  std::optional<int64_t> n_record;
  std::string partition;
};

enum class FileFormat { kParquet, kCsv, kNdjson, kUnknown };
// By extension, ignoring a trailing ".gz": .parquet; .csv, .tsv; .json, .ndjson, .jsonl.
FileFormat FormatOf(std::string_view uri);

inline constexpr std::string_view kSummaryName = "manifest-summary.json";
inline constexpr std::string_view kDataName = "manifest-data.parquet";

// The summary members computed from `files`.
FileSummary SummarizeFiles(const std::vector<FileEntry>& files);

// Writes `dir`/manifest-data.parquet, then `dir`/manifest-summary.json (SummarizeFiles
// merged with `extra`) into `bucket`. `scratch` is a local directory for the Parquet file.
Status WriteFileManifest(engine::Engine& engine, const Bucket& bucket, std::string_view dir,
                         const std::vector<FileEntry>& files, const Json& extra,
                         const std::string& scratch);

// The rows of one or more manifest-data.parquet files, in file then row order.
Result<std::vector<FileEntry>> ReadManifestData(engine::Engine& engine,
                                                const std::vector<std::string>& data_uris);

// Every data file under `prefix_uri` (a directory), sorted by URI. Names starting with '.'
// or '_' and files of unknown format are skipped.
Result<std::vector<FileEntry>> ScanSnapshotFiles(engine::Engine& engine,
                                                 std::string_view prefix_uri, bool count_text_rows);

// The SQL reading `uris` (all of format `format`) with every column, by name; hive
// partitioning off so that folder names never become columns.
std::string ReadFilesSql(FileFormat format, const std::vector<std::string>& uris);

}  // namespace atl::snapshot
