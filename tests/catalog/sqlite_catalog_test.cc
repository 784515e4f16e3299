// SQLite catalog specifics: the exact tables of Iceberg's JDBC catalog (checked with
// SQLite itself, as another engine would read them), rows written by other JDBC catalogs,
// several catalogs in one database, and opening catalogs from URIs.
#include "atoll/catalog/sqlite_catalog.h"

#include <sqlite3.h>

#include "atoll/catalog/open_catalog.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::catalog {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using iceberg::TableIdentifier;

// Runs `sql` on the database file with SQLite's own API; rows joined by '|' per column
// and '\n' per row.
std::string Sql(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  std::string out;
  char* error = nullptr;
  const int rc = sqlite3_exec(
      db, sql.c_str(),
      [](void* arg, int n, char** values, char**) {
        auto* s = static_cast<std::string*>(arg);
        for (int i = 0; i < n; ++i)
          *s += std::string(i ? "|" : "") + (values[i] ? values[i] : "NULL");
        *s += "\n";
        return 0;
      },
      &out, &error);
  EXPECT_EQ(rc, SQLITE_OK) << (error ? error : "") << " in " << sql;
  sqlite3_free(error);
  sqlite3_close(db);
  return out;
}

TEST(SqliteCatalogTest, UsesTheJdbcCatalogTables) {
  TempDir dir;
  const std::string db = dir.Join("catalog.db");
  SqlCatalogOptions options;
  options.name = "lake";
  ASSERT_OK_AND_ASSIGN(auto catalog, OpenSqliteCatalog(db, options));
  ASSERT_OK(catalog->CreateNamespace({"stg", "shop"}, {{"owner", "ana"}}));
  ASSERT_OK(catalog->CreateTable(TableIdentifier{{"stg", "shop"}, "orders"}, "file:///wh/v1.json"));
  ASSERT_OK(catalog->SwapMetadataLocation(TableIdentifier{{"stg", "shop"}, "orders"},
                                          "file:///wh/v1.json", "file:///wh/v2.json"));

  EXPECT_EQ(Sql(db,
                "SELECT name, type, \"notnull\", pk FROM pragma_table_info('iceberg_tables') ORDER "
                "BY cid"),
            "catalog_name|VARCHAR(255)|1|1\n"
            "table_namespace|VARCHAR(255)|1|2\n"
            "table_name|VARCHAR(255)|1|3\n"
            "metadata_location|VARCHAR(1000)|0|0\n"
            "previous_metadata_location|VARCHAR(1000)|0|0\n"
            "iceberg_type|VARCHAR(5)|0|0\n");
  EXPECT_EQ(Sql(db,
                "SELECT name, type, \"notnull\", pk FROM "
                "pragma_table_info('iceberg_namespace_properties') "
                "ORDER BY cid"),
            "catalog_name|VARCHAR(255)|1|1\n"
            "namespace|VARCHAR(255)|1|2\n"
            "property_key|VARCHAR(255)|0|3\n"
            "property_value|VARCHAR(1000)|0|0\n");
  EXPECT_EQ(Sql(db, "SELECT * FROM iceberg_tables"),
            "lake|stg.shop|orders|file:///wh/v2.json|file:///wh/v1.json|TABLE\n");
  EXPECT_EQ(Sql(db, "SELECT * FROM iceberg_namespace_properties ORDER BY property_key"),
            "lake|stg.shop|exists|true\nlake|stg.shop|owner|ana\n");
  EXPECT_EQ(Sql(db, "PRAGMA journal_mode"), "wal\n");
}

