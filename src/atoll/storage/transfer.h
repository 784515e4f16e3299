// Copying objects between stores: one object or every object under a prefix, several
// at once, each retried on transient errors and verified after writing.
//
// How an object travels (src → dst):
//   same directory or bucket       server-side Store::Copy
//   up to in_memory_max_size       Get into memory, Put from memory
//   larger, from a LocalStore      Put(Body::FromFile(the source file)): the S3 store
//                                  uploads it in parallel parts (multipart)
//   larger, from another store     DownloadToFile (parallel ranged GETs) into a hidden
//                                  temporary file, then Put(Body::FromFile(it)); the
//                                  temporary file lives in the destination directory
//                                  when dst is a LocalStore, else in temp_dir
// so memory use stays below about parallel × in_memory_max_size whatever the sizes.
//
// Verification: the destination's size (Head) must equal the source's; objects up to
// verify_content_max_size are read back and compared byte for byte. A mismatch is
// kCorruption. A source whose size differs from the listing is kIOError ("changed").
//
// Failure: each store call is retried (options.retry) on retryable errors; the first
// object that still fails stops the transfer (objects in flight finish) and its error is
// returned, naming both keys. Objects already copied stay copied.
//
// Thread safety: the functions may be called concurrently; they call `on_progress` from
// worker threads, one call at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/progress.h"
#include "atoll/common/retry.h"
#include "atoll/storage/store.h"

namespace atl::storage {

struct CopyItem {
  std::string src_key;
  std::string dst_key;
  uint64_t size = 0;  // the source's size (from its listing or Head)
};

struct TransferOptions {
  int parallel = 8;  // objects in flight at once (>= 1)
  RetryPolicy retry;
  uint64_t in_memory_max_size = 16ull << 20;
  uint64_t verify_content_max_size = 1ull << 20;  // 0: check sizes only
  std::string temp_dir;                           // "" = $TMPDIR, else /tmp
  // Called after each object (and once at the start) with the running totals.
  std::function<void(const ProgressCounts&)> on_progress;
};

struct TransferSummary {
  uint64_t objects = 0;
  uint64_t bytes = 0;
  double seconds = 0;
  uint64_t retries = 0;  // store calls repeated after a retryable error
};

// Copies every item from `src` to `dst`. An empty list is a successful no-op.
Result<TransferSummary> CopyObjects(Store& src, Store& dst, const std::vector<CopyItem>& items,
                                    const TransferOptions& options = {});

// The items that copy every object whose key starts with `src_prefix` to `dst_prefix`
// followed by the rest of its key (both prefixes are used verbatim: pass "dir/" to
// copy a directory). Keys ending in '/' (folder markers) are left out. The listing is
// retried on retryable errors with `retry`.
Result<std::vector<CopyItem>> PlanPrefixCopy(Store& src, std::string_view src_prefix,
                                             std::string_view dst_prefix,
                                             const RetryPolicy& retry = {});

}  // namespace atl::storage
