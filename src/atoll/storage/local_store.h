// LocalStore: a Store kept in a local directory (the embedded default).
//
// Layout: key "a/b/c.json" is the file <root>/a/b/c.json. Names whose segment starts
// with ".atoll-" are the store's own (temporary files, the lock file); keys using them
// are refused and listings never show them.
//
// Writes are atomic: the bytes go to a hidden temporary file in the destination
// directory, which is fsynced and then
//   - renamed over the key (PutCondition::kNone),
//   - hard-linked to the key (kIfAbsent): link(2) fails if the name exists, which is
//     atomic across processes (kAlreadyExists),
//   - renamed over the key after the current etag was compared (kIfMatch), while
//     holding an exclusive flock(2) on <root>/.atoll-lock.
// Conditional writes and DeleteMany hold that lock, so they are serialised across
// threads and processes that share the directory.
//
// ETag: derived from the file's inode, size and modification time. Each write stamps
// the file with a modification time whose sub-millisecond digits are random, so an
// etag differs after every write even when an inode number is reused within one tick
// of the file system clock.
//
// Security: keys are checked with ValidateKey, and paths are resolved beneath the root
// (openat2 with RESOLVE_BENEATH; for absolute symbolic links, and on kernels without
// openat2, by comparing the resolved real path with the real root). A key that would
// leave the root through a symbolic link is refused with kInvalidArgument. Symbolic
// links inside the root are followed by Get/Head/Put, but List shows regular files only
// and does not descend into linked directories.
//
// A file system cannot hold both key "a" and key "a/b" (a path is a file or a
// directory): such a write fails with kNotSupported. Keys ending in '/' (folder
// markers) are not supported either.
//
// Thread safety: all methods may be called concurrently, also from several processes.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "atoll/storage/store.h"

namespace atl::storage {

class LocalStore final : public Store {
 public:
  // Opens the store rooted at `root_dir` (created with its parents when missing and
  // `create_if_missing`). kNotFound when it is missing otherwise; kInvalidArgument when
  // it is not a directory.
  static Result<std::unique_ptr<LocalStore>> Open(std::string root_dir,
                                                  bool create_if_missing = true);
  ~LocalStore() override;

  Result<std::string> Get(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override;
  std::string Describe() const override;  // "file:///abs/real/path"

  // Whether another open file description refers to the file of `key` (a writer still
  // appending to it), asked with a write lease (fcntl F_SETLEASE, released at once), which
  // Linux grants only while nobody else has the file open. nullopt when the lease cannot
  // be asked for (the file belongs to another user and the process lacks CAP_LEASE, or
  // the file system has no leases). kNotFound when the key does not exist.
  Result<std::optional<bool>> OpenElsewhere(std::string_view key);

  // Deletes the store's own temporary files (".atoll-tmp-*": a write that died before its
  // rename, by kill -9 or a crash) under the folder `prefix` ("" = everywhere) whose last
  // change is before `older_than_ms` (ms since the epoch). No listing shows them, so orphan
  // removal (atoll maintain) calls this with its own age limit. Returns how many it
  // deleted. kInvalidArgument when `prefix` leaves the root.
  Result<int64_t> RemoveStaleTemporaries(std::string_view prefix, int64_t older_than_ms);

  // Makes the directory `dir` (a key prefix without trailing '/', e.g. "prepare/shop/orders")
  // with its parents, and keeps it: a hidden marker file (".atoll-keep", shown by no
  // listing) makes DeleteMany's removal of emptied directories stop there, so a user's
  // `cp file lake/prepare/db/table/` still finds the folder after its last file was taken.
  // kInvalidArgument when `dir` is not a valid key or leaves the root.
  Status KeepDirectory(std::string_view dir);

  // The real (symlink-free) path of the root directory.
  const std::string& root() const { return root_; }

 private:
  class Impl;
  explicit LocalStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  std::string root_;
};

}  // namespace atl::storage
