// scripts/check_format.py: every tracked *.h/*.cc is clang-formatted. The checkout passes,
// and a git repository made here fails once a badly formatted file is tracked in it.
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

RunResult Check(const std::string& root) {
  return RunProgram({"/usr/bin/python3", SourceDir() + "/scripts/check_format.py", root});
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
  auto r = Check(SourceDir());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(FormatCheckTest, AcceptsFormattedTrackedFiles) {
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST_F(FormatCheckTest, FailsOnATrackedBadlyFormattedFile) {
  WriteFile(dir_.Join("src/bad.cc"), "int  Bad( int a ){\nreturn a;}\n");
  Git({"add", "src/bad.cc"});
  auto r = Check(dir_.path());
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out, HasSubstr("src/bad.cc: not clang-formatted"));
  EXPECT_THAT(r.out, Not(HasSubstr("good.h")));
  EXPECT_THAT(r.out, Not(HasSubstr("untracked.cc")));
}

}  // namespace
}  // namespace atl
