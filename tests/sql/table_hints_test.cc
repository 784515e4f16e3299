#include "atoll/sql/table_hints.h"

#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

const std::vector<std::string> kTables = {"log.atoll.events", "stg.shop.customers",
                                          "stg.shop.orders", "stg.web.events"};

TEST(TableHintsTest, EditDistanceIgnoresLetterCase) {
  EXPECT_EQ(EditDistance("orders", "ORDERS"), 0u);
  EXPECT_EQ(EditDistance("ordrs", "orders"), 1u);
  EXPECT_EQ(EditDistance("", "abc"), 3u);
  EXPECT_EQ(EditDistance("kitten", "sitting"), 3u);
}

TEST(TableHintsTest, FindsTheNameTheStatementUsed) {
  EXPECT_EQ(MissingName("Catalog Error: Table with name ordrs does not exist!",
                        "SELECT * FROM stg.shop.ordrs WHERE 1"),
            "stg.shop.ordrs");
  EXPECT_EQ(MissingName("Binder Error: Catalog \"stg\" does not exist!",
                        "select 1 from \"stg\".\"Shop\".x"),
            "stg.Shop.x");
  EXPECT_EQ(MissingName("Catalog Error: Table with name t does not exist!", "SELECT t.a FROM t"),
            "t.a");  // the first use of the word; still names the table's word
  EXPECT_EQ(MissingName("Binder Error: Referenced column \"x\" not found", "SELECT x FROM t"), "");
}

TEST(TableHintsTest, ClosestTablesCompareAsManyPartsAsTheNameHas) {
  EXPECT_THAT(ClosestTables("stg.shop.ordrs", kTables, 3), ElementsAre("stg.shop.orders"));
  EXPECT_THAT(ClosestTables("event", kTables, 3),
              ElementsAre("log.atoll.events", "stg.web.events"));
  EXPECT_THAT(ClosestTables("web.event", kTables, 3), ElementsAre("stg.web.events"));
  EXPECT_THAT(ClosestTables("zzzzzzzz", kTables, 3), IsEmpty());
}

TEST(TableHintsTest, ReplacesDuckDbsCatalogSuggestionByTheLakesTables) {
  const std::string duckdb =
      "Catalog Error: Table with name nope does not exist!\nDid you mean \"pg_enum\"?\n\n"
      "LINE 1: select * from nope\n                      ^";
  const std::string text = ExplainMissingTable(duckdb, "select * from nope", kTables);
  EXPECT_THAT(text, Not(HasSubstr("pg_enum")));
  EXPECT_THAT(text, HasSubstr("LINE 1: select * from nope"));
  EXPECT_THAT(text, HasSubstr("no table 'nope' in this lake; its tables: log.atoll.events, "
                              "stg.shop.customers"));
  EXPECT_THAT(ExplainMissingTable(duckdb, "select * from nope", {}),
              HasSubstr("the lake has no tables yet"));
  EXPECT_EQ(ExplainMissingTable("Parser Error: syntax error", "selec 1", kTables),
            "Parser Error: syntax error");
}

}  // namespace
}  // namespace atl::lake
