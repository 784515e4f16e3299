// Parsing CREATE / DROP VIEW on lake views (view_ddl.h).
#include "atoll/sql/view_ddl.h"

#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;

TEST(ViewDdlTest, ParsesCreateWithColumnsAndKeepsTheQueryAsWritten) {
  ASSERT_OK_AND_ASSIGN(
      std::optional<ViewDdl> ddl,
      ParseViewDdl("create or replace view prd.\"my db\".Daily (d, \"Total\") as\n  SELECT day, "
                   "sum(x) FROM prd.s.t GROUP BY day ; "));
  ASSERT_TRUE(ddl.has_value());
  const auto& create = std::get<CreateViewDdl>(*ddl);
  EXPECT_EQ(create.id.ToString(), "prd.my db.Daily");
  EXPECT_TRUE(create.or_replace);
  EXPECT_FALSE(create.if_not_exists);
  EXPECT_EQ(create.columns, (std::vector<std::string>{"d", "Total"}));
  EXPECT_EQ(create.query_sql, "SELECT day, sum(x) FROM prd.s.t GROUP BY day");
  EXPECT_EQ(ViewDdlName(*ddl), "create view");
  EXPECT_EQ(ViewDdlTarget(*ddl).name, "Daily");

  ASSERT_OK_AND_ASSIGN(ddl, ParseViewDdl("CREATE VIEW IF NOT EXISTS a.b.c AS SELECT 1"));
  ASSERT_TRUE(ddl.has_value());
  EXPECT_TRUE(std::get<CreateViewDdl>(*ddl).if_not_exists);
  EXPECT_TRUE(std::get<CreateViewDdl>(*ddl).columns.empty());
}

TEST(ViewDdlTest, ParsesDrop) {
  ASSERT_OK_AND_ASSIGN(std::optional<ViewDdl> ddl, ParseViewDdl("DROP VIEW IF EXISTS a.b.c"));
  ASSERT_TRUE(ddl.has_value());
  EXPECT_TRUE(std::get<DropViewDdl>(*ddl).if_exists);
  EXPECT_EQ(ViewDdlName(*ddl), "drop view");
  EXPECT_THAT(ParseViewDdl("DROP VIEW a.b.c CASCADE"), IsError(StatusCode::kInvalidArgument));
}

TEST(ViewDdlTest, LeavesDuckDbViewsAndOtherStatementsAlone) {
  for (const char* sql : {"CREATE VIEW v AS SELECT 1", "CREATE VIEW main.v AS SELECT 1",
                          "CREATE TEMP VIEW a.b.c AS SELECT 1", "DROP VIEW v",
                          "CREATE TABLE a.b.c (x INT)", "DROP TABLE a.b.c", "SELECT 1"}) {
    ASSERT_OK_AND_ASSIGN(std::optional<ViewDdl> ddl, ParseViewDdl(sql));
    EXPECT_FALSE(ddl.has_value()) << sql;
  }
}

TEST(ViewDdlTest, RefusesMalformedStatements) {
  for (const char* sql :
       {"CREATE VIEW a.b.c SELECT 1", "CREATE VIEW a.b.c AS", "CREATE VIEW a.b.c (x, AS SELECT 1",
        "CREATE VIEW a.b.c () AS SELECT 1", "CREATE OR VIEW a.b.c AS SELECT 1",
        "CREATE VIEW IF EXISTS a.b.c AS SELECT 1",
        "CREATE OR REPLACE VIEW IF NOT EXISTS a.b.c AS SELECT 1"}) {
    EXPECT_THAT(ParseViewDdl(sql), IsError(StatusCode::kInvalidArgument)) << sql;
  }
}

}  // namespace
}  // namespace atl::lake
