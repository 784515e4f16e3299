// iceberg_scan over the Iceberg tables of ../shared/testdata/iceberg (written by Spark,
// PyIceberg, Flink, Impala/Hive, BigQuery): every table gives the results its
// EXPECTED.md lists (from the writers' own test suites). Skips when the folder is absent.
#include <filesystem>

#include "atoll/engine/engine.h"
#include "atoll/storage/memory_store.h"
#include "atoll/table/iceberg_scan.h"
#include "atoll/table/orc_table.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::IsError;
using engine::Engine;
using engine::QueryResult;
using ::testing::HasSubstr;

class IcebergTestdataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> testdata = atl::testing::TestdataDir();
    if (!testdata)
      GTEST_SKIP() << "../shared/testdata is absent: the Iceberg tables are not tested";
    root_ = *testdata + "/iceberg";
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
    IcebergScanOptions scan;
    scan.root = root_;
    ASSERT_OK(RegisterIcebergScan(*engine_, scan));
  }

  // Rows as "a|b|c" lines (NULL as "NULL"), in the query's order.
  std::vector<std::string> Rows(const std::string& sql) {
    Result<QueryResult> r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i] ? *row[i] : "NULL");
      out.push_back(line);
    }
    return out;
  }
  std::string One(const std::string& sql) {
    std::vector<std::string> rows = Rows(sql);
    EXPECT_EQ(rows.size(), 1u) << sql;
    return rows.empty() ? "" : rows[0];
  }

  std::string root_;
  std::unique_ptr<Engine> engine_;
};

using Lines = std::vector<std::string>;

TEST_F(IcebergTestdataTest, EqualityDeletes) {
  EXPECT_EQ(
      Rows("SELECT * FROM iceberg_scan('duckdb-iceberg/equality_deletes/warehouse/mydb/mytable') "
           "ORDER BY id"),
      (Lines{"4|d|2025-01-04", "5|e|2025-01-05"}));
  EXPECT_EQ(
      Rows("SELECT id, name FROM iceberg_scan('duckdb-iceberg/equality_deletes/warehouse/mydb/"
           "mytable_partitioned') ORDER BY id"),
      (Lines{"1|a", "4|d", "5|e"}));
  EXPECT_EQ(Rows("SELECT * FROM iceberg_scan('impala/iceberg_v2_delete_equality_partitioned') "
                 "ORDER BY d, s"),
            (Lines{"1|str1|2023-12-24", "2|str2|2023-12-24", "333333|str3|2023-12-24",
                   "4|str4|2023-12-24", "1|str1|2023-12-25", "222|str2|2023-12-25"}));
}

TEST_F(IcebergTestdataTest, PositionDeletesAndSchemaEvolution) {
  const std::string table =
      "iceberg_scan('duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table')";
  const std::string expected =
      "read_parquet('" + root_ +
      "/duckdb-iceberg/generated_spec2_0_001/expected_results/last/data/*.parquet')";
  EXPECT_EQ(One("SELECT count(*) FROM " + table), "6592");
  // Same multiset of rows as Spark's own output, both ways.
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT * FROM " + table + " EXCEPT ALL SELECT * FROM " +
                expected + ")"),
            "0");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT * FROM " + expected + " EXCEPT ALL SELECT * FROM " +
                table + ")"),
            "0");
  EXPECT_EQ(One("SELECT typeof(schema_evol_added_col_1) FROM " + table + " LIMIT 1"), "BIGINT");
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('impala/iceberg_v2_delete_positional')"), "2");
}

TEST_F(IcebergTestdataTest, DeletionVectorsAndTimeTravel) {
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('impala/iceberg_v3_deletion_vectors')"), "3");
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('impala/iceberg_v3_deletion_vectors', "
                "snapshot_id => 2700858159721908397)"),
            "5");
  EXPECT_EQ(
      One("SELECT count(*) FROM iceberg_scan('duckdb-iceberg/lineitem_iceberg', snapshot_id => "
          "7817332053627255703)"),
      "60175")
      << "the first snapshot of lineitem holds TPC-H SF0.01";
  EXPECT_EQ(
      One("SELECT count(*) FROM iceberg_scan('duckdb-iceberg/lineitem_iceberg', ref => 'main')"),
      "51793");
  EXPECT_THAT(engine_->Query(
                  "SELECT * FROM iceberg_scan('duckdb-iceberg/lineitem_iceberg', ref => 'nope')"),
              IsError(StatusCode::kNotFound));
}

