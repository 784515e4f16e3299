// The catalog behaviour suite and PostgreSQL specifics against the server that
// scripts/servers/postgres.sh starts (ATOLL_TEST_POSTGRES_URI). Each test uses its own
// catalog name, so tests share the database without seeing each other's rows.
#include "atoll/catalog/postgres_catalog.h"

#include <libpq-fe.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <random>
#include <thread>

#include "catalog/catalog_behaviour.h"
#include "testing/testing.h"

namespace atl::catalog::testing {
namespace {

using ::atl::testing::IsError;
using iceberg::Catalog;
using iceberg::TableIdentifier;

std::optional<std::string> ServerUri(std::string* skip) {
  auto uri = ::atl::testing::Env("ATOLL_TEST_POSTGRES_URI");
  if (!uri)
    *skip =
        "ATOLL_TEST_POSTGRES_URI is not set (scripts/test.sh starts PostgreSQL with "
        "scripts/servers/postgres.sh)";
  return uri;
}

std::string UniqueCatalogName() {
  static std::atomic<int> counter{0};
  static const uint32_t run = std::random_device{}();
  return "test-" + std::to_string(::getpid()) + "-" + std::to_string(run % 100000) + "-" +
         std::to_string(counter++);
}

class PostgresEnv final : public CatalogEnv {
 public:
  explicit PostgresEnv(std::string uri) : uri_(std::move(uri)) {}
  Result<std::unique_ptr<Catalog>> Open() override {
    SqlCatalogOptions options;
    options.name = name_;
    options.warehouse_uri = "s3://wh";
    ATOLL_ASSIGN_OR_RETURN(auto catalog, OpenPostgresCatalog(uri_, options));
    return std::unique_ptr<Catalog>(std::move(catalog));
  }
  bool SupportsFork() const override { return true; }
  const std::string& name() const { return name_; }

