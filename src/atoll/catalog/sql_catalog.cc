#include "atoll/catalog/sql_catalog.h"

#include <algorithm>
#include <chrono>
#include <thread>

namespace atl::catalog {

using iceberg::Namespace;
using iceberg::NamespaceToString;
using iceberg::SplitNamespace;
using iceberg::TableIdentifier;

namespace {

constexpr const char* kExistsProperty = "exists";

// Table rows (JDBC: iceberg_type 'TABLE', or NULL from catalogs that predate views).
constexpr std::string_view kIsTable = "(iceberg_type = 'TABLE' OR iceberg_type IS NULL)";
constexpr std::string_view kIsView = "iceberg_type = 'VIEW'";

constexpr std::string_view kCreateTables =
    "CREATE TABLE IF NOT EXISTS iceberg_tables ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "table_namespace VARCHAR(255) NOT NULL, "
    "table_name VARCHAR(255) NOT NULL, "
    "metadata_location VARCHAR(1000), "
    "previous_metadata_location VARCHAR(1000), "
    "iceberg_type VARCHAR(5), "
    "PRIMARY KEY (catalog_name, table_namespace, table_name))";
constexpr std::string_view kCreateNamespaceProperties =
    "CREATE TABLE IF NOT EXISTS iceberg_namespace_properties ("
    "catalog_name VARCHAR(255) NOT NULL, "
    "namespace VARCHAR(255) NOT NULL, "
    "property_key VARCHAR(255), "
    "property_value VARCHAR(1000), "
    "PRIMARY KEY (catalog_name, namespace, property_key))";

// A LIKE pattern matching the namespaces strictly below `ns` ("a.b" -> "a.b.%"), with
// '!' as the escape character.
std::string BelowPattern(const Namespace& ns) {
  std::string out;
  for (char c : NamespaceToString(ns)) {
    if (c == '!' || c == '%' || c == '_') out += '!';
    out += c;
  }
  return out + ".%";
}

Status CheckNamespace(const Namespace& ns) {
  if (ns.empty()) return InvalidArgument("the SQL catalog needs a namespace of at least one level");
  return iceberg::ValidateNamespace(ns);
}

Status CheckTable(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(iceberg::ValidateIdentifier(id));
  if (id.ns.empty())
    return InvalidArgument("table '", id.name, "' has no namespace (the SQL catalog needs one)");
  return Status::OK();
}

Status CheckProperties(const std::map<std::string, std::string>& updates,
                       const std::set<std::string>& removals) {
  for (const auto& key : removals) {
    if (key == kExistsProperty)
      return InvalidArgument("namespace property '", key, "' is reserved");
    if (updates.count(key))
      return InvalidArgument("property '", key, "' is both updated and removed");
  }
  for (const auto& [key, value] : updates) {
    if (key.empty()) return InvalidArgument("empty namespace property key");
    if (key == kExistsProperty)
      return InvalidArgument("namespace property '", key, "' is reserved");
  }
  return Status::OK();
}

std::string TableName(const TableIdentifier& id) { return "table '" + id.ToString() + "'"; }
std::string ViewName(const TableIdentifier& id) { return "view '" + id.ToString() + "'"; }
std::string NamespaceName(const Namespace& ns) {
  return "namespace '" + NamespaceToString(ns) + "'";
}

}  // namespace

// --- connections ------------------------------------------------------------------------

class SqlCatalog::Lease {
 public:
  Lease(SqlCatalog* owner, std::unique_ptr<SqlConnection> conn)
      : owner_(owner), conn_(std::move(conn)) {}
  Lease(Lease&& other) noexcept = default;
  Lease& operator=(Lease&&) = delete;
  ~Lease() {
    if (conn_) owner_->Release(std::move(conn_));
  }
  SqlConnection& operator*() { return *conn_; }

 private:
  SqlCatalog* owner_;
  std::unique_ptr<SqlConnection> conn_;
};

Result<SqlCatalog::Lease> SqlCatalog::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      return Lease(this, std::move(conn));
    }
  }
  ATOLL_ASSIGN_OR_RETURN(auto conn, connect_());
  return Lease(this, std::move(conn));
}

void SqlCatalog::Release(std::unique_ptr<SqlConnection> conn) {
  if (!conn->healthy()) return;  // closed here
  std::lock_guard<std::mutex> lock(mu_);
  if (static_cast<int>(idle_.size()) < options_.max_idle_connections)
    idle_.push_back(std::move(conn));
}

