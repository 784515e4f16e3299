// What a new user meets in the first minutes on a local-directory lake (issue 22): the
// zone folders are there to copy into and stay there, errors point the way, output is quiet
// and scriptable.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunProgram;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;

class FirstUseTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }
  // `cp` as a person runs it: fails when the folder is missing.
  int Cp(const std::string& text, const std::string& dst) {
    WriteFile(dir_.Join("src.csv"), text);
    return RunProgram({"/bin/cp", dir_.Join("src.csv"), dst}).exit_code;
  }

  TempDir dir_;
  const std::string lake_ = dir_.Join("lake");
};

TEST_F(FirstUseTest, InitMakesTheZoneFoldersAndIngestLeavesTheTableFolders) {
  for (const char* zone : {"prepare", "load", "stg", "tmp", "prd", "assets", "_rejected"}) {
    EXPECT_TRUE(fs::is_directory(lake_ + "/" + zone)) << zone;
  }
  fs::create_directories(lake_ + "/prepare/s/t");
  ASSERT_EQ(Cp("a,b\n1,2\n", lake_ + "/prepare/s/t/"), 0);
  auto first = RunAtoll({"ingest", lake_});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(fs::is_directory(lake_ + "/prepare/s/t"));
  EXPECT_TRUE(fs::is_directory(lake_ + "/load/s/t"));
  // The second copy into the same folder works, and its row arrives.
  ASSERT_EQ(Cp("a,b\n3,4\n", lake_ + "/prepare/s/t/"), 0);
  ASSERT_EQ(RunAtoll({"ingest", lake_}).exit_code, 0);
  EXPECT_TRUE(fs::is_directory(lake_ + "/prepare/s/t"));
  EXPECT_TRUE(fs::is_directory(lake_ + "/prepare"));
  auto count = RunAtoll({"query", lake_, "SELECT count(*) FROM stg.s.t", "--format", "csv"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_THAT(count.out, HasSubstr("2"));
  // The markers that keep the folders are no files of the lake.
  auto ls = RunAtoll({"ls", "-r", lake_ + "/prepare"});
  EXPECT_THAT(ls.out, Not(HasSubstr("keep")));
}

TEST_F(FirstUseTest, AnUnknownTableNamesTheLakesClosestTables) {
  fs::create_directories(lake_ + "/prepare/shop/orders");
  ASSERT_EQ(Cp("a,b\n1,2\n", lake_ + "/prepare/shop/orders/"), 0);
  ASSERT_EQ(RunAtoll({"ingest", lake_}).exit_code, 0);

  auto typo = RunAtoll({"query", lake_, "SELECT * FROM stg.shop.ordrs"});
  EXPECT_EQ(typo.exit_code, 1);
  EXPECT_THAT(typo.err, HasSubstr("running 'SELECT * FROM stg.shop.ordrs': "));
  EXPECT_THAT(typo.err,
              HasSubstr("no table 'stg.shop.ordrs' in this lake; closest: stg.shop.orders"));

  auto bare = RunAtoll({"query", lake_, "SELECT * FROM ordes"});
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_THAT(bare.err, HasSubstr("closest: stg.shop.orders"));

  // DuckDB's own text is kept, its suggestion from the system catalog is not.
  auto nope = RunAtoll({"query", lake_, "SELECT * FROM nope"});
  EXPECT_EQ(nope.exit_code, 1);
  EXPECT_THAT(nope.err, HasSubstr("Table with name nope does not exist"));
  EXPECT_THAT(nope.err, Not(HasSubstr("pg_")));
  EXPECT_THAT(nope.err, HasSubstr("no table 'nope' in this lake; its tables: "));
  EXPECT_THAT(nope.err, HasSubstr("stg.shop.orders"));
}

TEST_F(FirstUseTest, APathThatIsNoLakeSaysHowToMakeOne) {
  const std::string missing = dir_.Join("nolake");
  for (const char* command : {"ingest", "tables", "stats"}) {
    auto r = RunAtoll({command, missing});
    EXPECT_EQ(r.exit_code, 1) << command;
    EXPECT_THAT(r.err, HasSubstr(missing + " is not an atoll lake")) << command;
    EXPECT_THAT(r.err, HasSubstr("run 'atoll init " + missing + "'")) << command;
  }
  auto query = RunAtoll({"query", missing, "SELECT 1"});
  EXPECT_EQ(query.exit_code, 1);
  EXPECT_THAT(query.err, HasSubstr("run 'atoll init " + missing + "'"));
}

TEST_F(FirstUseTest, AUsageErrorPrintsTheCommandsUsageLine) {
  auto r = RunAtoll({"ingest"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_THAT(r.err, HasSubstr("atoll: error: 'atoll ingest' needs LAKE"));
  EXPECT_THAT(r.err, HasSubstr("\nUsage: atoll ingest [options] LAKE\n"));
  auto bad = RunAtoll({"query", lake_, "--format", "xml", "SELECT 1"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("\nUsage: atoll query [options] LAKE [SQL|ID]\n"));
}

TEST_F(FirstUseTest, IngestPrintsItsSummaryOnceAndLogLinesOnlyWhenVerbose) {
  fs::create_directories(lake_ + "/prepare/s/t");
  ASSERT_EQ(Cp("a,b\n1,2\n", lake_ + "/prepare/s/t/"), 0);
  auto quiet = RunAtoll({"ingest", lake_});
  ASSERT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_THAT(quiet.out, HasSubstr("stg.s.t: 1 file, 1 row"));
  EXPECT_EQ(quiet.err, "");  // no INFO lines repeating the summary
  ASSERT_EQ(Cp("a,b\n3,4\n", lake_ + "/prepare/s/t/"), 0);
  auto verbose = RunAtoll({"ingest", "-v", lake_});
  ASSERT_EQ(verbose.exit_code, 0) << verbose.err;
  EXPECT_THAT(verbose.err, HasSubstr("INFO  stg.s.t: ingested files=1 rows=1"));
  // Warnings still show without -v: a file in no table folder.
  WriteFile(lake_ + "/prepare/stray.csv", "a\n1\n");
  auto warned = RunAtoll({"ingest", lake_});
  EXPECT_THAT(warned.err, HasSubstr("WARN"));
  EXPECT_THAT(warned.err, HasSubstr("prepare/stray.csv"));
}

TEST_F(FirstUseTest, ScriptsGetOneJsonDocument) {
  fs::create_directories(lake_ + "/prepare/s/t");
  ASSERT_EQ(Cp("a,b\n1,2\n", lake_ + "/prepare/s/t/"), 0);
  for (std::vector<std::string> args :
       std::vector<std::vector<std::string>>{{"ingest", lake_, "--json"},
                                             {"tables", lake_, "--json"},
                                             {"stats", lake_, "--json"},
                                             {"trail", "verify", lake_, "--json"},
                                             {"maintain", lake_, "--json"}}) {
    auto r = RunAtoll(args);
    EXPECT_EQ(r.exit_code, 0) << ::testing::PrintToString(args) << r.err;
    EXPECT_NO_THROW((void)nlohmann::json::parse(r.out)) << ::testing::PrintToString(args) << r.out;
  }
  EXPECT_EQ(nlohmann::json::parse(RunAtoll({"stats", lake_, "--json"}).out)[0]["table_name"],
            "stg.s.t");
}

TEST_F(FirstUseTest, WithoutSqlAndWithoutATerminalTheSqlComesFromStdin) {
  WriteFile(dir_.Join("q.sql"), "SELECT 41 + 1 AS x;\nSELECT 'b' AS y;\n");
  auto r = RunProgram(
      {"/bin/sh", "-c",
       StrCat(ATOLL_BINARY, " query '", lake_, "' --format csv < '", dir_.Join("q.sql"), "'")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "x\n42\n\ny\nb\n");
}

// `atoll watch LAKE` in the background, its stdout and stderr in files; stopped by SIGTERM.
class Watcher {
 public:
  Watcher(const std::string& lake, const std::string& out, const std::string& err) {
    pid_ = ::fork();
    if (pid_ == 0) {
      int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      ::dup2(o, 1);
      ::dup2(e, 2);
      ::execl(ATOLL_BINARY, ATOLL_BINARY, "watch", lake.c_str(), "--interval", "600", nullptr);
      ::_exit(127);
    }
  }
  ~Watcher() {
    ::kill(pid_, SIGTERM);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }

 private:
  pid_t pid_;
};

// How often `text` occurs in `file` ("" when it is absent).
size_t CountIn(const std::string& file, const std::string& text) {
  const std::string content = fs::exists(file) ? ::atl::testing::ReadFile(file) : "";
  size_t n = 0;
  for (size_t at = content.find(text); at != std::string::npos; at = content.find(text, at + 1))
    ++n;
  return n;
}

// Waits up to `seconds` for `file` to hold `text` `times` times; the seconds it took, or
// nullopt.
std::optional<double> WaitForText(const std::string& file, const std::string& text, double seconds,
                                  size_t times = 1) {
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  while (elapsed() < seconds) {
    if (CountIn(file, text) >= times) return elapsed();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return std::nullopt;
}

TEST_F(FirstUseTest, WatchOnALocalLakeTakesAFileWithinTwoSecondsOfItsArrival) {
  const std::string out = dir_.Join("watch.out"), err = dir_.Join("watch.err");
  Watcher watcher(lake_, out, err);
  ASSERT_TRUE(WaitForText(err, "atoll: watching", 20)) << ::atl::testing::ReadFile(err);
  EXPECT_THAT(::atl::testing::ReadFile(err), HasSubstr("file events"));
  // A new table folder and its file, long before the 600 s poll.
  fs::create_directories(lake_ + "/prepare/w/t");
  ASSERT_EQ(Cp("a,b\n1,2\n", lake_ + "/prepare/w/t/"), 0);
  std::optional<double> took = WaitForText(out, "stg.w.t: 1 file", 10);
  ASSERT_TRUE(took) << ::atl::testing::ReadFile(err);
  EXPECT_LT(*took, 2.0);
  // A second file into the same (kept) folder is taken as quickly.
  ASSERT_EQ(Cp("a,b\n3,4\n", lake_ + "/prepare/w/t/"), 0);
  took = WaitForText(out, "stg.w.t: 1 file", 10, 2);
  ASSERT_TRUE(took) << ::atl::testing::ReadFile(out) << ::atl::testing::ReadFile(err);
  EXPECT_LT(*took, 2.0);
}

}  // namespace
}  // namespace atl::cli
