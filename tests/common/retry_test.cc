#include "atoll/common/retry.h"

#include "testing/testing.h"

namespace atl {
namespace {

using testing::IsError;

RetryPolicy FastPolicy(int attempts) {
  RetryPolicy p;
  p.max_attempts = attempts;
  p.base_delay = std::chrono::milliseconds(1);
  p.max_delay = std::chrono::milliseconds(2);
  return p;
}

TEST(RetryTest, RetriesTransientErrorsUntilSuccess) {
  int calls = 0;
  int retries_seen = 0;
  RetryPolicy p = FastPolicy(5);
  p.on_retry = [&](int, const Status&) { ++retries_seen; };
  Result<int> r = Retry(p, [&]() -> Result<int> {
    if (++calls < 3) return Unavailable("503 SlowDown");
    return 7;
  });
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7);
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(retries_seen, 2);
}

TEST(RetryTest, DoesNotRetryPermanentErrors) {
  int calls = 0;
  Status st = Retry(FastPolicy(5), [&] {
    ++calls;
    return NotFound("gone");
  });
  EXPECT_THAT(st, IsError(StatusCode::kNotFound));
  EXPECT_EQ(calls, 1);
}

TEST(RetryTest, GivesUpAfterMaxAttemptsWithTheLastError) {
  int calls = 0;
  Status st = Retry(FastPolicy(4), [&] {
    ++calls;
    return Unavailable("try ", calls);
  });
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(st.message(), "try 4");
}

TEST(RetryTest, BackoffIsCappedAndGrows) {
  RetryPolicy p;
  p.base_delay = std::chrono::milliseconds(10);
  p.max_delay = std::chrono::milliseconds(40);
  for (int i = 0; i < 200; ++i) {
    EXPECT_LE(BackoffDelay(p, 1).count(), 10);
    EXPECT_LE(BackoffDelay(p, 2).count(), 20);
    EXPECT_LE(BackoffDelay(p, 10).count(), 40);
  }
  int64_t max_seen = 0;
  for (int i = 0; i < 500; ++i) max_seen = std::max<int64_t>(max_seen, BackoffDelay(p, 10).count());
  EXPECT_GT(max_seen, 20);  // reaches beyond the earlier caps
}

}  // namespace
}  // namespace atl
