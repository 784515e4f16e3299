// atoll query writing lake tables, seen from outside: a script from --file creates, fills
// and reads a table; refused statements exit 1 with a message and change nothing.
#include <filesystem>
#include <fstream>

#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

TEST(QueryWriteTest, ScriptFromFileWritesAndReadsALakeTable) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  const std::string script = dir.Join("script.sql");
  std::ofstream(script) << "-- a whole script\n"
                           "CREATE TABLE prd.crm.customers (id BIGINT NOT NULL, email VARCHAR)\n"
                           "  WITH ('write.delete.mode' = 'merge-on-read');\n"
                           "INSERT INTO prd.crm.customers VALUES (1, 'a@x'), (2, 'b@x');\n"
                           "DELETE FROM prd.crm.customers WHERE email = 'a@x'; -- GDPR\n"
                           "SELECT id, email FROM prd.crm.customers;\n";
  auto run = RunAtoll({"query", lake, "--file", script, "--format", "csv"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("insert,prd.crm.customers,2,0,"));
  EXPECT_THAT(run.out, HasSubstr(",merge-on-read\n"));
  EXPECT_THAT(run.out, HasSubstr("id,email\n2,b@x\n"));
  auto again =
      RunAtoll({"query", lake, "SELECT count(*) AS n FROM prd.crm.customers", "-f", "csv"});
  EXPECT_EQ(again.out, "n\n1\n");
  // The trail holds the commits.
  auto trail = RunAtoll({"trail", "show", lake});
  EXPECT_EQ(trail.exit_code, 0) << trail.err;
  EXPECT_THAT(trail.out, HasSubstr("prd.crm.customers"));
}

TEST(QueryWriteTest, RefusedStatementsExitOneAndChangeNothing) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  auto trail = RunAtoll({"query", lake, "DELETE FROM trail.audit.records WHERE true"});
  EXPECT_EQ(trail.exit_code, 1);
  EXPECT_THAT(trail.err, HasSubstr("append-only"));
  auto missing = RunAtoll({"query", lake, "INSERT INTO stg.a.b VALUES (1)"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("stg.a.b does not exist"));
  auto both = RunAtoll({"query", lake, "SELECT 1", "--file", dir.Join("x.sql")});
  EXPECT_EQ(both.exit_code, 2);  // a usage error
  EXPECT_THAT(both.err, HasSubstr("either"));
  EXPECT_FALSE(std::filesystem::exists(lake + "/stg/a"));
}

}  // namespace
}  // namespace atl::cli
