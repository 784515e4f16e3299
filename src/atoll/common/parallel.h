// ParallelFor: calls fn(0) ... fn(n - 1) on up to `parallelism` threads (the caller's
// thread is one of them; parallelism <= 1 runs in order on the caller's thread). After
// the first error no new index is handed out; calls already running finish, and that
// first error is returned.
//
// Thread safety: `fn` runs concurrently with itself and must be safe for that.
#pragma once

#include <cstddef>
#include <functional>

#include "atoll/common/status.h"

namespace atl {

Status ParallelFor(size_t n, int parallelism, const std::function<Status(size_t)>& fn);

}  // namespace atl