TEST(SqliteCatalogTest, ReadsRowsOfOtherJdbcCatalogsAndLeavesViewsAlone) {
  TempDir dir;
  const std::string db = dir.Join("catalog.db");
  // A database as an older JDBC catalog made it: no iceberg_type column, no 'exists' row.
  Sql(db,
      "CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, table_namespace "
      "VARCHAR(255) NOT NULL, "
      "table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000), "
      "previous_metadata_location "
      "VARCHAR(1000), PRIMARY KEY (catalog_name, table_namespace, table_name));"
      "INSERT INTO iceberg_tables VALUES ('default', 'db', 'old', 's3://b/old/v3.json', "
      "'s3://b/old/v2.json');");
  ASSERT_OK_AND_ASSIGN(auto catalog, OpenSqliteCatalog(db));
  // The column was added; the old row (iceberg_type NULL) is a table, and its namespace exists.
  ASSERT_OK_AND_ASSIGN(std::string location,
                       catalog->LoadMetadataLocation(TableIdentifier{{"db"}, "old"}));
  EXPECT_EQ(location, "s3://b/old/v3.json");
  ASSERT_OK_AND_ASSIGN(auto namespaces, catalog->ListNamespaces({}));
  EXPECT_EQ(namespaces, (std::vector<iceberg::Namespace>{{"db"}}));
  ASSERT_OK(catalog->SwapMetadataLocation(TableIdentifier{{"db"}, "old"}, "s3://b/old/v3.json",
                                          "s3://b/old/v4.json"));

  // A view row (written by a JDBC catalog with view support) is neither listed nor loaded.
  Sql(db,
      "INSERT INTO iceberg_tables VALUES ('default', 'db', 'v', 's3://b/v/v1.json', NULL, 'VIEW')");
  ASSERT_OK_AND_ASSIGN(auto tables, catalog->ListTables({"db"}));
  EXPECT_EQ(tables, (std::vector<TableIdentifier>{TableIdentifier{{"db"}, "old"}}));
  EXPECT_THAT(catalog->LoadMetadataLocation(TableIdentifier{{"db"}, "v"}),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog->SwapMetadataLocation(TableIdentifier{{"db"}, "v"}, "s3://b/v/v1.json", "x"),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog->CreateTable(TableIdentifier{{"db"}, "v"}, "x"),
              IsError(StatusCode::kAlreadyExists));
  EXPECT_EQ(Sql(db, "SELECT metadata_location FROM iceberg_tables WHERE table_name = 'v'"),
            "s3://b/v/v1.json\n");
}

TEST(SqliteCatalogTest, ViewsAreJdbcViewRows) {
  TempDir dir;
  const std::string db = dir.Join("catalog.db");
  ASSERT_OK_AND_ASSIGN(auto catalog, OpenSqliteCatalog(db));
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  // A view row written by Java's JdbcCatalog is a view here.
  Sql(db,
      "INSERT INTO iceberg_tables VALUES ('default', 'db', 'jv', 's3://b/jv/v1.json', NULL, "
      "'VIEW')");
  ASSERT_OK_AND_ASSIGN(std::string location,
                       catalog->LoadViewMetadataLocation(TableIdentifier{{"db"}, "jv"}));
  EXPECT_EQ(location, "s3://b/jv/v1.json");
  // Ours are written as the JDBC catalog writes them; a swap keeps the previous location.
  const TableIdentifier v{{"db"}, "v"};
  ASSERT_OK(catalog->CreateView(v, "s3://b/v/00000-a.metadata.json"));
  ASSERT_OK(catalog->SwapViewMetadataLocation(v, "s3://b/v/00000-a.metadata.json",
                                              "s3://b/v/00001-b.metadata.json"));
  EXPECT_EQ(Sql(db,
                "SELECT metadata_location, previous_metadata_location, iceberg_type FROM "
                "iceberg_tables WHERE table_name = 'v'"),
            "s3://b/v/00001-b.metadata.json|s3://b/v/00000-a.metadata.json|VIEW\n");
  ASSERT_OK_AND_ASSIGN(auto views, catalog->ListViews({"db"}));
  EXPECT_EQ(views, (std::vector<TableIdentifier>{TableIdentifier{{"db"}, "jv"}, v}));
}

TEST(SqliteCatalogTest, CatalogsWithDifferentNamesShareADatabaseWithoutSeeingEachOther) {
  TempDir dir;
  SqlCatalogOptions a, b;
  a.name = "a";
  b.name = "b";
  ASSERT_OK_AND_ASSIGN(auto ca, OpenSqliteCatalog(dir.Join("c.db"), a));
  ASSERT_OK_AND_ASSIGN(auto cb, OpenSqliteCatalog(dir.Join("c.db"), b));
  ASSERT_OK(ca->CreateNamespace({"db"}, {}));
  ASSERT_OK(ca->CreateTable(TableIdentifier{{"db"}, "t"}, "a1"));
  EXPECT_THAT(cb->LoadMetadataLocation(TableIdentifier{{"db"}, "t"}),
              IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto namespaces, cb->ListNamespaces({}));
  EXPECT_TRUE(namespaces.empty());
  ASSERT_OK(cb->CreateNamespace({"db"}, {}));
  ASSERT_OK(cb->CreateTable(TableIdentifier{{"db"}, "t"}, "b1"));
  ASSERT_OK_AND_ASSIGN(std::string location,
                       ca->LoadMetadataLocation(TableIdentifier{{"db"}, "t"}));
  EXPECT_EQ(location, "a1");
  EXPECT_EQ(ca->name(), "a");
}

