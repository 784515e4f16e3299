// Snapshots, snapshot references (branches and tags), and the snapshot and metadata logs
// of table metadata (spec "Snapshots", "Snapshot References", Appendix C).
//
// Snapshot ids are int64 (they exceed 2^53). v1 snapshots may list "manifests" instead of
// a "manifest-list"; both are kept. Immutable values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/json_fwd.h"

namespace atl::iceberg {

// Snapshot summary "operation" values.
inline constexpr const char* kOperationAppend = "append";
inline constexpr const char* kOperationReplace = "replace";
inline constexpr const char* kOperationOverwrite = "overwrite";
inline constexpr const char* kOperationDelete = "delete";

struct Snapshot {
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent_snapshot_id;
  int64_t sequence_number = 0;  // 0 for v1 snapshots
  int64_t timestamp_ms = 0;
  std::string manifest_list;           // empty for v1 snapshots that list manifests
  std::vector<std::string> manifests;  // v1 only
  std::map<std::string, std::string> summary;
  std::optional<int32_t> schema_id;
  std::optional<int64_t> first_row_id;  // v3
  std::optional<int64_t> added_rows;    // v3
  std::optional<std::string> key_id;    // v3 encryption

  // summary["operation"], or "" when absent.
  std::string operation() const;
  bool operator==(const Snapshot& other) const;

  // Writes the fields of `format_version` (sequence-number from v2, row lineage in v3).
  Json ToJson(int format_version) const;
  static Result<Snapshot> FromJson(const Json& json);
};

enum class RefType { kBranch, kTag };

struct SnapshotRef {
  int64_t snapshot_id = 0;
  RefType type = RefType::kBranch;
  std::optional<int32_t> min_snapshots_to_keep;  // branches only
  std::optional<int64_t> max_snapshot_age_ms;    // branches only
  std::optional<int64_t> max_ref_age_ms;

  bool is_branch() const { return type == RefType::kBranch; }
  bool operator==(const SnapshotRef& other) const;
  Json ToJson() const;
  static Result<SnapshotRef> FromJson(const Json& json, std::string_view name);
};

// The main branch name.
inline constexpr const char* kMainBranch = "main";

struct SnapshotLogEntry {
  int64_t timestamp_ms = 0;
  int64_t snapshot_id = 0;
  bool operator==(const SnapshotLogEntry& o) const {
    return timestamp_ms == o.timestamp_ms && snapshot_id == o.snapshot_id;
  }
};

struct MetadataLogEntry {
  int64_t timestamp_ms = 0;
  std::string metadata_file;
  bool operator==(const MetadataLogEntry& o) const {
    return timestamp_ms == o.timestamp_ms && metadata_file == o.metadata_file;
  }
};

}  // namespace atl::iceberg
