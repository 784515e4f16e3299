#include "atoll/records/lake_trail.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "atoll/common/clock.h"
#include "atoll/engine/appender.h"
#include "atoll/engine/serve_stores.h"
#include "atoll/iceberg/commit/snapshot_files.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/records/file_refs.h"
#include "atoll/records/system_tables.h"
#include "atoll/records/trail_check.h"
#include "atoll/table/data_writer.h"

namespace atl::lake {

namespace {

using trail::FileRef;
using trail::Record;
using trail::RecordKind;

std::string CurrentUser() {
  for (const char* name : {"USER", "LOGNAME"}) {
    const char* v = std::getenv(name);
    if (v != nullptr && *v != '\0') return v;
  }
  return "";
}

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "";
  return buf;
}

RecordKind KindOfOperation(const std::string& operation) {
  if (operation == "append") return RecordKind::kAppend;
  if (operation == "overwrite") return RecordKind::kOverwrite;
  if (operation == "delete") return RecordKind::kDelete;
  if (operation == "replace") return RecordKind::kCompaction;
  return RecordKind::kOther;
}

// What changed from `before` (nullptr: nothing before) to `after`, for metadata files
// that did not add a snapshot.
RecordKind KindOfMetadataChange(const iceberg::TableMetadata* before,
                                const iceberg::TableMetadata& after) {
  if (before == nullptr)
    return after.metadata_log.empty() ? RecordKind::kCreate : RecordKind::kOther;
  if (after.current_snapshot_id != before->current_snapshot_id && after.current_snapshot_id &&
      before->SnapshotById(*after.current_snapshot_id) != nullptr) {
    return RecordKind::kRollback;
  }
  if (after.snapshots.size() < before->snapshots.size()) return RecordKind::kExpire;
  if (after.current_schema_id != before->current_schema_id) return RecordKind::kSchemaChange;
  if (after.default_spec_id != before->default_spec_id) return RecordKind::kPartitionChange;
  if (after.default_sort_order_id != before->default_sort_order_id)
    return RecordKind::kSortOrderChange;
  if (after.properties != before->properties) return RecordKind::kPropertiesChange;
  return RecordKind::kOther;
}

// The metadata file `location` read, hashed and parsed.
struct ReadMetadata {
  trail::Hash sha256{};
  iceberg::TableMetadata metadata;
};

Result<ReadMetadata> ReadAndHash(const iceberg::FileIO& io, const std::string& location) {
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(location));
  ReadMetadata out;
  out.sha256 = trail::Sha256(bytes);
  ATOLL_ASSIGN_OR_RETURN(out.metadata, iceberg::TableMetadata::Parse(bytes, location));
  return out;
}

// A change of a snapshot the metadata file `after` added (or made current): the files it
// added (size and SHA-256, read back) and removed (size), and the manifest list and
// manifests it wrote (size and SHA-256).
Status FillSnapshotChange(const iceberg::FileIO& io, const iceberg::Snapshot& snapshot,
                          TableChange* change) {
  std::vector<FileRef> manifests;
  auto on_read = [&](std::string_view location, std::string_view bytes) {
    manifests.push_back({std::string(location), bytes.size(), BytesChecksum(bytes)});
  };
  ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::SnapshotFileChanges files,
                             iceberg::FilesChangedBy(io, snapshot, on_read),
                             StrCat("reading the manifests of snapshot ", snapshot.snapshot_id));
  change->files_added.clear();
  auto from_manifest = [](const iceberg::DataFile& f) {
    return FileRef{f.file_path, static_cast<uint64_t>(std::max<int64_t>(0, f.file_size_in_bytes)),
                   ""};
  };
  for (const iceberg::DataFile& f : files.added) {
    Result<FileRef> ref = FileChecksum(io, f.file_path);
    if (!ref.ok() && ref.status().code() != StatusCode::kNotFound)
      return ref.status().WithContext(StrCat("hashing ", f.file_path, " for the trail"));
    // A file already gone (reconciling an expired snapshot) keeps its manifest size only.
    change->files_added.push_back(ref.ok() ? std::move(*ref) : from_manifest(f));
  }
  change->files_removed.clear();
  for (const iceberg::DataFile& f : files.removed)
    change->files_removed.push_back(from_manifest(f));
  change->manifests = std::move(manifests);
  return Status::OK();
}

}  // namespace

