#include "atoll/catalog/open_catalog.h"

#include "atoll/catalog/in_bucket_catalog.h"
#include "atoll/catalog/postgres_catalog.h"
#include "atoll/catalog/sqlite_catalog.h"

namespace atl::catalog {

namespace {

constexpr std::string_view kForms =
    "expected \"in-bucket\" (the default), sqlite:///absolute/path.db, sqlite:relative/path.db or "
    "postgresql://user@host:port/database";

}  // namespace

Result<CatalogUri> ParseCatalogUri(std::string_view uri) {
  if (uri.empty() || uri == "in-bucket") return CatalogUri{CatalogKind::kInBucket, ""};
  if (uri.starts_with("sqlite:")) {
    std::string_view rest = uri.substr(7);
    if (rest.starts_with("//")) {
      rest.remove_prefix(2);
      if (!rest.starts_with("/")) {
        return InvalidArgument("catalog URI '", uri, "': a SQLite URI has no host (", kForms, ")");
      }
    }
    if (rest.empty())
      return InvalidArgument("catalog URI '", uri, "' names no file (", kForms, ")");
    return CatalogUri{CatalogKind::kSqlite, std::string(rest)};
  }
  if (uri.starts_with("postgresql://") || uri.starts_with("postgres://")) {
    return CatalogUri{CatalogKind::kPostgres, std::string(uri)};
  }
  return InvalidArgument("unknown catalog URI '", uri, "' (", kForms, ")");
}

Result<std::unique_ptr<iceberg::Catalog>> OpenCatalog(std::string_view uri,
                                                      const storage::Location& warehouse,
                                                      const OpenCatalogOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(CatalogUri parsed, ParseCatalogUri(uri));
  if (!warehouse.store) return InvalidArgument("opening catalog '", uri, "': no warehouse store");
  std::string warehouse_uri = options.warehouse_uri;
  if (warehouse_uri.empty()) {
    warehouse_uri = warehouse.store->Describe();
    if (!warehouse.key.empty()) warehouse_uri += "/" + warehouse.key;
  }
  switch (parsed.kind) {
    case CatalogKind::kInBucket: {
      catalog::InBucketCatalogOptions o;
      o.name = options.name;
      o.probe = options.probe;
      o.warehouse_uri = warehouse_uri;
      ATOLL_ASSIGN_OR_RETURN(auto catalog,
                             catalog::InBucketCatalog::Open(warehouse.store, warehouse.key, o));
      return std::unique_ptr<iceberg::Catalog>(std::move(catalog));
    }
    case CatalogKind::kSqlite:
    case CatalogKind::kPostgres: {
      SqlCatalogOptions o;
      o.name = options.name;
      o.warehouse_uri = warehouse_uri;
      auto catalog = parsed.kind == CatalogKind::kSqlite ? OpenSqliteCatalog(parsed.target, o)
                                                         : OpenPostgresCatalog(parsed.target, o);
      if (!catalog.ok()) return catalog.status();
      return std::unique_ptr<iceberg::Catalog>(std::move(catalog).value());
    }
  }
  return Internal("unhandled catalog kind");
}

}  // namespace atl::catalog
