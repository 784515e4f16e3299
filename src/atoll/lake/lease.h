// Lease: an advisory, expiring lock kept as one object in the lake's store, so that two
// processes (on one machine or many) do not work on the same table at once.
//
// The object `_atoll/leases/<name>.json` holds {"owner", "host", "boot", "pid",
// "expires_ms"}. Acquire creates it with a create-if-absent write. When it exists, it is
// taken over (a swap-if-unchanged write on its etag) only when it has expired, or when it
// was taken on this machine (same host name and boot id) by a process that is no longer
// alive — so a `kill -9`ed run never blocks the next one. Otherwise Acquire returns
// kAlreadyExists naming the holder. Release deletes the object if this lease still owns it.
//
// The guarantee needs a store that honours conditional writes (storage/probe.h); on one
// that ignores them (s3rver) two processes may both hold a lease, and callers must keep a
// second line of defence (ingest validates its commits, see ingest.h).
//
// Thread safety: a Lease object is used by one thread; leases on different names are
// independent.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::lake {

class Lease {
 public:
  // Takes the lease `name` (a key segment, e.g. "ingest.shop.orders") for `ttl_ms`.
  static Result<std::unique_ptr<Lease>> Acquire(std::shared_ptr<storage::Store> store,
                                                std::string_view name, int64_t ttl_ms);
  ~Lease();  // Releases (best effort).
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;

  // Extends the lease by ttl from now. kAlreadyExists when another process took it over.
  Status Renew();
  Status Release();

  static std::string KeyFor(std::string_view name);

 private:
  Lease(std::shared_ptr<storage::Store> store, std::string key, std::string owner, int64_t ttl_ms)
      : store_(std::move(store)), key_(std::move(key)), owner_(std::move(owner)), ttl_ms_(ttl_ms) {}
  std::shared_ptr<storage::Store> store_;
  std::string key_;
  std::string owner_;
  std::string etag_;
  int64_t ttl_ms_;
  bool held_ = false;
};

}  // namespace atl::lake
