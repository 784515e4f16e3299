#include "atoll/records/system_tables.h"

#include <utility>

#include "atoll/records/lake_trail.h"
#include "atoll/table/data_writer.h"

namespace atl::lake {

iceberg::Schema SystemTableSchema(const std::vector<SystemColumn>& columns) {
  std::vector<iceberg::NestedField> fields;
  int32_t id = 1;
  for (const SystemColumn& c : columns) {
    iceberg::NestedField f;
    f.id = id++;
    f.name = c.name;
    f.required = c.required;
    f.type = c.type;
    fields.push_back(std::move(f));
  }
  return iceberg::Schema(0, std::move(fields));
}

Result<iceberg::Table> LoadOrCreateSystemTable(const LakeTables& tables,
                                               const iceberg::TableIdentifier& id,
                                               const std::vector<SystemColumn>& columns,
                                               std::map<std::string, std::string> properties,
                                               trail::Trail* trail, const std::string& command) {
  Result<iceberg::Table> loaded = LoadLakeTable(tables, id);
  if (loaded.ok() || loaded.status().code() != StatusCode::kNotFound) return loaded;
  ATOLL_RETURN_NOT_OK(EnsureNamespace(*tables.catalog, id.ns));
  iceberg::CreateTableOptions options;
  options.schema = SystemTableSchema(columns);
  // A conflicting commit must not be rebased (it could add the same rows twice): the
  // writers recompute what is missing and start over instead.
  properties["commit.retry.num-retries"] = "0";
  options.properties = std::move(properties);
  Result<iceberg::Table> created = iceberg::Table::Create(tables.catalog, tables.io, id, options);
  if (created.ok()) {
    ATOLL_RETURN_NOT_OK(RecordSystemCommit(trail, *created, std::nullopt, command));
    return created;
  }
  if (created.status().code() != StatusCode::kAlreadyExists) return created;
  return LoadLakeTable(tables, id);
}

Status StageRows(engine::Engine& engine, const std::string& stage,
                 const std::vector<SystemColumn>& columns,
                 const std::function<Status(engine::Appender&)>& fill) {
  std::vector<engine::AppenderColumn> specs;
  for (const SystemColumn& c : columns) specs.push_back({c.name, c.duckdb_type});
  ATOLL_ASSIGN_OR_RETURN(auto a, engine::Appender::Create(engine, stage, specs, /*replace=*/true));
  ATOLL_RETURN_NOT_OK(fill(*a));
  return a->Close();
}

Status CommitStaged(engine::Engine& engine, iceberg::Table& table, const LakeTables& tables,
                    const std::string& stage, const std::string& file_prefix,
                    iceberg::SummaryProperties summary,
                    std::map<std::string, std::string> properties) {
  const iceberg::Schema* schema = table.metadata().CurrentSchema();
  const iceberg::PartitionSpec* spec = table.metadata().DefaultSpec();
  if (schema == nullptr || spec == nullptr)
    return Corruption("table ", table.id().ToString(), " has no schema");
  table::DataWriterOptions writer;
  table::ApplyWriteProperties(table.metadata().properties, &writer);
  writer.file_name_prefix = file_prefix;
  Result<std::vector<iceberg::DataFile>> files =
      table::WriteDataFiles(engine, StrCat("SELECT * FROM ", engine::QuoteIdentifier(stage)),
                            *schema, *spec, table.location(), writer);
  (void)engine.Execute(StrCat("DROP TABLE IF EXISTS ", engine::QuoteIdentifier(stage)));
  if (!files.ok())
    return files.status().WithContext(StrCat("writing data files of ", table.id().ToString()));
  iceberg::Transaction tx = table.NewTransaction();
  tx.Append(*files, std::move(summary));
  if (!properties.empty()) tx.SetProperties(std::move(properties));
  Status st = tx.Commit();
  if (st.ok()) return st;
  if (st.code() != StatusCode::kUnknownOutcome) {
    std::vector<std::string> paths;
    for (const iceberg::DataFile& f : *files) paths.push_back(f.file_path);
    (void)tables.io->Delete(paths);
  }
  if (st.code() == StatusCode::kCommitConflict) return st;
  return st.WithContext(StrCat("committing to ", table.id().ToString()));
}

Status RecordSystemCommit(trail::Trail* trail, const iceberg::Table& table,
                          std::optional<int64_t> snapshot_before, const std::string& command) {
  if (trail == nullptr) return Status::OK();
  std::optional<trail::RecordKind> kind;
  if (table.metadata().snapshots.empty() && table.metadata().metadata_log.empty())
    kind = trail::RecordKind::kCreate;
  ATOLL_ASSIGN_OR_RETURN(TableChange change, DescribeCommit(table, snapshot_before, command, kind));
  return RecordTableChange(*trail, change).status();
}

Status AppendTextOrNull(engine::Appender& a, const std::string& text) {
  return text.empty() ? a.AppendNull() : a.AppendBytes(text);
}

Status AppendIntOrNull(engine::Appender& a, const std::optional<int64_t>& v) {
  return v ? a.AppendInt(*v) : a.AppendNull();
}

}  // namespace atl::lake
