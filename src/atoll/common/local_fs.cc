#include "atoll/common/local_fs.h"

#include <filesystem>

namespace atl {

Status ErrorCodeToStatus(const std::error_code& ec, std::string_view what) {
  if (!ec) return Status::OK();
  if (ec.category() == std::generic_category() || ec.category() == std::system_category())
    return ErrnoToStatus(ec.value(), what);
  return IOError(what, ": ", ec.message());
}

Status CreateDirectories(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  return ErrorCodeToStatus(ec, StrCat("creating ", path));
}

Result<uint64_t> LocalFileSize(const std::string& path) {
  std::error_code ec;
  const uint64_t size = std::filesystem::file_size(path, ec);
  if (ec) return ErrorCodeToStatus(ec, StrCat("sizing ", path));
  return size;
}

}  // namespace atl
