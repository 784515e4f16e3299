#include "atoll/engine/statement_shape.h"

#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsError;

TEST(StatementShapeTest, DeleteNamesItsTargetAndCondition) {
  ASSERT_OK_AND_ASSIGN(StatementShape s,
                       DescribeStatement("delete from stg.\"Shop\".orders o where o.id > 10"));
  EXPECT_EQ(s.kind, StatementKind::kDelete);
  EXPECT_EQ(s.target, (std::vector<std::string>{"stg", "Shop", "orders"}));
  EXPECT_EQ(s.target_alias, "o");
  EXPECT_EQ(s.condition_sql, "(o.id > 10)");
  EXPECT_FALSE(s.joins_other_tables);
  ASSERT_OK_AND_ASSIGN(s, DescribeStatement("DELETE FROM t USING u WHERE t.id = u.id"));
  EXPECT_TRUE(s.joins_other_tables);
  EXPECT_EQ(s.target, (std::vector<std::string>{"t"}));
}

TEST(StatementShapeTest, UpdateInsertMergeAndSelect) {
  ASSERT_OK_AND_ASSIGN(StatementShape s,
                       DescribeStatement("UPDATE a.b.c SET x = x + 1 WHERE name = 'it''s'"));
  EXPECT_EQ(s.kind, StatementKind::kUpdate);
  EXPECT_EQ(s.target, (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_EQ(s.condition_sql, "(\"name\" = 'it''s')");
  ASSERT_OK_AND_ASSIGN(s, DescribeStatement("INSERT INTO a.b.c (x) VALUES (1), (2)"));
  EXPECT_EQ(s.kind, StatementKind::kInsert);
  EXPECT_EQ(s.target, (std::vector<std::string>{"a", "b", "c"}));
  ASSERT_OK_AND_ASSIGN(
      s, DescribeStatement("MERGE INTO a.b.c t USING (SELECT 1 AS id) s ON t.id = s.id "
                           "WHEN MATCHED THEN DELETE WHEN NOT MATCHED BY SOURCE THEN DELETE"));
  EXPECT_EQ(s.kind, StatementKind::kMerge);
  EXPECT_EQ(s.target_alias, "t");
  EXPECT_EQ(s.condition_sql, "(t.id = s.id)");
  EXPECT_TRUE(s.merge_by_source);
  EXPECT_TRUE(s.joins_other_tables);
  ASSERT_OK_AND_ASSIGN(s, DescribeStatement("WITH q AS (SELECT 1) SELECT * FROM q"));
  EXPECT_EQ(s.kind, StatementKind::kSelect);
  ASSERT_OK_AND_ASSIGN(s, DescribeStatement("CREATE TABLE x (i INT)"));
  EXPECT_EQ(s.kind, StatementKind::kOther);
}

TEST(StatementShapeTest, BadTextIsRefused) {
  EXPECT_THAT(DescribeStatement("DELETE FROM WHERE"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(DescribeStatement("SELECT 1; SELECT 2"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(DescribeStatement(""), IsError(StatusCode::kInvalidArgument));
}

TEST(StatementShapeTest, RetargetKeepsEverythingButTheTable) {
  ASSERT_OK_AND_ASSIGN(std::string sql,
                       RetargetStatement("MERGE INTO stg.shop.orders AS t USING src s ON t.id = "
                                         "s.id WHEN MATCHED AND s.gone THEN DELETE WHEN MATCHED "
                                         "THEN UPDATE SET n = s.n WHEN NOT MATCHED THEN INSERT "
                                         "VALUES (s.id, s.n)",
                                         {"w", "shop", "orders"}));
  ASSERT_OK_AND_ASSIGN(StatementShape s, DescribeStatement(sql));
  EXPECT_EQ(s.kind, StatementKind::kMerge);
  EXPECT_EQ(s.target, (std::vector<std::string>{"w", "shop", "orders"}));
  EXPECT_EQ(s.target_alias, "t");
  EXPECT_EQ(s.condition_sql, "(t.id = s.id)");
  ASSERT_OK_AND_ASSIGN(sql,
                       RetargetStatement("insert into a.b.c values (1, 'x')", {"w", "b", "c"}));
  EXPECT_EQ(sql, "INSERT INTO w.b.c (VALUES (1, 'x'))");
  ASSERT_OK_AND_ASSIGN(sql, RetargetStatement("UPDATE a.b.c SET x = 1 WHERE y", {"c"}));
  ASSERT_OK_AND_ASSIGN(s, DescribeStatement(sql));
  EXPECT_EQ(s.target, (std::vector<std::string>{"c"}));
  EXPECT_EQ(s.condition_sql, "y");
  EXPECT_THAT(RetargetStatement("SELECT 1", {"c"}), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::engine
