#include "atoll/sql/lake_sql.h"

#include <variant>

#include "atoll/engine/statement_shape.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/lake_trail.h"
#include "atoll/sql/lake_ddl.h"
#include "atoll/sql/table_ddl.h"
#include "atoll/sql/table_dml.h"
#include "atoll/sql/table_hints.h"
#include "atoll/sql/time_travel.h"
#include "atoll/sql/view_ddl.h"

namespace atl::lake {

LakeSql::~LakeSql() = default;

Result<std::unique_ptr<LakeSql>> LakeSql::Open(const std::string& uri, std::string_view script,
                                               LakeSqlOptions options) {
  std::unique_ptr<LakeSql> s(new LakeSql());
  s->options_ = std::move(options);
  ATOLL_ASSIGN_OR_RETURN(s->engine_, OpenQueryEngine(uri, script));
  Result<std::unique_ptr<Lake>> lake = Lake::Open(uri);
  if (!lake.ok()) {
    if (lake.status().code() == StatusCode::kNotFound) return s;  // not an atoll lake
    return lake.status();
  }
  s->lake_ = std::move(*lake);
  ATOLL_ASSIGN_OR_RETURN(s->tables_, OpenLakeTables(*s->lake_));
  ATOLL_ASSIGN_OR_RETURN(s->trail_, OpenLakeTrail(*s->lake_));
  s->log_ = std::make_unique<EventLog>(EventLogOptions{.command = s->options_.command,
                                                       .echo = s->options_.echo,
                                                       .echo_level = s->options_.echo_level});
  return s;
}

Status LakeSql::ExplainError(std::string_view statement, const Status& error) {
  if (error.ok()) return error;
  std::string message = error.message();
  if (lake_ != nullptr && !MissingName(message, statement).empty()) {
    Result<std::vector<iceberg::TableIdentifier>> ids = ListLakeTables(tables_);
    if (ids.ok()) {
      std::vector<std::string> names;
      for (const iceberg::TableIdentifier& id : *ids) names.push_back(id.ToString());
      message = ExplainMissingTable(message, statement, names);
    }
  }
  // The statement on one line, shortened: enough to tell which one of a script failed.
  std::string shown;
  for (char c : statement) {
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
    if (c == ' ' && (shown.empty() || shown.back() == ' ')) continue;
    shown += c;
  }
  while (!shown.empty() && shown.back() == ' ') shown.pop_back();
  constexpr size_t kShown = 60;
  if (shown.size() > kShown) shown = StrCat(shown.substr(0, kShown - 3), "...");
  return Status(error.code(), StrCat("running '", shown, "': ", message));
}

Result<std::optional<iceberg::TableIdentifier>> LakeSql::LakeTarget(
    const std::vector<std::string>& name, bool must_exist) {
  using Id = std::optional<iceberg::TableIdentifier>;
  if (lake_ == nullptr || name.size() != 3) return Id();
  const Zones& zones = lake_->settings().zones;
  const std::string zone = FoldCase(name[0]);
  for (const std::string* own : {&zones.trail, &zones.stats, &zones.log}) {
    if (zone == FoldCase(*own)) {
      return PermissionDenied("the ", *own,
                              " zone holds the lake's own records: they are "
                              "append-only and only atoll writes them");
    }
  }
  bool writable = false;
  for (const std::string* z : {&zones.stg, &zones.tmp, &zones.prd}) {
    if (zone == FoldCase(*z)) writable = true;
  }
  if (!writable) {
    for (const auto& [key, folder] : ZoneList(zones)) {
      if (zone == FoldCase(*folder)) {
        return InvalidArgument("'", name[0], "' is the lake's ", key,
                               " zone, which holds no tables; tables live in ", zones.stg, ", ",
                               zones.tmp, " and ", zones.prd);
      }
    }
    return Id();  // a DuckDB name
  }
  iceberg::TableIdentifier id{{name[0], name[1]}, name[2]};
  ATOLL_ASSIGN_OR_RETURN(Id found, FindTable(id));
  if (found) return found;
  if (must_exist) return NotFound("table ", id.ToString(), " does not exist");
  return Id(id);
}

// The exact spelling first (one catalog read), then every table compared folded.
Result<std::optional<iceberg::TableIdentifier>> LakeSql::FindTable(
    const iceberg::TableIdentifier& id) {
  using Id = std::optional<iceberg::TableIdentifier>;
  Result<std::string> exact = tables_.catalog->LoadMetadataLocation(id);
  if (exact.ok()) return Id(id);  // otherwise (absent, or a name the catalog refuses): search
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> all, ListLakeTables(tables_));
  for (const iceberg::TableIdentifier& t : all) {
    if (FoldCase(t.ToString()) == FoldCase(id.ToString())) return Id(t);
  }
  return Id();
}

