#include "storage/s3_test_servers.h"

#include <unistd.h>

#include <atomic>
#include <random>

#include "testing/testing.h"

namespace atl::storage::testing {

std::optional<S3Config> TestServerConfig(const std::string& server, std::string* reason) {
  const std::string prefix = "ATOLL_TEST_" + server + "_";
  auto endpoint = ::atl::testing::Env((prefix + "ENDPOINT").c_str());
  if (!endpoint) {
    *reason = prefix + "ENDPOINT is not set (scripts/test.sh starts the server)";
    return std::nullopt;
  }
  S3Config config;
  config.endpoint = *endpoint;
  config.path_style = true;
  config.access_key_id = ::atl::testing::Env((prefix + "ACCESS_KEY").c_str()).value_or("");
  config.secret_access_key = ::atl::testing::Env((prefix + "SECRET_KEY").c_str()).value_or("");
  config.region = ::atl::testing::Env((prefix + "REGION").c_str()).value_or("us-east-1");
  config.retry.base_delay = std::chrono::milliseconds(20);
  return config;
}

std::string UniqueBucketName(const std::string& tag) {
  static std::atomic<int> counter{0};
  static const uint32_t run = std::random_device{}();
  return "atoll-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++) + "-" +
         std::to_string(run % 100000);
}

std::unique_ptr<S3Store> OpenFreshBucket(S3Config config, const std::string& tag,
                                         std::string* reason) {
  config.bucket = UniqueBucketName(tag);
  auto store = S3Store::Open(std::move(config));
  if (!store.ok()) {
    *reason = store.status().ToString();
    return nullptr;
  }
  Status st = (*store)->CreateBucket();
  if (!st.ok()) {
    *reason = st.ToString();
    return nullptr;
  }
  return std::move(*store);
}

std::map<std::string, std::string> S3ClientEnv(const S3Config& config) {
  return {{"AWS_ENDPOINT_URL", config.endpoint},
          {"AWS_ACCESS_KEY_ID", config.access_key_id},
          {"AWS_SECRET_ACCESS_KEY", config.secret_access_key},
          {"AWS_REGION", config.region},
          {"AWS_SESSION_TOKEN", ""},
          {"AWS_PROFILE", ""},
          {"AWS_ENDPOINT_URL_S3", ""}};
}

}  // namespace atl::storage::testing
