#include "atoll/sql/sql_text.h"

#include "atoll/sql/lake_ddl.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;

TEST(SqlTextTest, SplitsAtSemicolonsOutsideStringsCommentsAndQuotes) {
  ASSERT_OK_AND_ASSIGN(
      std::vector<std::string> s,
      SplitStatements("SELECT ';' AS \"a;b\"; -- one; two\n SELECT $x$;$x$ /* ; /* ; */ */;\n"
                      "  ;  -- only a comment;\n SELECT E'\\';'"));
  EXPECT_EQ(s, (std::vector<std::string>{"SELECT ';' AS \"a;b\"",
                                         "-- one; two\n SELECT $x$;$x$ /* ; /* ; */ */",
                                         "-- only a comment;\n SELECT E'\\';'"}));
  EXPECT_THAT(SplitStatements("SELECT 'open"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SplitStatements("SELECT /* open"), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(s, SplitStatements("  -- nothing\n ; "));
  EXPECT_TRUE(s.empty());
}

TEST(SqlTextTest, TokensUnquoteNamesAndStrings) {
  ASSERT_OK_AND_ASSIGN(std::vector<Token> t, Tokenize("CREATE \"a \"\"b\"\"\".c 'it''s' 16 -- x"));
  ASSERT_EQ(t.size(), 6u);
  EXPECT_TRUE(t[0].Is("create"));
  EXPECT_EQ(t[1].kind, TokenKind::kQuoted);
  EXPECT_EQ(t[1].text, "a \"b\"");
  EXPECT_FALSE(t[1].Is("a \"b\""));  // a quoted name is never a keyword
  EXPECT_EQ(t[2].text, ".");
  EXPECT_EQ(t[3].text, "c");
  EXPECT_EQ(t[4].kind, TokenKind::kString);
  EXPECT_EQ(t[4].text, "it's");
  EXPECT_EQ(t[5].kind, TokenKind::kNumber);
}

TEST(LakeDdlTest, CreateTableWithPartitioningAndProperties) {
  ASSERT_OK_AND_ASSIGN(
      std::optional<LakeDdl> ddl,
      ParseLakeDdl("create table if not exists stg.shop.\"Orders\" (id BIGINT NOT NULL, ts "
                   "TIMESTAMPTZ, s VARCHAR) PARTITIONED BY (days(ts), bucket(16, id), s, "
                   "truncate(4, \"s\")) WITH (format_version = 3, 'write.delete.mode' = "
                   "'merge-on-read', owner = lake)"));
  ASSERT_TRUE(ddl.has_value());
  const auto& c = std::get<CreateTableDdl>(*ddl);
  EXPECT_EQ(c.id.ToString(), "stg.shop.Orders");
  EXPECT_TRUE(c.if_not_exists);
  EXPECT_FALSE(c.or_replace);
  EXPECT_EQ(c.columns_sql, "(id BIGINT NOT NULL, ts TIMESTAMPTZ, s VARCHAR)");
  EXPECT_EQ(c.partition,
            (std::vector<std::string>{"day(ts)", "bucket(16, id)", "s", "truncate(4, s)"}));
  EXPECT_EQ(c.format_version, 3);
  EXPECT_EQ(c.properties, (std::map<std::string, std::string>{
                              {"write.delete.mode", "merge-on-read"}, {"owner", "lake"}}));
  EXPECT_TRUE(c.query_sql.empty());
}

TEST(LakeDdlTest, CreateAsDropAndOthers) {
  ASSERT_OK_AND_ASSIGN(std::optional<LakeDdl> ddl,
                       ParseLakeDdl("CREATE OR REPLACE TABLE tmp.a.b AS SELECT 1 AS x"));
  ASSERT_TRUE(ddl.has_value());
  EXPECT_TRUE(std::get<CreateTableDdl>(*ddl).or_replace);
  EXPECT_EQ(std::get<CreateTableDdl>(*ddl).query_sql, "SELECT 1 AS x");
  ASSERT_OK_AND_ASSIGN(ddl, ParseLakeDdl("DROP TABLE IF EXISTS prd.a.b PURGE"));
  ASSERT_TRUE(ddl.has_value());
  EXPECT_TRUE(std::get<DropTableDdl>(*ddl).if_exists);
  EXPECT_TRUE(std::get<DropTableDdl>(*ddl).purge);
  // DuckDB's own tables and other statements are not atoll's.
  for (const char* other : {"CREATE TABLE t (x INT)", "CREATE TEMP TABLE a.b.c (x INT)",
                            "DROP TABLE main.t", "SELECT 1", "CREATE VIEW v AS SELECT 1"}) {
    ASSERT_OK_AND_ASSIGN(ddl, ParseLakeDdl(other));
    EXPECT_FALSE(ddl.has_value()) << other;
  }
}

TEST(LakeDdlTest, AlterTableForms) {
  using A = AlterTableDdl::Action;
  auto alter = [](const char* text) -> AlterTableDdl {
    Result<std::optional<LakeDdl>> ddl = ParseLakeDdl(text);
    EXPECT_OK(ddl.status());
    if (!ddl.ok() || !ddl->has_value() || !std::holds_alternative<AlterTableDdl>(**ddl)) {
      ADD_FAILURE() << "not an ALTER TABLE: " << text;
      return {};
    }
    return std::get<AlterTableDdl>(**ddl);
  };
  AlterTableDdl a = alter("ALTER TABLE stg.a.b ADD COLUMN IF NOT EXISTS \"n c\" DECIMAL(12, 2)");
  EXPECT_EQ(a.action, A::kAddColumn);
  EXPECT_EQ(a.column, "n c");
  EXPECT_EQ(a.type_sql, "DECIMAL(12, 2)");
  EXPECT_TRUE(a.if_exists);
  a = alter("alter table stg.a.b rename column x to y");
  EXPECT_EQ(a.action, A::kRenameColumn);
  EXPECT_EQ(a.new_name, "y");
  EXPECT_EQ(alter("ALTER TABLE stg.a.b DROP x").action, A::kDropColumn);
  a = alter("ALTER TABLE stg.a.b ALTER COLUMN x SET DATA TYPE BIGINT");
  EXPECT_EQ(a.action, A::kSetType);
  EXPECT_EQ(a.type_sql, "BIGINT");
  EXPECT_EQ(alter("ALTER TABLE stg.a.b ALTER x DROP NOT NULL").action, A::kDropNotNull);
  a = alter("ALTER TABLE stg.a.b SET TBLPROPERTIES ('write.delete.mode' = 'merge-on-read')");
  EXPECT_EQ(a.properties.at("write.delete.mode"), "merge-on-read");
  a = alter("ALTER TABLE stg.a.b UNSET PROPERTIES IF EXISTS ('a', b)");
  EXPECT_EQ(a.keys, (std::vector<std::string>{"a", "b"}));
  a = alter("ALTER TABLE stg.a.b SET PARTITIONED BY (hours(ts), x)");
  EXPECT_EQ(a.partition, (std::vector<std::string>{"hour(ts)", "x"}));
  EXPECT_TRUE(alter("ALTER TABLE stg.a.b RESET PARTITIONED BY").partition.empty());
  a = alter("ALTER TABLE stg.a.b ADD PARTITION FIELD bucket(8, id)");
  EXPECT_EQ(a.action, A::kAddPartitionField);
  EXPECT_EQ(a.partition, (std::vector<std::string>{"bucket(8, id)"}));
  EXPECT_THAT(ParseLakeDdl("ALTER TABLE stg.a.b SET PROPERTIES (format_version = 3)"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("ALTER TABLE stg.a.b CLUSTER BY x"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("ALTER TABLE stg.a.b ADD COLUMN x"),
              IsError(StatusCode::kInvalidArgument));
}

TEST(LakeDdlTest, InsertOverwriteBecomesAnInsert) {
  ASSERT_OK_AND_ASSIGN(std::optional<LakeDdl> ddl,
                       ParseLakeDdl("INSERT OVERWRITE TABLE prd.\"A\".b (x) SELECT 1"));
  ASSERT_TRUE(ddl.has_value());
  const auto& o = std::get<InsertOverwriteDdl>(*ddl);
  EXPECT_EQ(o.id.ToString(), "prd.A.b");
  EXPECT_EQ(o.insert_sql, "INSERT INTO prd.\"A\".b (x) SELECT 1");
  ASSERT_OK_AND_ASSIGN(ddl, ParseLakeDdl("INSERT INTO prd.a.b SELECT 1"));
  EXPECT_FALSE(ddl.has_value());
  EXPECT_THAT(ParseLakeDdl("INSERT OVERWRITE t SELECT 1"), IsError(StatusCode::kInvalidArgument));
}

TEST(LakeDdlTest, MalformedStatementsSayWhatWasExpected) {
  EXPECT_THAT(ParseLakeDdl("CREATE TABLE a.b.c (x INT) PARTITIONED BY (sqrt(x))"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("CREATE TABLE a.b.c (x INT) WITH (format_version = 4)"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("CREATE TABLE a.b.c"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("CREATE TABLE a.b.c (x INT) AS SELECT 1"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("CREATE TABLE a.b.c (x INT) CLUSTERED BY (x)"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("DROP TABLE a.b.c CASCADE"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseLakeDdl("CREATE OR REPLACE TABLE IF NOT EXISTS a.b.c (x INT)"),
              IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::lake
