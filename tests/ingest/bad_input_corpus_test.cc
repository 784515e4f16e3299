// The bad-input corpus (bad_input_corpus.h) through one `atoll ingest` of a local lake:
// every case must end with its file in a table or in _rejected/ with a reason naming the
// cause (or, for hidden files and files at a depth that names no table, left where it is),
// the good files of the same run must load whole, nothing must run that a name or a byte
// asked for, and the run must neither crash nor hang nor grow past a memory bound.
#include "ingest/bad_input_corpus.h"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "atoll/engine/engine.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunProgram;
using ::atl::lake::testing::Case;
using ::atl::lake::testing::Expect;

// Peak RSS and wall time bounds of the whole run (about 200 files, most of them tiny).
constexpr int64_t kMaxPeakRssKb = 2 * 1024 * 1024;
constexpr int kTimeoutSeconds = 600;

std::string ParquetOf(engine::Engine& engine, const std::string& dir, const std::string& name,
                      const std::string& select) {
  const std::string path = dir + "/" + name + ".parquet";
  Status st =
      engine.Execute("COPY (" + select + ") TO " + engine::QuoteString(path) + " (FORMAT parquet)");
  EXPECT_TRUE(st.ok()) << st.ToString();
  return ::atl::testing::ReadFile(path);
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// The db and table a case's file belongs to ("" when its depth names none).
std::pair<std::string, std::string> TableOf(const std::string& path) {
  size_t a = path.find('/');
  if (a == std::string::npos) return {};
  size_t b = path.find('/', a + 1);
  if (b == std::string::npos) return {};
  return {path.substr(0, a), path.substr(a + 1, b - a - 1)};
}

std::string Quoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string Printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out;
}

class BadInputCorpusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    cwd_ = dir_.Join("cwd");
    fs::create_directories(cwd_);
    ::atl::testing::WriteFile(
        dir_.Join("settings.json"),
        R"({"version": 1, "prepare": {"max_line_bytes": 65536, "max_decompressed_bytes": 8388608,
                        "memory_limit": "512MB"}})");
    auto init = RunAtoll({"init", lake_, "--settings", dir_.Join("settings.json")}, cwd_);
    ASSERT_EQ(init.exit_code, 0) << init.out << init.err;

    ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
    const std::string scratch = dir_.Join("parquet");
    fs::create_directories(scratch);
    cases_ = testing::Corpus(
        ParquetOf(*engine, scratch, "plain",
                  "SELECT * FROM (VALUES (1, 'a'), (2, 'b')) t(id, marker)"),
        ParquetOf(*engine, scratch, "empty", "SELECT 1 AS id, 'a' AS marker WHERE false"),
        ParquetOf(*engine, scratch, "nested",
                  "SELECT {'x': i, 'y': 'v'} AS s, [i, i + 1] AS l, MAP {'k': i} AS m "
                  "FROM range(2) t(i)"),
        ParquetOf(*engine, scratch, "odd",
                  "SELECT 1 AS \"it's\", 2 AS \"with space\", 3 AS \"a;b--\""),
        ParquetOf(*engine, scratch, "loaded_at",
                  "SELECT TIMESTAMPTZ '2001-02-03 04:05:06+00' AS _etl_loaded_at, 1 AS x"));
  }

  void Plant() {
    std::set<std::string> siblings;
    for (const Case& c : cases_) {
      const std::string path = lake_ + "/prepare/" + c.path;
      fs::create_directories(fs::path(path).parent_path());
      if (!c.symlink_to.empty()) {
        ASSERT_EQ(::symlink(c.symlink_to.c_str(), path.c_str()), 0) << c.id;
      } else {
        ::atl::testing::WriteFile(path, c.bytes);
      }
      if (c.sibling) {
        const std::string sib = fs::path(path).parent_path().string() + "/" + testing::kSiblingName;
        ASSERT_TRUE(siblings.insert(sib).second) << "two cases share " << sib;
        ::atl::testing::WriteFile(sib, testing::SiblingCsv());
      }
    }
    // Good tables before and after every case table in key order.
    ::atl::testing::WriteFile(lake_ + "/prepare/aaa_control/first/data.csv", testing::SiblingCsv());
    ::atl::testing::WriteFile(lake_ + "/prepare/corpus/zzz_control/data.csv",
                              testing::SiblingCsv());
    ::atl::testing::WriteFile(lake_ + "/prepare/zzz_control/last/data.csv", testing::SiblingCsv());
  }

  // `atoll query` on the lake, CSV out; the exit code and output.
  cli::testing::RunResult Query(const std::string& sql) {
    return RunAtoll({"query", lake_, "--format", "csv", sql}, cwd_);
  }

  ::atl::testing::TempDir dir_;
  std::string lake_;
  std::string cwd_;
  std::vector<Case> cases_;
};

