// The lake's trail (docs/trail.md, "The lake and its trail"): every committed change to a
// table of the lake becomes one record of the tamper-evident log under the trail zone
// (`<settings().zones.trail>/records/...`, atoll/trail/log.h).
//
//   OpenLakeTrail(lake)                    the trail of the lake; checkpoint key from
//                                          LakeTrailOptions::key_path, else $ATOLL_TRAIL_KEY
//   DescribeCommit(table, before, ...)     what the commit that made table's current
//                                          metadata changed (hash of the metadata file,
//                                          files added/removed from its manifests)
//   RecordTableChange(trail, change)       appends one record (write-once, conditional put;
//                                          concurrent recorders in any process each get
//                                          their own sequence number)
//   ReconcileTrail(lake, tables, trail)    records every committed change that has no
//                                          record (a crash between a commit and its record)
//
// The records as an Iceberg table (SyncTrailTable): audit_table.h.
//
// Rules:
//   - a record is written only after the commit it describes is durable (callers record
//     after Commit() returned OK), so there is never a record without a change; a crash
//     after the commit and before the record leaves a change without a record, which
//     ReconcileTrail repairs (records carrying the field recovered=true);
//   - tables in the trail zone (the audit table itself) are never recorded, so syncing
//     the audit table does not grow the trail;
//   - with no key, records are appended but checkpoints cannot be written: such records
//     are protected by their stored leaf hashes only (accidents, not forgery) and
//     `atoll trail verify` says how many records no checkpoint covers.
//
// Reconcile racing a command that has committed but not yet recorded can record the same
// change twice (once recovered); run it when no other command writes (e.g. at the start
// of a command, or from a scheduled `atoll trail reconcile`).
//
// Errors: the store's, the catalog's and the trail's (Result/Status); kInvalidArgument for
// a TableChange the record format cannot hold.
// Thread safety: the functions may run concurrently on different Trail objects; a Trail
// is thread-safe (log.h).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct LakeTrailOptions {
  // Checkpoint signing key file (Ed25519 PEM or HMAC secret of >= 32 bytes), kept outside
  // the bucket. Empty: $ATOLL_TRAIL_KEY; neither: no checkpoints (see above).
  std::string key_path;
  // Ed25519 public key (PEM text) the verifier trusts instead of the bucket's copy.
  std::string pinned_public_key_pem;
  // Write a checkpoint each time the log reaches a multiple of this many records (needs a
  // key; 0 = only on request). Checkpoints should come from one writer at a time.
  uint64_t checkpoint_every = 0;
};

// The trail under settings().zones.trail in the lake's store. Nothing is written.
// kNotFound / kInvalidArgument for a key file that is missing or not a key.
Result<std::unique_ptr<trail::Trail>> OpenLakeTrail(const Lake& lake,
                                                    const LakeTrailOptions& options = {});

// One committed change of one table.
struct TableChange {
  std::string command;  // the command line, e.g. "atoll ingest /lake shop"
  std::string user;     // empty: $USER (or $LOGNAME)
  std::string table;    // "stg.shop.orders"
  trail::RecordKind operation = trail::RecordKind::kOther;
  std::optional<int64_t> snapshot_before;
  std::optional<int64_t> snapshot_after;
  std::string metadata_location;  // the table's new metadata file, as the catalog names it
  std::optional<trail::Hash> metadata_sha256;
  std::vector<trail::FileRef> files_added;  // location, size, checksum ("" when unknown)
  std::vector<trail::FileRef> files_removed;
  // The manifest list and manifests the snapshot wrote, with "sha256:<hex>" checksums
  // (the record's field kManifestsField, trail_check.h); kept apart from `fields`.
  std::vector<trail::FileRef> manifests;
  int64_t time_ms = 0;                                      // 0: now
  std::vector<std::pair<std::string, std::string>> fields;  // extra key/values (keys non-empty)
};

