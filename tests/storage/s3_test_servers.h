// The S3 test servers scripts/test.sh starts (OpenStack Swift with s3api, s3rver), as
// S3Configs, and a fresh bucket on one of them for each test.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "atoll/storage/s3/s3_store.h"
#include "testing/testing.h"

namespace atl::storage::testing {

// ATOLL_TEST_<server>_{ENDPOINT,ACCESS_KEY,SECRET_KEY,REGION} as a path-style config
// (bucket unset), or nullopt with `reason` when the endpoint is not set.
// `server` is "SWIFT" or "S3RVER".
std::optional<S3Config> TestServerConfig(const std::string& server, std::string* reason);

// A bucket name no other test (or earlier run) uses: "atoll-<tag>-<pid>-<n>-<random>".
std::string UniqueBucketName(const std::string& tag);

// Opens `config` with a unique bucket and creates it; nullptr with `reason` on failure.
std::unique_ptr<S3Store> OpenFreshBucket(S3Config config, const std::string& tag,
                                         std::string* reason);

// The environment a child atoll process needs to reach `config`'s server with its keys
// (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...), clearing the variables that would override them.
std::map<std::string, std::string> S3ClientEnv(const S3Config& config);

}  // namespace atl::storage::testing

// In a test body: declares `std::optional<S3Config> var` for `server` ("SWIFT", "S3RVER"),
// or ends the test without it: skipped with the reason, failed when servers are required
// (ATOLL_REQUIRE_SERVERS=1, as scripts/test.sh sets).
#define ATOLL_REQUIRE_TEST_SERVER(var, server)                                 \
  std::string var##_reason;                                                    \
  auto var = ::atl::storage::testing::TestServerConfig(server, &var##_reason); \
  if (!var) {                                                                  \
    if (::atl::testing::ServersRequired()) FAIL() << var##_reason;             \
    GTEST_SKIP() << var##_reason;                                              \
  }
