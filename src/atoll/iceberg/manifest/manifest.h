// Manifests (spec "Manifests"): one Avro file listing data or delete files with their
// partition tuple and column statistics, as manifest entries (status, snapshot id, data and
// file sequence numbers, data_file).
//
// ReadManifest reads v1, v2 and v3 manifests by field id. Partition values become Literals
// whose types follow the Avro partition record (date, timestamp, decimal, uuid logical
// types recognised). Inheritance (spec "Sequence Number Inheritance", "First Row ID
// Inheritance"), when `source` (the manifest list entry) is given:
//   - a null snapshot_id takes source->added_snapshot_id;
//   - v1 manifests (no or "1" format-version header) have no sequence numbers: null ones take
//     source->sequence_number (0 in v1 lists; header-less v2 writers such as Impala), else 0;
//   - a null data or file sequence number of an ADDED entry takes source->sequence_number;
//   - a null first_row_id of a live data file takes source->first_row_id (v3 lists) plus
//     the record counts of the earlier such files in the manifest (whatever the manifest's
//     own version: a table upgraded to v3 lists v2 manifests with a first_row_id).
// Without `source`, null values stay nullopt (v1 sequence numbers are still 0).
//
// WriteManifest writes a v2 (default) or v3 manifest with the spec's field ids and names and
// the header keys schema, schema-id, partition-spec, partition-spec-id, format-version and
// content. v3 adds the data_file fields first_row_id (142), content_offset (144) and
// content_size_in_bytes (145); a v2 manifest refuses values for them.
//
// Errors: kCorruption naming the file for undecodable Avro, missing required fields or
// partition values that do not fit their type; kInvalidArgument from the writer (a partition
// tuple of the wrong arity or type, v3-only fields set).
// Thread safety: free functions over value types.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/avro/codec.h"
#include "atoll/formats/avro/reader.h"
#include "atoll/iceberg/column_map.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/schema.h"

namespace atl::iceberg {

enum class FileContent { kData = 0, kPositionDeletes = 1, kEqualityDeletes = 2 };
enum class EntryStatus { kExisting = 0, kAdded = 1, kDeleted = 2 };

struct DataFile {
  FileContent content = FileContent::kData;
  std::string file_path;
  std::string file_format;         // "PARQUET", "AVRO", "ORC", "PUFFIN" as written
  std::vector<Literal> partition;  // one per partition field, in spec order
  int64_t record_count = 0;
  int64_t file_size_in_bytes = 0;
  ColumnMap<int64_t> column_sizes;
  ColumnMap<int64_t> value_counts;
  ColumnMap<int64_t> null_value_counts;
  ColumnMap<int64_t> nan_value_counts;
  ColumnMap<std::string> lower_bounds;  // Appendix D binary form
  ColumnMap<std::string> upper_bounds;
  std::optional<std::string> key_metadata;
  std::vector<int64_t> split_offsets;
  std::vector<int32_t> equality_ids;
  std::optional<int32_t> sort_order_id;
  std::optional<int64_t> first_row_id;              // v3
  std::optional<std::string> referenced_data_file;  // position deletes / deletion vectors
  std::optional<int64_t> content_offset;            // v3 deletion vectors
  std::optional<int64_t> content_size_in_bytes;     // v3 deletion vectors
  bool operator==(const DataFile&) const = default;
};

// A v3 deletion vector: a position delete "file" that is a blob of a Puffin file (content
// position deletes with content_offset set, or file_format PUFFIN in any case).
bool IsDeletionVectorFile(const DataFile& f);

struct ManifestEntry {
  EntryStatus status = EntryStatus::kAdded;
  std::optional<int64_t> snapshot_id;
  std::optional<int64_t> sequence_number;  // data sequence number
  std::optional<int64_t> file_sequence_number;
  DataFile data_file;

  bool is_live() const { return status != EntryStatus::kDeleted; }
  bool operator==(const ManifestEntry&) const = default;
};

struct Manifest {
  int format_version = 1;                            // header "format-version" (1 when absent)
  ManifestContent content = ManifestContent::kData;  // header "content" (data when absent)
  std::optional<int32_t> partition_spec_id;          // header "partition-spec-id"
  std::vector<ManifestEntry> entries;
};

// Reads a whole manifest file. `name` is used in messages; `source` (the manifest's entry in
// its manifest list, which must outlive the call) enables inheritance of snapshot ids,
// sequence numbers and v3 first row ids.
Result<Manifest> ReadManifest(std::string_view bytes, std::string_view name,
                              const ManifestFile* source = nullptr);

// Streams the entries of a manifest one at a time, with the same results as ReadManifest,
// for callers that keep only some of each entry (scan planning). Entries are decoded with a
// decoder compiled for the file's schema (manifest_decoder.h) unless `generic` is set or the
// schema has an unexpected shape. `source` must outlive the reader. One thread at a time.
class EntryDecoder;  // manifest_decoder.h

class ManifestReader {
 public:
  // `bytes` is taken by value: move the file in to avoid a copy.
  static Result<std::unique_ptr<ManifestReader>> Open(std::string bytes, std::string_view name,
                                                      const ManifestFile* source = nullptr,
                                                      bool generic = false);
  ~ManifestReader();

  int format_version() const { return format_version_; }
  ManifestContent content() const { return content_; }
  std::optional<int32_t> partition_spec_id() const { return partition_spec_id_; }

  // The next entry into `out` (overwritten); false at the end. kCorruption naming the entry.
  Result<bool> Next(ManifestEntry* out);

 private:
  ManifestReader();
  void Inherit(ManifestEntry* e);

  std::string what_;
  const ManifestFile* source_ = nullptr;
  std::unique_ptr<avro::Reader> avro_;
  std::unique_ptr<EntryDecoder> decoder_;
  avro::Value row_;  // the generic path's datum
  int format_version_ = 1;
  ManifestContent content_ = ManifestContent::kData;
  std::optional<int32_t> partition_spec_id_;
  std::optional<int64_t> next_row_id_;
  uint64_t entries_read_ = 0;
};

struct ManifestWriteOptions {
  ManifestContent content = ManifestContent::kData;
  int format_version = 2;  // 2 or 3
  avro::Codec codec = avro::Codec::kDeflate;
  std::optional<std::string> sync_marker;  // 16 bytes; random when absent
};

// Writes a manifest (options.format_version) of `entries`, whose partition tuples follow `spec`
// bound to `schema`. Deterministic apart from the sync marker.
Result<std::string> WriteManifest(const Schema& schema, const PartitionSpec& spec,
                                  const std::vector<ManifestEntry>& entries,
                                  const ManifestWriteOptions& options = {});

}  // namespace atl::iceberg