// The change the commit that produced `table`'s current metadata made. `snapshot_before`
// is the table's current snapshot id read before the commit (nullopt for a table without
// one). When the current snapshot differs from it, the commit made that snapshot: the
// change names the snapshot's parent as the one before (right even when the commit was
// retried on a newer base) and lists the data and delete files the snapshot added and
// removed (from its manifests, with sizes; each added file also with its "sha256:<hex>",
// read back in bounded chunks) and the manifest list and manifests it wrote with theirs.
// Otherwise (a schema change, properties...) no files. Always: the metadata location and the
// SHA-256 of its bytes (read back through the table's FileIO), the current snapshot as the one
// after, the metadata's last-updated-ms as the time, `table.id()` as the table, and `operation` —
// when nullopt, derived from the snapshot's operation (append, overwrite, delete, replace →
// compaction), else kOther.
Result<TableChange> DescribeCommit(const iceberg::Table& table,
                                   std::optional<int64_t> snapshot_before, std::string command,
                                   std::optional<trail::RecordKind> operation = std::nullopt);

// The record for `change` (host from gethostname, user and time defaulted as above).
Result<trail::Record> TableChangeRecord(const TableChange& change);

// Appends the record of `change` as one write-once object. Returns its sequence number.
Result<uint64_t> RecordTableChange(trail::Trail& trail, const TableChange& change);

// True for tables the trail does not record: those in the trail zone.
bool IsTrailZoneTable(const Lake& lake, const iceberg::TableIdentifier& id);

struct ReconcileOptions {
  std::string command = "atoll trail reconcile";
  bool dry_run = false;  // find the missing records but append nothing
  // Further zones (first namespace level) whose tables are skipped, e.g. the log zone when
  // its tables' commits are not meant to be recorded. The trail zone is always skipped.
  std::vector<std::string> skip_zones;
};

struct ReconcileReport {
  size_t tables = 0;                 // tables examined
  std::vector<trail::Record> added;  // the records appended (with their sequence numbers)
  // Tables whose metadata could not be loaded (missing or corrupt): skipped, so that one
  // broken table does not stop every ingest. {table name, reason}.
  std::vector<std::pair<std::string, std::string>> unreadable;
};

// For every table of the lake outside the trail zone: each metadata file of the table's
// history (its metadata log and the current file) that no record names, and then each
// snapshot of the current metadata that no record has as snapshot_after, gets a record
// marked with the field recovered=true (kind derived from what changed, files from the
// snapshot's manifests, metadata hash when the file is still readable). Records are
// appended in one batch, in table order and history order. Running it twice adds nothing
// the second time.
Result<ReconcileReport> ReconcileTrail(const Lake& lake, const LakeTables& tables,
                                       trail::Trail& trail, const ReconcileOptions& options = {});

// A metadata hasher reading locations through `io` (for trail::VerifyOptions).
trail::MetadataHasher LakeMetadataHasher(std::shared_ptr<iceberg::FileIO> io);

// Maintenance and missing metadata files. `atoll maintain` may delete old metadata files
// (those that fell out of a table's metadata log are orphans); it then appends a record
// with the field maintenance=remove-orphan-files listing them in files_removed. The rule
// for verification: a recorded metadata file that is missing is accepted only when a
// LATER record (higher sequence number) of the same table, carrying the field
// "maintenance", lists it in files_removed. Any other missing file is still reported.
inline constexpr char kMaintenanceField[] = "maintenance";

// The field ReconcileTrail marks its records with: recovered=true.
inline constexpr char kRecoveredField[] = "recovered";

// The metadata files the trail says maintenance removed, each with the hash recorded by
// the last record naming it before its removal. Errors: the trail's (reading records).
Result<std::map<std::string, trail::Hash>> MetadataRemovedByMaintenance(trail::Trail& trail);

// Like LakeMetadataHasher, but a file that is missing and in `removed` answers the hash
// recorded for it (so verification accepts it, see the rule above).
trail::MetadataHasher LakeMetadataHasher(std::shared_ptr<iceberg::FileIO> io,
                                         std::map<std::string, trail::Hash> removed);

}  // namespace atl::lake
