// ScratchDir: a private local scratch directory "$TMPDIR/atoll-<name>-XXXXXX" that a killed
// process cannot leave behind for long.
//
// Each directory holds a lock file `.atoll-scratch.lock` on which the creating process keeps
// an exclusive flock(2) for the directory's lifetime. The kernel drops the lock when the
// process dies, however it dies (kill -9 included), so "the lock can be taken" means "its
// owner is gone" — also across PID namespaces and after PID reuse, where a pid check
// would guess wrong. SweepScratchDirs removes exactly those directories; directories
// without the lock file (not ours, or an older atoll's) are left alone.
//
// Thread safety: ScratchDir is a move-only value; the functions may run concurrently
// (a sweep never removes a directory whose lock is held).
#pragma once

#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl {

class ScratchDir {
 public:
  ScratchDir() = default;
  // Creates the directory under $TMPDIR (default /tmp) and takes its lock; sweeps the
  // directories of dead processes first (SweepScratchDirs).
  static Result<ScratchDir> Create(std::string_view name);
  ~ScratchDir();  // removes the directory (recursively) and drops the lock
  ScratchDir(ScratchDir&& other) noexcept;
  ScratchDir& operator=(ScratchDir&& other) noexcept;
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  static Result<ScratchDir> CreateOnce(const std::string& parent, std::string_view name);
  std::string path_;
  int lock_fd_ = -1;
};

// The name of the lock file inside a scratch directory.
inline constexpr std::string_view kScratchLockFile = ".atoll-scratch.lock";

// Removes the "atoll-*" (and half-made ".atoll-new-*") directories directly under `parent` whose
// lock file exists and whose lock is free (their process is dead). Returns how many were removed;
// errors (unreadable parent, a directory that cannot be removed) are skipped silently: a sweep is
// housekeeping and must never stop a command.
int SweepScratchDirs(const std::string& parent);

// $TMPDIR, or "/tmp" when unset or empty.
std::string TempParent();

}  // namespace atl
