#include "atoll/storage/open_store.h"

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "testing/testing.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

// Sets S3 credentials in the environment for the test's duration (no server is contacted).
class S3EnvironmentTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ::setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", 1);
    ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
    ::setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1", 1);
  }
  void TearDown() override {
    ::unsetenv("AWS_ACCESS_KEY_ID");
    ::unsetenv("AWS_SECRET_ACCESS_KEY");
    ::unsetenv("AWS_ENDPOINT_URL");
  }
};

TEST(ResolveLocationTest, LocalFileIsAKeyInItsDirectory) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("data.csv"), "a,b\n");
  ASSERT_OK_AND_ASSIGN(Location loc, ResolveLocation(dir.Join("data.csv")));
  EXPECT_EQ(loc.key, "data.csv");
  EXPECT_FALSE(loc.is_directory);
  ASSERT_OK_AND_ASSIGN(std::string bytes, loc.store->Get(loc.key));
  EXPECT_EQ(bytes, "a,b\n");
}

TEST(ResolveLocationTest, ExistingLocalDirectoryIsTheStoreRoot) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("sub/x"), "x");
  ASSERT_OK_AND_ASSIGN(Location loc, ResolveLocation(dir.Join("sub")));
  EXPECT_EQ(loc.key, "");
  EXPECT_TRUE(loc.is_directory);
  EXPECT_EQ(loc.DirPrefix(), "");
  EXPECT_THAT(loc.store->Head("x"), ::atl::testing::IsOk());
}

TEST(ResolveLocationTest, RelativePathsResolveAgainstTheWorkingDirectory) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("rel/file.txt"), "hello");
  std::string old = fs::current_path().string();
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  auto loc = ResolveLocation("rel/./file.txt");
  ASSERT_EQ(::chdir(old.c_str()), 0);
  ASSERT_OK(loc);
  EXPECT_EQ(loc->key, "file.txt");
  EXPECT_EQ(loc->store->Get("file.txt").value_or(""), "hello");
}

TEST(ResolveLocationTest, FileUriIsALocalPath) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("a b.txt"), "spaced");
  ASSERT_OK_AND_ASSIGN(Location loc, ResolveLocation("file://" + dir.path() + "/a%20b.txt"));
  EXPECT_EQ(loc.key, "a b.txt");
  EXPECT_EQ(loc.store->Get(loc.key).value_or(""), "spaced");
}

TEST(ResolveLocationTest, MissingDirectoryIsNotFoundForReadingAndCreatedForWriting) {
  TempDir dir;
  std::string missing = dir.Join("new/deeper/");
  EXPECT_THAT(ResolveLocation(missing, LocationUse::kRead), IsError(StatusCode::kNotFound));
  EXPECT_FALSE(fs::exists(dir.Join("new")));
  ASSERT_OK_AND_ASSIGN(Location loc, ResolveLocation(missing, LocationUse::kWrite));
  EXPECT_TRUE(loc.is_directory);
  EXPECT_TRUE(fs::is_directory(dir.Join("new/deeper")));
}

TEST(ResolveLocationTest, MissingFileInMissingDirectoryNamesTheUri) {
  TempDir dir;
  auto r = ResolveLocation(dir.Join("nope/file.txt"));
  EXPECT_THAT(r, IsError(StatusCode::kNotFound));
  EXPECT_THAT(r.status().message(), HasSubstr(dir.Join("nope/file.txt")));
}

TEST(ResolveLocationTest, RefusesMalformedUris) {
  auto scheme = ResolveLocation("gs://bucket/key");
  EXPECT_THAT(scheme, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(scheme.status().message(), HasSubstr("unsupported scheme 'gs'"));
  EXPECT_THAT(ResolveLocation(""), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("s3://"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("s3:///key"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("s3://bad bucket/key"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("file://host/path"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("file:///tmp/%zz"), IsError(StatusCode::kInvalidArgument));
}

TEST_F(S3EnvironmentTest, S3UriSplitsIntoBucketAndKey) {
  ASSERT_OK_AND_ASSIGN(Location obj, ResolveLocation("s3://lake/raw/2024/file.csv"));
  EXPECT_EQ(obj.key, "raw/2024/file.csv");
  EXPECT_FALSE(obj.is_directory);
  EXPECT_THAT(obj.store->Describe(), StartsWith("s3://lake"));

  ASSERT_OK_AND_ASSIGN(Location dir, ResolveLocation("s3://lake/raw/"));
  EXPECT_EQ(dir.key, "raw");
  EXPECT_TRUE(dir.is_directory);
  EXPECT_EQ(dir.Child("x.csv"), "raw/x.csv");

  ASSERT_OK_AND_ASSIGN(Location root, ResolveLocation("s3://lake"));
  EXPECT_EQ(root.key, "");
  EXPECT_TRUE(root.is_directory);
}

TEST_F(S3EnvironmentTest, S3KeyMustFollowTheKeyRules) {
  EXPECT_THAT(ResolveLocation("s3://lake/a//b"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ResolveLocation("s3://lake/a/../b"), IsError(StatusCode::kInvalidArgument));
}

TEST_F(S3EnvironmentTest, OpenStoreWithAPrefixIsAViewOfTheBucket) {
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore("s3://lake/lakes/sales/"));
  EXPECT_EQ(store->Describe(), "s3://lake/lakes/sales");
  ASSERT_OK_AND_ASSIGN(auto bucket, OpenStore("s3://lake"));
  EXPECT_EQ(bucket->Describe(), "s3://lake");
}

TEST(OpenStoreTest, OpensOrCreatesLocalDirectories) {
  TempDir dir;
  EXPECT_THAT(OpenStore(dir.Join("missing"), /*create_if_missing=*/false),
              IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto store, OpenStore(dir.Join("lake")));
  ASSERT_OK(PutString(*store, "k", "v"));
  EXPECT_EQ(::atl::testing::ReadFile(dir.Join("lake/k")), "v");
  ASSERT_OK_AND_ASSIGN(auto again, OpenStore("file://" + dir.Join("lake")));
  EXPECT_EQ(again->Get("k").value_or(""), "v");
}

}  // namespace
}  // namespace atl::storage
