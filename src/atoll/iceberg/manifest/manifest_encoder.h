// A fast writer of data manifests for commits of many files.
//
// WriteManifest (manifest.h) builds a generic Avro value tree per entry, which costs
// about 25 us per data file with metrics; a commit of 100,000 files cannot afford it.
// EncodeManifest produces the same container: it takes the header (schema and metadata)
// from WriteManifest of no entries, then encodes the entries straight from DataFile into
// blocks cut exactly where avro::Writer cuts them (64 KiB before compression), walking the
// Avro schema of that header by field id. With the same sync marker and codec level the
// bytes equal WriteManifest's (tests/iceberg/commit_manifest_test.cc checks it).
//
// `deflate_level` defaults to 1 (fast): manifests are small next to the time a commit
// may take, and readers do not care about the level.
//
// Errors: those of WriteManifest (bad partition tuples are kInvalidArgument naming the
// file); kInternal if the header schema holds a field this encoder does not know.
// Thread safety: a free function.
#pragma once

#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/manifest/manifest.h"

namespace atl::iceberg {

struct ManifestEncodeOptions {
  ManifestContent content = ManifestContent::kData;  // the "content" header key
  int format_version = 2;                            // 2 or 3 (v3 data_file fields)
  avro::Codec codec = avro::Codec::kDeflate;
  int deflate_level = 1;
  std::optional<std::string> sync_marker;  // 16 bytes; random when absent
};

Result<std::string> EncodeManifest(const Schema& schema, const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries,
                                   const ManifestEncodeOptions& options = {});

// The same for `count` data files ADDED by `snapshot_id` with sequence numbers left to
// inheritance, without copying them into ManifestEntry values.
Result<std::string> EncodeAddedManifest(const Schema& schema, const PartitionSpec& spec,
                                        const DataFile* files, size_t count, int64_t snapshot_id,
                                        const ManifestEncodeOptions& options = {});

}  // namespace atl::iceberg
