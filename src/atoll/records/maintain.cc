#include "atoll/records/maintain.h"

#include <chrono>
#include <cstdint>
#include <set>
#include <utility>

#include "atoll/records/lake_trail.h"
#include "atoll/records/trail_check.h"
#include "atoll/storage/local_store.h"

namespace atl::lake {

namespace {

// Records the commit that made `table`'s current metadata in the trail (lake_trail.h).
// The commit is durable whatever happens here, so a failure is only reported.
Status RecordMaintenance(const MaintainOptions& options, const iceberg::Table& table,
                         std::optional<int64_t> snapshot_before, trail::RecordKind kind,
                         std::vector<std::pair<std::string, std::string>> fields) {
  if (options.trail == nullptr || options.dry_run) return Status::OK();
  ATOLL_ASSIGN_OR_RETURN(TableChange change,
                         DescribeCommit(table, snapshot_before, options.command, kind));
  change.fields = std::move(fields);
  return RecordTableChange(*options.trail, change).status();
}

// Deletes `orphans` (listed from `table`'s current metadata) except the files a trail
// record of the table newer than that metadata (or, when its commit has no record, than
// the newest metadata of its log that has one) names: those belong to a commit the listing
// did not see (or the catalog was rolled back). The records are read after the listing.
// `orphans` keeps the deleted ones; returns how many were kept.
Result<size_t> DeleteUnprotectedOrphans(trail::Trail& trail, const iceberg::Table& table,
                                        std::vector<std::string>* orphans) {
  trail::ShowFilter filter;
  filter.table = table.id().ToString();
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<trail::Record> records, trail.Show(filter),
                             "reading the trail before deleting orphan files");
  std::vector<std::string> earlier;
  for (const iceberg::MetadataLogEntry& e : table.metadata().metadata_log) {
    earlier.push_back(e.metadata_file);
  }
  const std::set<std::string> named =
      FilesNamedAfter(records, filter.table, table.metadata_location(), earlier);
  // Compare by store and key: listings and records may spell a location differently.
  auto identity = [&](const std::string& location) -> Result<std::string> {
    ATOLL_ASSIGN_OR_RETURN(iceberg::FileIO::Target t, table.io().Resolve(location));
    return StrCat(reinterpret_cast<uintptr_t>(t.store.get()), "\n", t.key);
  };
  std::set<std::string> keep;
  for (const std::string& location : named) {
    Result<std::string> id = identity(location);
    if (id.ok()) keep.insert(std::move(*id));
  }
  std::vector<std::string> removable;
  for (const std::string& location : *orphans) {
    ATOLL_ASSIGN_OR_RETURN(std::string id, identity(location));
    if (!keep.count(id)) removable.push_back(location);
  }
  const size_t kept = orphans->size() - removable.size();
  if (!removable.empty())
    ATOLL_RETURN_NOT_OK_CTX(table.io().Delete(removable), "deleting orphan files");
  *orphans = std::move(removable);
  return kept;
}

// The local store's temporaries under `table`'s location older than the orphan age limit
// (0 when the table is not on a local store).
Result<int64_t> RemoveStaleTemporaries(const iceberg::Table& table,
                                       const iceberg::OrphanOptions& orphans) {
  ATOLL_ASSIGN_OR_RETURN(iceberg::FileIO::Target target, table.io().Resolve(table.location()));
  auto* local = dynamic_cast<storage::LocalStore*>(target.store.get());
  if (local == nullptr) return int64_t{0};
  const int64_t now =
      orphans.now_ms.value_or(std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::system_clock::now().time_since_epoch())
                                  .count());
  return local->RemoveStaleTemporaries(
      target.key, orphans.older_than_ms.value_or(now - iceberg::kDefaultOrphanGraceMs));
}

}  // namespace

const std::string& TableMaintenance::trail_error() const {
  static const std::string kNone;
  if (compact && !compact->trail_error.empty()) return compact->trail_error;
  if (orphans && !orphans->trail_error.empty()) return orphans->trail_error;
  if (rewrite && !rewrite->trail_error.empty()) return rewrite->trail_error;
  if (expire && !expire->trail_error.empty()) return expire->trail_error;
  return kNone;
}

