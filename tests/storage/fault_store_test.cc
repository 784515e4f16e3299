#include "atoll/storage/fault_store.h"

#include <chrono>

#include "atoll/storage/memory_store.h"
#include "storage/store_behaviour.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::IsOk;
using testing::ConditionalWrites;
using testing::StoreUnderTest;

StoreUnderTest FaultWithoutFaultsUnderTest() {
  return {"FaultWithoutFaults",
          [](std::string*) -> std::unique_ptr<Store> {
            return std::make_unique<FaultStore>(std::make_shared<MemoryStore>());
          },
          ConditionalWrites::kHonoured};
}

using testing::StoreBehaviourTest;

INSTANTIATE_TEST_SUITE_P(Fault, StoreBehaviourTest,
                         ::testing::Values(FaultWithoutFaultsUnderTest()),
                         testing::StoreUnderTestName);

class FaultStoreTest : public ::testing::Test {
 protected:
  std::shared_ptr<MemoryStore> inner_ = std::make_shared<MemoryStore>();
  FaultStore store_{inner_, /*seed=*/7};
};

TEST_F(FaultStoreTest, FailsTheChosenCallsBeforeTheyTakeEffect) {
  store_.SetRule(FaultOp::kPut, {.kind = FaultKind::kUnavailable, .fail_calls = {2, 4}});
  std::vector<bool> ok;
  for (int i = 1; i <= 5; ++i) ok.push_back(PutString(store_, "k" + std::to_string(i), "v").ok());
  EXPECT_EQ(ok, (std::vector<bool>{true, false, true, false, true}));
  EXPECT_THAT(inner_->Head("k2"), IsError(StatusCode::kNotFound))
      << "an Unavailable put must do nothing";
  EXPECT_THAT(inner_->Head("k3"), IsOk());
  EXPECT_EQ(store_.calls(FaultOp::kPut), 5u);
  EXPECT_EQ(store_.faults(FaultOp::kPut), 2u);
  EXPECT_EQ(store_.calls(FaultOp::kGet), 0u);
}

TEST_F(FaultStoreTest, InjectedErrorsHaveTheChosenKindAndSayTheyWereInjected) {
  ASSERT_OK(PutString(*inner_, "k", "v"));
  store_.SetRule(FaultOp::kGet, {.kind = FaultKind::kIOError, .fail_calls = {1}});
  auto r = store_.Get("k");
  EXPECT_THAT(r, IsError(StatusCode::kIOError));
  EXPECT_NE(r.status().message().find("injected"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(r.status().IsRetryable());
  store_.SetRule(FaultOp::kHead, {.kind = FaultKind::kUnavailable, .fail_calls = {1}});
  EXPECT_TRUE(store_.Head("k").status().IsRetryable());
}

TEST_F(FaultStoreTest, UnknownOutcomePerformsTheOperationThenFails) {
  store_.SetRule(FaultOp::kPut, {.kind = FaultKind::kUnknownOutcome, .fail_calls = {1}});
  auto r = PutString(store_, "pointer", "v1");
  EXPECT_THAT(r, IsError(StatusCode::kUnknownOutcome));
  EXPECT_NE(r.status().message().find("timed out after the request was sent"), std::string::npos);
  EXPECT_EQ(inner_->Get("pointer").value_or("?"), "v1");

  store_.SetRule(FaultOp::kDeleteMany, {.kind = FaultKind::kUnknownOutcome, .fail_calls = {1}});
  EXPECT_THAT(store_.DeleteMany({"pointer"}), IsError(StatusCode::kUnknownOutcome));
  EXPECT_THAT(inner_->Head("pointer"), IsError(StatusCode::kNotFound));

  ASSERT_OK(PutString(*inner_, "src", "s"));
  store_.SetRule(FaultOp::kCopy, {.kind = FaultKind::kUnknownOutcome, .fail_calls = {1}});
  EXPECT_THAT(store_.Copy("src", "dst"), IsError(StatusCode::kUnknownOutcome));
  EXPECT_EQ(inner_->Get("dst").value_or("?"), "s");
}

TEST_F(FaultStoreTest, RatioFailsAboutThatShareReproduciblyForASeed) {
  ASSERT_OK(PutString(*inner_, "k", "v"));
  auto run = [](uint64_t seed, std::shared_ptr<Store> inner) {
    FaultStore s(std::move(inner), seed);
    FaultRule rule;
    rule.ratio = 0.3;
    s.SetRule(FaultOp::kHead, rule);
    std::vector<bool> failed;
    for (int i = 0; i < 400; ++i) failed.push_back(!s.Head("k").ok());
    EXPECT_EQ(s.faults(FaultOp::kHead),
              static_cast<uint64_t>(std::count(failed.begin(), failed.end(), true)));
    return failed;
  };
  auto a = run(99, inner_);
  auto b = run(99, inner_);
  EXPECT_EQ(a, b);
  const auto failures = std::count(a.begin(), a.end(), true);
  EXPECT_GT(failures, 80);
  EXPECT_LT(failures, 160);
}

TEST_F(FaultStoreTest, DelaysCalls) {
  FaultRule slow;
  slow.delay = std::chrono::milliseconds(30);
  store_.SetRule(FaultOp::kList, slow);
  auto start = std::chrono::steady_clock::now();
  ASSERT_OK(store_.List(""));
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(30));
  EXPECT_EQ(store_.faults(FaultOp::kList), 0u);
}

TEST_F(FaultStoreTest, ClearRulesAndResetCounters) {
  FaultRule always;
  always.ratio = 1.0;
  store_.SetRule(FaultOp::kHead, always);
  EXPECT_THAT(store_.Head("k"), IsError(StatusCode::kUnavailable));
  store_.ClearRules();
  EXPECT_THAT(store_.Head("k"), IsError(StatusCode::kNotFound));
  EXPECT_EQ(store_.calls(FaultOp::kHead), 2u);
  EXPECT_EQ(store_.faults(FaultOp::kHead), 1u);
  store_.ResetCounters();
  EXPECT_EQ(store_.calls(FaultOp::kHead), 0u);
  store_.SetRule(FaultOp::kHead, {.fail_calls = {1}});
  EXPECT_THAT(store_.Head("k"), IsError(StatusCode::kUnavailable))
      << "numbering restarts after a reset";
}

}  // namespace
}  // namespace atl::storage
