// An engine over a lake for SQL from people (`atoll query`, `atoll stats`, and later the
// server and the transform runner): the same names and rules wherever a query comes from.
//
//   OpenQueryEngine(lake, sql)  an engine where iceberg_scan() resolves relative locations
//                               under LAKE, s3:// is readable for S3 lakes, and (when LAKE
//                               is an atoll lake) the tables `sql` names are views
//                               <zone>.<db>.<table> (only those: a broken table fails only
//                               the queries naming it, with an error naming it)
//   LakeRoot(lake, engine)      LAKE as the root for iceberg_scan: an absolute local
//                               directory, or the s3:// URI (then s3:// is served to the
//                               engine from the S3 store)
//   SqlWords(sql)               the words `sql` may use as table names, folded (FoldCase)
//   DefineLakeViews(lake, sql, engine)  the views of the tables `sql` names
//
// LAKE is a local directory, file:///dir or s3://bucket[/prefix]; it need not be an atoll
// lake (then iceberg_scan() still works, and no views are defined).
//
// Errors: the engine's and the catalog's; kInvalidArgument for a LAKE of another scheme or
// an s3:// URI without a bucket, and for SQL naming tables that differ only in letter
// case; kNotFound for a local LAKE that is not a directory.
// Thread safety: one thread per engine (the engine's rule).
#pragma once

#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/catalog.h"

namespace atl::lake {

Result<std::unique_ptr<engine::Engine>> OpenQueryEngine(const std::string& lake,
                                                        std::string_view sql);

Result<std::string> LakeRoot(const std::string& lake, engine::Engine& engine);

// Runs of identifier characters (letters, digits, '_', '$', non-ASCII bytes) outside string
// literals ('...' names no table; comments count), and the text of each quoted identifier
// ("my table") whole: a superset of the names of the tables the SQL reads.
std::set<std::string> SqlWords(std::string_view sql);

// When LAKE is an atoll lake, the tables `sql` names become views <zone>.<db>.<table> (a
// DuckDB catalog per zone, a schema per database) over iceberg_scan of the table's
// current metadata file; statements listing the catalog (SHOW TABLES,
// information_schema, duckdb_tables(), ...) get every table that can be defined. The
// lake's Iceberg views that `sql` names become DuckDB views from the SQL of their current
// version in the "duckdb" dialect (the tables and views that SQL names are defined too);
// a view without such SQL, or whose SQL DuckDB refuses, becomes a view whose every read
// fails with an error naming it and the reason (so it can still be dropped or replaced). A
// location that is not a lake is left as it is.
Status DefineLakeViews(const std::string& lake, std::string_view sql, engine::Engine& engine);

// Defines (or redefines) the view <zone>.<db>.<table> of `id` over iceberg_scan of
// `metadata_location`, attaching the zone's catalog and creating the schema when needed.
Status DefineTableView(engine::Engine& engine, const iceberg::TableIdentifier& id,
                       const std::string& metadata_location);
// Drops that view when it exists (also the view of a lake view, lake_views.h).
Status DropTableView(engine::Engine& engine, const iceberg::TableIdentifier& id);

// Defines (or redefines) the DuckDB view <zone>.<db>.<view> of a lake view (lake_views.h)
// as `select_sql` with the column names `columns` (empty: the query's own), attaching the
// zone's catalog and creating the schema when needed. The engine's error when DuckDB
// refuses the SQL (unknown names, more names than columns, ...).
Status DefineSqlView(engine::Engine& engine, const iceberg::TableIdentifier& id,
                     const std::vector<std::string>& columns, std::string_view select_sql);

}  // namespace atl::lake