TableMaintenance MaintainTable(const Lake& lake, const LakeTables& tables,
                               const iceberg::TableIdentifier& id,
                               const std::vector<iceberg::TableIdentifier>& all,
                               MaintainOptions options) {
  TableMaintenance result;
  result.table = id.ToString();
  auto fail = [&](const Status& st) {
    const std::string name = "'" + result.table + "'";
    result.status =
        st.message().find(name) == std::string::npos ? st.WithContext("table " + name) : st;
    return std::move(result);
  };
  // The trail never records its own zone's tables (lake_trail.h).
  if (IsTrailZoneTable(lake, id)) options.trail = nullptr;
  Result<iceberg::Table> loaded = LoadLakeTable(tables, id);
  if (!loaded.ok()) return fail(loaded.status());
  iceberg::Table& table = *loaded;

  if (options.compact && !IsTrailZoneTable(lake, id)) {
    if (options.engine == nullptr) return fail(InvalidArgument("compaction needs an engine"));
    CompactOptions compact = *options.compact;
    compact.trail = options.trail;
    compact.command = options.command;
    compact.dry_run = options.dry_run;
    Result<CompactOutcome> compacted = CompactTable(*options.engine, table, compact);
    if (!compacted.ok()) return fail(compacted.status());
    result.compact = std::move(*compacted);
  }

  const std::optional<int64_t> snapshot_before = table.metadata().current_snapshot_id;
  const std::string metadata_before = table.metadata_location();
  Result<iceberg::ExpireResult> expired = iceberg::ExpireSnapshots(table, options.expire);
  if (!expired.ok()) return fail(expired.status());
  ExpireOutcome expire;
  if (table.metadata_location() != metadata_before) {
    std::string ids;
    for (int64_t sid : expired->expired_snapshot_ids)
      ids += (ids.empty() ? "" : ",") + std::to_string(sid);
    Status st = RecordMaintenance(options, table, snapshot_before, trail::RecordKind::kExpire,
                                  {{kMaintenanceField, "expire-snapshots"}, {"expired", ids}});
    if (!st.ok()) expire.trail_error = st.message();
  }
  expire.expired = std::move(*expired);
  expire.snapshots_left = static_cast<int64_t>(table.metadata().snapshots.size());
  result.expire = std::move(expire);

  if (options.rewrite) {
    RewriteOutcome rewrite;
    if (options.dry_run) {
      rewrite.skipped_dry_run = true;
    } else {
      const std::optional<int64_t> before = table.metadata().current_snapshot_id;
      Result<iceberg::RewriteManifestsResult> rewritten = iceberg::RewriteManifests(table);
      if (!rewritten.ok()) return fail(rewritten.status());
      if (rewritten->snapshot_id) {
        Status st =
            RecordMaintenance(options, table, before, trail::RecordKind::kCompaction,
                              {{kMaintenanceField, "rewrite-manifests"},
                               {"manifests_before", std::to_string(rewritten->manifests_before)},
                               {"manifests_after", std::to_string(rewritten->manifests_after)}});
        if (!st.ok()) rewrite.trail_error = st.message();
      }
      rewrite.rewritten = *rewritten;
    }
    result.rewrite = std::move(rewrite);
  }

  for (const iceberg::TableIdentifier& other : all) {
    if (other.ToString() == result.table) continue;
    Result<std::string> location = tables.catalog->DefaultTableLocation(other);
    if (!location.ok()) return fail(location.status());
    if (location->starts_with(table.location() + "/"))
      options.orphans.exclude_locations.push_back(*location);
  }
  // With a trail, orphans are only listed here and deleted below, minus the files that a
  // record newer than the metadata the listing worked from names (a concurrent commit).
  const bool trail_guard = !options.dry_run && options.trail != nullptr;
  if (trail_guard) options.orphans.dry_run = true;
  Result<iceberg::OrphanResult> orphans = iceberg::RemoveOrphanFiles(table, options.orphans);
  if (!orphans.ok()) return fail(orphans.status());
  OrphanOutcome outcome;
  if (trail_guard) {
    Result<size_t> kept = DeleteUnprotectedOrphans(*options.trail, table, &orphans->orphans);
    if (!kept.ok()) return fail(kept.status());
    outcome.trail_protected = static_cast<int64_t>(*kept);
  }
  // Metadata files removed as orphans (fallen out of the metadata log) get a record, so
  // that `atoll trail verify` accepts their absence (lake_trail.h, kMaintenanceField).
  std::vector<trail::FileRef> removed_metadata;
  for (const std::string& path : orphans->orphans) {
    const std::string_view suffix = ".metadata.json";
    if (path.size() > suffix.size() && path.ends_with(suffix))
      removed_metadata.push_back({path, 0, ""});
  }
  if (!options.dry_run && options.trail != nullptr && !removed_metadata.empty()) {
    TableChange change;
    change.command = options.command;
    change.table = result.table;
    change.operation = trail::RecordKind::kExpire;
    change.snapshot_before = table.metadata().current_snapshot_id;
    change.snapshot_after = table.metadata().current_snapshot_id;
    change.files_removed = std::move(removed_metadata);
    change.fields = {{kMaintenanceField, "remove-orphan-files"}};
    Result<uint64_t> recorded = RecordTableChange(*options.trail, change);
    if (!recorded.ok()) outcome.trail_error = recorded.status().message();
  }
  // A write killed before its rename leaves a temporary file that no listing shows.
  if (!options.dry_run) {
    Result<int64_t> temporaries = RemoveStaleTemporaries(table, options.orphans);
    if (!temporaries.ok()) return fail(temporaries.status());
    outcome.temporaries_removed = *temporaries;
  }
  outcome.orphans = std::move(*orphans);
  result.orphans = std::move(outcome);
  return result;
}

