// FaultStore: a Store wrapper that injects failures, for testing how callers cope
// with a flaky or slow object store (in the spirit of leveldb's EnvWrapper).
//
// For each operation (FaultOp) a FaultRule says which calls fail and how:
//   - fail_calls: the call numbers (1-based, counted per operation) that fail;
//   - ratio: the share of the other calls that fail, drawn from a seeded RNG, so a
//     run with the same seed and the same call order fails the same calls;
//   - delay: a pause before every call of the operation (a slow store).
// The failure is of one kind (FaultKind):
//   - kUnavailable: a transient error returned BEFORE the inner store is called
//     (nothing happened; safe to retry);
//   - kUnknownOutcome: "timed out after the request was sent": the operation IS
//     performed on the inner store, then the error is returned, as a client time-out
//     after the request reached the server would;
//   - kIOError: a permanent error returned before the inner store is called.
// Operations without a rule pass straight through. Counters record every call and
// every injected fault per operation. Describe() is the inner store's.
//
// Thread safety: every method may be called concurrently (rules, counters and the RNG
// are guarded by a mutex; delays and inner calls run outside it).
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <vector>

#include "atoll/storage/store.h"

namespace atl::storage {

enum class FaultOp { kGet, kHead, kPut, kList, kDeleteMany, kCopy };
inline constexpr int kFaultOpCount = 6;

enum class FaultKind { kUnavailable, kUnknownOutcome, kIOError };

struct FaultRule {
  FaultKind kind = FaultKind::kUnavailable;
  std::vector<uint64_t> fail_calls;  // 1-based call numbers of this operation that fail
  double ratio = 0.0;                // 0..1: share of the other calls that fail
  std::chrono::milliseconds delay{0};
};

class FaultStore final : public Store {
 public:
  explicit FaultStore(std::shared_ptr<Store> inner, uint64_t seed = 1);

  // Sets (replaces) the rule of `op`. Call numbers keep counting from earlier calls.
  void SetRule(FaultOp op, FaultRule rule);
  // Removes every rule: all calls pass through again.
  void ClearRules();

  uint64_t calls(FaultOp op) const;   // calls made to `op`, failed or not
  uint64_t faults(FaultOp op) const;  // faults injected into `op`
  void ResetCounters();               // also restarts call numbering at 1

  Store& inner() { return *inner_; }

  Result<std::string> Get(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override;
  std::string Describe() const override { return inner_->Describe(); }

 private:
  // Decides the fate of one call: counts it, sleeps for the delay, and returns the
  // fault kind to inject, or nothing.
  struct Decision {
    bool fail = false;
    FaultKind kind = FaultKind::kUnavailable;
    uint64_t call = 0;  // this call's number
  };
  Decision Decide(FaultOp op);
  // Runs `call` on the inner store under the decided fault.
  template <typename R, typename F>
  R Run(FaultOp op, std::string_view what, F&& call);

  std::shared_ptr<Store> inner_;
  mutable std::mutex mu_;
  std::mt19937_64 rng_;                           // guarded by mu_
  std::array<FaultRule, kFaultOpCount> rules_;    // guarded by mu_
  std::array<uint64_t, kFaultOpCount> calls_{};   // guarded by mu_
  std::array<uint64_t, kFaultOpCount> faults_{};  // guarded by mu_
};

}  // namespace atl::storage
