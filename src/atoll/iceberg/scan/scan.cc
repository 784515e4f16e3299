#include "atoll/iceberg/scan/scan.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <unordered_map>

#include "atoll/common/parallel.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/iceberg/scan/puffin.h"

namespace atl::iceberg {
namespace {

// Reserved field id of position delete files' file_path column (spec "Position Delete Files").
constexpr int32_t kDeleteFilePathId = 2147483546;

struct Selection {
  const Snapshot* snapshot = nullptr;
  bool snapshot_schema = false;  // read with the snapshot's own schema (time travel, tags)
};

Result<Selection> SelectSnapshot(const TableMetadata& md, const ScanOptions& options) {
  Selection s;
  if (options.snapshot_id) {
    s.snapshot = md.SnapshotById(*options.snapshot_id);
    if (s.snapshot == nullptr) {
      return NotFound("snapshot ", *options.snapshot_id, " is not in table ", md.location,
                      " (it has ", md.snapshots.size(), " snapshots)");
    }
    s.snapshot_schema = true;
  } else if (options.ref) {
    auto it = md.refs.find(*options.ref);
    if (it == md.refs.end())
      return NotFound("no branch or tag '", *options.ref, "' in table ", md.location);
    s.snapshot = md.SnapshotById(it->second.snapshot_id);
    if (s.snapshot == nullptr) {
      return NotFound("ref '", *options.ref, "' points at unknown snapshot ",
                      it->second.snapshot_id);
    }
    s.snapshot_schema = !it->second.is_branch();
  } else if (options.as_of_ms) {
    ATOLL_ASSIGN_OR_RETURN(s.snapshot, md.SnapshotAsOf(*options.as_of_ms));
    s.snapshot_schema = true;
  } else {
    s.snapshot = md.CurrentSnapshot();
    if (md.current_snapshot_id && s.snapshot == nullptr) {
      return Corruption("current snapshot ", *md.current_snapshot_id, " of table ", md.location,
                        " is not in its snapshot list");
    }
  }
  return s;
}

bool IsUnpartitioned(const PartitionSpec& spec) {
  return std::all_of(spec.fields.begin(), spec.fields.end(), [](const PartitionField& f) {
    return f.transform.kind() == TransformKind::kVoid;
  });
}

// A key identifying (spec, partition tuple); int/long and float/double values encode alike
// so that a tuple read under a promoted type still matches.
std::string PartitionKey(int32_t spec_id, const std::vector<Literal>& partition) {
  std::string key(reinterpret_cast<const char*>(&spec_id), sizeof(spec_id));
  auto put = [&key](const void* p, size_t n) { key.append(static_cast<const char*>(p), n); };
  for (const Literal& v : partition) {
    size_t index = v.value().index();
    switch (index) {
      case 0:
        key.push_back('\0');
        break;
      case 1:
        key.push_back('\1');
        key.push_back(v.bool_value() ? '\1' : '\0');
        break;
      case 2:
      case 3: {
        int64_t x = index == 2 ? v.int32_value() : v.int64_value();
        key.push_back('\3');
        put(&x, sizeof(x));
        break;
      }
      case 4:
      case 5: {
        double d = index == 4 ? static_cast<double>(v.float_value()) : v.double_value();
        key.push_back('\5');
        put(&d, sizeof(d));
        break;
      }
      case 6: {
        int128_t d = v.decimal_value();
        key.push_back('\6');
        put(&d, sizeof(d));
        break;
      }
      default: {
        const std::string& s = v.bytes_value();
        uint32_t n = static_cast<uint32_t>(s.size());
        key.push_back('\7');
        put(&n, sizeof(n));
        key += s;
        break;
      }
    }
  }
  return key;
}

struct DeleteEntry {
  DataFile file;
  int64_t seq = 0;
  int32_t spec_id = 0;
  // Bounds of the file_path column (position deletes), to skip files outside them.
  std::optional<std::string> path_lower, path_upper;
};

// Delete files indexed for matching against data files (spec "Scan Planning").
class DeleteIndex {
 public:
  void Add(DeleteEntry e, const PartitionSpec& spec) {
    const size_t i = entries_.size();
    if (IsDeletionVectorFile(e.file)) {
      if (e.file.referenced_data_file) dvs_[*e.file.referenced_data_file].push_back(i);
    } else if (e.file.content == FileContent::kPositionDeletes) {
      if (e.file.referenced_data_file) {
        pos_by_path_[*e.file.referenced_data_file].push_back(i);
      } else if (IsUnpartitioned(spec)) {
        global_pos_.push_back(i);
      } else {
        pos_by_partition_[PartitionKey(e.spec_id, e.file.partition)].push_back(i);
      }
    } else {
      if (IsUnpartitioned(spec)) {
        global_eq_.push_back(i);
      } else {
        eq_by_partition_[PartitionKey(e.spec_id, e.file.partition)].push_back(i);
      }
    }
    entries_.push_back(std::move(e));
  }

