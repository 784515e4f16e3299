// Writing manifests for a new snapshot, and merging small manifests (Java's
// MergingSnapshotProducer / ManifestMergeManager rules, reimplemented):
//
//   - data manifests and delete manifests are grouped apart, each by partition spec; the
//     new snapshot's own manifests come first in each group, then the parent's in
//     manifest-list order; the result lists the data groups, then the delete groups;
//   - each group is packed from its end into bins of at most
//     commit.manifest.target-size-bytes (8 MiB) by manifest length, so the oldest bins are
//     full and the bin holding the newest manifests takes the rest;
//   - a bin of one manifest is kept; the bin holding the group's first manifest is kept
//     unmerged while it has fewer than commit.manifest.min-count-to-merge (100) manifests;
//     every other bin is rewritten as one manifest;
//   - in a merged manifest, entries the new snapshot added stay ADDED, entries it deleted
//     stay DELETED, DELETED entries of older snapshots are dropped, and everything else is
//     EXISTING with its original snapshot id and sequence numbers;
//   - commit.manifest-merge.enabled=false turns merging off.
//
// Thread safety: free functions; `io` must be usable from several threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

struct ManifestMergeOptions {
  bool enabled = true;
  int64_t target_size_bytes = 8 << 20;
  int min_count_to_merge = 100;

  // commit.manifest-merge.enabled, commit.manifest.target-size-bytes,
  // commit.manifest.min-count-to-merge (malformed values are kInvalidArgument).
  static Result<ManifestMergeOptions> FromProperties(
      const std::map<std::string, std::string>& properties);
};

// Where and for which snapshot new manifests are written.
struct ManifestWriteContext {
  const FileIO* io = nullptr;
  const TableMetadata* metadata = nullptr;  // schemas and specs
  std::string metadata_dir;                 // <table location>/metadata
  int64_t snapshot_id = 0;
  int64_t sequence_number = 0;
  std::function<std::string()> new_uuid;
  WrittenFiles* written = nullptr;
  int parallelism = 4;
};

// Manifests are written in the table's format version (v3 from 3 on, else v2), as data or
// delete manifests (`content`); a manifest-list entry comes back without first_row_id (v3
// lists assign it, AssignFirstRowIds in manifest_list.h).
//
// Writes `entries` (all of one spec) as one manifest named <uuid>-m<n>.avro and returns its
// manifest-list entry: counts, partition summaries, sequence numbers (the minimum data
// sequence number of the entries; entries without one count as `sequence_number`).
Result<ManifestFile> WriteManifestFile(const ManifestWriteContext& ctx, int32_t spec_id,
                                       const std::vector<ManifestEntry>& entries,
                                       ManifestContent content = ManifestContent::kData);

// Writes the files the snapshot adds (status ADDED, snapshot id set, sequence numbers and v3
// first row ids left to inheritance) as manifests of about `target_size_bytes`, in parallel.
Result<std::vector<ManifestFile>> WriteAddedManifests(
    const ManifestWriteContext& ctx, int32_t spec_id, const std::vector<DataFile>& files,
    int64_t target_size_bytes, ManifestContent content = ManifestContent::kData);

// Reads one manifest with inheritance from its list entry.
Result<Manifest> ReadManifestFile(const FileIO& io, const ManifestFile& file);

// Applies the merge rules above to `manifests` (the new snapshot's first). Returns the
// new list, which keeps unmerged manifests as they are.
Result<std::vector<ManifestFile>> MergeManifests(const ManifestWriteContext& ctx,
                                                 const std::vector<ManifestFile>& manifests,
                                                 size_t new_manifest_count,
                                                 const ManifestMergeOptions& options);

}  // namespace atl::iceberg
