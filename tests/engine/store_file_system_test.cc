// DuckDB reading and writing "s3://" paths through atl::storage::Store objects held in
// memory: formats, globs, COPY TO, and how many bytes a column projection fetches.
#include "atoll/engine/engine.h"
#include "atoll/storage/memory_store.h"
#include "engine/counting_store.h"
#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using storage::MemoryStore;
using storage::Store;
using ::testing::HasSubstr;

class StoreFileSystemTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.threads = 2;
    options.upload_buffer_directory = buffers_.path();
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
    ASSERT_OK(engine_->RegisterStores(
        "s3://", [this](std::string_view bucket) -> Result<std::shared_ptr<Store>> {
          if (bucket != "lake") return NotFound("no bucket named ", bucket);
          return std::shared_ptr<Store>(store_);
        }));
  }

  // Writes a local Parquet file with `select` and stores its bytes under `key`.
  void PutParquet(const std::string& key, const std::string& select,
                  const std::string& options = "FORMAT parquet") {
    TempDir dir;
    std::string path = dir.Join("f.parquet");
    ASSERT_OK(
        engine_->Execute("COPY (" + select + ") TO " + QuoteString(path) + " (" + options + ")"));
    ASSERT_OK(storage::PutString(store_->inner(), key, ::atl::testing::ReadFile(path)));
  }

  std::optional<std::string> Scalar(const std::string& sql) {
    auto result = engine_->Query(sql);
    EXPECT_OK(result);
    if (!result.ok() || result->rows.size() != 1) return std::nullopt;
    return result->rows[0][0];
  }

  TempDir buffers_;
  std::shared_ptr<CountingStore> store_ =
      std::make_shared<CountingStore>(std::make_shared<MemoryStore>("lake"));
  std::unique_ptr<Engine> engine_;
};

TEST_F(StoreFileSystemTest, ReadsParquetAndCsvObjects) {
  PutParquet("data/t.parquet", "SELECT range AS id, 'n' || range AS name FROM range(100)");
  ASSERT_OK(storage::PutString(store_->inner(), "raw/people.csv", "id,name\n1,ann\n2,bob\n"));
  EXPECT_EQ(Scalar("SELECT sum(id) FROM read_parquet('s3://lake/data/t.parquet')"), "4950");
  EXPECT_EQ(Scalar("SELECT name FROM 's3://lake/raw/people.csv' WHERE id = 2"), "bob");
}

TEST_F(StoreFileSystemTest, GlobsMatchKeysListedFromTheStore) {
  for (int i = 0; i < 3; ++i) {
    PutParquet("dir/part-" + std::to_string(i) + ".parquet",
               "SELECT " + std::to_string(i) + " AS v");
  }
  PutParquet("dir/sub/deep.parquet", "SELECT 10 AS v");
  ASSERT_OK(storage::PutString(store_->inner(), "dir/readme.txt", "not parquet"));
  EXPECT_EQ(Scalar("SELECT sum(v) FROM read_parquet('s3://lake/dir/*.parquet')"), "3");
  EXPECT_EQ(Scalar("SELECT sum(v) FROM read_parquet('s3://lake/dir/**/*.parquet')"), "13");
  EXPECT_EQ(Scalar("SELECT string_agg(filename, ',' ORDER BY filename) FROM "
                   "read_parquet('s3://lake/dir/part-[02].parquet', filename = true)"),
            "s3://lake/dir/part-0.parquet,s3://lake/dir/part-2.parquet");
  EXPECT_EQ(Scalar("SELECT count(*) FROM glob('s3://lake/dir/*')"), "4");
}

