// MemoryStore: a Store held in process memory, with the exact semantics of the
// interface (conditional writes enforced, byte-wise ordered paginated listing with
// delimiters, an etag that changes on every write). Used by tests and as the reference
// the other backends are compared with.
//
// Thread safety: every MemoryStore method may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "atoll/storage/list_page_builder.h"
#include "atoll/storage/store.h"

namespace atl::storage {

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
