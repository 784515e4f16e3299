#include "atoll/sql/view_ddl.h"

#include <cctype>

#include "atoll/common/clock.h"
#include "atoll/common/version.h"
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/iceberg/commit/view_commit.h"
#include "atoll/ingest/landing_schema.h"
#include "atoll/lake/lake_views.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/trail_check.h"
#include "atoll/sql/sql_text.h"

namespace atl::lake {

// sql-names: query_sql
// (the user's query passes to DuckDB as written: it is the statement)

namespace {

bool IsSymbol(const std::vector<Token>& t, size_t i, char c) {
  return i < t.size() && t[i].kind == TokenKind::kSymbol && t[i].text[0] == c;
}
bool IsWord(const std::vector<Token>& t, size_t i, std::string_view keyword) {
  return i < t.size() && t[i].Is(keyword);
}
Status Expected(const std::vector<Token>& t, size_t i, std::string_view what) {
  if (i >= t.size()) return InvalidArgument("expected ", what, " at the end of the statement");
  return InvalidArgument("expected ", what, " at '", t[i].text, "' (byte ", t[i].offset, ")");
}

// A dotted name starting at *i; nullopt when it does not have three parts.
Result<std::optional<iceberg::TableIdentifier>> ThreePartName(const std::vector<Token>& t,
                                                              size_t* i) {
  std::vector<std::string> parts;
  do {
    if (*i >= t.size() || !t[*i].IsName()) return Expected(t, *i, "a view name");
    parts.push_back(t[(*i)++].text);
  } while (IsSymbol(t, *i, '.') && ++*i);
  if (parts.size() != 3) return std::optional<iceberg::TableIdentifier>();
  return std::optional<iceberg::TableIdentifier>(
      iceberg::TableIdentifier{{parts[0], parts[1]}, parts[2]});
}

Result<std::optional<ViewDdl>> ParseCreate(std::string_view text, const std::vector<Token>& t) {
  CreateViewDdl ddl;
  size_t i = 1;
  if (IsWord(t, i, "OR")) {
    if (!IsWord(t, i + 1, "REPLACE")) return Expected(t, i + 1, "REPLACE");
    ddl.or_replace = true;
    i += 2;
  }
  if (!IsWord(t, i, "VIEW")) return std::optional<ViewDdl>();  // TEMP VIEW, TABLE, ...
  ++i;
  if (IsWord(t, i, "IF")) {
    if (!IsWord(t, i + 1, "NOT") || !IsWord(t, i + 2, "EXISTS"))
      return Expected(t, i + 1, "NOT EXISTS");
    ddl.if_not_exists = true;
    i += 3;
  }
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> id, ThreePartName(t, &i));
  if (!id) return std::optional<ViewDdl>();
  ddl.id = std::move(*id);
  if (ddl.or_replace && ddl.if_not_exists) {
    return InvalidArgument("CREATE OR REPLACE VIEW and IF NOT EXISTS exclude each other");
  }
  if (IsSymbol(t, i, '(')) {
    do {
      ++i;
      if (i >= t.size() || !t[i].IsName()) return Expected(t, i, "a column name");
      ddl.columns.push_back(t[i++].text);
    } while (IsSymbol(t, i, ','));
    if (!IsSymbol(t, i, ')')) return Expected(t, i, "',' or ')' in the column list");
    ++i;
  }
  if (!IsWord(t, i, "AS")) return Expected(t, i, "AS query");
  if (i + 1 >= t.size()) return Expected(t, i + 1, "a query after AS");
  // The query as written, without what ends the statement (a ';', blanks).
  std::string_view query = text.substr(t[i + 1].offset);
  while (!query.empty() &&
         (query.back() == ';' || std::isspace(static_cast<unsigned char>(query.back())))) {
    query.remove_suffix(1);
  }
  ddl.query_sql = std::string(query);
  return std::optional<ViewDdl>(std::move(ddl));
}

Result<std::optional<ViewDdl>> ParseDrop(const std::vector<Token>& t) {
  DropViewDdl ddl;
  size_t i = 1;
  if (!IsWord(t, i, "VIEW")) return std::optional<ViewDdl>();
  ++i;
  if (IsWord(t, i, "IF")) {
    if (!IsWord(t, i + 1, "EXISTS")) return Expected(t, i + 1, "EXISTS");
    ddl.if_exists = true;
    i += 2;
  }
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> id, ThreePartName(t, &i));
  if (!id) return std::optional<ViewDdl>();
  ddl.id = std::move(*id);
  if (i < t.size()) return Expected(t, i, "the end of DROP VIEW");
  return std::optional<ViewDdl>(std::move(ddl));
}

