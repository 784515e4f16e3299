// FilesChangedBy: the files one snapshot added to and removed from its table, read from
// the manifests that snapshot wrote.
//
// Errors: the FileIO's (kNotFound for a missing manifest list or manifest), kCorruption
// for unreadable Avro.
// Thread safety: a pure function of its arguments (FileIO's rule applies).
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/snapshot.h"

namespace atl::iceberg {

// Data and delete files alike (DataFile::content tells them apart).
struct SnapshotFileChanges {
  std::vector<DataFile> added;          // entries ADDED by the snapshot
  std::vector<DataFile> removed;        // entries DELETED by the snapshot
  std::vector<int32_t> added_spec_ids;  // the partition spec of each of `added`
};

// The entries carrying `snapshot`'s id in the manifests it added (the manifest list's
// added_snapshot_id); EXISTING entries are neither. A v1 snapshot without a manifest list
// gives nothing. `on_read`, when set, sees the bytes of the manifest list and of each
// manifest read (location, bytes), e.g. to hash them.
using FileBytesObserver = std::function<void(std::string_view location, std::string_view bytes)>;
Result<SnapshotFileChanges> FilesChangedBy(const FileIO& io, const Snapshot& snapshot,
                                           const FileBytesObserver& on_read = {});

}  // namespace atl::iceberg