Result<std::unique_ptr<trail::Trail>> OpenLakeTrail(const Lake& lake,
                                                    const LakeTrailOptions& options) {
  trail::TrailOptions t;
  t.prefix = lake.settings().zones.trail;
  t.key_path = options.key_path;
  t.pinned_public_key_pem = options.pinned_public_key_pem;
  t.checkpoint_every = options.checkpoint_every;
  return trail::Trail::Open(lake.shared_store(), std::move(t));
}

Result<TableChange> DescribeCommit(const iceberg::Table& table,
                                   std::optional<int64_t> snapshot_before, std::string command,
                                   std::optional<trail::RecordKind> operation) {
  TableChange change;
  change.command = std::move(command);
  change.table = table.id().ToString();
  change.snapshot_before = snapshot_before;
  change.snapshot_after = table.metadata().current_snapshot_id;
  change.metadata_location = table.metadata_location();
  ATOLL_ASSIGN_OR_RETURN_CTX(
      std::string bytes, table.io().Read(change.metadata_location),
      StrCat("reading ", change.metadata_location, " to record it in the trail"));
  change.metadata_sha256 = trail::Sha256(bytes);
  change.time_ms = table.metadata().last_updated_ms;
  RecordKind kind = RecordKind::kOther;
  const iceberg::Snapshot* current = table.metadata().CurrentSnapshot();
  if (current != nullptr && change.snapshot_after != snapshot_before) {
    // A commit retried on a newer base has that base's snapshot as parent.
    if (current->parent_snapshot_id) change.snapshot_before = current->parent_snapshot_id;
    kind = KindOfOperation(current->operation());
    ATOLL_RETURN_NOT_OK(FillSnapshotChange(table.io(), *current, &change));
  }
  change.operation = operation.value_or(kind);
  return change;
}

Result<Record> TableChangeRecord(const TableChange& change) {
  Record r;
  r.kind = change.operation;
  r.time_ms = change.time_ms != 0 ? change.time_ms : SystemNowMs();
  r.command = change.command;
  r.user = change.user.empty() ? CurrentUser() : change.user;
  r.host = HostName();
  r.table = change.table;
  r.snapshot_before = change.snapshot_before;
  r.snapshot_after = change.snapshot_after;
  r.metadata_location = change.metadata_location;
  r.metadata_sha256 = change.metadata_sha256;
  r.files_added = change.files_added;
  r.files_removed = change.files_removed;
  r.fields = change.fields;
  if (!change.manifests.empty())
    r.fields.emplace_back(kManifestsField, EncodeFileLines(change.manifests));
  for (const auto& [k, v] : r.fields) {
    if (k.empty())
      return InvalidArgument("trail record of ", change.table, ": a field has an empty key");
  }
  // Refuse what the format cannot hold here rather than inside Append.
  ATOLL_RETURN_NOT_OK(trail::EncodeRecord(r).status());
  return r;
}

Result<uint64_t> RecordTableChange(trail::Trail& trail, const TableChange& change) {
  ATOLL_ASSIGN_OR_RETURN(Record r, TableChangeRecord(change));
  return trail.Append(std::move(r))
      .WithContext(StrCat("recording the change of ", change.table, " in the trail"));
}

bool IsTrailZoneTable(const Lake& lake, const iceberg::TableIdentifier& id) {
  return !id.ns.empty() && id.ns.front() == lake.settings().zones.trail;
}

