// Retry with exponential backoff and full jitter, for transient errors.
//
//   RetryPolicy policy;                       // 5 attempts, 50 ms .. 5 s
//   Status st = Retry(policy, [&] { return store.Delete(key); });
//
// Only retryable errors (Status::IsRetryable: kUnavailable, kUnknownOutcome) are
// retried; any other error, or the last attempt's error, is returned as is. Callers
// whose operation is not idempotent must not pass kUnknownOutcome through Retry blindly.
//
// Thread safety: Retry and BackoffDelay may be called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <thread>

#include "atoll/common/result.h"

namespace atl {

struct RetryPolicy {
  int max_attempts = 5;                       // total tries, including the first
  std::chrono::milliseconds base_delay{50};   // delay cap before the 2nd attempt
  std::chrono::milliseconds max_delay{5000};  // cap of any single delay
  // Called before each sleep with the attempt that failed (1-based) and its error;
  // for logging "retrying ...". May be empty.
  std::function<void(int attempt, const Status& error)> on_retry;
};

// The sleep before attempt `attempt + 1` after `attempt` failures: a uniformly random
// duration in [0, min(max_delay, base_delay * 2^(attempt-1))] ("full jitter").
std::chrono::milliseconds BackoffDelay(const RetryPolicy& policy, int attempt);

namespace internal {
inline const Status& StatusOfAny(const Status& s) { return s; }
template <typename T>
Status StatusOfAny(const Result<T>& r) {
  return r.ok() ? Status::OK() : r.status();
}
}  // namespace internal

// Calls fn() (returning Status or Result<T>) until it succeeds, fails with a
// non-retryable error, or max_attempts calls have been made.
template <typename F>
auto Retry(const RetryPolicy& policy, F&& fn) -> decltype(fn()) {
  for (int attempt = 1;; ++attempt) {
    auto out = fn();
    Status st = internal::StatusOfAny(out);
    if (st.ok() || !st.IsRetryable() || attempt >= policy.max_attempts) return out;
    if (policy.on_retry) policy.on_retry(attempt, st);
    std::this_thread::sleep_for(BackoffDelay(policy, attempt));
  }
}

}  // namespace atl
