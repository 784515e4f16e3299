// RowDelta: one row-level change of a table (SQL DELETE / UPDATE / MERGE, copy-on-write or
// merge-on-read), committed as one snapshot by Transaction::RowDelta (transaction.h), and
// the validation of Iceberg's isolation rules it runs on every commit attempt.
//
// The snapshot (snapshot_producer.h does the writing):
//   - operation "append" when it only adds data files, "delete" when it only removes data
//     files and/or adds or removes delete files, "overwrite" when it does both; "replace"
//     when `replace` is set (compaction: the table's rows stay the same);
//   - added_data: new data files in partition spec `spec_id` (default: the table's default
//     spec when the commit first applies);
//   - added_deletes: delete files in new delete manifests (sequence numbers inherited, so
//     that readers apply a position delete / deletion vector to data files whose data
//     sequence number is <= its own, the files added by the same snapshot included). Each
//     delete file carries the partition tuple of the data file(s) it references, in the spec
//     delete_spec_ids[i] (parallel to added_deletes; when empty, every delete file is in the
//     spec of added_data). Format v2: position delete files (content kPositionDeletes, not
//     Puffin) and equality delete files (equality_ids set). Format v3: deletion vectors
//     (kPositionDeletes, file_format "PUFFIN", referenced_data_file, content_offset and
//     content_size_in_bytes set) and equality delete files; a v2 position delete file is
//     kInvalidArgument, and so is a DV on a v2 table. v3 allows one DV per data file: a DV
//     for a data file that has a live DV must come with that DV in removed_deletes, and two
//     added DVs for one data file are refused (kInvalidArgument).
//   - removed_data: whole data files removed (copy-on-write rewrites), by path;
//   - removed_deletes: delete files removed, matched by file_path plus content_offset (which
//     deletion vectors have); both kinds of removal rewrite the manifests holding them with
//     the entries DELETED. A removed file that is not live is kPreconditionFailed on the
//     first attempt (the caller's mistake) and kCommitConflict on later ones.
//
// Validation (ValidateRowDelta, on every attempt against the base B it starts from). The
// "new" snapshots are the ancestors of B's current snapshot committed after
// read_snapshot_id (every ancestor when it is absent: the write read an empty table). When
// read_snapshot_id is not an ancestor of B's current snapshot (a rollback, an expired
// history) the write conflicts. The data files the write depends on are
// referenced_data_files, removed_data and the referenced_data_file of each added delete
// file. kCommitConflict (naming the file and the snapshot) when a new snapshot
//   - removed one of those data files;
//   - added a delete file that may apply to one of them: referenced_data_file equal, or a
//     position delete file without it whose file_path bounds admit the path (no bounds:
//     conservatively a conflict), or any equality delete file when removed_data is not
//     empty (its rows are rewritten); snapshots of operation "replace" (compaction) are
//     not checked for this, as in Java;
//   - added a data file that may hold rows matching conflict_filter (MightMatch on the
//     file's partition and column metrics, bound to B's current schema), when the
//     isolation is kSerializable; kSnapshot skips this check, and "replace" snapshots are
//     skipped too;
//   - removed one of removed_deletes.
// Within one transaction, the snapshots of its earlier changes count as new ones too. The
// rules assume the named files were live at the read snapshot: a delete file naming a data
// file that was already gone then is committed as it is (dangling, harmless to readers).
// A conflict ends the commit (Transaction::Commit does not retry it): the caller re-plans
// its statement on the new table state. A plain retry after a concurrent commit that
// changes none of these (e.g. an append to another partition) re-applies the delta.
//
// Thread safety: a RowDeltaValidator is used by one commit at a time.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/snapshot_files.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

enum class IsolationLevel { kSerializable, kSnapshot };

struct RowDelta {
  std::vector<DataFile> added_data;  // new data files (spec: spec_id or the default spec)
  std::optional<int32_t> spec_id;
  std::vector<DataFile> added_deletes;      // position deletes (v2), deletion vectors (v3)
  std::vector<int32_t> delete_spec_ids;     // spec of added_deletes[i]; empty: that of added_data
  std::vector<std::string> removed_data;    // whole data files removed (copy-on-write rewrites)
  std::vector<DataFile> removed_deletes;    // by file_path (+ content_offset for DVs)
  std::optional<int64_t> read_snapshot_id;  // the snapshot the write read (none: empty table)
  std::set<std::string> referenced_data_files;  // data files whose rows it deletes/rewrites
  std::optional<Expression> conflict_filter;    // the rows the write read (unbound)
  IsolationLevel isolation = IsolationLevel::kSerializable;
  std::map<std::string, std::string> summary;  // extra snapshot summary properties
  // Compaction: the same rows rewritten (data files with their deletes applied, dangling
  // delete files dropped); the snapshot's operation is "replace" whatever the files are.
  bool replace = false;
};

// Runs the validation above; keeps what it read of immutable snapshots for later attempts.
class RowDeltaValidator {
 public:
  explicit RowDeltaValidator(const RowDelta& delta);

  // OK, kCommitConflict, or the errors of reading manifests and binding the filter.
  Status Validate(const FileIO& io, const TableMetadata& base);

 private:
  Status CheckSnapshot(const FileIO& io, const TableMetadata& base, const Snapshot& s);

  std::set<std::string> data_files_;       // the data files the write depends on
  bool rewrites_data_ = false;             // removed_data is not empty
  std::set<std::string> removed_deletes_;  // DeleteFileKey of removed_deletes
  std::optional<int64_t> read_snapshot_id_;
  std::optional<Expression> conflict_filter_;  // only under kSerializable
  std::unordered_map<int64_t, SnapshotFileChanges> cache_;
};

// The key removed delete files are matched by: file_path, plus content_offset when set.
std::string DeleteFileKey(const DataFile& f);

}  // namespace atl::iceberg
