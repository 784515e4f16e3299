// DuckDB type text → tree → FIELD_IDS with depth-first ids.
#include "atoll/ingest/field_ids.h"

#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;

TEST(FieldIdsTest, ParsesNestedTypes) {
  ASSERT_OK_AND_ASSIGN(
      DuckType t,
      ParseDuckType("STRUCT(a DECIMAL(18,3), \"b c\" VARCHAR[], m MAP(VARCHAR, INTEGER[]))[]"));
  ASSERT_EQ(t.kind, DuckType::Kind::kList);
  const DuckType& s = t.children[0].second;
  ASSERT_EQ(s.kind, DuckType::Kind::kStruct);
  ASSERT_EQ(s.children.size(), 3u);
  EXPECT_EQ(s.children[0].first, "a");
  EXPECT_EQ(s.children[0].second.text, "DECIMAL(18,3)");
  EXPECT_EQ(s.children[1].first, "b c");
  EXPECT_EQ(s.children[1].second.kind, DuckType::Kind::kList);
  EXPECT_EQ(s.children[2].second.kind, DuckType::Kind::kMap);
  EXPECT_EQ(s.children[2].second.children[1].second.kind, DuckType::Kind::kList);
  ASSERT_OK_AND_ASSIGN(DuckType ts, ParseDuckType("TIMESTAMP WITH TIME ZONE"));
  EXPECT_EQ(ts.text, "TIMESTAMP WITH TIME ZONE");
  ASSERT_OK_AND_ASSIGN(DuckType arr, ParseDuckType("INTEGER[3]"));
  EXPECT_EQ(arr.kind, DuckType::Kind::kArray);
  EXPECT_THAT(ParseDuckType("STRUCT(a INTEGER"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseDuckType(""), IsError(StatusCode::kInvalidArgument));
}

TEST(FieldIdsTest, AssignsIdsDepthFirstFromOne) {
  int count = 0;
  ASSERT_OK_AND_ASSIGN(std::string ids, FieldIdsOption({{"id", "BIGINT"},
                                                        {"s", "STRUCT(x INTEGER, l VARCHAR[])"},
                                                        {"m", "MAP(VARCHAR, BIGINT)"},
                                                        {"it's", "DOUBLE"}},
                                                       &count));
  EXPECT_EQ(ids,
            "{'id': 1, 's': {'__duckdb_field_id': 2, 'x': 3, 'l': {'__duckdb_field_id': 4, "
            "'element': 5}}, "
            "'m': {'__duckdb_field_id': 6, 'key': 7, 'value': 8}, 'it''s': 9}");
  EXPECT_EQ(count, 9);
}

}  // namespace
}  // namespace atl::lake
