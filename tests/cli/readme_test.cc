// README.md's "Using it" commands, run verbatim on a fresh local lake: the lines between
// `<!-- readme-test: begin -->` and `<!-- readme-test: end -->` (one ```sh block) run as one
// `sh -e` script, with the atoll binary first on PATH, in a folder holding the files the
// README copies (orders.csv, events.parquet). The test follows the README: change the
// commands there and this runs the new ones.
#include <filesystem>

#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunProgram;
using ::atl::testing::ReadFile;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

// The shell lines of README.md between the markers (the fence lines dropped).
std::string ReadmeCommands() {
  const std::string readme = ReadFile(ATOLL_README);
  const std::string begin = "<!-- readme-test: begin -->", end = "<!-- readme-test: end -->";
  const size_t from = readme.find(begin), to = readme.find(end);
  EXPECT_NE(from, std::string::npos) << "marker missing in README.md";
  EXPECT_NE(to, std::string::npos) << "marker missing in README.md";
  if (from == std::string::npos || to == std::string::npos || to < from) return "";
  std::string block = readme.substr(from + begin.size(), to - from - begin.size());
  std::string script;
  size_t start = 0;
  while (start < block.size()) {
    size_t stop = block.find('\n', start);
    if (stop == std::string::npos) stop = block.size();
    const std::string line = block.substr(start, stop - start);
    if (!line.starts_with("```")) script += line + "\n";
    start = stop + 1;
  }
  return script;
}

TEST(ReadmeTest, UsingItWorksVerbatimOnAFreshLocalLake) {
  TempDir dir;
  const std::string script = ReadmeCommands();
  ASSERT_THAT(script, HasSubstr("atoll init ./lake"));
  std::string orders = "order_id,customer_id,amount,ts\n";
  for (int i = 1; i <= 50; ++i) {
    orders += StrCat(i, ",", 40 + i % 5, ",", i * 1.5, ",2024-01-0", 1 + i % 9, " 10:00:00\n");
  }
  WriteFile(dir.Join("orders.csv"), orders);
  auto parquet = RunAtoll({"query", dir.path(),
                           "COPY (SELECT range AS id, 'view' AS kind FROM range(7)) TO '" +
                               dir.Join("events.parquet") + "'"});
  ASSERT_EQ(parquet.exit_code, 0) << parquet.err;
  WriteFile(dir.Join("readme.sh"), script);

  const std::string bin_dir = fs::path(ATOLL_BINARY).parent_path().string();
  const char* path = std::getenv("PATH");
  auto r = RunProgram(
      {"/bin/sh", "-e", dir.Join("readme.sh")}, dir.path(),
      {{"PATH", bin_dir + ":" + (path ? path : "/usr/bin:/bin")}, {"HOME", dir.Join("home")}});
  ASSERT_EQ(r.exit_code, 0) << "script:\n"
                            << script << "\nstdout:\n"
                            << r.out << "\nstderr:\n"
                            << r.err;
  EXPECT_THAT(r.err, Not(HasSubstr("error")));
  // Both copies of orders.csv arrived (the second after the first ingest took the first).
  EXPECT_THAT(r.out, HasSubstr("count_star()\n100\n"));
  EXPECT_THAT(r.out, HasSubstr("stg.web.events"));
  auto daily = RunAtoll({"query", dir.Join("lake"), "SELECT count(*) AS days FROM prd.shop.daily",
                         "--format", "csv"});
  EXPECT_EQ(daily.out, "days\n9\n") << daily.err;
  auto left = RunAtoll({"query", dir.Join("lake"),
                        "SELECT count(*) AS n FROM stg.shop.orders WHERE customer_id = 42",
                        "--format", "csv"});
  EXPECT_EQ(left.out, "n\n0\n") << left.err;
}

}  // namespace
}  // namespace atl::cli