  // Sorts every list by data sequence number (call once after the last Add).
  void Finish() {
    auto by_seq = [this](size_t a, size_t b) { return entries_[a].seq < entries_[b].seq; };
    auto sort_all = [&](auto& map) {
      for (auto& [k, v] : map) std::stable_sort(v.begin(), v.end(), by_seq);
    };
    sort_all(dvs_);
    sort_all(pos_by_path_);
    sort_all(pos_by_partition_);
    sort_all(eq_by_partition_);
    std::stable_sort(global_pos_.begin(), global_pos_.end(), by_seq);
    std::stable_sort(global_eq_.begin(), global_eq_.end(), by_seq);
  }

  bool empty() const { return entries_.empty(); }
  size_t size() const { return entries_.size(); }

  // Attaches the delete files that apply to `task`'s data file (const: may run on many
  // threads at once).
  void Attach(FileScanTask* task) const {
    const int64_t seq = task->data_sequence_number;
    const std::string& path = task->file.file_path;
    std::string key;  // the (spec, partition) key, computed when needed
    auto partition_key = [&]() -> const std::string& {
      if (key.empty()) key = PartitionKey(task->spec_id, task->file.partition);
      return key;
    };
    // A deletion vector replaces every position delete file of the data file.
    bool has_dv = false;
    if (auto it = dvs_.find(path); it != dvs_.end()) {
      const List& list = it->second;
      if (FirstAtLeast(list, seq) != list.end()) {
        task->position_deletes.push_back(entries_[list.back()].file);  // the newest applies
        has_dv = true;
      }
    }
    if (!has_dv) {
      if (auto it = pos_by_path_.find(path); it != pos_by_path_.end()) {
        AppendFrom(it->second, FirstAtLeast(it->second, seq), task, true);
      }
      if (!pos_by_partition_.empty()) {
        if (auto it = pos_by_partition_.find(partition_key()); it != pos_by_partition_.end()) {
          AppendFrom(it->second, FirstAtLeast(it->second, seq), task, true);
        }
      }
      AppendFrom(global_pos_, FirstAtLeast(global_pos_, seq), task, true);
    }
    if (!eq_by_partition_.empty()) {
      if (auto it = eq_by_partition_.find(partition_key()); it != eq_by_partition_.end()) {
        AppendFrom(it->second, FirstAbove(it->second, seq), task, false);
      }
    }
    AppendFrom(global_eq_, FirstAbove(global_eq_, seq), task, false);
  }

 private:
  using List = std::vector<size_t>;

  // The first delete with sequence number >= seq.
  List::const_iterator FirstAtLeast(const List& list, int64_t seq) const {
    return std::partition_point(list.begin(), list.end(),
                                [&](size_t i) { return entries_[i].seq < seq; });
  }
  List::const_iterator FirstAbove(const List& list, int64_t seq) const {
    return std::partition_point(list.begin(), list.end(),
                                [&](size_t i) { return entries_[i].seq <= seq; });
  }

  // Whether a position delete file's file_path bounds admit `path` (bounds may be
  // truncated: an upper bound that is a prefix of the path still admits it).
  static bool PathInBounds(const DeleteEntry& e, const std::string& path) {
    if (e.path_lower && path.compare(*e.path_lower) < 0) return false;
    if (e.path_upper && path.compare(*e.path_upper) > 0 && !path.starts_with(*e.path_upper)) {
      return false;
    }
    return true;
  }