template <typename T, typename F>
Result<T> SqlCatalog::Run(const std::string& what, F&& body) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status().WithContext(describe_ + ": " + what);
  Result<T> result = body(**lease);
  if (!result.ok()) return result.status().WithContext(describe_ + ": " + what);
  return result;
}

Status SqlCatalog::RunInTransaction(const std::string& what,
                                    const std::function<Status(SqlConnection&)>& body) {
  auto lease = Acquire();
  if (!lease.ok()) return lease.status().WithContext(describe_ + ": " + what);
  SqlConnection& conn = **lease;
  Status st = conn.Begin();
  if (st.ok()) {
    st = body(conn);
    if (st.ok()) {
      st = conn.Commit();
    } else {
      conn.Rollback();
    }
  }
  return st.WithContext(describe_ + ": " + what);
}

Result<std::unique_ptr<SqlCatalog>> SqlCatalog::Open(Connector connect, std::string describe,
                                                     SqlCatalogOptions options) {
  if (options.name.empty()) return InvalidArgument("empty catalog name");
  while (options.warehouse_uri.size() > 1 && options.warehouse_uri.back() == '/')
    options.warehouse_uri.pop_back();
  std::unique_ptr<SqlCatalog> catalog(
      new SqlCatalog(std::move(connect), std::move(describe), std::move(options)));
  ATOLL_ASSIGN_OR_RETURN_CTX(auto conn, catalog->connect_(), catalog->describe_);
  // Several processes may open a fresh database at once; PostgreSQL can then report a
  // duplicate for CREATE TABLE IF NOT EXISTS. The second attempt finds the tables.
  Status st;
  for (int attempt = 0; attempt < 5; ++attempt) {
    st = catalog->CreateSchema(*conn);
    if (st.ok() || !conn->healthy()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20 * (attempt + 1)));
  }
  ATOLL_RETURN_NOT_OK_CTX(st, catalog->describe_ + ": creating the catalog tables");
  catalog->Release(std::move(conn));
  return catalog;
}

Status SqlCatalog::CreateSchema(SqlConnection& conn) {
  ATOLL_RETURN_NOT_OK(conn.Execute(kCreateTables, {}).status());
  ATOLL_RETURN_NOT_OK(conn.Execute(kCreateNamespaceProperties, {}).status());
  // An iceberg_tables made before views (JDBC schema V0) lacks iceberg_type.
  if (!conn.Query("SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0", {}).ok()) {
    auto added = conn.Execute("ALTER TABLE iceberg_tables ADD COLUMN iceberg_type VARCHAR(5)", {});
    if (!added.ok() &&
        !conn.Query("SELECT iceberg_type FROM iceberg_tables WHERE 1 = 0", {}).ok()) {
      return added.status();
    }
  }
  return Status::OK();
}

// --- namespaces -------------------------------------------------------------------------

Result<bool> SqlCatalog::NamespaceExists(SqlConnection& conn, const Namespace& ns) {
  const std::string joined = NamespaceToString(ns);
  const std::string below = BelowPattern(ns);
  ATOLL_ASSIGN_OR_RETURN(
      auto props,
      conn.Query("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND "
                 "(namespace = ? OR namespace LIKE ? ESCAPE '!') LIMIT 1",
                 {options_.name, joined, below}));
  if (!props.empty()) return true;
  ATOLL_ASSIGN_OR_RETURN(
      auto tables, conn.Query("SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND "
                              "(table_namespace = ? OR table_namespace LIKE ? ESCAPE '!') LIMIT 1",
                              {options_.name, joined, below}));
  return !tables.empty();
}

Result<bool> SqlCatalog::TableExists(SqlConnection& conn, const TableIdentifier& id) {
  ATOLL_ASSIGN_OR_RETURN(
      auto rows, conn.Query(StrCat("SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND "
                                   "table_namespace = ? AND table_name = ? AND ",
                                   kIsTable),
                            {options_.name, NamespaceToString(id.ns), id.name}));
  return !rows.empty();
}

