// The audit table: the records of the lake's trail (lake_trail.h) as the Iceberg table
// `<trail zone>.atoll.audit`, so that they can be queried like any other table. It is a
// system table (system_tables.h) whose rows are the trail's records in sequence order.
//
//   AuditTableId(lake)                     {[settings().zones.trail, "atoll"], "audit"}
//   AuditTableSchema()                     its columns (below)
//   SyncTrailTable(lake, tables, trail, e) copies the records not yet there into it
//
// Layering: audit_table uses lake_trail and system_tables; neither uses it (this is what
// keeps lake_trail and system_tables free of a cycle: system_tables records its commits in
// the trail, the trail's own table is built from system tables).
//
// Errors: the engine's, the catalog's, the store's and the trail's, as Status.
// Thread safety: the Engine's rule (one thread at a time); concurrent syncs in any process
// are safe (see SyncTrailTable).
#pragma once

#include <cstdint>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/schema.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

// The audit table: {[settings().zones.trail, "atoll"], "audit"}.
iceberg::TableIdentifier AuditTableId(const Lake& lake);

// The audit table's schema: seq long, time timestamptz, command, user, host, table,
// operation string, snapshot_before, snapshot_after long, metadata_location,
// metadata_sha256 string, files_added, files_removed, bytes_added, bytes_removed long,
// recovered boolean, record_hash string (hex leaf hash).
iceberg::Schema AuditTableSchema();

struct SyncReport {
  uint64_t appended = 0;  // rows appended by this call
  uint64_t covered = 0;   // records of the trail the table holds now (0..covered-1)
  int attempts = 0;       // commit attempts (more than one after a concurrent sync)
};

// Creates the audit table when missing and appends the records it does not hold yet
// (records from the size stored in its property and snapshot summary "atoll.trail.size",
// to the end of the log), written with table::WriteDataFiles through `engine` and
// committed with one Append. For an S3 (or other "scheme://") lake the engine gets the
// lake's stores registered (an already registered scheme is kept). A concurrent sync that
// commits first makes this one start over from the new size (never duplicate rows).
Result<SyncReport> SyncTrailTable(const Lake& lake, const LakeTables& tables, trail::Trail& trail,
                                  engine::Engine& engine);

}  // namespace atl::lake
