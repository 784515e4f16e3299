// Maintenance of one table of a lake (`atoll maintain`, and whoever else maintains tables):
//
//   MaintainTable(lake, tables, id, all, options)
//     0. when options.compact is set, compacts the data files (compact.h: deletes applied,
//        dangling deletes dropped, small files bin-packed) with options.engine; the trail
//        zone's tables are not compacted (their files are named by the trail's records);
//     1. expires snapshots (iceberg::ExpireSnapshots with options.expire);
//     2. when options.rewrite, rewrites the current snapshot's manifests (skipped in a dry
//        run);
//     3. removes orphan files under the table's location (iceberg::RemoveOrphanFiles with
//        options.orphans); the locations of the other tables of `all` stored inside this
//        table's folder ("stg.shop.orders.items" inside "stg.shop.orders") are left alone.
//   Each commit (and each metadata file removed as an orphan) is recorded in
//   options.trail (never in a dry run, never for the tables of the trail zone). With a
//   trail, orphans are listed first and deleted without the files that a trail record
//   newer than the listed metadata names (a concurrent commit the listing did not see).
//
// The result says what each step did (in a dry run: would do). A failed step stops the
// table: `status` holds the error (naming the table) and the steps after it are absent.
// A failure to record in the trail never fails the table (the commit is durable by then):
// it is reported in the step's `trail_error`.
//
//   RollbackTable(lake, tables, id, snapshot_id, trail, command)
//     makes `snapshot_id` (a snapshot of the table's metadata) the current snapshot of the
//     table's main branch (Transaction::SetCurrentSnapshot) and records it in `trail` as a
//     kRollback record. kNotFound (naming the table's snapshots) for an unknown snapshot;
//     kPermissionDenied for the tables of the trail, stats and log zones (the lake's own
//     records are append-only).
//
// Thread safety: one call per Table at a time; calls on different tables may run at once
// (with different engines).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/maintenance.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/compact.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct MaintainOptions {
  iceberg::ExpireOptions expire;
  iceberg::OrphanOptions orphans;
  // Compaction first (its trail, command and dry_run are taken from these options).
  std::optional<CompactOptions> compact;
  engine::Engine* engine = nullptr;  // needed by compaction (iceberg_scan registered)
  bool rewrite = false;              // rewrite the manifests
  bool dry_run = false;              // report what would be done; change nothing
  // Where the commits are recorded (null: nowhere; never in a dry run), and as what.
  trail::Trail* trail = nullptr;
  std::string command = "atoll maintain";
};

struct ExpireOutcome {
  iceberg::ExpireResult expired;
  int64_t snapshots_left = 0;
  std::string trail_error;  // recording the expiry in the trail failed
};

struct RewriteOutcome {
  bool skipped_dry_run = false;  // a dry run: nothing rewritten, `rewritten` is empty
  iceberg::RewriteManifestsResult rewritten;
  std::string trail_error;  // recording the rewrite in the trail failed
};

struct OrphanOutcome {
  iceberg::OrphanResult orphans;  // orphans.orphans: removed (or would be)
  int64_t trail_protected = 0;    // kept because a newer trail record names them
  // The local store's temporary files of writes that died before their rename, deleted
  // under the same age limit (tables on a local directory only; none in a dry run).
  int64_t temporaries_removed = 0;
  std::string trail_error;  // recording removed metadata files in the trail failed
};

struct TableMaintenance {
  std::string table;  // zone.db.table
  Status status;      // the step that failed, with the table named; OK when all ran
  std::optional<CompactOutcome> compact;  // only with MaintainOptions::compact
  std::optional<ExpireOutcome> expire;
  std::optional<RewriteOutcome> rewrite;  // only when MaintainOptions::rewrite
  std::optional<OrphanOutcome> orphans;

  // The last trail error of the steps (empty: none).
  const std::string& trail_error() const;
};

// `all` is every table of the lake (ListLakeTables).
TableMaintenance MaintainTable(const Lake& lake, const LakeTables& tables,
                               const iceberg::TableIdentifier& id,
                               const std::vector<iceberg::TableIdentifier>& all,
                               MaintainOptions options);

struct RollbackOutcome {
  std::optional<int64_t> from;  // the current snapshot before
  int64_t to = 0;
  std::string trail_error;  // recording the rollback in the trail failed
};

Result<RollbackOutcome> RollbackTable(const Lake& lake, const LakeTables& tables,
                                      const iceberg::TableIdentifier& id, int64_t snapshot_id,
                                      trail::Trail* trail,
                                      const std::string& command = "atoll maintain");

}  // namespace atl::lake