Result<std::string> LakeSql::Outcome(std::string_view statement, const iceberg::TableIdentifier& id,
                                     int64_t inserted, int64_t deleted,
                                     std::optional<int64_t> snapshot, const std::string& mode) {
  changed_ = changed_ || snapshot.has_value() || inserted > 0 || deleted > 0;
  if (log_ != nullptr && (snapshot || inserted || deleted)) {
    log_->Info(id.ToString(),
               StrCat(statement, ": ", inserted, " rows inserted, ", deleted, " deleted"),
               {{"statement", std::string(statement)},
                {"rows_inserted", inserted},
                {"rows_deleted", deleted}});
  }
  return StrCat(
      "SELECT ", engine::QuoteString(statement), " AS statement, ",
      engine::QuoteString(id.ToString()), " AS \"table\", ", std::to_string(inserted),
      "::BIGINT AS rows_inserted, ", std::to_string(deleted), "::BIGINT AS rows_deleted, ",
      snapshot ? std::to_string(*snapshot) : std::string("NULL"),  // sql-checked: a number
      "::BIGINT AS snapshot_id, ", mode.empty() ? "NULL" : engine::QuoteString(mode), " AS mode");
}

Result<std::optional<std::string>> LakeSql::MetadataOf(const std::vector<std::string>& name) {
  if (lake_ == nullptr || name.size() != 3) return std::optional<std::string>();
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> found,
                         FindTable({{name[0], name[1]}, name[2]}));
  if (found) {
    ATOLL_ASSIGN_OR_RETURN(std::string location, tables_.catalog->LoadMetadataLocation(*found));
    return std::optional<std::string>(location);
  }
  return std::optional<std::string>();
}

