// The in-bucket catalog against the real S3 servers of the test command: neither honours
// conditional writes (s3rver ignores them, Swift refuses them with 501), so Open must
// refuse both with a message that points to the SQL catalogs.
#include "atoll/catalog/in_bucket_catalog.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::InBucketCatalog;

using ::atl::testing::IsError;

void ExpectRefused(const std::string& server, const std::string& expected_phrase) {
  ATOLL_REQUIRE_TEST_SERVER(config, server);
  std::shared_ptr<storage::Store> store =
      storage::testing::OpenFreshBucket(*config, "catalog", &config_reason);
  ASSERT_TRUE(store) << config_reason;
  auto catalog = InBucketCatalog::Open(store, "lake");
  ASSERT_THAT(catalog, IsError(StatusCode::kNotSupported));
  EXPECT_NE(catalog.status().message().find(expected_phrase), std::string::npos)
      << catalog.status().message();
  EXPECT_NE(catalog.status().message().find("use a SQLite or PostgreSQL catalog"),
            std::string::npos)
      << catalog.status().message();
  // Nothing of the catalog was left behind.
  ASSERT_OK_AND_ASSIGN(auto left, storage::ListAll(*store, "lake/_catalog/"));
  EXPECT_TRUE(left.empty());
}

TEST(InBucketServersTest, S3rverIsRefusedBecauseItIgnoresConditionalWrites) {
  ExpectRefused("S3RVER",
                "this store ignores conditional writes; the in-bucket catalog needs them");
}

TEST(InBucketServersTest, SwiftIsRefusedBecauseItRefusesConditionalWrites) {
  ExpectRefused("SWIFT", "this store refuses conditional writes; the in-bucket catalog needs them");
}

}  // namespace
}  // namespace atl::iceberg
