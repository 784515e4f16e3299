// Static parsing of ref/source/config calls (transform/static_parse.h).
#include "atoll/transform/static_parse.h"

#include <gtest/gtest.h>

#include "testing/testing.h"

namespace atl::transform {
namespace {

TEST(StaticParseTest, ReadsLiteralRefSourceAndConfigCalls) {
  const std::string sql =
      "{{ config(materialized='incremental', unique_key=['a', \"b\"], tags=['x'], "
      "enabled=True, batch=10) }}\n"
      "select * from {{ ref('orders') }}\n"
      "join {{ ref(\"pkg\", \"customers\") }}\n"
      "join {{ ref('dim', v=2) }}\n"
      "join {{- source('shop', 'payments') -}}\n";
  StaticParseResult r = ParseStatically(sql);
  EXPECT_TRUE(r.parse.deps_complete);
  EXPECT_FALSE(r.parse.needs_rendering) << r.parse.reason;
  ASSERT_EQ(r.parse.refs.size(), 3u);
  EXPECT_EQ(r.parse.refs[0].name, "orders");
  EXPECT_EQ(r.parse.refs[0].line, 2);
  EXPECT_EQ(r.parse.refs[1].package, "pkg");
  EXPECT_EQ(r.parse.refs[1].name, "customers");
  EXPECT_EQ(r.parse.refs[2].name, "dim");
  ASSERT_TRUE(r.parse.refs[2].version.has_value());
  EXPECT_EQ(*r.parse.refs[2].version, "2");
  ASSERT_EQ(r.parse.sources.size(), 1u);
  EXPECT_EQ(r.parse.sources[0].source, "shop");
  EXPECT_EQ(r.parse.sources[0].table, "payments");
  EXPECT_EQ(r.parse.sources[0].line, 5);
  EXPECT_EQ(r.parse.config["materialized"], "incremental");
  EXPECT_EQ(r.parse.config["unique_key"], Json::array({"a", "b"}));
  EXPECT_EQ(r.parse.config["enabled"], true);
  EXPECT_EQ(r.parse.config["batch"], 10);
}

TEST(StaticParseTest, NonLiteralArgumentsNeedRendering) {
  StaticParseResult r = ParseStatically("select 1\nfrom {{ ref(var('table_name')) }}");
  EXPECT_FALSE(r.parse.deps_complete);
  EXPECT_TRUE(r.parse.needs_rendering);
  EXPECT_TRUE(r.parse.refs.empty());
  EXPECT_NE(r.parse.reason.find("line 2"), std::string::npos) << r.parse.reason;
  EXPECT_NE(r.parse.reason.find("ref"), std::string::npos) << r.parse.reason;
}

TEST(StaticParseTest, ANonLiteralCallIsTheReasonOverOtherJinja) {
  StaticParseResult r = ParseStatically("{% set t = 'x' %}\nselect * from {{ ref(t) }}");
  EXPECT_FALSE(r.parse.deps_complete);
  EXPECT_EQ(r.parse.reason, "line 2: ref(...) has arguments that are not literals");
}

TEST(StaticParseTest, OtherJinjaNeedsRenderingButKeepsTheDependencies) {
  StaticParseResult r = ParseStatically(
      "select * from {{ ref('a') }}\n{% if is_incremental() %}\nwhere x > (select max(x) from "
      "{{ this }})\n{% endif %}\n{{ cents_to_dollars('amount') }}");
  EXPECT_TRUE(r.parse.deps_complete);
  EXPECT_TRUE(r.parse.needs_rendering);
  ASSERT_EQ(r.parse.refs.size(), 1u);
  EXPECT_EQ(r.parse.refs[0].name, "a");
  EXPECT_NE(std::find(r.calls.begin(), r.calls.end(), "cents_to_dollars"), r.calls.end());
  EXPECT_NE(std::find(r.calls.begin(), r.calls.end(), "is_incremental"), r.calls.end());
}

TEST(StaticParseTest, CommentsRawBlocksAndStringsAreNotCalls) {
  StaticParseResult r = ParseStatically(
      "{# {{ ref('commented') }} #}\n"
      "{% raw %}{{ ref('raw') }}{% endraw %}\n"
      "select {{ ref('real') }} as a -- '}}'\n"
      "{{ \"ref('in_string')\" }}");
  ASSERT_EQ(r.parse.refs.size(), 1u);
  EXPECT_EQ(r.parse.refs[0].name, "real");
}

TEST(StaticParseTest, UnterminatedBlocksAreReportedNotFatal) {
  StaticParseResult r = ParseStatically("select {{ ref('a') \nfrom x");
  EXPECT_TRUE(r.parse.needs_rendering);
  EXPECT_FALSE(r.parse.deps_complete);
  EXPECT_NE(r.parse.reason.find("unterminated"), std::string::npos) << r.parse.reason;
}

TEST(StaticParseTest, FindsSnapshotAndMacroBlocks) {
  const std::string text =
      "{% snapshot s1 %}\nselect 1\n{% endsnapshot %}\n\n{%- snapshot s2 -%}\n{{ "
      "config(strategy='check') }}\nselect 2\n{%- endsnapshot %}";
  ASSERT_OK_AND_ASSIGN(auto blocks, FindBlocks(text, "snapshots/s.sql", {"snapshot"}));
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].name, "s1");
  EXPECT_EQ(blocks[0].line, 1);
  EXPECT_EQ(blocks[0].body, "\nselect 1\n");
  EXPECT_EQ(blocks[1].name, "s2");
  EXPECT_EQ(blocks[1].line, 5);

  Result<std::vector<JinjaBlock>> open =
      FindBlocks("x\n{% macro m(a) %}\nselect 1", "macros/m.sql", {"macro"});
  ASSERT_FALSE(open.ok());
  EXPECT_EQ(open.status().message(), "macros/m.sql:2: {% macro %} without {% endmacro %}");
}

TEST(StaticParseTest, RelationshipTargetsParseAsRefOrSource) {
  StaticParse p;
  EXPECT_TRUE(ParseRefOrSourceExpression("ref('customers')", p));
  EXPECT_TRUE(ParseRefOrSourceExpression("source('shop', 'orders')", p));
  EXPECT_FALSE(ParseRefOrSourceExpression("customers", p));
  EXPECT_FALSE(ParseRefOrSourceExpression("ref(var('x'))", p));
  ASSERT_EQ(p.refs.size(), 1u);
  EXPECT_EQ(p.refs[0].name, "customers");
  ASSERT_EQ(p.sources.size(), 1u);
  EXPECT_EQ(p.sources[0].table, "orders");
}

}  // namespace
}  // namespace atl::transform
