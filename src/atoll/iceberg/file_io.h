// FileIO: reads and writes the files a table names by absolute location.
//
// Iceberg metadata refers to files by absolute locations ("s3://bucket/wh/t/data/a.parquet",
// "file:///data/wh/t/metadata/v1.metadata.json", "/data/wh/..."). FileIO turns a location
// into a Store and a key:
//   - Mount(prefix, store): locations starting with `prefix` ("s3://bucket", "mem://t") are
//     served by `store`, the rest of the location after the following '/' being the key. The
//     longest matching mount wins; a mount matches only at a '/' boundary.
//   - Otherwise s3://bucket/... opens (once, cached) an S3 store from the AWS environment, and
//     local paths / file:/// URIs are served by one local store rooted at "/".
//   - Remap(from, to): tables copied from elsewhere keep their original locations; a location
//     starting with `from` (at a '/' boundary, like mounts) is read as `to` + the rest
//     (applied before resolution; see Map). The longest matching `from` wins.
//   - RemapFolder(name, root): for copied tables whose files name several different original
//     roots (absolute, hdfs://, gs://, or relative like "data/persistent/t/..."): a location
//     no Remap matches and that contains "/<name>/" (or starts with "<name>/") is read as
//     `root` + "/" + the part after the last "/<name>/". Locations already under `root` stay
//     as they are. Rules are tried in the order they were added.
//
// Errors: kInvalidArgument for a location no rule can serve (unknown scheme, relative
// path), naming it; otherwise the store's errors with the location as context.
// Thread safety: configure (Mount/Remap) before sharing; all const methods may then be
// called from many threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::iceberg {

class FileIO {
 public:
  FileIO() = default;

  void Mount(std::string prefix, std::shared_ptr<storage::Store> store);
  void Remap(std::string from, std::string to);
  void RemapFolder(std::string name, std::string root);

  // `location` after remapping (the location itself when no remap applies).
  std::string Map(std::string_view location) const;

  struct Target {
    std::shared_ptr<storage::Store> store;
    std::string key;
  };
  Result<Target> Resolve(std::string_view location) const;

  Result<std::string> Read(std::string_view location) const;
  Result<std::string> ReadRange(std::string_view location, uint64_t offset, uint64_t length) const;
  Result<storage::ObjectInfo> Head(std::string_view location) const;
  Result<storage::ObjectInfo> Write(
      std::string_view location, std::string bytes,
      storage::PutCondition condition = storage::PutCondition::kNone) const;
  // Deletes files (missing ones are not an error), grouped per store.
  Status Delete(const std::vector<std::string>& locations) const;
  // Every object under the directory location `dir` (recursive); each ObjectInfo.key is the
  // object's full location in the form `dir` was given in (after remapping).
  Result<std::vector<storage::ObjectInfo>> List(std::string_view dir) const;

 private:
  std::vector<std::pair<std::string, std::shared_ptr<storage::Store>>> mounts_;
  std::vector<std::pair<std::string, std::string>> remaps_;
  std::vector<std::pair<std::string, std::string>> folder_remaps_;  // (name, root)
  mutable std::mutex mu_;
  mutable std::map<std::string, std::shared_ptr<storage::Store>> opened_;  // "s3://b" or "/"
};

// Joins a directory location and a relative path with exactly one '/'.
std::string JoinLocation(std::string_view dir, std::string_view name);

}  // namespace atl::iceberg
