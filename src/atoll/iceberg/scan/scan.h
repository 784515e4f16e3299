// Scan planning: which data files (and which delete files against each) make up a table
// at a snapshot, after pruning with a filter.
//
// PlanScan reads the snapshot's manifest list and manifests through `io` (manifests in
// parallel), skips manifests whose partition summaries cannot match the filter and files
// whose partition tuple or metrics cannot match (Expression MightMatch), and attaches
// delete files to data files by the spec's rules ("Scan Planning"):
//   - a position delete file applies to a data file of the same spec and partition whose
//     data sequence number is <= the delete file's (a file with referenced_data_file only
//     to that file; unpartitioned deletes to every file);
//   - an equality delete file applies when the data file's data sequence number is < the
//     delete file's, and to every partition when the delete file's spec is unpartitioned;
//   - a deletion vector (v3, content position deletes in a Puffin file) applies to its
//     referenced_data_file; when a file has a DV, older position delete files are ignored.
// Pruning never drops rows: a file is skipped only when no row can match.
//
// Snapshot selection (ScanOptions): snapshot_id, else ref (branch or tag), else as_of_ms
// (time travel through the snapshot log), else the current snapshot. The plan's schema is
// the snapshot's schema (schema-id) when time travelling, else the current schema; an
// empty table (no snapshot) gives a plan with no tasks.
//
// Errors: kNotFound for an unknown snapshot/ref or a time before the table existed (naming
// the earliest time), kCorruption for unreadable manifests, I/O errors from `io`.
// Thread safety: free functions; `io` must be usable from several threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/schema.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

struct ScanOptions {
  std::optional<int64_t> snapshot_id;
  std::optional<std::string> ref;
  std::optional<int64_t> as_of_ms;
  Expression filter = Expression::True();  // unbound; bound against the plan's schema
  int parallelism = 8;                     // manifests read at once
};

struct FileScanTask {
  DataFile file;  // locations as written in the metadata (map them with FileIO::Map)
  int32_t spec_id = 0;
  int64_t data_sequence_number = 0;
  // Delete files that apply, without their column statistics (value/null/NaN counts,
  // bounds, column sizes and split offsets are cleared; everything else is as written).
  std::vector<DataFile> position_deletes;  // position delete files, or the one deletion vector
  std::vector<DataFile> equality_deletes;
};

struct ScanPlan {
  std::optional<int64_t> snapshot_id;  // none for an empty table
  Schema schema;
  std::vector<FileScanTask> tasks;
  // manifests: in the snapshot; manifests_skipped: pruned by their partition summaries.
  // data_files: live data files in the snapshot (those of skipped manifests counted from the
  // manifest list), data_files_skipped: pruned, so tasks.size() == data_files - skipped.
  // delete_files: live delete files that survived partition pruning (each attached to
  // zero or more tasks).
  struct Counts {
    int64_t manifests = 0, manifests_skipped = 0;
    int64_t data_files = 0, data_files_skipped = 0;
    int64_t delete_files = 0;
  } counts;
};

Result<ScanPlan> PlanScan(const FileIO& io, const TableMetadata& metadata,
                          const ScanOptions& options = {});

// The deleted row positions of a deletion vector (a DataFile with file_format PUFFIN,
// content_offset and content_size_in_bytes), sorted ascending: reads the blob and decodes
// the spec's "deletion-vector-v1" (length, magic, portable 64-bit Roaring bitmap, CRC-32).
// kCorruption naming the file for a bad blob.
Result<std::vector<int64_t>> ReadDeletionVector(const FileIO& io, const DataFile& dv);

}  // namespace atl::iceberg