Result<RollbackOutcome> RollbackTable(const Lake& lake, const LakeTables& tables,
                                      const iceberg::TableIdentifier& id, int64_t snapshot_id,
                                      trail::Trail* trail, const std::string& command) {
  const Zones& zones = lake.settings().zones;
  for (const std::string* own : {&zones.trail, &zones.stats, &zones.log}) {
    if (!id.ns.empty() && FoldCase(id.ns[0]) == FoldCase(*own)) {
      return PermissionDenied("table '", id.ToString(), "' is in the ", *own,
                              " zone, which holds the lake's own records: they are append-only "
                              "and cannot be rolled back");
    }
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, LoadLakeTable(tables, id));
  RollbackOutcome out;
  out.from = table.metadata().current_snapshot_id;
  out.to = snapshot_id;
  if (table.metadata().SnapshotById(snapshot_id) == nullptr) {
    std::string known;
    for (const iceberg::Snapshot& s : table.metadata().snapshots)
      known += (known.empty() ? "" : ", ") + std::to_string(s.snapshot_id);
    return NotFound(
        "table '", id.ToString(), "' has no snapshot ", snapshot_id,
        known.empty() ? std::string(" (it has none)") : " (its snapshots: " + known + ")");
  }
  if (out.from == snapshot_id) return out;  // already current
  iceberg::Transaction tx = table.NewTransaction();
  tx.SetCurrentSnapshot(snapshot_id);
  ATOLL_RETURN_NOT_OK_CTX(tx.Commit(), StrCat("rolling back table '", id.ToString(), "'"));
  if (trail != nullptr) {
    // Described as a change of metadata only (no files are added or removed), then with
    // the snapshot it moved from.
    Result<TableChange> change =
        DescribeCommit(table, snapshot_id, command, trail::RecordKind::kRollback);
    if (change.ok()) {
      change->snapshot_before = out.from;
      change->fields = {{"rollback_to", std::to_string(snapshot_id)}};
      Result<uint64_t> recorded = RecordTableChange(*trail, *change);
      if (!recorded.ok()) out.trail_error = recorded.status().message();
    } else {
      out.trail_error = change.status().message();
    }
  }
  return out;
}

}  // namespace atl::lake