  void AppendFrom(const List& list, List::const_iterator from, FileScanTask* task,
                  bool position) const {
    for (auto it = from; it != list.end(); ++it) {
      const DeleteEntry& e = entries_[*it];
      if (position) {
        if (!PathInBounds(e, task->file.file_path)) continue;
        task->position_deletes.push_back(e.file);
      } else {
        task->equality_deletes.push_back(e.file);
      }
    }
  }

  std::vector<DeleteEntry> entries_;
  std::unordered_map<std::string, List> dvs_, pos_by_path_, pos_by_partition_, eq_by_partition_;
  List global_pos_, global_eq_;
};

// What one manifest contributed.
struct ManifestResult {
  Status status;
  int32_t spec_id = 0;
  // Tasks go into `slice` (a range of the plan's vector sized from the manifest list's file
  // counts) while it has room, then into `tasks`.
  FileScanTask* slice = nullptr;
  size_t slice_size = 0, slice_used = 0;
  std::vector<FileScanTask> tasks;
  std::vector<DeleteEntry> deletes;
  int64_t live_data = 0;
  int64_t skipped_data = 0;
};

struct PlanContext {
  const FileIO& io;
  const TableMetadata& md;
  const Schema& schema;
  const Expression& filter;  // bound
  bool filtering = false;
};

// Reads one manifest: data files become tasks (pruned by the filter, deletes attached from
// `index` when given), delete files become DeleteEntries (pruned by partition).
void ReadOne(const PlanContext& ctx, const ManifestFile& mf, bool from_list,
             const DeleteIndex* index, ManifestResult* out) {
  Result<std::string> bytes = ctx.io.Read(mf.manifest_path);
  if (!bytes.ok()) {
    out->status = bytes.status();
    return;
  }
  auto reader =
      ManifestReader::Open(std::move(*bytes), mf.manifest_path, from_list ? &mf : nullptr);
  if (!reader.ok()) {
    out->status = reader.status();
    return;
  }
  ManifestReader& manifest = **reader;
  int32_t spec_id = from_list ? mf.partition_spec_id
                              : manifest.partition_spec_id().value_or(ctx.md.default_spec_id);
  const PartitionSpec* spec = ctx.md.SpecById(spec_id);
  if (spec == nullptr) {
    out->status = Corruption("manifest '", mf.manifest_path, "' uses partition spec ", spec_id,
                             " which the table metadata does not define");
    return;
  }
  out->spec_id = spec_id;
  ManifestEntry entry;
  for (;;) {
    Result<bool> more = manifest.Next(&entry);
    if (!more.ok()) {
      out->status = more.status();
      return;
    }
    if (!*more) break;
    if (!entry.is_live()) continue;
    DataFile& file = entry.data_file;
    const int64_t seq = entry.sequence_number.value_or(0);
    if (file.content == FileContent::kData) {
      ++out->live_data;
      if (ctx.filtering) {
        Result<bool> keep = MightMatch(ctx.filter, ctx.schema, *spec, file);
        if (!keep.ok()) {
          out->status = keep.status().WithContext("filtering '" + file.file_path + "'");
          return;
        }
        if (!*keep) {
          ++out->skipped_data;
          continue;
        }
      }
      FileScanTask task;
      task.file = std::move(file);
      task.spec_id = spec_id;
      task.data_sequence_number = seq;
      if (index != nullptr) index->Attach(&task);
      if (out->slice_used < out->slice_size) {
        out->slice[out->slice_used++] = std::move(task);
      } else {
        out->tasks.push_back(std::move(task));
      }
    } else {
      if (index != nullptr) {
        out->status = Corruption("manifest '", mf.manifest_path,
                                 "' of data files lists the delete file '", file.file_path, "'");
        return;
      }
      if (ctx.filtering) {
        Result<bool> keep = PartitionMightMatch(ctx.filter, ctx.schema, *spec, file.partition);
        if (!keep.ok()) {
          out->status = keep.status();
          return;
        }
        if (!*keep) continue;
      }
      DeleteEntry d;
      // Column statistics of delete files are not needed to apply them: dropped so that the
      // copies attached to every task stay small (file_path bounds are kept aside).
      if (file.content == FileContent::kPositionDeletes) {
        auto lo = file.lower_bounds.find(kDeleteFilePathId);
        auto hi = file.upper_bounds.find(kDeleteFilePathId);
        if (lo != file.lower_bounds.end()) d.path_lower = std::move(lo->second);
        if (hi != file.upper_bounds.end()) d.path_upper = std::move(hi->second);
      }
      file.column_sizes.clear();
      file.value_counts.clear();
      file.null_value_counts.clear();
      file.nan_value_counts.clear();
      file.lower_bounds.clear();
      file.upper_bounds.clear();
      file.split_offsets.clear();
      d.file = std::move(file);
      d.seq = seq;
      d.spec_id = spec_id;
      out->deletes.push_back(std::move(d));
    }
  }
}

}  // namespace

Result<ScanPlan> PlanScan(const FileIO& io, const TableMetadata& md, const ScanOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(Selection sel, SelectSnapshot(md, options));
  const Schema* schema = nullptr;
  if (sel.snapshot_schema && sel.snapshot != nullptr && sel.snapshot->schema_id) {
    schema = md.SchemaById(*sel.snapshot->schema_id);
  }
  if (schema == nullptr) schema = md.CurrentSchema();
  if (schema == nullptr) {
    return Corruption("table ", md.location, " has no schema with the current schema id ",
                      md.current_schema_id);
  }
  ScanPlan plan{std::nullopt, *schema, {}, {}};
  ATOLL_ASSIGN_OR_RETURN(Expression filter, Bind(options.filter, *schema));
  if (sel.snapshot == nullptr) return plan;
  const Snapshot& snap = *sel.snapshot;
  plan.snapshot_id = snap.snapshot_id;

  // The snapshot's manifests: from its manifest list, or (v1) listed in the snapshot.
  std::vector<ManifestFile> manifests;
  const bool from_list = !snap.manifest_list.empty();
  if (from_list) {
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(snap.manifest_list));
    ATOLL_ASSIGN_OR_RETURN(ManifestList list, ReadManifestList(bytes, snap.manifest_list));
    manifests = std::move(list.manifests);
  } else {
    for (const std::string& path : snap.manifests) {
      ManifestFile mf;
      mf.manifest_path = path;
      mf.partition_spec_id = md.default_spec_id;
      manifests.push_back(std::move(mf));
    }
  }

