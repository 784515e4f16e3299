// After a command changed tables of a lake (ingest, watch, maintain, snapshot): what the
// lake records about itself.
//
//   RecordRun(lake, log, options)
//     1. statistics rows for the snapshots not yet described (stats_tables.h);
//     2. when options.flush_log, the pending events of `log` in one commit (event_log.h);
//     3. the trail's audit table brought up to date with the records of those commits.
//   Each commit is recorded in the lake's trail. Failures never fail the run (its own work
//   is done and durable by then): each is passed to options.on_warning as it happens and
//   listed in the report; a statistics failure is also logged as an error event, a table
//   whose statistics cannot be read as a warning event.
//
// Thread safety: one thread (it opens its own engine).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/status.h"
#include "atoll/lake/lake.h"
#include "atoll/records/event_log.h"
#include "atoll/records/stats_tables.h"

namespace atl::lake {

struct RecordRunOptions {
  std::string command;  // the command that changed the tables, e.g. "atoll ingest"
  bool flush_log = true;
  // Called for each failure, when it happens: `what` failed ("opening the trail") with
  // `status`. May be empty.
  std::function<void(std::string_view what, const Status& status)> on_warning;
};

struct RecordRunWarning {
  std::string what;
  Status status;
};

struct RecordRunReport {
  std::optional<StatsReport> stats;  // none when the statistics were not recorded
  std::vector<RecordRunWarning> warnings;
};

RecordRunReport RecordRun(const Lake& lake, EventLog& log, const RecordRunOptions& options);

}  // namespace atl::lake
