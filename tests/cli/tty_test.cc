// The atoll binary on a real terminal: a detached tmux session runs it, the test types
// keys (send-keys) and reads the screen back (capture-pane -p). Covers what only a TTY
// shows: the interactive SQL shell (prompt, helpers, row cap, history) and Ctrl-C
// interrupting a running statement but not the shell.
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <thread>

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

constexpr const char* kTmux = "/usr/bin/tmux";

// One tmux server on its own socket, running one command in a 120x40 window.
class Terminal {
 public:
  Terminal(const std::string& socket, const std::string& command) : socket_(socket) {
    auto r = Tmux({"new-session", "-d", "-s", "t", "-x", "120", "-y", "40", command});
    started_ = r.exit_code == 0;
    EXPECT_TRUE(started_) << r.err;
  }
  ~Terminal() { Tmux({"kill-server"}); }

  // Types `text` literally, then Enter when `enter`.
  void Type(std::string text, bool enter = true) {
    // tmux reads a trailing ';' of an argument as its command separator: escape it.
    if (text.ends_with(";")) text.insert(text.size() - 1, "\\");
    Tmux({"send-keys", "-t", "t", "-l", text});
    if (enter) Key("Enter");
  }
  void Key(const std::string& key) { Tmux({"send-keys", "-t", "t", key}); }
  std::string Screen() { return Tmux({"capture-pane", "-p", "-t", "t", "-S", "-200"}).out; }
  // Waits up to `seconds` until the screen holds `text` `times` times; the screen then.
  std::string WaitFor(const std::string& text, int times = 1, int seconds = 15) {
    std::string screen;
    for (int i = 0; i < seconds * 10; ++i) {
      screen = Screen();
      int n = 0;
      for (size_t at = screen.find(text); at != std::string::npos; at = screen.find(text, at + 1))
        ++n;
      if (n >= times) return screen;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    ADD_FAILURE() << "timed out waiting for '" << text << "' on the screen:\n" << screen;
    return screen;
  }
  // Whether the session's command still runs.
  bool Alive() { return Tmux({"has-session", "-t", "t"}).exit_code == 0; }

 private:
  testing::RunResult Tmux(std::vector<std::string> args) {
    args.insert(args.begin(), {kTmux, "-S", socket_});
    return RunProgram(args);
  }
  std::string socket_;
  bool started_ = false;
};

class TtyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(fs::exists(kTmux)) << "tmux is needed (Debian package tmux)";
    ASSERT_EQ(RunAtoll({"init", lake_}).exit_code, 0);
    WriteFile(lake_ + "/prepare/shop/orders/a.csv", "id,amount\n1,10\n2,20\n3,30\n");
    auto ingest = RunAtoll({"ingest", lake_});
    ASSERT_EQ(ingest.exit_code, 0) << ingest.err;
  }
  // `atoll ARGS` in a shell line, with HOME in the test's folder (history file).
  std::string AtollCommand(const std::string& args) {
    return "env HOME=" + dir_.Join("home") + " XDG_STATE_HOME= " + ATOLL_BINARY + " " + args;
  }

  TempDir dir_;
  const std::string lake_ = dir_.Join("lake");
  const std::string socket_ = dir_.Join("tmux.sock");
};

