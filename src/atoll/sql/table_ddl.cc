#include "atoll/sql/table_ddl.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "atoll/iceberg/commit/table.h"
#include "atoll/ingest/landing_schema.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/system_tables.h"
#include "atoll/storage/store.h"
#include "atoll/table/data_writer.h"

namespace atl::lake {

// sql-names: columns_sql, query_sql, stage
// (the user's column list and query pass to DuckDB as written: they are the statement)

namespace {

constexpr const char* kDdlStage = "__atoll_ddl";

// The catalog of a table being built by CREATE TABLE ... AS before the lake's catalog
// knows it: one table pointer in memory. The table gets its first metadata, its data and
// its append commit here, then the lake's catalog registers the last metadata file in one
// step, so nobody ever sees the table empty (a failure or a kill before that leaves only
// unreferenced files under the table's location).
class StagingCatalog final : public iceberg::Catalog {
 public:
  std::string name() const override { return "staging"; }
  Status CreateNamespace(const iceberg::Namespace&,
                         const std::map<std::string, std::string>&) override {
    return Status::OK();
  }
  Result<std::vector<iceberg::Namespace>> ListNamespaces(const iceberg::Namespace&) override {
    return std::vector<iceberg::Namespace>{};
  }
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(
      const iceberg::Namespace&) override {
    return std::map<std::string, std::string>{};
  }
  Status UpdateNamespaceProperties(const iceberg::Namespace&,
                                   const std::map<std::string, std::string>&,
                                   const std::set<std::string>&) override {
    return NotSupported("the staging catalog of CREATE TABLE ... AS");
  }
  Status DropNamespace(const iceberg::Namespace&) override {
    return NotSupported("the staging catalog of CREATE TABLE ... AS");
  }
  Result<std::vector<iceberg::TableIdentifier>> ListTables(const iceberg::Namespace&) override {
    return std::vector<iceberg::TableIdentifier>{};
  }
  Result<std::string> DefaultTableLocation(const iceberg::TableIdentifier&) override {
    return NotSupported("the staging catalog of CREATE TABLE ... AS has no warehouse");
  }
  Result<std::string> LoadMetadataLocation(const iceberg::TableIdentifier& id) override {
    if (location_.empty()) return NotFound("table ", id.ToString(), " is not staged");
    return location_;
  }
  Status CreateTable(const iceberg::TableIdentifier& id, const std::string& location) override {
    if (!location_.empty()) return AlreadyExists("table ", id.ToString(), " is staged already");
    location_ = location;
    return Status::OK();
  }
  Status SwapMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                              const std::string& next) override {
    if (location_ != expected) return CommitConflict("staged table ", id.ToString(), " moved");
    location_ = next;
    return Status::OK();
  }
  Status DropTable(const iceberg::TableIdentifier&) override {
    location_.clear();
    return Status::OK();
  }
  Status RenameTable(const iceberg::TableIdentifier&, const iceberg::TableIdentifier&) override {
    return NotSupported("the staging catalog of CREATE TABLE ... AS");
  }

 private:
  std::string location_;
};

// Columns (name, DuckDB type, nullable) of the column list or the query.
Result<iceberg::Schema> SchemaOf(engine::Engine& engine, const CreateTableDdl& ddl) {
  std::string describe;
  if (!ddl.columns_sql.empty()) {
    const std::string stage = engine::QuoteIdentifier(kDdlStage);
    ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("DROP TABLE IF EXISTS ", stage)));
    ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("CREATE TEMP TABLE ", stage, " ", ddl.columns_sql)));
    describe = StrCat("DESCRIBE ", stage);
  } else {
    describe = StrCat("DESCRIBE ", ddl.query_sql);
  }
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine.Query(describe));
  if (!ddl.columns_sql.empty()) {
    ATOLL_RETURN_NOT_OK(
        engine.Execute(StrCat("DROP TABLE IF EXISTS ", engine::QuoteIdentifier(kDdlStage))));
  }
  DuckColumns columns;
  std::vector<bool> required;
  for (const engine::Row& row : r.rows) {
    if (row.size() < 3 || !row[0] || !row[1]) return Internal("DESCRIBE gave an odd row");
    columns.emplace_back(*row[0], *row[1]);
    required.push_back(!ddl.columns_sql.empty() && row[2] && *row[2] == "NO");
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, SchemaForColumns(columns));
  std::vector<iceberg::NestedField> fields = schema.fields();
  for (size_t i = 0; i < fields.size(); ++i) fields[i].required = required[i];
  return iceberg::Schema::Make(0, std::move(fields));
}

