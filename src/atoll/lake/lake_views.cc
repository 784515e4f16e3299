#include "atoll/lake/lake_views.h"

#include <algorithm>
#include <map>

#include "atoll/iceberg/commit/view_commit.h"
#include "atoll/lake/query_session.h"

namespace atl::lake {

// sql-names: sql, placeholder_sql
// (a view's SQL is the SELECT its creator wrote: it runs as written, as a query would)

namespace {

// The views of `parent`'s namespaces and below, appended to *out. A catalog without views
// (kNotSupported) has none.
Status ListViewsUnder(iceberg::Catalog& catalog, const iceberg::Namespace& parent,
                      std::vector<iceberg::TableIdentifier>* out) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::Namespace> children, catalog.ListNamespaces(parent));
  for (const iceberg::Namespace& ns : children) {
    Result<std::vector<iceberg::TableIdentifier>> views = catalog.ListViews(ns);
    if (views.status().code() == StatusCode::kNotSupported) return Status::OK();
    ATOLL_RETURN_NOT_OK(views.status());
    out->insert(out->end(), views->begin(), views->end());
    ATOLL_RETURN_NOT_OK(ListViewsUnder(catalog, ns, out));
  }
  return Status::OK();
}

bool Named(const iceberg::TableIdentifier& id, const std::set<std::string>& words) {
  return words.count(FoldCase(id.ns[0])) && words.count(FoldCase(id.ns[1])) &&
         words.count(FoldCase(id.name));
}

// Loads view `id`: its columns and duckdb SQL, or the problem.
NamedLakeView Load(const LakeTables& tables, const iceberg::TableIdentifier& id) {
  NamedLakeView v;
  v.id = id;
  Result<iceberg::LoadedView> loaded = iceberg::LoadIcebergView(*tables.catalog, *tables.io, id);
  if (!loaded.ok()) {
    v.problem = loaded.status().message();
    return v;
  }
  if (const iceberg::Schema* schema = loaded->metadata.CurrentSchema()) {
    for (const iceberg::NestedField& f : schema->fields()) v.columns.push_back(f.name);
  }
  const iceberg::ViewVersion& version = *loaded->metadata.CurrentVersion();
  if (const iceberg::ViewRepresentation* sql = version.SqlFor(kViewDialect)) {
    v.sql = sql->sql;
    return v;
  }
  std::string dialects;
  for (const iceberg::ViewRepresentation& r : version.representations) {
    dialects += StrCat(dialects.empty() ? "" : ", ", r.type == "sql" ? r.dialect : r.type);
  }
  v.problem = StrCat("its current version has no SQL in the ", kViewDialect, " dialect (only ",
                     dialects, ")");
  return v;
}

}  // namespace

Result<std::vector<iceberg::TableIdentifier>> ListLakeViews(const LakeTables& tables) {
  std::vector<iceberg::TableIdentifier> out;
  ATOLL_RETURN_NOT_OK(ListViewsUnder(*tables.catalog, {}, &out));
  std::sort(out.begin(), out.end(),
            [](const iceberg::TableIdentifier& a, const iceberg::TableIdentifier& b) {
              return a.ToString() < b.ToString();
            });
  return out;
}

Result<std::vector<NamedLakeView>> FindNamedLakeViews(const LakeTables& tables, bool all,
                                                      std::set<std::string>* words) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, ListLakeViews(tables));
  std::vector<NamedLakeView> out;
  std::vector<bool> found(ids.size(), false);
  // A view's SQL may name more views: look again until no new one is named.
  for (bool grew = true; grew;) {
    grew = false;
    for (size_t i = 0; i < ids.size(); ++i) {
      if (found[i] || ids[i].ns.size() != 2 || !(all || Named(ids[i], *words))) continue;
      found[i] = grew = true;
      out.push_back(Load(tables, ids[i]));
      for (const std::string& w : SqlWords(out.back().sql)) words->insert(w);
    }
  }
  return out;
}

Status DefineNamedLakeViews(engine::Engine& engine, const std::vector<NamedLakeView>& views) {
  // DuckDB binds a view's SQL when the view is created, so a view reading another view is
  // defined after it: passes until one defines nothing more.
  std::map<const NamedLakeView*, std::string> failed;
  std::vector<const NamedLakeView*> pending;
  for (const NamedLakeView& v : views) {
    if (v.problem.empty()) {
      pending.push_back(&v);
    } else {
      failed[&v] = v.problem;
    }
  }
  for (bool progress = true; progress && !pending.empty();) {
    progress = false;
    std::vector<const NamedLakeView*> left;
    for (const NamedLakeView* v : pending) {
      Status st = DefineSqlView(engine, v->id, v->columns, v->sql);
      if (st.ok()) {
        progress = true;
        failed.erase(v);
      } else {
        left.push_back(v);
        failed[v] = st.message();
      }
    }
    pending = std::move(left);
  }
  // The rest fail when read, and only then, with the reason.
  for (const auto& [v, reason] : failed) {
    const std::string placeholder_sql =
        StrCat("SELECT error(",
               engine::QuoteString(StrCat("view ", v->id.ToString(), " cannot be read: ", reason)),
               ") AS error");
    ATOLL_RETURN_NOT_OK(DefineSqlView(engine, v->id, {}, placeholder_sql));
  }
  return Status::OK();
}

}  // namespace atl::lake
