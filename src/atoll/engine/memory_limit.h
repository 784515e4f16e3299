// Telling DuckDB's memory limit apart from the other causes of kUnavailable.
//
// Engine::Query maps DuckDB's "Out of Memory Error" to kUnavailable (it may succeed later or
// with a higher limit), the same code a store reports for a transient failure (throttling,
// 5xx, connection reset). Callers that must not treat the two alike (ingestion rejects a
// file that can never load under the lake's limit, but never one the store failed to
// serve) ask IsMemoryLimitError.
//
// Thread safety: pure functions.
#pragma once

#include <string>

#include "atoll/common/status.h"

namespace atl::engine {

// True when `st` is DuckDB's buffer manager refusing memory beyond `memory_limit`:
// kUnavailable with an "Out of Memory Error: " text naming the memory in use
// ("failed to allocate data of size 128.0 MiB (832.2 KiB/61.0 MiB used)", "could not
// allocate block ...", "failed to pin block ..."), anywhere in the message (context may
// have been prepended). False for everything else, in particular:
//   - a store's kUnavailable ("IO Error: ...: Unavailable: ..."): transient;
//   - failing to spill to the work directory ("failed to offload data block ...",
//     max_temp_directory_size): a full disk, not the memory limit;
//   - the host's allocator failing ("(bad allocation)", "Allocation failure"): the
//     machine's memory, not the limit.
bool IsMemoryLimitError(const Status& st);

// DuckDB's own words of a memory-limit error, without the "Out of Memory Error: " prefix,
// the context before it and its advice after the first line ("failed to allocate data of
// size 128.0 MiB (832.2 KiB/61.0 MiB used)"); the whole message when it has no such prefix.
std::string MemoryLimitDetail(const Status& st);

}  // namespace atl::engine
