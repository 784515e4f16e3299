#include "atoll/snapshot/bucket.h"

#include <stdlib.h>

#include <cerrno>
#include <filesystem>

#include "atoll/common/local_fs.h"
#include "atoll/engine/serve_stores.h"
#include "atoll/storage/open_store.h"

namespace atl::snapshot {

namespace fs = std::filesystem;

std::string Bucket::Uri(std::string_view key) const { return StrCat(root_uri, "/", key); }

Result<Bucket> Bucket::Sub(std::string_view prefix) const { return OpenBucket(Uri(prefix)); }

Result<Bucket> OpenBucket(std::string_view uri) {
  std::string text(uri);
  if (text.starts_with("file://")) text = text.substr(7);
  while (text.size() > 1 && text.back() == '/') text.pop_back();
  Bucket b;
  if (text.find("://") == std::string::npos) {
    ATOLL_RETURN_NOT_OK(CreateDirectories(text));
    text = fs::absolute(text).lexically_normal().string();
    while (text.size() > 1 && text.back() == '/') text.pop_back();
  }
  ATOLL_ASSIGN_OR_RETURN_CTX(std::unique_ptr<storage::Store> store, storage::OpenStore(text),
                             StrCat("opening ", text));
  b.store = std::move(store);
  b.root_uri = text;
  return b;
}

Result<std::unique_ptr<engine::Engine>> OpenSnapshotEngine(int threads,
                                                           const std::string& scratch_dir) {
  engine::EngineOptions eo;
  eo.threads = threads;
  eo.temp_directory = scratch_dir + "/duckdb";
  eo.upload_buffer_directory = scratch_dir;
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> e, engine::Engine::Open(eo));
  ATOLL_RETURN_NOT_OK(engine::ServeStoresOf(*e, "s3://"));
  return e;
}

Result<std::optional<Json>> GetJson(storage::Store& store, std::string_view key) {
  Result<std::string> text = store.Get(key);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) return std::optional<Json>();
    return text.status().WithContext(StrCat("reading ", key));
  }
  Json doc = Json::parse(*text, nullptr, false);
  if (doc.is_discarded()) return Corruption(key, " in ", store.Describe(), " is not JSON");
  return std::optional<Json>(std::move(doc));
}

Status PutJson(storage::Store& store, std::string_view key, const Json& doc) {
  storage::PutOptions put;
  put.content_type = "application/json";
  return storage::PutString(store, key, doc.dump(2) + "\n", put)
      .status()
      .WithContext(StrCat("writing ", key));
}

Result<bool> Exists(storage::Store& store, std::string_view key) {
  Result<storage::ObjectInfo> head = store.Head(key);
  if (head.ok()) return true;
  if (head.status().code() == StatusCode::kNotFound) return false;
  return head.status().WithContext(StrCat("checking ", key));
}

Result<std::unique_ptr<ScratchDir>> ScratchDir::Make(std::string_view what) {
  auto dir = std::unique_ptr<ScratchDir>(new ScratchDir());
  ATOLL_ASSIGN_OR_RETURN(dir->dir_, atl::ScratchDir::Create(StrCat("snapshot-", what)));
  return dir;
}

Result<storage::ObjectInfo> UploadFile(storage::Store& store, std::string_view key,
                                       const std::string& path) {
  ATOLL_ASSIGN_OR_RETURN(storage::Body body, storage::Body::FromFile(path));
  ATOLL_ASSIGN_OR_RETURN_CTX(storage::ObjectInfo info, store.Put(key, body),
                             StrCat("uploading ", key));
  info.key = std::string(key);
  ATOLL_ASSIGN_OR_RETURN(info.size, LocalFileSize(path));
  return info;
}

}  // namespace atl::snapshot
