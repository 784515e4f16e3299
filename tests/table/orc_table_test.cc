// ORC files into DuckDB tables and Parquet files (table/orc_table.h) and the process-wide
// cache of Parquet copies (table/parquet_copy_cache.h), on the ORC files of
// ../shared/testdata (skips when absent): types, values, Iceberg field ids, errors.
#include "atoll/table/orc_table.h"

#include <filesystem>

#include "atoll/storage/local_store.h"
#include "atoll/table/parquet_copy_cache.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

namespace fs = std::filesystem;
using ::atl::testing::IsError;
using engine::QuoteString;
using ::testing::HasSubstr;

class OrcTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto testdata = ::atl::testing::TestdataDir();
    if (!testdata) GTEST_SKIP() << "../shared/testdata is absent: no ORC files to load";
    testdata_ = *testdata;
    orc_ = testdata_ + "/orc/";
    engine::EngineOptions options;
    options.threads = 1;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(options));
  }

  // The rows of `sql` as "a|b" lines (NULL for nulls), in the query's order.
  std::vector<std::string> Rows(const std::string& sql) {
    Result<engine::QueryResult> r = engine_->Query(sql);
    EXPECT_OK(r);
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i] ? *row[i] : "NULL");
      out.push_back(line);
    }
    return out;
  }

  std::string testdata_, orc_;
  std::unique_ptr<engine::Engine> engine_;
  ::atl::testing::TempDir dir_;
};

// Every field id of a column tree, depth first.
void CollectIds(const std::vector<OrcColumn>& columns, std::vector<int32_t>* out) {
  for (const OrcColumn& c : columns) {
    if (c.field_id) out->push_back(*c.field_id);
    CollectIds(c.children, out);
  }
}

