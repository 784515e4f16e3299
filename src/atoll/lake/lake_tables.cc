#include "atoll/lake/lake_tables.h"

#include <algorithm>
#include <map>
#include <set>

#include "atoll/catalog/open_catalog.h"
#include "atoll/iceberg/scan.h"

namespace atl::lake {

namespace {

// Local directories and memory honour conditional writes by construction.
bool NeedsProbe(const std::string& root_uri) {
  return !(root_uri.rfind("/", 0) == 0 || root_uri.rfind("memory://", 0) == 0);
}

Status ListUnder(iceberg::Catalog& catalog, const iceberg::Namespace& ns,
                 std::vector<iceberg::TableIdentifier>* out) {
  if (!ns.empty()) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> tables, catalog.ListTables(ns));
    out->insert(out->end(), tables.begin(), tables.end());
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::Namespace> children, catalog.ListNamespaces(ns));
  for (const iceberg::Namespace& child : children)
    ATOLL_RETURN_NOT_OK(ListUnder(catalog, child, out));
  return Status::OK();
}

}  // namespace

Result<LakeTables> OpenLakeTables(const Lake& lake) {
  LakeTables out;
  out.root_uri = lake.root_uri();
  storage::Location warehouse;
  warehouse.store = lake.shared_store();
  warehouse.is_directory = true;
  warehouse.uri = out.root_uri;
  catalog::OpenCatalogOptions options;
  options.probe = NeedsProbe(out.root_uri);
  options.warehouse_uri = out.root_uri;
  ATOLL_ASSIGN_OR_RETURN_CTX(std::unique_ptr<iceberg::Catalog> catalog,
                             catalog::OpenCatalog(lake.settings().catalog, warehouse, options),
                             StrCat("opening the catalog of lake ", out.root_uri));
  out.catalog = std::move(catalog);
  out.io = std::make_shared<iceberg::FileIO>();
  out.io->Mount(out.root_uri, lake.shared_store());
  return out;
}

Result<iceberg::TableIdentifier> ParseLakeTableName(std::string_view name) {
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id, iceberg::TableIdentifier::Parse(name));
  if (id.ns.size() < 2) {
    return InvalidArgument("table name '", name,
                           "' needs a zone, a database and a table (e.g. stg.shop.orders)");
  }
  return id;
}

Result<std::vector<iceberg::TableIdentifier>> ListLakeTables(const LakeTables& tables) {
  std::vector<iceberg::TableIdentifier> out;
  ATOLL_RETURN_NOT_OK(ListUnder(*tables.catalog, {}, &out));
  std::sort(out.begin(), out.end(),
            [](const iceberg::TableIdentifier& a, const iceberg::TableIdentifier& b) {
              return a.ToString() < b.ToString();
            });
  return out;
}

Result<iceberg::Table> LoadLakeTable(const LakeTables& tables, const iceberg::TableIdentifier& id) {
  return iceberg::Table::Load(tables.catalog, tables.io, id);
}

std::string FoldCase(std::string_view name) {
  std::string out(name);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

void RefuseCaseCollisions(const std::string& zone,
                          const std::vector<iceberg::TableIdentifier>& existing,
                          std::vector<TableFolder>* folders) {
  std::set<std::string> exact;
  std::map<std::string, std::string> taken;  // folded "<zone>.<db>.<table>" -> its holder
  for (const iceberg::TableIdentifier& id : existing) {
    if (id.ns.size() != 2 || id.ns[0] != zone) continue;
    const std::string name = StrCat(zone, ".", id.ns[1], ".", id.name);
    exact.insert(name);
    taken.emplace(FoldCase(name), name);
  }
  for (TableFolder& f : *folders) {
    if (!f.problem.empty()) continue;
    const std::string name = StrCat(zone, ".", f.db, ".", f.table);
    if (exact.count(name)) continue;
    auto [it, inserted] = taken.emplace(FoldCase(name), name);
    if (!inserted && it->second != name) {
      f.problem = StrCat("table ", name, " differs from ", it->second,
                         " only in letter case (SQL names ignore case, so both cannot be "
                         "tables); rename the folder");
    }
  }
}

Status CheckLakeTable(const LakeTables& tables, const iceberg::TableIdentifier& id) {
  Status st = [&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, LoadLakeTable(tables, id));
    if (table.metadata().CurrentSnapshot() == nullptr) return Status::OK();
    return iceberg::PlanScan(*tables.io, table.metadata()).status();
  }();
  return st.WithContext(StrCat("table '", id.ToString(), "'"));
}

Status EnsureNamespace(iceberg::Catalog& catalog, const iceberg::Namespace& ns) {
  iceberg::Namespace level;
  for (const std::string& part : ns) {
    level.push_back(part);
    Status st = catalog.CreateNamespace(level, {});
    if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
      return st.WithContext(StrCat("creating namespace '", iceberg::NamespaceToString(level), "'"));
    }
  }
  return Status::OK();
}

}  // namespace atl::lake
