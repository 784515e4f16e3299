// ServeStoresOf: the one rule that serves a root's object store to the engine's SQL.
#include "atoll/engine/serve_stores.h"

#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsOk;
using storage::MemoryStore;
using storage::Store;
using ::testing::Not;

class ServeStoresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.threads = 1;
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
    ASSERT_OK(storage::PutString(*store_, "raw/people.csv", "id,name\n1,ann\n2,bob\n"));
  }

  Result<std::string> Scalar(const std::string& sql) {
    ATOLL_ASSIGN_OR_RETURN(QueryResult result, engine_->Query(sql));
    if (result.rows.size() != 1 || !result.rows[0][0]) return Internal("not one value");
    return *result.rows[0][0];
  }

  std::string Value(const std::string& sql) {
    Result<std::string> value = Scalar(sql);
    EXPECT_OK(value);
    return value.ok() ? *value : "";
  }

  std::shared_ptr<Store> store_ = std::make_shared<MemoryStore>("lake");
  std::unique_ptr<Engine> engine_;
};

TEST_F(ServeStoresTest, ServesAWholeBucketRootThroughTheGivenStore) {
  ASSERT_OK(ServeStoresOf(*engine_, "memory://lake", store_));
  EXPECT_EQ(Value("SELECT name FROM 'memory://lake/raw/people.csv' WHERE id = 2"), "bob");
  // COPY ... TO writes through the same store.
  ASSERT_OK(engine_->Execute("COPY (SELECT 7 AS x) TO 'memory://lake/out/x.csv'"));
  EXPECT_OK(store_->Head("out/x.csv"));
}

TEST_F(ServeStoresTest, OpensOtherBucketsFromTheirUri) {
  ASSERT_OK(ServeStoresOf(*engine_, "memory://lake", store_));
  // memory:// is no scheme storage::OpenStore opens: another bucket is its error.
  EXPECT_THAT(Scalar("SELECT count(*) FROM 'memory://other/raw/people.csv'"), Not(IsOk()));
}

TEST_F(ServeStoresTest, APrefixRootIsNotServedByItsPrefixStore) {
  ASSERT_OK(ServeStoresOf(*engine_, "memory://lake/raw", store_));
  EXPECT_THAT(Scalar("SELECT count(*) FROM 'memory://lake/raw/people.csv'"), Not(IsOk()));
}

TEST_F(ServeStoresTest, ServingTheSchemeAgainKeepsTheFirstRegistration) {
  ASSERT_OK(ServeStoresOf(*engine_, "memory://lake", store_));
  EXPECT_OK(ServeStoresOf(*engine_, "memory://lake", std::make_shared<MemoryStore>("lake")));
  EXPECT_EQ(Value("SELECT name FROM 'memory://lake/raw/people.csv' WHERE id = 1"), "ann");
}

TEST_F(ServeStoresTest, LocalRootsRegisterNothing) {
  ASSERT_OK(ServeStoresOf(*engine_, "/tmp/lake", store_));
  ASSERT_OK(ServeStoresOf(*engine_, "file:///tmp/lake", store_));
  // The scheme is still free: nothing was registered for it.
  EXPECT_OK(engine_->RegisterStores(
      "file://", [](std::string_view) -> Result<std::shared_ptr<Store>> { return NotFound("x"); }));
}

}  // namespace
}  // namespace atl::engine
