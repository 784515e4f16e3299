// The wall clock, in the unit atoll stores times in (Iceberg's timestamp-ms, the trail's
// record times, lease expiries), and its one text form. Code that must be testable takes a
// `now_ms` callback and falls back to SystemNowMs.
//
// Thread safety: safe to call from any thread.
#pragma once

#include <cstdint>
#include <string>

namespace atl {

// Milliseconds since the Unix epoch, from the system clock.
int64_t SystemNowMs();

// `ms` since the Unix epoch in ISO 8601, UTC, with milliseconds: "2026-12-04T20:00:00.000Z"
// (times before 1970 round down: -1 is "1969-12-31T23:59:59.999Z").
std::string IsoTimeMs(int64_t ms);

}  // namespace atl
