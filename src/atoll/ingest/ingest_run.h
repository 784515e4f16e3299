// One ingest run (ingest.h): what it is asked (IngestOptions), what it tells while it works
// (IngestProgress) and what it reports per table (TableIngestReport, IngestReport), and the
// names it writes into tables (snapshot summary keys, the load-time column).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/ingest/prepare.h"
#include "atoll/ingest/source_file.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

struct IngestProgress {
  std::string table;  // "stg.shop.orders"
  std::string phase;  // "prepare", "read", "write", "commit", "cleanup"
  uint64_t files_done = 0;
  uint64_t files_total = 0;
};

struct IngestOptions {
  // Tables as "<db>.<table>"; empty = every table with files waiting in prepare/ or load/.
  std::vector<std::string> tables;
  bool run_prepare = true;
  // CSV/TSV batches of prepare/ are written straight into the table (PrepareOptions::direct:
  // read and written once, their prepare/ keys in the ledger) instead of through load/.
  // prepare/ batches are then formed by the commit limits below (one commit per batch).
  bool direct_load = true;
  int threads = 2;  // DuckDB worker threads
  size_t max_files_per_commit = 5000;
  uint64_t max_bytes_per_commit = uint64_t{8} << 30;
  // The table's lease (lease.h) expires this long after it was last renewed; a run renews
  // it every third of that while it works (KeptLease), however long it works.
  int64_t lease_ttl_ms = 15 * 60 * 1000;
  // Take the table's lease (false only to test the commit validation on its own).
  bool use_lease = true;
  // A pending ledger entry with no snapshot is dropped only when older than this (another
  // process without a working lease may still be committing it).
  int64_t pending_grace_ms = 60 * 60 * 1000;
  std::string work_dir;             // local scratch; "" = a fresh directory under $TMPDIR
  std::function<int64_t()> now_ms;  // default: system clock
  std::function<void(const IngestProgress&)> progress;
  // Called after each successful commit.
  std::function<void(const std::string& table, int64_t snapshot_id)> on_commit;
  // The trail (lake_trail.h): every commit (create, schema change, ingest batch) is
  // recorded after it is durable; a run first records what an interrupted run committed
  // without recording (ReconcileTrail), and ends by bringing the audit table up to date.
  bool record_trail = true;
  std::string command = "atoll ingest";  // as recorded in the trail
};

struct TableIngestReport {
  std::string db;
  std::string table;
  std::string table_name;  // "stg.shop.orders"
  bool created = false;    // the table was created by this run
  size_t files_loaded = 0;
  int64_t rows = 0;
  uint64_t source_bytes = 0;
  size_t data_files = 0;
  std::vector<int64_t> snapshot_ids;
  size_t recovered_files = 0;  // sources of an interrupted run's committed batch, deleted now
  // Sources left in place for the next run: changed while they were read, or replaced
  // after their rows were committed (source_check.h). The prepare/ files left by prepare
  // itself are in `prepared.left`.
  std::vector<SourceFile> left;
  std::vector<RejectedFile> rejected;  // in load/, and (stage "name") files set aside by name
  // Files that can be neither taken nor moved (their key is refused by the store, e.g. an
  // empty or '..' segment that an S3 server listed): left in place, reported on every run.
  std::vector<UnusableFile> skipped;
  TablePrepareReport prepared;
  std::string error;  // non-empty when the table's run stopped on an error
  bool busy = false;  // another process held the table's lease
};

struct IngestReport {
  std::vector<TableIngestReport> tables;
  size_t files_loaded() const;
  size_t files_rejected() const;  // in prepare and in load
  size_t files_skipped() const;
  int64_t rows() const;
  uint64_t source_bytes() const;
  bool ok() const;  // no table stopped on an error
};

// Summary keys of an ingest snapshot.
inline constexpr std::string_view kIngestBatchIdKey = "atoll.ingest.batch-id";
inline constexpr std::string_view kIngestFilesKey = "atoll.ingest.files";
inline constexpr std::string_view kIngestSourceBytesKey = "atoll.ingest.source-bytes";
// The column holding each row's ingestion time.
inline constexpr std::string_view kLoadedAtColumn = "_etl_loaded_at";
// A source's own `_etl_loaded_at` column is kept, under this name (docs/lake.md).
inline constexpr std::string_view kOwnLoadedAtColumn = "_etl_loaded_at_1";

}  // namespace atl::lake
