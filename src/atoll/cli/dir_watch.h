// Waiting for files to arrive in local folders, for `atoll watch` on a local-directory
// lake: inotify(7) watches on the folders and every folder below them, so a file copied in
// is seen at once instead of at the next poll.
//
// A change is a file closed after writing (IN_CLOSE_WRITE), a file moved in (IN_MOVED_TO)
// or a new folder (watched from then on, with what it already holds); names starting with
// ".atoll-" (the local store's own temporary files) are no change. Folders that vanish
// lose their watch; a root that is removed is not watched again.
//
// Thread safety: one thread.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "atoll/common/result.h"

namespace atl::cli {

class DirectoryWatch {
 public:
  // Watches the existing folders `roots` and their sub-folders. The errno of inotify as a
  // Status when it cannot watch a root (no such folder, the limit of watches reached); a
  // sub-folder it cannot watch is left to the caller's polling.
  static Result<std::unique_ptr<DirectoryWatch>> Open(const std::vector<std::string>& roots);
  ~DirectoryWatch();

  // Waits up to `timeout_ms` for a change; true when one came. Returns false early when
  // `stop` turns true (checked every 100 ms).
  bool Wait(int timeout_ms, const std::atomic<bool>& stop);

 private:
  explicit DirectoryWatch(int fd) : fd_(fd) {}
  // Adds a watch on `dir` and its sub-folders; true when any of them holds a file.
  bool AddTree(const std::string& dir);
  // Reads the pending events; true when one is a change.
  bool Drain();

  int fd_;
  std::vector<std::string> paths_;  // by watch descriptor
};

}  // namespace atl::cli
