// The lake on real S3 servers (s3rver, Swift with s3api): init is idempotent, and a CSV
// dropped in prepare/ lands in load/ as Parquet.
#include <cstdlib>

#include "atoll/engine/engine.h"
#include "atoll/ingest/prepare.h"
#include "atoll/lake/lake.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;

class LakeS3Test : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    ATOLL_REQUIRE_TEST_SERVER(config, GetParam());
    auto store = storage::testing::OpenFreshBucket(*config, "lake", &config_reason);
    ASSERT_NE(store, nullptr) << config_reason;
    store_ = std::shared_ptr<storage::Store>(std::move(store));
  }
  std::shared_ptr<storage::Store> store_;
};

TEST_P(LakeS3Test, InitIsIdempotentAndPrepareLandsParquet) {
  Settings s;
  s.zones.stg = "bronze";
  ASSERT_OK_AND_ASSIGN(InitOutcome first, InitLake(*store_, s));
  EXPECT_EQ(first, InitOutcome::kCreated);
  ASSERT_OK_AND_ASSIGN(InitOutcome again, InitLake(*store_, s));
  EXPECT_EQ(again, InitOutcome::kUnchanged);
  EXPECT_THAT(InitLake(*store_, Settings{}), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(store_));
  EXPECT_EQ(lake->settings().zones.stg, "bronze");

  ASSERT_OK(storage::PutString(*store_, "prepare/shop/orders/a.csv", "id,name\n1,ann\n2,bob\n"));
  ASSERT_OK(storage::PutString(*store_, "prepare/shop/orders/b.csv", "id,name\n3,cy\n"));
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Prepare(*lake));
  ASSERT_EQ(report.tables.size(), 1u);
  ASSERT_EQ(report.tables[0].prepared.size(), 1u);
  EXPECT_EQ(report.files_prepared(), 2u);
  EXPECT_EQ(report.tables[0].prepared[0].rows, 3);
  ASSERT_OK_AND_ASSIGN(auto left, storage::ListAll(*store_, "prepare/"));
  EXPECT_TRUE(left.empty());
  const std::string key = report.tables[0].prepared[0].output_key;
  ASSERT_OK_AND_ASSIGN(std::string parquet, store_->Get(key));
  ::atl::testing::TempDir dir;
  ::atl::testing::WriteFile(dir.Join("out.parquet"), parquet);
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open());
  ASSERT_OK_AND_ASSIGN(
      auto rows,
      engine->Query("SELECT string_agg(id || ':' || name, ',' ORDER BY id) FROM read_parquet(" +
                    engine::QuoteString(dir.Join("out.parquet")) + ")"));
  ASSERT_EQ(rows.rows.size(), 1u);
  EXPECT_EQ(rows.rows[0][0], "1:ann,2:bob,3:cy");
}

INSTANTIATE_TEST_SUITE_P(Servers, LakeS3Test, ::testing::Values("S3RVER", "SWIFT"));

}  // namespace
}  // namespace atl::lake
