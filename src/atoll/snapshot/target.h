// The destination of a run with output "iceberg": the lake table named by the run
// (RunConfig::table_name) and the run id recorded in its snapshots.
//
// Errors: the lake's and the catalog's (kNotFound when the lake does not exist).
// Thread safety: a Target is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/snapshot/layout.h"
#include "atoll/trail/record.h"

namespace atl::snapshot {

// The summary key of the final append.
inline constexpr std::string_view kRunIdKey = "atoll.snapshot.run-id";

struct Target {
  std::unique_ptr<lake::Lake> lake;
  lake::LakeTables tables;
  iceberg::TableIdentifier id;

  // The table, or nullopt when it does not exist yet.
  Result<std::optional<iceberg::Table>> Load() const;
  // The store key prefix of `location` inside the lake's store, "" when outside it.
  std::string KeyOf(const std::string& location) const;
};

Result<Target> OpenTarget(const RunConfig& config);

// Records the commit that made `table`'s current metadata in the lake's trail (lake_trail.h),
// after it is durable: `before` is the table's snapshot before it (nullopt for a creation).
// A failure here leaves a change without a record, which the next ingest's ReconcileTrail
// repairs; it is returned so that the step reports it.
Status RecordCommit(const Target& target, const iceberg::Table& table,
                    std::optional<int64_t> before, trail::RecordKind kind);

// The id of the snapshot of `table` recording `run_id`, if any.
std::optional<int64_t> CommittedSnapshot(const iceberg::Table& table, const std::string& run_id);

// An 8-hex-digit FNV-1a hash of `text` (stable across builds), for file name prefixes.
std::string ShortHash(const std::string& text);

}  // namespace atl::snapshot