TEST_F(IcebergTestdataTest, RowAddressesPointAtTheVisibleRowsInTheirDataFiles) {
  // Tables with position delete files (v2) and deletion vectors (v3); a column of each row
  // (read by field id from the file) must be found in the data file the address names (by base
  // name: the metadata names the writers' locations), at the address's position.
  struct Case {
    std::string table, column, type;
    int32_t id;
    int64_t rows;
  };
  for (const Case& c : {Case{"impala/iceberg_v2_delete_positional", "id", "BIGINT", 1, 2},
                        Case{"impala/iceberg_v3_deletion_vectors", "i", "BIGINT", 1, 3},
                        Case{"duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table",
                             "l_partkey_int", "BIGINT", 2, 6592}}) {
    SCOPED_TRACE(c.table);
    const std::string scan =
        "iceberg_scan(" + engine::QuoteString(c.table) + ", row_address => true)";
    EXPECT_EQ(One("SELECT count(*) FROM " + scan), std::to_string(c.rows));
    EXPECT_EQ(One("SELECT count(DISTINCT (_atoll_file, _atoll_pos)) FROM " + scan),
              std::to_string(c.rows));
    EXPECT_EQ(One("SELECT count(*) FROM " + scan + " WHERE _atoll_file NOT LIKE '%.parquet'"), "0");
    const std::string files =
        "read_parquet(" + engine::QuoteString(root_ + "/" + c.table + "/data/**/*.parquet") +
        ", filename = true, schema = MAP {" + std::to_string(c.id) +
        ": {name: 'x', type: " + engine::QuoteString(c.type) + ", default_value: NULL::VARCHAR}})";
    EXPECT_EQ(One("SELECT count(*) FROM " + scan + " s WHERE NOT EXISTS (SELECT 1 FROM " + files +
                  " f WHERE parse_filename(f.filename) = parse_filename(s._atoll_file) AND "
                  "f.file_row_number = s._atoll_pos AND f.x IS NOT DISTINCT FROM s." +
                  engine::QuoteIdentifier(c.column) + ")"),
              "0");
  }
  // Without the option, or with it false, there are no address columns.
  EXPECT_THAT(engine_->Query("SELECT _atoll_file FROM iceberg_scan('impala/iceberg_v2_delete_"
                             "positional', row_address => false)"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(
      engine_->Query("SELECT _atoll_pos FROM iceberg_scan('impala/iceberg_v2_delete_positional')"),
      IsError(StatusCode::kInvalidArgument));
}

TEST_F(IcebergTestdataTest, LineitemCountAndQ06) {
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('duckdb-iceberg/lineitem_iceberg')"), "51793");
  EXPECT_EQ(One("SELECT sum(l_extendedprice * l_discount) AS revenue FROM "
                "iceberg_scan('duckdb-iceberg/lineitem_iceberg') "
                "WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' "
                "AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24"),
            "1077536.9101");
}

TEST_F(IcebergTestdataTest, InitialDefaultsOfAddedColumns) {
  Lines rows = Rows(
      "SELECT col1, col_boolean, col_integer, col_long, col_float, col_double, col_decimal, "
      "col_date, col_time, "
      "col_timestamp, col_timestamptz, col_string, col_uuid, col_fixed, col_binary FROM "
      "iceberg_scan('duckdb-iceberg/add_columns_with_defaults/default.db/"
      "add_columns_with_defaults') ORDER BY col1");
  ASSERT_EQ(rows.size(), 3u);
  const std::string defaults =
      "|true|342342|-9223372036854775808|0.34234|0.342343242342342|12345.00|2003-10-20|00:00:00."
      "012345|"
      "1970-01-01 00:00:00.012345|1970-01-01 "
      "00:00:00.012345+00|HELLO|f79c3e09-677c-4bbd-a479-3f349cb785e7|"
      "\\x01\\x02\\x03\\xFF\\x03|\\x01\\x02";
  EXPECT_EQ(rows[0], "click" + defaults);
  EXPECT_EQ(rows[1], "purchase" + defaults);
  EXPECT_THAT(rows[2], ::testing::StartsWith("test|false|453243|"));
}

TEST_F(IcebergTestdataTest, NameMappingVariants) {
  const std::string t = "duckdb-iceberg/name_mapping/warehouse_1/mydb/t1/metadata/";
  auto counts = [&](const std::string& file) {
    return One("SELECT count(*), count(a), count(b) FROM iceberg_scan('" + t + file + "')");
  };
  EXPECT_EQ(counts("v3.metadata.json"), "10000|10000|10000");
  EXPECT_EQ(counts("v3.1.metadata.json"), "10000|10000|0");
  EXPECT_EQ(counts("v3.2.metadata.json"), "10000|0|0");
  EXPECT_EQ(counts("v7.metadata.json"), "10000|10000|0");
}

TEST_F(IcebergTestdataTest, UuidMapsPartitionsAndV1) {
  // The uuid column (FIXED_LEN_BYTE_ARRAY(16)) reads as the values in the data files.
  EXPECT_EQ(One("SELECT count(*), count(DISTINCT uuid) FROM iceberg_scan('duckdb-iceberg/uuid')"),
            "10|10");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT uuid FROM iceberg_scan('duckdb-iceberg/uuid') EXCEPT "
                "SELECT uuid "
                "FROM read_parquet('" +
                root_ + "/duckdb-iceberg/uuid/data/*.parquet'))"),
            "0");
  EXPECT_EQ(
      Rows(
          "SELECT * FROM iceberg_scan('duckdb-iceberg/map_stats/default.db/map_stats') ORDER BY 1"),
      (Lines{"2026-01-01 00:00:00+00|hello|world|{\"key\":\"value1\"}",
             "2026-01-02 00:00:00+00|hello|world|{\"key\":\"value1\"}"}));
  const Lines merch = {"2|nba|20", "3|mlb|30", "4|nhl|40", "6|nba|60"};
  const std::string v1 = "duckdb-iceberg/iceberg_v1_repro/repro/merch_v1";
  EXPECT_EQ(Rows("SELECT * FROM iceberg_scan('" + v1 +
                 "/metadata/00003-8d01e4aa-d143-49c9-898e-b5e477577b70.metadata.json') ORDER BY 1"),
            merch);
  EXPECT_EQ(Rows("SELECT * FROM iceberg_scan('" + v1 +
                 "/metadata/00004-v3-upgraded-v1-null-counts.metadata.json') "
                 "ORDER BY 1"),
            merch);
  EXPECT_EQ(
      Rows("SELECT event_date, user_id, event_type FROM "
           "iceberg_scan('duckdb-iceberg/hive_partitioned_table') "
           "ORDER BY 1, 2"),
      (Lines{"2024-01-01|12345|click", "2024-01-02|67890|purchase", "2024-01-03|13579|view",
             "2024-01-03|24680|click", "2024-01-04|86420|view", "2024-01-04|97531|purchase"}));
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('impala/iceberg_partitioned')"), "20");
  EXPECT_EQ(Rows("SELECT * FROM iceberg_scan('duckdb-iceberg/big_query_error') ORDER BY 1"),
            (Lines{"1|Alice|2024-01-01 10:00:00", "2|Bob|2024-02-01 11:30:00"}));
}

