// SqlCatalog: the Catalog on the tables of Iceberg's JDBC catalog, shared by the SQLite
// and PostgreSQL catalogs (sqlite_catalog.h, postgres_catalog.h), so that other engines'
// SQL catalogs (Spark, Trino, PyIceberg) can open the same database:
//
//   iceberg_tables(catalog_name VARCHAR(255) NOT NULL, table_namespace VARCHAR(255) NOT NULL,
//                  table_name VARCHAR(255) NOT NULL, metadata_location VARCHAR(1000),
//                  previous_metadata_location VARCHAR(1000), iceberg_type VARCHAR(5),
//                  PRIMARY KEY (catalog_name, table_namespace, table_name))
//   iceberg_namespace_properties(catalog_name VARCHAR(255) NOT NULL,
//                  namespace VARCHAR(255) NOT NULL, property_key VARCHAR(255),
//                  property_value VARCHAR(1000),
//                  PRIMARY KEY (catalog_name, namespace, property_key))
//
// Rows are keyed by the catalog's name; namespaces are stored with their levels joined by
// '.'. Tables are rows with iceberg_type 'TABLE' (or NULL, as written by older JDBC
// catalogs); views are rows with iceberg_type 'VIEW' (as the JDBC catalog writes them:
// metadata_location is the view's metadata file), so a name is a table or a view, never
// both (the primary key: kAlreadyExists). Open creates missing tables and adds the
// iceberg_type column to an older iceberg_tables (as the JDBC catalog's V1 migration does).
//
// Semantics as the JDBC catalog: a namespace exists when it has a property row, a table,
// or a namespace below it; CreateNamespace writes the property 'exists' = 'true' besides
// the given ones, and that key is reserved (kInvalidArgument when given; never returned).
// Stricter than JDBC's default: CreateTable and RenameTable need the target namespace to
// exist (kNotFound).
//
// Commit: SwapMetadataLocation is one statement,
//   UPDATE iceberg_tables SET metadata_location = next, previous_metadata_location = expected
//   WHERE <table> AND metadata_location = expected
// 1 row: OK; 0 rows: kCommitConflict (kNotFound when the table is gone). A connection lost
// while it runs is kUnknownOutcome. RenameTable is one UPDATE too (atomic).
//
// Connections come from a pool (`connect` makes new ones; broken ones are dropped).
// Thread safety: every method may be called concurrently; the database coordinates
// between processes.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "atoll/catalog/sql_connection.h"
#include "atoll/iceberg/catalog.h"

namespace atl::catalog {

struct SqlCatalogOptions {
  std::string name = "default";
  // The warehouse root as a URI: DefaultTableLocation is <warehouse_uri>/<ns levels>/<table>.
  // Empty: DefaultTableLocation fails with kInvalidArgument.
  std::string warehouse_uri;
  // SQLite: how long a statement waits for another connection's write lock.
  int busy_timeout_ms = 30000;
  // Idle connections kept for reuse.
  int max_idle_connections = 8;
};

class SqlCatalog : public iceberg::Catalog {
 public:
  using Connector = std::function<Result<std::unique_ptr<SqlConnection>>()>;

  // Connects once and creates the tables (see above). `describe` names the database in
  // messages ("sqlite:///data/catalog.db").
  static Result<std::unique_ptr<SqlCatalog>> Open(Connector connect, std::string describe,
                                                  SqlCatalogOptions options);

  std::string name() const override { return options_.name; }

  Status CreateNamespace(const iceberg::Namespace& ns,
                         const std::map<std::string, std::string>& properties) override;
  Result<std::vector<iceberg::Namespace>> ListNamespaces(const iceberg::Namespace& parent) override;
  Result<std::map<std::string, std::string>> LoadNamespaceProperties(
      const iceberg::Namespace& ns) override;
  Status UpdateNamespaceProperties(const iceberg::Namespace& ns,
                                   const std::map<std::string, std::string>& updates,
                                   const std::set<std::string>& removals) override;
  Status DropNamespace(const iceberg::Namespace& ns) override;

  Result<std::vector<iceberg::TableIdentifier>> ListTables(const iceberg::Namespace& ns) override;
  Result<std::string> DefaultTableLocation(const iceberg::TableIdentifier& id) override;
  Result<std::string> LoadMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateTable(const iceberg::TableIdentifier& id,
                     const std::string& metadata_location) override;
  Status SwapMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                              const std::string& next) override;
  Status DropTable(const iceberg::TableIdentifier& id) override;
  Status RenameTable(const iceberg::TableIdentifier& from,
                     const iceberg::TableIdentifier& to) override;

  Result<std::vector<iceberg::TableIdentifier>> ListViews(const iceberg::Namespace& ns) override;
  Result<std::string> LoadViewMetadataLocation(const iceberg::TableIdentifier& id) override;
  Status CreateView(const iceberg::TableIdentifier& id,
                    const std::string& metadata_location) override;
  Status SwapViewMetadataLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                                  const std::string& next) override;
  Status DropView(const iceberg::TableIdentifier& id) override;

  const std::string& describe() const { return describe_; }

 private:
  SqlCatalog(Connector connect, std::string describe, SqlCatalogOptions options)
      : connect_(std::move(connect)),
        describe_(std::move(describe)),
        options_(std::move(options)) {}

  // A pooled connection, returned to the pool when healthy.
  class Lease;
  Result<Lease> Acquire();
  void Release(std::unique_ptr<SqlConnection> conn);

  // Runs `body` on a connection; errors get "<describe>: <what>" as context.
  template <typename T, typename F>
  Result<T> Run(const std::string& what, F&& body);
  // Runs `body` in a write transaction (committed when it returns OK).
  Status RunInTransaction(const std::string& what,
                          const std::function<Status(SqlConnection&)>& body);

  Status CreateSchema(SqlConnection& conn);
  Result<bool> NamespaceExists(SqlConnection& conn, const iceberg::Namespace& ns);
  Result<bool> TableExists(SqlConnection& conn, const iceberg::TableIdentifier& id);
  // The iceberg_type of the row named `id` ("TABLE", "VIEW"; "" for NULL), nullopt: no row.
  Result<std::optional<std::string>> RowKind(SqlConnection& conn,
                                             const iceberg::TableIdentifier& id);

  // What tables and views share: the rows of one kind (tables: iceberg_type TABLE or
  // NULL; views: VIEW) listed, loaded, swapped and dropped the same way.
  enum class Kind { kTable, kView };
  Result<std::vector<iceberg::TableIdentifier>> ListRows(const iceberg::Namespace& ns, Kind kind);
  Result<std::string> LoadRowLocation(const iceberg::TableIdentifier& id, Kind kind);
  Status SwapRowLocation(const iceberg::TableIdentifier& id, const std::string& expected,
                         const std::string& next, Kind kind);
  Status DropRow(const iceberg::TableIdentifier& id, Kind kind);

  Connector connect_;
  std::string describe_;
  SqlCatalogOptions options_;
  std::mutex mu_;
  std::vector<std::unique_ptr<SqlConnection>> idle_;  // guarded by mu_
};

}  // namespace atl::catalog
