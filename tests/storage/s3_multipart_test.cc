// Multipart uploads against real servers: a ~40 MB object in 5 MiB parts round-trips,
// Swift gives it a multipart ETag ("-N"), and a create-if-absent multipart upload is
// decided on CompleteMultipartUpload.
#include "atoll/storage/s3/s3_store.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::storage::testing {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::RandomBytes;

constexpr uint64_t kMiB = 1ull << 20;
constexpr uint64_t kObjectSize = 40 * kMiB + 12345;  // 9 parts of up to 5 MiB

std::unique_ptr<S3Store> MultipartStore(const std::string& server) {
  std::string reason;
  auto config = TestServerConfig(server, &reason);
  if (!config) {
    if (::atl::testing::ServersRequired()) ADD_FAILURE() << reason;
    return nullptr;
  }
  config->multipart_threshold = 8 * kMiB;
  config->part_size = 5 * kMiB;
  config->max_parallel = 4;
  auto store = OpenFreshBucket(*config, "multipart", &reason);
  if (store == nullptr) ADD_FAILURE() << reason;
  return store;
}

void RoundTrip(S3Store& store, const std::string& data, const Body& body, bool expect_part_count) {
  ASSERT_OK_AND_ASSIGN(ObjectInfo put, store.Put("big/object.bin", body));
  EXPECT_EQ(put.size, data.size());
  if (expect_part_count) {
    EXPECT_TRUE(put.etag.size() > 2 && put.etag.substr(put.etag.size() - 2) == "-9") << put.etag;
  }
  ASSERT_OK_AND_ASSIGN(ObjectInfo head, store.Head("big/object.bin"));
  EXPECT_EQ(head.size, data.size());
  EXPECT_EQ(head.etag, put.etag);
  ASSERT_OK_AND_ASSIGN(std::string got, store.Get("big/object.bin"));
  ASSERT_EQ(got.size(), data.size());
  EXPECT_TRUE(got == data) << "content differs";
  // A range across the first part boundary.
  ASSERT_OK_AND_ASSIGN(std::string slice,
                       store.Get("big/object.bin", ByteRange::Slice(5 * kMiB - 10, 20)));
  EXPECT_EQ(slice, data.substr(5 * kMiB - 10, 20));
}

TEST(S3MultipartTest, FileBodyRoundTripsThroughSwiftWithAMultipartEtag) {
  auto store = MultipartStore("SWIFT");
  if (store == nullptr) GTEST_SKIP() << "ATOLL_TEST_SWIFT_ENDPOINT is not set";
  const std::string data = RandomBytes(kObjectSize, 40);
  ::atl::testing::TempDir dir;
  ::atl::testing::WriteFile(dir.Join("big.bin"), data);
  ASSERT_OK_AND_ASSIGN(Body body, Body::FromFile(dir.Join("big.bin")));
  RoundTrip(*store, data, body, /*expect_part_count=*/true);
}

TEST(S3MultipartTest, RoundTripsThroughS3rver) {
  auto store = MultipartStore("S3RVER");
  if (store == nullptr) GTEST_SKIP() << "ATOLL_TEST_S3RVER_ENDPOINT is not set";
  const std::string data = RandomBytes(kObjectSize, 41);
  RoundTrip(*store, data, Body::FromView(data), /*expect_part_count=*/false);
}

TEST(S3MultipartTest, SwiftDecidesCreateIfAbsentOnComplete) {
  auto store = MultipartStore("SWIFT");
  if (store == nullptr) GTEST_SKIP() << "ATOLL_TEST_SWIFT_ENDPOINT is not set";
  const std::string first = RandomBytes(9 * kMiB, 1);
  const std::string second = RandomBytes(9 * kMiB, 2);
  PutOptions if_absent;
  if_absent.condition = PutCondition::kIfAbsent;
  ASSERT_OK(store->Put("pointer.bin", Body::FromView(first), if_absent));
  auto again = store->Put("pointer.bin", Body::FromView(second), if_absent);
  ASSERT_THAT(again, IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(again.status().message(), ::testing::HasSubstr("HTTP 412"));
  ASSERT_OK_AND_ASSIGN(std::string got, store->Get("pointer.bin"));
  EXPECT_TRUE(got == first);
  // The refused upload was aborted: no upload is left behind in the listing.
  ASSERT_OK_AND_ASSIGN(auto all, ListAll(*store, ""));
  EXPECT_EQ(all.size(), 1u);
}

}  // namespace
}  // namespace atl::storage::testing
