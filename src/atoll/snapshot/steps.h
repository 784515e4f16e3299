// The steps of a snapshot run, each an idempotent function over the staging area in the
// bucket (layout.h), so that any of them can run in any process, be killed, and run again.
//
//   Plan            (once)     run.json, the snapshot file manifest, snapshot file groups
//   Stage(i)        (workers)  group i's files → transform → staging datalake, partitioned
//   PlanCompaction  (once)     all staging manifests → partition file groups; creates the
//                              Iceberg table when missing
//   Compact(j)      (workers)  group j's staging files → final Parquet files, cut by rows
//                              into the files grouping.h planned (not committed)
//   Commit          (once)     every final file in ONE Iceberg append (or hive: a marker)
//   Validate        (once)     per-partition counts before/after → validation.json
//   GetStatus                  progress, from the manifests and markers only
//
// Idempotence and resumption:
//   - Plan refuses a run.json with different settings (kAlreadyExists) and never re-plans
//     once manifests/snapshot-file-groups/_plan.json exists (group numbers are stable).
//   - Stage(i) writes deterministic names (datalake/<partition>/g<i>-<n>.parquet), first
//     deleting files of group i that the new output does not contain, then the staging
//     manifest, then markers/stage/group=<i>.done. With the marker present it does nothing
//     (unless `force`). Staging files without a manifest (a killed worker) are never read:
//     compaction reads staging files from the manifests only.
//   - PlanCompaction needs every stage marker (else kFailedPrecondition-like
//     kInvalidArgument naming the missing groups) and never re-plans once its _plan.json
//     exists.
//   - Compact(j) does nothing once the run is committed or its marker exists; otherwise it
//     writes the group's files under new names ("snap-<run hash>-p<j>-<uuidv7>", Iceberg)
//     and records them in result.json, deleting nothing: the files of earlier or
//     concurrent attempts are removed by Commit, which deletes the run's files that the
//     committed snapshot does not hold (also when it finds the run already committed).
//     Hive output has deterministic names instead ("…-p<j>-<k>-0.parquet", rewritten by
//     each attempt); its Commit deletes the run's files that no result.json lists.
//   - Two attempts at one group at once are safe for Stage (same names, same bytes) and
//     for Iceberg Compact (above), but waste work: RunWorkers' workers die with their run
//     (PR_SET_PDEATHSIG), and emitted Kubernetes Jobs replace a pod only once it has failed
//     (podReplacementPolicy: Failed).
//   - Commit does nothing once its marker exists (unless `force`); otherwise it appends all
//     files with the summary "atoll.snapshot.run-id" = RunId(); a table that has a snapshot
//     with that id is left alone (also checked inside the commit, against concurrent
//     committers).
//
// Errors: the store's, the engine's, the catalog's; kCorruption from Validate when counts
// differ. The hook ATOLL_SNAPSHOT_CRASH="<step>:<index>" (e.g. "stage:2", "compact:0")
// kills the worker with SIGKILL in the middle of that step, after some of its output is
// written, for the resumption tests; ATOLL_SNAPSHOT_STALL="<step>:<index>" makes it sleep
// 60 s there instead (a worker still running when its run is killed).
//
// Thread safety: one call per process at a time (each opens its own engine).
#pragma once

#include <cstdint>
#include <string>

#include "atoll/common/result.h"
#include "atoll/snapshot/bucket.h"
#include "atoll/snapshot/layout.h"
#include "atoll/snapshot/reports.h"

namespace atl::snapshot {

struct PlanOptions {
  RunConfig config;
  std::string source_prefix;  // scan this folder for the snapshot's files, or
  std::string manifest_uri;   // a folder holding manifest-summary.json + manifest-data.parquet
  bool count_text_rows = false;
  int threads = 2;
};

struct WorkerOptions {
  int threads = 2;     // DuckDB threads
  bool force = false;  // redo a step whose done marker exists
};

// Each returns a report of what it did (or why it did nothing: "skipped"); reports.h,
// their JSON forms in report_json.h.
Result<PlanReport> Plan(const PlanOptions& options);
Result<StageReport> Stage(const Bucket& staging, int64_t index, const WorkerOptions& options);
Result<PlanCompactionReport> PlanCompaction(const Bucket& staging, const WorkerOptions& options);
Result<CompactReport> Compact(const Bucket& staging, int64_t index, const WorkerOptions& options);
Result<CommitReport> Commit(const Bucket& staging, const WorkerOptions& options);
// Also writes the report to validation.json, before failing when it holds errors.
Result<ValidationReport> Validate(const Bucket& staging, const WorkerOptions& options);
Result<StatusReport> GetStatus(const Bucket& staging);

// Writes the snapshot file manifest of the files under `source_prefix` into `out_uri`.
Result<ManifestReport> WriteSnapshotManifest(const std::string& source_prefix,
                                             const std::string& out_uri, bool count_text_rows,
                                             int threads);

// Number of groups of each worker step, from the plans (0 when not planned yet).
Result<int64_t> SnapshotGroupCount(const Bucket& staging);
Result<int64_t> PartitionGroupCount(const Bucket& staging);

namespace internal {
// SIGKILLs this process when ATOLL_SNAPSHOT_CRASH is "<step>:<index>"; sleeps 60 s when
// ATOLL_SNAPSHOT_STALL is.
void MaybeCrash(std::string_view step, int64_t index);
// Lists the done markers of a worker step ("stage" or "compact"): group indices.
Result<std::vector<int64_t>> DoneGroups(const Bucket& staging, std::string_view step);
}  // namespace internal

}  // namespace atl::snapshot
