// ListPageBuilder: the listing logic (prefix, delimiter roll-up, page size, continuation
// tokens) shared by backends that list from their own sorted key set (memory, local).
//
// Thread safety: a ListPageBuilder is used by one thread.
#pragma once

#include <cstddef>
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
  std::string after_;  // continue strictly after this key/prefix
  bool after_is_prefix_ = false;
  size_t max_items_ = 1000;
  size_t items_ = 0;
  std::string last_token_;
  ListPage page_;
};

}  // namespace atl::storage
