// INSERT, DELETE, UPDATE and MERGE on a lake table (an Iceberg table), run by DuckDB with
// DuckDB's own semantics and committed as one Iceberg snapshot.
//
//   RunTableDml(ctx, id, "DELETE FROM stg.shop.orders WHERE id = 7", shape)
//
// How a statement runs (docs/sql.md):
//   1. The table is loaded; its current metadata file fixes the read snapshot R, and the
//      engine's view of the table is pointed at it (so the statement's other references to
//      the table read R too). R is planned once, pruned by the condition's terms Iceberg
//      reads and, for MERGE, by the source's key range on the ON equalities; only the
//      files left are read.
//   2. The rows the statement may change (the candidates) are copied into a DuckDB table
//      with the target's name in the catalog `__atoll_write` (its db as schema), with their
//      row addresses (data file, position) kept aside: for INSERT none; for DELETE and
//      UPDATE with a WHERE and without FROM / USING, the rows matching the WHERE; for MERGE
//      without WHEN NOT MATCHED BY SOURCE, the rows the ON condition joins to the source;
//      otherwise (and whenever the statement names the table again, or has a WITH) all rows.
//      A DELETE without USING, WITH or another reference to the table takes the addresses
//      of the rows matching its WHERE as the removed rows and skips steps 3 and 4.
//   3. The statement, rendered again by DuckDB with that table as its target
//      (engine::RetargetStatement), runs there.
//   4. The change is what differs between the candidates before and the table after, rows
//      paired by rowid and value: removed rows (their addresses) and added rows.
//   5. It is written in the table's mode for the statement (write.delete.mode,
//      write.update.mode, write.merge.mode; default copy-on-write): copy-on-write
//      rewrites the data files holding removed rows without them; merge-on-read writes
//      position delete files (format v2) or deletion vectors (v3). Added rows become new
//      data files. One commit (iceberg RowDelta) validates that the files read are still
//      live and got no new deletes since R (and, under serializable isolation, ...); on a
//      conflict the statement is planned again from step 1 (up to `max_attempts` times),
//      then fails with kCommitConflict.
//   INSERT OVERWRITE replaces partitions instead (see RunTableDml).
//   6. The commit is recorded in the trail (when ctx.trail is set).
//
// A MERGE in which one target row matches more than one source row is kInvalidArgument
// (nothing is written), as the SQL standard asks (DuckDB itself would apply both).
//
// Errors: the engine's (bad SQL, unknown columns, type errors: kInvalidArgument), the
// table's (kNotFound), kCommitConflict as above. On any error the table is unchanged and
// the files written for the statement are deleted (unless the commit's outcome is
// unknown).
// Thread safety: one thread (the engine's rule).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/engine/statement_shape.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/trail/log.h"

namespace atl::lake {

struct DmlContext {
  engine::Engine* engine = nullptr;
  const LakeTables* tables = nullptr;
  trail::Trail* trail = nullptr;  // null: the commits are not recorded
  std::string command = "atoll query";
  int max_attempts = 4;
};

struct DmlOutcome {
  int64_t rows_added = 0;              // rows written (INSERT's rows, UPDATE's new versions, ...)
  int64_t rows_removed = 0;            // rows deleted (UPDATE's old versions count here)
  std::optional<int64_t> snapshot_id;  // the new snapshot; none when nothing changed
  std::string mode;                    // "copy-on-write" or "merge-on-read"
  int attempts = 0;
};

// "insert", "delete", "update", "merge", "other".
std::string_view StatementKindName(engine::StatementKind kind);

// `overwrite` (INSERT OVERWRITE, `statement` being the INSERT INTO it became): the rows
// inserted replace the partitions they fall in (of the table's current spec): every live
// data file of those partitions is removed in the same commit; an unpartitioned table is
// replaced whole (also by no rows). A partitioned table holding files of another partition
// spec is kNotSupported (compact it first).
Result<DmlOutcome> RunTableDml(const DmlContext& ctx, const iceberg::TableIdentifier& id,
                               std::string_view statement, const engine::StatementShape& shape,
                               bool overwrite = false);

}  // namespace atl::lake
