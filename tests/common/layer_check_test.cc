// scripts/check_layers.py, the layer table of docs/design.md made binding: src/ follows
// it, and a small tree written here fails it once a violation is planted in it.
#include <filesystem>

#include "../cli/run_atoll.h"
#include "testing/testing.h"

namespace atl {
namespace {

using ::atl::cli::testing::RunProgram;
using ::atl::cli::testing::RunResult;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;

std::string SourceDir() {
  return ::atl::testing::Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_DIR_FALLBACK);
}

RunResult Check(const std::string& root) {
  return RunProgram({"/usr/bin/python3", SourceDir() + "/scripts/check_layers.py", root});
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

  TempDir dir_;
};

TEST(LayerCheck, SourcesFollowTheLayerTableAndLinkWhatTheyInclude) {
  auto r = Check(SourceDir());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(LayerCheckTest, AcceptsACleanTree) {
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(LayerCheckTest, FailsOnAnUpwardIncludeFromASubfolder) {
  WriteFile(dir_.Join("src/atoll/middle/sub/deep.h"),
            "#pragma once\n#include \"atoll/top/t.h\"\n#include \"atoll/middle/m.h\"\n");
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/atoll/middle/sub/deep.h:2: layer `middle` includes "
                               "atoll/top/, but its row in docs/design.md allows only: base"));
}

TEST_F(LayerCheckTest, FailsOnAnIncludeOfAFolderWithoutARow) {
  WriteFile(dir_.Join("src/atoll/top/t.cc"), "#include \"atoll/nowhere/x.h\"\n");
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/atoll/top/t.cc:1: includes atoll/nowhere/, which is not a "
                               "layer of docs/design.md"));
}

TEST_F(LayerCheckTest, FailsOnAnIncludedFolderThatCMakeDoesNotLink) {
  WriteFile(dir_.Join("src/atoll/top/CMakeLists.txt"),
            "atoll_library(top SOURCES t.cc DEPS atoll::middle)\n");
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/atoll/top/CMakeLists.txt: does not link atoll::base, but "
                               "src/atoll/top/t.cc:1 includes atoll/base/"));
}

TEST_F(LayerCheckTest, FailsOnALinkedFolderThatNoFileIncludes) {
  WriteFile(dir_.Join("src/atoll/top/t.cc"), "#include \"atoll/middle/m.h\"\n");
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/atoll/top/CMakeLists.txt: links atoll::base, but no file "
                               "of src/atoll/top/ includes atoll/base/"));
  EXPECT_THAT(r.out, Not(HasSubstr("atoll::middle")));
}

TEST_F(LayerCheckTest, FailsOnAFolderWithoutARow) {
  WriteFile(dir_.Join("src/atoll/extra/CMakeLists.txt"), "atoll_library(extra DEPS)\n");
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/atoll/extra/: folder has no row in the layer table of "
                               "docs/design.md"));
}

TEST_F(LayerCheckTest, FailsOnARowThatMayUseALayerAboveIt) {
  WriteFile(dir_.Join("docs/design.md"), DesignWhereMiddleMayUse("`base`, `top`"));
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("docs/design.md:6: layer `middle` may use `top`, which is not in "
                               "a row above it"));
}

TEST_F(LayerCheckTest, RefusesAMayUseCellThatIsNotFolderNames) {
  WriteFile(dir_.Join("docs/design.md"), DesignWhereMiddleMayUse("base and below"));
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("design.md:6: the may-use cell of `middle` must list folders in "
                               "backticks"));
}

}  // namespace
}  // namespace atl
