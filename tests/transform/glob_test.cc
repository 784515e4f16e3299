// Unix wildcards of the selectors (transform/selector.h, GlobMatch), as Python's fnmatch.
#include <gtest/gtest.h>

#include <chrono>

#include "atoll/transform/selector.h"

namespace atl::transform {
namespace {

TEST(GlobTest, MatchesLikeFnmatch) {
  EXPECT_TRUE(GlobMatch("*.staging.*", "jaffle.staging.stg_orders"));
  EXPECT_FALSE(GlobMatch("stg_*", "staging.stg_orders"));
  EXPECT_TRUE(GlobMatch("stg_*", "stg_orders"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("?", ""));
  EXPECT_TRUE(GlobMatch("[a-c]?x", "b1x"));
  EXPECT_FALSE(GlobMatch("[!a]x", "ax"));
  EXPECT_TRUE(GlobMatch("[!a]x", "bx"));
  EXPECT_TRUE(GlobMatch("a*b*c", "aXXbYYbc"));
  EXPECT_FALSE(GlobMatch("a*b*c", "aXXbYYb"));
  EXPECT_TRUE(GlobMatch("[", "["));       // an unclosed class is a literal
  EXPECT_FALSE(GlobMatch("Stg", "stg"));  // case-sensitive
}

TEST(GlobTest, HostilePatternsStayFast) {
  const std::string text(20000, 'a');
  std::string pattern;
  for (int i = 0; i < 40; ++i) pattern += "*a";
  pattern += "*b";
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch(pattern, text));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

}  // namespace
}  // namespace atl::transform
