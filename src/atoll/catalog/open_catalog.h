// Opening a catalog from the URI a user types (--catalog, lake settings).
//
// Accepted forms:
//   ""  or  "in-bucket"                  the default: InBucketCatalog in the warehouse's own
//                                        store (needs conditional writes; see in_bucket_catalog.h)
//   sqlite:///absolute/path/catalog.db   SqliteCatalog (file created when missing)
//   sqlite:relative/path/catalog.db      the same, relative to the working directory
//   postgresql://user@host:port/db       PostgresCatalog (also postgres://; any libpq URI
//                                        parameters, e.g. ?sslmode=require)
// Anything else is kInvalidArgument naming the accepted forms.
//
// The warehouse is where table files go: DefaultTableLocation is <warehouse>/<ns levels>/<table>.
// The in-bucket catalog also keeps its pointers there (under _catalog/).
//
// Thread safety: may be called concurrently; the catalogs returned are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/storage/open_store.h"

namespace atl::catalog {

struct OpenCatalogOptions {
  std::string name = "default";  // the catalog name (JDBC rows are keyed by it)
  // In-bucket only: run the conditional-write probe (false only for stores known to
  // honour conditional writes: local directories, memory).
  bool probe = true;
  // The warehouse root URI, the base of DefaultTableLocation. Empty: the warehouse
  // store's Describe() with the warehouse key appended.
  std::string warehouse_uri;
};

// Opens the catalog named by `uri` for the warehouse at `warehouse` (a directory
// location, e.g. from storage::ResolveLocation(..., LocationUse::kWrite)).
Result<std::unique_ptr<iceberg::Catalog>> OpenCatalog(std::string_view uri,
                                                      const storage::Location& warehouse,
                                                      const OpenCatalogOptions& options = {});

enum class CatalogKind { kInBucket, kSqlite, kPostgres };

// Which catalog `uri` names, and its target (SQLite: the file path; PostgreSQL: the URI).
struct CatalogUri {
  CatalogKind kind = CatalogKind::kInBucket;
  std::string target;
};
Result<CatalogUri> ParseCatalogUri(std::string_view uri);

}  // namespace atl::catalog