TEST_F(OrcTableTest, LoadsEveryTypeOfTheSampleFiles) {
  orc::ReaderOptions la;
  la.default_timezone = "America/Los_Angeles";
  ASSERT_OK_AND_ASSIGN(OrcLoad test1,
                       LoadOrcFile(*engine_, orc_ + "TestOrcFile.test1.orc", "", "t1", la));
  EXPECT_EQ(test1.rows, 2);
  EXPECT_EQ(Rows("SELECT boolean1, byte1, short1, int1, long1, float1, double1, bytes1, string1, "
                 "middle, list, map "
                 "FROM t1"),
            (std::vector<std::string>{
                "false|1|1024|65536|9223372036854775807|1|-15|\\x00\\x01\\x02\\x03\\x04|hi|"
                "{\"list\":[{\"int1\":1,\"string1\":\"bye\"},{\"int1\":2,\"string1\":\"sigh\"}]}|"
                "[{\"int1\":3,\"string1\":\"good\"},{\"int1\":4,\"string1\":\"bad\"}]|{}",
                "true|100|2048|65536|9223372036854775807|2|-5||bye|"
                "{\"list\":[{\"int1\":1,\"string1\":\"bye\"},{\"int1\":2,\"string1\":\"sigh\"}]}|"
                "[{\"int1\":100000000,\"string1\":\"cat\"},{\"int1\":-100000,\"string1\":\"in\"},"
                "{\"int1\":1234,\"string1\":\"hat\"}]|"
                "{\"chani\":{\"int1\":5,\"string1\":\"chani\"},\"mauddib\":{\"int1\":1,\"string1\":"
                "\"mauddib\"}}"}));

  // Timestamps (nanoseconds cut to microseconds), unions as STRUCT(tag, field0, ...),
  // decimal(38,18) as a 128-bit DECIMAL.
  ASSERT_OK_AND_ASSIGN(
      OrcLoad u,
      LoadOrcFile(*engine_, orc_ + "TestOrcFile.testUnionAndTimestamp.orc", "", "u", la));
  EXPECT_EQ(u.rows, 5077);
  ASSERT_EQ(u.columns.size(), 3u);
  EXPECT_EQ(u.columns[1].type, "STRUCT(tag INTEGER, field0 INTEGER, field1 VARCHAR)");
  EXPECT_EQ(u.columns[2].type, "DECIMAL(38,18)");
  EXPECT_EQ(Rows("SELECT * FROM u LIMIT 2"),
            (std::vector<std::string>{
                "2000-03-12 "
                "15:00:00|{\"tag\":0,\"field0\":42,\"field1\":null}|12345678.654745600000000000",
                "2000-03-20 12:00:00.123456|{\"tag\":1,\"field0\":null,\"field1\":\"hello\"}|"
                "-5643.234000000000000000"}));

  // A root that is not a struct: one column "value".
  ASSERT_OK_AND_ASSIGN(OrcLoad ts,
                       LoadOrcFile(*engine_, orc_ + "TestOrcFile.testTimestamp.orc", "", "ts", la));
  ASSERT_EQ(ts.columns.size(), 1u);
  EXPECT_EQ(ts.columns[0].name, "value");
  EXPECT_EQ(ts.columns[0].type, "TIMESTAMP");
  EXPECT_EQ(Rows("SELECT value FROM ts LIMIT 2"),
            (std::vector<std::string>{"2037-01-01 00:00:00.000999", "2003-01-01 00:00:00"}));
  EXPECT_EQ(Rows("SELECT count(*) FROM ts WHERE value < TIMESTAMP '2000-01-01'"),
            std::vector<std::string>{"4"});

  // Hive 0.11 decimals without precision become decimal(38,6); 0.11 files, 2 stripes.
  ASSERT_OK_AND_ASSIGN(OrcLoad v11,
                       LoadOrcFile(*engine_, orc_ + "orc-file-11-format.orc", "", "v11", la));
  EXPECT_EQ(v11.rows, 7500);
  EXPECT_EQ(v11.columns.back().type, "DECIMAL(38,6)");
  EXPECT_EQ(Rows("SELECT ts, decimal1 FROM v11 LIMIT 1"),
            std::vector<std::string>{"2000-03-12 15:00:00|12345678.654745"});

  ASSERT_OK_AND_ASSIGN(OrcLoad dec, LoadOrcFile(*engine_, orc_ + "decimal.orc", "", "dec"));
  EXPECT_EQ(dec.columns[0].type, "DECIMAL(10,5)");
  EXPECT_EQ(Rows("SELECT count(*), min(_col0), max(_col0) FROM dec"),
            std::vector<std::string>{"6000|-1000.50000|1999.20000"});

  // Every codec: the same 10,000 rows of LZ4 and ZSTD files agree with SNAPPY's count.
  for (const char* file : {"TestOrcFile.testSnappy.orc", "TestVectorOrcFile.testLz4.orc",
                           "TestVectorOrcFile.testZstd.0.12.orc"}) {
    SCOPED_TRACE(file);
    ASSERT_OK_AND_ASSIGN(OrcLoad l, LoadOrcFile(*engine_, orc_ + file, "", "codec"));
    EXPECT_EQ(l.rows, 10000);
    EXPECT_EQ(Rows("SELECT count(*) FROM codec"), std::vector<std::string>{"10000"});
  }
  // An empty file with a schema: a table without rows.
  ASSERT_OK_AND_ASSIGN(OrcLoad empty,
                       LoadOrcFile(*engine_, orc_ + "TestOrcFile.emptyFile.orc", "", "e"));
  EXPECT_EQ(empty.rows, 0);
  EXPECT_EQ(empty.columns.size(), 12u);
  EXPECT_EQ(Rows("SELECT count(*) FROM e"), std::vector<std::string>{"0"});
}

TEST_F(OrcTableTest, IcebergFieldIdsReachTheParquetFile) {
  ASSERT_OK_AND_ASSIGN(auto reader, orc::Reader::OpenFile(orc_ + "complextypes_iceberg.orc"));
  ASSERT_OK_AND_ASSIGN(std::vector<OrcColumn> columns, DescribeOrcSchema(reader->schema()));
  std::vector<int32_t> ids;
  CollectIds(columns, &ids);
  std::sort(ids.begin(), ids.end());
  std::vector<int32_t> want(29);
  for (int i = 0; i < 29; ++i) want[i] = i + 1;
  EXPECT_EQ(ids, want);
  std::optional<std::string> option = OrcFieldIdsOption(columns);
  ASSERT_TRUE(option.has_value());
  EXPECT_THAT(*option, HasSubstr("'id': 1"));
  EXPECT_THAT(*option, HasSubstr("'int_array': {__duckdb_field_id: 2, element: "));

  const std::string path = dir_.Join("complex.parquet");
  ASSERT_OK_AND_ASSIGN(OrcLoad load, OrcToParquet(*engine_, *reader, path));
  EXPECT_EQ(load.rows, 1);
  // Every id lands in the Parquet schema, on the field of the same name.
  std::vector<std::string> got = Rows("SELECT field_id FROM parquet_schema(" + QuoteString(path) +
                                      ") WHERE field_id IS NOT NULL ORDER BY field_id");
  ASSERT_EQ(got.size(), 29u);
  EXPECT_EQ(got.front(), "1");
  EXPECT_EQ(got.back(), "29");
  EXPECT_EQ(Rows("SELECT name FROM parquet_schema(" + QuoteString(path) + ") WHERE field_id = 1"),
            std::vector<std::string>{"id"});
  EXPECT_EQ(
      Rows("SELECT count(*) FROM duckdb_tables() WHERE table_name = '__atoll_orc_to_parquet'"),
      std::vector<std::string>{"0"})
      << "the scratch table is dropped";
  EXPECT_EQ(
      Rows("SELECT id, int_array, nested_struct.a FROM read_parquet(" + QuoteString(path) + ")")
          .size(),
      1u);
}

