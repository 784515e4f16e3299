#include "atoll/storage/prefix_store.h"

namespace atl::storage {

Result<std::unique_ptr<PrefixStore>> PrefixStore::Make(std::shared_ptr<Store> inner,
                                                       std::string_view prefix) {
  if (inner == nullptr) return InvalidArgument("PrefixStore needs an inner store");
  std::string p(prefix);
  while (!p.empty() && p.back() == '/') p.pop_back();
  if (!p.empty()) {
    ATOLL_RETURN_NOT_OK(ValidateKey(p).WithContext(StrCat("key prefix '", prefix, "'")));
    p += '/';
  }
  return std::unique_ptr<PrefixStore>(new PrefixStore(std::move(inner), std::move(p)));
}

Result<std::string> PrefixStore::Inner(std::string_view key) const {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  return StrCat(prefix_, key);
}

ObjectInfo PrefixStore::Outer(ObjectInfo info) const {
  info.key.erase(0, std::min(prefix_.size(), info.key.size()));
  return info;
}

Result<std::string> PrefixStore::Get(std::string_view key, ByteRange range) {
  ATOLL_ASSIGN_OR_RETURN(std::string k, Inner(key));
  return inner_->Get(k, range);
}

Result<ObjectInfo> PrefixStore::Head(std::string_view key) {
  ATOLL_ASSIGN_OR_RETURN(std::string k, Inner(key));
  ATOLL_ASSIGN_OR_RETURN(ObjectInfo info, inner_->Head(k));
  return Outer(std::move(info));
}

Result<ObjectInfo> PrefixStore::Put(std::string_view key, const Body& body,
                                    const PutOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::string k, Inner(key));
  ATOLL_ASSIGN_OR_RETURN(ObjectInfo info, inner_->Put(k, body, options));
  return Outer(std::move(info));
}

Result<ListPage> PrefixStore::List(std::string_view prefix, const ListOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(ListPage page, inner_->List(StrCat(prefix_, prefix), options));
  for (auto& o : page.objects) o = Outer(std::move(o));
  for (auto& p : page.common_prefixes) p.erase(0, std::min(prefix_.size(), p.size()));
  return page;
}

Status PrefixStore::DeleteMany(const std::vector<std::string>& keys) {
  std::vector<std::string> inner_keys;
  inner_keys.reserve(keys.size());
  for (const auto& key : keys) {
    ATOLL_ASSIGN_OR_RETURN(std::string k, Inner(key));
    inner_keys.push_back(std::move(k));
  }
  return inner_->DeleteMany(inner_keys);
}

Result<ObjectInfo> PrefixStore::Copy(std::string_view src, std::string_view dst) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, Inner(src));
  ATOLL_ASSIGN_OR_RETURN(std::string d, Inner(dst));
  ATOLL_ASSIGN_OR_RETURN(ObjectInfo info, inner_->Copy(s, d));
  return Outer(std::move(info));
}

std::string PrefixStore::Describe() const {
  std::string base = inner_->Describe();
  if (prefix_.empty()) return base;
  if (!base.empty() && base.back() != '/') base += '/';
  return base + prefix_.substr(0, prefix_.size() - 1);
}

}  // namespace atl::storage
