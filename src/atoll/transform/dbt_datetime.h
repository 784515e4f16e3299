// A minimal Python `datetime` for dbt templates (docs/transform.md, "Compile"):
// `modules.datetime.datetime.now()` / `utcnow()`, `modules.datetime.date.today()` and
// `run_started_at`, in UTC. A value prints as Python's str() ("2026-12-08 02:54:49.123000",
// a date "2026-12-08") and has `year` … `microsecond`, `strftime(fmt)` (C's strftime
// directives), `isoformat()` and `date()`.
#pragma once

#include <cstdint>

#include "atoll/jinja/value.h"

namespace atl::transform {

// A datetime (or, with `date_only`, a date) at `ms` since the epoch, UTC.
jinja::Value DatetimeValue(int64_t ms, bool date_only = false);

// `modules.datetime`: `datetime.now()`, `datetime.utcnow()`, `date.today()` (at `now_ms`,
// or the clock's time when 0).
jinja::Value DatetimeModule(int64_t now_ms);

}  // namespace atl::transform