Status SqlCatalog::CreateNamespace(const Namespace& ns,
                                   const std::map<std::string, std::string>& properties) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  ATOLL_RETURN_NOT_OK(CheckProperties(properties, {}));
  std::map<std::string, std::string> rows = properties;
  rows[kExistsProperty] = "true";
  Status st = RunInTransaction("creating " + NamespaceName(ns), [&](SqlConnection& conn) -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, ns));
    if (exists) return AlreadyExists(NamespaceName(ns), " already exists");
    for (const auto& [key, value] : rows) {
      ATOLL_RETURN_NOT_OK(
          conn.Execute(
                  "INSERT INTO iceberg_namespace_properties "
                  "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?)",
                  {options_.name, NamespaceToString(ns), key, value})
              .status());
    }
    return Status::OK();
  });
  // A concurrent create inserted the same rows first.
  if (st.code() == StatusCode::kAlreadyExists)
    return AlreadyExists(NamespaceName(ns), " already exists");
  return st;
}

Result<std::vector<Namespace>> SqlCatalog::ListNamespaces(const Namespace& parent) {
  ATOLL_RETURN_NOT_OK(iceberg::ValidateNamespace(parent));
  return Run<std::vector<Namespace>>(
      "listing namespaces", [&](SqlConnection& conn) -> Result<std::vector<Namespace>> {
        std::vector<SqlRow> rows;
        if (parent.empty()) {
          ATOLL_ASSIGN_OR_RETURN(
              rows, conn.Query("SELECT DISTINCT namespace FROM iceberg_namespace_properties "
                               "WHERE catalog_name = ? UNION SELECT DISTINCT table_namespace "
                               "FROM iceberg_tables WHERE catalog_name = ?",
                               {options_.name, options_.name}));
        } else {
          ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, parent));
          if (!exists) return NotFound(NamespaceName(parent), " does not exist");
          const std::string below = BelowPattern(parent);
          ATOLL_ASSIGN_OR_RETURN(
              rows, conn.Query("SELECT DISTINCT namespace FROM iceberg_namespace_properties "
                               "WHERE catalog_name = ? AND namespace LIKE ? ESCAPE '!' UNION "
                               "SELECT DISTINCT table_namespace FROM iceberg_tables "
                               "WHERE catalog_name = ? AND table_namespace LIKE ? ESCAPE '!'",
                               {options_.name, below, options_.name, below}));
        }
        std::set<Namespace> found;
        for (const auto& row : rows) {
          if (row.empty() || !row[0]) continue;
          Namespace levels = SplitNamespace(*row[0]);
          if (levels.size() <= parent.size() || !iceberg::ValidateNamespace(levels).ok()) continue;
          if (!std::equal(parent.begin(), parent.end(), levels.begin())) continue;  // LIKE is loose
          levels.resize(parent.size() + 1);
          found.insert(std::move(levels));
        }
        return std::vector<Namespace>(found.begin(), found.end());
      });
}

Result<std::map<std::string, std::string>> SqlCatalog::LoadNamespaceProperties(
    const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  using Props = std::map<std::string, std::string>;
  return Run<Props>(
      "loading the properties of " + NamespaceName(ns), [&](SqlConnection& conn) -> Result<Props> {
        ATOLL_ASSIGN_OR_RETURN(
            auto rows,
            conn.Query("SELECT property_key, property_value FROM "
                       "iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?",
                       {options_.name, NamespaceToString(ns)}));
        if (rows.empty()) {
          ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, ns));
          if (!exists) return NotFound(NamespaceName(ns), " does not exist");
        }
        Props props;
        for (const auto& row : rows) {
          if (row.size() < 2 || !row[0] || *row[0] == kExistsProperty) continue;
          props[*row[0]] = row[1].value_or("");
        }
        return props;
      });
}

Status SqlCatalog::UpdateNamespaceProperties(const Namespace& ns,
                                             const std::map<std::string, std::string>& updates,
                                             const std::set<std::string>& removals) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  ATOLL_RETURN_NOT_OK(CheckProperties(updates, removals));
  const std::string joined = NamespaceToString(ns);
  return RunInTransaction(
      "updating the properties of " + NamespaceName(ns), [&](SqlConnection& conn) -> Status {
        ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, ns));
        if (!exists) return NotFound(NamespaceName(ns), " does not exist");
        for (const auto& key : removals) {
          ATOLL_RETURN_NOT_OK(
              conn.Execute("DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND "
                           "namespace = ? AND property_key = ?",
                           {options_.name, joined, key})
                  .status());
        }
        for (const auto& [key, value] : updates) {
          ATOLL_RETURN_NOT_OK(
              conn.Execute(
                      "INSERT INTO iceberg_namespace_properties "
                      "(catalog_name, namespace, property_key, property_value) VALUES (?, ?, ?, ?) "
                      "ON CONFLICT (catalog_name, namespace, property_key) "
                      "DO UPDATE SET property_value = excluded.property_value",
                      {options_.name, joined, key, value})
                  .status());
        }
        return Status::OK();
      });
}

