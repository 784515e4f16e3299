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
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/table.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

struct LakeTables {
  std::shared_ptr<iceberg::Catalog> catalog;
  std::shared_ptr<iceberg::FileIO> io;
  std::string root_uri;  // see above; no trailing '/'
};

// Opens the lake's catalog (probing conditional writes for in-bucket catalogs on stores
// other than local directories and memory) and its FileIO.
Result<LakeTables> OpenLakeTables(const Lake& lake);

// "stg.shop.orders" → {["stg", "shop"], "orders"}; at least zone, db and table.
Result<iceberg::TableIdentifier> ParseLakeTableName(std::string_view name);

// Every table of the lake, in every namespace, sorted by name.
Result<std::vector<iceberg::TableIdentifier>> ListLakeTables(const LakeTables& tables);

// Loads a table; kNotFound "table 'stg.shop.orders' does not exist" when absent.
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
