// The atoll binary against a real S3 server (OpenStack Swift with s3api): cp to S3 and
// back, multipart both ways, and the 1 GB round trip of the acceptance criteria.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "atoll/storage/s3/s3_store.h"
#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::Env;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;

// Writes `size` bytes of pseudo-random data to `path` quickly: one random 1 MiB block
// repeated, each copy stamped with its index so that no two blocks are equal.
void WriteLargeFile(const std::string& path, uint64_t size, uint64_t seed) {
  const size_t kBlock = 1 << 20;
  std::string block = ::atl::testing::RandomBytes(kBlock, seed);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (uint64_t off = 0, i = 0; off < size; off += kBlock, ++i) {
    std::memcpy(block.data(), &i, sizeof(i));
    out.write(block.data(), static_cast<std::streamsize>(std::min<uint64_t>(kBlock, size - off)));
  }
  ASSERT_TRUE(out.good()) << "writing " << path;
}

// Compares two files chunk by chunk; the message names the first differing chunk.
::testing::AssertionResult SameBytes(const std::string& a, const std::string& b) {
  std::ifstream fa(a, std::ios::binary), fb(b, std::ios::binary);
  if (!fa || !fb) return ::testing::AssertionFailure() << "cannot open " << a << " or " << b;
  std::string ba(4 << 20, '\0'), bb(4 << 20, '\0');
  uint64_t offset = 0;
  while (true) {
    fa.read(ba.data(), static_cast<std::streamsize>(ba.size()));
    fb.read(bb.data(), static_cast<std::streamsize>(bb.size()));
    if (fa.gcount() != fb.gcount() ||
        std::memcmp(ba.data(), bb.data(), static_cast<size_t>(fa.gcount())) != 0) {
      return ::testing::AssertionFailure()
             << a << " and " << b << " differ in the 4 MiB chunk at " << offset;
    }
    if (fa.gcount() == 0) return ::testing::AssertionSuccess();
    offset += static_cast<uint64_t>(fa.gcount());
  }
}

class CliS3Test : public ::testing::Test {
 protected:
  void SetUp() override {
    auto endpoint = Env("ATOLL_TEST_SWIFT_ENDPOINT");
    if (!endpoint) {
      if (::atl::testing::ServersRequired()) FAIL() << "ATOLL_TEST_SWIFT_ENDPOINT is not set";
      GTEST_SKIP() << "no Swift test server (ATOLL_TEST_SWIFT_ENDPOINT is not set)";
    }
    env_ = {{"AWS_ENDPOINT_URL", *endpoint},
            {"AWS_ACCESS_KEY_ID", Env("ATOLL_TEST_SWIFT_ACCESS_KEY").value_or("test:tester")},
            {"AWS_SECRET_ACCESS_KEY", Env("ATOLL_TEST_SWIFT_SECRET_KEY").value_or("testing")},
            {"AWS_REGION", Env("ATOLL_TEST_SWIFT_REGION").value_or("us-east-1")},
            {"AWS_SESSION_TOKEN", ""},
            {"AWS_PROFILE", ""},
            {"AWS_ENDPOINT_URL_S3", ""}};
    storage::S3Config config;
    config.bucket = StrCat("atoll-cli-", static_cast<int64_t>(::getpid()), "-",
                           std::random_device{}() % 100000);
    config.endpoint = *endpoint;
    config.path_style = true;
    config.region = env_["AWS_REGION"];
    config.access_key_id = env_["AWS_ACCESS_KEY_ID"];
    config.secret_access_key = env_["AWS_SECRET_ACCESS_KEY"];
    auto store = storage::S3Store::Open(config);
    ASSERT_OK(store);
    store_ = std::move(*store);
    ASSERT_OK(store_->CreateBucket());
    bucket_uri_ = "s3://" + config.bucket;
  }

  void TearDown() override {
    if (store_ == nullptr) return;
    auto all = storage::ListAll(*store_, "");
    if (!all.ok()) return;
    std::vector<std::string> keys;
    for (const auto& o : *all) keys.push_back(o.key);
    (void)store_->DeleteMany(keys);
  }

  ::atl::cli::testing::RunResult Atoll(const std::vector<std::string>& args) {
    return RunAtoll(args, dir_.path(), env_);
  }

  // The ls --json entry of one object.
  nlohmann::json Describe(const std::string& uri) {
    auto r = Atoll({"ls", "--json", uri});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["objects"].size(), 1u);
    return doc["objects"][0];
  }

  TempDir dir_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<storage::S3Store> store_;
  std::string bucket_uri_;
};

