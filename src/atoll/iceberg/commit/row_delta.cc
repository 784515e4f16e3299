#include "atoll/iceberg/commit/row_delta.h"

#include <algorithm>

namespace atl::iceberg {
namespace {

// Reserved field id of position delete files' file_path column.
constexpr int32_t kDeleteFilePathId = 2147483546;

// Whether position delete file `f` may hold deletes for data file `path`: its
// referenced_data_file, else its file_path bounds (an upper bound may be truncated: a
// path it prefixes is inside); without either, conservatively yes.
bool MayReference(const DataFile& f, const std::string& path) {
  if (f.referenced_data_file) return *f.referenced_data_file == path;
  auto lo = f.lower_bounds.find(kDeleteFilePathId);
  auto hi = f.upper_bounds.find(kDeleteFilePathId);
  if (lo != f.lower_bounds.end() && path.compare(lo->second) < 0) return false;
  if (hi != f.upper_bounds.end() && path.compare(hi->second) > 0 && !path.starts_with(hi->second))
    return false;
  return true;
}

std::string Describe(const Snapshot& s) {
  std::string op = s.operation();
  return StrCat("snapshot ", s.snapshot_id, op.empty() ? "" : " (" + op + ")");
}

}  // namespace

std::string DeleteFileKey(const DataFile& f) {
  return f.content_offset ? StrCat(f.file_path, "@", *f.content_offset) : f.file_path;
}

RowDeltaValidator::RowDeltaValidator(const RowDelta& delta)
    : data_files_(delta.referenced_data_files),
      rewrites_data_(!delta.removed_data.empty()),
      read_snapshot_id_(delta.read_snapshot_id) {
  data_files_.insert(delta.removed_data.begin(), delta.removed_data.end());
  for (const DataFile& d : delta.added_deletes) {
    if (d.referenced_data_file) data_files_.insert(*d.referenced_data_file);
  }
  for (const DataFile& d : delta.removed_deletes) removed_deletes_.insert(DeleteFileKey(d));
  if (delta.isolation == IsolationLevel::kSerializable) conflict_filter_ = delta.conflict_filter;
}

Status RowDeltaValidator::Validate(const FileIO& io, const TableMetadata& base) {
  // The snapshots committed after the read snapshot, newest first.
  std::vector<const Snapshot*> newer;
  bool reached = false;  // the walk ended at the read snapshot (or at the root for none)
  for (const Snapshot* s = base.CurrentSnapshot(); s != nullptr;) {
    if (read_snapshot_id_ && s->snapshot_id == *read_snapshot_id_) {
      reached = true;
      break;
    }
    newer.push_back(s);
    if (!s->parent_snapshot_id) {
      reached = !read_snapshot_id_;
      break;
    }
    s = base.SnapshotById(*s->parent_snapshot_id);
  }
  if (base.CurrentSnapshot() == nullptr) reached = !read_snapshot_id_;
  if (!reached) {
    if (read_snapshot_id_) {
      return CommitConflict("the snapshot this write read (", *read_snapshot_id_,
                            ") is no longer an ancestor of the table's current snapshot (the "
                            "table was rolled back or its history expired); nothing was "
                            "committed: re-plan the write");
    }
    return CommitConflict("the table's history since it was empty is no longer complete (",
                          "snapshots expired); nothing was committed: re-plan the write");
  }
  for (auto it = newer.rbegin(); it != newer.rend(); ++it) {
    ATOLL_RETURN_NOT_OK(CheckSnapshot(io, base, **it));
  }
  return Status::OK();
}

Status RowDeltaValidator::CheckSnapshot(const FileIO& io, const TableMetadata& base,
                                        const Snapshot& s) {
  auto cached = cache_.find(s.snapshot_id);
  if (cached == cache_.end()) {
    ATOLL_ASSIGN_OR_RETURN(SnapshotFileChanges changes, FilesChangedBy(io, s));
    cached = cache_.emplace(s.snapshot_id, std::move(changes)).first;
  }
  const SnapshotFileChanges& changes = cached->second;
  auto conflict = [&](auto&&... what) {
    return CommitConflict(what..., " by ", Describe(s),
                          ", committed after the snapshot this write ",
                          "read; nothing was committed: re-plan the write");
  };
  for (const DataFile& f : changes.removed) {
    if (f.content == FileContent::kData) {
      if (data_files_.count(f.file_path)) {
        return conflict("data file '", f.file_path, "', which this write changes, was removed");
      }
    } else if (removed_deletes_.count(DeleteFileKey(f))) {
      return conflict("delete file '", DeleteFileKey(f),
                      "', which this write removes, was removed");
    }
  }
  const bool replace = s.operation() == kOperationReplace;
  if (replace) return Status::OK();
  std::optional<Expression> bound;
  const Schema* schema = base.CurrentSchema();
  for (size_t i = 0; i < changes.added.size(); ++i) {
    const DataFile& f = changes.added[i];
    if (f.content == FileContent::kPositionDeletes) {
      for (const std::string& path : data_files_) {
        if (MayReference(f, path)) {
          return conflict("delete file '", DeleteFileKey(f),
                          "' that may delete rows of data file '", path,
                          "', which this write changes, was added");
        }
      }
    } else if (f.content == FileContent::kEqualityDeletes) {
      if (rewrites_data_) {
        return conflict("equality delete file '", f.file_path,
                        "' that may delete rows this write rewrites was added");
      }
    } else if (conflict_filter_) {
      if (schema == nullptr) return Internal("the table has no current schema");
      if (!bound) {
        ATOLL_ASSIGN_OR_RETURN(bound, Bind(*conflict_filter_, *schema));
      }
      const PartitionSpec* spec = base.SpecById(changes.added_spec_ids[i]);
      if (spec == nullptr) {
        return Corruption(Describe(s), " added data file '", f.file_path,
                          "' in unknown partition spec ", changes.added_spec_ids[i]);
      }
      ATOLL_ASSIGN_OR_RETURN(bool might, MightMatch(*bound, *schema, *spec, f));
      if (might) {
        return conflict("data file '", f.file_path, "' that may hold rows matching ",
                        conflict_filter_->ToString(), " (serializable isolation) was added");
      }
    }
  }
  return Status::OK();
}

}  // namespace atl::iceberg
