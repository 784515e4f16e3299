#include "atoll/iceberg/commit/snapshot_producer.h"

#include <algorithm>
#include <unordered_set>

#include "atoll/common/parallel.h"
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

}  // namespace

Status SnapshotProducer::CheckAddedFiles(const TableMetadata& base, int32_t spec_id) const {
  const PartitionSpec* spec = base.SpecById(spec_id);
  if (spec == nullptr) return InvalidArgument("partition spec ", spec_id, " does not exist");
  for (const DataFile& f : change_.added) {
    if (f.content != FileContent::kData) {
      return NotSupported("adding delete file '", f.file_path, "': only data files can be added");
    }
    if (f.partition.size() != spec->fields.size()) {
      return InvalidArgument("data file '", f.file_path, "' has ", f.partition.size(),
                             " partition values; partition spec ", spec_id, " has ",
                             spec->fields.size(), " fields");
    }
  }
  return Status::OK();
}

Result<ProducedSnapshot> SnapshotProducer::Produce(const FileIO& io, const TableMetadata& base,
                                                   const CommitEnv& env, int attempt,
                                                   WrittenFiles* written) {
  if (base.format_version >= 3) {
    return NotSupported("committing snapshots to format version ", base.format_version,
                        " tables is not supported");
  }
  if (!snapshot_id_ || base.SnapshotById(*snapshot_id_) != nullptr) {
    do {
      snapshot_id_ = env.new_snapshot_id();
    } while (base.SnapshotById(*snapshot_id_) != nullptr);
    added_manifests_.clear();  // their entries name the old snapshot id
  }
  const int64_t snapshot_id = *snapshot_id_;
  const int64_t sequence_number = base.last_sequence_number + 1;
  if (!spec_id_) spec_id_ = change_.spec_id.value_or(base.default_spec_id);
  ATOLL_RETURN_NOT_OK(CheckAddedFiles(base, *spec_id_));
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
  for (ManifestFile& m : added_manifests_) {
    m.sequence_number = sequence_number;
    m.min_sequence_number = sequence_number;
  }

  // Deletes: rewrite the manifests holding the files.
  int64_t deleted_files = 0, deleted_records = 0, removed_size = 0;
  std::set<std::string> changed_partitions;
  if (!change_.deleted_paths.empty() || change_.delete_filter) {
    std::unordered_set<std::string> wanted(change_.deleted_paths.begin(),
                                           change_.deleted_paths.end());
    std::unordered_set<std::string> found;
    std::optional<Expression> bound;
    const Schema* schema = base.CurrentSchema();
    if (change_.delete_filter) {
      if (schema == nullptr) return Internal("the table has no current schema");
      ATOLL_ASSIGN_OR_RETURN(bound, Bind(*change_.delete_filter, *schema));
    }
    std::vector<bool> look(parent_manifests.size());
    for (size_t i = 0; i < parent_manifests.size(); ++i) {
      look[i] = parent_manifests[i].content == ManifestContent::kData &&
                HasLiveFiles(parent_manifests[i]);
    }
    ATOLL_ASSIGN_OR_RETURN(auto manifests, ReadSome(io, parent_manifests, look, 4));
    for (size_t i = 0; i < parent_manifests.size(); ++i) {
      if (!manifests[i]) continue;
      const int32_t spec_id = parent_manifests[i].partition_spec_id;
      const PartitionSpec* spec = base.SpecById(spec_id);
      std::vector<ManifestEntry>& entries = manifests[i]->entries;
      std::vector<bool> marked(entries.size(), false);
      bool any = false;
      for (size_t k = 0; k < entries.size(); ++k) {
        const ManifestEntry& e = entries[k];
        if (!e.is_live()) continue;
        bool match = wanted.count(e.data_file.file_path) > 0;
        if (!match && bound) {
          if (spec == nullptr) {
            return Corruption("manifest '", parent_manifests[i].manifest_path,
                              "' names unknown partition spec ", spec_id);
          }
          ATOLL_ASSIGN_OR_RETURN(bool all, AllMatch(*bound, *schema, *spec, e.data_file));
          if (all) {
            match = true;
          } else {
            ATOLL_ASSIGN_OR_RETURN(bool might, MightMatch(*bound, *schema, *spec, e.data_file));
            if (might) {
              return NotSupported("deleting rows where ", change_.delete_filter->ToString(),
                                  ": data file '", e.data_file.file_path,
                                  "' may hold both matching and other rows; deleting them would "
                                  "need row-level deletes");
            }
          }
        }
        if (!match) continue;
        any = true;
        marked[k] = true;
        found.insert(e.data_file.file_path);
      }
      if (!any) continue;
      // Marked entries become DELETED by this snapshot, other live ones EXISTING; entries
      // DELETED by older snapshots are dropped.
      std::vector<ManifestEntry> final_entries;
      final_entries.reserve(entries.size());
      for (size_t k = 0; k < entries.size(); ++k) {
        ManifestEntry& e = entries[k];
        if (!e.is_live()) continue;
        if (marked[k]) {
          e.status = EntryStatus::kDeleted;
          e.snapshot_id = snapshot_id;
          ++deleted_files;
          deleted_records += e.data_file.record_count;
          removed_size += e.data_file.file_size_in_bytes;
          changed_partitions.insert(PartitionKey(spec_id, e.data_file.partition));
        } else {
          e.status = EntryStatus::kExisting;
        }
        final_entries.push_back(std::move(e));
      }
      ATOLL_ASSIGN_OR_RETURN(parent_manifests[i], WriteManifestFile(ctx, spec_id, final_entries));
    }
    for (const std::string& path : change_.deleted_paths) {
      if (found.count(path)) continue;
      if (attempt == 1) {
        return PreconditionFailed("cannot remove data file '", path,
                                  "': it is not a live file of the table");
      }
      return CommitConflict(
          "cannot remove data file '", path,
          "': a concurrent commit removed it from the table; nothing was committed");
    }
  }

  // The list: new manifests first, then the parent's, merged.
  std::vector<ManifestFile> manifests = added_manifests_;
  manifests.insert(manifests.end(), parent_manifests.begin(), parent_manifests.end());
  ATOLL_ASSIGN_OR_RETURN(manifests, MergeManifests(ctx, manifests, added_manifests_.size(), merge));

  ManifestListWriteOptions lo;
  lo.snapshot_id = snapshot_id;
  if (parent) lo.parent_snapshot_id = parent->snapshot_id;
  lo.sequence_number = sequence_number;
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
  for (const DataFile& f : change_.added) {
    added_records += f.record_count;
    added_size += f.file_size_in_bytes;
    changed_partitions.insert(PartitionKey(*spec_id_, f.partition));
  }
  std::map<std::string, std::string> summary = change_.summary;
  auto put = [&](const char* key, int64_t v, bool omit_zero) {
    if (omit_zero && v == 0) {
      summary.erase(key);
    } else {
      summary[key] = std::to_string(v);
    }
  };
  summary["operation"] = OperationName(change_.operation);
  put("added-data-files", static_cast<int64_t>(change_.added.size()), true);
  put("deleted-data-files", deleted_files, true);
  put("added-records", added_records, true);
  put("deleted-records", deleted_records, true);
  put("added-files-size", added_size, true);
  put("removed-files-size", removed_size, true);
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
    put("total-files-size", *size + added_size - removed_size, false);
  if (data_files_known) put("total-data-files", data_files, false);
  if (delete_files_known) put("total-delete-files", delete_files, false);
  if (auto v = SummaryLong(parent, "total-position-deletes"))
    put("total-position-deletes", *v, false);
  if (auto v = SummaryLong(parent, "total-equality-deletes"))
    put("total-equality-deletes", *v, false);

  Snapshot& s = out.snapshot;
  s.snapshot_id = snapshot_id;
  if (parent) s.parent_snapshot_id = parent->snapshot_id;
  s.sequence_number = sequence_number;
  s.timestamp_ms = env.now_ms();
  s.manifest_list = list_path;
  s.summary = std::move(summary);
  s.schema_id = base.current_schema_id;
  return out;
}

}  // namespace atl::iceberg
