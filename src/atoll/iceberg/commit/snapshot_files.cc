#include "atoll/iceberg/commit/snapshot_files.h"

#include "atoll/iceberg/manifest/manifest_list.h"

namespace atl::iceberg {

Result<SnapshotFileChanges> FilesChangedBy(const FileIO& io, const Snapshot& snapshot,
                                           const FileBytesObserver& on_read) {
  SnapshotFileChanges out;
  if (snapshot.manifest_list.empty()) return out;
  ATOLL_ASSIGN_OR_RETURN(std::string list_bytes, io.Read(snapshot.manifest_list));
  if (on_read) on_read(snapshot.manifest_list, list_bytes);
  ATOLL_ASSIGN_OR_RETURN(ManifestList list, ReadManifestList(list_bytes, snapshot.manifest_list));
  for (const ManifestFile& mf : list.manifests) {
    if (mf.added_snapshot_id != snapshot.snapshot_id) continue;
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(mf.manifest_path));
    if (on_read) on_read(mf.manifest_path, bytes);
    ATOLL_ASSIGN_OR_RETURN(Manifest manifest, ReadManifest(bytes, mf.manifest_path, &mf));
    for (ManifestEntry& e : manifest.entries) {
      if (e.snapshot_id != snapshot.snapshot_id || e.status == EntryStatus::kExisting) continue;
      if (e.status == EntryStatus::kAdded) {
        out.added.push_back(std::move(e.data_file));
        out.added_spec_ids.push_back(mf.partition_spec_id);
      } else {
        out.removed.push_back(std::move(e.data_file));
      }
    }
  }
  return out;
}

}  // namespace atl::iceberg
