// The files of a dbt project, read from a store under a prefix: a local folder (a
// LocalStore rooted there) or a prefix of the lake's bucket ("<lake>/assets/transform/").
//
// Sizes are bounded (hostile projects): at most kMaxProjectFiles files under the listed
// folders, kMaxProjectFileBytes per file and kMaxProjectBytes read in all; beyond them the
// read fails with kInvalidArgument naming the limit.
//
// Thread safety: not thread-safe (counts what it has read).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::transform {

inline constexpr size_t kMaxProjectFiles = 50000;
inline constexpr uint64_t kMaxProjectFileBytes = 16ull << 20;
inline constexpr uint64_t kMaxProjectBytes = 512ull << 20;

class ProjectFiles {
 public:
  // `prefix` is "" or ends with '/'; `description` names the project in messages.
  ProjectFiles(std::shared_ptr<storage::Store> store, std::string prefix, std::string description);

  // The files under the folder `dir` (relative to the project, "" for the root), as paths
  // relative to the project root, sorted; hidden ones (a segment starting with '.') are
  // left out. A missing folder has no files.
  Result<std::vector<std::string>> List(const std::string& dir);
  // The content of `path` (relative). kNotFound when missing.
  Result<std::string> Read(const std::string& path);
  bool Exists(const std::string& path);
  // Writes `data` at `path` (relative), replacing what is there (target/manifest.json).
  Status Write(const std::string& path, std::string data);
  // `path` as a location a person can find: "<description>/<path>".
  std::string Describe(const std::string& path) const;

  const std::string& description() const { return description_; }

 private:
  std::shared_ptr<storage::Store> store_;
  std::string prefix_;
  std::string description_;
  size_t files_listed_ = 0;
  uint64_t bytes_read_ = 0;
};

// Opens the project at `uri` (a local folder, file:// or s3:// URI).
Result<std::unique_ptr<ProjectFiles>> OpenProjectFiles(const std::string& uri);

}  // namespace atl::transform
