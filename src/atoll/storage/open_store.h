// Opening stores and locations from the URIs a user types.
//
// Accepted forms:
//   relative/path, /absolute/path   a local file or directory
//   file:///absolute/path           the same (no host part; percent-escapes are decoded)
//   s3://bucket, s3://bucket/key    an S3 bucket (credentials, region and endpoint from the
//                                   AWS environment: S3Config::FromEnvironment)
// Any other "<scheme>://" is refused with kInvalidArgument naming the accepted forms.
//
// Thread safety: the functions may be called concurrently; the stores they return are
// thread-safe (see store.h).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::storage {

// Opens the store whose root is `root_uri`: a local directory, s3://bucket, or
// s3://bucket/prefix (a PrefixStore view of the bucket). A local directory is created
// when missing and `create_if_missing`, else kNotFound. Opening an S3 store does not
// contact the server (a missing bucket shows at the first request).
Result<std::unique_ptr<Store>> OpenStore(std::string_view root_uri, bool create_if_missing = true);

// A place inside a store: one object, or a "directory" (every key under a prefix).
struct Location {
  std::shared_ptr<Store> store;
  // The key (or prefix, without a trailing '/') inside `store`; "" is the store's root.
  std::string key;
  // True when the URI can only name a directory: it ends with '/', names a bucket root,
  // or is an existing local directory. When false, `key` may still be a prefix (S3 has
  // no directories): callers that accept both look for the object first.
  bool is_directory = false;
  std::string uri;  // as given, for messages

  // The prefix of the keys inside this location as a directory: "" or key + "/".
  std::string DirPrefix() const { return key.empty() ? "" : key + "/"; }
  // `name` (a relative key) inside this location as a directory.
  std::string Child(std::string_view name) const { return DirPrefix() + std::string(name); }
};

enum class LocationUse {
  kRead,   // a missing local directory is kNotFound
  kWrite,  // missing local directories are created
};

// Resolves `uri` into a store and a key. Local paths map onto a LocalStore rooted at the
// named directory (a directory location) or at the parent directory (an object
// location), so the key is the file's name. kInvalidArgument for malformed URIs
// (unknown scheme, empty bucket, a key breaking the rules of store.h) naming the URI.
Result<Location> ResolveLocation(std::string_view uri, LocationUse use = LocationUse::kRead);

}  // namespace atl::storage
