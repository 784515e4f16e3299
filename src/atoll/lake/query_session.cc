#include "atoll/lake/query_session.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <vector>

#include "atoll/engine/serve_stores.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/lake_views.h"
#include "atoll/table/iceberg_scan.h"

namespace atl::lake {

// sql-names: catalog, schema, select_sql
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

// LAKE as the root for iceberg_scan; S3 lakes also make s3:// readable in SQL.
Result<std::string> LakeRoot(const std::string& lake, engine::Engine& engine) {
  if (lake.starts_with("s3://")) {
    std::string rest = lake.substr(5);
    if (rest.empty() || rest.front() == '/')
      return InvalidArgument("LAKE '", lake, "' names no bucket");
    ATOLL_RETURN_NOT_OK(engine::ServeStoresOf(engine, lake));
    return lake;
  }
  if (lake.find("://") != std::string::npos && !lake.starts_with("file://")) {
    return InvalidArgument("LAKE '", lake,
                           "' must be a directory, file:///dir or s3://bucket[/prefix]");
  }
  std::string path = lake.starts_with("file://") ? lake.substr(7) : lake;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec))
    return NotFound("LAKE '", lake, "' is not a directory, so not an atoll lake: run 'atoll init ",
                    lake, "' to make one");
  return std::filesystem::absolute(path).lexically_normal().string();
}

// The words `sql` may use as names, folded like SQL identifiers (FoldCase): runs of
// identifier characters (letters, digits, '_', '$', non-ASCII bytes) outside string
// literals ('...' names no table; comments count), and the text of each quoted identifier
// ("my table") whole. A superset of the names of the tables the SQL reads.
std::set<std::string> SqlWords(std::string_view sql) {
  std::set<std::string> out;
  auto word_char = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
  };
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == '"') {  // a quoted identifier; "" is a quote
      std::string text;
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '"' && i + 1 < sql.size() && sql[i + 1] == '"') {
          text += '"';
          ++i;
        } else if (sql[i] == '"') {
          ++i;
          break;
        } else {
          text += sql[i];
        }
      }
      out.insert(FoldCase(text));
    } else if (sql[i] == '\'') {  // a string literal; '' is a quote
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '\'' && i + 1 < sql.size() && sql[i + 1] == '\'') {
          ++i;
        } else if (sql[i] == '\'') {
          ++i;
          break;
        }
      }
    } else if (word_char(sql[i])) {
      size_t start = i;
      while (i < sql.size() && word_char(sql[i])) ++i;
      out.insert(FoldCase(sql.substr(start, i - start)));
    } else {
      ++i;
    }
  }
  return out;
}

namespace {

// Statements that list the catalog (SHOW TABLES, information_schema, duckdb_tables(), ...)
// see every table of the lake.
bool ListsTables(const std::set<std::string>& words) {
  for (const char* w : {"show", "information_schema", "pg_catalog", "duckdb_tables", "duckdb_views",
                        "duckdb_columns", "duckdb_schemas", "pragma"}) {
    if (words.count(w)) return true;
  }
  return false;
}

}  // namespace

