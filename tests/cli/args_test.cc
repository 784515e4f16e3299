#include "atoll/cli/args.h"

#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::testing::IsError;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

const std::vector<OptionSpec> kSpecs = {
    {"recursive", 'r', OptionKind::kFlag, "", "recurse"},
    {"verbose", 'v', OptionKind::kFlag, "", "talk"},
    {"parallel", 'p', OptionKind::kInt, "N", "threads", 1, 64},
    {"name", 0, OptionKind::kString, "NAME", "a name"},
};

TEST(ParseArgsTest, SeparatesOptionsFromPositionalArgumentsInAnyOrder) {
  ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({"src", "-r", "dst", "--parallel", "4"}, kSpecs));
  EXPECT_THAT(a.positional(), ElementsAre("src", "dst"));
  EXPECT_TRUE(a.Has("recursive"));
  EXPECT_FALSE(a.Has("verbose"));
  EXPECT_EQ(a.Int("parallel", 8), 4);
}

TEST(ParseArgsTest, AcceptsInlineValuesAndCombinedShortFlags) {
  ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({"--name=x=y", "-rv", "-p16"}, kSpecs));
  EXPECT_EQ(a.Value("name").value_or(""), "x=y");
  EXPECT_TRUE(a.Has("recursive"));
  EXPECT_TRUE(a.Has("verbose"));
  EXPECT_EQ(a.Int("parallel", 8), 16);
}

TEST(ParseArgsTest, DoubleDashEndsOptions) {
  ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({"--", "-r", "-"}, kSpecs));
  EXPECT_THAT(a.positional(), ElementsAre("-r", "-"));
  EXPECT_FALSE(a.Has("recursive"));
}

TEST(ParseArgsTest, UsesFallbackForAbsentInteger) {
  ASSERT_OK_AND_ASSIGN(ParsedArgs a, ParseArgs({}, kSpecs));
  EXPECT_EQ(a.Int("parallel", 8), 8);
  EXPECT_FALSE(a.Value("name").has_value());
}

TEST(ParseArgsTest, RefusesUnknownOptions) {
  auto r = ParseArgs({"--frobnicate"}, kSpecs);
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("unknown option '--frobnicate'"));
  EXPECT_THAT(ParseArgs({"-x"}, kSpecs), IsError(StatusCode::kInvalidArgument));
}

TEST(ParseArgsTest, RefusesMissingAndMalformedValues) {
  auto missing = ParseArgs({"--parallel"}, kSpecs);
  EXPECT_THAT(missing.status().message(), HasSubstr("needs a value N"));
  auto word = ParseArgs({"--parallel", "many"}, kSpecs);
  EXPECT_THAT(word.status().message(), HasSubstr("expects an integer from 1 to 64, got 'many'"));
  EXPECT_THAT(ParseArgs({"-p", "0"}, kSpecs), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"--parallel=65"}, kSpecs), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseArgs({"--recursive=yes"}, kSpecs), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::cli
