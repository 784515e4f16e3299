#include "atoll/common/result.h"
#include "testing/testing.h"

namespace atl {
namespace {

using testing::IsError;

Result<int> Half(int n) {
  if (n % 2 != 0) return InvalidArgument("odd number ", n);
  return n / 2;
}

Result<int> Quarter(int n) {
  ATOLL_ASSIGN_OR_RETURN_CTX(int h, Half(n), "first half");
  ATOLL_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, CarriesCodeAndConcatenatedMessage) {
  Status s = NotFound("key ", std::string("a/b"), " size ", 42);
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "key a/b size 42");
  EXPECT_EQ(s.ToString(), "NotFound: key a/b size 42");
}

TEST(StatusTest, ContextIsPrependedAndOkStaysOk) {
  EXPECT_EQ(IOError("disk full").WithContext("writing x").message(), "writing x: disk full");
  EXPECT_TRUE(Status::OK().WithContext("anything").ok());
}

TEST(StatusTest, OnlyTransientCodesAreRetryable) {
  EXPECT_TRUE(Unavailable("503").IsRetryable());
  EXPECT_TRUE(UnknownOutcome("timeout").IsRetryable());
  EXPECT_FALSE(NotFound("x").IsRetryable());
  EXPECT_FALSE(PermissionDenied("x").IsRetryable());
}

TEST(StatusTest, ErrnoIsMappedToCodes) {
  EXPECT_EQ(ErrnoToStatus(ENOENT, "open a").code(), StatusCode::kNotFound);
  EXPECT_EQ(ErrnoToStatus(EEXIST, "open a").code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(ErrnoToStatus(EACCES, "open a").code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(ErrnoToStatus(ENOSPC, "write a").code(), StatusCode::kIOError);
  EXPECT_THAT(ErrnoToStatus(ENOENT, "open a").message(), ::testing::HasSubstr("open a: "));
}

TEST(ResultTest, PropagatesValuesAndErrorsWithContext) {
  ASSERT_TRUE(Quarter(8).ok());
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().message(), "odd number 3");
  Result<int> r2 = Quarter(5);
  EXPECT_EQ(r2.status().message(), "first half: odd number 5");
  EXPECT_EQ(Quarter(5).value_or(-1), -1);
}

TEST(ResultTest, OkStatusWithoutValueBecomesInternalError) {
  Result<int> r{Status::OK()};
  EXPECT_THAT(r, IsError(StatusCode::kInternal));
}

}  // namespace
}  // namespace atl
