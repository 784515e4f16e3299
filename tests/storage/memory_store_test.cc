#include "atoll/storage/memory_store.h"

#include "storage/store_behaviour.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using testing::ConditionalWrites;
using testing::StoreUnderTest;

StoreUnderTest MemoryStoreUnderTest() {
  return {"Memory",
          [](std::string*) -> std::unique_ptr<Store> { return std::make_unique<MemoryStore>(); },
          ConditionalWrites::kHonoured};
}

using testing::StoreBehaviourTest;

INSTANTIATE_TEST_SUITE_P(Memory, StoreBehaviourTest, ::testing::Values(MemoryStoreUnderTest()),
                         testing::StoreUnderTestName);

TEST(MemoryStoreTest, DescribesItselfByName) {
  EXPECT_EQ(MemoryStore("lake").Describe(), "memory://lake");
}

TEST(MemoryStoreTest, EtagsChangeOnEveryPutEvenWithTheSameBytes) {
  MemoryStore store;
  ASSERT_OK_AND_ASSIGN(ObjectInfo a, PutString(store, "k", "same"));
  ASSERT_OK_AND_ASSIGN(ObjectInfo b, PutString(store, "k", "same"));
  ASSERT_OK_AND_ASSIGN(ObjectInfo c, store.Copy("k", "k"));
  EXPECT_NE(a.etag, b.etag);
  EXPECT_NE(b.etag, c.etag);
}

TEST(MemoryStoreTest, RefusesAContinuationTokenItDidNotMake) {
  MemoryStore store;
  ListOptions opts;
  opts.continuation_token = "garbage";
  EXPECT_THAT(store.List("", opts), IsError(StatusCode::kInvalidArgument));
}

TEST(ListPageBuilderTest, CountsCommonPrefixesTowardsThePageSize) {
  ListOptions opts;
  opts.delimiter = "/";
  opts.max_keys = 2;
  ASSERT_OK_AND_ASSIGN(ListPageBuilder b, ListPageBuilder::Start("", opts));
  auto info = [](std::string key) {
    ObjectInfo o;
    o.key = std::move(key);
    return o;
  };
  EXPECT_TRUE(b.Add(info("a/1")));
  EXPECT_TRUE(b.Add(info("a/2")));
  EXPECT_TRUE(b.Add(info("b")));
  EXPECT_FALSE(b.Add(info("c")));
  ListPage page = std::move(b).Finish();
  EXPECT_THAT(page.common_prefixes, ::testing::ElementsAre("a/"));
  ASSERT_EQ(page.objects.size(), 1u);
  EXPECT_EQ(page.objects[0].key, "b");
  EXPECT_EQ(page.next_token, "kb");
}

}  // namespace
}  // namespace atl::storage
