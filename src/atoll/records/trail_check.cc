#include "atoll/records/trail_check.h"

#include <algorithm>
#include <map>

#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/records/lake_trail.h"
#include "atoll/trail/hash.h"

namespace atl::lake {

namespace {

using trail::FileRef;
using trail::Record;

constexpr char kSha256Prefix[] = "sha256:";

// A file a record names, with the record's sequence number.
struct Named {
  FileRef file;
  uint64_t seq = 0;
};

// What the trail says about one table.
struct TableTrail {
  const Record* latest = nullptr;                // the last record of the table
  const Record* latest_metadata = nullptr;       // the last one naming a metadata file
  std::map<std::string, uint64_t> metadata_seq;  // metadata location -> last record naming it
  std::map<std::string, Named> manifests;        // manifest lists and manifests, with checksums
  std::map<int64_t, uint64_t> snapshots_with_manifests;  // snapshot -> record listing its files
  std::map<std::string, Named> data;                     // data and delete files added
};

std::map<std::string, TableTrail> ByTable(const std::vector<Record>& records) {
  std::map<std::string, TableTrail> out;
  for (const Record& r : records) {
    if (r.table.empty()) continue;
    const bool view = std::any_of(r.fields.begin(), r.fields.end(), [](const auto& f) {
      return f.first == kRecordObjectField && f.second == kViewObject;
    });
    if (view) continue;
    TableTrail& t = out[r.table];
    t.latest = &r;
    if (!r.metadata_location.empty()) {
      t.latest_metadata = &r;
      t.metadata_seq[r.metadata_location] = r.sequence;
    }
    for (const FileRef& f : r.files_added) t.data[f.location] = {f, r.sequence};
    for (const auto& [key, value] : r.fields) {
      if (key != kManifestsField) continue;
      Result<std::vector<FileRef>> files = DecodeFileLines(value);
      if (!files.ok()) continue;  // malformed: the manifests are then not checked
      for (const FileRef& f : *files) t.manifests[f.location] = {f, r.sequence};
      if (r.snapshot_after) t.snapshots_with_manifests[*r.snapshot_after] = r.sequence;
    }
  }
  return out;
}

// Compares a file's bytes now with what record `named.seq` recorded; "" when they agree.
std::string Difference(const Named& named, uint64_t size, const std::string& checksum) {
  if (named.file.size != size)
    return StrCat("size differs (recorded ", named.file.size, ", now ", size, ")");
  if (!named.file.checksum.empty() && named.file.checksum != checksum)
    return StrCat("checksum differs (recorded ", named.file.checksum, ", now ", checksum, ")");
  return "";
}

class TableChecker {
 public:
  TableChecker(const LakeTables& tables, const std::string& name, const TableTrail& trail,
               const LakeCheckOptions& options, LakeCheckReport& report)
      : io_(*tables.io), name_(name), trail_(trail), options_(options), report_(report) {}

  void Run(const iceberg::Table& table) {
    CheckPointer(table);
    const iceberg::Snapshot* snap = table.metadata().CurrentSnapshot();
    std::map<std::string, iceberg::DataFile> live;  // files of the current snapshot
    if (snap != nullptr && !snap->manifest_list.empty()) CheckSnapshot(*snap, &live);
    // Manifests of older snapshots that are still there must be unchanged too.
    for (const auto& [location, named] : trail_.manifests) {
      if (checked_.count(location)) continue;
      Result<std::string> bytes = io_.Read(location);
      if (bytes.ok()) CompareBytes("manifest", location, named, *bytes);
    }
    if (!options_.data) return;
    for (const auto& [location, file] : live) CheckDataFile(location, &file);
    for (const auto& [location, named] : trail_.data) {
      if (!live.count(location)) CheckDataFile(location, nullptr);
    }
  }

 private:
  template <typename... Args>
  void Problem(const Args&... args) {
    report_.problems.push_back(StrCat(args...));
  }

