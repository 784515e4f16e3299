// Shared helpers for atoll's tests: Status matchers, a temporary directory, and the
// environment the test command (scripts/test.sh) sets up for integration tests.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "atoll/common/result.h"

namespace atl::testing {

// ASSERT_OK(status_or_result) / EXPECT_OK(...): fails with the error's text.
// The status is copied out within the full expression, so `ASSERT_OK(F().status())` on a
// temporary Result is safe.
#define ASSERT_OK(expr)                                            \
  do {                                                             \
    const ::atl::Status _atoll_s = ::atl::testing::StatusOf(expr); \
    ASSERT_TRUE(_atoll_s.ok()) << _atoll_s.ToString();             \
  } while (0)
#define EXPECT_OK(expr)                                            \
  do {                                                             \
    const ::atl::Status _atoll_s = ::atl::testing::StatusOf(expr); \
    EXPECT_TRUE(_atoll_s.ok()) << _atoll_s.ToString();             \
  } while (0)

// ASSERT_OK_AND_ASSIGN(auto x, MakeX()): asserts OK and binds the value.
#define ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, rexpr)  \
  auto tmp = (rexpr);                               \
  ASSERT_TRUE(tmp.ok()) << tmp.status().ToString(); \
  lhs = std::move(tmp).value()
#define ASSERT_OK_AND_ASSIGN(lhs, rexpr) \
  ASSERT_OK_AND_ASSIGN_IMPL(ATOLL_CONCAT(_atoll_t_, __LINE__), lhs, rexpr)

inline const Status& StatusOf(const Status& s) { return s; }
template <typename T>
const Status& StatusOf(const Result<T>& r) {
  static const Status kOk;
  return r.ok() ? kOk : r.status();
}

// EXPECT_THAT(result, IsError(StatusCode::kNotFound))
MATCHER_P(IsError, code,
          std::string("is an error with code ") + std::string(StatusCodeName(code))) {
  const Status& s = StatusOf(arg);
  *result_listener << "which is " << s.ToString();
  return s.code() == code;
}
MATCHER(IsOk, "is OK") {
  const Status& s = StatusOf(arg);
  *result_listener << "which is " << s.ToString();
  return s.ok();
}

// A fresh directory under $TMPDIR, removed (recursively) when destroyed.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Writes `data` to `path` (creating parent directories); aborts the test on failure.
void WriteFile(const std::string& path, const std::string& data);
std::string ReadFile(const std::string& path);

// The value of environment variable `name`, if set and non-empty.
std::optional<std::string> Env(const char* name);

// True when the test command asked that integration tests must not skip for lack of
// their servers (scripts/test.sh sets ATOLL_REQUIRE_SERVERS=1).
bool ServersRequired();

// The root of ../shared/testdata, or nullopt (the test should GTEST_SKIP with a message).
std::optional<std::string> TestdataDir();

// `n` bytes of deterministic pseudo-random data.
std::string RandomBytes(size_t n, uint64_t seed);

}  // namespace atl::testing
