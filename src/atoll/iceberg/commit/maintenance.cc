#include "atoll/iceberg/commit/maintenance.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_set>

#include "atoll/common/parallel.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/manifest/manifest_merge.h"

namespace atl::iceberg {
namespace {

constexpr int kReadParallelism = 8;

// Maintenance attempts recompute from each new base, so they retry conflicts even on
// tables whose appends must not be rebased (commit.retry.num-retries 0: the lake's system
// tables), which concurrent writers would otherwise keep from ever being maintained.
CommitEnv Rebasing(const CommitEnv& env) {
  CommitEnv out = env;
  out.min_retries = std::max(out.min_retries, 10);
  return out;
}

// The manifests of a snapshot: its manifest list's, or the v1 inline list.
Result<std::vector<ManifestFile>> ManifestsOf(const FileIO& io, const Snapshot& s) {
  if (s.manifest_list.empty()) {
    std::vector<ManifestFile> out;
    for (const std::string& path : s.manifests) {
      ManifestFile mf;
      mf.manifest_path = path;
      mf.added_snapshot_id = s.snapshot_id;
      out.push_back(std::move(mf));
    }
    return out;
  }
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(s.manifest_list));
  ATOLL_ASSIGN_OR_RETURN(ManifestList list, ReadManifestList(bytes, s.manifest_list));
  return std::move(list.manifests);
}

// One file named by a manifest entry.
struct EntryFile {
  std::string path;
  FileContent content = FileContent::kData;
  bool live = false;
};

// Reads `manifests` in parallel; entries of each, in order. With `skip_missing`, a manifest
// that no longer exists contributes nothing.
Result<std::vector<std::vector<EntryFile>>> ReadEntryFiles(
    const FileIO& io, const std::vector<ManifestFile>& manifests, bool skip_missing) {
  std::vector<std::vector<EntryFile>> out(manifests.size());
  ATOLL_RETURN_NOT_OK(ParallelFor(manifests.size(), kReadParallelism, [&](size_t i) -> Status {
    Result<Manifest> m = ReadManifestFile(io, manifests[i]);
    if (!m.ok()) {
      if (skip_missing && m.status().code() == StatusCode::kNotFound) return Status::OK();
      return m.status();
    }
    out[i].reserve(m->entries.size());
    for (ManifestEntry& e : m->entries) {
      out[i].push_back(
          EntryFile{std::move(e.data_file.file_path), e.data_file.content, e.is_live()});
    }
    return Status::OK();
  }));
  return out;
}

// "statistics-path" of each entry of a statistics list.
std::vector<std::string> StatisticsPaths(const Json& list) {
  std::vector<std::string> out;
  if (!list.is_array()) return out;
  for (const Json& e : list) {
    if (e.is_object() && e.contains("statistics-path") && e["statistics-path"].is_string()) {
      out.push_back(e["statistics-path"].get<std::string>());
    }
  }
  return out;
}

// ---- ExpireSnapshots ----

std::set<int64_t> SnapshotsToExpire(const TableMetadata& m, int64_t cutoff, int retain_last) {
  std::set<int64_t> keep;
  auto keep_ancestry = [&](int64_t head) {
    const Snapshot* s = m.SnapshotById(head);
    for (int n = 0; s != nullptr && n < retain_last; ++n) {
      keep.insert(s->snapshot_id);
      s = s->parent_snapshot_id ? m.SnapshotById(*s->parent_snapshot_id) : nullptr;
    }
  };
  for (const auto& [name, ref] : m.refs) {
    keep.insert(ref.snapshot_id);
    if (ref.is_branch()) keep_ancestry(ref.snapshot_id);
  }
  if (m.current_snapshot_id) {
    keep.insert(*m.current_snapshot_id);
    keep_ancestry(*m.current_snapshot_id);
  }
  std::set<int64_t> out;
  for (const Snapshot& s : m.snapshots) {
    if (s.timestamp_ms < cutoff && !keep.count(s.snapshot_id)) out.insert(s.snapshot_id);
  }
  return out;
}

// `base` without the snapshots `expired` (and their statistics entries, whose paths go to
// `dropped_stats`); the snapshot log keeps the entries after the last expired one.
TableMetadata WithoutSnapshots(const TableMetadata& base, const std::set<int64_t>& expired,
                               std::vector<Snapshot>* removed,
                               std::set<std::string>* dropped_stats) {
  TableMetadata m = base;
  m.snapshots.clear();
  for (const Snapshot& s : base.snapshots) {
    if (expired.count(s.snapshot_id)) {
      removed->push_back(s);
    } else {
      m.snapshots.push_back(s);
    }
  }
  m.snapshot_log.clear();
  for (const SnapshotLogEntry& e : base.snapshot_log) {
    if (expired.count(e.snapshot_id)) {
      m.snapshot_log.clear();
    } else {
      m.snapshot_log.push_back(e);
    }
  }
  for (Json* list : {&m.statistics.get(), &m.partition_statistics.get()}) {
    if (!list->is_array()) continue;
    Json kept = Json::array();
    for (const Json& e : *list) {
      bool gone = e.is_object() && e.contains("snapshot-id") &&
                  e["snapshot-id"].is_number_integer() &&
                  expired.count(e["snapshot-id"].get<int64_t>());
      if (!gone) {
        kept.push_back(e);
      } else if (e.contains("statistics-path") && e["statistics-path"].is_string()) {
        dropped_stats->insert(e["statistics-path"].get<std::string>());
      }
    }
    *list = std::move(kept);
  }
  return m;
}

// What only the expired snapshots reach, given the metadata that remains.
Status PlanExpiredFiles(const FileIO& io, const std::vector<Snapshot>& expired,
                        const TableMetadata& remaining, const std::set<std::string>& dropped_stats,
                        ExpireResult* out) {
  std::set<std::string> remaining_lists;
  std::map<std::string, ManifestFile> remaining_manifests;
  for (const Snapshot& s : remaining.snapshots) {
    if (!s.manifest_list.empty()) remaining_lists.insert(s.manifest_list);
    ATOLL_ASSIGN_OR_RETURN(std::vector<ManifestFile> ms, ManifestsOf(io, s));
    for (ManifestFile& mf : ms) remaining_manifests.emplace(mf.manifest_path, std::move(mf));
  }
  std::set<std::string> lists;
  std::map<std::string, ManifestFile> manifests;
  for (const Snapshot& s : expired) {
    if (!s.manifest_list.empty() && !remaining_lists.count(s.manifest_list))
      lists.insert(s.manifest_list);
    Result<std::vector<ManifestFile>> ms = ManifestsOf(io, s);
    if (!ms.ok()) {
      if (ms.status().code() == StatusCode::kNotFound) continue;  // cleaned up before
      return ms.status();
    }
    for (ManifestFile& mf : *ms) {
      if (!remaining_manifests.count(mf.manifest_path))
        manifests.emplace(mf.manifest_path, std::move(mf));
    }
  }
  std::set<std::string> data, deletes;
  if (!manifests.empty()) {
    std::vector<ManifestFile> keep_list, gone_list;
    for (auto& [path, mf] : remaining_manifests) keep_list.push_back(mf);
    for (auto& [path, mf] : manifests) gone_list.push_back(mf);
    ATOLL_ASSIGN_OR_RETURN(auto kept_entries, ReadEntryFiles(io, keep_list, false));
    std::unordered_set<std::string> live;
    for (const auto& entries : kept_entries) {
      for (const EntryFile& e : entries) {
        if (e.live) live.insert(e.path);
      }
    }
    ATOLL_ASSIGN_OR_RETURN(auto gone_entries, ReadEntryFiles(io, gone_list, true));
    for (const auto& entries : gone_entries) {
      for (const EntryFile& e : entries) {
        if (live.count(e.path)) continue;
        (e.content == FileContent::kData ? data : deletes).insert(e.path);
      }
    }
  }
  std::set<std::string> stats_kept;
  for (const Json* list : {&remaining.statistics.get(), &remaining.partition_statistics.get()}) {
    for (std::string& p : StatisticsPaths(*list)) stats_kept.insert(std::move(p));
  }
  std::set<std::string> stats;
  for (const std::string& p : dropped_stats) {
    if (!stats_kept.count(p)) stats.insert(p);
  }
  out->deleted_manifest_lists = static_cast<int64_t>(lists.size());
  out->deleted_manifests = static_cast<int64_t>(manifests.size());
  out->deleted_data_files = static_cast<int64_t>(data.size());
  out->deleted_delete_files = static_cast<int64_t>(deletes.size());
  out->deleted_statistics_files = static_cast<int64_t>(stats.size());
  std::set<std::string> all;
  for (const auto* set : {&lists, &data, &deletes, &stats}) all.insert(set->begin(), set->end());
  for (const auto& [path, mf] : manifests) all.insert(path);
  out->deleted_files.assign(all.begin(), all.end());
  return Status::OK();
}

}  // namespace

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& options) {
  if (options.retain_last < 1)
    return InvalidArgument("retain_last must be at least 1, got ", options.retain_last);
  const CommitEnv& env = table.env();
  const int64_t now = options.now_ms ? *options.now_ms : env.now_ms();
  const int64_t cutoff =
      options.older_than_ms ? *options.older_than_ms : now - kDefaultSnapshotMaxAgeMs;
  ATOLL_RETURN_NOT_OK(table.Refresh());

  ExpireResult result;
  std::vector<Snapshot> removed;
  std::set<std::string> dropped_stats;
  std::set<int64_t> expired = SnapshotsToExpire(table.metadata(), cutoff, options.retain_last);
  if (expired.empty()) return result;
  if (options.dry_run) {
    TableMetadata remaining = WithoutSnapshots(table.metadata(), expired, &removed, &dropped_stats);
    result.expired_snapshot_ids.assign(expired.begin(), expired.end());
    ATOLL_RETURN_NOT_OK(PlanExpiredFiles(table.io(), removed, remaining, dropped_stats, &result));
    return result;
  }

  AttemptFn attempt_fn = [&](const TableMetadata& base, const std::string& base_location, int,
                             WrittenFiles*) -> Result<AttemptResult> {
    const int64_t stamp = env.now_ms();  // last-updated-ms of the new metadata
    TableMetadata state = base;
    if (state.format_version < 2) {
      TableMetadataBuilder b(state);
      b.UpgradeFormatVersion(2);
      ATOLL_ASSIGN_OR_RETURN(state, b.Build(stamp));
    }
    expired = SnapshotsToExpire(state, cutoff, options.retain_last);
    removed.clear();
    dropped_stats.clear();
    state = WithoutSnapshots(state, expired, &removed, &dropped_stats);
    state.last_updated_ms = base.last_updated_ms;  // the metadata-log entry of the base
    AttemptResult out;
    TableMetadataBuilder builder(std::move(state));
    ATOLL_ASSIGN_OR_RETURN(out.metadata, builder.Build(stamp, base_location, MaxMetadataLog(base)));
    return out;
  };
  ATOLL_ASSIGN_OR_RETURN(
      CommitOutcome outcome,
      CommitWithRetries(table.catalog(), table.io(), table.id(), table.metadata(),
                        table.metadata_location(), Rebasing(env), attempt_fn));
  result.expired_snapshot_ids.assign(expired.begin(), expired.end());
  // The commit happened: from here on errors only leave orphans behind.
  Status refreshed = table.Refresh();
  Status planned = PlanExpiredFiles(table.io(), removed, outcome.metadata, dropped_stats, &result);
  if (!planned.ok()) {
    result.cleanup = planned.WithContext("snapshots expired; finding the files to delete");
    result.deleted_files.clear();
    return result;
  }
  Status deleted = table.io().Delete(result.deleted_files);
  if (!deleted.ok())
    result.cleanup = deleted.WithContext("snapshots expired; deleting their files");
  if (result.cleanup.ok() && !refreshed.ok()) result.cleanup = refreshed;
  return result;
}

