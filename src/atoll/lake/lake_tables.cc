#include "atoll/lake/lake_tables.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "atoll/catalog/open_catalog.h"
#include "atoll/iceberg/scan/scan.h"

namespace atl::lake {

namespace {

// Local directories and memory honour conditional writes by construction.
bool NeedsProbe(const std::string& root_uri) {
  return !(root_uri.starts_with("/") || root_uri.starts_with("memory://"));
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

// `location` is `root` or below it (at a '/' boundary).
bool IsUnder(std::string_view location, std::string_view root) {
  if (location.substr(0, root.size()) != root) return false;
  return location.size() == root.size() || location[root.size()] == '/' || root.back() == '/';
}

std::string LocalPath(std::string_view location) {
  if (location.starts_with("file://")) location.remove_prefix(7);
  return std::string(location);
}

}  // namespace

Status CheckCatalogAllowed(const std::string& catalog_uri, const std::string& root_uri) {
  ATOLL_ASSIGN_OR_RETURN(catalog::CatalogUri parsed, catalog::ParseCatalogUri(catalog_uri));
  if (parsed.kind != catalog::CatalogKind::kSqlite) return Status::OK();
  std::error_code ec;
  const std::string path = std::filesystem::absolute(parsed.target, ec).lexically_normal().string();
  if (!ec && !root_uri.empty() && root_uri.front() == '/' && IsUnder(path, root_uri))
    return Status::OK();
  if (const char* allowed = std::getenv(std::string(kAllowCatalogEnv).c_str())) {
    std::string_view list = allowed;
    while (!list.empty()) {
      const size_t comma = list.find(',');
      const std::string_view item = list.substr(0, comma);
      if (item == "*" || item == catalog_uri) return Status::OK();
      list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    }
  }
  return PermissionDenied(
      "the lake's settings (", root_uri, "/", kSettingsKey, ") name the catalog '", catalog_uri,
      "', a file outside the lake (", path,
      "); settings are read from the bucket, so anyone who can write there could "
      "point atoll at any file of this host. If this catalog is yours, allow it: ",
      kAllowCatalogEnv, "='", catalog_uri, "'");
}

Status CheckTableInLake(const LakeTables& tables, const iceberg::TableIdentifier& id,
                        const std::string& location) {
  if (IsUnder(location, tables.root_uri)) return Status::OK();
  // The same directory reached by another path (a symlink, a bind mount) is the same lake.
  std::string expected = tables.root_uri;
  for (const std::string& level : id.ns) expected += "/" + level;
  expected += "/" + id.name;
  const std::string path = LocalPath(location);
  if (!tables.root_uri.empty() && tables.root_uri.front() == '/' && !path.empty() &&
      path.front() == '/') {
    std::error_code ec;
    if (std::filesystem::equivalent(path, expected, ec) && !ec) return Status::OK();
  }
  return InvalidArgument(
      "table '", id.ToString(), "' is stored at ", location, ", outside this lake (",
      tables.root_uri,
      "): the lake was copied or moved, and Iceberg metadata names files by absolute location, so "
      "writing here would change the lake at the old place (and its 'atoll maintain' would delete "
      "this copy's files). Use the lake where it was created (a moved local lake works again "
      "from its old path, e.g. through a symlink), or ingest the data into a new lake");
}

Result<LakeTables> OpenLakeTables(const Lake& lake) {
  LakeTables out;
  out.root_uri = lake.root_uri();
  storage::Location warehouse;
  warehouse.store = lake.shared_store();
  warehouse.is_directory = true;
  warehouse.uri = out.root_uri;
  ATOLL_RETURN_NOT_OK(CheckCatalogAllowed(lake.settings().catalog, out.root_uri));
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
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, iceberg::Table::Load(tables.catalog, tables.io, id));
  ATOLL_RETURN_NOT_OK(CheckTableInLake(tables, id, table.metadata().location));
  return table;
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