TEST_F(OrcTableTest, BadFilesGiveClearErrors) {
  Result<OrcLoad> corrupt = LoadOrcFile(*engine_, orc_ + "corrupt_negative_dict_entry_lengths.orc",
                                        "prepare/x/corrupt.orc", "c");
  ASSERT_THAT(corrupt, IsError(StatusCode::kCorruption));
  EXPECT_THAT(corrupt.status().message(), HasSubstr("prepare/x/corrupt.orc"));
  EXPECT_THAT(corrupt.status().message(), HasSubstr("negative dictionary entry length"));
  EXPECT_THAT(LoadOrcFile(*engine_, orc_ + "zero.orc", "", "z"),
              IsError(StatusCode::kNotSupported));
  EXPECT_THAT(LoadOrcFile(*engine_, dir_.Join("missing.orc"), "", "m"),
              IsError(StatusCode::kNotFound));
  // The scratch table goes away when the conversion fails too.
  ASSERT_OK_AND_ASSIGN(auto reader,
                       orc::Reader::OpenFile(orc_ + "corrupt_negative_dict_entry_lengths.orc"));
  EXPECT_THAT(OrcToParquet(*engine_, *reader, dir_.Join("c.parquet")),
              IsError(StatusCode::kCorruption));
  EXPECT_EQ(
      Rows("SELECT count(*) FROM duckdb_tables() WHERE table_name = '__atoll_orc_to_parquet'"),
      std::vector<std::string>{"0"});
}

TEST_F(OrcTableTest, ParquetCopiesAreMadeOncePerFile) {
  const std::string table = testdata_ + "/iceberg/impala/iceberg_v2_no_deletes_orc/data/";
  std::string name;
  for (const auto& e : fs::directory_iterator(table)) {
    if (e.path().extension() == ".orc") name = e.path().filename().string();
  }
  ASSERT_FALSE(name.empty());
  ASSERT_OK_AND_ASSIGN(auto store_ptr, storage::LocalStore::Open(table, false));
  storage::Store& store = *store_ptr;
  const int64_t before = ParquetCopyConversions();
  ASSERT_OK_AND_ASSIGN(std::string path, OrcAsParquet(store, name, "hdfs://x/data/" + name));
  ASSERT_OK_AND_ASSIGN(std::string again, OrcAsParquet(store, name, "hdfs://x/data/" + name));
  EXPECT_EQ(path, again);
  EXPECT_EQ(ParquetCopyConversions(), before + 1);
  EXPECT_TRUE(fs::exists(path));
  EXPECT_EQ(Rows("SELECT count(*) FROM read_parquet(" + QuoteString(path) + ")"),
            std::vector<std::string>{"3"});
  EXPECT_EQ(Rows("SELECT name, field_id FROM parquet_schema(" + QuoteString(path) +
                 ") WHERE field_id IS NOT NULL ORDER BY field_id"),
            (std::vector<std::string>{"i|1", "s|2"}));
  // Errors name the location and are not cached.
  const std::string bad = dir_.Join("bad");
  fs::create_directories(bad);
  ::atl::testing::WriteFile(
      bad + "/c.orc", ::atl::testing::ReadFile(orc_ + "corrupt_negative_dict_entry_lengths.orc"));
  ASSERT_OK_AND_ASSIGN(auto bad_ptr, storage::LocalStore::Open(bad, false));
  storage::Store& bad_store = *bad_ptr;
  Result<std::string> failed = OrcAsParquet(bad_store, "c.orc", "s3://b/t/data/c.orc");
  ASSERT_THAT(failed, IsError(StatusCode::kCorruption));
  EXPECT_THAT(failed.status().message(), HasSubstr("s3://b/t/data/c.orc"));
  EXPECT_THAT(OrcAsParquet(bad_store, "c.orc", "s3://b/t/data/c.orc"),
              IsError(StatusCode::kCorruption));
  EXPECT_EQ(ParquetCopyConversions(), before + 1);
}

}  // namespace
}  // namespace atl::table