  // The catalog's pointer must be the latest metadata file recorded for the table, or a
  // newer one descending from it (a commit whose record is missing: reconcile's warning).
  void CheckPointer(const iceberg::Table& table) {
    const Record* latest = trail_.latest_metadata;
    const std::string& current = table.metadata_location();
    if (latest == nullptr || current == latest->metadata_location) return;
    auto named = trail_.metadata_seq.find(current);
    if (named != trail_.metadata_seq.end()) {
      Problem("table ", name_, ": the catalog points at ", current, " (record ", named->second,
              "), but the trail's latest metadata for it is ", latest->metadata_location,
              " (record ", latest->sequence, "): rolled back without a record");
      return;
    }
    const iceberg::TableMetadata& md = table.metadata();
    for (const auto& entry : md.metadata_log) {
      if (entry.metadata_file == latest->metadata_location) return;
    }
    // The metadata log may have dropped it (write.metadata.previous-versions-max) after
    // many unrecorded commits: a later file still holds the recorded snapshot.
    if (latest->snapshot_after && md.SnapshotById(*latest->snapshot_after) != nullptr &&
        md.last_updated_ms >= latest->time_ms) {
      return;
    }
    Problem("table ", name_, ": the catalog points at ", current,
            ", which no trail record names and whose metadata log lacks the trail's latest "
            "metadata ",
            latest->metadata_location, " (record ", latest->sequence, ")");
  }

  void CompareBytes(const char* what, const std::string& location, const Named& named,
                    std::string_view bytes) {
    checked_.insert(location);
    ++report_.manifests;
    std::string diff = Difference(named, bytes.size(), BytesChecksum(bytes));
    if (!diff.empty())
      Problem(what, " ", location, " of table ", name_, " (record ", named.seq, "): ", diff);
  }

  // Reads a manifest list or manifest of the current snapshot and checks it against the
  // record that wrote it. `writer`: the snapshot that wrote the file, when known.
  Result<std::string> ReadChecked(const char* what, const std::string& location,
                                  std::optional<int64_t> writer) {
    Result<std::string> bytes = io_.Read(location);
    if (!bytes.ok()) {
      Problem(
          what, " ", location, " of table ", name_, " (current snapshot): ",
          bytes.status().code() == StatusCode::kNotFound ? "missing" : bytes.status().ToString());
      return bytes.status();
    }
    auto named = trail_.manifests.find(location);
    if (named != trail_.manifests.end()) {
      CompareBytes(what, location, named->second, *bytes);
    } else if (writer && trail_.snapshots_with_manifests.count(*writer)) {
      Problem(what, " ", location, " of table ", name_, " (current snapshot): record ",
              trail_.snapshots_with_manifests.at(*writer), " lists the files snapshot ", *writer,
              " wrote, and not this one");
    }
    return bytes;
  }

  void CheckSnapshot(const iceberg::Snapshot& snap,
                     std::map<std::string, iceberg::DataFile>* live) {
    Result<std::string> list_bytes =
        ReadChecked("manifest list", snap.manifest_list, snap.snapshot_id);
    if (!list_bytes.ok()) return;
    Result<iceberg::ManifestList> list = iceberg::ReadManifestList(*list_bytes, snap.manifest_list);
    if (!list.ok()) {
      Problem("manifest list ", snap.manifest_list, " of table ", name_, ": ",
              list.status().message());
      return;
    }
    for (const iceberg::ManifestFile& mf : list->manifests) {
      Result<std::string> bytes = ReadChecked("manifest", mf.manifest_path, mf.added_snapshot_id);
      if (!bytes.ok()) continue;
      Result<iceberg::Manifest> manifest = iceberg::ReadManifest(*bytes, mf.manifest_path, &mf);
      if (!manifest.ok()) {
        Problem("manifest ", mf.manifest_path, " of table ", name_, ": ",
                manifest.status().message());
        continue;
      }
      for (iceberg::ManifestEntry& e : manifest->entries) {
        if (e.status == iceberg::EntryStatus::kDeleted) continue;
        std::string path = e.data_file.file_path;
        live->emplace(std::move(path), std::move(e.data_file));
      }
    }
  }