// When LAKE is an atoll lake, the tables `sql` names become views <zone>.<db>.<table> (a
// DuckDB catalog per zone, a schema per database), each over iceberg_scan of the table's
// current metadata file. Only those: a table is defined when its zone, db and table names
// all occur in `sql` (SqlWords), so a broken table (a missing metadata file, manifest or
// data file) fails only the queries naming it, with an error naming it; and tables whose
// names differ only in letter case, which SQL cannot tell apart, fail only those queries.
// Statements listing the catalog (ListsTables) get every table that can be defined. A
// location that is not a lake is left as it is.
Status DefineLakeViews(const std::string& uri, std::string_view sql, engine::Engine& engine) {
  Result<std::unique_ptr<Lake>> opened = Lake::Open(uri);
  if (!opened.ok())
    return opened.status().code() == StatusCode::kNotFound ? Status::OK() : opened.status();
  ATOLL_ASSIGN_OR_RETURN(LakeTables tables, OpenLakeTables(**opened));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, ListLakeTables(tables));
  std::set<std::string> words = SqlWords(sql);
  const bool all = ListsTables(words);
  // Lake views first: the words of their SQL name more tables (lake_views.h).
  ATOLL_ASSIGN_OR_RETURN(std::vector<NamedLakeView> lake_views,
                         FindNamedLakeViews(tables, all, &words));
  // Views by their SQL name, folded: more than one table there cannot be told apart.
  std::map<std::string, std::vector<const iceberg::TableIdentifier*>> views;
  for (const iceberg::TableIdentifier& id : ids) {
    if (id.ns.size() != 2) continue;
    if (!all && !(words.count(FoldCase(id.ns[0])) && words.count(FoldCase(id.ns[1])) &&
                  words.count(FoldCase(id.name)))) {
      continue;
    }
    views[FoldCase(id.ToString())].push_back(&id);
  }
  for (const auto& [folded, same] : views) {
    if (same.size() > 1) {
      if (all) continue;
      return InvalidArgument("tables ", same[0]->ToString(), " and ", same[1]->ToString(),
                             " differ only in letter case, which SQL names ignore; read one with "
                             "iceberg_scan('<zone>/<db>/<table>')");
    }
    Result<std::string> metadata = tables.catalog->LoadMetadataLocation(*same[0]);
    Status st = metadata.ok() ? DefineTableView(engine, *same[0], *metadata) : metadata.status();
    if (!st.ok() && !all) {
      return st.WithContext(StrCat("table ", same[0]->ToString(), " cannot be read"));
    }
  }
  return DefineNamedLakeViews(engine, lake_views);
}

namespace {

// Attaches the zone's catalog and creates the db's schema when needed; returns the quoted
// name of the view "zone"."db"."name".
Result<std::string> QuotedViewName(engine::Engine& engine, const iceberg::TableIdentifier& id) {
  const std::string catalog = engine::QuoteIdentifier(id.ns[0]);
  const std::string schema = StrCat(catalog, ".", engine::QuoteIdentifier(id.ns[1]));
  ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("ATTACH IF NOT EXISTS ':memory:' AS ", catalog)));
  ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("CREATE SCHEMA IF NOT EXISTS ", schema)));
  return StrCat(schema, ".", engine::QuoteIdentifier(id.name));
}

}  // namespace

Status DefineTableView(engine::Engine& engine, const iceberg::TableIdentifier& id,
                       const std::string& metadata_location) {
  ATOLL_ASSIGN_OR_RETURN(std::string quoted_view, QuotedViewName(engine, id));
  return engine.Execute(StrCat("CREATE OR REPLACE VIEW ", quoted_view,
                               " AS SELECT * FROM iceberg_scan(",
                               engine::QuoteString(metadata_location), ")"));
}

Status DefineSqlView(engine::Engine& engine, const iceberg::TableIdentifier& id,
                     const std::vector<std::string>& columns, std::string_view select_sql) {
  ATOLL_ASSIGN_OR_RETURN(std::string quoted_view, QuotedViewName(engine, id));
  std::string quoted_columns;
  for (const std::string& c : columns) {
    quoted_columns += StrCat(quoted_columns.empty() ? " (" : ", ", engine::QuoteIdentifier(c));
  }
  if (!quoted_columns.empty()) quoted_columns += ")";
  return engine.Execute(
      StrCat("CREATE OR REPLACE VIEW ", quoted_view, quoted_columns, " AS ", select_sql));
}

Status DropTableView(engine::Engine& engine, const iceberg::TableIdentifier& id) {
  const std::string catalog = engine::QuoteIdentifier(id.ns[0]);
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult attached,
                         engine.Query(StrCat("SELECT count(*) FROM duckdb_databases() WHERE "
                                             "database_name = ",
                                             engine::QuoteString(id.ns[0]))));
  if (attached.rows.empty() || attached.rows[0][0] == "0") return Status::OK();
  return engine.Execute(StrCat("DROP VIEW IF EXISTS ", catalog, ".",
                               engine::QuoteIdentifier(id.ns[1]), ".",
                               engine::QuoteIdentifier(id.name)));
}

Result<std::unique_ptr<engine::Engine>> OpenQueryEngine(const std::string& lake,
                                                        std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  table::IcebergScanOptions options;
  ATOLL_ASSIGN_OR_RETURN(options.root, LakeRoot(lake, *engine));
  ATOLL_RETURN_NOT_OK(table::RegisterIcebergScan(*engine, std::move(options)));
  ATOLL_RETURN_NOT_OK(DefineLakeViews(lake, sql, *engine));
  return engine;
}

}  // namespace atl::lake
