#include "atoll/iceberg/commit/transaction.h"

#include <algorithm>

#include "atoll/iceberg/commit/table.h"

namespace atl::iceberg {
namespace {

size_t MaxMetadataLog(const TableMetadata& m) {
  auto it = m.properties.find("write.metadata.previous-versions-max");
  if (it == m.properties.end()) return 100;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  return (it->second.empty() || *end != '\0' || v < 1) ? 100 : static_cast<size_t>(v);
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
  FileChange c;
  c.operation = SnapshotOperation::kAppend;
  c.added = std::move(files);
  c.spec_id = spec_id;
  c.summary = std::move(summary);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::Overwrite(std::vector<std::string> delete_paths,
                                    std::vector<DataFile> files, SummaryProperties summary) {
  FileChange c;
  c.operation = SnapshotOperation::kOverwrite;
  c.deleted_paths = std::move(delete_paths);
  c.added = std::move(files);
  c.summary = std::move(summary);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::Replace(std::vector<std::string> delete_paths,
                                  std::vector<DataFile> files, SummaryProperties summary) {
  FileChange c;
  c.operation = SnapshotOperation::kReplace;
  c.deleted_paths = std::move(delete_paths);
  c.added = std::move(files);
  c.summary = std::move(summary);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::DeleteFiles(std::vector<std::string> paths, SummaryProperties summary) {
  FileChange c;
  c.operation = SnapshotOperation::kDelete;
  c.deleted_paths = std::move(paths);
  c.summary = std::move(summary);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::DeleteWhere(Expression filter, SummaryProperties summary) {
  FileChange c;
  c.operation = SnapshotOperation::kDelete;
  c.delete_filter = std::move(filter);
  c.summary = std::move(summary);
  return AddFileChange(std::move(c));
}

Transaction& Transaction::UpdateSchema(std::function<void(SchemaUpdate&)> edit) {
  auto expected = std::make_shared<std::optional<int32_t>>();
  return AddEdit([edit = std::move(edit), expected](const TableMetadata& state,
                                                    TableMetadataBuilder* b) -> Status {
    if (!*expected) {
      *expected = state.current_schema_id;
    } else if (**expected != state.current_schema_id) {
      return CommitConflict("the table's current schema changed concurrently (from ", **expected,
                            " to ", state.current_schema_id,
                            "); the schema update was not applied");
    }
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
    if (!*expected) {
      *expected = state.default_spec_id;
    } else if (**expected != state.default_spec_id) {
      return CommitConflict("the table's default partition spec changed concurrently (from ",
                            **expected, " to ", state.default_spec_id,
                            "); the partition update was not applied");
    }
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
