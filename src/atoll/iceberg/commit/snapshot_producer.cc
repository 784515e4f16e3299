#include "atoll/iceberg/commit/snapshot_producer.h"

#include <algorithm>
#include <unordered_set>

#include "atoll/common/parallel.h"
#include "atoll/iceberg/commit/row_delta.h"
#include "atoll/iceberg/manifest/manifest_merge.h"

namespace atl::iceberg {
namespace {

const char* OperationName(SnapshotOperation op) {
  switch (op) {
    case SnapshotOperation::kAppend:
      return kOperationAppend;
    case SnapshotOperation::kOverwrite:
      return kOperationOverwrite;
    case SnapshotOperation::kReplace:
      return kOperationReplace;
    case SnapshotOperation::kDelete:
      return kOperationDelete;
  }
  return kOperationAppend;
}

std::string PartitionKey(int32_t spec_id, const std::vector<Literal>& partition) {
  std::string key = std::to_string(spec_id);
  for (const Literal& v : partition) {
    key += '\x1f';
    key += v.is_null() ? std::string("\x1e") : v.ToString();
  }
  return key;
}

std::optional<int64_t> SummaryLong(const Snapshot* s, const std::string& key) {
  if (s == nullptr) return 0;
  auto it = s->summary.find(key);
  if (it == s->summary.end()) return std::nullopt;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  if (it->second.empty() || *end != '\0') return std::nullopt;
  return static_cast<int64_t>(v);
}

bool HasLiveFiles(const ManifestFile& m) {
  if (!m.added_files_count || !m.existing_files_count) return true;  // unknown: look inside
  return *m.added_files_count + *m.existing_files_count > 0;
}

// Reads manifests [i] of `files` for which `wanted[i]`, a few at once.
Result<std::vector<std::optional<Manifest>>> ReadSome(const FileIO& io,
                                                      const std::vector<ManifestFile>& files,
                                                      const std::vector<bool>& wanted,
                                                      int parallelism) {
  std::vector<std::optional<Manifest>> out(files.size());
  std::vector<size_t> todo;
  for (size_t i = 0; i < files.size(); ++i) {
    if (wanted[i]) todo.push_back(i);
  }
  ATOLL_RETURN_NOT_OK(ParallelFor(todo.size(), parallelism, [&](size_t k) -> Status {
    ATOLL_ASSIGN_OR_RETURN(Manifest m, ReadManifestFile(io, files[todo[k]]));
    out[todo[k]] = std::move(m);  // each index is written by one thread only
    return Status::OK();
  }));
  return out;
}

// What a snapshot does to delete files, counted as Java's snapshot summary does.
struct DeleteCounts {
  int64_t files = 0, position_files = 0, dvs = 0, equality_files = 0;
  int64_t position_rows = 0, equality_rows = 0, size = 0;

