// The house rules of docs/design.md as checks: scripts/check_layers.py (the layer table,
// the includes, CMake dependencies equal to the includes) and scripts/check_format.py
// (clang-format over every tracked *.h/*.cc). The checkout passes both, and each fails,
// naming the file, on a violation planted in a tree written here.
#include "../cli/run_atoll.h"
#include "testing/testing.h"

namespace atl {
namespace {

using ::atl::cli::testing::RunProgram;
using ::atl::cli::testing::RunResult;
using ::atl::testing::ReadFile;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

std::string SourceDir() {
  return ::atl::testing::Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_DIR_FALLBACK);
}

// Runs scripts/<script> on the checkout `root`.
RunResult RunCheck(const std::string& script, const std::string& root) {
  return RunProgram({"/usr/bin/python3", SourceDir() + "/scripts/" + script, root});
}

// Three layers, lowest first: base <- middle <- top (top uses both).
constexpr const char* kDesign = R"(# layers

| layer (`src/atoll/…`) | target | owns | may use (folders) | libraries |
|---|---|---|---|---|
| `base` | `atoll::base` | the bottom | — | fmt |
| `middle` | `atoll::middle` | the middle | `base` | — |
| `top` | `atoll::top` | the top | `base`, `middle` | — |

Text after the table.
)";

// kDesign with `may_use` in the may-use cell of `middle`.
std::string DesignWhereMiddleMayUse(const std::string& may_use) {
  std::string design = kDesign;
  const std::string cell = "| `base` | — |";
  design.replace(design.find(cell), cell.size(), "| " + may_use + " | — |");
  return design;
}

// A clean tree: each folder includes only what its row allows and links what it includes.
class LayerCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Join("docs/design.md"), kDesign);
    WriteFile(dir_.Join("src/atoll/base/CMakeLists.txt"),
              "atoll_library(base SOURCES a.cc DEPS fmt::fmt)\n");
    WriteFile(dir_.Join("src/atoll/base/a.h"), "#pragma once\n#include <string>\n");
    WriteFile(dir_.Join("src/atoll/base/a.cc"), "#include \"atoll/base/a.h\"\n");
    WriteFile(dir_.Join("src/atoll/middle/CMakeLists.txt"),
              "# uses atoll::base only (a comment naming atoll::top is not a link)\n"
              "atoll_library(middle SOURCES m.cc DEPS atoll::base)\n");
    WriteFile(dir_.Join("src/atoll/middle/m.h"), "#pragma once\n#include \"atoll/base/a.h\"\n");
    WriteFile(dir_.Join("src/atoll/middle/sub/deep.h"),
              "#pragma once\n#include \"atoll/middle/m.h\"\n");
    WriteFile(dir_.Join("src/atoll/top/CMakeLists.txt"),
              "atoll_library(top SOURCES t.cc DEPS atoll::middle\n  atoll::base)\n");
    WriteFile(dir_.Join("src/atoll/top/t.cc"),
              "#include \"atoll/base/a.h\"\n#include \"atoll/middle/sub/deep.h\"\n");
  }

  // Runs the check on the tree: it must exit with `exit_code` and print `message`.
  RunResult ExpectFailure(int exit_code, const std::string& message) {
    RunResult r = RunCheck("check_layers.py", dir_.path());
    EXPECT_EQ(r.exit_code, exit_code) << r.out << r.err;
    EXPECT_THAT(r.out, HasSubstr(message));
    return r;
  }

  TempDir dir_;
};

