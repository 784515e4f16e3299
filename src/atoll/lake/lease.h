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
// A Lease expires `ttl_ms` after it was taken or last renewed: a holder that works longer
// must renew it (Renew), or keep it with a KeptLease, which renews it from a background
// thread for as long as the holder works.
//
// Thread safety: a Lease object is used by one thread; leases on different names are
// independent. A KeptLease may be checked from any thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

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
  const std::string& key() const { return key_; }

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

// A lease kept while its holder works, however long that takes: a background thread renews
// it every `ttl_ms / 3` (so one or two renewals may fail on a store hiccup before the lease
// could expire). The holder calls Check() before each step that the lease protects (e.g.
// each commit): OK while the lease is held; kAlreadyExists once a renewal found it taken
// over (renewing stops then); the last renewal's error when no renewal succeeded for a
// whole ttl (the lease may have expired). Destruction stops the thread and releases the
// lease (best effort).
class KeptLease {
 public:
  // Takes the lease `name` as Lease::Acquire does and starts renewing it.
  static Result<std::unique_ptr<KeptLease>> Acquire(std::shared_ptr<storage::Store> store,
                                                    std::string_view name, int64_t ttl_ms);
  ~KeptLease();
  KeptLease(const KeptLease&) = delete;
  KeptLease& operator=(const KeptLease&) = delete;

  Status Check() const;
  // Renewals that succeeded so far.
  int64_t renewals() const;

 private:
  KeptLease(std::unique_ptr<Lease> lease, int64_t ttl_ms);
  void RenewUntilStopped();

  std::unique_ptr<Lease> lease_;  // used by the renewing thread only, until it has stopped
  const int64_t ttl_ms_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;       // guarded by mu_
  Status lost_;             // guarded by mu_: kAlreadyExists once taken over
  Status last_error_;       // guarded by mu_: the last renewal's store error
  int64_t renewed_ms_ = 0;  // guarded by mu_: when the lease was last taken or renewed
  int64_t renewals_ = 0;    // guarded by mu_
  std::thread thread_;      // started last (it reads the members above)
};

}  // namespace atl::lake