  // A data or delete file against its record (and, when in the current snapshot, its
  // manifest entry). Recorded files outside the current snapshot may be gone (expired).
  void CheckDataFile(const std::string& location, const iceberg::DataFile* in_snapshot) {
    auto named = trail_.data.find(location);
    const bool recorded = named != trail_.data.end();
    const std::string where =
        recorded ? StrCat(" (record ", named->second.seq, ")") : std::string(" (current snapshot)");
    Result<storage::ObjectInfo> head = io_.Head(location);
    if (!head.ok()) {
      if (head.status().code() != StatusCode::kNotFound) {
        Problem("data file ", location, " of table ", name_, where, ": ", head.status().ToString());
      } else if (in_snapshot != nullptr) {
        Problem("data file ", location, " of table ", name_, where, ": missing");
      }
      return;
    }
    ++report_.data_files;
    if (in_snapshot != nullptr && head->size != static_cast<uint64_t>(std::max<int64_t>(
                                                    0, in_snapshot->file_size_in_bytes))) {
      Problem("data file ", location, " of table ", name_, where,
              ": size differs from its manifest (", in_snapshot->file_size_in_bytes, ", now ",
              head->size, ")");
      return;
    }
    if (!recorded) return;
    std::string checksum;
    uint64_t size = head->size;
    if (!named->second.file.checksum.empty()) {
      Result<FileRef> now = FileChecksum(io_, location);
      if (!now.ok()) {
        Problem("data file ", location, " of table ", name_, where, ": ", now.status().ToString());
        return;
      }
      report_.bytes_hashed += now->size;
      checksum = now->checksum;
      size = now->size;
    }
    std::string diff = Difference(named->second, size, checksum);
    if (!diff.empty()) Problem("data file ", location, " of table ", name_, where, ": ", diff);
  }

  const iceberg::FileIO& io_;
  const std::string& name_;
  const TableTrail& trail_;
  const LakeCheckOptions& options_;
  LakeCheckReport& report_;
  std::set<std::string> checked_;  // manifest files already compared
};

}  // namespace

Result<LakeCheckReport> CheckLakeAgainstTrail(const Lake& lake, const LakeTables& tables,
                                              const std::vector<Record>& records,
                                              const LakeCheckOptions& options) {
  LakeCheckReport report;
  const std::map<std::string, TableTrail> by_table = ByTable(records);
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, ListLakeTables(tables));
  std::set<std::string> in_catalog;
  for (const iceberg::TableIdentifier& id : ids) {
    if (IsTrailZoneTable(lake, id)) continue;
    const std::string name = id.ToString();
    in_catalog.insert(name);
    auto it = by_table.find(name);
    if (it == by_table.end()) continue;  // never recorded: reconcile's warning names it
    ++report.tables;
    Result<iceberg::Table> table = LoadLakeTable(tables, id);
    if (!table.ok()) {
      report.problems.push_back(
          StrCat("table ", name, ": cannot be loaded: ", table.status().message()));
      continue;
    }
    TableChecker(tables, name, it->second, options, report).Run(*table);
  }
  for (const auto& [name, t] : by_table) {
    if (in_catalog.count(name) || t.latest == nullptr) continue;
    if (t.latest->kind == trail::RecordKind::kDrop || t.latest->kind == trail::RecordKind::kRename)
      continue;
    report.problems.push_back(StrCat("table ", name, ": the trail records it (latest record ",
                                     t.latest->sequence,
                                     ") but the catalog has no such table (dropped without a "
                                     "record)"));
  }
  return report;
}

std::set<std::string> FilesNamedAfter(const std::vector<Record>& records, const std::string& table,
                                      const std::string& metadata_location,
                                      const std::vector<std::string>& earlier_metadata) {
  const std::set<std::string> earlier(earlier_metadata.begin(), earlier_metadata.end());
  std::optional<uint64_t> from;      // records after this one count
  std::optional<uint64_t> ancestor;  // the newest record of an earlier metadata file
  for (const Record& r : records) {
    if (r.table != table) continue;
    if (r.metadata_location == metadata_location) from = r.sequence;
    if (earlier.count(r.metadata_location)) ancestor = r.sequence;
  }
  if (!from) from = ancestor;
  std::set<std::string> out;
  for (const Record& r : records) {
    if (r.table != table || (from && r.sequence <= *from)) continue;
    if (!r.metadata_location.empty()) out.insert(r.metadata_location);
    for (const FileRef& f : r.files_added) out.insert(f.location);
    for (const auto& [key, value] : r.fields) {
      if (key != kManifestsField) continue;
      Result<std::vector<FileRef>> files = DecodeFileLines(value);
      if (!files.ok()) continue;
      for (const FileRef& f : *files) out.insert(f.location);
    }
  }
  return out;
}

}  // namespace atl::lake
