#include "atoll/table/data_writer.h"

#include <filesystem>
#include <random>

#include "atoll/engine/scalar_function.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/transform.h"
#include "atoll/storage/memory_store.h"
#include "atoll/storage/s3/s3_store.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::Env;
using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using iceberg::Literal;
using iceberg::NestedField;
using iceberg::PartitionField;
using iceberg::PartitionSpec;
using iceberg::Schema;
using iceberg::Transform;
using iceberg::Type;

NestedField Field(int32_t id, std::string name, iceberg::TypePtr type, bool required = false) {
  return NestedField{id, std::move(name), required, std::move(type), {}, {}, {}};
}

Schema EventsSchema() {
  return Schema(
      0,
      {Field(1, "id", Type::Long(), /*required=*/true), Field(2, "category", Type::String()),
       Field(3, "ts", Type::TimestampTz()), Field(4, "amount", Type::Decimal(10, 2)),
       Field(5, "day", Type::Date()), Field(6, "uid", Type::Uuid()),
       Field(7, "payload", Type::Binary()), Field(8, "tags", Type::List(10, false, Type::String())),
       Field(9, "attrs", Type::Map(11, Type::String(), 12, false, Type::Int())),
       Field(13, "point",
             Type::Struct({Field(14, "x", Type::Double()), Field(15, "y", Type::Double())}))});
}

// 20,000 rows; ids 0..19999; NULL categories and timestamps now and then.
constexpr const char* kEvents =
    "SELECT i AS id, CASE WHEN i % 11 = 0 THEN NULL ELSE 'cat' || (i % 3)::VARCHAR END AS "
    "category, "
    "CASE WHEN i % 13 = 0 THEN NULL ELSE TIMESTAMPTZ '2024-03-01 00:00:00+00' + (i * 37) * "
    "INTERVAL 1 minute END AS ts, "
    "(i * 7 - 50000) / 100 AS amount, DATE '1969-12-25' + (i % 20)::INT AS day, "
    "('00000000-0000-4000-8000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS uid, "
    "('\\x00\\xFF' || i::VARCHAR)::BLOB AS payload, ['a' || i::VARCHAR, NULL] AS tags, "
    "MAP {'k': i::INT} AS attrs, {'x': i / 2, 'y': -i} AS point, 'ignored' AS extra "
    "FROM range(20000) r(i)";

PartitionSpec Spec(std::vector<std::pair<int32_t, Transform>> fields,
                   std::vector<std::string> names) {
  PartitionSpec spec;
  spec.spec_id = 1;
  for (size_t k = 0; k < fields.size(); ++k) {
    spec.fields.push_back(PartitionField{
        {fields[k].first}, 1000 + static_cast<int32_t>(k), names[k], fields[k].second});
  }
  return spec;
}

class DataWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(options));
  }

  std::string Scalar(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_OK(r);
    if (!r.ok() || r->rows.size() != 1 || r->rows[0].empty()) return "<no value>";
    return r->rows[0][0].value_or("NULL");
  }

  std::string FileList(const std::vector<iceberg::DataFile>& files) {
    std::string list = "[";
    for (const auto& f : files)
      list += (list.size() > 1 ? ", " : "") + engine::QuoteString(f.file_path);
    return list + "]";
  }

  // The written rows equal the query's rows (as the schema's types).
  void ExpectSameRows(const std::vector<iceberg::DataFile>& files) {
    std::string cols =
        "id, category, ts, amount::DECIMAL(10,2) AS amount, day, uid, payload, tags, attrs, point";
    std::string written = "SELECT " + cols + " FROM read_parquet(" + FileList(files) + ")";
    std::string wanted = "SELECT " + cols + " FROM (" + std::string(kEvents) + ")";
    EXPECT_EQ(Scalar("SELECT count(*) FROM (" + written + ")"), "20000");
    EXPECT_EQ(Scalar("SELECT count(*) FROM ((" + written + ") EXCEPT ALL (" + wanted + "))"), "0");
    EXPECT_EQ(Scalar("SELECT count(*) FROM ((" + wanted + ") EXCEPT ALL (" + written + "))"), "0");
  }

  std::unique_ptr<engine::Engine> engine_;
  TempDir dir_;
};