Status SqlCatalog::DropNamespace(const Namespace& ns) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const std::string joined = NamespaceToString(ns);
  return RunInTransaction("dropping " + NamespaceName(ns), [&](SqlConnection& conn) -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, ns));
    if (!exists) return NotFound(NamespaceName(ns), " does not exist");
    ATOLL_ASSIGN_OR_RETURN(auto tables,
                           conn.Query("SELECT 1 FROM iceberg_tables WHERE catalog_name = ? AND "
                                      "table_namespace = ? LIMIT 1",
                                      {options_.name, joined}));
    if (!tables.empty()) return PreconditionFailed(NamespaceName(ns), " still holds tables");
    const std::string below = BelowPattern(ns);
    ATOLL_ASSIGN_OR_RETURN(
        auto children,
        conn.Query("SELECT 1 FROM iceberg_namespace_properties WHERE catalog_name = ? AND "
                   "namespace LIKE ? ESCAPE '!' UNION SELECT 1 FROM iceberg_tables WHERE "
                   "catalog_name = ? AND table_namespace LIKE ? ESCAPE '!'",
                   {options_.name, below, options_.name, below}));
    if (!children.empty()) return PreconditionFailed(NamespaceName(ns), " still holds namespaces");
    return conn
        .Execute(
            "DELETE FROM iceberg_namespace_properties WHERE catalog_name = ? AND namespace = ?",
            {options_.name, joined})
        .status();
  });
}

// --- tables -----------------------------------------------------------------------------

Result<std::string> SqlCatalog::DefaultTableLocation(const TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (options_.warehouse_uri.empty()) {
    return InvalidArgument(describe_, ": no warehouse location configured for new tables");
  }
  std::string location = options_.warehouse_uri;
  for (const auto& level : id.ns) location += "/" + level;
  return location + "/" + id.name;
}

Status SqlCatalog::CreateTable(const TableIdentifier& id, const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (metadata_location.empty())
    return InvalidArgument("empty metadata location for ", TableName(id));
  Status st = RunInTransaction("creating " + TableName(id), [&](SqlConnection& conn) -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, id.ns));
    if (!exists) return NotFound(NamespaceName(id.ns), " does not exist");
    ATOLL_ASSIGN_OR_RETURN(std::optional<std::string> kind, RowKind(conn, id));
    if (kind == "VIEW") return AlreadyExists("a view named '", id.ToString(), "' exists");
    return conn
        .Execute(
            "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
            "metadata_location, "
            "previous_metadata_location, iceberg_type) VALUES (?, ?, ?, ?, NULL, 'TABLE')",
            {options_.name, NamespaceToString(id.ns), id.name, metadata_location})
        .status();
  });
  if (st.code() == StatusCode::kAlreadyExists &&
      st.message().find("a view named") == std::string::npos)
    return AlreadyExists(TableName(id), " already exists");
  return st;
}

Status SqlCatalog::RenameTable(const TableIdentifier& from, const TableIdentifier& to) {
  ATOLL_RETURN_NOT_OK(CheckTable(from));
  ATOLL_RETURN_NOT_OK(CheckTable(to));
  Status st = RunInTransaction(
      "renaming " + TableName(from) + " to '" + to.ToString() + "'",
      [&](SqlConnection& conn) -> Status {
        ATOLL_ASSIGN_OR_RETURN(bool source, TableExists(conn, from));
        if (!source) return NotFound(TableName(from), " does not exist");
        if (from == to) return Status::OK();
        ATOLL_ASSIGN_OR_RETURN(bool ns, NamespaceExists(conn, to.ns));
        if (!ns) return NotFound(NamespaceName(to.ns), " does not exist");
        ATOLL_ASSIGN_OR_RETURN(int64_t changed,
                               conn.Execute(StrCat("UPDATE iceberg_tables SET table_namespace = ?, "
                                                   "table_name = ? WHERE catalog_name = ? AND "
                                                   "table_namespace = ? AND table_name = ? AND ",
                                                   kIsTable),
                                            {NamespaceToString(to.ns), to.name, options_.name,
                                             NamespaceToString(from.ns), from.name}));
        if (changed == 0) return NotFound(TableName(from), " does not exist");
        return Status::OK();
      });
  if (st.code() == StatusCode::kAlreadyExists)
    return AlreadyExists(TableName(to), " already exists");
  return st;
}

