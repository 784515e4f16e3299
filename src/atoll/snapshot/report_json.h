// The JSON forms of the snapshot step reports (reports.h): what `atoll snapshot` prints
// and what validation.json and the manifest summaries in the staging area hold. The only
// place where a report becomes JSON; key names are part of the CLI's output and of the
// staging layout (docs/snapshot.md) and do not change.
//
// Thread safety: pure functions.
#pragma once

#include "atoll/snapshot/bucket.h"
#include "atoll/snapshot/reports.h"

namespace atl::snapshot {

Json ToJson(const FileSummary& summary);
Json ToJson(const ManifestReport& report);
Json ToJson(const PlanReport& report);
Json ToJson(const StageReport& report);
Json ToJson(const PlanCompactionReport& report);
Json ToJson(const CompactReport& report);
Json ToJson(const CommitReport& report);
Json ToJson(const ValidationReport& report);
Json ToJson(const StatusReport& report);
Json ToJson(const RunReport& report);

}  // namespace atl::snapshot