// ---- RemoveOrphanFiles ----

namespace {

// A location's identity: the store it resolves to and the key in it.
Result<std::string> FileIdentity(const FileIO& io, const std::string& location) {
  ATOLL_ASSIGN_OR_RETURN(FileIO::Target t, io.Resolve(location));
  return StrCat(reinterpret_cast<uintptr_t>(t.store.get()), "\n", t.key);
}

}  // namespace

Result<OrphanResult> RemoveOrphanFiles(Table& table, const OrphanOptions& options) {
  ATOLL_RETURN_NOT_OK(table.Refresh());
  const FileIO& io = table.io();
  const TableMetadata& m = table.metadata();
  const int64_t now = options.now_ms ? *options.now_ms : table.env().now_ms();
  const int64_t cutoff =
      options.older_than_ms ? *options.older_than_ms : now - kDefaultOrphanGraceMs;

  // Everything the metadata references.
  std::vector<std::string> refs = {table.metadata_location(),
                                   JoinLocation(m.location, "metadata/version-hint.text")};
  for (const MetadataLogEntry& e : m.metadata_log) refs.push_back(e.metadata_file);
  for (const Json* list : {&m.statistics.get(), &m.partition_statistics.get()}) {
    for (std::string& p : StatisticsPaths(*list)) refs.push_back(std::move(p));
  }
  std::map<std::string, ManifestFile> manifests;
  for (const Snapshot& s : m.snapshots) {
    if (!s.manifest_list.empty()) refs.push_back(s.manifest_list);
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<ManifestFile> ms, ManifestsOf(io, s),
                               StrCat("reading snapshot ", s.snapshot_id));
    for (ManifestFile& mf : ms) manifests.emplace(mf.manifest_path, std::move(mf));
  }
  std::vector<ManifestFile> manifest_list;
  for (auto& [path, mf] : manifests) {
    refs.push_back(path);
    manifest_list.push_back(mf);
  }
  ATOLL_ASSIGN_OR_RETURN(auto entries, ReadEntryFiles(io, manifest_list, false));
  for (auto& es : entries) {
    for (EntryFile& e : es) refs.push_back(std::move(e.path));
  }
  std::unordered_set<std::string> referenced;
  for (const std::string& r : refs) {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::string id, FileIdentity(io, r),
                               "removing orphan files: a referenced location cannot be resolved");
    referenced.insert(std::move(id));
  }

  std::vector<std::string> excluded;  // identities of excluded directories, with a trailing '/'
  for (const std::string& dir : options.exclude_locations) {
    std::string d = dir;
    while (d.size() > 1 && d.back() == '/') d.pop_back();
    ATOLL_ASSIGN_OR_RETURN_CTX(std::string id, FileIdentity(io, d),
                               "removing orphan files: an excluded location");
    excluded.push_back(id + "/");
  }

  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> listed, io.List(m.location));
  OrphanResult result;
  result.listed = static_cast<int64_t>(listed.size());
  ATOLL_ASSIGN_OR_RETURN(std::string current, FileIdentity(io, table.metadata_location()));
  bool saw_current = false;
  for (const storage::ObjectInfo& o : listed) {
    ATOLL_ASSIGN_OR_RETURN(std::string id, FileIdentity(io, o.key));
    if (id == current) saw_current = true;
    if (referenced.count(id)) continue;
    if (std::any_of(excluded.begin(), excluded.end(),
                    [&](const std::string& e) { return id.starts_with(e); })) {
      ++result.excluded;
      continue;
    }
    // An unknown modification time counts as young.
    if (o.mtime_ms <= 0 || o.mtime_ms >= cutoff) {
      ++result.too_young;
      continue;
    }
    result.orphans.push_back(o.key);
  }
  if (!saw_current) {
    return InvalidArgument(
        "removing orphan files: listing '", m.location,
        "' did not show the current metadata file '", table.metadata_location(),
        "'; the table's files are named differently from its location, so nothing was deleted");
  }
  std::sort(result.orphans.begin(), result.orphans.end());
  if (!options.dry_run && !result.orphans.empty()) {
    ATOLL_RETURN_NOT_OK_CTX(io.Delete(result.orphans), "deleting orphan files");
  }
  return result;
}

