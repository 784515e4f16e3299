#include "atoll/engine/serve_stores.h"

#include <string>

#include "atoll/storage/open_store.h"

namespace atl::engine {

Status ServeStoresOf(Engine& engine, std::string_view root_uri,
                     std::shared_ptr<storage::Store> root_store) {
  const size_t sep = root_uri.find("://");
  if (sep == std::string_view::npos || root_uri.starts_with("file://")) return Status::OK();
  std::string scheme(root_uri.substr(0, sep + 3));
  std::string root_bucket(root_uri.substr(sep + 3));
  while (!root_bucket.empty() && root_bucket.back() == '/') root_bucket.pop_back();
  // Only a whole bucket can be served by the root's store: a prefix store sees part of it.
  if (root_bucket.empty() || root_bucket.find('/') != std::string::npos) root_store = nullptr;
  Status st = engine.RegisterStores(
      scheme,
      [scheme, root_bucket,
       root_store](std::string_view bucket) -> Result<std::shared_ptr<storage::Store>> {
        if (root_store != nullptr && bucket == root_bucket) return root_store;
        ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                               storage::OpenStore(StrCat(scheme, bucket), false));
        return std::shared_ptr<storage::Store>(std::move(store));
      });
  if (st.code() == StatusCode::kAlreadyExists) return Status::OK();
  return st;
}

}  // namespace atl::engine
