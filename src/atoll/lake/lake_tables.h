// The Iceberg tables of a lake: its catalog and the FileIO that reaches its files.
//
// Every table of a lake lives in a zone: the table "stg.shop.orders" is the catalog
// identifier {namespace ["stg", "shop"], name "orders"}, stored at
// "<lake root>/stg/shop/orders" (the catalog's DefaultTableLocation, the warehouse being
// the lake root). The catalog is the one named by Settings::catalog ("in-bucket" keeps
// pointers under `_catalog/` in the lake's own store).
//
// The lake root URI is the URI the lake was opened with, normalized: an absolute local
// path for directories ("/data/lake"), "s3://bucket[/prefix]" for S3, and for a store
// given directly (tests) "mem://lake". The FileIO mounts the lake's store at that root, so
// table files are read and written through the very store the lake was opened with.
//
// Thread safety: LakeTables is immutable after OpenLakeTables; the catalog and FileIO are
// thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

struct LakeTables {
  std::shared_ptr<iceberg::Catalog> catalog;
  std::shared_ptr<iceberg::FileIO> io;
  std::string root_uri;  // see above; no trailing '/'
};

// Opens the lake's catalog (probing conditional writes for in-bucket catalogs on stores
// other than local directories and memory) and its FileIO; CheckCatalogAllowed first.
Result<LakeTables> OpenLakeTables(const Lake& lake);

// The settings come from the bucket, which other people's tools may write, so they must
// not point atoll at arbitrary files of this host: a SQLite catalog (`catalog_uri`) is
// accepted when its file lies inside a local lake's directory (`root_uri`), or when the
// operator allows it in the environment variable ATOLL_ALLOW_CATALOG (a comma-separated
// list of catalog URIs, exactly as in the settings, or "*" for any). Otherwise
// kPermissionDenied naming the file and the variable. In-bucket and PostgreSQL catalogs
// are not host paths and pass.
inline constexpr std::string_view kAllowCatalogEnv = "ATOLL_ALLOW_CATALOG";
Status CheckCatalogAllowed(const std::string& catalog_uri, const std::string& root_uri);

// "stg.shop.orders" → {["stg", "shop"], "orders"}; at least zone, db and table.
Result<iceberg::TableIdentifier> ParseLakeTableName(std::string_view name);

// Every table of the lake, in every namespace, sorted by name.
Result<std::vector<iceberg::TableIdentifier>> ListLakeTables(const LakeTables& tables);

// A lake stays where it was created. Iceberg metadata (which other engines read) names
// files by absolute location, so the tables of a lake copied or moved elsewhere still
// name the old place: writing through the copy would change the original, and the
// original's orphan removal would then delete the copy's files. Locations are therefore
// not rewritten; instead a table whose `location` is not under the lake root (nor, for
// local lakes, the same directory reached through another path) is refused with
// kInvalidArgument saying so and how to go on.
Status CheckTableInLake(const LakeTables& tables, const iceberg::TableIdentifier& id,
                        const std::string& location);

// Loads a table; kNotFound "table 'stg.shop.orders' does not exist" when absent;
// CheckTableInLake's error when the table lives outside the lake (copied lake).
Result<iceberg::Table> LoadLakeTable(const LakeTables& tables, const iceberg::TableIdentifier& id);

// `name` with ASCII letters in lower case: how SQL (DuckDB) compares identifiers.
std::string FoldCase(std::string_view name);

// Refuses (sets TableFolder::problem of) the folders whose table <zone>.<db>.<table> differs
// only in letter case (FoldCase) from another table of `zone`: SQL names ignore case, so the
// two could not be told apart and the lake's views would collide. A table already in
// `existing` (the catalog's tables) keeps its name; among new folders, the first in byte
// order (upper case sorts first) does, and the others are refused. Folders already
// refused are left as they are.
void RefuseCaseCollisions(const std::string& zone,
                          const std::vector<iceberg::TableIdentifier>& existing,
                          std::vector<TableFolder>* folders);

// Loads a table and plans a scan of its current snapshot (reading its manifest list and
// manifests; data files are not opened): the check that it can be read. Errors name the
// table ("table 'stg.shop.orders': ...").
Status CheckLakeTable(const LakeTables& tables, const iceberg::TableIdentifier& id);

// Makes sure every level of `ns` exists in the catalog (idempotent, race-safe).
Status EnsureNamespace(iceberg::Catalog& catalog, const iceberg::Namespace& ns);

}  // namespace atl::lake