// The names of `ns`'s views or tables; none when the namespace does not exist yet.
Result<std::vector<iceberg::TableIdentifier>> Names(iceberg::Catalog& catalog,
                                                    const iceberg::Namespace& ns, bool views) {
  Result<std::vector<iceberg::TableIdentifier>> ids =
      views ? catalog.ListViews(ns) : catalog.ListTables(ns);
  if (ids.status().code() == StatusCode::kNotFound) return std::vector<iceberg::TableIdentifier>();
  return ids;
}

// The view or table of `ns` whose name folds to `id`'s, if any.
Result<std::optional<iceberg::TableIdentifier>> Holder(iceberg::Catalog& catalog,
                                                       const iceberg::TableIdentifier& id,
                                                       bool views) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, Names(catalog, id.ns, views));
  for (const iceberg::TableIdentifier& other : ids) {
    if (FoldCase(other.ToString()) == FoldCase(id.ToString()))
      return std::optional<iceberg::TableIdentifier>(other);
  }
  return std::optional<iceberg::TableIdentifier>();
}

// The query's columns as an Iceberg schema, the first ones renamed by `names`.
Result<iceberg::Schema> QuerySchema(engine::Engine& engine, const CreateViewDdl& ddl) {
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine.Query(StrCat("DESCRIBE ", ddl.query_sql)));
  DuckColumns columns;
  for (const engine::Row& row : r.rows) {
    if (row.size() < 2 || !row[0] || !row[1]) return Internal("DESCRIBE gave an odd row");
    columns.emplace_back(*row[0], *row[1]);
  }
  if (ddl.columns.size() > columns.size()) {
    return InvalidArgument("view ", ddl.id.ToString(), " names ", ddl.columns.size(),
                           " columns but its query has ", columns.size());
  }
  for (size_t i = 0; i < ddl.columns.size(); ++i) columns[i].first = ddl.columns[i];
  ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::Schema schema, SchemaForColumns(columns),
                             StrCat("view ", ddl.id.ToString()));
  int32_t next_id = 0;
  return iceberg::Schema::Make(0, iceberg::AssignFreshIds(schema.AsStruct(), &next_id)->fields());
}

Status Record(const DmlContext& ctx, const iceberg::TableIdentifier& id, trail::RecordKind kind,
              std::string_view statement, const std::string& metadata_location) {
  if (ctx.trail == nullptr) return Status::OK();
  TableChange change;
  change.command = ctx.command;
  change.table = id.ToString();
  change.operation = kind;
  change.metadata_location = metadata_location;
  change.fields = {{std::string(kRecordObjectField), std::string(kViewObject)},
                   {"statement", std::string(statement)}};
  return RecordTableChange(*ctx.trail, change)
      .status()
      .WithContext(StrCat("the change of view ", id.ToString(),
                          " is committed but not recorded in the trail"));
}

// Replaces the view's current version by `version` (a new metadata file, swapped in).
Result<iceberg::LoadedView> Replace(const DmlContext& ctx, const iceberg::TableIdentifier& id,
                                    const iceberg::ViewVersionSpec& version) {
  Status last;
  for (int attempt = 0; attempt < std::max(1, ctx.max_attempts); ++attempt) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::LoadedView base,
                           iceberg::LoadIcebergView(*ctx.tables->catalog, *ctx.tables->io, id));
    ATOLL_ASSIGN_OR_RETURN(iceberg::ViewMetadata next,
                           iceberg::ReplaceViewVersion(base.metadata, version, SystemNowMs()));
    Result<iceberg::LoadedView> done = iceberg::CommitIcebergView(
        *ctx.tables->catalog, *ctx.tables->io, id, base, std::move(next));
    if (done.status().code() != StatusCode::kCommitConflict) return done;
    last = done.status();
  }
  return last;
}

}  // namespace

Result<std::optional<ViewDdl>> ParseViewDdl(std::string_view statement) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(statement));
  if (IsWord(tokens, 0, "CREATE")) return ParseCreate(statement, tokens);
  if (IsWord(tokens, 0, "DROP")) return ParseDrop(tokens);
  return std::optional<ViewDdl>();
}