Result<std::string> LakeSql::Run(std::string_view original) {
  if (lake_ == nullptr) return std::string(original);
  ATOLL_ASSIGN_OR_RETURN(std::string rewritten,
                         RewriteTimeTravel(original, [this](const std::vector<std::string>& name) {
                           return MetadataOf(name);
                         }));
  const std::string_view statement = rewritten;
  DmlContext ctx{.engine = engine_.get(),
                 .tables = &tables_,
                 .trail = trail_.get(),
                 .command = options_.command};
  ATOLL_ASSIGN_OR_RETURN(std::optional<ViewDdl> view, ParseViewDdl(statement));
  if (view) {  // CREATE / DROP VIEW (view_ddl.h): LakeTarget checks the zone
    const iceberg::TableIdentifier& named = ViewDdlTarget(*view);
    ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget({named.ns[0], named.ns[1], named.name}, false));
    if (!id) return std::string(statement);
    ATOLL_ASSIGN_OR_RETURN(DdlOutcome done, RunLakeView(ctx, *view, named));
    changed_ = changed_ || done.changed;
    return Outcome(ViewDdlName(*view), named, 0, 0, std::nullopt, "");
  }
  ATOLL_ASSIGN_OR_RETURN(std::optional<LakeDdl> ddl, ParseLakeDdl(statement));
  if (ddl) {
    if (auto* create = std::get_if<CreateTableDdl>(&*ddl)) {
      std::vector<std::string> name = {create->id.ns[0], create->id.ns[1], create->id.name};
      ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget(name, /*must_exist=*/false));
      if (id) {
        ATOLL_RETURN_NOT_OK(CheckNoViewNamed(ctx, *id));
        CreateTableDdl resolved = *create;
        resolved.id = *id;
        ATOLL_ASSIGN_OR_RETURN(DdlOutcome done, CreateLakeTable(ctx, resolved));
        if (done.changed) changed_ = true;
        return Outcome("create table", *id, done.rows_added, 0, std::nullopt, "");
      }
    } else if (auto* alter = std::get_if<AlterTableDdl>(&*ddl)) {
      std::vector<std::string> name = {alter->id.ns[0], alter->id.ns[1], alter->id.name};
      ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget(name, /*must_exist=*/true));
      if (id) {
        AlterTableDdl resolved = *alter;
        resolved.id = *id;
        ATOLL_ASSIGN_OR_RETURN(DdlOutcome done, AlterLakeTable(ctx, resolved));
        if (done.changed) changed_ = true;
        return Outcome("alter table", *id, 0, 0, std::nullopt, "");
      }
    } else if (auto* overwrite = std::get_if<InsertOverwriteDdl>(&*ddl)) {
      std::vector<std::string> name = {overwrite->id.ns[0], overwrite->id.ns[1],
                                       overwrite->id.name};
      ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget(name, /*must_exist=*/true));
      if (!id) return InvalidArgument("INSERT OVERWRITE works on lake tables only");
      ATOLL_ASSIGN_OR_RETURN(engine::StatementShape shape,
                             engine::DescribeStatement(overwrite->insert_sql));
      ATOLL_ASSIGN_OR_RETURN(DmlOutcome done, RunTableDml(ctx, *id, overwrite->insert_sql, shape,
                                                          /*overwrite=*/true));
      return Outcome("insert overwrite", *id, done.rows_added, done.rows_removed, done.snapshot_id,
                     done.mode);
    } else {
      const auto& drop = std::get<DropTableDdl>(*ddl);
      std::vector<std::string> name = {drop.id.ns[0], drop.id.ns[1], drop.id.name};
      ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget(name, /*must_exist=*/false));
      if (id) {
        DropTableDdl resolved = drop;
        resolved.id = *id;
        ATOLL_ASSIGN_OR_RETURN(DdlOutcome done, DropLakeTable(ctx, resolved));
        if (done.changed) changed_ = true;
        return Outcome("drop table", *id, 0, 0, std::nullopt, "");
      }
    }
    return std::string(statement);
  }
  Result<engine::StatementShape> shape = engine::DescribeStatement(statement);
  if (!shape.ok()) return std::string(statement);  // DuckDB will say what is wrong
  switch (shape->kind) {
    case engine::StatementKind::kInsert:
    case engine::StatementKind::kDelete:
    case engine::StatementKind::kUpdate:
    case engine::StatementKind::kMerge:
      break;
    default:
      return std::string(statement);
  }
  ATOLL_ASSIGN_OR_RETURN(auto id, LakeTarget(shape->target, /*must_exist=*/true));
  if (!id) return std::string(statement);
  if (shape->has_returning) {
    return NotSupported("RETURNING is not supported on lake tables");
  }
  ATOLL_ASSIGN_OR_RETURN(DmlOutcome done, RunTableDml(ctx, *id, statement, *shape));
  const std::string_view kind = StatementKindName(shape->kind);
  return Outcome(kind, *id, done.rows_added, done.rows_removed, done.snapshot_id, done.mode);
}

RecordRunReport LakeSql::Finish() {
  if (lake_ == nullptr || !changed_) return {};
  return RecordRun(*lake_, *log_, {.command = options_.command});
}

}  // namespace atl::lake