// ---- RewriteManifests ----

namespace {

std::string SummaryText(int64_t v) { return std::to_string(v); }

}  // namespace

Result<RewriteManifestsResult> RewriteManifests(Table& table,
                                                const RewriteManifestsOptions& options) {
  ATOLL_RETURN_NOT_OK(table.Refresh());
  const CommitEnv& env = table.env();
  RewriteManifestsResult result;
  bool nothing_to_do = false;  // the last attempt found nothing to rewrite
  std::optional<int64_t> snapshot_id;

  AttemptFn attempt_fn = [&](const TableMetadata& base, const std::string& base_location,
                             int attempt, WrittenFiles* written) -> Result<AttemptResult> {
    const int64_t now = env.now_ms();
    TableMetadata state = base;
    if (state.format_version >= 3) {
      return NotSupported("rewriting manifests of format version ", state.format_version,
                          " tables is not supported");
    }
    if (state.format_version < 2) {
      TableMetadataBuilder b(state);
      b.UpgradeFormatVersion(2);
      ATOLL_ASSIGN_OR_RETURN(state, b.Build(now));
    }
    const Snapshot* parent = state.CurrentSnapshot();
    nothing_to_do = false;
    result = RewriteManifestsResult{};
    if (parent == nullptr) {
      nothing_to_do = true;
      return Cancelled("the table has no snapshot");
    }
    ATOLL_ASSIGN_OR_RETURN(ManifestMergeOptions merge,
                           ManifestMergeOptions::FromProperties(state.properties));
    const int64_t target = options.target_size_bytes.value_or(merge.target_size_bytes);
    if (target <= 0)
      return InvalidArgument("the target manifest size must be positive, got ", target);
    ATOLL_ASSIGN_OR_RETURN(std::vector<ManifestFile> manifests, ManifestsOf(table.io(), *parent));

    // Data manifests by spec, in order of first appearance.
    std::vector<int32_t> spec_order;
    std::map<int32_t, std::vector<size_t>> groups;
    std::vector<ManifestFile> delete_manifests;
    for (size_t i = 0; i < manifests.size(); ++i) {
      if (manifests[i].content != ManifestContent::kData) {
        delete_manifests.push_back(manifests[i]);
        continue;
      }
      ++result.manifests_before;
      auto [it, fresh] = groups.try_emplace(manifests[i].partition_spec_id);
      if (fresh) spec_order.push_back(manifests[i].partition_spec_id);
      it->second.push_back(i);
    }

    if (!snapshot_id || state.SnapshotById(*snapshot_id) != nullptr) {
      do {
        snapshot_id = env.new_snapshot_id();
      } while (state.SnapshotById(*snapshot_id) != nullptr);
    }
    ManifestWriteContext ctx;
    ctx.io = &table.io();
    ctx.metadata = &state;
    ctx.metadata_dir = JoinLocation(state.location, "metadata");
    ctx.snapshot_id = *snapshot_id;
    ctx.sequence_number = state.last_sequence_number + 1;
    ctx.new_uuid = env.new_uuid;
    ctx.written = written;

    std::vector<ManifestFile> data_manifests;
    int64_t created = 0, kept = 0, replaced = 0, entries_processed = 0;
    for (int32_t spec_id : spec_order) {
      const std::vector<size_t>& group = groups[spec_id];
      int64_t bytes = 0;
      for (size_t i : group) bytes += manifests[i].manifest_length;
      const size_t outputs =
          static_cast<size_t>(std::max<int64_t>(1, (bytes + target - 1) / target));
      if (group.size() <= outputs) {
        for (size_t i : group) data_manifests.push_back(manifests[i]);
        kept += static_cast<int64_t>(group.size());
        continue;
      }
      std::vector<ManifestEntry> live;
      for (size_t i : group) {
        ATOLL_ASSIGN_OR_RETURN(Manifest m, ReadManifestFile(table.io(), manifests[i]));
        for (ManifestEntry& e : m.entries) {
          if (!e.is_live()) continue;
          e.status = EntryStatus::kExisting;
          live.push_back(std::move(e));
        }
      }
      entries_processed += static_cast<int64_t>(live.size());
      replaced += static_cast<int64_t>(group.size());
      if (live.empty()) continue;  // only deleted entries: the manifests simply go
      const size_t n = std::min(outputs, live.size());
      std::vector<ManifestFile> written_group(n);
      ATOLL_RETURN_NOT_OK(ParallelFor(n, 4, [&](size_t k) -> Status {
        size_t begin = live.size() * k / n, end = live.size() * (k + 1) / n;
        std::vector<ManifestEntry> chunk(live.begin() + static_cast<long>(begin),
                                         live.begin() + static_cast<long>(end));
        ATOLL_ASSIGN_OR_RETURN(written_group[k], WriteManifestFile(ctx, spec_id, chunk));
        return Status::OK();
      }));
      created += static_cast<int64_t>(n);
      for (ManifestFile& mf : written_group) data_manifests.push_back(std::move(mf));
    }
    result.manifests_after = static_cast<int64_t>(data_manifests.size());
    if (replaced == 0) {
      nothing_to_do = true;
      return Cancelled("no manifests to rewrite");
    }

    std::vector<ManifestFile> all = data_manifests;
    all.insert(all.end(), delete_manifests.begin(), delete_manifests.end());
    ManifestListWriteOptions lo;
    lo.snapshot_id = *snapshot_id;
    lo.parent_snapshot_id = parent->snapshot_id;
    lo.sequence_number = ctx.sequence_number;
    ATOLL_ASSIGN_OR_RETURN(std::string list_bytes, WriteManifestList(all, lo));
    std::string list_path =
        JoinLocation(ctx.metadata_dir,
                     StrCat("snap-", *snapshot_id, "-", attempt, "-", env.new_uuid(), ".avro"));
    written->Add(list_path);
    ATOLL_RETURN_NOT_OK(WriteNewFile(table.io(), list_path, std::move(list_bytes)));

    AttemptResult out;
    out.referenced.insert(list_path);
    std::set<std::string> ours = written->All();
    for (const ManifestFile& mf : all) {
      if (ours.count(mf.manifest_path)) out.referenced.insert(mf.manifest_path);
    }
    Snapshot s;
    s.snapshot_id = *snapshot_id;
    s.parent_snapshot_id = parent->snapshot_id;
    s.sequence_number = ctx.sequence_number;
    s.timestamp_ms = now;
    s.manifest_list = list_path;
    s.schema_id = state.current_schema_id;
    for (const auto& [key, value] : parent->summary) {
      if (key.starts_with("total-")) s.summary[key] = value;
    }
    s.summary["operation"] = kOperationReplace;
    s.summary["manifests-created"] = SummaryText(created);
    s.summary["manifests-kept"] = SummaryText(kept);
    s.summary["manifests-replaced"] = SummaryText(replaced);
    s.summary["entries-processed"] = SummaryText(entries_processed);

    TableMetadataBuilder b(state);
    b.AddSnapshot(s).SetCurrentSnapshot(s.snapshot_id);
    ATOLL_ASSIGN_OR_RETURN(state, b.Build(now));
    state.last_updated_ms = base.last_updated_ms;
    TableMetadataBuilder final_builder(std::move(state));
    ATOLL_ASSIGN_OR_RETURN(out.metadata,
                           final_builder.Build(now, base_location, MaxMetadataLog(base)));
    return out;
  };
  Result<CommitOutcome> outcome =
      CommitWithRetries(table.catalog(), table.io(), table.id(), table.metadata(),
                        table.metadata_location(), Rebasing(env), attempt_fn);
  if (!outcome.ok()) {
    // Nothing to do is not an error: the attempt stopped before writing anything.
    if (nothing_to_do && outcome.status().code() == StatusCode::kCancelled) return result;
    return outcome.status();
  }
  result.snapshot_id = snapshot_id;
  ATOLL_RETURN_NOT_OK(table.Refresh());
  return result;
}

}  // namespace atl::iceberg
