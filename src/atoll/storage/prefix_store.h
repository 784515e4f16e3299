// PrefixStore: a view of another store under a key prefix, e.g. a lake kept at
// s3://bucket/lakes/sales/ is an S3Store for "bucket" wrapped with prefix "lakes/sales".
//
// Key "k" of the view is key "<prefix>/k" of the inner store. Listings strip the prefix
// again; continuation tokens pass through unchanged. Describe() is the inner store's
// URI with the prefix appended ("s3://bucket/lakes/sales").
//
// Thread safety: as the inner store (every Store may be called concurrently).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/storage/store.h"

namespace atl::storage {

class PrefixStore final : public Store {
 public:
  // `prefix` is one or more key segments ("lakes/sales"; a trailing '/' is optional).
  // kInvalidArgument when it is not a valid key path. An empty prefix is allowed and
  // makes the view identical to `inner`.
  static Result<std::unique_ptr<PrefixStore>> Make(std::shared_ptr<Store> inner,
                                                   std::string_view prefix);

  Result<std::string> Get(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override;
  std::string Describe() const override;

  // The prefix as stored, with its trailing '/' ("lakes/sales/"), or "".
  const std::string& prefix() const { return prefix_; }

 private:
  PrefixStore(std::shared_ptr<Store> inner, std::string prefix)
      : inner_(std::move(inner)), prefix_(std::move(prefix)) {}
  // Validates `key` and returns the inner key.
  Result<std::string> Inner(std::string_view key) const;
  ObjectInfo Outer(ObjectInfo info) const;

  std::shared_ptr<Store> inner_;
  std::string prefix_;
};

}  // namespace atl::storage
