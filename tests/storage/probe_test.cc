#include "atoll/storage/probe.h"

#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;

// Forwards everything to a MemoryStore, changing how conditional puts are answered.
class ConditionTwistingStore : public Store {
 public:
  enum class Mode { kIgnore, kRefuse, kFailOtherwise };
  explicit ConditionTwistingStore(Mode mode) : mode_(mode) {}

  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options) override {
    if (options.condition == PutCondition::kNone) return inner_.Put(key, body, options);
    switch (mode_) {
      case Mode::kIgnore:
        return inner_.Put(key, body, PutOptions{});
      case Mode::kRefuse:
        return NotSupported("conditional writes are not implemented (501)");
      case Mode::kFailOtherwise:
        break;
    }
    return PermissionDenied("access denied to ", key);
  }
  Result<std::string> Get(std::string_view key, ByteRange range) override {
    return inner_.Get(key, range);
  }
  Result<ObjectInfo> Head(std::string_view key) override { return inner_.Head(key); }
  Result<ListPage> List(std::string_view prefix, const ListOptions& options) override {
    return inner_.List(prefix, options);
  }
  Status DeleteMany(const std::vector<std::string>& keys) override {
    return inner_.DeleteMany(keys);
  }
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override {
    return inner_.Copy(src, dst);
  }
  std::string Describe() const override { return "memory://twisted"; }

  MemoryStore inner_;

 private:
  Mode mode_;
};

bool IsEmptyStore(Store& store) {
  auto all = ListAll(store, "");
  return all.ok() && all->empty();
}

TEST(ProbeTest, MemoryStoreHonoursConditionalWritesAndIsCleanedUp) {
  MemoryStore store;
  ASSERT_OK_AND_ASSIGN(auto support, ProbeConditionalWrites(store, "tmp/probe/"));
  EXPECT_EQ(support, ConditionalWriteSupport::kHonoured);
  EXPECT_TRUE(IsEmptyStore(store));
}

TEST(ProbeTest, AStoreThatIgnoresConditionsIsCaught) {
  ConditionTwistingStore store(ConditionTwistingStore::Mode::kIgnore);
  ASSERT_OK_AND_ASSIGN(auto support, ProbeConditionalWrites(store, "tmp"));
  EXPECT_EQ(support, ConditionalWriteSupport::kIgnored);
  EXPECT_TRUE(IsEmptyStore(store));
}

TEST(ProbeTest, AStoreThatSaysNotSupportedRefuses) {
  ConditionTwistingStore store(ConditionTwistingStore::Mode::kRefuse);
  ASSERT_OK_AND_ASSIGN(auto support, ProbeConditionalWrites(store, ""));
  EXPECT_EQ(support, ConditionalWriteSupport::kRefused);
  EXPECT_TRUE(IsEmptyStore(store));
}

TEST(ProbeTest, OtherErrorsPropagateWithContext) {
  ConditionTwistingStore store(ConditionTwistingStore::Mode::kFailOtherwise);
  auto r = ProbeConditionalWrites(store, "tmp/");
  EXPECT_THAT(r, IsError(StatusCode::kPermissionDenied));
  EXPECT_NE(r.status().message().find("probing conditional writes"), std::string::npos)
      << r.status().ToString();
}

TEST(ProbeTest, EachOutcomeHasASentenceAndAName) {
  for (auto s : {ConditionalWriteSupport::kHonoured, ConditionalWriteSupport::kRefused,
                 ConditionalWriteSupport::kIgnored}) {
    std::string_view sentence = DescribeConditionalWriteSupport(s);
    EXPECT_GT(sentence.size(), 40u);
    EXPECT_EQ(sentence.back(), '.');
  }
  EXPECT_EQ(ConditionalWriteSupportName(ConditionalWriteSupport::kIgnored), "ignored");
  EXPECT_NE(DescribeConditionalWriteSupport(ConditionalWriteSupport::kRefused),
            DescribeConditionalWriteSupport(ConditionalWriteSupport::kIgnored));
}

}  // namespace
}  // namespace atl::storage
