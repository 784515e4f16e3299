#include "atoll/lake/lease.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "atoll/common/clock.h"

namespace atl::lake {

namespace {

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "unknown";
  return buf;
}

std::string BootId() {
  std::ifstream in("/proc/sys/kernel/random/boot_id");
  std::string id;
  std::getline(in, id);
  return id;
}

bool ProcessAlive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::string Document(const std::string& owner, int64_t expires_ms) {
  nlohmann::json doc = {{"owner", owner},
                        {"host", HostName()},
                        {"boot", BootId()},
                        {"pid", ::getpid()},
                        {"expires_ms", expires_ms}};
  return doc.dump() + "\n";
}

// Whether the lease described by `text` may be taken over now.
bool Stale(const std::string& text, int64_t now_ms) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_object()) return true;  // unreadable: treat as abandoned
  int64_t expires = doc.value("expires_ms", int64_t{0});
  if (expires <= now_ms) return true;
  const bool same_machine =
      doc.value("host", "") == HostName() && doc.value("boot", "") == BootId();
  return same_machine && !ProcessAlive(doc.value("pid", int64_t{0}));
}

std::string Holder(const std::string& text) {
  nlohmann::json doc = nlohmann::json::parse(text, nullptr, false);
  if (!doc.is_object()) return "an unknown process";
  return StrCat("process ", doc.value("pid", int64_t{0}), " on ", doc.value("host", "?"));
}

}  // namespace

std::string Lease::KeyFor(std::string_view name) { return StrCat("_atoll/leases/", name, ".json"); }

Result<std::unique_ptr<Lease>> Lease::Acquire(std::shared_ptr<storage::Store> store,
                                              std::string_view name, int64_t ttl_ms) {
  std::random_device rd;
  std::string owner = StrCat(HostName(), ":", ::getpid(), ":", rd(), rd());
  std::unique_ptr<Lease> lease(new Lease(store, KeyFor(name), owner, ttl_ms));
  for (int attempt = 0; attempt < 5; ++attempt) {
    storage::PutOptions put;
    put.content_type = "application/json";
    put.condition = storage::PutCondition::kIfAbsent;
    const int64_t now = SystemNowMs();
    Result<storage::ObjectInfo> created =
        storage::PutString(*store, lease->key_, Document(owner, now + ttl_ms), put);
    if (created.ok()) {
      lease->etag_ = created->etag;
      lease->held_ = true;
      return lease;
    }
    if (created.status().code() != StatusCode::kAlreadyExists &&
        created.status().code() != StatusCode::kPreconditionFailed) {
      return created.status().WithContext(StrCat("taking the lease ", lease->key_));
    }
    Result<storage::ObjectInfo> head = store->Head(lease->key_);
    if (!head.ok()) {
      if (head.status().code() == StatusCode::kNotFound) continue;  // released meanwhile
      return head.status().WithContext(StrCat("reading the lease ", lease->key_));
    }
    Result<std::string> text = store->Get(lease->key_);
    if (!text.ok()) {
      if (text.status().code() == StatusCode::kNotFound) continue;
      return text.status().WithContext(StrCat("reading the lease ", lease->key_));
    }
    if (!Stale(*text, now)) {
      return AlreadyExists("busy: ", Holder(*text), " holds ", lease->key_);
    }
    put.condition = storage::PutCondition::kIfMatch;
    put.if_match = head->etag;
    Result<storage::ObjectInfo> taken =
        storage::PutString(*store, lease->key_, Document(owner, now + ttl_ms), put);
    if (taken.ok()) {
      lease->etag_ = taken->etag;
      lease->held_ = true;
      return lease;
    }
    if (taken.status().code() != StatusCode::kPreconditionFailed &&
        taken.status().code() != StatusCode::kNotFound) {
      return taken.status().WithContext(StrCat("taking over the lease ", lease->key_));
    }
  }
  return AlreadyExists("busy: the lease ", KeyFor(name), " keeps changing hands");
}

Lease::~Lease() { (void)Release(); }

Status Lease::Renew() {
  if (!held_) return PreconditionFailed("the lease ", key_, " is not held");
  storage::PutOptions put;
  put.content_type = "application/json";
  put.condition = storage::PutCondition::kIfMatch;
  put.if_match = etag_;
  Result<storage::ObjectInfo> r =
      storage::PutString(*store_, key_, Document(owner_, SystemNowMs() + ttl_ms_), put);
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kPreconditionFailed ||
        r.status().code() == StatusCode::kNotFound) {
      held_ = false;
      return AlreadyExists("the lease ", key_, " was taken over by another process");
    }
    return r.status().WithContext(StrCat("renewing the lease ", key_));
  }
  etag_ = r->etag;
  return Status::OK();
}

Status Lease::Release() {
  if (!held_) return Status::OK();
  held_ = false;
  Result<std::string> text = store_->Get(key_);
  if (!text.ok())
    return text.status().code() == StatusCode::kNotFound ? Status::OK() : text.status();
  nlohmann::json doc = nlohmann::json::parse(*text, nullptr, false);
  if (!doc.is_object() || doc.value("owner", "") != owner_) return Status::OK();
  return storage::Delete(*store_, key_);
}

Result<std::unique_ptr<KeptLease>> KeptLease::Acquire(std::shared_ptr<storage::Store> store,
                                                      std::string_view name, int64_t ttl_ms) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<Lease> lease,
                         Lease::Acquire(std::move(store), name, ttl_ms));
  return std::unique_ptr<KeptLease>(new KeptLease(std::move(lease), ttl_ms));
}

KeptLease::KeptLease(std::unique_ptr<Lease> lease, int64_t ttl_ms)
    : lease_(std::move(lease)), ttl_ms_(ttl_ms), renewed_ms_(SystemNowMs()) {
  thread_ = std::thread([this] { RenewUntilStopped(); });
}

KeptLease::~KeptLease() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  (void)lease_->Release();
}

void KeptLease::RenewUntilStopped() {
  const auto period = std::chrono::milliseconds(std::max<int64_t>(1, ttl_ms_ / 3));
  std::unique_lock<std::mutex> lock(mu_);
  while (!wake_.wait_for(lock, period, [this] { return stop_; })) {
    lock.unlock();
    Status renewed = lease_->Renew();  // a store round trip: not under the lock
    lock.lock();
    if (renewed.ok()) {
      renewed_ms_ = SystemNowMs();
      ++renewals_;
      last_error_ = Status::OK();
    } else if (renewed.code() == StatusCode::kAlreadyExists) {
      lost_ = std::move(renewed);
      return;  // taken over: nothing left to renew
    } else {
      last_error_ = std::move(renewed);  // retried at the next tick
    }
  }
}

Status KeptLease::Check() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (!lost_.ok()) return lost_;
  if (SystemNowMs() - renewed_ms_ >= ttl_ms_) {
    return Unavailable("the lease ", lease_->key(), " could not be renewed for ", ttl_ms_,
                       " ms and may have expired",
                       last_error_.ok() ? "" : StrCat(" (", last_error_.ToString(), ")"));
  }
  return Status::OK();
}

int64_t KeptLease::renewals() const {
  std::lock_guard<std::mutex> lock(mu_);
  return renewals_;
}

}  // namespace atl::lake
