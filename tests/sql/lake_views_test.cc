// Iceberg views by SQL (view_ddl.h, lake_views.h): created, read by name in the same and in
// later sessions, replaced (versions and version log), dropped, recorded in the trail; bad
// statements fail with a clear code and leave no view.
#include <filesystem>

#include "atoll/iceberg/commit/view_commit.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/trail_check.h"
#include "atoll/sql/lake_sql.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

const iceberg::TableIdentifier kDaily{{"prd", "shop"}, "daily"};

class LakeViewsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Lake::Init(lake_, Settings{}));
    ASSERT_OK_AND_ASSIGN(session_, LakeSql::Open(lake_, ""));
    ASSERT_OK(Run(session_,
                  "CREATE TABLE prd.shop.orders (id BIGINT, day DATE, amount "
                  "DECIMAL(10,2))")
                  .status());
    ASSERT_OK(Run(session_,
                  "INSERT INTO prd.shop.orders VALUES (1, DATE '2024-01-05', 10), "
                  "(2, DATE '2024-01-05', 5), (3, DATE '2024-01-06', 1)")
                  .status());
  }
  // Runs one statement as `atoll query` does and returns its result rows.
  static Result<engine::QueryResult> Run(std::unique_ptr<LakeSql>& session,
                                         const std::string& statement) {
    ATOLL_ASSIGN_OR_RETURN(std::string sql, session->Run(statement));
    return session->engine().Query(sql);
  }
  // The first value of a query run in a fresh session (as a later `atoll query` would).
  Result<std::string> Later(const std::string& query) {
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<LakeSql> later, LakeSql::Open(lake_, query));
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, Run(later, query));
    if (r.rows.empty() || !r.rows[0][0]) return std::string("<none>");
    return *r.rows[0][0];
  }
  static std::string One(std::unique_ptr<LakeSql>& session, const std::string& query) {
    Result<engine::QueryResult> r = Run(session, query);
    EXPECT_OK(r.status());
    if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<none>";
    return *r->rows[0][0];
  }
  // What `atoll trail verify` finds wrong in the lake against its trail.
  std::vector<std::string> TrailProblems() {
    Result<std::unique_ptr<Lake>> lake = Lake::Open(lake_);
    EXPECT_OK(lake.status());
    Result<std::unique_ptr<trail::Trail>> trail = OpenLakeTrail(**lake);
    EXPECT_OK(trail.status());
    Result<std::vector<trail::Record>> records = (*trail)->Show({});
    EXPECT_OK(records.status());
    Result<LakeTables> tables = OpenLakeTables(**lake);
    EXPECT_OK(tables.status());
    Result<LakeCheckReport> check = CheckLakeAgainstTrail(**lake, *tables, *records);
    EXPECT_OK(check.status());
    return check.ok() ? check->problems : std::vector<std::string>{"check failed"};
  }
  Result<iceberg::LoadedView> LoadView(const iceberg::TableIdentifier& id) {
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<Lake> lake, Lake::Open(lake_));
    ATOLL_ASSIGN_OR_RETURN(LakeTables tables, OpenLakeTables(*lake));
    return iceberg::LoadIcebergView(*tables.catalog, *tables.io, id);
  }

  TempDir dir_;
  std::string lake_ = dir_.Join("lake");
  std::unique_ptr<LakeSql> session_;
};

