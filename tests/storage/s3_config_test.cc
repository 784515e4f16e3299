// S3Config::FromEnvironment: AWS environment variables and profile files (in a
// temporary HOME), precedence, addressing, and the error when nothing is found.
#include "atoll/storage/s3/s3_config.h"

#include <cstdlib>
#include <map>
#include <optional>

#include "testing/testing.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;

const char* const kVars[] = {
    "AWS_ACCESS_KEY_ID",           "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",   "AWS_REGION",
    "AWS_DEFAULT_REGION",          "AWS_ENDPOINT_URL",      "AWS_ENDPOINT_URL_S3", "AWS_PROFILE",
    "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",       "ATOLL_S3_ADDRESSING", "HOME"};

// Clears the AWS variables and points HOME at a temporary directory; restores all.
class S3ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* v : kVars) {
      const char* old = std::getenv(v);
      saved_[v] = old ? std::optional<std::string>(old) : std::nullopt;
      ::unsetenv(v);
    }
    ::setenv("HOME", home_.path().c_str(), 1);
  }
  void TearDown() override {
    for (const auto& [name, value] : saved_) {
      if (value)
        ::setenv(name.c_str(), value->c_str(), 1);
      else
        ::unsetenv(name.c_str());
    }
  }
  void Set(const char* name, const char* value) { ::setenv(name, value, 1); }
  void WriteAws(const std::string& name, const std::string& text) {
    atl::testing::WriteFile(home_.Join(".aws/" + name), text);
  }

  atl::testing::TempDir home_;
  std::map<std::string, std::optional<std::string>> saved_;
};

TEST_F(S3ConfigTest, ReadsEnvironmentVariables) {
  Set("AWS_ACCESS_KEY_ID", "AK");
  Set("AWS_SECRET_ACCESS_KEY", "SK");
  Set("AWS_SESSION_TOKEN", "TOK");
  Set("AWS_REGION", "eu-west-3");
  ASSERT_OK_AND_ASSIGN(S3Config c, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(c.bucket, "lake");
  EXPECT_EQ(c.access_key_id, "AK");
  EXPECT_EQ(c.secret_access_key, "SK");
  EXPECT_EQ(c.session_token, "TOK");
  EXPECT_EQ(c.region, "eu-west-3");
  EXPECT_EQ(c.endpoint, "");
  EXPECT_FALSE(c.path_style);  // AWS: virtual-hosted
}

TEST_F(S3ConfigTest, EndpointMeansPathStyleAndS3SpecificEndpointWins) {
  Set("AWS_ACCESS_KEY_ID", "AK");
  Set("AWS_SECRET_ACCESS_KEY", "SK");
  Set("AWS_DEFAULT_REGION", "ap-south-1");
  Set("AWS_ENDPOINT_URL", "http://127.0.0.1:1/");
  Set("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:2/");
  ASSERT_OK_AND_ASSIGN(S3Config c, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(c.endpoint, "http://127.0.0.1:2");
  EXPECT_EQ(c.region, "ap-south-1");
  EXPECT_TRUE(c.path_style);
}

TEST_F(S3ConfigTest, BucketWithDotsUsesPathStyleUnlessOverridden) {
  Set("AWS_ACCESS_KEY_ID", "AK");
  Set("AWS_SECRET_ACCESS_KEY", "SK");
  ASSERT_OK_AND_ASSIGN(S3Config dotted, S3Config::FromEnvironment("my.lake"));
  EXPECT_TRUE(dotted.path_style);
  Set("ATOLL_S3_ADDRESSING", "virtual");
  ASSERT_OK_AND_ASSIGN(S3Config forced, S3Config::FromEnvironment("my.lake"));
  EXPECT_FALSE(forced.path_style);
  Set("ATOLL_S3_ADDRESSING", "path");
  ASSERT_OK_AND_ASSIGN(S3Config path, S3Config::FromEnvironment("lake"));
  EXPECT_TRUE(path.path_style);
  Set("ATOLL_S3_ADDRESSING", "sideways");
  EXPECT_THAT(S3Config::FromEnvironment("lake"), IsError(StatusCode::kInvalidArgument));
}

TEST_F(S3ConfigTest, ReadsNamedProfileFromCredentialsAndConfigFiles) {
  WriteAws("credentials",
           "[default]\naws_access_key_id = DEF\naws_secret_access_key = DEFSECRET\n\n"
           "[work]\n# a comment\naws_access_key_id = WORKKEY\naws_secret_access_key=WORKSECRET\n"
           "aws_session_token = WORKTOKEN\n");
  WriteAws("config",
           "[default]\nregion = us-west-2\n[profile work]\nregion = eu-central-1\n"
           "endpoint_url = http://127.0.0.1:9/\n");
  ASSERT_OK_AND_ASSIGN(S3Config def, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(def.access_key_id, "DEF");
  EXPECT_EQ(def.region, "us-west-2");
  EXPECT_FALSE(def.path_style);

  Set("AWS_PROFILE", "work");
  ASSERT_OK_AND_ASSIGN(S3Config work, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(work.access_key_id, "WORKKEY");
  EXPECT_EQ(work.secret_access_key, "WORKSECRET");
  EXPECT_EQ(work.session_token, "WORKTOKEN");
  EXPECT_EQ(work.region, "eu-central-1");
  EXPECT_EQ(work.endpoint, "http://127.0.0.1:9");
  EXPECT_TRUE(work.path_style);

  // The environment wins over the files.
  Set("AWS_ACCESS_KEY_ID", "ENVKEY");
  Set("AWS_SECRET_ACCESS_KEY", "ENVSECRET");
  Set("AWS_REGION", "sa-east-1");
  ASSERT_OK_AND_ASSIGN(S3Config env, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(env.access_key_id, "ENVKEY");
  EXPECT_EQ(env.session_token, "");
  EXPECT_EQ(env.region, "sa-east-1");
}

TEST_F(S3ConfigTest, HonoursFileLocationVariablesAndCredentialsInConfigFile) {
  atl::testing::WriteFile(
      home_.Join("elsewhere/conf"),
      "[profile ci]\naws_access_key_id = CFGKEY\naws_secret_access_key = CFGSECRET\n");
  Set("AWS_CONFIG_FILE", home_.Join("elsewhere/conf").c_str());
  Set("AWS_SHARED_CREDENTIALS_FILE", home_.Join("elsewhere/missing").c_str());
  Set("AWS_PROFILE", "ci");
  ASSERT_OK_AND_ASSIGN(S3Config c, S3Config::FromEnvironment("lake"));
  EXPECT_EQ(c.access_key_id, "CFGKEY");
  EXPECT_EQ(c.secret_access_key, "CFGSECRET");
  EXPECT_EQ(c.region, "us-east-1");
}

TEST_F(S3ConfigTest, ExplainsWhereCredentialsWereLookedFor) {
  auto r = S3Config::FromEnvironment("lake");
  ASSERT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("AWS_ACCESS_KEY_ID"));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr(home_.Join(".aws/credentials")));
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("s3://lake"));
  EXPECT_THAT(S3Config::FromEnvironment(""), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::storage
