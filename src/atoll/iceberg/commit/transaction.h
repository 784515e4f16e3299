// Transaction: several changes to one table, committed as one new metadata file.
//
//   Transaction tx = table.NewTransaction();
//   tx.SetProperties({{"owner", "lake"}}).Append(files, {{"lake.source", "a.csv"}});
//   ATOLL_RETURN_NOT_OK(tx.Commit());
//
// Changes apply in the order they were added. Each file change (Append, Overwrite,
// Replace, DeleteFiles, DeleteWhere, RowDelta) makes one snapshot (snapshot_producer.h), the next
// one's parent being the previous; metadata changes (schema, partition spec, properties,
// references) are re-applied on whatever base the commit ends up on (commit.h retries on
// conflicts). Conflict rules on a refreshed base:
//   - appends are always re-applied (their manifests are reused);
//   - files to remove must still be live, else kCommitConflict (see snapshot_producer.h);
//   - UpdateSchema / UpdateSpec fail with kCommitConflict when the current schema / default
//     spec changed since this transaction first applied them;
//   - SetRef / SetCurrentSnapshot need their snapshot to still exist (kCommitConflict);
//   - a RowDelta re-runs its isolation checks (row_delta.h) against each base: a conflict
//     ends the commit with kCommitConflict (the caller re-plans), otherwise the delta is
//     re-applied on the new base.
// Format version 1 tables are upgraded to v2 by any commit; v3 tables get v3 snapshots
// with row lineage (snapshot_producer.h).
//
// Errors from building a change (e.g. a bad SchemaUpdate) surface at Commit(). A
// transaction commits at most once; on success the Table is updated to the new metadata.
//
// Not thread-safe; the Table must outlive the Transaction.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/row_delta.h"
#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/iceberg/commit/snapshot_producer.h"
#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/scan/expression.h"

namespace atl::iceberg {

class Table;

using SummaryProperties = std::map<std::string, std::string>;

class Transaction {
 public:
  explicit Transaction(Table* table);

  // Fast append of data files, written with partition spec `spec_id` (default: the table's
  // default spec when the commit first applies).
  Transaction& Append(std::vector<DataFile> files, SummaryProperties summary = {},
                      std::optional<int32_t> spec_id = std::nullopt);
  // Removes the data files at `delete_paths` and adds `files` in one snapshot:
  // "overwrite" (the rows change) or "replace" (same rows rewritten, as compaction does).
  Transaction& Overwrite(std::vector<std::string> delete_paths, std::vector<DataFile> files,
                         SummaryProperties summary = {});
  Transaction& Replace(std::vector<std::string> delete_paths, std::vector<DataFile> files,
                       SummaryProperties summary = {});
  // Removes whole data files by path.
  Transaction& DeleteFiles(std::vector<std::string> paths, SummaryProperties summary = {});
  // Removes the data files all of whose rows match `filter` (AllMatch); kNotSupported at
  // commit when some file may match only in part.
  Transaction& DeleteWhere(Expression filter, SummaryProperties summary = {});
  // A row-level change (DELETE / UPDATE / MERGE): data files added and removed, delete
  // files added and removed, in one snapshot, validated against what was committed since
  // delta.read_snapshot_id (row_delta.h has the rules).
  Transaction& RowDelta(iceberg::RowDelta delta);

  // Schema evolution: `edit` records changes on a SchemaUpdate of the current schema.
  Transaction& UpdateSchema(std::function<void(SchemaUpdate&)> edit);
  // Partition evolution: the new default spec's fields (ids of equivalent fields reused).
  Transaction& UpdateSpec(std::vector<UnboundPartitionField> fields);
  Transaction& SetProperties(std::map<std::string, std::string> updates);
  Transaction& RemoveProperties(std::set<std::string> keys);
  // Branches and tags; SetCurrentSnapshot moves "main" (rollback to an older snapshot).
  Transaction& SetRef(std::string name, SnapshotRef ref);
  Transaction& RemoveRef(std::string name);
  Transaction& SetCurrentSnapshot(int64_t snapshot_id);

  // A check run on every commit attempt against the metadata the attempt starts from
  // (after a conflict: the refreshed base), in order with the other changes. A non-OK
  // status fails the commit with that status (no retry unless it is kCommitConflict).
  // E.g. "no snapshot of the base holds these source files yet".
  Transaction& Validate(std::function<Status(const TableMetadata& base)> check);

  // Commits every change (commit.h). kUnknownOutcome: see commit.h (refresh the table to
  // find out). After a definite failure nothing changed and nothing this commit wrote is
  // left behind.
  Status Commit();

  // The number of attempts the last Commit() made (0 before).
  int attempts() const { return attempts_; }

 private:
  // One change: applied to `state` (the metadata so far in this attempt).
  struct Change {
    std::unique_ptr<SnapshotProducer> producer;  // file changes
    // metadata changes: edit a builder over `state`
    std::function<Status(const TableMetadata& state, TableMetadataBuilder* builder)> edit;
  };
  Transaction& AddFileChange(FileChange change);
  Transaction& AddEdit(std::function<Status(const TableMetadata&, TableMetadataBuilder*)> edit);

  Table* table_;
  std::vector<Change> changes_;
  bool committed_ = false;
  int attempts_ = 0;
};

}  // namespace atl::iceberg