  PlanContext ctx{io, md, *schema, filter, filter.op != Expression::Op::kTrue};
  std::vector<size_t> to_read;
  for (size_t i = 0; i < manifests.size(); ++i) {
    const ManifestFile& mf = manifests[i];
    ++plan.counts.manifests;
    if (ctx.filtering && from_list) {
      const PartitionSpec* spec = md.SpecById(mf.partition_spec_id);
      if (spec == nullptr) {
        return Corruption("manifest '", mf.manifest_path, "' uses partition spec ",
                          mf.partition_spec_id, " which the table metadata does not define");
      }
      ATOLL_ASSIGN_OR_RETURN(bool might, ManifestMightMatch(filter, *schema, *spec, mf));
      if (!might) {
        ++plan.counts.manifests_skipped;
        if (mf.content == ManifestContent::kData) {
          int64_t files = mf.added_files_count.value_or(0) + mf.existing_files_count.value_or(0);
          plan.counts.data_files += files;
          plan.counts.data_files_skipped += files;
        }
        continue;
      }
    }
    to_read.push_back(i);
  }

  // Delete manifests first (their files are indexed), then data manifests, whose files get
  // their deletes attached as they are read; `parallelism` manifests at a time.
  std::vector<size_t> delete_manifests, data_manifests;
  for (size_t i : to_read) {
    (from_list && manifests[i].content == ManifestContent::kDeletes ? delete_manifests
                                                                    : data_manifests)
        .push_back(i);
  }
  // `presized`: results already set up with their slices.
  auto read_all = [&](const std::vector<size_t>& which, const DeleteIndex* index,
                      std::vector<ManifestResult>* results, bool presized) -> Status {
    if (!presized) results->assign(which.size(), ManifestResult{});
    // Each manifest's outcome stays in its result (the first failure in manifest order is
    // returned, whichever thread saw it first).
    (void)ParallelFor(which.size(), options.parallelism, [&](size_t k) -> Status {
      ReadOne(ctx, manifests[which[k]], from_list, index, &(*results)[k]);
      return (*results)[k].status;
    });
    for (const ManifestResult& r : *results) {
      if (!r.status.ok()) return r.status;
    }
    return Status::OK();
  };