TEST_F(BadInputCorpusTest, EveryCaseEndsInATableOrRejectedWithItsCause) {
  ASSERT_GE(cases_.size(), 150u);
  Plant();

  auto run = RunProgram({"/usr/bin/time", "-f", "ATOLL_PEAK_RSS_KB=%M", "/usr/bin/timeout",
                         std::to_string(kTimeoutSeconds), ATOLL_BINARY, "ingest", lake_},
                        cwd_);
  const std::string output = run.out + run.err;
  // Not killed by a signal (timeout and time report 128+N), not timed out (124).
  ASSERT_GE(run.exit_code, 0) << output;
  ASSERT_LT(run.exit_code, 100) << output;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(run.err, m, std::regex("ATOLL_PEAK_RSS_KB=([0-9]+)"))) << run.err;
  const int64_t peak_kb = std::stoll(m[1]);
  EXPECT_LT(peak_kb, kMaxPeakRssKb) << "peak RSS of the ingest";
  std::cerr << "corpus: " << cases_.size() << " cases, exit code " << run.exit_code << ", peak RSS "
            << peak_kb / 1024 << " MiB\n";

  std::map<std::string, int64_t> min_rows;  // "db\ttable" -> rows the table must hold at least
  std::map<std::string, std::string> first_case;
  std::map<std::string, int> outcomes;
  for (const Case& c : cases_) {
    SCOPED_TRACE(c.id + " (" + Printable(c.path) + ")");
    const std::string source = lake_ + "/prepare/" + c.path;
    const std::string rejected = lake_ + "/_rejected/prepare/" + c.path;
    const bool stays = Exists(source);
    const bool was_rejected = Exists(rejected);
    std::string reason;
    if (was_rejected) {
      ASSERT_TRUE(Exists(rejected + ".error.json")) << "rejected without a reason file";
      auto doc =
          nlohmann::json::parse(::atl::testing::ReadFile(rejected + ".error.json"), nullptr, false);
      ASSERT_FALSE(doc.is_discarded()) << "unreadable reason file";
      reason = doc.value("reason", "");
      EXPECT_FALSE(reason.empty()) << "empty reason";
      EXPECT_EQ(::atl::testing::ReadFile(rejected), c.bytes) << "rejected bytes differ";
    }
    const bool loaded = !stays && !was_rejected;
    outcomes[stays ? "stays" : was_rejected ? "rejected" : "loaded"]++;
    const std::regex why(c.reason.empty() ? std::string(".") : c.reason, std::regex::icase);
    switch (c.expect) {
      case Expect::kLoad:
        EXPECT_TRUE(loaded) << "expected to load; stays=" << stays << " reason: " << reason;
        break;
      case Expect::kReject:
        EXPECT_TRUE(was_rejected) << "expected in _rejected/; stays=" << stays;
        if (was_rejected) {
          EXPECT_TRUE(std::regex_search(reason, why)) << "reason: " << reason;
        }
        break;
      case Expect::kEither:
        EXPECT_FALSE(stays) << "neither loaded nor rejected";
        if (was_rejected) {
          EXPECT_TRUE(std::regex_search(reason, why)) << "reason: " << reason;
        }
        break;
      case Expect::kStays:
        EXPECT_TRUE(stays) << "expected to be left in prepare/";
        EXPECT_FALSE(was_rejected);
        if (c.warn) {
          const std::string name = fs::path(c.path).filename().string();
          EXPECT_NE(output.find(name), std::string::npos) << "no warning names it:\n" << output;
        }
        break;
    }
    auto [db, table] = TableOf(c.path);
    if (c.sibling) {
      // The good sibling loaded, whatever happened to this file.
      EXPECT_FALSE(Exists(lake_ + "/prepare/" + db + "/" + table + "/" + testing::kSiblingName))
          << "the good file beside it was not loaded";
    }
    if (db == "corpus" && (c.sibling || (loaded && c.rows >= 0))) {
      const std::string key = db + "\t" + table;
      min_rows[key] = (c.sibling ? 3 : 0) + (loaded && c.rows > 0 ? c.rows : 0);
      first_case[key] = c.id;
    }
  }
  std::cerr << "corpus outcomes: loaded " << outcomes["loaded"] << ", rejected "
            << outcomes["rejected"] << ", left " << outcomes["stays"] << "\n";

  // Row counts: the cases' tables, and the control tables exactly.
  for (const auto& [key, rows] : min_rows) {
    const std::string db = key.substr(0, key.find('\t'));
    const std::string table = key.substr(key.find('\t') + 1);
    SCOPED_TRACE(first_case[key]);
    auto q = Query("SELECT count(*) FROM stg." + Quoted(db) + "." + Quoted(table));
    ASSERT_EQ(q.exit_code, 0) << q.err;
    EXPECT_GE(std::stoll(q.out.substr(q.out.find('\n') + 1)), rows) << q.out;
  }
  for (const char* control :
       {"\"aaa_control\".\"first\"", "\"corpus\".\"zzz_control\"", "\"zzz_control\".\"last\""}) {
    auto q =
        Query(std::string("SELECT count(*) AS n, count(*) FILTER (WHERE marker = 'good') AS good "
                          "FROM stg.") +
              control);
    ASSERT_EQ(q.exit_code, 0) << control << q.err;
    EXPECT_EQ(q.out, "n,good\n3,3\n") << control;
  }

  // Nothing a name or a byte asked for ran: no file was written outside the lake, and no
  // table holds the host file a symlink pointed at.
  for (const auto& entry : fs::directory_iterator(cwd_)) {
    ADD_FAILURE() << "the run wrote " << entry.path() << " into its working directory";
  }
  EXPECT_FALSE(Exists(lake_ + "/pwned")) << "a planted command ran";
  EXPECT_FALSE(Exists(lake_ + "/pwned.csv")) << "a planted COPY ran";
  auto leak = Query("SELECT count(*) FROM stg.corpus.symlink");
  if (leak.exit_code == 0) {
    EXPECT_EQ(leak.out.substr(leak.out.find('\n') + 1), "0\n");
  }
}

}  // namespace
}  // namespace atl::lake
