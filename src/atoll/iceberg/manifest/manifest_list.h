// Manifest lists (spec "Manifest Lists"): one Avro file per snapshot naming its manifests,
// with per-manifest counts, sequence numbers and partition field summaries.
//
// ReadManifestList reads v1, v2 and v3 lists by field id (v1 names such as
// added_data_files_count are accepted because names are not used). Absent v1 columns take
// the spec's defaults: content = data, sequence_number = min_sequence_number = 0.
// WriteManifestList writes a v2 (default) or v3 list with the spec's field ids and names and
// header keys snapshot-id, parent-snapshot-id, sequence-number and format-version (v3 also
// first-row-id, and the manifest_file field first_row_id, 520).
//
// Errors: kCorruption naming the file (`name`) for undecodable Avro or missing required
// fields; kInvalidArgument from the writer for values the schema cannot hold.
// Thread safety: free functions over value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/avro/codec.h"

namespace atl::iceberg {

enum class ManifestContent { kData = 0, kDeletes = 1 };

struct FieldSummary {
  bool contains_null = false;
  std::optional<bool> contains_nan;
  std::optional<std::string> lower_bound;  // Appendix D binary form
  std::optional<std::string> upper_bound;
  bool operator==(const FieldSummary&) const = default;
};

struct ManifestFile {
  std::string manifest_path;
  int64_t manifest_length = 0;
  int32_t partition_spec_id = 0;
  ManifestContent content = ManifestContent::kData;
  int64_t sequence_number = 0;
  int64_t min_sequence_number = 0;
  std::optional<int64_t> added_snapshot_id;  // required from v2
  std::optional<int32_t> added_files_count;  // optional in v1 lists
  std::optional<int32_t> existing_files_count;
  std::optional<int32_t> deleted_files_count;
  std::optional<int64_t> added_rows_count;
  std::optional<int64_t> existing_rows_count;
  std::optional<int64_t> deleted_rows_count;
  std::vector<FieldSummary> partitions;  // one per partition field
  std::optional<std::string> key_metadata;
  std::optional<int64_t> first_row_id;  // v3
  bool operator==(const ManifestFile&) const = default;
};

struct ManifestList {
  int format_version = 1;  // from the "format-version" header key (1 when absent)
  std::vector<ManifestFile> manifests;
};

// Reads a whole manifest list file. `name` is used in error messages.
Result<ManifestList> ReadManifestList(std::string_view bytes, std::string_view name);

struct ManifestListWriteOptions {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;
  int format_version = 2;                     // 2 or 3
  std::optional<int64_t> first_row_id;        // v3: the snapshot's first-row-id (header key)
  avro::Codec codec = avro::Codec::kDeflate;  // kDeflate or kNull are what readers expect
  std::optional<std::string> sync_marker;     // 16 bytes; random when absent
};

// Writes a manifest list. Every manifest must have added_snapshot_id and the counts (v2
// requires them), and first_row_id only in v3: kInvalidArgument otherwise. The output is
// deterministic apart from the sync marker.
Result<std::string> WriteManifestList(const std::vector<ManifestFile>& manifests,
                                      const ManifestListWriteOptions& options);

// v3 "First Row ID Assignment": gives every data manifest without a first_row_id, in list
// order, the next id, advancing it by the manifest's added + existing row counts (delete
// manifests and manifests that have one are left alone). Returns the id after the last
// assigned range (`next_row_id` when none was assigned).
int64_t AssignFirstRowIds(std::vector<ManifestFile>* manifests, int64_t next_row_id);

}  // namespace atl::iceberg