 private:
  std::string uri_;
  std::string name_ = UniqueCatalogName();
};

INSTANTIATE_TEST_SUITE_P(Server, CatalogBehaviour, ::testing::Values(PostgresCase()), CaseName);
INSTANTIATE_TEST_SUITE_P(Processes, CatalogMultiProcess,
                         ::testing::Values(InBucketLocalStoreCase(), SqliteCase(), PostgresCase()),
                         CaseName);

// A plain libpq session for the test's own statements.
class Session {
 public:
  explicit Session(const std::string& uri) : conn_(PQconnectdb(uri.c_str())) {}
  ~Session() { PQfinish(conn_); }
  bool ok() const { return PQstatus(conn_) == CONNECTION_OK; }
  // The first column of the first row, or "" (errors become test failures).
  std::string Exec(const std::string& sql) {
    PGresult* res = PQexec(conn_, sql.c_str());
    const ExecStatusType st = PQresultStatus(res);
    EXPECT_TRUE(st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
        << PQresultErrorMessage(res) << " in " << sql;
    std::string out = (st == PGRES_TUPLES_OK && PQntuples(res) > 0) ? PQgetvalue(res, 0, 0) : "";
    PQclear(res);
    return out;
  }

 private:
  PGconn* conn_;
};

class PostgresCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string skip;
    auto uri = ServerUri(&skip);
    if (!uri) {
      if (::atl::testing::ServersRequired()) FAIL() << skip << " (ATOLL_REQUIRE_SERVERS=1)";
      GTEST_SKIP() << skip;
    }
    uri_ = *uri;
    env_ = std::make_unique<PostgresEnv>(uri_);
  }
  std::string uri_;
  std::unique_ptr<PostgresEnv> env_;
};

TEST_F(PostgresCatalogTest, WritesTheJdbcRows) {
  ASSERT_OK_AND_ASSIGN(auto catalog, env_->Open());
  ASSERT_OK(catalog->CreateNamespace({"stg", "shop"}, {{"owner", "ana"}}));
  ASSERT_OK(catalog->CreateTable(TableIdentifier{{"stg", "shop"}, "orders"}, "s3://wh/v1.json"));
  ASSERT_OK(catalog->SwapMetadataLocation(TableIdentifier{{"stg", "shop"}, "orders"},
                                          "s3://wh/v1.json", "s3://wh/v2.json"));
  Session s(uri_);
  ASSERT_TRUE(s.ok());
  const std::string where = " WHERE catalog_name = '" + env_->name() + "'";
  EXPECT_EQ(
      s.Exec("SELECT table_namespace || '|' || table_name || '|' || metadata_location || '|' || "
             "previous_metadata_location || '|' || iceberg_type FROM iceberg_tables" +
             where),
      "stg.shop|orders|s3://wh/v2.json|s3://wh/v1.json|TABLE");
  EXPECT_EQ(s.Exec("SELECT string_agg(property_key || '=' || property_value, ',' ORDER BY "
                   "property_key) FROM "
                   "iceberg_namespace_properties" +
                   where),
            "exists=true,owner=ana");
  EXPECT_EQ(
      s.Exec("SELECT string_agg(column_name || ':' || data_type || ':' || "
             "coalesce(character_maximum_length, 0), "
             "',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = "
             "'iceberg_tables' AND table_schema = current_schema()"),
      "catalog_name:character varying:255,table_namespace:character varying:255,"
      "table_name:character varying:255,metadata_location:character varying:1000,"
      "previous_metadata_location:character varying:1000,iceberg_type:character varying:5");
}

TEST_F(PostgresCatalogTest, ATooLongNameIsAnInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto catalog, env_->Open());
  EXPECT_THAT(catalog->CreateNamespace({std::string(300, 'n')}, {}),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(PostgresCatalogTest, ConnectionLostDuringTheSwapIsAnUnknownOutcome) {
  ASSERT_OK_AND_ASSIGN(auto catalog, env_->Open());
  const TableIdentifier t{{"db"}, "t"};
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog->CreateTable(t, "v1"));
  // Hold the row lock so that the swap's UPDATE waits inside the server, then end the
  // swapping session from outside while it waits.
  Session locker(uri_), admin(uri_);
  ASSERT_TRUE(locker.ok() && admin.ok());
  locker.Exec("BEGIN");
  locker.Exec("SELECT 1 FROM iceberg_tables WHERE catalog_name = '" + env_->name() +
              "' FOR UPDATE");
  Status swap;
  std::thread committer([&] { swap = catalog->SwapMetadataLocation(t, "v1", "v2"); });
  std::string pid;
  for (int i = 0; i < 500 && pid.empty(); ++i) {
    pid = admin.Exec(
        "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE "
        "'UPDATE iceberg_tables SET metadata_location%' AND query NOT LIKE '%pg_stat_activity%'");
    if (pid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_FALSE(pid.empty()) << "the swap never waited for the lock";
  EXPECT_EQ(admin.Exec("SELECT pg_terminate_backend(" + pid + ")"), "t");
  committer.join();
  locker.Exec("ROLLBACK");
  EXPECT_THAT(swap, IsError(StatusCode::kUnknownOutcome));
  // The catalog reconnects; here the swap in fact did not happen.
  ASSERT_OK_AND_ASSIGN(std::string location, catalog->LoadMetadataLocation(t));
  EXPECT_EQ(location, "v1");
  ASSERT_OK(catalog->SwapMetadataLocation(t, "v1", "v2"));
}

TEST_F(PostgresCatalogTest, AnUnreachableServerIsUnavailableAndPasswordsStayHidden) {
  auto catalog =
      OpenPostgresCatalog("postgresql://someone:s3cret@127.0.0.1:1/db?connect_timeout=2");
  ASSERT_THAT(catalog, IsError(StatusCode::kUnavailable));
  EXPECT_EQ(catalog.status().message().find("s3cret"), std::string::npos)
      << catalog.status().message();
  EXPECT_EQ(RedactPostgresUri("postgresql://u:pw@h:1/d"), "postgresql://u@h:1/d");
  EXPECT_EQ(RedactPostgresUri("postgresql://u@h/d"), "postgresql://u@h/d");
}

}  // namespace
}  // namespace atl::catalog::testing