TEST_F(CliS3Test, CopiesATreeToS3AndBackWithAMultipartObject) {
  WriteFile(dir_.Join("up/small/a.txt"), "alpha\n");
  WriteFile(dir_.Join("up/small/b.json"), "{\"b\": 2}\n");
  WriteFile(dir_.Join("up/empty.txt"), "");
  WriteLargeFile(dir_.Join("up/big.bin"), (70ull << 20) + 12345, 3);  // above the 64 MiB threshold

  auto up = Atoll({"cp", "-r", "up", bucket_uri_ + "/tree", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  EXPECT_EQ(nlohmann::json::parse(up.out)["objects"], 4);

  auto ls = Atoll({"ls", bucket_uri_ + "/tree/"});
  ASSERT_EQ(ls.exit_code, 0) << ls.err;
  EXPECT_THAT(ls.out, HasSubstr("DIR  small/\n"));
  EXPECT_THAT(ls.out, HasSubstr(StrCat((70ull << 20) + 12345, "  big.bin\n")));
  // A multipart upload's ETag ends with "-<parts>".
  EXPECT_THAT(Describe(bucket_uri_ + "/tree/big.bin")["etag"].get<std::string>(),
              MatchesRegex(".*-[0-9]+"));

  auto down = Atoll({"cp", "-r", bucket_uri_ + "/tree/", "down"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  for (const char* f : {"small/a.txt", "small/b.json", "empty.txt", "big.bin"}) {
    EXPECT_TRUE(SameBytes(dir_.Join(std::string("up/") + f), dir_.Join(std::string("down/") + f)))
        << f;
  }
  // One object to a new name, and S3 → S3 within the bucket.
  ASSERT_EQ(Atoll({"cp", bucket_uri_ + "/tree/small/a.txt", "single.txt"}).exit_code, 0);
  EXPECT_EQ(::atl::testing::ReadFile(dir_.Join("single.txt")), "alpha\n");
  ASSERT_EQ(Atoll({"cp", "-r", bucket_uri_ + "/tree/small", bucket_uri_ + "/copy"}).exit_code, 0);
  EXPECT_EQ(Describe(bucket_uri_ + "/copy/b.json")["size"], 9);
}

TEST_F(CliS3Test, MissingS3LocationsFailWithOne) {
  auto key = Atoll({"ls", bucket_uri_ + "/no/such/key"});
  EXPECT_EQ(key.exit_code, 1);
  EXPECT_THAT(key.err, HasSubstr("no such object or directory: " + bucket_uri_ + "/no/such/key"));
  auto bucket = Atoll({"ls", "s3://atoll-no-such-bucket-here/"});
  EXPECT_EQ(bucket.exit_code, 1);
  EXPECT_THAT(bucket.err, HasSubstr("NoSuchBucket"));
}

// Acceptance: "atoll cp of a 1 GB file to S3 and back yields identical bytes (multipart
// both ways)": the upload is a multipart upload, the download parallel ranged GETs.
TEST_F(CliS3Test, OneGigabyteFileRoundTripsByteForByte) {
  const uint64_t kSize = 1ull << 30;
  WriteLargeFile(dir_.Join("giga.bin"), kSize, 1234);
  const auto start = std::chrono::steady_clock::now();
  auto up = Atoll({"cp", "giga.bin", bucket_uri_ + "/big/giga.bin", "--json"});
  ASSERT_EQ(up.exit_code, 0) << up.err;
  const auto uploaded = std::chrono::steady_clock::now();
  nlohmann::json info = Describe(bucket_uri_ + "/big/giga.bin");
  EXPECT_EQ(info["size"], kSize);
  EXPECT_THAT(info["etag"].get<std::string>(), MatchesRegex(".*-[0-9]+"));  // multipart
  auto down = Atoll({"cp", bucket_uri_ + "/big/giga.bin", "back.bin"});
  ASSERT_EQ(down.exit_code, 0) << down.err;
  const auto done = std::chrono::steady_clock::now();
  EXPECT_TRUE(SameBytes(dir_.Join("giga.bin"), dir_.Join("back.bin")));
  auto secs = [](auto d) { return std::chrono::duration<double>(d).count(); };
  std::printf("1 GiB: upload %.1f s, download %.1f s\n", secs(uploaded - start),
              secs(done - uploaded));
}

}  // namespace
}  // namespace atl::cli