Result<ReconcileReport> ReconcileTrail(const Lake& lake, const LakeTables& tables,
                                       trail::Trail& trail, const ReconcileOptions& options) {
  // What the trail knows, per table.
  struct Known {
    std::set<std::string> metadata;
    std::set<int64_t> snapshots;
  };
  std::map<std::string, Known> known;
  ATOLL_ASSIGN_OR_RETURN(std::vector<Record> existing, trail.Show({}));
  for (const Record& r : existing) {
    if (r.table.empty()) continue;
    Known& k = known[r.table];
    if (!r.metadata_location.empty()) k.metadata.insert(r.metadata_location);
    if (r.snapshot_after) k.snapshots.insert(*r.snapshot_after);
  }

  ReconcileReport report;
  std::vector<Record> missing;
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, ListLakeTables(tables));
  for (const iceberg::TableIdentifier& id : ids) {
    if (IsTrailZoneTable(lake, id)) continue;
    if (!id.ns.empty() && std::find(options.skip_zones.begin(), options.skip_zones.end(),
                                    id.ns.front()) != options.skip_zones.end()) {
      continue;
    }
    ++report.tables;
    const std::string name = id.ToString();
    Result<iceberg::Table> loaded = LoadLakeTable(tables, id);
    if (!loaded.ok()) {
      // A table whose metadata is gone or unreadable is skipped (its own commands report
      // it); the store's trouble stops the reconciliation.
      const StatusCode code = loaded.status().code();
      if (code != StatusCode::kNotFound && code != StatusCode::kCorruption &&
          code != StatusCode::kInvalidArgument) {
        return loaded.status();
      }
      report.unreadable.emplace_back(name, loaded.status().message());
      continue;
    }
    const iceberg::Table& table = *loaded;
    Known& k = known[name];
    auto add = [&](TableChange change) -> Status {
      change.fields.insert(change.fields.begin(), {kRecoveredField, "true"});
      ATOLL_ASSIGN_OR_RETURN(Record r, TableChangeRecord(change));
      if (r.snapshot_after) k.snapshots.insert(*r.snapshot_after);
      if (!r.metadata_location.empty()) k.metadata.insert(r.metadata_location);
      missing.push_back(std::move(r));
      return Status::OK();
    };

    // 1. The metadata files of the table's history, oldest first.
    std::vector<std::string> chain;
    for (const auto& entry : table.metadata().metadata_log) chain.push_back(entry.metadata_file);
    chain.push_back(table.metadata_location());
    std::optional<ReadMetadata> previous;  // the file before the one examined, when read
    for (size_t i = 0; i < chain.size(); ++i) {
      const std::string& location = chain[i];
      const bool recorded = k.metadata.count(location) > 0;
      std::optional<ReadMetadata> current;
      if (!recorded) {
        Result<ReadMetadata> read = ReadAndHash(*tables.io, location);
        if (read.ok()) {
          current = std::move(*read);
        } else if (read.status().code() != StatusCode::kNotFound) {
          return read.status().WithContext(StrCat("reconciling the trail of ", name));
        }  // a file deleted since (metadata.delete-after-commit): its snapshot is found below
      }
      if (current) {
        const iceberg::TableMetadata& md = current->metadata;
        const iceberg::TableMetadata* before = previous ? &previous->metadata : nullptr;
        TableChange change;
        change.command = options.command;
        change.table = name;
        change.snapshot_before = before ? before->current_snapshot_id : std::nullopt;
        change.snapshot_after = md.current_snapshot_id;
        change.metadata_location = location;
        change.metadata_sha256 = current->sha256;
        change.time_ms = md.last_updated_ms;
        const iceberg::Snapshot* snap = md.CurrentSnapshot();
        // A snapshot this file made current for the first time (not in the file before it,
        // when that one is known, and named by no record).
        const bool new_snapshot =
            snap != nullptr && k.snapshots.count(snap->snapshot_id) == 0 &&
            (before == nullptr || before->SnapshotById(snap->snapshot_id) == nullptr);
        if (before == nullptr && md.metadata_log.empty()) {
          change.operation = RecordKind::kCreate;
        } else if (new_snapshot) {
          change.operation = KindOfOperation(snap->operation());
          if (before == nullptr) change.snapshot_before = snap->parent_snapshot_id;
        } else {
          change.operation = KindOfMetadataChange(before, md);
        }
        if (new_snapshot) ATOLL_RETURN_NOT_OK(FillSnapshotChange(*tables.io, *snap, &change));
        ATOLL_RETURN_NOT_OK(add(std::move(change)));
      }
      // The next file's predecessor: this one, read only when the next one needs it.
      previous.reset();
      if (i + 1 < chain.size() && k.metadata.count(chain[i + 1]) == 0) {
        if (current) {
          previous = std::move(*current);
        } else {
          Result<ReadMetadata> again = ReadAndHash(*tables.io, location);
          if (again.ok()) previous = std::move(*again);
        }
      }
    }

    // 2. Snapshots of the current metadata that no record names (older history whose
    //    metadata files are gone), oldest first.
    std::vector<const iceberg::Snapshot*> snaps;
    for (const iceberg::Snapshot& s : table.metadata().snapshots) snaps.push_back(&s);
    std::sort(snaps.begin(), snaps.end(),
              [](const iceberg::Snapshot* a, const iceberg::Snapshot* b) {
                return std::tie(a->sequence_number, a->timestamp_ms, a->snapshot_id) <
                       std::tie(b->sequence_number, b->timestamp_ms, b->snapshot_id);
              });
    for (const iceberg::Snapshot* s : snaps) {
      if (k.snapshots.count(s->snapshot_id) > 0) continue;
      TableChange change;
      change.command = options.command;
      change.table = name;
      change.operation = KindOfOperation(s->operation());
      change.snapshot_before = s->parent_snapshot_id;
      change.snapshot_after = s->snapshot_id;
      change.time_ms = s->timestamp_ms;
      ATOLL_RETURN_NOT_OK(FillSnapshotChange(*tables.io, *s, &change));
      ATOLL_RETURN_NOT_OK(add(std::move(change)));
    }
  }

  if (missing.empty() || options.dry_run) {
    report.added = std::move(missing);
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(uint64_t first, trail.AppendBatch(missing));
  for (size_t i = 0; i < missing.size(); ++i) missing[i].sequence = first + i;
  report.added = std::move(missing);
  return report;
}

