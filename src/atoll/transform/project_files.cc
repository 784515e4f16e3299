#include "atoll/transform/project_files.h"

#include <algorithm>

#include "atoll/storage/open_store.h"

namespace atl::transform {

ProjectFiles::ProjectFiles(std::shared_ptr<storage::Store> store, std::string prefix,
                           std::string description)
    : store_(std::move(store)), prefix_(std::move(prefix)), description_(std::move(description)) {}

Result<std::vector<std::string>> ProjectFiles::List(const std::string& dir) {
  std::string under = prefix_;
  if (!dir.empty()) under += dir + "/";
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<storage::ObjectInfo> objects,
      storage::ListAll(*store_, under).WithContext(StrCat("listing ", dir, " in ", description_)));
  std::vector<std::string> out;
  for (const auto& o : objects) {
    if (o.key.size() <= prefix_.size() || o.key.back() == '/') continue;
    std::string path = o.key.substr(prefix_.size());
    // Hidden files and folders (editor backups, .git, .DS_Store) are not project files.
    if (path[0] == '.' || path.find("/.") != std::string::npos) continue;
    out.push_back(std::move(path));
  }
  files_listed_ += out.size();
  if (files_listed_ > kMaxProjectFiles) {
    return InvalidArgument(description_, ": more than ", kMaxProjectFiles,
                           " files in the project's folders");
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<std::string> ProjectFiles::Read(const std::string& path) {
  const std::string key = prefix_ + path;
  ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, store_->Head(key).WithContext(path));
  if (info.size > kMaxProjectFileBytes) {
    return InvalidArgument(path, ": ", info.size, " bytes, more than the limit of ",
                           kMaxProjectFileBytes, " for a project file");
  }
  bytes_read_ += info.size;
  if (bytes_read_ > kMaxProjectBytes) {
    return InvalidArgument(description_, ": more than ", kMaxProjectBytes,
                           " bytes of project files");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string data, store_->Get(key).WithContext(path));
  if (data.size() > kMaxProjectFileBytes) return InvalidArgument(path, ": file too large");
  return data;
}

bool ProjectFiles::Exists(const std::string& path) { return store_->Head(prefix_ + path).ok(); }

Status ProjectFiles::Write(const std::string& path, std::string data) {
  return storage::PutString(*store_, prefix_ + path, std::move(data))
      .status()
      .WithContext(StrCat("writing ", Describe(path)));
}

std::string ProjectFiles::Describe(const std::string& path) const {
  std::string d = description_;
  while (!d.empty() && d.back() == '/') d.pop_back();
  return d + "/" + path;
}

Result<std::unique_ptr<ProjectFiles>> OpenProjectFiles(const std::string& uri) {
  ATOLL_ASSIGN_OR_RETURN(storage::Location loc,
                         storage::ResolveLocation(uri, storage::LocationUse::kRead));
  return std::make_unique<ProjectFiles>(loc.store, loc.DirPrefix(), uri);
}

}  // namespace atl::transform
