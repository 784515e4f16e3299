// SnapshotProducer: turns one change of a table's files (append, overwrite, replace,
// delete, row-level delta) into a new snapshot on a given base: manifests, manifest list
// and summary. Format versions 2 and 3 (Transaction upgrades v1 tables to v2 first).
//
// On a base whose current snapshot is P, with new id S and sequence number
// base.last-sequence-number + 1:
//   - FileChange::validate, when set, runs first (row_delta.h's isolation checks);
//   - added data files go into new manifests (status ADDED, snapshot id S, sequence numbers
//     inherited from the manifest list), cut at commit.manifest.target-size-bytes and
//     written in parallel; added delete files likewise into new delete manifests (content
//     deletes), one group per partition spec. They are written once and reused by later
//     attempts of the same commit (sequence numbers and v3 first row ids are inherited, so
//     a new base does not invalidate them);
//   - files to delete (data files by path, or by an Expression whose AllMatch holds for the
//     whole file; delete files by DeleteFileKey) are looked up among P's live files: each
//     manifest holding one is rewritten with those entries DELETED (snapshot id S), its
//     other live entries EXISTING and older DELETED entries dropped. A file that is not
//     live fails the commit with kPreconditionFailed on the first attempt and
//     kCommitConflict on later ones (a concurrent commit removed it); a file the filter may
//     match only partly fails with kNotSupported ("would need row-level deletes");
//   - v3: an added deletion vector for a data file that has a live one in P, which the
//     change does not remove, is kInvalidArgument (one DV per data file);
//   - the manifest list is the new data manifests, then P's (rewritten in place; those
//     holding only entries DELETED by older snapshots are dropped), merged by the rules of
//     manifest_merge.h, then the delete manifests (new ones first);
//   - v3 row lineage: the snapshot's first-row-id is base.next-row-id; data manifests
//     without a first_row_id (the new ones, rewritten and merged ones, those of snapshots
//     older than the upgrade to v3) get one in list order (AssignFirstRowIds), and
//     added-rows is the id space so assigned; the metadata builder then advances
//     next-row-id. Manifests and the list are written as v3 (manifest.h);
//   - the summary holds operation, the added/deleted counts Java writes (added-data-files,
//     deleted-data-files, added-records, deleted-records, added-files-size,
//     removed-files-size, changed-partition-count; added-delete-files,
//     added-position-delete-files, added-dvs, added-equality-delete-files,
//     added-position-deletes, added-equality-deletes, removed-delete-files,
//     removed-position-delete-files, removed-dvs, removed-equality-delete-files,
//     removed-position-deletes, removed-equality-deletes; zero counts omitted) and totals
//     (total-data-files, total-records, total-delete-files from the manifest list;
//     total-files-size carried from P's summary, total-position-deletes and
//     total-equality-deletes carried from P's summary plus added minus removed), after the
//     caller's extra properties, which cannot override these keys.
//
// Operations: kAppend "append"; kOverwrite "overwrite"; kReplace "replace" (the rows stay
// the same, as in compaction); kDelete "delete".
//
// Not thread-safe (one commit uses it from one thread; it runs manifest I/O in parallel).
#pragma once

#include <cstdint>
#include <functional>
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

struct ManifestWriteContext;  // manifest_merge.h

enum class SnapshotOperation { kAppend, kOverwrite, kReplace, kDelete };

struct FileChange {
  SnapshotOperation operation = SnapshotOperation::kAppend;
  std::vector<DataFile> added;                 // data files (content data)
  std::optional<int32_t> spec_id;              // spec of `added`; default spec when absent
  std::vector<std::string> deleted_paths;      // whole data files to remove
  std::optional<Expression> delete_filter;     // unbound; remove files whose rows all match
  std::map<std::string, std::string> summary;  // extra summary properties
  // Row-level changes (row_delta.h states which delete files each format version takes).
  std::vector<DataFile> added_deletes;    // delete files
  std::vector<int32_t> delete_spec_ids;   // spec of added_deletes[i]; empty: that of `added`
  std::vector<DataFile> removed_deletes;  // delete files to remove (DeleteFileKey)
  // Runs first on every attempt with the attempt's base; an error ends the commit.
  std::function<Status(const FileIO& io, const TableMetadata& base)> validate;
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
  struct Removal;  // what RemoveFiles removed
  Status CheckAddedFiles(const TableMetadata& base) const;
  Status RemoveFiles(const FileIO& io, const TableMetadata& base, const ManifestWriteContext& ctx,
                     int attempt, std::vector<ManifestFile>* parent_manifests, Removal* out) const;
  int32_t DeleteSpecId(size_t i) const;

  FileChange change_;
  std::optional<int64_t> snapshot_id_;         // kept across attempts
  std::optional<int32_t> spec_id_;             // of the added files, pinned at the first attempt
  std::vector<ManifestFile> added_manifests_;  // written at the first attempt
  std::vector<ManifestFile> added_delete_manifests_;  // likewise
  int manifests_version_ = 0;                         // the format version they were written in
};

}  // namespace atl::iceberg
