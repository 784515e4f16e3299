#include "atoll/common/parallel.h"

#include <algorithm>
#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace atl {

Status ParallelFor(size_t n, int parallelism, const std::function<Status(size_t)>& fn) {
  if (n == 0) return Status::OK();
  const size_t threads = std::min<size_t>(n, static_cast<size_t>(std::max(1, parallelism)));
  if (threads == 1) {
    for (size_t i = 0; i < n; ++i) ATOLL_RETURN_NOT_OK(fn(i));
    return Status::OK();
  }
  std::atomic<size_t> next{0};
  std::mutex mu;
  Status first;
  auto worker = [&]() {
    for (;;) {
      const size_t i = next.fetch_add(1);
      if (i >= n) return;
      Status st = fn(i);
      if (!st.ok()) {
        std::lock_guard<std::mutex> lock(mu);
        if (first.ok()) first = st;
        next.store(n);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  for (size_t t = 1; t < threads; ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  return first;
}

}  // namespace atl
