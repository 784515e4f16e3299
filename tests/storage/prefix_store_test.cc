#include "atoll/storage/prefix_store.h"

#include "atoll/storage/memory_store.h"
#include "storage/store_behaviour.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using testing::ConditionalWrites;
using testing::StoreUnderTest;

StoreUnderTest PrefixOverMemoryUnderTest() {
  return {"PrefixOverMemory",
          [](std::string* reason) -> std::unique_ptr<Store> {
            auto inner = std::make_shared<MemoryStore>();
            // A neighbour outside the prefix that the view must never show.
            if (!PutString(*inner, "lakes/salesX/outside", "x").ok()) return nullptr;
            auto made = PrefixStore::Make(inner, "lakes/sales/");
            if (!made.ok()) {
              *reason = made.status().ToString();
              return nullptr;
            }
            return std::move(made).value();
          },
          ConditionalWrites::kHonoured};
}

using testing::StoreBehaviourTest;

INSTANTIATE_TEST_SUITE_P(Prefix, StoreBehaviourTest, ::testing::Values(PrefixOverMemoryUnderTest()),
                         testing::StoreUnderTestName);

TEST(PrefixStoreTest, MapsKeysUnderThePrefixAndStripsItWhenListing) {
  auto inner = std::make_shared<MemoryStore>("bucket");
  ASSERT_OK_AND_ASSIGN(auto view, PrefixStore::Make(inner, "lakes/sales"));
  EXPECT_EQ(view->prefix(), "lakes/sales/");
  EXPECT_EQ(view->Describe(), "memory://bucket/lakes/sales");
  ASSERT_OK_AND_ASSIGN(ObjectInfo put, PutString(*view, "stg/t/a.json", "{}"));
  EXPECT_EQ(put.key, "stg/t/a.json");
  EXPECT_EQ(inner->Get("lakes/sales/stg/t/a.json").value_or("?"), "{}");
  ASSERT_OK_AND_ASSIGN(ObjectInfo head, view->Head("stg/t/a.json"));
  EXPECT_EQ(head.key, "stg/t/a.json");
  ListOptions opts;
  opts.delimiter = "/";
  ASSERT_OK_AND_ASSIGN(ListPage page, view->List("", opts));
  EXPECT_THAT(page.common_prefixes, ::testing::ElementsAre("stg/"));
}

TEST(PrefixStoreTest, EmptyPrefixIsTheInnerStore) {
  auto inner = std::make_shared<MemoryStore>("bucket");
  ASSERT_OK_AND_ASSIGN(auto view, PrefixStore::Make(inner, ""));
  ASSERT_OK(PutString(*view, "k", "v"));
  EXPECT_EQ(inner->Get("k").value_or("?"), "v");
  EXPECT_EQ(view->Describe(), "memory://bucket");
}

TEST(PrefixStoreTest, RefusesAnInvalidPrefix) {
  auto inner = std::make_shared<MemoryStore>();
  EXPECT_THAT(PrefixStore::Make(inner, "../up"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(PrefixStore::Make(inner, "a//b"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(PrefixStore::Make(nullptr, "a"), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::storage
