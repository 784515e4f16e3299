// Loading an Iceberg table straight from its folder of files (no catalog): the layout that
// Hadoop catalogs, PyIceberg's SQL catalog and copied test tables leave behind.
//
// LoadTableFromLocation(io, location):
//   - `location` is a table folder (holding metadata/) or a metadata file itself
//     (*.metadata.json, gzip-compressed *.gz.metadata.json / *.metadata.json.gz).
//   - For a folder: metadata/version-hint.text (or .txt), when present and non-empty, names
//     the version: a number N (v<N>.metadata.json or <N>-<uuid>.metadata.json; like Hadoop
//     tables, a newer consecutive version that exists wins) or a file name (with or without
//     ".metadata.json"). Otherwise, or when the hint names a missing file, the metadata file
//     with the highest version number is used (v<N>... or <NNNNN>-<uuid>...; other names
//     such as v3.1.metadata.json are ignored).
//   - Tables copied from elsewhere keep their writers' locations. When the recorded
//     `location` differs from the folder, remaps are registered on `io` so that every file
//     the metadata names resolves under the folder: Remap(recorded location, folder) and
//     RemapFolder(<folder name>, folder), i.e. the part after the last "/<folder name>/".
//
// Errors: kNotFound naming the folder when it holds no metadata file; kCorruption naming the
// file for metadata that does not parse as Iceberg table metadata (bad JSON, missing
// format-version, bad gzip); kNotSupported for format versions atoll does not read; I/O
// errors from `io`.
// Thread safety: configures `io` (call before sharing it).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

struct FolderTable {
  std::string metadata_location;  // the metadata file read (as resolved by `io`)
  TableMetadata metadata;
};

Result<FolderTable> LoadTableFromLocation(FileIO& io, std::string_view location);

// The version of a metadata file name ("v12.metadata.json" -> 12,
// "00003-8d01e4aa-d143-49c9-898e-b5e477577b70.metadata.json" -> 3, gzip forms too), or
// nullopt for other names.
std::optional<int64_t> MetadataFileNameVersion(std::string_view file_name);

// The contents of a single-member gzip file, CRC-checked. kCorruption naming `name`.
Result<std::string> GunzipBytes(std::string_view bytes, std::string_view name);

}  // namespace atl::iceberg
