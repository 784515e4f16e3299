// atoll query seen from outside: SQL over a lake directory, iceberg_scan over every table of
// ../shared/testdata/iceberg (the results of its EXPECTED.md), output formats, exit codes.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

TEST(QueryTest, RunsSqlInEveryFormat) {
  TempDir lake;
  const std::string sql =
      "SELECT * FROM (VALUES (1, 'a,b', 1.5, true, [1, 2]), (2, NULL, NULL, false, []), (10, 'say "
      "\"hi\"', -0.25, "
      "NULL, NULL)) t(id, name, x, ok, l) ORDER BY id";
  auto csv = RunAtoll({"query", lake.path(), sql, "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "id,name,x,ok,l\n1,\"a,b\",1.50,true,\"[1,2]\"\n2,,,false,[]\n10,\"say "
            "\"\"hi\"\"\",-0.25,,\n");

  auto json = RunAtoll({"query", lake.path(), sql, "--format=json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_TRUE(doc.is_array());
  ASSERT_EQ(doc.size(), 3u);
  EXPECT_EQ(doc[0]["name"], "a,b");
  EXPECT_EQ(doc[0]["x"], 1.5);
  EXPECT_EQ(doc[0]["ok"], true);
  EXPECT_EQ(doc[0]["l"], nlohmann::json::array({1, 2}));
  EXPECT_TRUE(doc[1]["name"].is_null());
  EXPECT_EQ(doc[2]["name"], "say \"hi\"");
  EXPECT_EQ(RunAtoll({"query", lake.path(), "SELECT 1 AS x WHERE false", "-f", "json"}).out,
            "[]\n");

  auto table = RunAtoll({"query", lake.path(),
                         "SELECT 7 AS n, 'long text' AS s UNION ALL SELECT 123, NULL ORDER BY n"});
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_EQ(table.out,
            "  n  s\n"
            "---  ---------\n"
            "  7  long text\n"
            "123  NULL\n"
            "(2 rows)\n");
}

TEST(QueryTest, PrintsTheResultOfEachStatementInOrder) {
  TempDir lake;
  const std::string sql =
      "CREATE TABLE t AS SELECT 1 AS a; SELECT a FROM t; SELECT 'x' AS b, 2 AS c";
  auto csv = RunAtoll({"query", lake.path(), sql, "--format", "csv"});
  EXPECT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out, "Count\n1\n\na\n1\n\nb,c\nx,2\n");
  auto json = RunAtoll({"query", lake.path(), sql, "--format", "json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out),
            nlohmann::json::parse(R"([[{"Count": 1}], [{"a": 1}], [{"b": "x", "c": 2}]])"));
  auto table = RunAtoll({"query", lake.path(), "SELECT 1 AS a; SELECT 2 AS b"});
  EXPECT_EQ(table.out, "a\n-\n1\n(1 row)\n\nb\n-\n2\n(1 row)\n");
  // A failing statement stops the run after the results before it.
  auto failing =
      RunAtoll({"query", lake.path(), "SELECT 1 AS a; SELECT nope; SELECT 3", "-f", "csv"});
  EXPECT_EQ(failing.exit_code, 1);
  EXPECT_EQ(failing.out, "a\n1\n");
  // --save takes one statement: several are refused before anything runs or is saved.
  ASSERT_EQ(RunAtoll({"init", lake.path()}).exit_code, 0);
  auto saved = RunAtoll({"query", lake.path(), "SELECT 1; SELECT 2", "--save"});
  EXPECT_EQ(saved.exit_code, 1);
  EXPECT_THAT(saved.err, HasSubstr("--save takes one SQL statement; the SQL holds 2"));
  // queries/ (a zone folder init makes) holds no saved query.
  for (const auto& e : std::filesystem::recursive_directory_iterator(lake.Join("queries"))) {
    EXPECT_TRUE(e.path().filename().string().starts_with(".atoll-")) << e.path();
  }
}

TEST(QueryTest, ErrorsAndExitCodes) {
  TempDir lake;
  // No SQL and no terminal: the SQL is read from stdin (here /dev/null: none).
  auto missing_sql = RunAtoll({"query", lake.path()});
  EXPECT_EQ(missing_sql.exit_code, 1);
  EXPECT_THAT(missing_sql.err, HasSubstr("no SQL"));
  auto bad_sql = RunAtoll({"query", lake.path(), "SELEC 1"});
  EXPECT_EQ(bad_sql.exit_code, 1);
  EXPECT_THAT(bad_sql.err, HasSubstr("atoll: error: running 'SELEC 1': Parser Error"));
  auto bad_format = RunAtoll({"query", lake.path(), "SELECT 1", "--format", "xml"});
  EXPECT_EQ(bad_format.exit_code, 2);  // a usage error
  EXPECT_THAT(bad_format.err,
              HasSubstr("option '--format' expects one of table, csv, json, got 'xml'"));
  auto no_lake = RunAtoll({"query", lake.Join("absent"), "SELECT 1"});
  EXPECT_EQ(no_lake.exit_code, 1);
  EXPECT_THAT(no_lake.err, HasSubstr("is not a directory"));
  auto no_table = RunAtoll({"query", lake.path(), "SELECT * FROM iceberg_scan('nothing/here')"});
  EXPECT_EQ(no_table.exit_code, 1);
  EXPECT_THAT(no_table.err, HasSubstr("iceberg_scan: NotFound"));
}

class QueryTestdataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> testdata = atl::testing::TestdataDir();
    if (!testdata)
      GTEST_SKIP() << "../shared/testdata is absent: atoll query is not tested on Iceberg tables";
    lake_ = *testdata + "/iceberg";
  }
  std::string Csv(const std::string& sql) {
    auto r = RunAtoll({"query", lake_, sql, "--format", "csv"});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return r.out;
  }
  std::string lake_;
};

TEST_F(QueryTestdataTest, EveryTableGivesItsExpectedResult) {
  struct Case {
    std::string sql;
    std::string csv;
  };
  const std::vector<Case> cases = {
      {"SELECT * FROM iceberg_scan('duckdb-iceberg/equality_deletes/warehouse/mydb/mytable') ORDER "
       "BY id",
       "id,name,bir\n4,d,2025-01-04\n5,e,2025-01-05\n"},
      {"SELECT list(id ORDER BY id) AS ids, list(name ORDER BY name) AS names FROM "
       "iceberg_scan('duckdb-iceberg/equality_deletes/warehouse/mydb/mytable_partitioned')",
       "ids,names\n\"[1,4,5]\",\"[\"\"a\"\",\"\"d\"\",\"\"e\"\"]\"\n"},
      {"SELECT count(*) AS n FROM "
       "iceberg_scan('duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table')",
       "n\n6592\n"},
      {"SELECT count(*) AS n FROM (SELECT * FROM "
       "iceberg_scan('duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table') EXCEPT ALL "
       "SELECT * FROM "
       "read_parquet('" +
           lake_ + "/duckdb-iceberg/generated_spec2_0_001/expected_results/last/data/*.parquet'))",
       "n\n0\n"},
      {"SELECT count(*) AS n, sum(l_extendedprice * l_discount) FILTER (WHERE l_shipdate >= DATE "
       "'1994-01-01' AND "
       "l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24) "
       "AS revenue FROM "
       "iceberg_scan('duckdb-iceberg/lineitem_iceberg')",
       "n,revenue\n51793,1077536.9101\n"},
      {"SELECT col1, col_integer, col_string FROM "
       "iceberg_scan('duckdb-iceberg/add_columns_with_defaults/default.db/"
       "add_columns_with_defaults') ORDER BY col1",
       "col1,col_integer,col_string\nclick,342342,HELLO\npurchase,342342,HELLO\ntest,453243,"
       "World\n"},
      {"SELECT count(*) AS n, count(b) AS b FROM "
       "iceberg_scan('duckdb-iceberg/name_mapping/warehouse_1/mydb/t1/"
       "metadata/v3.metadata.json')",
       "n,b\n10000,10000\n"},
      {"SELECT count(*) AS n, count(a) AS a, count(b) AS b FROM "
       "iceberg_scan('duckdb-iceberg/name_mapping/warehouse_1/mydb/t1')",
       "n,a,b\n10000,10000,0\n"},
      {"SELECT count(DISTINCT uuid) AS n, min(uuid) AS lo FROM iceberg_scan('duckdb-iceberg/uuid')",
       "n,lo\n10,1571effb-facd-42a3-90e9-0af522e9b6c2\n"},
      {"SELECT * FROM iceberg_scan('duckdb-iceberg/map_stats/default.db/map_stats') ORDER BY 1",
       "timestamp,input,output,metadata\n2026-01-01 "
       "00:00:00+00,hello,world,\"{\"\"key\"\":\"\"value1\"\"}\"\n"
       "2026-01-02 00:00:00+00,hello,world,\"{\"\"key\"\":\"\"value1\"\"}\"\n"},
      {"SELECT * FROM iceberg_scan('duckdb-iceberg/iceberg_v1_repro/repro/merch_v1') ORDER BY 1",
       "id,league,ats_qty\n2,nba,20\n3,mlb,30\n4,nhl,40\n6,nba,60\n"},
      {"SELECT event_date, user_id, event_type FROM "
       "iceberg_scan('duckdb-iceberg/hive_partitioned_table') ORDER BY 1, 2",
       "event_date,user_id,event_type\n2024-01-01,12345,click\n2024-01-02,67890,purchase\n2024-01-"
       "03,13579,view\n"
       "2024-01-03,24680,click\n2024-01-04,86420,view\n2024-01-04,97531,purchase\n"},
      {"SELECT * FROM iceberg_scan('duckdb-iceberg/big_query_error') ORDER BY 1",
       "id,name,created_at\n1,Alice,2024-01-01 10:00:00\n2,Bob,2024-02-01 11:30:00\n"},
      {"SELECT count(*) AS n FROM iceberg_scan('impala/iceberg_partitioned')", "n\n20\n"},
      {"SELECT * FROM iceberg_scan('impala/iceberg_v2_delete_equality_partitioned') ORDER BY d, s",
       "i,s,d\n1,str1,2023-12-24\n2,str2,2023-12-24\n333333,str3,2023-12-24\n4,str4,2023-12-24\n"
       "1,str1,2023-12-25\n222,str2,2023-12-25\n"},
      {"SELECT count(*) AS n FROM iceberg_scan('impala/iceberg_v2_delete_positional')", "n\n2\n"},
      {"SELECT count(*) AS n FROM iceberg_scan('impala/iceberg_v3_deletion_vectors')", "n\n3\n"},
      // Hive-written ORC data files, read through Parquet copies.
      {"SELECT count(*) AS n FROM iceberg_scan('impala/iceberg_v2_no_deletes_orc')", "n\n3\n"},
  };
  for (const Case& c : cases) EXPECT_EQ(Csv(c.sql), c.csv) << c.sql;
}

TEST_F(QueryTestdataTest, UnreadableTablesFailWithAClearMessage) {
  auto v0 = RunAtoll(
      {"query", lake_,
       "SELECT * FROM iceberg_scan('duckdb-iceberg/big_query_error/metadata/v0.metadata.json')"});
  EXPECT_EQ(v0.exit_code, 1);
  EXPECT_THAT(v0.err, HasSubstr("v0.metadata.json"));
}

TEST_F(QueryTestdataTest, RelativeLocationsResolveUnderTheLake) {
  // From another working directory, with the lake as file:// and a snapshot chosen.
  TempDir elsewhere;
  auto r = RunAtoll({"query", "file://" + lake_ + "/duckdb-iceberg",
                     "SELECT count(*) AS n FROM iceberg_scan('lineitem_iceberg', snapshot_id => "
                     "7817332053627255703)",
                     "--format", "csv"},
                    elsewhere.path());
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "n\n60175\n");
}

}  // namespace
}  // namespace atl::cli