TEST(SqliteCatalogTest, ReservesTheExistsPropertyAndEscapesLikePatterns) {
  TempDir dir;
  ASSERT_OK_AND_ASSIGN(auto catalog, OpenSqliteCatalog(dir.Join("c.db")));
  EXPECT_THAT(catalog->CreateNamespace({"db"}, {{"exists", "no"}}),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(catalog->CreateNamespace({"a_b"}, {}));
  ASSERT_OK(catalog->CreateNamespace({"a_b", "x"}, {}));
  ASSERT_OK(catalog->CreateNamespace({"axb", "y"}, {}));
  ASSERT_OK(catalog->CreateNamespace({"Shop", "z"}, {}));
  // '_' is a LIKE wildcard and LIKE ignores case by default: neither may leak.
  ASSERT_OK_AND_ASSIGN(auto under, catalog->ListNamespaces({"a_b"}));
  EXPECT_EQ(under, (std::vector<iceberg::Namespace>{{"a_b", "x"}}));
  EXPECT_THAT(catalog->LoadNamespaceProperties({"shop"}), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog->LoadNamespaceProperties({"a%"}), IsError(StatusCode::kNotFound));
}

TEST(SqliteCatalogTest, ReportsAnUnopenableFile) {
  EXPECT_THAT(OpenSqliteCatalog("/nonexistent-dir/sub/catalog.db"), IsError(StatusCode::kIOError));
}

TEST(OpenCatalogTest, ParsesTheAcceptedUris) {
  ASSERT_OK_AND_ASSIGN(CatalogUri u, ParseCatalogUri("sqlite:///data/catalog.db"));
  EXPECT_EQ(u.kind, CatalogKind::kSqlite);
  EXPECT_EQ(u.target, "/data/catalog.db");
  ASSERT_OK_AND_ASSIGN(u, ParseCatalogUri("sqlite:rel/catalog.db"));
  EXPECT_EQ(u.target, "rel/catalog.db");
  ASSERT_OK_AND_ASSIGN(u, ParseCatalogUri("postgresql://atoll@127.0.0.1:18500/atoll"));
  EXPECT_EQ(u.kind, CatalogKind::kPostgres);
  EXPECT_EQ(u.target, "postgresql://atoll@127.0.0.1:18500/atoll");
  ASSERT_OK_AND_ASSIGN(u, ParseCatalogUri(""));
  EXPECT_EQ(u.kind, CatalogKind::kInBucket);
  ASSERT_OK_AND_ASSIGN(u, ParseCatalogUri("in-bucket"));
  EXPECT_EQ(u.kind, CatalogKind::kInBucket);
  EXPECT_THAT(ParseCatalogUri("sqlite://host/x.db"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCatalogUri("sqlite:"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCatalogUri("mysql://x/y"), IsError(StatusCode::kInvalidArgument));
}

TEST(OpenCatalogTest, OpensEachKindForAWarehouse) {
  TempDir dir;
  storage::Location warehouse;
  warehouse.store = std::make_shared<storage::MemoryStore>("wh");
  warehouse.key = "lake";
  ASSERT_OK_AND_ASSIGN(auto in_bucket, OpenCatalog("", warehouse));
  ASSERT_OK_AND_ASSIGN(std::string location,
                       in_bucket->DefaultTableLocation(TableIdentifier{{"db"}, "t"}));
  EXPECT_EQ(location, "memory://wh/lake/db/t");
  ASSERT_OK(in_bucket->CreateNamespace({"db"}, {}));
  EXPECT_TRUE(warehouse.store->Head("lake/_catalog/db/_namespace.json").ok());

  OpenCatalogOptions options;
  options.name = "mine";
  ASSERT_OK_AND_ASSIGN(auto sqlite,
                       OpenCatalog("sqlite://" + dir.Join("c.db"), warehouse, options));
  EXPECT_EQ(sqlite->name(), "mine");
  ASSERT_OK_AND_ASSIGN(location, sqlite->DefaultTableLocation(TableIdentifier{{"db", "x"}, "t"}));
  EXPECT_EQ(location, "memory://wh/lake/db/x/t");
  ASSERT_OK(sqlite->CreateNamespace({"db"}, {}));
  EXPECT_EQ(Sql(dir.Join("c.db"), "SELECT catalog_name FROM iceberg_namespace_properties"),
            "mine\n");

  EXPECT_THAT(OpenCatalog("postgresql://atoll@127.0.0.1:1/none?connect_timeout=2", warehouse),
              IsError(StatusCode::kUnavailable));
  EXPECT_THAT(OpenCatalog("ftp://x", warehouse), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::catalog