  void Add(const DataFile& f) {
    ++files;
    if (f.content == FileContent::kEqualityDeletes) {
      ++equality_files;
      equality_rows += f.record_count;
    } else {
      ++(IsDeletionVectorFile(f) ? dvs : position_files);
      position_rows += f.record_count;
    }
    size += IsDeletionVectorFile(f) && f.content_size_in_bytes ? *f.content_size_in_bytes
                                                               : f.file_size_in_bytes;
  }
};

bool IsV3(const TableMetadata& m) { return m.format_version >= 3; }

}  // namespace

struct SnapshotProducer::Removal {
  int64_t data_files = 0, data_records = 0, data_size = 0;
  DeleteCounts deletes;
  std::set<std::string> partitions;  // PartitionKey of every removed file
};

int32_t SnapshotProducer::DeleteSpecId(size_t i) const {
  return change_.delete_spec_ids.empty() ? *spec_id_ : change_.delete_spec_ids[i];
}

Status SnapshotProducer::CheckAddedFiles(const TableMetadata& base) const {
  auto check_partition = [&](const DataFile& f, int32_t spec_id) -> Status {
    const PartitionSpec* spec = base.SpecById(spec_id);
    if (spec == nullptr) return InvalidArgument("partition spec ", spec_id, " does not exist");
    if (f.partition.size() != spec->fields.size()) {
      return InvalidArgument("file '", f.file_path, "' has ", f.partition.size(),
                             " partition values; partition spec ", spec_id, " has ",
                             spec->fields.size(), " fields");
    }
    return Status::OK();
  };
  for (const DataFile& f : change_.added) {
    if (f.content != FileContent::kData) {
      return NotSupported("adding delete file '", f.file_path,
                          "' as a data file: delete files are added by a row delta");
    }
    ATOLL_RETURN_NOT_OK(check_partition(f, *spec_id_));
  }
  const std::vector<DataFile>& deletes = change_.added_deletes;
  if (!change_.delete_spec_ids.empty() && change_.delete_spec_ids.size() != deletes.size()) {
    return InvalidArgument("delete_spec_ids has ", change_.delete_spec_ids.size(), " entries for ",
                           deletes.size(), " delete files");
  }
  std::set<std::string> dv_targets;
  for (size_t i = 0; i < deletes.size(); ++i) {
    const DataFile& f = deletes[i];
    const std::string what = StrCat("delete file '", DeleteFileKey(f), "'");
    if (f.content == FileContent::kData) {
      return InvalidArgument(what, " has content data: data files go into added_data");
    }
    if (f.first_row_id) return InvalidArgument(what, " has a first_row_id (only data files do)");
    if (f.content == FileContent::kEqualityDeletes && f.equality_ids.empty()) {
      return InvalidArgument(what, " is an equality delete file without equality_ids");
    }
    if (f.content == FileContent::kPositionDeletes) {
      const bool dv = IsDeletionVectorFile(f);
      if (IsV3(base) && !dv) {
        return InvalidArgument(what,
                               " is a position delete file: format version 3 tables take "
                               "deletion vectors (Puffin) instead");
      }
      if (!IsV3(base) && dv) {
        return InvalidArgument(what, " is a deletion vector: format version ", base.format_version,
                               " tables take position delete files");
      }
      if (dv) {
        if (!f.referenced_data_file || !f.content_offset || !f.content_size_in_bytes) {
          return InvalidArgument(what,
                                 ": a deletion vector needs referenced_data_file, "
                                 "content_offset and content_size_in_bytes");
        }
        if (!dv_targets.insert(*f.referenced_data_file).second) {
          return InvalidArgument("two deletion vectors for data file '", *f.referenced_data_file,
                                 "': a data file has at most one");
        }
      }
    }
    ATOLL_RETURN_NOT_OK(check_partition(f, DeleteSpecId(i)));
  }
  return Status::OK();
}

Status SnapshotProducer::RemoveFiles(const FileIO& io, const TableMetadata& base,
                                     const ManifestWriteContext& ctx, int attempt,
                                     std::vector<ManifestFile>* parent_manifests,
                                     Removal* out) const {
  std::unordered_set<std::string> wanted_data(change_.deleted_paths.begin(),
                                              change_.deleted_paths.end());
  std::unordered_set<std::string> wanted_deletes;
  for (const DataFile& f : change_.removed_deletes) wanted_deletes.insert(DeleteFileKey(f));
  // Data files getting a new deletion vector: their live one must be removed too.
  std::unordered_set<std::string> dv_targets;
  for (const DataFile& f : change_.added_deletes) {
    if (IsDeletionVectorFile(f) && f.referenced_data_file)
      dv_targets.insert(*f.referenced_data_file);
  }
  const bool scan_data = !wanted_data.empty() || change_.delete_filter.has_value();
  const bool scan_deletes = !wanted_deletes.empty() || !dv_targets.empty();
  if (!scan_data && !scan_deletes) return Status::OK();

  std::unordered_set<std::string> found;
  std::optional<Expression> bound;
  const Schema* schema = base.CurrentSchema();
  if (change_.delete_filter) {
    if (schema == nullptr) return Internal("the table has no current schema");
    ATOLL_ASSIGN_OR_RETURN(bound, Bind(*change_.delete_filter, *schema));
  }
  std::vector<ManifestFile>& parents = *parent_manifests;
  std::vector<bool> look(parents.size());
  for (size_t i = 0; i < parents.size(); ++i) {
    bool data = parents[i].content == ManifestContent::kData;
    look[i] = (data ? scan_data : scan_deletes) && HasLiveFiles(parents[i]);
  }
  ATOLL_ASSIGN_OR_RETURN(auto manifests, ReadSome(io, parents, look, 4));
  for (size_t i = 0; i < parents.size(); ++i) {
    if (!manifests[i]) continue;
    const bool data = parents[i].content == ManifestContent::kData;
    const int32_t spec_id = parents[i].partition_spec_id;
    const PartitionSpec* spec = base.SpecById(spec_id);
    std::vector<ManifestEntry>& entries = manifests[i]->entries;
    std::vector<bool> marked(entries.size(), false);
    bool any = false;
    for (size_t k = 0; k < entries.size(); ++k) {
      const ManifestEntry& e = entries[k];
      if (!e.is_live()) continue;
      const DataFile& f = e.data_file;
      bool match = false;
      if (!data) {
        match = wanted_deletes.count(DeleteFileKey(f)) > 0;
        if (!match && IsDeletionVectorFile(f) && f.referenced_data_file &&
            dv_targets.count(*f.referenced_data_file)) {
          return InvalidArgument("data file '", *f.referenced_data_file,
                                 "' already has the deletion vector '", DeleteFileKey(f),
                                 "': a new one must replace it (merge its positions and remove "
                                 "it in the same commit)");
        }
      } else {
        match = wanted_data.count(f.file_path) > 0;
        if (!match && bound) {
          if (spec == nullptr) {
            return Corruption("manifest '", parents[i].manifest_path,
                              "' names unknown partition spec ", spec_id);
          }
          ATOLL_ASSIGN_OR_RETURN(bool all, AllMatch(*bound, *schema, *spec, f));
          if (all) {
            match = true;
          } else {
            ATOLL_ASSIGN_OR_RETURN(bool might, MightMatch(*bound, *schema, *spec, f));
            if (might) {
              return NotSupported("deleting rows where ", change_.delete_filter->ToString(),
                                  ": data file '", f.file_path,
                                  "' may hold both matching and other rows; deleting them would "
                                  "need row-level deletes");
            }
          }
        }
      }
      if (!match) continue;
      any = true;
      marked[k] = true;
      found.insert(data ? f.file_path : DeleteFileKey(f));
    }
    if (!any) continue;
    // Marked entries become DELETED by this snapshot, other live ones EXISTING; entries
    // DELETED by older snapshots are dropped.
    std::vector<ManifestEntry> final_entries;
    final_entries.reserve(entries.size());
    bool ids_assigned = true;  // v3: every live data file has its first_row_id
    std::optional<int64_t> min_row_id;
    for (size_t k = 0; k < entries.size(); ++k) {
      ManifestEntry& e = entries[k];
      if (!e.is_live()) continue;
      if (marked[k]) {
        e.status = EntryStatus::kDeleted;
        e.snapshot_id = ctx.snapshot_id;
        if (data) {
          ++out->data_files;
          out->data_records += e.data_file.record_count;
          out->data_size += e.data_file.file_size_in_bytes;
        } else {
          out->deletes.Add(e.data_file);
        }
        out->partitions.insert(PartitionKey(spec_id, e.data_file.partition));
      } else {
        e.status = EntryStatus::kExisting;
        const std::optional<int64_t>& id = e.data_file.first_row_id;
        ids_assigned &= id.has_value();
        if (id) min_row_id = std::min(min_row_id.value_or(*id), *id);
      }
      final_entries.push_back(std::move(e));
    }
    const ManifestContent content = data ? ManifestContent::kData : ManifestContent::kDeletes;
    ATOLL_ASSIGN_OR_RETURN(parents[i], WriteManifestFile(ctx, spec_id, final_entries, content));
    // No entry inherits a row id: the manifest needs no new id range.
    if (IsV3(base) && data && ids_assigned && min_row_id) parents[i].first_row_id = min_row_id;
  }
  auto check_found = [&](const std::string& key, const char* kind) -> Status {
    if (found.count(key)) return Status::OK();
    if (attempt == 1) {
      return PreconditionFailed("cannot remove ", kind, " '", key,
                                "': it is not a live file of the table");
    }
    return CommitConflict("cannot remove ", kind, " '", key,
                          "': a concurrent commit removed it from the table; nothing was "
                          "committed");
  };
  for (const std::string& path : change_.deleted_paths) {
    ATOLL_RETURN_NOT_OK(check_found(path, "data file"));
  }
  for (const DataFile& f : change_.removed_deletes) {
    ATOLL_RETURN_NOT_OK(check_found(DeleteFileKey(f), "delete file"));
  }
  return Status::OK();
}

Result<ProducedSnapshot> SnapshotProducer::Produce(const FileIO& io, const TableMetadata& base,
                                                   const CommitEnv& env, int attempt,
                                                   WrittenFiles* written) {
  if (base.format_version > 3) {
    return NotSupported("committing snapshots to format version ", base.format_version,
                        " tables is not supported");
  }
  if (change_.validate) ATOLL_RETURN_NOT_OK(change_.validate(io, base));
  const int manifest_version = IsV3(base) ? 3 : 2;
  if (manifest_version != manifests_version_) {
    // A concurrent upgrade to v3: the new manifests must be v3 ones (row id inheritance).
    added_manifests_.clear();
    added_delete_manifests_.clear();
    manifests_version_ = manifest_version;
  }
  if (!snapshot_id_ || base.SnapshotById(*snapshot_id_) != nullptr) {
    do {
      snapshot_id_ = env.new_snapshot_id();
    } while (base.SnapshotById(*snapshot_id_) != nullptr);
    added_manifests_.clear();  // their entries name the old snapshot id
    added_delete_manifests_.clear();
  }
  const int64_t snapshot_id = *snapshot_id_;
  const int64_t sequence_number = base.last_sequence_number + 1;
  if (!spec_id_) spec_id_ = change_.spec_id.value_or(base.default_spec_id);
  ATOLL_RETURN_NOT_OK(CheckAddedFiles(base));
  ATOLL_ASSIGN_OR_RETURN(ManifestMergeOptions merge,
                         ManifestMergeOptions::FromProperties(base.properties));

  ManifestWriteContext ctx;
  ctx.io = &io;
  ctx.metadata = &base;
  ctx.metadata_dir = JoinLocation(base.location, "metadata");
  ctx.snapshot_id = snapshot_id;
  ctx.sequence_number = sequence_number;
  ctx.new_uuid = env.new_uuid;
  ctx.written = written;

  // The parent's manifests.
  const Snapshot* parent = base.CurrentSnapshot();
  std::vector<ManifestFile> parent_manifests;
  if (parent != nullptr) {
    if (parent->manifest_list.empty()) {
      return NotSupported("snapshot ", parent->snapshot_id,
                          " lists manifests without a manifest list (v1)");
    }
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(parent->manifest_list));
    ATOLL_ASSIGN_OR_RETURN(ManifestList list, ReadManifestList(bytes, parent->manifest_list));
    parent_manifests = std::move(list.manifests);
  }

