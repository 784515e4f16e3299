// scripts/check_sql.py, the rule that SQL is built from quoted names only
// (docs/design.md, "SQL text"): src/ passes it, and a planted violation fails it.
#include "../cli/run_atoll.h"
#include "testing/testing.h"

namespace atl {
namespace {

using ::atl::cli::testing::RunProgram;
using ::testing::HasSubstr;

std::string SourceDir() {
  return ::atl::testing::Env("ATOLL_SOURCE_DIR").value_or(ATOLL_SOURCE_DIR_FALLBACK);
}

::atl::cli::testing::RunResult Check(const std::string& what) {
  return RunProgram({"/usr/bin/python3", SourceDir() + "/scripts/check_sql.py", what});
}

TEST(SqlCheck, SourcesBuildSqlOnlyFromQuotedNames) {
  auto r = Check(SourceDir() + "/src");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

TEST(SqlCheck, FailsOnAPlantedViolation) {
  auto r = Check(SourceDir() + "/tests/common/testdata/sql_check_violation.cc.txt");
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_THAT(r.out,
              HasSubstr("sql_check_violation.cc.txt:5: unquoted operand in SQL: table_name"));
}

TEST(SqlCheck, AcceptsQuotedNamesNumbersAndSqlVariables) {
  auto r = Check(SourceDir() + "/tests/common/testdata/sql_check_clean.cc.txt");
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace atl