TEST(LayerCheck, SourcesFollowTheLayerTableAndLinkWhatTheyInclude) {
  auto r = RunCheck("check_layers.py", SourceDir());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(LayerCheckTest, AcceptsACleanTree) {
  auto r = RunCheck("check_layers.py", dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(LayerCheckTest, FailsOnAnUpwardIncludeFromASubfolder) {
  WriteFile(dir_.Join("src/atoll/middle/sub/deep.h"),
            "#pragma once\n#include \"atoll/top/t.h\"\n#include \"atoll/middle/m.h\"\n");
  ExpectFailure(1,
                "src/atoll/middle/sub/deep.h:2: layer `middle` includes "
                "atoll/top/, but its row in docs/design.md allows only: base");
}

TEST_F(LayerCheckTest, FailsOnAnIncludeOfAFolderWithoutARow) {
  WriteFile(dir_.Join("src/atoll/top/t.cc"), "#include \"atoll/nowhere/x.h\"\n");
  ExpectFailure(1,
                "src/atoll/top/t.cc:1: includes atoll/nowhere/, which is not a "
                "layer of docs/design.md");
}

TEST_F(LayerCheckTest, FailsOnAnIncludedFolderThatCMakeDoesNotLink) {
  WriteFile(dir_.Join("src/atoll/top/CMakeLists.txt"),
            "atoll_library(top SOURCES t.cc DEPS atoll::middle)\n");
  ExpectFailure(1,
                "src/atoll/top/CMakeLists.txt: does not link atoll::base, but "
                "src/atoll/top/t.cc:1 includes atoll/base/");
}

TEST_F(LayerCheckTest, FailsOnALinkedFolderThatNoFileIncludes) {
  WriteFile(dir_.Join("src/atoll/top/t.cc"), "#include \"atoll/middle/m.h\"\n");
  RunResult r = ExpectFailure(1,
                              "src/atoll/top/CMakeLists.txt: links atoll::base, but no file "
                              "of src/atoll/top/ includes atoll/base/");
  EXPECT_THAT(r.out, Not(HasSubstr("atoll::middle")));
}

TEST_F(LayerCheckTest, FailsOnAFolderWithoutARow) {
  WriteFile(dir_.Join("src/atoll/extra/CMakeLists.txt"), "atoll_library(extra DEPS)\n");
  ExpectFailure(1,
                "src/atoll/extra/: folder has no row in the layer table of "
                "docs/design.md");
}

TEST_F(LayerCheckTest, FailsOnARowThatMayUseALayerAboveIt) {
  WriteFile(dir_.Join("docs/design.md"), DesignWhereMiddleMayUse("`base`, `top`"));
  ExpectFailure(1,
                "docs/design.md:6: layer `middle` may use `top`, which is not in "
                "a row above it");
}

TEST_F(LayerCheckTest, RefusesAMayUseCellThatIsNotFolderNames) {
  WriteFile(dir_.Join("docs/design.md"), DesignWhereMiddleMayUse("base and below"));
  ExpectFailure(2,
                "design.md:6: the may-use cell of `middle` must list folders in "
                "backticks");
}

// A git repository with the checkout's .clang-format and a formatted file, both tracked,
// and a badly formatted file that is not tracked (the check must leave it alone).
class FormatCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Join(".clang-format"), ReadFile(SourceDir() + "/.clang-format"));
    WriteFile(dir_.Join("src/good.h"), "#pragma once\n\nint Good(int a, int b);\n");
    WriteFile(dir_.Join("untracked.cc"), "int  Untracked( ){return 0;}\n");
    Git({"init", "-q"});
    Git({"add", ".clang-format", "src/good.h"});
  }

  void Git(std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/git", "-C", dir_.path()});
    auto r = RunProgram(args);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }

  TempDir dir_;
};

TEST(FormatCheck, TrackedSourcesAreClangFormatted) {
  auto r = RunCheck("check_format.py", SourceDir());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(FormatCheckTest, AcceptsFormattedTrackedFiles) {
  auto r = RunCheck("check_format.py", dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(FormatCheckTest, FailsOnATrackedBadlyFormattedFile) {
  WriteFile(dir_.Join("src/bad.cc"), "int  Bad( int a ){\nreturn a;}\n");
  Git({"add", "src/bad.cc"});
  auto r = RunCheck("check_format.py", dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/bad.cc: not clang-formatted"));
  EXPECT_THAT(r.out, Not(HasSubstr("good.h")));
  EXPECT_THAT(r.out, Not(HasSubstr("untracked.cc")));
}

}  // namespace
}  // namespace atl
