#include "atoll/storage/memory_store.h"

#include <algorithm>
#include <cstdio>
#include <random>

#include "atoll/common/clock.h"

namespace atl::storage {

// ---- MemoryStore ----

MemoryStore::MemoryStore(std::string name)
    : name_(std::move(name)),
      salt_(std::random_device{}() ^ (uint64_t{std::random_device{}()} << 32)) {}

std::string MemoryStore::NextEtagLocked() {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%016llx%08llx", static_cast<unsigned long long>(salt_),
                static_cast<unsigned long long>(++generation_));
  return buf;
}

ObjectInfo MemoryStore::InfoOf(const std::string& key, const Object& obj) const {
  return ObjectInfo{key, obj.data->size(), obj.etag, obj.mtime_ms};
}

Result<std::string> MemoryStore::Get(std::string_view key, ByteRange range) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  std::shared_ptr<const std::string> data;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) return NotFound("no such key '", key, "' in ", Describe());
    data = it->second.data;
  }
  if (range.offset >= data->size()) return std::string();
  uint64_t len = std::min<uint64_t>(range.length, data->size() - range.offset);
  return data->substr(range.offset, len);
}

Result<ObjectInfo> MemoryStore::Head(std::string_view key) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  if (it == objects_.end()) return NotFound("no such key '", key, "' in ", Describe());
  return InfoOf(it->first, it->second);
}

Result<ObjectInfo> MemoryStore::Put(std::string_view key, const Body& body,
                                    const PutOptions& options) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string bytes, body.Slice(0, body.size()),
                             StrCat("reading the body for '", key, "'"));
  auto data = std::make_shared<const std::string>(std::move(bytes));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(key);
  switch (options.condition) {
    case PutCondition::kNone:
      break;
    case PutCondition::kIfAbsent:
      if (it != objects_.end())
        return AlreadyExists("key '", key, "' already exists in ", Describe());
      break;
    case PutCondition::kIfMatch:
      if (it == objects_.end()) {
        return NotFound("conditional write to '", key, "': no such key in ", Describe());
      }
      if (it->second.etag != options.if_match) {
        return PreconditionFailed("conditional write to '", key, "': etag is '", it->second.etag,
                                  "', not the expected '", options.if_match, "'");
      }
      break;
  }
  Object obj{std::move(data), NextEtagLocked(), SystemNowMs()};
  auto [pos, inserted] = objects_.insert_or_assign(std::string(key), std::move(obj));
  return InfoOf(pos->first, pos->second);
}

Result<ListPage> MemoryStore::List(std::string_view prefix, const ListOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(ListPageBuilder builder, ListPageBuilder::Start(prefix, options));
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = objects_.lower_bound(builder.seek_key()); it != objects_.end(); ++it) {
    if (!it->first.starts_with(prefix)) break;
    ObjectInfo info;
    if (builder.NeedsInfo(it->first))
      info = InfoOf(it->first, it->second);
    else
      info.key = it->first;
    if (!builder.Add(std::move(info))) break;
  }
  return std::move(builder).Finish();
}

Status MemoryStore::DeleteMany(const std::vector<std::string>& keys) {
  for (const auto& key : keys) ATOLL_RETURN_NOT_OK(ValidateKey(key));
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& key : keys) objects_.erase(key);
  return Status::OK();
}

Result<ObjectInfo> MemoryStore::Copy(std::string_view src, std::string_view dst) {
  ATOLL_RETURN_NOT_OK(ValidateKey(src));
  ATOLL_RETURN_NOT_OK(ValidateKey(dst));
  std::lock_guard<std::mutex> lock(mu_);
  auto it = objects_.find(src);
  if (it == objects_.end())
    return NotFound("copy source '", src, "' does not exist in ", Describe());
  Object obj{it->second.data, NextEtagLocked(), SystemNowMs()};
  auto [pos, inserted] = objects_.insert_or_assign(std::string(dst), std::move(obj));
  return InfoOf(pos->first, pos->second);
}

std::string MemoryStore::Describe() const { return StrCat("memory://", name_); }

}  // namespace atl::storage