TEST_F(IcebergTestdataTest, OrcDataFilesReadThroughParquetCopies) {
  // Hive wrote this table's data as ORC (with iceberg.id attributes): count(*) = 3.
  const std::string table = "iceberg_scan('impala/iceberg_v2_no_deletes_orc')";
  EXPECT_EQ(One("SELECT count(*) FROM " + table), "3");
  ASSERT_OK_AND_ASSIGN(QueryResult types, engine_->Query("DESCRIBE SELECT * FROM " + table));
  ASSERT_EQ(types.rows.size(), 2u);
  EXPECT_EQ(*types.rows[0][0] + " " + *types.rows[0][1], "i INTEGER");
  EXPECT_EQ(*types.rows[1][0] + " " + *types.rows[1][1], "s VARCHAR");
  // The rows the ORC data file holds (loaded straight from it), matched by field id.
  Lines rows = Rows("SELECT * FROM " + table + " ORDER BY i");
  ASSERT_EQ(rows.size(), 3u);
  for (const std::string& r : rows) EXPECT_EQ(r.find("NULL"), std::string::npos) << r;
  std::string data_file;
  for (const auto& e :
       std::filesystem::directory_iterator(root_ + "/impala/iceberg_v2_no_deletes_orc/data")) {
    if (e.path().extension() == ".orc") data_file = e.path().string();
  }
  ASSERT_OK(LoadOrcFile(*engine_, data_file, "", "orc_rows").status());
  EXPECT_EQ(Rows("SELECT i, s FROM orc_rows ORDER BY i"), rows);
  // Read again: the copy is reused.
  EXPECT_EQ(Rows("SELECT * FROM " + table + " ORDER BY i"), rows);

  // The same table in a mounted memory store: the ORC file is read by ranged GETs.
  auto store = std::make_shared<storage::MemoryStore>("lake");
  const std::string folder = root_ + "/impala/iceberg_v2_no_deletes_orc";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
    if (!entry.is_regular_file()) continue;
    std::string key = "orc/" + std::filesystem::relative(entry.path(), folder).string();
    ASSERT_OK(storage::PutString(*store, key, atl::testing::ReadFile(entry.path().string())));
  }
  ASSERT_OK_AND_ASSIGN(auto mounted, Engine::Open());
  IcebergScanOptions options;
  options.root = "mem://lake";
  options.mounts = {{"mem://lake", store}};
  ASSERT_OK(RegisterIcebergScan(*mounted, options));
  ASSERT_OK_AND_ASSIGN(QueryResult r,
                       mounted->Query("SELECT * FROM iceberg_scan('orc') ORDER BY i"));
  Lines mounted_rows;
  for (const auto& row : r.rows) mounted_rows.push_back(*row[0] + "|" + *row[1]);
  EXPECT_EQ(mounted_rows, rows);
}