TEST_F(DataWriterTest, UnpartitionedRollsOverWithFieldIdsAndZstd) {
  DataWriterOptions options;
  options.target_file_size_bytes = 128 << 10;
  options.row_group_size = 2048;
  options.file_name_prefix = "00000-";
  std::string location = dir_.Join("warehouse/db/events");
  ASSERT_OK_AND_ASSIGN(auto files, WriteDataFiles(*engine_, kEvents, EventsSchema(),
                                                  PartitionSpec{}, location, options));
  ASSERT_GE(files.size(), 2u);
  int64_t rows = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.file_path);
    EXPECT_EQ(f.file_path.rfind(location + "/data/00000-", 0), 0u);
    EXPECT_EQ(f.file_path.substr(f.file_path.size() - 8), ".parquet");
    EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(f.file_path)));
    EXPECT_TRUE(f.partition.empty());
    EXPECT_EQ(f.value_counts.at(1), f.record_count);
    EXPECT_EQ(f.null_value_counts.at(1), 0);
    EXPECT_TRUE(f.lower_bounds.count(3));
    rows += f.record_count;
    // The footer carries the schema's field ids and zstd pages.
    std::string q = engine::QuoteString(f.file_path);
    EXPECT_EQ(
        Scalar(
            "SELECT string_agg(name || '=' || field_id, ',' ORDER BY name) FROM parquet_schema(" +
            q + ") WHERE field_id IS NOT NULL"),
        "amount=4,attrs=9,category=2,day=5,element=10,id=1,key=11,payload=7,point=13,tags=8,ts=3,"
        "uid=6,"
        "value=12,x=14,y=15");
    EXPECT_EQ(
        Scalar("SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(" + q + ")"),
        "ZSTD");
  }
  EXPECT_EQ(rows, 20000);
  ExpectSameRows(files);
}

// A table's write.parquet.compression-codec/-level properties choose the codec, as
// Iceberg writers read them; codecs DuckDB does not write as Iceberg means keep the default.
TEST(ApplyWriteProperties, FollowsTheTableCodec) {
  DataWriterOptions options;
  ApplyWriteProperties({{"write.parquet.compression-codec", "SNAPPY"}}, &options);
  EXPECT_EQ(options.compression, "snappy");
  options = DataWriterOptions{};
  ApplyWriteProperties(
      {{"write.parquet.compression-codec", "zstd"}, {"write.parquet.compression-level", "9"}},
      &options);
  EXPECT_EQ(options.compression, "zstd");
  EXPECT_EQ(options.compression_level, 9);
  options = DataWriterOptions{};
  ApplyWriteProperties(
      {{"write.parquet.compression-codec", "lz4"}, {"write.parquet.compression-level", "99"}},
      &options);
  EXPECT_EQ(options.compression, "zstd");
  EXPECT_EQ(options.compression_level, 1);
  options = DataWriterOptions{};
  ApplyWriteProperties({}, &options);
  EXPECT_EQ(options.compression, "zstd");
}

TEST_F(DataWriterTest, WritesTheCodecOfTheTableProperties) {
  DataWriterOptions options;
  ApplyWriteProperties({{"write.parquet.compression-codec", "gzip"}}, &options);
  ASSERT_OK_AND_ASSIGN(auto files, WriteDataFiles(*engine_, kEvents, EventsSchema(),
                                                  PartitionSpec{}, dir_.Join("t"), options));
  ASSERT_FALSE(files.empty());
  EXPECT_EQ(Scalar("SELECT string_agg(DISTINCT compression, ',') FROM parquet_metadata(" +
                   FileList(files) + ")"),
            "GZIP");
  ExpectSameRows(files);
}

