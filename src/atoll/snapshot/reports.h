// What each step of a snapshot run did (steps.h, runner.h), as plain structs. A step that
// found its work already done says why in `skipped` ("already planned", "already done",
// "already committed", ...) and reports only what it knows; optional members are absent
// when the step did not get that far or had nothing to say.
//
// JSON forms (the reports `atoll snapshot` prints, and validation.json in the staging
// area) are made in one place only: report_json.h.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace atl::snapshot {

// Counts of a list of files (a file manifest's summary).
struct FileSummary {
  int64_t n_file = 0;
  int64_t total_size = 0;
  int64_t n_record = 0;          // of the files with a known count
  int64_t n_record_unknown = 0;  // files without a count
};

// WriteSnapshotManifest.
struct ManifestReport {
  FileSummary files;
  std::string manifest;  // the folder written
};

// Plan.
struct PlanReport {
  std::string staging;  // the staging root URI
  std::string run_id;
  std::string skipped;  // "already planned", or empty
  int64_t n_groups = 0;
  std::optional<int64_t> n_file;              // not when skipped
  std::optional<int64_t> group_target_bytes;  // not when skipped
};

// Stage(i).
struct StageReport {
  int64_t group = 0;
  std::string skipped;  // "already done", or empty
  std::optional<int64_t> rows_read;
  std::optional<int64_t> rows_staged;
  std::optional<int64_t> n_file;
};

// PlanCompaction.
struct PlanCompactionReport {
  std::string skipped;  // "already planned", or empty
  int64_t n_groups = 0;
  std::optional<int64_t> n_staging_files;
  std::optional<bool> table_created;  // set when the table was missing: created by this call
};

// Compact(j).
struct CompactReport {
  int64_t group = 0;
  std::string skipped;  // "already done", "already committed", or empty
  std::optional<int64_t> n_record;
  std::optional<int64_t> n_file;
  std::optional<int64_t> total_size;
};

// Commit.
struct CommitReport {
  std::string run_id;
  // "already committed", "committed concurrently by another process", or empty.
  std::string skipped;
  std::optional<int64_t> snapshot_id;  // Iceberg output
  std::optional<int64_t> n_record;
  std::optional<int64_t> n_file;
  std::optional<int64_t> removed_files;  // files of the run the commit does not hold, deleted
};

// Validate: the counts of one partition before and after.
struct PartitionCheck {
  std::string partition;
  bool ok = false;
  int64_t staging_records = 0, staging_bytes = 0, staging_files = 0;
  int64_t planned_records = 0, planned_bytes = 0;
  int64_t final_records = 0, final_footer_records = 0, final_bytes = 0, final_files = 0;
};

// Validate: the table's snapshot of the run.
struct TableCheck {
  int64_t snapshot_id = 0;
  // The snapshot was committed, then expired from the table's history: no counts.
  bool expired = false;
  int64_t added_records = 0;     // from the snapshot summary (-1: not there)
  int64_t added_data_files = 0;  // from the snapshot summary (-1: not there)
};

// Validate (also written to validation.json).
struct ValidationReport {
  std::string run_id;
  bool ok = false;
  std::vector<std::string> errors;
  int64_t source_n_record_known = 0;
  int64_t source_files_without_count = 0;
  int64_t rows_read = 0;
  int64_t rows_staged = 0;
  int64_t final_records = 0;
  int64_t staging_bytes = 0;
  int64_t final_bytes = 0;
  int64_t final_files = 0;
  std::vector<PartitionCheck> partitions;
  std::optional<TableCheck> table;  // Iceberg output, when the snapshot was found
};

// GetStatus.
struct StatusReport {
  std::string run_id;
  std::string staging;
  // plan, stage, plan-compaction, compact, commit, validate or done.
  std::string phase;
  int64_t stage_groups = 0, stage_done = 0;
  int64_t compact_groups = 0, compact_done = 0;
  bool committed = false;
  std::optional<int64_t> snapshot_id;
  std::optional<bool> validation_ok;  // when validation.json exists
};

// RunSnapshot.
struct RunReport {
  std::string run_id;
  std::string staging;
  int64_t snapshot_file_groups = 0;
  int64_t partition_file_groups = 0;
  CommitReport commit;
  int64_t rows = 0;  // final records
  int64_t final_files = 0;
  int64_t final_bytes = 0;
  bool validation_ok = false;
  double seconds = 0;
};

}  // namespace atl::snapshot