// "bucket(16, id)" -> {source id, "id_bucket", bucket[16]}; unknown columns are errors.
Result<std::vector<iceberg::UnboundPartitionField>> PartitionOf(
    const std::vector<std::string>& texts, const iceberg::Schema& schema) {
  std::vector<iceberg::UnboundPartitionField> out;
  for (const std::string& text : texts) {
    std::string transform = "identity", column = text;
    const size_t open = text.find('(');
    if (open != std::string::npos && text.back() == ')') {
      const std::string fn = text.substr(0, open);
      const std::string args = text.substr(open + 1, text.size() - open - 2);
      const size_t comma = args.find(", ");
      transform = comma == std::string::npos ? fn : StrCat(fn, "[", args.substr(0, comma), "]");
      column = comma == std::string::npos ? args : args.substr(comma + 2);
    }
    const iceberg::NestedField* field = schema.FindFieldByName(column);
    if (field == nullptr) {
      return InvalidArgument("partition field '", text, "' names no column of the table");
    }
    ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::Transform t, iceberg::Transform::Parse(transform),
                               StrCat("partition field '", text, "'"));
    std::string name = column;
    if (transform != "identity") {
      const std::string base = transform.substr(0, transform.find('['));
      name += "_" + (base == "truncate" ? std::string("trunc") : base);
    }
    out.push_back({{field->id}, name, t});
  }
  return out;
}

// The Iceberg type of a DuckDB type as written ("DECIMAL(12, 2)", "INT[]").
Result<iceberg::TypePtr> TypeOf(engine::Engine& engine, const std::string& type_sql) {
  CreateTableDdl probe;
  probe.columns_sql = StrCat("(x ", type_sql, ")");
  ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, SchemaOf(engine, probe));
  if (schema.fields().size() != 1) return InvalidArgument("'", type_sql, "' is not one type");
  return schema.fields()[0].type;
}

// The current default spec's fields, unbound.
std::vector<iceberg::UnboundPartitionField> CurrentPartition(const iceberg::TableMetadata& md) {
  std::vector<iceberg::UnboundPartitionField> out;
  if (const iceberg::PartitionSpec* spec = md.DefaultSpec()) {
    for (const iceberg::PartitionField& f : spec->fields) {
      out.push_back({f.source_ids, f.name, f.transform});
    }
  }
  return out;
}

Status RecordChange(const DmlContext& ctx, const iceberg::Table& table,
                    std::optional<int64_t> before, trail::RecordKind kind) {
  if (ctx.trail == nullptr) return Status::OK();
  ATOLL_ASSIGN_OR_RETURN(TableChange change, DescribeCommit(table, before, ctx.command, kind));
  return RecordTableChange(*ctx.trail, change).status();
}

Status RecordDrop(const DmlContext& ctx, const iceberg::Table& table) {
  if (ctx.trail == nullptr) return Status::OK();
  TableChange change;
  change.command = ctx.command;
  change.table = table.id().ToString();
  change.operation = trail::RecordKind::kDrop;
  if (const iceberg::Snapshot* s = table.metadata().CurrentSnapshot())
    change.snapshot_before = s->snapshot_id;
  change.metadata_location = table.metadata_location();
  return RecordTableChange(*ctx.trail, change).status();
}

}  // namespace

Result<DdlOutcome> DropLakeTable(const DmlContext& ctx, const DropTableDdl& ddl) {
  Result<iceberg::Table> table = LoadLakeTable(*ctx.tables, ddl.id);
  if (!table.ok()) {
    if (table.status().code() == StatusCode::kNotFound && ddl.if_exists) return DdlOutcome{};
    return table.status();
  }
  ATOLL_RETURN_NOT_OK(ctx.tables->catalog->DropTable(ddl.id));
  ATOLL_RETURN_NOT_OK(DropTableView(*ctx.engine, ddl.id));
  ATOLL_RETURN_NOT_OK(
      RecordDrop(ctx, *table)
          .WithContext(
              StrCat(ddl.id.ToString(), " is dropped but the drop is not recorded in the trail")));
  if (ddl.purge) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> files,
                           ctx.tables->io->List(table->location()));
    std::vector<std::string> keys;
    for (const storage::ObjectInfo& f : files) keys.push_back(f.key);
    ATOLL_RETURN_NOT_OK(ctx.tables->io->Delete(keys).WithContext(
        StrCat("purging the files of ", ddl.id.ToString())));
  }
  return DdlOutcome{.changed = true};
}