TEST_F(LakeViewsTest, AViewIsAnIcebergViewReadByNameNowAndLater) {
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r,
                       Run(session_,
                           "CREATE VIEW prd.shop.daily (d, total) AS SELECT day, sum(amount) "
                           "FROM prd.shop.orders GROUP BY day"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "create view");
  EXPECT_EQ(r.rows[0][1], "prd.shop.daily");
  // In the same session.
  ASSERT_OK_AND_ASSIGN(r, Run(session_, "SELECT d, total FROM prd.shop.daily ORDER BY d"));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[0][1], "15.00");
  // The Iceberg view: its metadata file under the view's folder, the SQL in DuckDB's dialect.
  ASSERT_OK_AND_ASSIGN(iceberg::LoadedView view, LoadView(kDaily));
  EXPECT_THAT(view.metadata_location, HasSubstr(lake_ + "/prd/shop/daily/metadata/00000-"));
  EXPECT_TRUE(std::filesystem::exists(view.metadata_location));
  const iceberg::ViewVersion& v1 = *view.metadata.CurrentVersion();
  ASSERT_NE(v1.SqlFor("duckdb"), nullptr);
  const std::string v1_sql = v1.SqlFor("duckdb")->sql;
  EXPECT_EQ(v1_sql, "SELECT day, sum(amount) FROM prd.shop.orders GROUP BY day");
  EXPECT_EQ(v1.default_namespace, (iceberg::Namespace{"prd", "shop"}));
  const iceberg::Schema& schema = *view.metadata.CurrentSchema();
  ASSERT_EQ(schema.fields().size(), 2u);
  EXPECT_EQ(schema.fields()[0].name, "d");
  EXPECT_EQ(schema.fields()[0].type->ToString(), "date");
  EXPECT_EQ(schema.fields()[1].name, "total");

  // A later session reads it by name, over the table as it is then.
  ASSERT_OK(Run(session_, "INSERT INTO prd.shop.orders VALUES (4, DATE '2024-01-06', 2)").status());
  EXPECT_EQ(Later("SELECT total FROM prd.shop.daily WHERE d = DATE '2024-01-06'").value_or("?"),
            "3.00");

  // Replaced: a second version with its own schema, the log of both.
  ASSERT_OK_AND_ASSIGN(r, Run(session_,
                              "CREATE OR REPLACE VIEW prd.shop.daily AS SELECT count(*) AS n FROM "
                              "prd.shop.orders"));
  EXPECT_EQ(One(session_, "SELECT n FROM prd.shop.daily"), "4");
  EXPECT_EQ(Later("SELECT n FROM prd.shop.daily").value_or("?"), "4");
  ASSERT_OK_AND_ASSIGN(view, LoadView(kDaily));
  EXPECT_THAT(view.metadata_location, HasSubstr("/prd/shop/daily/metadata/00001-"));
  EXPECT_EQ(view.metadata.current_version_id, 2);
  ASSERT_EQ(view.metadata.versions.size(), 2u);
  ASSERT_EQ(view.metadata.version_log.size(), 2u);
  EXPECT_EQ(view.metadata.version_log[1].version_id, 2);
  EXPECT_EQ(view.metadata.schemas.size(), 2u);
  EXPECT_EQ(view.metadata.VersionById(1)->SqlFor("duckdb")->sql, v1_sql);
  // The view's records are not taken for a table's (which the catalog would lack).
  EXPECT_EQ(TrailProblems(), std::vector<std::string>{});

  // Dropped: gone from the catalog, from this session and from later ones.
  ASSERT_OK(Run(session_, "DROP VIEW prd.shop.daily").status());
  EXPECT_THAT(LoadView(kDaily), IsError(StatusCode::kNotFound));
  EXPECT_FALSE(Run(session_, "SELECT * FROM prd.shop.daily").ok());
  EXPECT_FALSE(Later("SELECT * FROM prd.shop.daily").ok());
  EXPECT_THAT(Run(session_, "DROP VIEW prd.shop.daily"), IsError(StatusCode::kNotFound));
  ASSERT_OK(Run(session_, "DROP VIEW IF EXISTS prd.shop.daily").status());

  // The trail has the three changes, marked as a view's, and the lake still agrees with it.
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lake> lake, Lake::Open(lake_));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<trail::Trail> trail, OpenLakeTrail(*lake));
  ASSERT_OK_AND_ASSIGN(std::vector<trail::Record> records, trail->Show({}));
  std::vector<std::string> kinds;
  for (const trail::Record& rec : records) {
    if (rec.table != "prd.shop.daily") continue;
    kinds.push_back(std::string(trail::RecordKindName(rec.kind)));
    EXPECT_THAT(rec.fields,
                ::testing::Contains(std::pair<std::string, std::string>("object", "view")));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"other", "other", "drop"}));
  EXPECT_EQ(TrailProblems(), std::vector<std::string>{});
}