  // New manifests for the added files (written once per commit).
  if (added_manifests_.empty() && !change_.added.empty()) {
    ATOLL_ASSIGN_OR_RETURN(added_manifests_, WriteAddedManifests(ctx, *spec_id_, change_.added,
                                                                 merge.target_size_bytes));
  }
  if (added_delete_manifests_.empty() && !change_.added_deletes.empty()) {
    std::map<int32_t, std::vector<DataFile>> by_spec;
    for (size_t i = 0; i < change_.added_deletes.size(); ++i) {
      by_spec[DeleteSpecId(i)].push_back(change_.added_deletes[i]);
    }
    for (const auto& [spec_id, files] : by_spec) {
      ATOLL_ASSIGN_OR_RETURN(std::vector<ManifestFile> written_manifests,
                             WriteAddedManifests(ctx, spec_id, files, merge.target_size_bytes,
                                                 ManifestContent::kDeletes));
      added_delete_manifests_.insert(added_delete_manifests_.end(), written_manifests.begin(),
                                     written_manifests.end());
    }
  }
  for (auto* group : {&added_manifests_, &added_delete_manifests_}) {
    for (ManifestFile& m : *group) {
      m.sequence_number = sequence_number;
      m.min_sequence_number = sequence_number;
    }
  }

  // Removals: rewrite the manifests holding the files.
  Removal removed;
  ATOLL_RETURN_NOT_OK(RemoveFiles(io, base, ctx, attempt, &parent_manifests, &removed));

