#include "atoll/cli/dir_watch.h"

#include <poll.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

namespace atl::cli {

namespace {

constexpr uint32_t kMask = IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE;

bool IsOwnName(const char* name) { return std::string_view(name).starts_with(".atoll-"); }

}  // namespace

Result<std::unique_ptr<DirectoryWatch>> DirectoryWatch::Open(
    const std::vector<std::string>& roots) {
  const int fd = ::inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "inotify_init1");
  std::unique_ptr<DirectoryWatch> watch(new DirectoryWatch(fd));
  for (const std::string& root : roots) {
    if (::inotify_add_watch(fd, root.c_str(), kMask) < 0) {
      return ErrnoToStatus(errno, StrCat("watching ", root));
    }
    watch->AddTree(root);  // the same descriptor again, now recorded, and the sub-folders
  }
  return watch;
}

DirectoryWatch::~DirectoryWatch() { ::close(fd_); }

bool DirectoryWatch::AddTree(const std::string& dir) {
  // A folder that cannot be watched (the watch limit) is still seen by the poll.
  const int wd = ::inotify_add_watch(fd_, dir.c_str(), kMask);
  if (wd < 0) return false;
  if (static_cast<size_t>(wd) >= paths_.size()) paths_.resize(wd + 1);
  paths_[wd] = dir;
  bool holds_file = false;
  std::error_code ec;
  for (std::filesystem::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.starts_with(".atoll-")) continue;
    if (it->is_directory(ec) && !it->is_symlink(ec)) {
      holds_file = AddTree(it->path().string()) || holds_file;
    } else {
      holds_file = true;
    }
  }
  return holds_file;
}

bool DirectoryWatch::Drain() {
  alignas(struct inotify_event) char buffer[16384];
  bool changed = false;
  while (true) {
    const ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    for (ssize_t at = 0; at < n;) {
      const auto* event = reinterpret_cast<const struct inotify_event*>(buffer + at);
      at += sizeof(struct inotify_event) + event->len;
      if (event->len == 0 || IsOwnName(event->name)) continue;
      if (event->mask & IN_ISDIR) {
        if ((event->mask & (IN_CREATE | IN_MOVED_TO)) && event->wd >= 0 &&
            static_cast<size_t>(event->wd) < paths_.size()) {
          changed = AddTree(paths_[event->wd] + "/" + event->name) || changed;
        }
        continue;
      }
      if (event->mask & (IN_CLOSE_WRITE | IN_MOVED_TO)) changed = true;
    }
  }
  return changed;
}

bool DirectoryWatch::Wait(int timeout_ms, const std::atomic<bool>& stop) {
  for (int waited = 0; waited < timeout_ms && !stop.load(); waited += 100) {
    struct pollfd p {
      fd_, POLLIN, 0
    };
    if (::poll(&p, 1, 100) > 0 && Drain()) return true;
  }
  return false;
}

}  // namespace atl::cli
