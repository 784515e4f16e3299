// Store: the one small object-store interface every layer above uses.
//
// A store is a flat namespace of keys ("stg/shop/orders/metadata/v1.metadata.json")
// holding immutable byte strings. Backends: a local directory (the embedded default),
// S3 (and S3-compatible servers), memory, and wrappers (fault injection, key prefix).
//
// Keys: non-empty, at most 1024 bytes, '/'-separated, no leading '/', no "." or ".."
// segments, no empty segments (a trailing '/' aside), no NUL byte. Control characters
// (0x01-0x1f, 0x7f) are allowed and round-trip through every backend: landing zones hold
// such names and they must stay movable and deletable (UTF-8 is expected but not checked;
// S3 servers may refuse other bytes). Every backend refuses other keys with
// kInvalidArgument (see ValidateKey). Messages that show a key may carry its control
// characters: escape them before printing to a terminal.
//
// Thread safety: every method of every Store may be called concurrently.
//
// The commit primitive is Put with PutCondition::kIfAbsent (create-if-absent) or
// kIfMatch (swap-if-unchanged). A backend that cannot do them returns kNotSupported;
// it never silently ignores the condition (ProbeConditionalWrites detects servers that do).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/body.h"

namespace atl::storage {

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;      // opaque version tag, without surrounding quotes
  int64_t mtime_ms = 0;  // last modification, ms since the Unix epoch (0 if unknown)
};

// A byte range [offset, offset + length). Reading past the end of the object is not an
// error: the result is truncated (empty when offset >= size).
struct ByteRange {
  static constexpr uint64_t kToEnd = UINT64_MAX;
  uint64_t offset = 0;
  uint64_t length = kToEnd;

  static ByteRange All() { return {}; }
  static ByteRange Slice(uint64_t offset, uint64_t length) { return {offset, length}; }
  bool IsAll() const { return offset == 0 && length == kToEnd; }
};

enum class PutCondition {
  kNone,      // create or overwrite
  kIfAbsent,  // fail with kAlreadyExists when the key exists
  kIfMatch,   // fail with kPreconditionFailed unless the current etag equals if_match
              // (kNotFound when the key does not exist)
};

struct PutOptions {
  PutCondition condition = PutCondition::kNone;
  std::string if_match;      // the etag required, for kIfMatch
  std::string content_type;  // optional, e.g. "application/json"
};

struct ListOptions {
  std::string continuation_token;  // from the previous page; empty for the first
  int max_keys = 1000;             // page size; backends may return fewer
  // When set (normally "/"), keys containing it after the prefix are rolled up into
  // common_prefixes instead of being listed.
  std::string delimiter;
};

struct ListPage {
  std::vector<ObjectInfo> objects;           // in ascending key order (byte-wise)
  std::vector<std::string> common_prefixes;  // ascending; only with a delimiter
  std::string next_token;                    // empty when this is the last page
};

class Store {
 public:
  virtual ~Store() = default;

  // The bytes of `key` within `range`. kNotFound when the key does not exist.
  virtual Result<std::string> Get(std::string_view key, ByteRange range = {}) = 0;

  // Size, etag and mtime of `key`. kNotFound when it does not exist.
  virtual Result<ObjectInfo> Head(std::string_view key) = 0;

  // Stores `body` under `key` atomically: readers see the old object or the whole new
  // one, never a part. Returns the new object's info (etag at least).
  virtual Result<ObjectInfo> Put(std::string_view key, const Body& body,
                                 const PutOptions& options = {}) = 0;

  // One page of the keys starting with `prefix` (any string, not only whole segments).
  virtual Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) = 0;

  // Deletes every key in `keys`. Keys that do not exist are not an error. On failure
  // some keys may have been deleted.
  virtual Status DeleteMany(const std::vector<std::string>& keys) = 0;

  // Copies `src` to `dst` (overwriting dst). kNotFound when src does not exist.
  virtual Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) = 0;

  // A URI naming this store's root, for messages ("file:///data/lake", "s3://bucket").
  virtual std::string Describe() const = 0;
};

// Checks a key against the rules above. Returns kInvalidArgument naming the problem.
Status ValidateKey(std::string_view key);

// Every object under `prefix`, following continuation tokens.
Result<std::vector<ObjectInfo>> ListAll(Store& store, std::string_view prefix);

// Convenience: Put of an in-memory string.
Result<ObjectInfo> PutString(Store& store, std::string_view key, std::string data,
                             const PutOptions& options = {});

// Deletes one key (missing is not an error).
Status Delete(Store& store, std::string_view key);

// Downloads `key` into the local file `path` (created or truncated), fetching
// `parallelism` byte ranges of `chunk_size` at once. The file is written under a
// temporary name and renamed into place when complete.
Status DownloadToFile(Store& store, std::string_view key, const std::string& path,
                      int parallelism = 8, uint64_t chunk_size = 16ull << 20);

}  // namespace atl::storage
