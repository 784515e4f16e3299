#include "atoll/iceberg/commit/transaction.h"

#include <algorithm>

#include "atoll/iceberg/commit/table.h"

namespace atl::iceberg {
namespace {

FileChange MakeFileChange(SnapshotOperation operation, std::vector<std::string> deleted_paths,
                          std::vector<DataFile> added, SummaryProperties summary) {
  FileChange c;
  c.operation = operation;
  c.deleted_paths = std::move(deleted_paths);
  c.added = std::move(added);
  c.summary = std::move(summary);
  return c;
}

// An edit computed against one state of `what` ("current schema") must not be applied to
// another: the first attempt records the state's value in `*first`; a retry on a base whose
// value differs fails with kCommitConflict naming the `update` that was not applied.
Status CheckUnchanged(std::optional<int32_t>* first, int32_t current, std::string_view what,
                      std::string_view update) {
  if (!*first) {
    *first = current;
  } else if (**first != current) {
    return CommitConflict("the table's ", what, " changed concurrently (from ", **first, " to ",
                          current, "); the ", update, " update was not applied");
  }
  return Status::OK();
}

}  // namespace

Transaction::Transaction(Table* table) : table_(table) {}

Transaction& Transaction::AddFileChange(FileChange change) {
  Change c;
  c.producer = std::make_unique<SnapshotProducer>(std::move(change));
  changes_.push_back(std::move(c));
  return *this;
}

Transaction& Transaction::Validate(std::function<Status(const TableMetadata& base)> check) {
  return AddEdit([check = std::move(check)](const TableMetadata& state, TableMetadataBuilder*) {
    return check(state);
  });
}

Transaction& Transaction::AddEdit(
    std::function<Status(const TableMetadata&, TableMetadataBuilder*)> edit) {
  Change c;
  c.edit = std::move(edit);
  changes_.push_back(std::move(c));
  return *this;
}

Transaction& Transaction::Append(std::vector<DataFile> files, SummaryProperties summary,
                                 std::optional<int32_t> spec_id) {
  FileChange c =
      MakeFileChange(SnapshotOperation::kAppend, {}, std::move(files), std::move(summary));
  c.spec_id = spec_id;
  return AddFileChange(std::move(c));
}

Transaction& Transaction::Overwrite(std::vector<std::string> delete_paths,
                                    std::vector<DataFile> files, SummaryProperties summary) {
  return AddFileChange(MakeFileChange(SnapshotOperation::kOverwrite, std::move(delete_paths),
                                      std::move(files), std::move(summary)));
}

Transaction& Transaction::Replace(std::vector<std::string> delete_paths,
                                  std::vector<DataFile> files, SummaryProperties summary) {
  return AddFileChange(MakeFileChange(SnapshotOperation::kReplace, std::move(delete_paths),
                                      std::move(files), std::move(summary)));
}

Transaction& Transaction::DeleteFiles(std::vector<std::string> paths, SummaryProperties summary) {
  return AddFileChange(
      MakeFileChange(SnapshotOperation::kDelete, std::move(paths), {}, std::move(summary)));
}

Transaction& Transaction::DeleteWhere(Expression filter, SummaryProperties summary) {
  FileChange c = MakeFileChange(SnapshotOperation::kDelete, {}, {}, std::move(summary));
  c.delete_filter = std::move(filter);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::RowDelta(iceberg::RowDelta delta) {
  const bool adds = !delta.added_data.empty();
  const bool removes =
      !delta.added_deletes.empty() || !delta.removed_data.empty() || !delta.removed_deletes.empty();
  const SnapshotOperation operation =
      delta.replace ? SnapshotOperation::kReplace
      : removes     ? (adds ? SnapshotOperation::kOverwrite : SnapshotOperation::kDelete)
                    : SnapshotOperation::kAppend;
  FileChange c = MakeFileChange(operation, delta.removed_data, std::move(delta.added_data),
                                std::move(delta.summary));
  c.spec_id = delta.spec_id;
  auto validator = std::make_shared<RowDeltaValidator>(delta);
  c.validate = [validator](const FileIO& io, const TableMetadata& base) {
    return validator->Validate(io, base);
  };
  c.added_deletes = std::move(delta.added_deletes);
  c.delete_spec_ids = std::move(delta.delete_spec_ids);
  c.removed_deletes = std::move(delta.removed_deletes);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::UpdateSchema(std::function<void(SchemaUpdate&)> edit) {
  auto expected = std::make_shared<std::optional<int32_t>>();
  return AddEdit([edit = std::move(edit), expected](const TableMetadata& state,
                                                    TableMetadataBuilder* b) -> Status {
    ATOLL_RETURN_NOT_OK(
        CheckUnchanged(expected.get(), state.current_schema_id, "current schema", "schema"));
    const Schema* schema = state.CurrentSchema();
    if (schema == nullptr) return Internal("the table has no current schema");
    SchemaUpdate update(*schema, state.last_column_id, state.format_version);
    edit(update);
    ATOLL_ASSIGN_OR_RETURN(SchemaUpdateResult r, update.Apply());
    b->AddSchema(r.schema, r.last_column_id).SetCurrentSchema(-1);
    return Status::OK();
  });
}

Transaction& Transaction::UpdateSpec(std::vector<UnboundPartitionField> fields) {
  auto expected = std::make_shared<std::optional<int32_t>>();
  return AddEdit([fields = std::move(fields), expected](const TableMetadata& state,
                                                        TableMetadataBuilder* b) -> Status {
    ATOLL_RETURN_NOT_OK(CheckUnchanged(expected.get(), state.default_spec_id,
                                       "default partition spec", "partition"));
    const Schema* schema = state.CurrentSchema();
    if (schema == nullptr) return Internal("the table has no current schema");
    int32_t spec_id = 0;
    for (const PartitionSpec& s : state.specs) spec_id = std::max(spec_id, s.spec_id + 1);
    int32_t last_partition_id = state.last_partition_id;
    ATOLL_ASSIGN_OR_RETURN(PartitionSpec spec,
                           EvolveSpec(state.specs, *schema, spec_id, fields, &last_partition_id));
    b->AddPartitionSpec(spec).SetDefaultSpec(-1);
    return Status::OK();
  });
}

Transaction& Transaction::SetProperties(std::map<std::string, std::string> updates) {
  return AddEdit([updates = std::move(updates)](const TableMetadata&, TableMetadataBuilder* b) {
    b->SetProperties(updates);
    return Status::OK();
  });
}

Transaction& Transaction::RemoveProperties(std::set<std::string> keys) {
  return AddEdit([keys = std::move(keys)](const TableMetadata&, TableMetadataBuilder* b) {
    b->RemoveProperties(keys);
    return Status::OK();
  });
}

namespace {
// A reference change needs its snapshot: InvalidArgument the first time, CommitConflict
// when a concurrent commit removed it.
Status NeedSnapshot(const TableMetadata& state, int64_t id, bool* seen) {
  if (state.SnapshotById(id) != nullptr) {
    *seen = true;
    return Status::OK();
  }
  if (*seen) return CommitConflict("snapshot ", id, " was removed by a concurrent commit");
  return InvalidArgument("snapshot ", id, " does not exist");
}
}  // namespace

Transaction& Transaction::SetRef(std::string name, SnapshotRef ref) {
  auto seen = std::make_shared<bool>(false);
  return AddEdit([name = std::move(name), ref, seen](const TableMetadata& state,
                                                     TableMetadataBuilder* b) -> Status {
    ATOLL_RETURN_NOT_OK(NeedSnapshot(state, ref.snapshot_id, seen.get()));
    b->SetRef(name, ref);
    return Status::OK();
  });
}

Transaction& Transaction::RemoveRef(std::string name) {
  return AddEdit([name = std::move(name)](const TableMetadata&, TableMetadataBuilder* b) {
    b->RemoveRef(name);
    return Status::OK();
  });
}

Transaction& Transaction::SetCurrentSnapshot(int64_t snapshot_id) {
  auto seen = std::make_shared<bool>(false);
  return AddEdit(
      [snapshot_id, seen](const TableMetadata& state, TableMetadataBuilder* b) -> Status {
        ATOLL_RETURN_NOT_OK(NeedSnapshot(state, snapshot_id, seen.get()));
        b->SetCurrentSnapshot(snapshot_id);
        return Status::OK();
      });
}

Status Transaction::Commit() {
  if (committed_) return InvalidArgument("this transaction was already committed");
  committed_ = true;
  Table* table = table_;
  const CommitEnv& env = table->env();
  AttemptFn attempt_fn = [&](const TableMetadata& base, const std::string& base_location,
                             int attempt, WrittenFiles* written) -> Result<AttemptResult> {
    AttemptResult result;
    const int64_t now = env.now_ms();
    TableMetadata state = base;
    if (state.format_version < 2) {
      TableMetadataBuilder b(state);
      b.UpgradeFormatVersion(2);
      ATOLL_ASSIGN_OR_RETURN(state, b.Build(now));
    }
    for (Change& change : changes_) {
      TableMetadataBuilder b(state);
      if (change.producer) {
        ATOLL_ASSIGN_OR_RETURN(ProducedSnapshot p,
                               change.producer->Produce(table->io(), state, env, attempt, written));
        b.AddSnapshot(p.snapshot).SetCurrentSnapshot(p.snapshot.snapshot_id);
        result.referenced.insert(p.referenced.begin(), p.referenced.end());
      } else {
        ATOLL_RETURN_NOT_OK(change.edit(state, &b));
      }
      ATOLL_ASSIGN_OR_RETURN(state, b.Build(now));
    }
    state.last_updated_ms = base.last_updated_ms;  // the metadata-log entry of the base
    TableMetadataBuilder final_builder(std::move(state));
    ATOLL_ASSIGN_OR_RETURN(result.metadata,
                           final_builder.Build(now, base_location, MaxMetadataLog(base)));
    return result;
  };
  Result<CommitOutcome> outcome =
      CommitWithRetries(table->catalog(), table->io(), table->id(), table->metadata(),
                        table->metadata_location(), env, attempt_fn);
  if (!outcome.ok()) return outcome.status();
  attempts_ = outcome->attempts;
  table->Update(std::move(outcome->metadata), std::move(outcome->metadata_location));
  return Status::OK();
}

}  // namespace atl::iceberg
