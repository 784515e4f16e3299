// SnapshotProducer: turns one change of a table's files (append, overwrite, replace,
// delete) into a new snapshot on a given base: manifests, manifest list and summary.
//
// On a base whose current snapshot is P, with new id S and sequence number
// base.last-sequence-number + 1:
//   - added data files go into new manifests (status ADDED, snapshot id S, sequence numbers
//     inherited from the manifest list), cut at commit.manifest.target-size-bytes and
//     written in parallel. They are written once and reused by later attempts of the same
//     commit (sequence numbers are inherited, so a new base does not invalidate them);
//   - files to delete (by path, or by an Expression whose AllMatch holds for the whole
//     file) are looked up among P's live data files: each manifest holding one is rewritten
//     with those entries DELETED (snapshot id S), its other live entries EXISTING and older
//     DELETED entries dropped. A path that is not live fails the commit with
//     kPreconditionFailed on the first attempt and kCommitConflict on later ones (a
//     concurrent commit removed it); a file the filter may match only partly fails with
//     kNotSupported ("would need row-level deletes");
//   - the manifest list is the new manifests, then P's (rewritten in place), merged by the
//     rules of manifest_merge.h;
//   - the summary holds operation, the added/deleted counts Java writes (added-data-files,
//     deleted-data-files, added-records, deleted-records, added-files-size,
//     removed-files-size, changed-partition-count; zero counts omitted) and totals
//     (total-data-files, total-records, total-delete-files from the manifest list;
//     total-files-size, total-position-deletes, total-equality-deletes carried from P's
//     summary), after the caller's extra properties, which cannot override these keys.
//
// Operations: kAppend "append"; kOverwrite "overwrite"; kReplace "replace" (the rows stay
// the same, as in compaction); kDelete "delete".
//
// Not thread-safe (one commit uses it from one thread; it runs manifest I/O in parallel).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

enum class SnapshotOperation { kAppend, kOverwrite, kReplace, kDelete };

struct FileChange {
  SnapshotOperation operation = SnapshotOperation::kAppend;
  std::vector<DataFile> added;                 // data files (content data)
  std::optional<int32_t> spec_id;              // spec of `added`; default spec when absent
  std::vector<std::string> deleted_paths;      // whole data files to remove
  std::optional<Expression> delete_filter;     // unbound; remove files whose rows all match
  std::map<std::string, std::string> summary;  // extra summary properties
};

struct ProducedSnapshot {
  Snapshot snapshot;
  std::set<std::string> referenced;  // manifest list and manifests written by this commit
};

class SnapshotProducer {
 public:
  explicit SnapshotProducer(FileChange change) : change_(std::move(change)) {}

  // Produces the snapshot on `base` (not yet added to it). `attempt` counts from 1.
  Result<ProducedSnapshot> Produce(const FileIO& io, const TableMetadata& base,
                                   const CommitEnv& env, int attempt, WrittenFiles* written);

 private:
  Status CheckAddedFiles(const TableMetadata& base, int32_t spec_id) const;

  FileChange change_;
  std::optional<int64_t> snapshot_id_;         // kept across attempts
  std::optional<int32_t> spec_id_;             // of the added files, pinned at the first attempt
  std::vector<ManifestFile> added_manifests_;  // written at the first attempt
};

}  // namespace atl::iceberg