const iceberg::TableIdentifier& ViewDdlTarget(const ViewDdl& ddl) {
  return std::visit([](const auto& d) -> const iceberg::TableIdentifier& { return d.id; }, ddl);
}

std::string_view ViewDdlName(const ViewDdl& ddl) {
  return std::holds_alternative<CreateViewDdl>(ddl) ? "create view" : "drop view";
}

Result<DdlOutcome> CreateLakeView(const DmlContext& ctx, const CreateViewDdl& ddl_in) {
  iceberg::Catalog& catalog = *ctx.tables->catalog;
  CreateViewDdl ddl = ddl_in;
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> table,
                         Holder(catalog, ddl.id, /*views=*/false));
  if (table) return AlreadyExists("a table named ", table->ToString(), " exists");
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> existing,
                         Holder(catalog, ddl.id, /*views=*/true));
  if (existing) {
    if (ddl.if_not_exists) return DdlOutcome{};
    if (!ddl.or_replace) return AlreadyExists("view ", existing->ToString(), " already exists");
    ddl.id = *existing;
  }
  iceberg::ViewVersionSpec version;
  ATOLL_ASSIGN_OR_RETURN(version.schema, QuerySchema(*ctx.engine, ddl));
  version.representations = {
      iceberg::ViewRepresentation::Sql(ddl.query_sql, std::string(kViewDialect))};
  version.default_namespace = ddl.id.ns;
  version.summary = {{"engine-name", "atoll"}, {"engine-version", std::string(kVersion)}};
  iceberg::LoadedView done;
  if (existing) {
    ATOLL_ASSIGN_OR_RETURN(done, Replace(ctx, ddl.id, version));
  } else {
    ATOLL_RETURN_NOT_OK(EnsureNamespace(catalog, ddl.id.ns));
    ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.DefaultTableLocation(ddl.id));
    ATOLL_ASSIGN_OR_RETURN(
        iceberg::ViewMetadata metadata,
        iceberg::NewViewMetadata(location, version, {}, iceberg::RandomUuid(), SystemNowMs()));
    ATOLL_ASSIGN_OR_RETURN(
        done, iceberg::CreateIcebergView(catalog, *ctx.tables->io, ddl.id, std::move(metadata)));
  }
  ATOLL_RETURN_NOT_OK(Record(ctx, ddl.id, trail::RecordKind::kOther,
                             existing ? "replace view" : "create view", done.metadata_location));
  std::vector<std::string> columns;
  for (const iceberg::NestedField& f : version.schema.fields()) columns.push_back(f.name);
  ATOLL_RETURN_NOT_OK(DefineSqlView(*ctx.engine, ddl.id, columns, ddl.query_sql));
  return DdlOutcome{.changed = true};
}

Result<DdlOutcome> DropLakeView(const DmlContext& ctx, const DropViewDdl& ddl) {
  iceberg::Catalog& catalog = *ctx.tables->catalog;
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> existing,
                         Holder(catalog, ddl.id, /*views=*/true));
  if (!existing) {
    if (ddl.if_exists) return DdlOutcome{};
    ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> table,
                           Holder(catalog, ddl.id, /*views=*/false));
    return NotFound("view ", ddl.id.ToString(), " does not exist",
                    table ? StrCat(" (", table->ToString(), " is a table: DROP TABLE)")
                          : "");  // sql-checked: a message
  }
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.LoadViewMetadataLocation(*existing));
  ATOLL_RETURN_NOT_OK(catalog.DropView(*existing));
  ATOLL_RETURN_NOT_OK(DropTableView(*ctx.engine, *existing));
  ATOLL_RETURN_NOT_OK(Record(ctx, *existing, trail::RecordKind::kDrop, "drop view", location));
  return DdlOutcome{.changed = true};
}

Status CheckNoViewNamed(const DmlContext& ctx, const iceberg::TableIdentifier& id) {
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::TableIdentifier> view,
                         Holder(*ctx.tables->catalog, id, /*views=*/true));
  if (view) return AlreadyExists("a view named ", view->ToString(), " exists");
  return Status::OK();
}

Result<DdlOutcome> RunLakeView(const DmlContext& ctx, ViewDdl ddl,
                               const iceberg::TableIdentifier& id) {
  if (auto* create = std::get_if<CreateViewDdl>(&ddl)) {
    create->id = id;
    return CreateLakeView(ctx, *create);
  }
  auto& drop = std::get<DropViewDdl>(ddl);
  drop.id = id;
  return DropLakeView(ctx, drop);
}

}  // namespace atl::lake
