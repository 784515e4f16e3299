// Compaction of a lake table's data files (`atoll maintain --compact`, benchmarks):
//
//   CompactTable(engine, table, options)
//
// On the table's current snapshot S, among the data files in scope (all, or those whose
// partition and metrics may hold rows matching options.where, iceberg::MightMatch):
//   1. every data file that delete files apply to (position deletes, deletion vectors,
//      equality deletes) is rewritten without the deleted rows;
//   2. in each partition (spec and partition tuple), the data files smaller than
//      small_file_fraction × target size are rewritten together with the files of step 1
//      of that partition, or, when it has none, when their bytes fit in fewer files of the
//      target size than there are (so a packed partition is not rewritten again): the rows
//      are written again, per partition of the table's current spec, into files of about
//      the target size (table::WriteDataFiles rolls them over at the target). A lone small
//      file is left alone;
//   3. delete files that apply to no data file left live are removed: those whose every
//      data file is rewritten, and dangling ones applying to no live data file at all (in
//      scope: their partition may match options.where).
// The rows are read with iceberg_scan(<metadata>, snapshot_id => S, data_files => [...])
// (the plan's deletes applied) and committed as ONE snapshot of operation "replace"
// through a RowDelta (removed_data and referenced_data_files: the rewritten files;
// removed_deletes: step 3; read snapshot S). So a concurrent commit that removed a
// rewritten file or added a delete (position, DV or equality) that may apply to one makes
// the commit fail with kCommitConflict instead of bringing deleted rows back; concurrent
// appends and changes to other files do not conflict (the commit is re-applied). After a
// conflict the compaction is planned again on the new state, up to options.max_attempts
// times in all; the last conflict is returned (nothing committed).
//
// Target size: options.target_file_size_bytes, else the table property
// write.target-file-size-bytes, else 512 MiB (table::DataWriterOptions). Codec and
// compression level follow the table's properties (table::ApplyWriteProperties).
//
// The commit is recorded in options.trail (when set) as a kCompaction record with the
// field maintenance=compact; a failure to record is reported in trail_error (the commit is
// durable by then). Format v3 tables: the rewritten rows get new row ids (row lineage is
// not carried over).
//
// Requirements: `engine` has iceberg_scan registered (table/iceberg_scan.h, e.g. from
// lake::OpenQueryEngine) reaching the table's location, and can write there.
// Errors: kInvalidArgument for a bad `where` (ParseExpression, unknown column), the
// engine's, the store's and the commit's; on error the table is unchanged and the files
// written for it are deleted (unless the commit's outcome is unknown).
// Thread safety: one thread (the engine's rule); one call per table at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct CompactOptions {
  // A filter in iceberg::ParseExpression's language ("region = 'eu' AND day >= DATE
  // '2024-01-01'"), usually on partition columns; empty: the whole table.
  std::string where;
  std::optional<int64_t> target_file_size_bytes;  // see the top of the file
  double small_file_fraction = 0.75;              // files below fraction × target are small
  bool dry_run = false;                           // plan only: report, write nothing
  int max_attempts = 2;                           // plans (and commits) tried after conflicts
  trail::Trail* trail = nullptr;                  // where the commit is recorded (null: nowhere)
  std::string command = "atoll maintain";
  // Called after the new files are written, before each commit attempt (tests use it to
  // commit a concurrent change). An error ends the compaction with that error.
  std::function<Status()> before_commit;
};

struct CompactOutcome {
  int64_t data_files_rewritten = 0;    // data files removed (rewritten into new ones)
  int64_t bytes_rewritten = 0;         // their size
  int64_t data_files_written = 0;      // new data files
  int64_t bytes_written = 0;           // their size
  int64_t rows_written = 0;            // rows in the new files
  int64_t delete_files_removed = 0;    // delete files removed (applied or dangling)
  int64_t dangling_delete_files = 0;   // of those, the ones applying to no live data file
  std::optional<int64_t> snapshot_id;  // the "replace" snapshot; none: nothing to do, dry run
  int attempts = 0;                    // plans made (1 without conflicts)
  std::string conflict;                // the conflict that made a later attempt re-plan
  std::string trail_error;             // recording the commit in the trail failed
};

Result<CompactOutcome> CompactTable(engine::Engine& engine, iceberg::Table& table,
                                    const CompactOptions& options);

}  // namespace atl::lake
