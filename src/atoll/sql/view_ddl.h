// Iceberg views of the lake in SQL (docs/sql.md, "Views"): their statements, parsed and run.
//
//   CREATE [OR REPLACE] VIEW [IF NOT EXISTS] zone.db.view [(column, ...)] AS query
//   DROP VIEW [IF EXISTS] zone.db.view
//
// ParseViewDdl returns nullopt for every other statement, and for these when the name does
// not have three parts (a DuckDB view is DuckDB's business) or for CREATE TEMP VIEW; which
// zones are lake zones is the caller's decision (lake_sql.h).
//
//   CreateLakeView(ctx, ddl)
//     The view's schema is the query's columns (DESCRIBE; the column list renames the first
//     ones), its types mapped to Iceberg as CREATE TABLE AS maps them; the version's one
//     representation is {type "sql", the query as written, dialect "duckdb"}, its default
//     namespace [zone, db]. A new view gets <lake>/<zone>/<db>/<view>/metadata/
//     00000-<uuid>.metadata.json; OR REPLACE of an existing view appends a version (the
//     schema reused when equal) in the next metadata file, swapped in the catalog like a
//     table commit (a concurrent replacement: the statement is planned again, up to
//     ctx.max_attempts). The DuckDB view <zone>.<db>.<view> is defined in ctx.engine.
//     IF NOT EXISTS on an existing view does nothing.
//   DropLakeView(ctx, ddl)
//     Removes the view from the catalog (its metadata files stay) and from the engine.
//     IF EXISTS on a missing view does nothing.
//   Each change is a trail record (kind other for create and replace, drop for drop)
//   naming the view, with the field object = view (trail_check.h), when ctx.trail is set.
//   Names compare as SQL compares identifiers (FoldCase): an existing view keeps its name.
//
// Errors: kAlreadyExists (a view, or a table whose name folds to the same, holds the name;
// CREATE without OR REPLACE of an existing view), kNotFound (DROP of a missing view),
// kInvalidArgument (malformed statements, more column names than columns, duplicate
// names), the engine's for a query DuckDB refuses (unknown column, ...), the catalog's.
// Thread safety: one thread (the engine's rule).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/sql/table_ddl.h"

namespace atl::lake {

struct CreateViewDdl {
  iceberg::TableIdentifier id;
  bool or_replace = false;
  bool if_not_exists = false;
  std::vector<std::string> columns;  // the column list; empty when absent
  std::string query_sql;             // the query after AS, as written
};

struct DropViewDdl {
  iceberg::TableIdentifier id;
  bool if_exists = false;
};

using ViewDdl = std::variant<CreateViewDdl, DropViewDdl>;

Result<std::optional<ViewDdl>> ParseViewDdl(std::string_view statement);

// The view a statement names, and the statement's name for the result row ("create view").
const iceberg::TableIdentifier& ViewDdlTarget(const ViewDdl& ddl);
std::string_view ViewDdlName(const ViewDdl& ddl);

Result<DdlOutcome> CreateLakeView(const DmlContext& ctx, const CreateViewDdl& ddl);
Result<DdlOutcome> DropLakeView(const DmlContext& ctx, const DropViewDdl& ddl);
// kAlreadyExists when a view's name folds to `id`'s (before creating table `id`).
Status CheckNoViewNamed(const DmlContext& ctx, const iceberg::TableIdentifier& id);
// Either of them, with the view named `id` (the name resolved by the caller).
Result<DdlOutcome> RunLakeView(const DmlContext& ctx, ViewDdl ddl,
                               const iceberg::TableIdentifier& id);

}  // namespace atl::lake