Result<std::map<std::string, trail::Hash>> MetadataRemovedByMaintenance(trail::Trail& trail) {
  struct Named {
    uint64_t seq = 0;
    trail::Hash hash{};
    std::string table;
  };
  std::map<std::string, Named> named;  // location -> the last record naming it with a hash
  std::map<std::string, trail::Hash> removed;
  ATOLL_ASSIGN_OR_RETURN(std::vector<Record> records, trail.Show({}));
  for (const Record& r : records) {
    if (!r.metadata_location.empty() && r.metadata_sha256)
      named[r.metadata_location] = {r.sequence, *r.metadata_sha256, r.table};
    bool maintenance = false;
    for (const auto& [key, value] : r.fields) maintenance = maintenance || key == kMaintenanceField;
    if (!maintenance) continue;
    for (const FileRef& f : r.files_removed) {
      auto it = named.find(f.location);
      if (it != named.end() && it->second.seq < r.sequence && it->second.table == r.table)
        removed[f.location] = it->second.hash;
    }
  }
  return removed;
}

trail::MetadataHasher LakeMetadataHasher(std::shared_ptr<iceberg::FileIO> io,
                                         std::map<std::string, trail::Hash> removed) {
  return [io = std::move(io),
          removed = std::move(removed)](const std::string& location) -> Result<trail::Hash> {
    Result<std::string> bytes = io->Read(location);
    if (!bytes.ok()) {
      auto it = removed.find(location);
      if (bytes.status().code() == StatusCode::kNotFound && it != removed.end()) return it->second;
      return bytes.status();
    }
    return trail::Sha256(*bytes);
  };
}

trail::MetadataHasher LakeMetadataHasher(std::shared_ptr<iceberg::FileIO> io) {
  return [io = std::move(io)](const std::string& location) -> Result<trail::Hash> {
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, io->Read(location));
    return trail::Sha256(bytes);
  };
}

}  // namespace atl::lake