TEST_F(DataWriterTest, PartitionTuplesMatchTheTransformsOfEveryRow) {
  PartitionSpec spec = Spec({{2, Transform::Identity()},
                             {3, Transform::Day()},
                             {1, Transform::Bucket(4)},
                             {4, Transform::Truncate(1000)},
                             {5, Transform::Month()},
                             {6, Transform::Bucket(3)},
                             {3, Transform::Hour()},
                             {7, Transform::Truncate(1)},
                             {4, Transform::Bucket(5)},
                             {2, Transform::Truncate(2)}},
                            {"category", "ts_day", "id_bucket", "amount_trunc", "day_month",
                             "uid_bucket", "ts_hour", "payload_trunc", "amount_bucket", "cat2"});
  Schema schema = EventsSchema();
  // hour() and the buckets make nearly every row its own tuple (one COPY each): 120 rows.
  std::string query = std::string("SELECT * FROM (") + kEvents + ") WHERE id < 120";
  std::string location = dir_.Join("t");
  ASSERT_OK_AND_ASSIGN(auto files, WriteDataFiles(*engine_, query, schema, spec, location));
  ASSERT_GT(files.size(), 10u);
  int64_t rows = 0;
  for (const auto& f : files) {
    SCOPED_TRACE(f.file_path);
    ASSERT_EQ(f.partition.size(), spec.fields.size());
    ASSERT_OK_AND_ASSIGN(std::string path, spec.PartitionPath(f.partition));
    EXPECT_EQ(f.file_path.rfind(location + "/data/" + path + "/", 0), 0u);
    rows += f.record_count;
    // Every row of the file maps to the file's tuple under the C++ transforms.
    ASSERT_OK_AND_ASSIGN(
        engine::QueryResult r,
        engine_->Query("SELECT category, epoch_us(ts), id, replace(amount::VARCHAR, '.', ''), day "
                       "- DATE '1970-01-01', "
                       "uid::VARCHAR, hex(payload) FROM read_parquet(" +
                       engine::QuoteString(f.file_path) + ")"));
    ASSERT_EQ(static_cast<int64_t>(r.rows.size()), f.record_count);
    for (const auto& row : r.rows) {
      auto lit = [&](int c) -> Literal {
        const auto& cell = row[c];
        switch (c) {
          case 0:
            return cell ? Literal::String(*cell) : Literal::Null(Type::String());
          case 1:
            return cell ? Literal::TimestampTz(std::stoll(*cell))
                        : Literal::Null(Type::TimestampTz());
          case 2:
            return Literal::Long(std::stoll(*cell));
          case 3:
            return Literal::Decimal(std::stoll(*cell), 10, 2);
          case 4:
            return Literal::Date(std::stoi(*cell));
          case 5:
            return Literal::Uuid(*iceberg::UuidFromString(*cell));
          default:
            return Literal::Binary(*iceberg::FromHex(*cell));
        }
      };
      const int source_col[] = {0, 1, 2, 3, 4, 5, 1, 6, 3, 0};
      for (size_t k = 0; k < spec.fields.size(); ++k) {
        Literal source = lit(source_col[k]);
        Literal want = source.is_null() ? Literal::Null(f.partition[k].type())
                                        : *spec.fields[k].transform.Apply(source);
        EXPECT_TRUE(want == f.partition[k]) << spec.fields[k].name << ": want " << want.ToString()
                                            << ", file has " << f.partition[k].ToString();
      }
    }
  }
  EXPECT_EQ(rows, 120);
  // Null partition values exist (category is NULL for id % 11 == 0) and are written as "null".
  bool null_category = false;
  for (const auto& f : files) null_category |= f.partition[0].is_null();
  EXPECT_TRUE(null_category);
}

