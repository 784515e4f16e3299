// The wall clock, in the one unit the lake records times in (milliseconds since the Unix
// epoch), and its ISO-8601 text.
//
// Thread safety: both functions may be called from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace atl {

// Milliseconds since the Unix epoch, from the system clock.
int64_t SystemNowMs();

// "2026-12-04T20:00:00.000Z" (UTC) for `ms` milliseconds since the Unix epoch.
std::string IsoTimeMs(int64_t ms);

}  // namespace atl
