// After a command changed tables of a lake (ingest, watch, maintain): what the lake
// records about itself.
//
//   RecordRun(lake, command, log, flush_log, io)
//     1. statistics rows for the snapshots not yet described (lake/stats_tables.h);
//     2. when `flush_log`, the pending events of `log` in one commit (lake/event_log.h);
//     3. the trail's audit table brought up to date with the records of those commits.
//   Each commit is recorded in the lake's trail. Failures are printed on io.err as
//   warnings ("atoll: warning: ...") and never fail the command: its own work is done
//   and durable by then; a statistics failure is also logged as an error event.
//
// Thread safety: one thread (it opens its own engine).
#pragma once

#include <string>

#include "atoll/cli/command.h"
#include "atoll/lake/lake.h"
#include "atoll/records/event_log.h"

namespace atl::cli {

void RecordRun(const lake::Lake& lake, const std::string& command, lake::EventLog& log,
               bool flush_log, Io& io);

}  // namespace atl::cli
