// DuckDB reading and writing s3:// paths on a real S3 server (OpenStack Swift's s3api,
// started by scripts/test.sh; endpoint in ATOLL_TEST_SWIFT_*) through S3Store.
#include <chrono>
#include <random>

#include "atoll/engine/engine.h"
#include "atoll/storage/s3/s3_store.h"
#include "engine/counting_store.h"
#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::Env;
using ::atl::testing::IsError;
using storage::S3Config;
using storage::S3Store;

class StoreFileSystemSwiftTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto endpoint = Env("ATOLL_TEST_SWIFT_ENDPOINT");
    if (!endpoint) {
      if (::atl::testing::ServersRequired()) FAIL() << "ATOLL_TEST_SWIFT_ENDPOINT is not set";
      GTEST_SKIP() << "no Swift server: set ATOLL_TEST_SWIFT_ENDPOINT (scripts/test.sh does)";
    }
    S3Config config;
    config.bucket = "atoll-engine-" + std::to_string(std::random_device{}() % 1000000);
    config.endpoint = *endpoint;
    config.path_style = true;
    config.region = Env("ATOLL_TEST_SWIFT_REGION").value_or("us-east-1");
    config.access_key_id = Env("ATOLL_TEST_SWIFT_ACCESS_KEY").value_or("test:tester");
    config.secret_access_key = Env("ATOLL_TEST_SWIFT_SECRET_KEY").value_or("testing");
    config.multipart_threshold = 8ull << 20;  // so that COPY TO below goes multipart
    config.part_size = 5ull << 20;
    bucket_ = config.bucket;
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<S3Store> s3, S3Store::Open(config));
    ASSERT_OK(s3->CreateBucket());
    store_ = std::make_shared<CountingStore>(std::shared_ptr<storage::Store>(std::move(s3)));

    EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
    ASSERT_OK(engine_->RegisterStores(
        "s3://", [this](std::string_view bucket) -> Result<std::shared_ptr<storage::Store>> {
          if (bucket != bucket_) return NotFound("no bucket named ", bucket);
          return std::shared_ptr<storage::Store>(store_);
        }));
  }

  void TearDown() override {
    if (!store_) return;
    auto objects = storage::ListAll(*store_, "");
    if (!objects.ok()) return;
    std::vector<std::string> keys;
    for (const auto& o : *objects) keys.push_back(o.key);
    if (!keys.empty()) EXPECT_OK(store_->DeleteMany(keys));
  }

  std::string Uri(const std::string& key) const { return "'s3://" + bucket_ + "/" + key + "'"; }

  std::string bucket_;
  std::shared_ptr<CountingStore> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(StoreFileSystemSwiftTest, CopiesALargeParquetFileUpAndReadsOneColumnBack) {
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(engine_->Execute(
      "COPY (SELECT range AS id, hash(range) AS a, hash(range + 1) AS b, hash(range + 2) AS c, "
      "hash(range + 3) AS d FROM range(500000)) TO " +
      Uri("big/t.parquet") +
      " (FORMAT parquet, COMPRESSION uncompressed, FIELD_IDS {id: 1, a: 2, b: 3, c: 4, d: 5})"));
  auto uploaded = std::chrono::steady_clock::now();
  ASSERT_OK_AND_ASSIGN(auto info, store_->Head("big/t.parquet"));
  EXPECT_GT(info.size, 19u << 20);
  EXPECT_NE(info.etag.find('-'), std::string::npos) << "expected a multipart etag: " << info.etag;

  store_->ResetCounts();
  ASSERT_OK_AND_ASSIGN(QueryResult r, engine_->Query("SELECT count(*), sum(id) FROM read_parquet(" +
                                                     Uri("big/t.parquet") + ") WHERE id % 2 = 0"));
  auto read = std::chrono::steady_clock::now();
  EXPECT_EQ(r.rows[0][0], "250000");
  EXPECT_EQ(r.rows[0][1], "62499750000");
  EXPECT_LT(store_->bytes_read.load(), info.size * 35 / 100);  // id: a fifth, plus footer
  using ms = std::chrono::milliseconds;
  std::cout << "COPY TO of " << info.size
            << " bytes: " << std::chrono::duration_cast<ms>(uploaded - start).count()
            << " ms; one column: " << store_->gets << " gets, " << store_->bytes_read << " bytes, "
            << std::chrono::duration_cast<ms>(read - uploaded).count() << " ms\n";
}

TEST_F(StoreFileSystemSwiftTest, GlobsCsvAndMissingObjects) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(engine_->Execute("COPY (SELECT " + std::to_string(i) + " AS v) TO " +
                               Uri("csv/part-" + std::to_string(i) + ".csv") + " (HEADER)"));
  }
  ASSERT_OK_AND_ASSIGN(QueryResult r, engine_->Query("SELECT sum(v), count(*) FROM read_csv(" +
                                                     Uri("csv/*.csv") + ")"));
  EXPECT_EQ(r.rows[0][0], "3");
  EXPECT_EQ(r.rows[0][1], "3");
  EXPECT_THAT(engine_->Query("SELECT * FROM read_parquet(" + Uri("nope.parquet") + ")"),
              IsError(StatusCode::kNotFound));
}

}  // namespace
}  // namespace atl::engine
