// One table's ingestion run (the work of Ingest, ingest.h, for one stg table): prepare/ →
// load/ unless disabled, then batches of load/ files, each described, fitted to the
// table's schema (rejecting what does not fit), written, recorded in the ingest ledger
// (ledger.h), committed with validation against other processes' batches, recorded in the
// trail and cleaned up; until load/ holds nothing this run can take.
//
// The caller holds the table's lease, kept renewed (`lease`, may be null when leases are
// off); the run checks it before each batch and each commit and stops with its error once
// it is lost (KeptLease::Check). Errors: a store, catalog or engine failure that stops
// the table's run (each file's own faults are rejects, in `report`).
// Thread safety: one run per table at a time in a process; `session`'s engine is used.
#pragma once

#include "atoll/common/result.h"
#include "atoll/ingest/ingest_run.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/lease.h"
#include "atoll/lake/work_session.h"
#include "atoll/trail/log.h"

namespace atl::lake {

// Ingests the table report->db / report->table (set by the caller) and fills `report`.
// `trail` may be null (no trail records).
Status IngestTable(const Lake& lake, const LakeTables& tables, WorkSession& session,
                   const IngestOptions& options, trail::Trail* trail, const KeptLease* lease,
                   TableIngestReport* report);

}  // namespace atl::lake
