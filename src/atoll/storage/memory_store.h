// MemoryStore: a Store held in process memory, with the exact semantics of the
// interface (conditional writes enforced, byte-wise ordered paginated listing with
// delimiters, an etag that changes on every write). Used by tests and as the reference
// the other backends are compared with.
//
// ListPageBuilder: the listing logic (prefix, delimiter roll-up, page size, continuation
// tokens) shared by backends that list from their own sorted key set (memory, local).
//
// Thread safety: every MemoryStore method may be called concurrently. A ListPageBuilder
// is used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "atoll/storage/store.h"

namespace atl::storage {

// Builds one ListPage from keys fed in ascending byte-wise order.
//
// Continuation tokens are opaque to callers: "k" + the last key returned, or "p" + the
// last common prefix returned. The next page continues strictly after it.
class ListPageBuilder {
 public:
  // kInvalidArgument when the continuation token is not one this builder made.
  static Result<ListPageBuilder> Start(std::string_view prefix, const ListOptions& options);

  // The smallest key the caller needs to feed; smaller keys would be skipped anyway.
  const std::string& seek_key() const { return seek_; }

  // True when `key` (which starts with the prefix) is rolled up into a common prefix
  // or skipped, so its ObjectInfo is not needed: the caller may call Add with only the
  // key filled in. Lets a backend avoid a stat per rolled-up key.
  bool NeedsInfo(std::string_view key) const;

  // True when `key` would be rolled up into a common prefix (then so is every key
  // that starts with it, when it ends with the delimiter).
  bool RollsUp(std::string_view key) const { return !RollUp(key).empty(); }

  // Feeds the next key (ascending, starting with the prefix). Returns false when the
  // page is full and this key belongs to the next page: stop feeding then.
  bool Add(ObjectInfo info);

  ListPage Finish() &&;

 private:
  ListPageBuilder() = default;
  // The common prefix `key` rolls up into, or "" when it is listed as an object.
  std::string_view RollUp(std::string_view key) const;
  bool SkippedByToken(std::string_view key) const;
  std::string prefix_, delimiter_, seek_;
  std::string after_;            // continue strictly after this key/prefix
  bool after_is_prefix_ = false;
  size_t max_items_ = 1000;
  size_t items_ = 0;
  std::string last_token_;
  ListPage page_;
};

class MemoryStore final : public Store {
 public:
  // `name` appears in Describe() as "memory://<name>".
  explicit MemoryStore(std::string name = "store");

  Result<std::string> Get(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override;
  std::string Describe() const override;

 private:
  struct Object {
    std::shared_ptr<const std::string> data;
    std::string etag;
    int64_t mtime_ms = 0;
  };
  ObjectInfo InfoOf(const std::string& key, const Object& obj) const;
  std::string NextEtagLocked();

  const std::string name_;
  const uint64_t salt_;  // makes etags of different stores differ
  mutable std::mutex mu_;
  std::map<std::string, Object, std::less<>> objects_;  // guarded by mu_
  uint64_t generation_ = 0;                             // guarded by mu_
};

}  // namespace atl::storage