TEST_F(DataWriterTest, PartitionedRowsRoundTripAndRollOver) {
  PartitionSpec spec =
      Spec({{2, Transform::Identity()}, {5, Transform::Year()}}, {"category", "day_year"});
  DataWriterOptions options;
  options.target_file_size_bytes = 64 << 10;
  options.row_group_size = 1024;
  ASSERT_OK_AND_ASSIGN(
      auto files, WriteDataFiles(*engine_, kEvents, EventsSchema(), spec, dir_.Join("p"), options));
  // 4 categories (3 + NULL) x 2 years (1969, 1970), several files each.
  std::set<std::string> dirs;
  for (const auto& f : files) dirs.insert(f.file_path.substr(0, f.file_path.rfind('/')));
  EXPECT_EQ(dirs.size(), 8u);
  EXPECT_GT(files.size(), 8u);
  EXPECT_TRUE(dirs.count(dir_.Join("p") + "/data/category=null/day_year=1969"));
  EXPECT_TRUE(dirs.count(dir_.Join("p") + "/data/category=cat1/day_year=1970"));
  ExpectSameRows(files);
}

TEST_F(DataWriterTest, ReturnStatsAgreeWithTheFooter) {
  // The writer trusts COPY ... RETURN_STATS for file names, row counts and sizes; check
  // those and its per-column statistics against parquet_metadata().
  std::string path = dir_.Join("rs");
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult r,
      engine_->Query(
          "COPY (SELECT i, 'v' || i::VARCHAR AS s FROM range(5000) t(i)) TO " +
          engine::QuoteString(path) +
          " (FORMAT parquet, FILE_SIZE_BYTES 20000, ROW_GROUP_SIZE 1000, RETURN_STATS)"));
  ASSERT_GE(r.rows.size(), 2u);
  ASSERT_EQ(r.columns[0].name, "filename");
  ASSERT_EQ(r.columns[4].name, "column_statistics");
  int64_t total = 0;
  for (const auto& row : r.rows) {
    std::string q = engine::QuoteString(*row[0]);
    EXPECT_EQ(*row[1], Scalar("SELECT num_rows FROM parquet_file_metadata(" + q + ")"));
    EXPECT_EQ(std::stoll(*row[2]), static_cast<int64_t>(std::filesystem::file_size(*row[0])));
    total += std::stoll(*row[1]);
    // column_statistics is a map column -> {min, max, null_count, ...} as JSON text.
    std::string min_i =
        Scalar("SELECT min(stats_min_value::BIGINT)::VARCHAR FROM parquet_metadata(" + q +
               ") WHERE path_in_schema = 'i'");
    std::string max_i =
        Scalar("SELECT max(stats_max_value::BIGINT)::VARCHAR FROM parquet_metadata(" + q +
               ") WHERE path_in_schema = 'i'");
    EXPECT_NE(row[4]->find("\"min\":\"" + min_i + "\""), std::string::npos) << *row[4];
    EXPECT_NE(row[4]->find("\"max\":\"" + max_i + "\""), std::string::npos) << *row[4];
  }
  EXPECT_EQ(total, 5000);
}

TEST_F(DataWriterTest, RejectsBadInput) {
  // A NULL in a required column.
  EXPECT_THAT(WriteDataFiles(*engine_, "SELECT NULL::BIGINT AS id, 'x' AS category",
                             Schema(0, {Field(1, "id", Type::Long(), true),
                                        Field(2, "category", Type::String())}),
                             PartitionSpec{}, dir_.Join("a")),
              IsError(StatusCode::kInvalidArgument));
  // A missing column.
  EXPECT_THAT(
      WriteDataFiles(*engine_, "SELECT 1 AS id", EventsSchema(), PartitionSpec{}, dir_.Join("b")),
      IsError(StatusCode::kInvalidArgument));
  // A value that does not convert.
  EXPECT_THAT(
      WriteDataFiles(*engine_, "SELECT 'abc' AS id", Schema(0, {Field(1, "id", Type::Long())}),
                     PartitionSpec{}, dir_.Join("c")),
      IsError(StatusCode::kInvalidArgument));
  // Unsupported type.
  EXPECT_THAT(
      WriteDataFiles(*engine_, "SELECT 'abc' AS f", Schema(0, {Field(1, "f", Type::Fixed(3))}),
                     PartitionSpec{}, dir_.Join("d")),
      IsError(StatusCode::kNotSupported));
  // No rows: no files.
  ASSERT_OK_AND_ASSIGN(auto none, WriteDataFiles(*engine_, "SELECT 1::BIGINT AS id WHERE false",
                                                 Schema(0, {Field(1, "id", Type::Long())}),
                                                 PartitionSpec{}, dir_.Join("e")));
  EXPECT_TRUE(none.empty());
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("e")));
  // The staging tables are gone.
  EXPECT_EQ(Scalar("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__atoll%'"), "0");
}

