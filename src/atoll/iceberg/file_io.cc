#include "atoll/iceberg/file_io.h"

#include <algorithm>
#include <filesystem>
#include <map>

#include "atoll/storage/local_store.h"
#include "atoll/storage/s3/s3_store.h"

namespace atl::iceberg {
namespace {

bool StartsAtBoundary(std::string_view location, std::string_view prefix) {
  if (location.substr(0, prefix.size()) != prefix) return false;
  return location.size() == prefix.size() || location[prefix.size()] == '/' ||
         (!prefix.empty() && prefix.back() == '/');
}

// The key after `prefix` (without the separating '/').
std::string KeyAfter(std::string_view location, std::string_view prefix) {
  std::string_view rest = location.substr(prefix.size());
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  return std::string(rest);
}

}  // namespace

std::string JoinLocation(std::string_view dir, std::string_view name) {
  std::string out(dir);
  while (!out.empty() && out.back() == '/') out.pop_back();
  while (!name.empty() && name.front() == '/') name.remove_prefix(1);
  out += '/';
  out += name;
  return out;
}

void FileIO::Mount(std::string prefix, std::shared_ptr<storage::Store> store) {
  while (prefix.size() > 1 && prefix.back() == '/') prefix.pop_back();
  mounts_.emplace_back(std::move(prefix), std::move(store));
  std::stable_sort(mounts_.begin(), mounts_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void FileIO::Remap(std::string from, std::string to) {
  remaps_.emplace_back(std::move(from), std::move(to));
  std::stable_sort(remaps_.begin(), remaps_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

void FileIO::RemapFolder(std::string name, std::string root) {
  while (!name.empty() && name.back() == '/') name.pop_back();
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  folder_remaps_.emplace_back(std::move(name), std::move(root));
}

std::string FileIO::Map(std::string_view location) const {
  for (const auto& [from, to] : remaps_) {
    if (StartsAtBoundary(location, from)) {
      return std::string(to) + std::string(location.substr(from.size()));
    }
  }
  for (const auto& [name, root] : folder_remaps_) {
    if (name.empty()) continue;
    if (StartsAtBoundary(location, root)) return std::string(location);
    const std::string needle = "/" + name + "/";
    size_t pos = location.rfind(needle);
    if (pos != std::string_view::npos)
      return JoinLocation(root, location.substr(pos + needle.size()));
    if (location.substr(0, name.size() + 1) == needle.substr(1)) {
      return JoinLocation(root, location.substr(name.size() + 1));
    }
  }
  return std::string(location);
}

Result<FileIO::Target> FileIO::Resolve(std::string_view original) const {
  const std::string location = Map(original);
  for (const auto& [prefix, store] : mounts_) {
    if (StartsAtBoundary(location, prefix)) {
      Target t{store, KeyAfter(location, prefix)};
      ATOLL_RETURN_NOT_OK(storage::ValidateKey(t.key).WithContext("location '" + location + "'"));
      return t;
    }
  }
  std::string_view loc = location;
  if (loc.starts_with("s3://") || loc.starts_with("s3a://")) {
    loc.remove_prefix(loc[2] == 'a' ? 6 : 5);
    size_t slash = loc.find('/');
    std::string bucket(loc.substr(0, slash));
    if (bucket.empty() || slash == std::string_view::npos) {
      return InvalidArgument("location '", location, "' names no object (write s3://bucket/key)");
    }
    std::shared_ptr<storage::Store> store;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = opened_.find("s3://" + bucket);
      if (it != opened_.end()) {
        store = it->second;
      } else {
        ATOLL_ASSIGN_OR_RETURN(storage::S3Config config,
                               storage::S3Config::FromEnvironment(bucket));
        ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::S3Store> s3,
                               storage::S3Store::Open(std::move(config)));
        store = std::shared_ptr<storage::Store>(std::move(s3));
        opened_.emplace("s3://" + bucket, store);
      }
    }
    Target t{store, KeyAfter(loc, bucket)};
    ATOLL_RETURN_NOT_OK(storage::ValidateKey(t.key).WithContext("location '" + location + "'"));
    return t;
  }
  if (loc.starts_with("file://")) {
    loc.remove_prefix(7);
    if (loc.empty() || loc.front() != '/') {
      return InvalidArgument("file location '", location, "' must be file:///absolute/path");
    }
  }
  if (loc.empty() || loc.front() != '/') {
    return InvalidArgument(
        "location '", location,
        "' is neither absolute nor served by a mount (use s3://bucket/key, file:///path or /path)");
  }
  std::string path = std::filesystem::path(std::string(loc)).lexically_normal().string();
  std::shared_ptr<storage::Store> store;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = opened_.find("/");
    if (it != opened_.end()) {
      store = it->second;
    } else {
      ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::LocalStore> local,
                             storage::LocalStore::Open("/", false));
      store = std::shared_ptr<storage::Store>(std::move(local));
      opened_.emplace("/", store);
    }
  }
  Target t{store, KeyAfter(path, "")};
  ATOLL_RETURN_NOT_OK(storage::ValidateKey(t.key).WithContext("location '" + location + "'"));
  return t;
}

Result<std::string> FileIO::Read(std::string_view location) const {
  ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(location));
  return t.store->Get(t.key).WithContext("reading '" + std::string(location) + "'");
}

Result<std::string> FileIO::ReadRange(std::string_view location, uint64_t offset,
                                      uint64_t length) const {
  ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(location));
  return t.store->Get(t.key, storage::ByteRange::Slice(offset, length))
      .WithContext("reading '" + std::string(location) + "'");
}

Result<storage::ObjectInfo> FileIO::Head(std::string_view location) const {
  ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(location));
  return t.store->Head(t.key).WithContext("looking up '" + std::string(location) + "'");
}

Result<storage::ObjectInfo> FileIO::Write(std::string_view location, std::string bytes,
                                          storage::PutCondition condition) const {
  ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(location));
  storage::PutOptions options;
  options.condition = condition;
  return storage::PutString(*t.store, t.key, std::move(bytes), options)
      .WithContext("writing '" + std::string(location) + "'");
}

Status FileIO::Delete(const std::vector<std::string>& locations) const {
  std::map<storage::Store*, std::pair<std::shared_ptr<storage::Store>, std::vector<std::string>>>
      groups;
  for (const std::string& location : locations) {
    ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(location));
    auto& group = groups[t.store.get()];
    group.first = t.store;
    group.second.push_back(std::move(t.key));
  }
  for (auto& [ptr, group] : groups) {
    ATOLL_RETURN_NOT_OK(group.first->DeleteMany(group.second).WithContext("deleting files"));
  }
  return Status::OK();
}

Result<std::vector<storage::ObjectInfo>> FileIO::List(std::string_view dir) const {
  std::string mapped = Map(dir);
  while (mapped.size() > 1 && mapped.back() == '/') mapped.pop_back();
  ATOLL_ASSIGN_OR_RETURN(Target t, Resolve(mapped));
  std::string prefix = t.key.empty() ? "" : t.key + "/";
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<storage::ObjectInfo> objects,
      storage::ListAll(*t.store, prefix).WithContext("listing '" + mapped + "'"));
  for (storage::ObjectInfo& o : objects) o.key = JoinLocation(mapped, o.key.substr(prefix.size()));
  return objects;
}

}  // namespace atl::iceberg