TEST_F(TtyTest, TheShellListsDescribesAndQueriesTheLakesTables) {
  Terminal term(socket_, AtollCommand("query " + lake_));
  term.WaitFor("atoll>");
  term.Type(".tables");
  term.WaitFor("stg.shop.orders");
  term.Type("\\d stg.shop.orders");
  term.WaitFor("_etl_loaded_at");
  term.Type("SELECT sum(amount) AS total");  // a statement over two lines
  term.WaitFor("   ...>");
  term.Type("FROM stg.shop.orders;");
  std::string screen = term.WaitFor("(1 row)", 1);
  EXPECT_THAT(screen, HasSubstr("total\n-----\n   60\n(1 row)"));
  term.Type("SELECT * FROM stg.shop.ordrs;");
  screen = term.WaitFor("closest: stg.shop.orders");
  // Results are capped.
  term.Type("SELECT * FROM range(5000);");
  screen = term.WaitFor("(first 1000 rows shown");
  term.Key("C-d");
  for (int i = 0; i < 100 && term.Alive(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_FALSE(term.Alive()) << "Ctrl-D leaves the shell";
  const std::string history = ReadFile(dir_.Join("home/.local/state/atoll/history"));
  EXPECT_THAT(history, HasSubstr("range(5000);"));
}

TEST_F(TtyTest, CtrlCInterruptsTheRunningStatementNotTheShell) {
  Terminal term(socket_, AtollCommand("query " + lake_));
  term.WaitFor("atoll>");
  term.Type("SELECT sum(i * random()) FROM range(1000000000000) t(i);");
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  const auto before = std::chrono::steady_clock::now();
  term.Key("C-c");
  term.WaitFor("interrupted", 1, 10);
  EXPECT_LT(std::chrono::steady_clock::now() - before, std::chrono::seconds(5));
  term.WaitFor("atoll>", 2);
  term.Type("SELECT 42 AS answer;");
  EXPECT_THAT(term.WaitFor("(1 row)"), HasSubstr("answer\n------\n    42"));
  // At the prompt, Ctrl-C drops the line being typed; the shell stays.
  term.Type("SELECT 'never run'", false);
  term.Key("C-c");
  term.Type("SELECT 43 AS again;");
  std::string screen = term.WaitFor("again");
  screen = term.WaitFor("(1 row)", 2);
  EXPECT_THAT(screen, Not(HasSubstr("never run\n(1 row)")));
  EXPECT_TRUE(term.Alive());
}

TEST_F(TtyTest, IngestShowsProgressInsideOneLargeFile) {
  // One CSV of about 150 MiB: DuckDB reads it for some seconds as one object.
  fs::create_directories(lake_ + "/prepare/big/t");
  auto made = RunAtoll({"query", dir_.path(),
                        "COPY (SELECT range AS id, 'some text ' || range AS name, range * 1.5 AS "
                        "amount FROM range(4000000)) TO '" +
                            lake_ + "/prepare/big/t/big.csv'"});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  Terminal term(socket_, AtollCommand("ingest " + lake_ + "; sleep 60"));
  // A bar line part-way through the one file: 0/1 object, a percentage below 100.
  const std::regex partway(
      R"(ingesting  \[[=> ]+\] +([0-9]+)%  [0-9.]+ MiB / [0-9.]+ MiB  0/1 object)");
  bool seen = false;
  std::string screen;
  for (int i = 0; i < 600 && !seen; ++i) {
    screen = term.Screen();
    std::smatch m;
    if (std::regex_search(screen, m, partway)) {
      const int pct = std::stoi(m[1].str());
      seen = pct > 0 && pct < 100;
    }
    if (screen.find("total: 1 files") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(seen) << screen;
  EXPECT_THAT(term.WaitFor("total: 1 files, 4000000 rows", 1, 60), HasSubstr("stg.big.t"));
}

TEST_F(TtyTest, SnapshotRunShowsTheBytesItsWorkersMove) {
  fs::create_directories(dir_.Join("export"));
  for (int i = 0; i < 2; ++i) {
    auto made = RunAtoll({"query", dir_.path(),
                          StrCat("COPY (SELECT range AS id, CASE WHEN range % 2 = 0 THEN 'eu' "
                                 "ELSE 'us' END AS region, 'text ' || range AS name FROM range(",
                                 i * 2000000, ", ", (i + 1) * 2000000, ")) TO '",
                                 dir_.Join("export"), "/part", i, ".csv'")});
    ASSERT_EQ(made.exit_code, 0) << made.err;
  }
  Terminal term(socket_, AtollCommand("snapshot run --lake " + lake_ +
                                      " --db shop --table snap --snapshot 2024-01-01T00:00:00Z "
                                      "--source " +
                                      dir_.Join("export") +
                                      "/ --partition region --parallel 2 > /dev/null; sleep 60"));
  // A bar line with the bytes moved so far, while the workers run (before the commit).
  const std::regex moving(R"(snapshot run  ([0-9.]+) (KiB|MiB|GiB))");
  bool seen = false;
  std::string screen;
  for (int i = 0; i < 1200 && !seen; ++i) {
    screen = term.Screen();
    std::smatch m;
    seen = std::regex_search(screen, m, moving) && std::stod(m[1].str()) > 0 &&
           screen.find("compact worker for group") == std::string::npos;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(seen) << screen;
  term.WaitFor("compact worker for group", 1, 60);
}

}  // namespace
}  // namespace atl::cli
