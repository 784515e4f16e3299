// Bucket: a store plus the URI of its root, so that one key can be both read and written
// through atl::storage (Get/Put/List) and named in SQL for the engine (read_parquet).
//
// OpenBucket accepts what storage::OpenStore accepts (a local directory, file:///dir,
// s3://bucket[/prefix]); local directories are created when missing and their root URI is
// the absolute path (DuckDB reads it directly); S3 roots stay "s3://bucket/prefix" and the
// engine of OpenSnapshotEngine serves them.
//
// Also small helpers every snapshot step uses: JSON documents in the bucket, done markers,
// and the worker's local scratch directory.
//
// Errors: those of the store (kNotFound for a missing key on Get) and kCorruption for a
// JSON document that does not parse. Thread safety: a Bucket is immutable; its store is
// thread-safe. An Engine is used by one thread at a time (engine.h).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/common/scratch_dir.h"
#include "atoll/engine/engine.h"
#include "atoll/storage/store.h"

namespace atl::snapshot {

using Json = nlohmann::json;

struct Bucket {
  std::shared_ptr<storage::Store> store;
  std::string root_uri;  // absolute local path or "s3://bucket[/prefix]", no trailing '/'

  // The URI of `key` for the engine.
  std::string Uri(std::string_view key) const;
  // A bucket rooted at `prefix` (a key prefix without trailing '/') inside this one.
  Result<Bucket> Sub(std::string_view prefix) const;
};

// Opens the bucket at `uri` (created when a missing local directory).
Result<Bucket> OpenBucket(std::string_view uri);

// An engine with `threads` DuckDB threads (0 = all cores) that spills into `scratch_dir`
// and serves "s3://bucket/..." URIs through stores opened from the AWS environment.
Result<std::unique_ptr<engine::Engine>> OpenSnapshotEngine(int threads,
                                                           const std::string& scratch_dir);

// The JSON document at `key`; nullopt when absent.
Result<std::optional<Json>> GetJson(storage::Store& store, std::string_view key);
// Stores `doc` (pretty-printed) at `key` (overwriting).
Status PutJson(storage::Store& store, std::string_view key, const Json& doc);
// True when `key` exists.
Result<bool> Exists(storage::Store& store, std::string_view key);

// A fresh local scratch directory "$TMPDIR/atoll-snapshot-<what>-XXXXXX", removed with the
// object.
class ScratchDir {
 public:
  static Result<std::unique_ptr<ScratchDir>> Make(std::string_view what);
  const std::string& path() const { return dir_.path(); }

 private:
  atl::ScratchDir dir_;  // swept by the next run when this process is killed
};

// Uploads the local file `path` to `key`.
Result<storage::ObjectInfo> UploadFile(storage::Store& store, std::string_view key,
                                       const std::string& path);

}  // namespace atl::snapshot