Result<DdlOutcome> AlterLakeTable(const DmlContext& ctx, const AlterTableDdl& ddl) {
  using A = AlterTableDdl::Action;
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, LoadLakeTable(*ctx.tables, ddl.id));
  const iceberg::TableMetadata& md = table.metadata();
  const iceberg::Schema* schema = md.CurrentSchema();
  if (schema == nullptr) return Corruption("table ", ddl.id.ToString(), " has no schema");
  std::optional<int64_t> before;
  if (const iceberg::Snapshot* s = md.CurrentSnapshot()) before = s->snapshot_id;
  const bool has_column = schema->FindFieldByName(ddl.column) != nullptr;
  iceberg::Transaction tx = table.NewTransaction();
  trail::RecordKind kind = trail::RecordKind::kSchemaChange;
  switch (ddl.action) {
    case A::kAddColumn: {
      if (has_column && ddl.if_exists) return DdlOutcome{};
      ATOLL_ASSIGN_OR_RETURN(iceberg::TypePtr type, TypeOf(*ctx.engine, ddl.type_sql));
      tx.UpdateSchema(
          [&ddl, type](iceberg::SchemaUpdate& u) { u.AddColumn("", ddl.column, type); });
      break;
    }
    case A::kRenameColumn:
      tx.UpdateSchema([&](iceberg::SchemaUpdate& u) { u.RenameColumn(ddl.column, ddl.new_name); });
      break;
    case A::kDropColumn:
      if (!has_column && ddl.if_exists) return DdlOutcome{};
      tx.UpdateSchema([&](iceberg::SchemaUpdate& u) { u.DeleteColumn(ddl.column); });
      break;
    case A::kSetType: {
      ATOLL_ASSIGN_OR_RETURN(iceberg::TypePtr type, TypeOf(*ctx.engine, ddl.type_sql));
      tx.UpdateSchema(
          [&ddl, type](iceberg::SchemaUpdate& u) { u.UpdateColumnType(ddl.column, type); });
      break;
    }
    case A::kDropNotNull:
      tx.UpdateSchema([&](iceberg::SchemaUpdate& u) { u.MakeColumnOptional(ddl.column); });
      break;
    case A::kSetProperties:
      kind = trail::RecordKind::kPropertiesChange;
      tx.SetProperties(ddl.properties);
      break;
    case A::kUnsetProperties: {
      kind = trail::RecordKind::kPropertiesChange;
      std::set<std::string> keys;
      for (const std::string& k : ddl.keys) {
        if (md.properties.count(k)) {
          keys.insert(k);
        } else if (!ddl.if_exists) {
          return NotFound("table ", ddl.id.ToString(), " has no property '", k, "'");
        }
      }
      if (keys.empty()) return DdlOutcome{};
      tx.RemoveProperties(std::move(keys));
      break;
    }
    case A::kSetPartitioning:
    case A::kAddPartitionField:
    case A::kDropPartitionField: {
      kind = trail::RecordKind::kPartitionChange;
      ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::UnboundPartitionField> named,
                             PartitionOf(ddl.partition, *schema));
      std::vector<iceberg::UnboundPartitionField> fields;
      if (ddl.action == A::kSetPartitioning) {
        fields = std::move(named);
      } else {
        fields = CurrentPartition(md);
        auto same = [&](const iceberg::UnboundPartitionField& f) {
          return f.source_ids == named[0].source_ids && f.transform == named[0].transform;
        };
        const bool present = std::any_of(fields.begin(), fields.end(), same);
        if (ddl.action == A::kAddPartitionField) {
          if (present) {
            return AlreadyExists("table ", ddl.id.ToString(), " is already partitioned by ",
                                 ddl.partition[0]);
          }
          fields.push_back(named[0]);
        } else {
          if (!present) {
            return NotFound("table ", ddl.id.ToString(), " is not partitioned by ",
                            ddl.partition[0]);
          }
          fields.erase(std::remove_if(fields.begin(), fields.end(), same), fields.end());
        }
      }
      tx.UpdateSpec(std::move(fields));
      break;
    }
  }
  ATOLL_RETURN_NOT_OK(tx.Commit().WithContext(
      StrCat("ALTER TABLE ", ddl.id.ToString())));  // sql-checked: a message, not SQL
  ATOLL_RETURN_NOT_OK(RecordChange(ctx, table, before, kind)
                          .WithContext(StrCat("the change of ", ddl.id.ToString(),
                                              " is committed but not recorded in the trail")));
  ATOLL_RETURN_NOT_OK(DefineTableView(*ctx.engine, ddl.id, table.metadata_location()));
  return DdlOutcome{.changed = true};
}