// The constant-partition lane (no staging) writes the same rows, under the tuple's
// directory, and still refuses NULLs in required fields and values that do not convert.
TEST_F(DataWriterTest, ConstantPartitionIsWrittenStraightFromTheQuery) {
  PartitionSpec spec = Spec({{3, Transform::Day()}}, {"ts_day"});
  DataWriterOptions options;
  options.target_file_size_bytes = 64 << 10;
  options.row_group_size = 1024;
  options.constant_partition = std::vector<iceberg::Literal>{iceberg::Literal::Int(19783)};
  // Every row's ts is replaced by one timestamp of day 19783 (2024-03-01).
  const std::string query = "SELECT * REPLACE (TIMESTAMPTZ '2024-03-01 10:00:00+00' AS ts) FROM (" +
                            std::string(kEvents) + ")";
  ASSERT_OK_AND_ASSIGN(
      auto files, WriteDataFiles(*engine_, query, EventsSchema(), spec, dir_.Join("k"), options));
  ASSERT_GE(files.size(), 2u);  // rolled over
  int64_t rows = 0;
  for (const auto& f : files) {
    EXPECT_EQ(f.file_path.substr(0, f.file_path.rfind('/')),
              dir_.Join("k") + "/data/ts_day=2024-03-01");
    ASSERT_EQ(f.partition.size(), 1u);
    EXPECT_EQ(f.partition[0], iceberg::Literal::Int(19783));
    EXPECT_EQ(f.value_counts.at(1), f.record_count);
    rows += f.record_count;
  }
  EXPECT_EQ(rows, 20000);
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + FileList(files) +
                   ") WHERE ts <> TIMESTAMPTZ "
                   "'2024-03-01 10:00:00+00' OR ts IS NULL"),
            "0");
  EXPECT_EQ(Scalar("SELECT sum(id) FROM read_parquet(" + FileList(files) + ")"), "199990000");

  DataWriterOptions plain;
  plain.constant_partition = std::vector<iceberg::Literal>{};
  Schema required(0, {Field(1, "id", Type::Long(), true), Field(2, "category", Type::String())});
  Result<std::vector<iceberg::DataFile>> null_id =
      WriteDataFiles(*engine_, "SELECT NULL::BIGINT AS id, 'x' AS category", required,
                     PartitionSpec{}, dir_.Join("kn"), plain);
  EXPECT_THAT(null_id, IsError(StatusCode::kInvalidArgument));
  EXPECT_NE(null_id.status().message().find("required field 'id'"), std::string::npos)
      << null_id.status().ToString();
  EXPECT_THAT(
      WriteDataFiles(*engine_, "SELECT 'abc' AS id", Schema(0, {Field(1, "id", Type::Long())}),
                     PartitionSpec{}, dir_.Join("kc"), plain),
      IsError(StatusCode::kInvalidArgument));
  // A tuple of the wrong size is the caller's error.
  EXPECT_THAT(WriteDataFiles(*engine_, query, EventsSchema(), spec, dir_.Join("kw"), plain),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(DataWriterTest, HashFunctionFollowsTheSpec) {
  // Values from the Iceberg spec, Appendix B.
  PartitionSpec spec = Spec({{1, Transform::Bucket(1000000)}}, {"b"});
  Schema schema(0, {Field(1, "v", Type::Long())});
  ASSERT_OK_AND_ASSIGN(
      auto files, WriteDataFiles(*engine_, "SELECT 34::BIGINT AS v", schema, spec, dir_.Join("h")));
  ASSERT_EQ(files.size(), 1u);
  // hash(34) = 2017239379 -> bucket 2017239379 % 1000000.
  EXPECT_TRUE(files[0].partition[0] == Literal::Int(2017239379 % 1000000))
      << files[0].partition[0].ToString();
  EXPECT_EQ(Scalar("SELECT atoll_iceberg_hash('iceberg')"), "1210000089");
  EXPECT_EQ(Scalar("SELECT atoll_iceberg_hash(NULL::VARCHAR) IS NULL"), "true");
}

// Writes through s3:// served by `store`.
void WriteToStore(engine::Engine& engine, std::shared_ptr<storage::Store> store,
                  const std::string& bucket) {
  ASSERT_OK(engine.RegisterStores(
      "s3://", [store, bucket](std::string_view b) -> Result<std::shared_ptr<storage::Store>> {
        if (b != bucket) return NotFound("no bucket ", b);
        return store;
      }));
  PartitionSpec spec = Spec({{2, Transform::Identity()}}, {"category"});
  DataWriterOptions options;
  options.target_file_size_bytes = 128 << 10;
  options.row_group_size = 2048;
  std::string location = "s3://" + bucket + "/warehouse/events";
  ASSERT_OK_AND_ASSIGN(auto files,
                       WriteDataFiles(engine, kEvents, EventsSchema(), spec, location, options));
  ASSERT_GE(files.size(), 4u);
  int64_t rows = 0;
  for (const auto& f : files) {
    ASSERT_EQ(f.file_path.rfind(location + "/data/category=", 0), 0u) << f.file_path;
    std::string key = f.file_path.substr(("s3://" + bucket + "/").size());
    ASSERT_OK_AND_ASSIGN(storage::ObjectInfo info, store->Head(key));
    EXPECT_EQ(static_cast<int64_t>(info.size), f.file_size_in_bytes);
    EXPECT_GT(f.column_sizes.size(), 10u);
    rows += f.record_count;
  }
  EXPECT_EQ(rows, 20000);
}

TEST_F(DataWriterTest, WritesThroughAStoreAsS3) {
  WriteToStore(*engine_, std::make_shared<storage::MemoryStore>(), "bucket");
}

TEST_F(DataWriterTest, WritesToS3rver) {
  auto endpoint = Env("ATOLL_TEST_S3RVER_ENDPOINT");
  if (!endpoint) {
    if (::atl::testing::ServersRequired()) FAIL() << "ATOLL_TEST_S3RVER_ENDPOINT is not set";
    GTEST_SKIP() << "no s3rver: set ATOLL_TEST_S3RVER_ENDPOINT (scripts/test.sh does)";
  }
  storage::S3Config config;
  config.bucket = "atoll-datafiles-" + std::to_string(std::random_device{}() % 1000000);
  config.endpoint = *endpoint;
  config.path_style = true;
  config.region = Env("ATOLL_TEST_S3RVER_REGION").value_or("us-east-1");
  config.access_key_id = Env("ATOLL_TEST_S3RVER_ACCESS_KEY").value_or("S3RVER");
  config.secret_access_key = Env("ATOLL_TEST_S3RVER_SECRET_KEY").value_or("S3RVER");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<storage::S3Store> s3, storage::S3Store::Open(config));
  ASSERT_OK(s3->CreateBucket());
  std::shared_ptr<storage::Store> store(std::move(s3));
  WriteToStore(*engine_, store, config.bucket);
  auto objects = storage::ListAll(*store, "");
  if (objects.ok()) {
    std::vector<std::string> keys;
    for (const auto& o : *objects) keys.push_back(o.key);
    if (!keys.empty()) EXPECT_OK(store->DeleteMany(keys));
  }
}

}  // namespace
}  // namespace atl::table
