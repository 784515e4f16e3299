// The atoll binary seen from outside: exit codes, help, version, usage errors, and cp/ls
// between local directories.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/common/version.h"
#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::ReadFile;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::StartsWith;
namespace fs = std::filesystem;

TEST(CliTest, HelpListsEveryCommandWithItsSummary) {
  auto r = RunAtoll({"--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, HasSubstr("Usage: atoll <command>"));
  // Names padded to the longest name ("transform") plus three spaces.
  EXPECT_THAT(r.out, HasSubstr("  cp          Copy objects between local paths and s3:// buckets"));
  EXPECT_THAT(r.out, HasSubstr("  ls          List objects"));
  EXPECT_THAT(r.out, HasSubstr("  ingest      Load the files waiting"));
  EXPECT_THAT(r.out, HasSubstr("  transform   dbt projects on the lake"));
  EXPECT_THAT(r.out, HasSubstr("  version     Print the version"));
  EXPECT_EQ(r.err, "");
  EXPECT_EQ(RunAtoll({"help"}).out, r.out);
}

TEST(CliTest, CommandHelpShowsUsageAndOptions) {
  auto r = RunAtoll({"cp", "--help"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_THAT(r.out, StartsWith("Usage: atoll cp [options] SRC DST\n"));
  EXPECT_THAT(r.out, HasSubstr("-r, --recursive"));
  EXPECT_THAT(r.out, HasSubstr("--parallel N"));
  EXPECT_THAT(r.out, HasSubstr("-h, --help"));
  EXPECT_EQ(RunAtoll({"help", "cp"}).out, r.out);
  EXPECT_THAT(RunAtoll({"ls", "-h"}).out, StartsWith("Usage: atoll ls [options] URI\n"));
}

TEST(CliTest, VersionPrintsTheProjectVersionAndBuildType) {
  auto r = RunAtoll({"version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, StrCat("atoll ", kVersion, " (", kBuildType, " build)\n"));
  EXPECT_EQ(RunAtoll({"--version"}).out, r.out);
  auto json = nlohmann::json::parse(RunAtoll({"version", "--json"}).out);
  EXPECT_EQ(json["version"], std::string(kVersion));
}

TEST(CliTest, UsageErrorsExitWithTwoAndOneLineOnStderr) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  };
  const std::vector<Case> cases = {
      {{}, "Usage: atoll"},  // no command: the help, on stderr
      {{}, "\natoll: error: no command given\n"},
      {{"frobnicate"}, "atoll: error: unknown command 'frobnicate' (see 'atoll --help')\n"},
      {{"--bogus"}, "atoll: error: unknown option '--bogus'"},
      {{"cp", "--bogus", "a", "b"},
       "atoll: error: unknown option '--bogus' (see 'atoll cp --help')\n"},
      {{"cp", "only-one"}, "atoll: error: 'atoll cp' needs SRC DST (got 1 argument)"},
      {{"ls"}, "atoll: error: 'atoll ls' needs URI (got 0 arguments)"},
      {{"ls", "a", "b"}, "atoll: error: unexpected argument 'b' for 'atoll ls'"},
      {{"cp", "--parallel", "zero", "a", "b"}, "expects an integer from 1 to 256, got 'zero'"},
      {{"cp", "a", "b", "--parallel"}, "option '--parallel' needs a value N"},
      {{"version", "--json=1"}, "option '--json' takes no value"},
  };
  for (const auto& c : cases) {
    auto r = RunAtoll(c.args);
    EXPECT_EQ(r.exit_code, 2) << ::testing::PrintToString(c.args);
    EXPECT_THAT(r.err, HasSubstr(c.message)) << ::testing::PrintToString(c.args);
    EXPECT_EQ(r.out, "") << ::testing::PrintToString(c.args);
  }
}

TEST(CliTest, BadLocationsFailWithOneAndAClearMessage) {
  TempDir dir;
  auto missing = RunAtoll({"ls", dir.Join("missing/place")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err,
            StrCat("atoll: error: no such file or directory: ", dir.Join("missing/place"), "\n"));
  EXPECT_EQ(missing.out, "");

  auto absent_key = RunAtoll({"ls", dir.Join("nothing-here")});
  EXPECT_EQ(absent_key.exit_code, 1);
  EXPECT_THAT(absent_key.err,
              HasSubstr("no such object or directory: " + dir.Join("nothing-here")));

  auto scheme = RunAtoll({"ls", "gs://bucket/x"});
  EXPECT_EQ(scheme.exit_code, 1);
  EXPECT_THAT(scheme.err, StartsWith("atoll: error: unsupported scheme 'gs'"));

  auto cp_missing = RunAtoll({"cp", dir.Join("nope.txt"), dir.Join("out/")});
  EXPECT_EQ(cp_missing.exit_code, 1);
  EXPECT_THAT(cp_missing.err, HasSubstr("no such object: " + dir.Join("nope.txt")));
  EXPECT_FALSE(fs::exists(dir.Join("out")));  // nothing created for a failed copy
}

class CliCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Join("src/top.txt"), "top\n");
    WriteFile(dir_.Join("src/a/one.csv"), "x,y\n1,2\n");
    WriteFile(dir_.Join("src/a/b/big.bin"), ::atl::testing::RandomBytes(3 << 20, 5));
  }
  TempDir dir_;
};

TEST_F(CliCopyTest, RecursiveCopyReproducesTheTree) {
  auto r = RunAtoll({"cp", "-r", "src", "dst", "--json"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["objects"], 3);
  EXPECT_EQ(doc["bytes"], 4 + 8 + (3 << 20));
  EXPECT_EQ(doc["source"], "src");
  EXPECT_EQ(doc["retries"], 0);
  for (const char* f : {"top.txt", "a/one.csv", "a/b/big.bin"}) {
    EXPECT_EQ(ReadFile(dir_.Join(std::string("dst/") + f)),
              ReadFile(dir_.Join(std::string("src/") + f)))
        << f;
  }
  EXPECT_EQ(r.err, "");  // no progress bar: stderr is not a terminal
}

TEST_F(CliCopyTest, HumanSummaryNamesCountsAndLocations) {
  auto r = RunAtoll({"cp", "--recursive", "--parallel", "2", "src/a", "out/"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, StartsWith("copied 2 objects (3.0 MiB) from src/a to out/ in "));
  EXPECT_EQ(ReadFile(dir_.Join("out/b/big.bin")).size(), 3u << 20);
}

TEST_F(CliCopyTest, SingleObjectGoesToAFileOrIntoADirectory) {
  ASSERT_EQ(RunAtoll({"cp", "src/top.txt", "renamed.txt"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(ReadFile(dir_.Join("renamed.txt")), "top\n");
  ASSERT_EQ(RunAtoll({"cp", "src/a/one.csv", "into/"}, dir_.path()).exit_code, 0);
  EXPECT_EQ(ReadFile(dir_.Join("into/one.csv")), "x,y\n1,2\n");
  ASSERT_EQ(RunAtoll({"cp", "file://" + dir_.Join("src/top.txt"), "into"}, dir_.path()).exit_code,
            0);
  EXPECT_EQ(ReadFile(dir_.Join("into/top.txt")), "top\n");
}

TEST_F(CliCopyTest, CopyingADirectoryNeedsRecursive) {
  auto r = RunAtoll({"cp", "src", "dst"}, dir_.path());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_THAT(r.err, HasSubstr("src is a directory; use --recursive (-r)"));
}

TEST_F(CliCopyTest, LsShowsDirectoriesAndSizes) {
  auto r = RunAtoll({"ls", "src"}, dir_.path());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("DIR  a/\n"));
  EXPECT_THAT(r.out, HasSubstr("         4  top.txt\n"));
  EXPECT_THAT(RunAtoll({"ls", "src/top.txt"}, dir_.path()).out, HasSubstr(" 4  top.txt\n"));
}

TEST_F(CliCopyTest, LsJsonListsEverythingRecursively) {
  auto r = RunAtoll({"ls", "-r", "--json", dir_.Join("src/")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto doc = nlohmann::json::parse(r.out);
  EXPECT_EQ(doc["location"], dir_.Join("src/"));
  ASSERT_EQ(doc["objects"].size(), 3u);
  EXPECT_EQ(doc["objects"][0]["name"], "a/b/big.bin");
  EXPECT_EQ(doc["objects"][0]["size"], 3 << 20);
  EXPECT_EQ(doc["objects"][1]["name"], "a/one.csv");
  EXPECT_EQ(doc["objects"][2]["name"], "top.txt");
  EXPECT_THAT(doc["objects"][2]["mtime"].get<std::string>(), ::testing::EndsWith("Z"));
  EXPECT_TRUE(doc["prefixes"].empty());
  EXPECT_EQ(doc["total_objects"], 3);
  EXPECT_EQ(doc["total_bytes"], 4 + 8 + (3 << 20));
}

TEST_F(CliCopyTest, LsJsonOfADirectoryShowsPrefixes) {
  auto doc = nlohmann::json::parse(RunAtoll({"ls", "--json", "src/a"}, dir_.path()).out);
  EXPECT_EQ(doc["prefixes"], nlohmann::json::array({"b/"}));
  ASSERT_EQ(doc["objects"].size(), 1u);
  EXPECT_EQ(doc["objects"][0]["name"], "one.csv");
}

}  // namespace
}  // namespace atl::cli