  // The list: new data manifests first, then the parent's, merged; delete manifests last
  // (the new ones first).
  std::vector<ManifestFile> manifests = added_manifests_;
  manifests.insert(manifests.end(), added_delete_manifests_.begin(), added_delete_manifests_.end());
  for (const ManifestFile& m : parent_manifests) {
    // A manifest of an older snapshot holding only DELETED entries says nothing about this
    // one (that snapshot's own list keeps it).
    if (!HasLiveFiles(m) && m.added_snapshot_id != snapshot_id) continue;
    manifests.push_back(m);
  }
  ATOLL_ASSIGN_OR_RETURN(manifests, MergeManifests(ctx, manifests, added_manifests_.size(), merge));

  ManifestListWriteOptions lo;
  lo.snapshot_id = snapshot_id;
  if (parent) lo.parent_snapshot_id = parent->snapshot_id;
  lo.sequence_number = sequence_number;
  int64_t next_row_id = 0;
  if (IsV3(base)) {
    lo.format_version = 3;
    lo.first_row_id = base.next_row_id.value_or(0);
    next_row_id = AssignFirstRowIds(&manifests, *lo.first_row_id);
  }
  ATOLL_ASSIGN_OR_RETURN(std::string list_bytes, WriteManifestList(manifests, lo));
  std::string list_path = JoinLocation(
      ctx.metadata_dir, StrCat("snap-", snapshot_id, "-", attempt, "-", env.new_uuid(), ".avro"));
  written->Add(list_path);
  ATOLL_RETURN_NOT_OK(WriteNewFile(io, list_path, std::move(list_bytes)));

