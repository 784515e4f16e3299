#include "atoll/storage/fault_store.h"

#include <algorithm>
#include <thread>

namespace atl::storage {

namespace {

constexpr const char* kOpNames[kFaultOpCount] = {"Get",  "Head",       "Put",
                                                 "List", "DeleteMany", "Copy"};

size_t Index(FaultOp op) { return static_cast<size_t>(op); }

Status Injected(FaultKind kind, FaultOp op, uint64_t call, std::string_view what) {
  std::string where = StrCat(kOpNames[Index(op)], " ", what, " (injected fault, call ", call, ")");
  switch (kind) {
    case FaultKind::kUnavailable:
      return Unavailable(where, ": service unavailable, nothing was done");
    case FaultKind::kUnknownOutcome:
      return UnknownOutcome(where, ": timed out after the request was sent");
    case FaultKind::kIOError:
      break;
  }
  return IOError(where, ": permanent I/O error");
}

}  // namespace

FaultStore::FaultStore(std::shared_ptr<Store> inner, uint64_t seed)
    : inner_(std::move(inner)), rng_(seed) {}

void FaultStore::SetRule(FaultOp op, FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rules_[Index(op)] = std::move(rule);
}

void FaultStore::ClearRules() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.fill(FaultRule{});
}

uint64_t FaultStore::calls(FaultOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return calls_[Index(op)];
}

uint64_t FaultStore::faults(FaultOp op) const {
  std::lock_guard<std::mutex> lock(mu_);
  return faults_[Index(op)];
}

void FaultStore::ResetCounters() {
  std::lock_guard<std::mutex> lock(mu_);
  calls_.fill(0);
  faults_.fill(0);
}

FaultStore::Decision FaultStore::Decide(FaultOp op) {
  std::chrono::milliseconds delay;
  Decision d;
  {
    std::lock_guard<std::mutex> lock(mu_);
    const FaultRule& rule = rules_[Index(op)];
    const uint64_t call = ++calls_[Index(op)];
    d.call = call;
    delay = rule.delay;
    d.kind = rule.kind;
    d.fail =
        std::find(rule.fail_calls.begin(), rule.fail_calls.end(), call) != rule.fail_calls.end();
    if (!d.fail && rule.ratio > 0) {
      d.fail = std::uniform_real_distribution<double>(0.0, 1.0)(rng_) < rule.ratio;
    }
    if (d.fail) ++faults_[Index(op)];
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  return d;
}

template <typename R, typename F>
R FaultStore::Run(FaultOp op, std::string_view what, F&& call) {
  Decision d = Decide(op);
  if (!d.fail) return call();
  if (d.kind == FaultKind::kUnknownOutcome) {
    R ignored = call();  // the request reached the store; only the answer is lost
    (void)ignored;
  }
  return Injected(d.kind, op, d.call, what);
}

Result<std::string> FaultStore::Get(std::string_view key, ByteRange range) {
  return Run<Result<std::string>>(FaultOp::kGet, key, [&] { return inner_->Get(key, range); });
}

Result<ObjectInfo> FaultStore::Head(std::string_view key) {
  return Run<Result<ObjectInfo>>(FaultOp::kHead, key, [&] { return inner_->Head(key); });
}

Result<ObjectInfo> FaultStore::Put(std::string_view key, const Body& body,
                                   const PutOptions& options) {
  return Run<Result<ObjectInfo>>(FaultOp::kPut, key,
                                 [&] { return inner_->Put(key, body, options); });
}

Result<ListPage> FaultStore::List(std::string_view prefix, const ListOptions& options) {
  return Run<Result<ListPage>>(FaultOp::kList, prefix,
                               [&] { return inner_->List(prefix, options); });
}

Status FaultStore::DeleteMany(const std::vector<std::string>& keys) {
  std::string what = StrCat(keys.size(), " keys");
  return Run<Status>(FaultOp::kDeleteMany, what, [&] { return inner_->DeleteMany(keys); });
}

Result<ObjectInfo> FaultStore::Copy(std::string_view src, std::string_view dst) {
  std::string what = StrCat(src, " -> ", dst);
  return Run<Result<ObjectInfo>>(FaultOp::kCopy, what, [&] { return inner_->Copy(src, dst); });
}

}  // namespace atl::storage