  DeleteIndex deletes;
  std::vector<ManifestResult> results;
  ATOLL_RETURN_NOT_OK(read_all(delete_manifests, nullptr, &results, false));
  for (ManifestResult& r : results) {
    for (DeleteEntry& d : r.deletes) {
      const PartitionSpec* spec = md.SpecById(d.spec_id);
      deletes.Add(std::move(d), *spec);
    }
  }
  deletes.Finish();
  plan.counts.delete_files = static_cast<int64_t>(deletes.size());

  // Tasks are written straight into plan.tasks, each manifest into its own range sized
  // from the manifest list's live file counts, then the ranges are closed up: a 100,000-file
  // plan is neither built twice nor grown by doubling.
  results.assign(data_manifests.size(), ManifestResult{});
  if (from_list) {
    size_t total = 0;
    for (size_t i : data_manifests) {
      total += static_cast<size_t>(
          std::max<int64_t>(0, manifests[i].added_files_count.value_or(0) +
                                   manifests[i].existing_files_count.value_or(0)));
    }
    plan.tasks.resize(total);
    size_t offset = 0;
    for (size_t k = 0; k < data_manifests.size(); ++k) {
      const ManifestFile& mf = manifests[data_manifests[k]];
      results[k].slice = plan.tasks.data() + offset;
      results[k].slice_size = static_cast<size_t>(std::max<int64_t>(
          0, mf.added_files_count.value_or(0) + mf.existing_files_count.value_or(0)));
      offset += results[k].slice_size;
    }
  }
  ATOLL_RETURN_NOT_OK(read_all(data_manifests, &deletes, &results, true));
  bool overflow = false;
  for (const ManifestResult& r : results) {
    plan.counts.data_files += r.live_data;
    plan.counts.data_files_skipped += r.skipped_data;
    overflow |= !r.tasks.empty();
  }
  if (!overflow) {  // close up the ranges in place
    size_t w = 0;
    for (ManifestResult& r : results) {
      if (r.slice_used == 0) continue;
      const size_t start = static_cast<size_t>(r.slice - plan.tasks.data());
      for (size_t i = 0; i < r.slice_used; ++i, ++w) {
        if (w != start + i) plan.tasks[w] = std::move(plan.tasks[start + i]);
      }
    }
    plan.tasks.resize(w);
  } else {  // a manifest list under-counted its files: gather into a new vector
    std::vector<FileScanTask> all;
    size_t n = 0;
    for (const ManifestResult& r : results) n += r.slice_used + r.tasks.size();
    all.reserve(n);
    for (ManifestResult& r : results) {
      std::move(r.slice, r.slice + r.slice_used, std::back_inserter(all));
      std::move(r.tasks.begin(), r.tasks.end(), std::back_inserter(all));
    }
    plan.tasks = std::move(all);
  }
  return plan;
}

Result<std::vector<int64_t>> ReadDeletionVector(const FileIO& io, const DataFile& dv) {
  if (!dv.content_offset || !dv.content_size_in_bytes) {
    return InvalidArgument("'", dv.file_path,
                           "' is not a deletion vector (no content_offset/content_size_in_bytes)");
  }
  if (*dv.content_offset < 0 || *dv.content_size_in_bytes < 0) {
    return Corruption("deletion vector in '", dv.file_path, "' has a negative offset or size");
  }
  const auto size = static_cast<uint64_t>(*dv.content_size_in_bytes);
  ATOLL_ASSIGN_OR_RETURN(
      std::string blob,
      io.ReadRange(dv.file_path, static_cast<uint64_t>(*dv.content_offset), size));
  if (blob.size() != size) {
    return Corruption("deletion vector in '", dv.file_path, "' at offset ", *dv.content_offset,
                      " needs ", size, " bytes, the file has ", blob.size());
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> positions, DecodeDeletionVector(blob, dv.file_path));
  if (dv.record_count > 0 && static_cast<int64_t>(positions.size()) != dv.record_count) {
    return Corruption("deletion vector in '", dv.file_path, "' holds ", positions.size(),
                      " positions but its manifest entry says ", dv.record_count);
  }
  return positions;
}

}  // namespace atl::iceberg
