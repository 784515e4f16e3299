// The two packing rules of the pipeline (pure functions, unit-tested).
//
// Snapshot file groups (the stage workers' units of work). Target size T:
//   T = the configured group size when given (--group-size), else
//   T = total bytes / (4 × workers), clamped to [32 MiB, 1 GiB]
// (about four groups per worker so that uneven groups even out, never so small that a
// worker's start-up dominates, never so big that a group's rows overflow a worker's memory).
// Files are taken in manifest order (sorted by URI); a group is closed when adding the
// next file would take it over T. A file bigger than T forms a group of its own.
//
// Partition file groups (the compact workers' units). Per partition (sorted by partition
// path), staging files sorted by URI are packed greedily for an output of about the
// target file size F: a group is closed once it holds ≥ 0.9 × F, or before a file that
// would take it over 1.2 × F. Staging files are zstd Parquet like the output, so their
// bytes predict the output's. Groups never span partitions.
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atoll/snapshot/file_manifest.h"

namespace atl::snapshot {

int64_t DeriveGroupTarget(int64_t total_bytes, int workers, int64_t configured);

// Groups of indices into `sizes`, in order; every index in exactly one group.
std::vector<std::vector<size_t>> PackFileGroups(const std::vector<int64_t>& sizes, int64_t target);

struct PartitionFileGroup {
  std::string partition;  // "k1=v1/k2=v2"
  std::vector<FileEntry> files;
  int64_t bytes() const;
  int64_t records() const;  // sum of the known counts
};

std::vector<PartitionFileGroup> PackPartitionGroups(std::vector<FileEntry> staging_files,
                                                    int64_t target_file_size);

}  // namespace atl::snapshot