TEST_F(StoreFileSystemTest, CopyToWritesOneObjectAndReadsBack) {
  ASSERT_OK(engine_->Execute(
      "COPY (SELECT range AS id, range * 2 AS twice FROM range(5000)) TO "
      "'s3://lake/out/t.parquet' (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {id: 1, twice: 2})"));
  EXPECT_EQ(store_->puts.load(), 1u);
  ASSERT_OK_AND_ASSIGN(auto info, store_->inner().Head("out/t.parquet"));
  EXPECT_GT(info.size, 0u);
  EXPECT_EQ(Scalar("SELECT sum(twice) FROM 's3://lake/out/t.parquet'"), "24995000");
  EXPECT_EQ(Scalar("SELECT max(field_id) FROM parquet_schema('s3://lake/out/t.parquet')"), "2");

  ASSERT_OK(engine_->Execute("COPY (SELECT 1 AS a, 'x' AS b) TO 's3://lake/out/t.csv' (HEADER)"));
  ASSERT_OK_AND_ASSIGN(std::string csv, store_->inner().Get("out/t.csv"));
  EXPECT_EQ(csv, "a,b\n1,x\n");
}

TEST_F(StoreFileSystemTest, ProjectionFetchesOnlyTheColumnsItNeeds) {
  // Five incompressible BIGINT columns, about 20 MB.
  PutParquet("big/t.parquet",
             "SELECT hash(range) AS a, hash(range + 1) AS b, hash(range + 2) AS c, "
             "hash(range + 3) AS d, hash(range + 4) AS e FROM range(500000)",
             "FORMAT parquet, COMPRESSION uncompressed");
  ASSERT_OK_AND_ASSIGN(auto info, store_->inner().Head("big/t.parquet"));
  EXPECT_GT(info.size, 19u << 20);
  store_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      engine_->Query("SELECT count(*) FROM read_parquet('s3://lake/big/t.parquet') "
                     "WHERE c % 2 = 0"));  // reads c (a count alone would not)
  int64_t even = std::stoll(r.rows[0][0].value_or("0"));
  EXPECT_GT(even, 200000);
  EXPECT_LT(even, 300000);
  std::cout << "one column of " << info.size << " bytes: " << store_->gets << " gets, "
            << store_->bytes_read << " bytes\n";
  // Column c is a fifth of the object; the footer and the small last row group each cost
  // one 1 MiB read-ahead window. Reading everything would be 100%.
  EXPECT_LT(store_->bytes_read.load(), info.size * 35 / 100);
  EXPECT_LT(store_->gets.load(), 40u);
}

TEST_F(StoreFileSystemTest, MissingObjectsAndBucketsGiveClearErrors) {
  auto missing = engine_->Query("SELECT * FROM read_parquet('s3://lake/nope.parquet')");
  EXPECT_THAT(missing, IsError(StatusCode::kNotFound));
  EXPECT_THAT(missing.status().message(), HasSubstr("s3://lake/nope.parquet"));

  auto no_bucket = engine_->Query("SELECT * FROM read_csv('s3://other/x.csv')");
  EXPECT_THAT(no_bucket, IsError(StatusCode::kNotFound));
  EXPECT_THAT(no_bucket.status().message(), HasSubstr("no bucket named other"));

  EXPECT_THAT(engine_->Query("SELECT * FROM read_parquet('s3://lake/none/*.parquet')"),
              IsError(StatusCode::kNotFound));
}

TEST_F(StoreFileSystemTest, StoreFailuresSurfaceWithTheirCode) {
  ASSERT_OK(storage::PutString(store_->inner(), "raw/a.csv", "x\n1\n"));
  store_->FailReads(true);
  auto r = engine_->Query("SELECT * FROM 's3://lake/raw/a.csv'");
  EXPECT_THAT(r, IsError(StatusCode::kUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("slow down (503)"));
  EXPECT_THAT(r.status().message(), HasSubstr("s3://lake/raw/a.csv"));
}

TEST_F(StoreFileSystemTest, RegisteringASchemeTwiceIsRefused) {
  auto resolver = [](std::string_view) -> Result<std::shared_ptr<Store>> {
    return NotFound("none");
  };
  EXPECT_THAT(engine_->RegisterStores("s3://", resolver), IsError(StatusCode::kAlreadyExists));
  EXPECT_OK(engine_->RegisterStores("mem://", resolver));
}

}  // namespace
}  // namespace atl::engine
