// The lake's Iceberg views in DuckDB (docs/sql.md, "Views"): a view stg.shop.daily of the
// lake's catalog is the DuckDB view <zone>.<db>.<view> over the SQL of its current version
// in the "duckdb" dialect, its columns named as the view's schema.
//
//   ListLakeViews(tables)         every view of the lake (catalogs without views: none)
//   FindNamedLakeViews(...)       the views a statement names (all of them when `all`),
//                                 loaded; the words of their SQL join `words`, so that
//                                 the tables and views they read are defined too
//   DefineNamedLakeViews(...)     defines them in the engine; a view that cannot be
//                                 defined (no duckdb SQL, SQL that no longer binds, an
//                                 unreadable metadata file) becomes a view whose reads fail
//                                 with an error naming it and the reason
// (DefineSqlView, in query_session.h, defines one.)
//
// Thread safety: one thread per engine (the engine's rule).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake_tables.h"

namespace atl::lake {

// The dialect of the SQL atoll writes into views and reads back.
inline constexpr std::string_view kViewDialect = "duckdb";

Result<std::vector<iceberg::TableIdentifier>> ListLakeViews(const LakeTables& tables);

struct NamedLakeView {
  iceberg::TableIdentifier id;
  std::vector<std::string> columns;  // the current schema's field names
  std::string sql;                   // the duckdb SQL; empty when `problem` is set
  std::string problem;               // why the view cannot be defined
};

Result<std::vector<NamedLakeView>> FindNamedLakeViews(const LakeTables& tables, bool all,
                                                      std::set<std::string>* words);
Status DefineNamedLakeViews(engine::Engine& engine, const std::vector<NamedLakeView>& views);

}  // namespace atl::lake
