#include "atoll/snapshot/grouping.h"

#include <algorithm>
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

std::vector<PartitionFileGroup> PackPartitionGroups(std::vector<FileEntry> staging_files,
                                                    int64_t target_file_size) {
  std::map<std::string, std::vector<FileEntry>> by_partition;
  for (FileEntry& f : staging_files) by_partition[f.partition].push_back(std::move(f));
  std::vector<PartitionFileGroup> out;
  const double close_at = 0.9 * static_cast<double>(target_file_size);
  const double limit = 1.2 * static_cast<double>(target_file_size);
  for (auto& [partition, files] : by_partition) {
    std::sort(files.begin(), files.end(),
              [](const FileEntry& a, const FileEntry& b) { return a.uri < b.uri; });
    PartitionFileGroup current{partition, {}};
    double bytes = 0;
    for (FileEntry& f : files) {
      if (!current.files.empty() && bytes + static_cast<double>(f.size) > limit) {
        out.push_back(std::move(current));
        current = PartitionFileGroup{partition, {}};
        bytes = 0;
      }
      bytes += static_cast<double>(f.size);
      current.files.push_back(std::move(f));
      if (bytes >= close_at) {
        out.push_back(std::move(current));
        current = PartitionFileGroup{partition, {}};
        bytes = 0;
      }
    }
    if (!current.files.empty()) out.push_back(std::move(current));
  }
  return out;
}

}  // namespace atl::snapshot