Result<DdlOutcome> CreateLakeTable(const DmlContext& ctx, const CreateTableDdl& ddl) {
  Result<std::string> existing = ctx.tables->catalog->LoadMetadataLocation(ddl.id);
  if (existing.ok()) {
    if (ddl.if_not_exists) return DdlOutcome{};
    if (!ddl.or_replace) return AlreadyExists("table ", ddl.id.ToString(), " already exists");
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  engine::Engine& engine = *ctx.engine;
  iceberg::CreateTableOptions options;
  ATOLL_ASSIGN_OR_RETURN(options.schema, SchemaOf(engine, ddl));
  ATOLL_ASSIGN_OR_RETURN(options.partition, PartitionOf(ddl.partition, options.schema));
  options.properties = {{"write.format.default", "parquet"},
                        {"write.parquet.compression-codec", "zstd"}};
  for (const auto& [k, v] : ddl.properties) options.properties[k] = v;
  if (ddl.format_version) options.format_version = *ddl.format_version;
  if (existing.ok()) {
    ATOLL_RETURN_NOT_OK(DropLakeTable(ctx, {.id = ddl.id}).status());
  }
  ATOLL_RETURN_NOT_OK(EnsureNamespace(*ctx.tables->catalog, ddl.id.ns));
  DdlOutcome outcome{.changed = true};
  if (ddl.query_sql.empty()) {
    ATOLL_ASSIGN_OR_RETURN(
        iceberg::Table table,
        iceberg::Table::Create(ctx.tables->catalog, ctx.tables->io, ddl.id, options));
    ATOLL_RETURN_NOT_OK(RecordSystemCommit(ctx.trail, table, std::nullopt, ctx.command));
    ATOLL_RETURN_NOT_OK(DefineTableView(engine, ddl.id, table.metadata_location()));
    return outcome;
  }
  // CREATE TABLE ... AS: the data files, then the table's first metadata and its append on
  // a staging catalog, then one registration in the lake's catalog (StagingCatalog).
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata md,
                         iceberg::Table::NewMetadata(*ctx.tables->catalog, ddl.id, options));
  table::DataWriterOptions writer;
  table::ApplyWriteProperties(md.properties, &writer);
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<iceberg::DataFile> files,
                             table::WriteDataFiles(engine, ddl.query_sql, *md.CurrentSchema(),
                                                   *md.DefaultSpec(), md.location, writer),
                             StrCat("creating ", ddl.id.ToString(), " from its query"));
  auto staging = std::make_shared<StagingCatalog>();
  Result<iceberg::Table> staged =
      iceberg::Table::CreateWithMetadata(staging, ctx.tables->io, ddl.id, std::move(md));
  Status st = staged.status();
  std::optional<iceberg::Table> created;  // the table before its append, for the trail
  if (st.ok()) {
    created = *staged;
    for (const iceberg::DataFile& f : files) outcome.rows_added += f.record_count;
    if (!files.empty()) {
      st =
          staged->NewTransaction().Append(files, {{"atoll.statement", "create table as"}}).Commit();
    }
  }
  if (st.ok()) st = ctx.tables->catalog->CreateTable(ddl.id, staged->metadata_location());
  if (!st.ok()) {
    if (st.code() != StatusCode::kUnknownOutcome) {
      std::vector<std::string> paths;
      for (const iceberg::DataFile& f : files) paths.push_back(f.file_path);
      (void)ctx.tables->io->Delete(paths);
    }
    return st.WithContext(StrCat("creating ", ddl.id.ToString(), " from its query"));
  }
  iceberg::Table& table = *staged;
  ATOLL_RETURN_NOT_OK(RecordSystemCommit(ctx.trail, *created, std::nullopt, ctx.command));
  if (!files.empty()) {
    ATOLL_RETURN_NOT_OK(RecordSystemCommit(ctx.trail, table, std::nullopt, ctx.command)
                            .WithContext(StrCat("the rows of ", ddl.id.ToString(),
                                                " are committed but not recorded in the trail")));
  }
  ATOLL_RETURN_NOT_OK(DefineTableView(engine, ddl.id, table.metadata_location()));
  return outcome;
}

}  // namespace atl::lake