// --- views ------------------------------------------------------------------------------

Result<std::optional<std::string>> SqlCatalog::RowKind(SqlConnection& conn,
                                                       const TableIdentifier& id) {
  ATOLL_ASSIGN_OR_RETURN(auto rows,
                         conn.Query("SELECT iceberg_type FROM iceberg_tables WHERE catalog_name = "
                                    "? AND table_namespace = ? AND table_name = ?",
                                    {options_.name, NamespaceToString(id.ns), id.name}));
  if (rows.empty()) return std::optional<std::string>();
  return std::optional<std::string>(rows[0].empty() ? "" : rows[0][0].value_or(""));
}

Status SqlCatalog::CreateView(const TableIdentifier& id, const std::string& metadata_location) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  if (metadata_location.empty())
    return InvalidArgument("empty metadata location for ", ViewName(id));
  return RunInTransaction("creating " + ViewName(id), [&](SqlConnection& conn) -> Status {
    ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, id.ns));
    if (!exists) return NotFound(NamespaceName(id.ns), " does not exist");
    ATOLL_ASSIGN_OR_RETURN(std::optional<std::string> kind, RowKind(conn, id));
    if (kind == "VIEW") return AlreadyExists(ViewName(id), " already exists");
    if (kind) return AlreadyExists("a table named '", id.ToString(), "' exists");
    Status st = conn.Execute(
                        "INSERT INTO iceberg_tables (catalog_name, table_namespace, table_name, "
                        "metadata_location, previous_metadata_location, iceberg_type) "
                        "VALUES (?, ?, ?, ?, NULL, 'VIEW')",
                        {options_.name, NamespaceToString(id.ns), id.name, metadata_location})
                    .status();
    // A concurrent create of a table or view of the name inserted its row first.
    if (st.code() == StatusCode::kAlreadyExists)
      return AlreadyExists("'", id.ToString(), "' already exists");
    return st;
  });
}

// --- tables and views -------------------------------------------------------------------

namespace {
std::string_view KindCondition(bool view) { return view ? kIsView : kIsTable; }
std::string ObjectName(bool view, const TableIdentifier& id) {
  return view ? ViewName(id) : TableName(id);
}
}  // namespace

Result<std::vector<TableIdentifier>> SqlCatalog::ListRows(const Namespace& ns, Kind kind) {
  ATOLL_RETURN_NOT_OK(CheckNamespace(ns));
  const bool view = kind == Kind::kView;
  using Ids = std::vector<TableIdentifier>;
  return Run<Ids>(StrCat("listing the ", view ? "views" : "tables", " of ", NamespaceName(ns)),
                  [&](SqlConnection& conn) -> Result<Ids> {
                    ATOLL_ASSIGN_OR_RETURN(
                        auto rows,
                        conn.Query(StrCat("SELECT table_name FROM iceberg_tables WHERE "
                                          "catalog_name = ? AND table_namespace = ? AND ",
                                          KindCondition(view)),
                                   {options_.name, NamespaceToString(ns)}));
                    if (rows.empty()) {
                      ATOLL_ASSIGN_OR_RETURN(bool exists, NamespaceExists(conn, ns));
                      if (!exists) return NotFound(NamespaceName(ns), " does not exist");
                    }
                    Ids ids;
                    for (const auto& row : rows) {
                      if (!row.empty() && row[0]) ids.push_back(TableIdentifier{ns, *row[0]});
                    }
                    std::sort(ids.begin(), ids.end());
                    return ids;
                  });
}

