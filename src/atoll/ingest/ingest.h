// Ingest: files dropped into the lake become rows of Iceberg tables.
//
//   prepare/<db>/<table>/*  --Prepare (prepare.h)-->  load/<db>/<table>/*.parquet
//   load/<db>/<table>/*.parquet  --IngestTable-->  the table "<stg>.<db>.<table>"
//
// One table's run (under the lease "ingest.<db>.<table>", lease.h, so two processes never
// work on one table at once; other tables proceed in parallel):
//   1. Resolve what an interrupted run left (see "Exactly once").
//   2. Prepare the table's prepare/ files, first dropping sources whose rows already sit
//      in a load/ file (its Parquet "atoll.lineage" names them: a crash between writing
//      the converted file and deleting its sources). Batches of CSV/TSV files go straight
//      into the table (IngestOptions::direct_load), through steps 4-8 below with the
//      prepare/ files as the batch's sources; the rest are converted into load/.
//   3. List load/<db>/<table>/ (names starting with '.' or '_' are ignored) and take the
//      files in key order, in commits of at most max_files_per_commit files and
//      max_bytes_per_commit bytes (group commit).
//   4. Read each file's schema. The table is created from the first good file's columns
//      plus `_etl_loaded_at` (timestamptz; a file's own `_etl_loaded_at` is kept as
//      kOwnLoadedAtColumn; partitioned by Settings::partition_by, default
//      day(_etl_loaded_at)); later files merge in (landing_schema.h: new columns added,
//      widening promotions applied — committed as a schema change before the data). A
//      file that cannot be read or merged goes to `_rejected/load/<db>/<table>/` with its
//      reason (rejects.h); the rest of the batch still loads.
//   5. Write the batch's rows as Parquet data files with Iceberg field ids
//      (table::WriteDataFiles), `_etl_loaded_at` being the batch's start time. A batch
//      over DuckDB's memory limit (prepare.memory_limit) is written file by file; a file
//      over it on its own is rejected, its reason naming the limit and the setting.
//   6. Commit one append snapshot whose summary holds "atoll.ingest.batch-id",
//      "atoll.ingest.files" and "atoll.ingest.source-bytes".
//   7. Delete the batch's sources (those still the version read: a source replaced since
//      is new data, left for the next run; source_check.h), then record the batch as done.
//      Before the commit, a batch whose files changed while they were read commits
//      nothing; the changed files are left for the next run, the others load again.
//   8. Record each commit in the lake's trail (see IngestOptions::record_trail).
//
// Exactly once. Before the commit, the batch's ledger entry
// `_atoll/ingest/<stg>.<db>.<table>/pending/<batch-id>.json` lists its sources (key, size,
// etag) and data files. The table's metadata decides what happened to a pending batch:
//   - a snapshot with its batch id exists: the batch is committed; its sources still in
//     load/ with the same etag are deleted, and the entry moves to `done/` (with the
//     snapshot id): this is the record of which source went into which snapshot;
//   - otherwise the commit has not happened: the sources load again in a new batch. The
//     entry itself is dropped once older than pending_grace_ms (a process on a store
//     where leases are not exclusive may still be committing it); its data files are
//     unreferenced and left for `atoll maintain` (orphan removal).
// Commits also validate, on every attempt, that no snapshot of the base carries the same
// batch id or a batch whose ledger shares a source: a second line of defence on stores
// where leases are not exclusive (those ignoring conditional writes).
//
// Errors: store and catalog errors stop the table's run (nothing is rejected because the
// store misbehaved) and are reported per table; other tables still run. kAlreadyExists
// "busy" when another process holds the table's lease (reported, not an error of the run).
//
// Thread safety: one Ingest call per process and lake at a time is the expected use;
// concurrent calls from several processes are safe (leases, validated commits).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/ingest/ingest_run.h"
#include "atoll/ingest/prepare.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

// Runs prepare (unless disabled) and ingestion for every table with files waiting (its
// options and report: ingest_run.h).
// One table never stops the others: a table folder whose name cannot be a table
// (TableNameProblem, or a case collision: RefuseCaseCollisions) has its files rejected
// (stage "name"), files with unusable names are set aside (SetAsideUnusable), and a table
// whose run fails gets TableIngestReport::error while the others go on. Errors returned
// are the run's own (bad `options.tables`, opening the catalog, the trail, the work
// directory, listing the zones).
Result<IngestReport> Ingest(const Lake& lake, const IngestOptions& options = {});

// The tables "<db>.<table>" with files waiting under prepare/ or load/ (files that can be
// neither taken nor moved do not count: they would make `atoll watch` run for nothing).
Result<std::vector<std::string>> TablesWithFilesWaiting(const Lake& lake);

}  // namespace atl::lake
