// atoll query with lake views, seen from outside: a view created by one command is read by
// name in the next, replaced and dropped; `atoll trail verify` agrees with the lake after.
#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

TEST(QueryViewTest, AViewCreatedByOneCommandIsReadByTheNext) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  auto create = RunAtoll({"query", lake,
                          "CREATE TABLE prd.crm.customers AS SELECT i AS id, i % 3 AS region "
                          "FROM range(10) t(i); "
                          "CREATE VIEW prd.crm.by_region AS SELECT region, count(*) AS n FROM "
                          "prd.crm.customers GROUP BY region",
                          "-f", "csv"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  EXPECT_THAT(create.out, HasSubstr("create view,prd.crm.by_region,0,0,,"));
  auto read =
      RunAtoll({"query", lake, "SELECT n FROM prd.crm.by_region WHERE region = 0", "-f", "csv"});
  ASSERT_EQ(read.exit_code, 0) << read.err;
  EXPECT_EQ(read.out, "n\n4\n");
  auto replace = RunAtoll({"query", lake,
                           "CREATE OR REPLACE VIEW prd.crm.by_region AS SELECT count(*) AS n FROM "
                           "prd.crm.customers"});
  ASSERT_EQ(replace.exit_code, 0) << replace.err;
  auto again = RunAtoll({"query", lake, "SELECT n FROM prd.crm.by_region", "-f", "csv"});
  EXPECT_EQ(again.out, "n\n10\n");
  auto drop = RunAtoll({"query", lake, "DROP VIEW prd.crm.by_region"});
  ASSERT_EQ(drop.exit_code, 0) << drop.err;
  auto gone = RunAtoll({"query", lake, "SELECT * FROM prd.crm.by_region"});
  EXPECT_EQ(gone.exit_code, 1);
  auto refused = RunAtoll({"query", lake, "CREATE VIEW log.x.v AS SELECT 1 AS one"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("append-only"));
  auto verify = RunAtoll({"trail", "verify", lake});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

}  // namespace
}  // namespace atl::cli
