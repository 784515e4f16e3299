// Table maintenance: expiring old snapshots, removing orphan files, rewriting manifests.
//
// ExpireSnapshots removes from the metadata every snapshot older than the cutoff except
//   - the newest `retain_last` snapshots of each branch's ancestry (main included), and
//   - every snapshot a branch or tag points at;
// snapshots newer than the cutoff always stay. The change is committed through the commit
// protocol (commit.h: conflicts retry on the refreshed metadata, where the expired set is
// computed again). Only after the commit succeeded are files deleted: manifest lists,
// manifests, data and delete files, and statistics files that only the expired snapshots
// referenced (nothing any remaining snapshot reaches, read from its manifests). When the
// commit fails, or its outcome is unknown, nothing is deleted. The snapshot log keeps the
// entries after the last one naming an expired snapshot; statistics entries of expired
// snapshots are dropped.
//
// RemoveOrphanFiles lists every object under the table location (FileIO::List) and deletes
// those that nothing references — not the current metadata file, the metadata files of the
// metadata-log, metadata/version-hint.text, any snapshot's manifest list, manifests and
// the data/delete files they name (entries of every status), nor statistics or partition
// statistics files — and that are older than the grace period (last modified before
// `older_than_ms`). Locations are compared after FileIO resolution (store and key), so
// "file:///x" and "/x" are the same file. It refuses (kInvalidArgument) when the listing
// does not contain the current metadata file: then the listing and the metadata name files
// differently and nothing could be judged safely. Files under `exclude_locations` are
// never considered.
//
// RewriteManifests rewrites the data manifests of the current snapshot, grouped by partition
// spec, into as few manifests as commit.manifest.target-size-bytes (8 MiB) allows, their
// live entries as EXISTING with their original snapshot ids and sequence numbers, and
// commits a "replace" snapshot over the same data files (delete manifests are kept as they
// are). A group already as small as it can be is kept; when no group shrinks nothing is
// committed.
//
// Errors: the commit's (kCommitConflict after retries, kUnknownOutcome), FileIO's, and
// kInvalidArgument for bad options. Deleting files after a successful commit is best
// effort: failures are reported in `cleanup` and leave orphans for RemoveOrphanFiles.
// Format version 3 tables: ExpireSnapshots and RemoveOrphanFiles work; RewriteManifests is
// kNotSupported (as are all snapshot-producing commits, see transaction.h).
//
// Thread safety: like Transaction, each call uses the Table from one thread; several
// processes may maintain and write the same table (commits are optimistic).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/table.h"

namespace atl::iceberg {

// The default age beyond which snapshots are expired (Java's history.expire.max-snapshot-age-ms).
inline constexpr int64_t kDefaultSnapshotMaxAgeMs = 5LL * 24 * 3600 * 1000;
// The default grace period of RemoveOrphanFiles.
inline constexpr int64_t kDefaultOrphanGraceMs = 3LL * 24 * 3600 * 1000;

struct ExpireOptions {
  // Snapshots with timestamp-ms before this are candidates (default: now - 5 days).
  std::optional<int64_t> older_than_ms;
  int retain_last = 1;            // >= 1: ancestors kept per branch, the head included
  std::optional<int64_t> now_ms;  // default: the table's CommitEnv clock
  bool dry_run = false;           // report what would happen; commit and delete nothing
};

struct ExpireResult {
  std::vector<int64_t> expired_snapshot_ids;  // sorted
  // Files deleted (in a dry run: that would be; when `cleanup` is an error: that were to be).
  int64_t deleted_manifest_lists = 0;
  int64_t deleted_manifests = 0;
  int64_t deleted_data_files = 0;
  int64_t deleted_delete_files = 0;
  int64_t deleted_statistics_files = 0;
  std::vector<std::string> deleted_files;  // every location above, sorted
  Status cleanup;  // the first error deleting files after the commit (OK when none)
};

Result<ExpireResult> ExpireSnapshots(Table& table, const ExpireOptions& options = {});

struct OrphanOptions {
  // Files last modified before this are old enough (default: now - 3 days).
  std::optional<int64_t> older_than_ms;
  std::optional<int64_t> now_ms;  // default: the table's CommitEnv clock
  bool dry_run = false;           // list the orphans, delete nothing
  // Directory locations whose files are never touched, e.g. other tables stored inside this
  // table's folder (a lake's "stg.shop.orders.items" lives under "stg.shop.orders").
  std::vector<std::string> exclude_locations;
};

struct OrphanResult {
  std::vector<std::string> orphans;  // deleted (or would be), sorted, as FileIO::List names them
  int64_t listed = 0;                // objects under the table location
  int64_t too_young = 0;             // unreferenced but within the grace period, kept
  int64_t excluded = 0;              // under an excluded location, left alone
};

Result<OrphanResult> RemoveOrphanFiles(Table& table, const OrphanOptions& options = {});

struct RewriteManifestsOptions {
  std::optional<int64_t> target_size_bytes;  // default: commit.manifest.target-size-bytes
};

struct RewriteManifestsResult {
  int64_t manifests_before = 0;  // data manifests of the current snapshot
  int64_t manifests_after = 0;
  std::optional<int64_t> snapshot_id;  // the replace snapshot; none when nothing changed
};

Result<RewriteManifestsResult> RewriteManifests(Table& table,
                                                const RewriteManifestsOptions& options = {});

}  // namespace atl::iceberg