  ProducedSnapshot out;
  out.referenced.insert(list_path);
  std::set<std::string> ours = written->All();
  for (const ManifestFile& m : manifests) {
    if (ours.count(m.manifest_path)) out.referenced.insert(m.manifest_path);
  }

  // Summary.
  int64_t added_records = 0, added_size = 0;
  std::set<std::string> changed_partitions = std::move(removed.partitions);
  for (const DataFile& f : change_.added) {
    added_records += f.record_count;
    added_size += f.file_size_in_bytes;
    changed_partitions.insert(PartitionKey(*spec_id_, f.partition));
  }
  DeleteCounts added_deletes;
  for (size_t i = 0; i < change_.added_deletes.size(); ++i) {
    added_deletes.Add(change_.added_deletes[i]);
    changed_partitions.insert(PartitionKey(DeleteSpecId(i), change_.added_deletes[i].partition));
  }
  std::map<std::string, std::string> summary = change_.summary;
  auto put = [&](const std::string& key, int64_t v, bool omit_zero) {
    if (omit_zero && v == 0) {
      summary.erase(key);
    } else {
      summary[key] = std::to_string(v);
    }
  };
  summary["operation"] = OperationName(change_.operation);
  put("added-data-files", static_cast<int64_t>(change_.added.size()), true);
  put("deleted-data-files", removed.data_files, true);
  put("added-records", added_records, true);
  put("deleted-records", removed.data_records, true);
  const int64_t all_added_size = added_size + added_deletes.size;
  const int64_t all_removed_size = removed.data_size + removed.deletes.size;
  put("added-files-size", all_added_size, true);
  put("removed-files-size", all_removed_size, true);
  for (const auto& [prefix, c] :
       {std::pair<std::string, const DeleteCounts*>{"added-", &added_deletes},
        {"removed-", &removed.deletes}}) {
    put(prefix + "delete-files", c->files, true);
    put(prefix + "position-delete-files", c->position_files, true);
    put(prefix + "dvs", c->dvs, true);
    put(prefix + "equality-delete-files", c->equality_files, true);
    put(prefix + "position-deletes", c->position_rows, true);
    put(prefix + "equality-deletes", c->equality_rows, true);
  }
  put("changed-partition-count", static_cast<int64_t>(changed_partitions.size()), false);
  int64_t data_files = 0, records = 0, delete_files = 0;
  bool data_files_known = true, records_known = true, delete_files_known = true;
  for (const ManifestFile& m : manifests) {
    bool known = m.added_files_count && m.existing_files_count;
    if (m.content == ManifestContent::kData) {
      if (known) data_files += *m.added_files_count + *m.existing_files_count;
      data_files_known &= known;
      bool rows_known = m.added_rows_count && m.existing_rows_count;
      if (rows_known) records += *m.added_rows_count + *m.existing_rows_count;
      records_known &= rows_known;
    } else {
      if (known) delete_files += *m.added_files_count + *m.existing_files_count;
      delete_files_known &= known;
    }
  }
  const char* totals[] = {"total-records",      "total-files-size",       "total-data-files",
                          "total-delete-files", "total-position-deletes", "total-equality-deletes"};
  for (const char* key : totals) summary.erase(key);
  if (records_known) put("total-records", records, false);
  if (auto size = SummaryLong(parent, "total-files-size"))
    put("total-files-size", *size + all_added_size - all_removed_size, false);
  if (data_files_known) put("total-data-files", data_files, false);
  if (delete_files_known) put("total-delete-files", delete_files, false);
  if (auto v = SummaryLong(parent, "total-position-deletes")) {
    put("total-position-deletes", *v + added_deletes.position_rows - removed.deletes.position_rows,
        false);
  }
  if (auto v = SummaryLong(parent, "total-equality-deletes")) {
    put("total-equality-deletes", *v + added_deletes.equality_rows - removed.deletes.equality_rows,
        false);
  }

  Snapshot& s = out.snapshot;
  s.snapshot_id = snapshot_id;
  if (parent) s.parent_snapshot_id = parent->snapshot_id;
  s.sequence_number = sequence_number;
  s.timestamp_ms = env.now_ms();
  s.manifest_list = list_path;
  s.summary = std::move(summary);
  s.schema_id = base.current_schema_id;
  if (IsV3(base)) {
    s.first_row_id = lo.first_row_id;
    s.added_rows = next_row_id - *lo.first_row_id;
  }
  return out;
}

}  // namespace atl::iceberg
