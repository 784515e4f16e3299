#include "atoll/snapshot/grouping.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace atl::snapshot {

int64_t DeriveGroupTarget(int64_t total_bytes, int workers, int64_t configured) {
  if (configured > 0) return configured;
  const int64_t lo = int64_t{32} << 20, hi = int64_t{1} << 30;
  int64_t t = total_bytes / (4 * std::max(workers, 1));
  return std::clamp(t, lo, hi);
}

std::vector<std::vector<size_t>> PackFileGroups(const std::vector<int64_t>& sizes, int64_t target) {
  std::vector<std::vector<size_t>> groups;
  int64_t current = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (groups.empty() || (!groups.back().empty() && current + sizes[i] > target)) {
      groups.emplace_back();
      current = 0;
    }
    groups.back().push_back(i);
    current += sizes[i];
  }
  return groups;
}

int64_t PartitionFileGroup::bytes() const {
  int64_t n = 0;
  for (const FileEntry& f : files) n += f.size;
  return n;
}

int64_t PartitionFileGroup::records() const {
  int64_t n = 0;
  for (const FileEntry& f : files) n += f.n_record.value_or(0);
  return n;
}

namespace {

int64_t CeilDiv(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Output files for `bytes` bytes of a partition: max(1, round(bytes / F)).
int64_t FilesFor(int64_t bytes, int64_t target) {
  return std::max<int64_t>(1,
                           std::llround(static_cast<double>(bytes) / static_cast<double>(target)));
}

}  // namespace

std::vector<PartitionFileGroup> PackPartitionGroups(std::vector<FileEntry> staging_files,
                                                    int64_t target_file_size, int workers) {
  const int64_t target = std::max<int64_t>(target_file_size, 1);
  std::map<std::string, std::vector<FileEntry>> by_partition;
  for (FileEntry& f : staging_files) by_partition[f.partition].push_back(std::move(f));
  int64_t total_files = 0;
  for (auto& [partition, files] : by_partition) {
    int64_t bytes = 0;
    for (const FileEntry& f : files) bytes += f.size;
    total_files += FilesFor(bytes, target);
  }
  const int64_t per_group = std::clamp<int64_t>(
      CeilDiv(total_files, 2 * std::max<int64_t>(workers, 1)), 1, kMaxFilesPerGroup);

  std::vector<PartitionFileGroup> out;
  for (auto& [partition, files] : by_partition) {
    std::sort(files.begin(), files.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.uri < b.uri; });
    int64_t bytes = 0;
    for (const FileEntry& f : files) bytes += f.size;
    const int64_t n = FilesFor(bytes, target);
    const double f_size = static_cast<double>(bytes) / static_cast<double>(n);
    const bool remainder = n >= 2 && std::abs(f_size - static_cast<double>(target)) >
                                         0.1 * static_cast<double>(target);
    if (n == 1 || remainder) {
      PartitionFileGroup g{partition, std::move(files)};
      g.n_output_file = remainder ? CeilDiv(bytes, target) : 1;
      g.file_size = remainder ? target : bytes;
      out.push_back(std::move(g));
      continue;
    }
    // Equal layout, group by group: f is recomputed from what is left, and a group ends at
    // the file edge, among those giving about s files, whose bytes split best into files of f.
    int64_t left_files = n;
    int64_t left_bytes = bytes;
    double f = f_size;
    const double s = static_cast<double>(per_group);
    size_t i = 0;
    while (i < files.size()) {
      if (left_files >= 1) f = static_cast<double>(left_bytes) / static_cast<double>(left_files);
      size_t end = files.size();  // one past the group's last file
      if (left_files > per_group + per_group / 2) {
        double b = 0, best_error = 0;
        size_t best = 0;
        for (size_t k = i; k < files.size(); ++k) {
          b += static_cast<double>(files[k].size);
          if (b < (s - 0.5) * f && k + 1 < files.size()) continue;
          const double m = std::max(1.0, std::round(b / f));
          const double error = std::abs(b / m - f);
          if (best == 0 || error < best_error) {
            best = k + 1;
            best_error = error;
          }
          if (b > (s + 0.5) * f) break;
        }
        end = best;
      }
      PartitionFileGroup g{partition, {}};
      for (size_t k = i; k < end; ++k) g.files.push_back(std::move(files[k]));
      i = end;
      const int64_t group_bytes = g.bytes();
      g.n_output_file =
          i == files.size() && left_files >= 1
              ? left_files
              : std::max<int64_t>(1, std::llround(static_cast<double>(group_bytes) / f));
      g.file_size = CeilDiv(group_bytes, g.n_output_file);
      left_files -= g.n_output_file;
      left_bytes -= group_bytes;
      out.push_back(std::move(g));
    }
  }
  return out;
}

}  // namespace atl::snapshot
