// Names of table folders and source files (issue 15): which can be tables and files,
// which are rejected or left in place, and how case collisions are decided.
#include <string>
#include <vector>

#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::testing::HasSubstr;

TEST(TableNamesTest, OnlyNamesThatCanBeSqlNamesAndKeysAreTables) {
  for (const char* fine :
       {"orders", "my table", "caf\xc3\xa9", "-dash", "select", "stg", "main", "_x", "Sales"}) {
    EXPECT_EQ(TableNameProblem(fine), "") << fine;
  }
  EXPECT_THAT(TableNameProblem(""), HasSubstr("is empty"));
  EXPECT_THAT(TableNameProblem("b.c"), HasSubstr("contains a '.'"));
  EXPECT_THAT(TableNameProblem(".."), HasSubstr("contains a '.'"));
  EXPECT_THAT(TableNameProblem("a\tb"), HasSubstr("control character (byte 0x09)"));
  EXPECT_THAT(TableNameProblem("caf\xe9"), HasSubstr("not valid UTF-8"));
  EXPECT_THAT(TableNameProblem("\xed\xa0\x80"), HasSubstr("not valid UTF-8"));  // a surrogate
  EXPECT_EQ(TableNameProblem(std::string(100, 'x')), "");
  EXPECT_THAT(TableNameProblem(std::string(256, 'x')), HasSubstr("256 bytes long (at most 100)"));
  EXPECT_THAT(FolderNameProblem("shop", "b.c"), HasSubstr("the table folder name 'b.c'"));
  EXPECT_THAT(FolderNameProblem("a\x01", "t"), HasSubstr("the database folder name 'a\\x01'"));
  EXPECT_THAT(FolderNameProblem("PG_Catalog", "t"), HasSubstr("a schema name SQL reserves"));
  EXPECT_EQ(FolderNameProblem("shop", "information_schema"), "");
}

TEST(TableNamesTest, KeysTheStoreRefusesStayAndNonUtf8KeysAreRejected) {
  EXPECT_EQ(CheckSourceKey("prepare/shop/orders/a b.csv").reason, "");
  // Control characters: the store handles them, the file is taken like any other.
  for (const char* taken : {"prepare/shop/orders/a\x01.csv", "prepare/shop/orders/new\nline.csv",
                            "prepare/shop/orders/esc\x1b[1m\x7f.csv"}) {
    EXPECT_EQ(CheckSourceKey(taken).reason, "") << taken;
  }
  for (const char* refused :
       {"prepare/shop//a.csv", "prepare/shop/../a.csv", "prepare/shop/./a.csv"}) {
    KeyProblem p = CheckSourceKey(refused);
    EXPECT_THAT(p.reason, HasSubstr("the store cannot read, move or delete this key")) << refused;
    EXPECT_FALSE(p.movable);
  }
  KeyProblem latin1 = CheckSourceKey("prepare/shop/orders/caf\xe9.csv");
  EXPECT_EQ(latin1.reason, "the file name is not valid UTF-8");
  EXPECT_TRUE(latin1.movable);
  EXPECT_EQ(PrintableName("a\x01"
                          "b\xff\xc3\xa9\\"),
            "a\\x01b\\xff\xc3\xa9\\");
}

TEST(TableNamesTest, TheExistingTableOrTheFirstNewFolderKeepsANameThatDiffersInCase) {
  std::vector<TableFolder> folders(4);
  folders[0].db = "db", folders[0].table = "SALES";
  folders[1].db = "db", folders[1].table = "Sales";
  folders[2].db = "db", folders[2].table = "sales";
  folders[3].db = "db", folders[3].table = "x";
  std::vector<iceberg::TableIdentifier> existing = {{{"stg", "db"}, "Sales"}, {{"prd", "db"}, "X"}};
  RefuseCaseCollisions("stg", existing, &folders);
  EXPECT_THAT(folders[0].problem,
              HasSubstr("stg.db.SALES differs from stg.db.Sales only in letter case"));
  EXPECT_EQ(folders[1].problem, "");
  EXPECT_THAT(folders[2].problem, HasSubstr("differs from stg.db.Sales"));
  EXPECT_EQ(folders[3].problem, "");  // another zone's table does not count

  std::vector<TableFolder> fresh(2);
  fresh[0].db = "DB", fresh[0].table = "t";
  fresh[1].db = "db", fresh[1].table = "T";
  RefuseCaseCollisions("stg", {}, &fresh);
  EXPECT_EQ(fresh[0].problem, "");
  EXPECT_THAT(fresh[1].problem, HasSubstr("stg.db.T differs from stg.DB.t"));
}

}  // namespace
}  // namespace atl::lake