TEST_F(IcebergTestdataTest, UnreadableTablesFailClearly) {
  // BigQuery's v0 metadata has no format-version.
  Result<QueryResult> v0 = engine_->Query(
      "SELECT * FROM iceberg_scan('duckdb-iceberg/big_query_error/metadata/v0.metadata.json')");
  EXPECT_THAT(v0, IsError(StatusCode::kCorruption));
  EXPECT_THAT(v0.status().message(), HasSubstr("v0.metadata.json"));
  EXPECT_THAT(engine_->Query("SELECT * FROM iceberg_scan('no/such/table')"),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(
      engine_->Query(
          "SELECT * FROM iceberg_scan('impala/iceberg_v2_delete_positional', snapshot_id => 1)"),
      IsError(StatusCode::kNotFound));
}

TEST_F(IcebergTestdataTest, TablesInMountedStoresAreReadThroughTheStoreFileSystem) {
  // The position-delete table copied into a memory store mounted at mem://lake: data and
  // delete files reach DuckDB through the atoll-iceberg:// scheme.
  auto store = std::make_shared<storage::MemoryStore>("lake");
  const std::string table = root_ + "/impala/iceberg_v2_delete_positional";
  for (const auto& entry : std::filesystem::recursive_directory_iterator(table)) {
    if (!entry.is_regular_file()) continue;
    std::string key = "t/" + std::filesystem::relative(entry.path(), table).string();
    ASSERT_OK(storage::PutString(*store, key, atl::testing::ReadFile(entry.path().string())));
  }
  ASSERT_OK_AND_ASSIGN(auto engine, Engine::Open());
  IcebergScanOptions options;
  options.root = "mem://lake";
  options.mounts = {{"mem://lake", store}};
  ASSERT_OK(RegisterIcebergScan(*engine, options));
  ASSERT_OK_AND_ASSIGN(
      QueryResult r, engine->Query("SELECT list(id ORDER BY id)::VARCHAR FROM iceberg_scan('t')"));
  EXPECT_EQ(*r.rows.at(0).at(0), "[1, 3]");
  // Row addresses name the data files as the metadata does, never by the store scheme.
  ASSERT_OK_AND_ASSIGN(
      r, engine->Query("SELECT count(*), count(*) FILTER (_atoll_file LIKE 'atoll-iceberg:%' OR "
                       "_atoll_file LIKE 'mem:%') FROM iceberg_scan('t', row_address => true)"));
  EXPECT_EQ(*r.rows.at(0).at(0), "2");
  EXPECT_EQ(*r.rows.at(0).at(1), "0");
  EXPECT_THAT(RegisterIcebergScan(*engine, options), IsError(StatusCode::kAlreadyExists));
}

}  // namespace
}  // namespace atl::table