Result<std::string> SqlCatalog::LoadRowLocation(const TableIdentifier& id, Kind kind) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  const bool view = kind == Kind::kView;
  const std::string name = ObjectName(view, id);
  return Run<std::string>("loading " + name, [&](SqlConnection& conn) -> Result<std::string> {
    ATOLL_ASSIGN_OR_RETURN(
        auto rows,
        conn.Query(StrCat("SELECT metadata_location FROM iceberg_tables WHERE "
                          "catalog_name = ? AND table_namespace = ? AND table_name = ? AND ",
                          KindCondition(view)),
                   {options_.name, NamespaceToString(id.ns), id.name}));
    if (rows.empty()) return NotFound(name, " does not exist");
    if (rows[0].empty() || !rows[0][0] || rows[0][0]->empty()) {
      return Corruption(name, " has no metadata location");
    }
    return *rows[0][0];
  });
}

Status SqlCatalog::SwapRowLocation(const TableIdentifier& id, const std::string& expected,
                                   const std::string& next, Kind kind) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  const bool view = kind == Kind::kView;
  const std::string name = ObjectName(view, id);
  if (next.empty()) return InvalidArgument("empty metadata location for ", name);
  return Run<bool>(
             "committing " + name,
             [&](SqlConnection& conn) -> Result<bool> {
               ATOLL_ASSIGN_OR_RETURN(
                   int64_t changed,
                   conn.Execute(StrCat("UPDATE iceberg_tables SET metadata_location = ?, "
                                       "previous_metadata_location = ? WHERE catalog_name = ? AND "
                                       "table_namespace = ? AND table_name = ? AND "
                                       "metadata_location = ? AND ",
                                       KindCondition(view)),
                                {next, expected, options_.name, NamespaceToString(id.ns), id.name,
                                 expected}));
               if (changed == 1) return true;
               if (changed > 1) return Internal(changed, " rows matched one primary key");
               // Nothing changed: tell a conflict from a missing row (after the fact; the
               // answer is about the moment of the UPDATE only in the conflict case).
               Result<bool> exists = true;
               if (view) {
                 Result<std::optional<std::string>> row = RowKind(conn, id);
                 exists = row.ok() ? Result<bool>(*row == "VIEW") : Result<bool>(row.status());
               } else {
                 exists = TableExists(conn, id);
               }
               if (exists.ok() && !*exists) return NotFound(name, " does not exist");
               return CommitConflict("the metadata of ", name, " is no longer ", expected,
                                     " (another commit won)");
             })
      .status();
}

Status SqlCatalog::DropRow(const TableIdentifier& id, Kind kind) {
  ATOLL_RETURN_NOT_OK(CheckTable(id));
  const bool view = kind == Kind::kView;
  const std::string name = ObjectName(view, id);
  return Run<bool>(
             "dropping " + name,
             [&](SqlConnection& conn) -> Result<bool> {
               ATOLL_ASSIGN_OR_RETURN(
                   int64_t changed,
                   conn.Execute(StrCat("DELETE FROM iceberg_tables WHERE catalog_name = ? AND "
                                       "table_namespace = ? AND table_name = ? AND ",
                                       KindCondition(view)),
                                {options_.name, NamespaceToString(id.ns), id.name}));
               if (changed == 0) return NotFound(name, " does not exist");
               return true;
             })
      .status();
}

Result<std::vector<TableIdentifier>> SqlCatalog::ListTables(const Namespace& ns) {
  return ListRows(ns, Kind::kTable);
}
Result<std::string> SqlCatalog::LoadMetadataLocation(const TableIdentifier& id) {
  return LoadRowLocation(id, Kind::kTable);
}
Status SqlCatalog::SwapMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                        const std::string& next) {
  return SwapRowLocation(id, expected, next, Kind::kTable);
}
Status SqlCatalog::DropTable(const TableIdentifier& id) { return DropRow(id, Kind::kTable); }
Result<std::vector<TableIdentifier>> SqlCatalog::ListViews(const Namespace& ns) {
  return ListRows(ns, Kind::kView);
}
Result<std::string> SqlCatalog::LoadViewMetadataLocation(const TableIdentifier& id) {
  return LoadRowLocation(id, Kind::kView);
}
Status SqlCatalog::SwapViewMetadataLocation(const TableIdentifier& id, const std::string& expected,
                                            const std::string& next) {
  return SwapRowLocation(id, expected, next, Kind::kView);
}
Status SqlCatalog::DropView(const TableIdentifier& id) { return DropRow(id, Kind::kView); }

}  // namespace atl::catalog
