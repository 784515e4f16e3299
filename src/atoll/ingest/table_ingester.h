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

#include <functional>
#include <map>
#include <string>

#include "atoll/common/result.h"
#include "atoll/iceberg/table_metadata.h"
#include "atoll/ingest/ingest_run.h"
#include "atoll/ingest/landing_schema.h"
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

// Rows from outside the landing zones (atoll stream, src/atoll/stream/): a SELECT over
// files of the work session's scratch folder (e.g. newline JSON read with ReaderSql).
struct RowBatch {
  std::string query;    // SELECT of the rows
  DuckColumns columns;  // its DESCRIBE (name, DuckDB type)
  // Extra properties of the commit's snapshot summary (kIngestBatchIdKey is added).
  std::map<std::string, std::string> summary;
  // Run on every commit attempt against the metadata it builds on (Transaction::Validate):
  // a non-OK status fails the commit with it (kCommitConflict retries on a fresh base).
  std::function<Status(const iceberg::TableMetadata& base)> validate;
};

// Appends `batch` to the table <zone>.<report->db>.<report->table> ("" = the stg zone): it
// is created from the batch's columns when missing (NewStgTableOptions) and its schema
// evolved by the rules of files (landing_schema.h: kInvalidArgument when the columns do
// not fit; nothing written then), the rows written (`_etl_loaded_at` = now) and appended
// in one snapshot, recorded in `trail` (may be null) and counted in `report`. No lease is
// taken: concurrent writers are told apart by `validate`. Errors: the commit's, with its
// data files deleted — except kUnknownOutcome (it may have landed: the caller looks for
// its summary in the table before writing the rows again).
Status AppendRows(const Lake& lake, const LakeTables& tables, WorkSession& session,
                  const IngestOptions& options, trail::Trail* trail, const std::string& zone,
                  const RowBatch& batch, TableIngestReport* report);

}  // namespace atl::lake
