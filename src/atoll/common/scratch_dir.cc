#include "atoll/common/scratch_dir.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace atl {

namespace fs = std::filesystem;

std::string TempParent() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

int SweepScratchDirs(const std::string& parent) {
  int removed = 0;
  std::error_code ec;
  fs::directory_iterator it(parent, ec);
  if (ec) return 0;
  for (const fs::directory_entry& entry : it) {
    const std::string name = entry.path().filename().string();
    if (name.rfind("atoll-", 0) != 0 && name.rfind(".atoll-new-", 0) != 0) continue;
    std::error_code type_ec;
    if (!entry.is_directory(type_ec) || entry.is_symlink(type_ec)) continue;
    const std::string lock = (entry.path() / std::string(kScratchLockFile)).string();
    int fd = ::open(lock.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) continue;  // not a scratch directory of this kind
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) {
      std::error_code rm_ec;
      fs::remove_all(entry.path(), rm_ec);
      if (!rm_ec) ++removed;
    }
    ::close(fd);  // drops our lock, if taken
  }
  return removed;
}

Result<ScratchDir> ScratchDir::CreateOnce(const std::string& parent, std::string_view name) {
  // Made under a hidden name, locked, then renamed: every visible "atoll-*" directory has
  // its lock file, so a kill can never leave one that no sweep recognises.
  std::string hidden = StrCat(parent, "/.atoll-new-", name, "-XXXXXX");
  if (::mkdtemp(hidden.data()) == nullptr) return ErrnoToStatus(errno, StrCat("creating ", hidden));
  ScratchDir dir;
  dir.path_ = hidden;
  const std::string lock = StrCat(hidden, "/", kScratchLockFile);
  dir.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (dir.lock_fd_ < 0) return ErrnoToStatus(errno, StrCat("creating ", lock));
  // A sweeper may have opened the fresh lock file already: whoever locks first wins, and a
  // sweeper that wins removes the directory, so re-check that ours still exists.
  if (::flock(dir.lock_fd_, LOCK_EX | LOCK_NB) != 0 || !fs::exists(lock)) {
    return Unavailable("a concurrent sweep took scratch directory ", hidden);
  }
  const std::string visible =
      StrCat(parent, "/atoll-", name, "-", hidden.substr(hidden.size() - 6));
  if (::renameat2(AT_FDCWD, hidden.c_str(), AT_FDCWD, visible.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    if (err == EEXIST)
      return Unavailable(visible, " exists already");  // tried again with a new name
    return ErrnoToStatus(err, StrCat("renaming ", hidden));
  }
  dir.path_ = visible;
  return dir;
}

Result<ScratchDir> ScratchDir::Create(std::string_view name) {
  const std::string parent = TempParent();
  SweepScratchDirs(parent);
  Result<ScratchDir> dir = CreateOnce(parent, name);
  for (int attempt = 0; attempt < 3 && !dir.ok() && dir.status().code() == StatusCode::kUnavailable;
       ++attempt) {
    dir = CreateOnce(parent, name);
  }
  return dir;
}

ScratchDir::~ScratchDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

ScratchDir::ScratchDir(ScratchDir&& other) noexcept
    : path_(std::move(other.path_)), lock_fd_(other.lock_fd_) {
  other.path_.clear();
  other.lock_fd_ = -1;
}

ScratchDir& ScratchDir::operator=(ScratchDir&& other) noexcept {
  if (this != &other) {
    this->~ScratchDir();
    path_ = std::move(other.path_);
    lock_fd_ = other.lock_fd_;
    other.path_.clear();
    other.lock_fd_ = -1;
  }
  return *this;
}

}  // namespace atl
