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
// Partition file groups (the compact workers' units) and the files each writes. Target
// file size F; staging files are zstd Parquet written like the output (level 1, DuckDB's
// default row groups), so their bytes predict the output's. Per partition (sorted by
// partition path), with B its staging bytes:
//   N = max(1, round(B / F)) output files of f = B / N bytes each ("equal" layout), unless
//   N >= 2 and f is more than 10% off F: then the partition is ONE group of ceil(B / F)
//   files of F, the last one smaller ("remainder" layout; only when B < 4.5 F).
// Equal layout: a group holds about s consecutive output files, s = clamp(ceil(total
// files / (2 x workers)), 1, 4) (two groups per worker when there are enough files, few
// files per group so that estimation errors stay small). Group by group, with f recomputed
// as the partition's bytes left / files left: among the file edges (staging files in URI
// order) that give the group between (s - 0.5) f and (s + 0.5) f bytes (or the first edge
// past that), the one whose bytes split best into files of f ends the group, which writes
// n = max(1, round(bytes / f)) files of bytes / n each; the last group (at most 1.5 s files
// left) takes the rest in the files left. So every file of a partition is near B / N,
// within ±10% of F when staging files are small against F and the estimate holds, and no
// group leaves a remainder. Groups never span partitions; every staging file is in exactly
// one group. The compact step (compact.cc) cuts a group's files by rows, in proportion to
// file_size / the group's bytes, so that an output smaller or bigger than its staging
// bytes scales every file alike.
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
  int64_t n_output_file = 1;  // files the compaction is to write
  int64_t file_size = 0;      // staging bytes per output file (where it rolls over)
  int64_t bytes() const;
  int64_t records() const;  // sum of the known counts
};

// The largest number of output files of one equal-layout group.
inline constexpr int64_t kMaxFilesPerGroup = 4;

std::vector<PartitionFileGroup> PackPartitionGroups(std::vector<FileEntry> staging_files,
                                                    int64_t target_file_size, int workers);

}  // namespace atl::snapshot