TEST_F(LakeViewsTest, ViewsReadViewsInLaterSessions) {
  ASSERT_OK(Run(session_,
                "CREATE VIEW stg.a.big AS SELECT id FROM prd.shop.orders WHERE "
                "amount > 2")
                .status());
  ASSERT_OK(Run(session_, "CREATE VIEW tmp.b.n AS SELECT count(*) AS n FROM stg.a.big").status());
  EXPECT_EQ(Later("SELECT n FROM tmp.b.n").value_or("?"), "2");
  // IF NOT EXISTS leaves the view as it is.
  ASSERT_OK(Run(session_, "CREATE VIEW IF NOT EXISTS tmp.b.n AS SELECT 0 AS n").status());
  EXPECT_EQ(Later("SELECT n FROM tmp.b.n").value_or("?"), "2");
}

TEST_F(LakeViewsTest, BadViewsAreRefusedAndLeaveNothing) {
  auto refused = [&](const std::string& sql) { return Run(session_, sql).status(); };
  const Status unknown = refused("CREATE VIEW prd.shop.v AS SELECT nope FROM prd.shop.orders");
  EXPECT_FALSE(unknown.ok());
  EXPECT_THAT(unknown.message(), HasSubstr("nope"));
  EXPECT_THAT(LoadView({{"prd", "shop"}, "v"}), IsError(StatusCode::kNotFound));
  // A table holds the name (in any letter case).
  EXPECT_THAT(refused("CREATE VIEW prd.shop.ORDERS AS SELECT 1 AS x"),
              IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused("CREATE OR REPLACE VIEW prd.shop.orders AS SELECT 1 AS x"),
              IsError(StatusCode::kAlreadyExists));
  ASSERT_OK(refused("CREATE VIEW prd.shop.v AS SELECT 1 AS x"));
  EXPECT_THAT(refused("CREATE VIEW prd.shop.v AS SELECT 2 AS x"),
              IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused("CREATE TABLE prd.shop.v (x INT)"), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused("CREATE TABLE prd.shop.V (x INT)"), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused("CREATE TABLE prd.shop.V AS SELECT 1 AS x"),
              IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused("DROP VIEW prd.shop.orders"), IsError(StatusCode::kNotFound));
  EXPECT_THAT(refused("CREATE VIEW prd.shop.w (a, b) AS SELECT 1 AS x"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused("CREATE VIEW prd.shop.w (a, a) AS SELECT 1, 2"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(refused("CREATE OR REPLACE VIEW IF NOT EXISTS prd.shop.w AS SELECT 1"),
              IsError(StatusCode::kInvalidArgument));
  for (const char* zone : {"trail", "stats", "log"}) {
    EXPECT_THAT(refused(StrCat("CREATE VIEW ", zone, ".x.v AS SELECT 1 AS x")),
                IsError(StatusCode::kPermissionDenied));
    EXPECT_THAT(refused(StrCat("DROP VIEW ", zone, ".x.v")),
                IsError(StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(refused("CREATE VIEW queries.x.v AS SELECT 1 AS x"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LoadView({{"prd", "shop"}, "w"}), IsError(StatusCode::kNotFound));
  // The table is untouched.
  EXPECT_EQ(Later("SELECT count(*) FROM prd.shop.orders").value_or("?"), "3");
}

TEST_F(LakeViewsTest, AViewWithoutDuckdbSqlFailsOnlyTheQueriesNamingIt) {
  // Another engine's view: SQL in the spark dialect only.
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lake> lake, Lake::Open(lake_));
    ASSERT_OK_AND_ASSIGN(LakeTables tables, OpenLakeTables(*lake));
    iceberg::ViewVersionSpec spec;
    spec.schema = iceberg::Schema(
        0, {iceberg::NestedField{1, "n", false, iceberg::Type::Long(), {}, {}, {}}});
    spec.representations = {
        iceberg::ViewRepresentation::Sql("SELECT count(1) FROM orders", "spark")};
    spec.default_namespace = {"prd", "shop"};
    ASSERT_OK_AND_ASSIGN(iceberg::ViewMetadata md,
                         iceberg::NewViewMetadata(lake_ + "/prd/shop/sv", spec, {}, "u-1", 1));
    ASSERT_OK(iceberg::CreateIcebergView(*tables.catalog, *tables.io, {{"prd", "shop"}, "sv"}, md)
                  .status());
  }
  Result<std::string> read = Later("SELECT * FROM prd.shop.sv");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("view prd.shop.sv cannot be read"));
  EXPECT_THAT(read.status().message(), HasSubstr("no SQL in the duckdb dialect (only spark)"));
  // Other queries of the same script still run, and the view can be dropped.
  const std::string script = "SELECT count(*) FROM prd.shop.orders; DROP VIEW prd.shop.sv";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LakeSql> later, LakeSql::Open(lake_, script));
  EXPECT_EQ(One(later, "SELECT count(*) FROM prd.shop.orders"), "3");
  ASSERT_OK(Run(later, "DROP VIEW prd.shop.sv").status());
  EXPECT_THAT(LoadView({{"prd", "shop"}, "sv"}), IsError(StatusCode::kNotFound));
}

// The same in a lake whose catalog is SQLite (JDBC rows with iceberg_type 'VIEW').
TEST(LakeViewsSqliteTest, ViewsLiveInTheLakesSqlCatalog) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  Settings settings;
  settings.catalog = "sqlite://" + lake + "/_atoll/catalog.db";
  ASSERT_OK(Lake::Init(lake, settings));
  {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<LakeSql> session, LakeSql::Open(lake, ""));
    ASSERT_OK(session->Run("CREATE TABLE stg.s.t AS SELECT 41 AS x").status());
    ASSERT_OK(session->Run("CREATE VIEW stg.s.v AS SELECT x + 1 AS y FROM stg.s.t").status());
    ASSERT_OK(
        session->Run("CREATE OR REPLACE VIEW stg.s.v AS SELECT x + 2 AS y FROM stg.s.t").status());
  }
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lake> opened, Lake::Open(lake));
  ASSERT_OK_AND_ASSIGN(LakeTables tables, OpenLakeTables(*opened));
  ASSERT_OK_AND_ASSIGN(auto views, tables.catalog->ListViews({"stg", "s"}));
  EXPECT_EQ(views, (std::vector<iceberg::TableIdentifier>{{{"stg", "s"}, "v"}}));
  ASSERT_OK_AND_ASSIGN(auto listed, ListLakeTables(tables));
  EXPECT_EQ(listed, (std::vector<iceberg::TableIdentifier>{{{"stg", "s"}, "t"}}));
  ASSERT_OK_AND_ASSIGN(iceberg::LoadedView view,
                       iceberg::LoadIcebergView(*tables.catalog, *tables.io, {{"stg", "s"}, "v"}));
  EXPECT_EQ(view.metadata.versions.size(), 2u);
  const std::string query = "SELECT y FROM stg.s.v";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LakeSql> later, LakeSql::Open(lake, query));
  ASSERT_OK_AND_ASSIGN(std::string sql, later->Run(query));
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r, later->engine().Query(sql));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "43");
  ASSERT_OK(later->Run("DROP VIEW stg.s.v").status());
  ASSERT_OK_AND_ASSIGN(views, tables.catalog->ListViews({"stg", "s"}));
  EXPECT_TRUE(views.empty());
}

}  // namespace
}  // namespace atl::lake
