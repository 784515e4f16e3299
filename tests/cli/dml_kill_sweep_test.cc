// The kill -9 sweep of `atoll query` DML (issue 17): a table is created by CTAS and changed
// by random INSERT/UPDATE/DELETE/MERGE statements, a few at a time from a script, and
// each `atoll query --file` run is killed with SIGKILL at a random moment. After each kill:
//   - the table reads, and its rows equal the state some prefix of the statements leaves
//     (the same statements on a native DuckDB table give the state after each one; the
//     table may also not exist yet when the CTAS was killed);
//   - `atoll maintain` with orphans of any age leaves no file under the table's folder
//     that the table's metadata does not reference (dml_oracle.h, ReferencedFiles), the
//     local store's hidden temporary files of killed writes (".atoll-tmp-*") included.
// The next script starts at the first statement not yet applied. Both write modes (v2
// position deletes and v3 deletion vectors for merge-on-read).
// Size: ATOLL_DML_SWEEP_ITERATIONS kills per mode (default 5 in make test; make dml-sweep
// runs 100), ATOLL_DML_SEED fixes the statements and the kill moments.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "dml_oracle.h"
#include "run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::AllWriteModes;
using ::atl::cli::testing::DmlSeed;
using ::atl::cli::testing::DuckOracle;
using ::atl::cli::testing::EnvInt;
using ::atl::cli::testing::FilesUnder;
using ::atl::cli::testing::ForTable;
using ::atl::cli::testing::LakeState;
using ::atl::cli::testing::RandomStatement;
using ::atl::cli::testing::ReferencedFiles;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::cli::testing::WithClause;
using ::atl::cli::testing::WriteMode;
using ::atl::cli::testing::WriteModeTestName;
using ::atl::testing::TempDir;

constexpr int kStatementsPerRun = 4;
constexpr char kAbsent[] = "(no table)";

// Starts `atoll args...` with its output in `log`; returns its pid.
pid_t Spawn(const std::vector<std::string>& args, const std::string& log) {
  std::vector<std::string> words = {ATOLL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || out < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  return pid;
}

class DmlKillSweepTest : public ::testing::TestWithParam<WriteMode> {};

TEST_P(DmlKillSweepTest, EveryKillLeavesACommittedPrefixAndMaintainLeavesNoOrphans) {
  const WriteMode& mode = GetParam();
  const uint32_t seed = DmlSeed();
  SCOPED_TRACE("ATOLL_DML_SEED=" + std::to_string(seed));
  const int iterations = EnvInt("ATOLL_DML_SWEEP_ITERATIONS", 5);
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  const std::string table = "prd.db.t";
  const std::string table_dir = lake + "/prd/db/t";
  const std::string pointer = lake + "/_catalog/prd.db/t.json";

  // The statements, and the oracle's state after each prefix: states[j] after j statements.
  std::mt19937 rng(seed);
  const std::string ctas_query =
      "SELECT range AS id, (range % 3)::INT AS k, range * 7 % 11 AS n, 'c' || range AS s "
      "FROM range(30)";
  // A short metadata log: metadata files fall out of it (and become orphans) within a few
  // commits, also while the commit of a killed run has no trail record yet.
  std::vector<std::string> statements = {
      "CREATE TABLE {T} PARTITIONED BY (k) " +
      WithClause(mode, "'write.metadata.previous-versions-max' = '4'") + " AS " + ctas_query};
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DuckOracle> oracle, DuckOracle::Open());
  ASSERT_OK(oracle->Run("INSERT INTO {T} " + ctas_query));
  std::vector<std::string> states = {kAbsent};
  ASSERT_OK_AND_ASSIGN(std::string after_ctas, oracle->State());
  states.push_back(after_ctas);
  int64_t next_id[3] = {100, 1000100, 2000100};  // above the CTAS's ids
  const int total = iterations * kStatementsPerRun + 1;
  while (static_cast<int>(statements.size()) < total) {
    const int k = std::uniform_int_distribution<int>(0, 2)(rng);
    statements.push_back(RandomStatement(rng, k, &next_id[k]));
    Status run = oracle->Run(statements.back());
    ASSERT_TRUE(run.ok()) << statements.back() << ": " << run.ToString();
    ASSERT_OK_AND_ASSIGN(std::string state, oracle->State());
    states.push_back(state);
  }

  size_t applied = 0;  // statements the table has (the largest matching prefix)
  int kills = 0, orphans_removed = 0;
  int temporaries_removed = 0;  // the local store's temporary files of killed writes
  for (int it = 0; it < iterations && applied < statements.size(); ++it) {
    const size_t end = std::min(statements.size(), applied + kStatementsPerRun);
    std::string script;
    for (size_t i = applied; i < end; ++i) script += ForTable(statements[i], table) + ";\n";
    const std::string script_file = dir.Join("run-" + std::to_string(it) + ".sql");
    std::ofstream(script_file) << script;
    const std::string log = dir.Join("run-" + std::to_string(it) + ".log");
    pid_t pid = Spawn({"query", lake, "--file", script_file}, log);
    ASSERT_GT(pid, 0);
    // A statement takes 0.1-0.3 s here: kill within the first ~0.8 s of the run.
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 800)(rng)));
    int status = 0;
    if (::kill(pid, SIGKILL) == 0) ++kills;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    const bool finished = WIFEXITED(status);
    if (finished) {
      EXPECT_EQ(WEXITSTATUS(status), 0) << atl::testing::ReadFile(log);
    }

    // The table is at the state of a prefix of the statements, at or after `applied`.
    std::string state = kAbsent, error;
    if (fs::exists(pointer)) {
      std::optional<std::string> read = LakeState(lake, table, &error);
      ASSERT_TRUE(read.has_value())
          << "after kill " << it << ": the table does not read: " << error;
      state = *read;
    }
    size_t match = states.size();
    for (size_t j = applied; j <= end; ++j) {
      if (states[j] == state) match = j;
    }
    ASSERT_LT(match, states.size())
        << "after kill " << it << " (statements " << applied << ".." << end
        << (finished ? ", run finished" : ", run killed") << ") the table is at no committed "
        << "prefix:\n  table: " << state << "\n  before the run: " << states[applied]
        << "\nscript:\n"
        << script << "log:\n"
        << atl::testing::ReadFile(log);
    if (finished) EXPECT_EQ(match, end) << "a run that finished must apply its whole script";
    applied = match;

    // Orphan removal leaves only what the metadata references.
    if (state == kAbsent) continue;
    RunResult maintain =
        RunAtoll({"maintain", lake, table, "--orphans-older-than", "0s", "--json"});
    ASSERT_EQ(maintain.exit_code, 0) << maintain.out << maintain.err;
    const nlohmann::json removed = nlohmann::json::parse(maintain.out)["tables"][0]["orphans"];
    orphans_removed += static_cast<int>(removed["removed"].get<int64_t>());
    temporaries_removed += static_cast<int>(removed["temporaries_removed"].get<int64_t>());
    ASSERT_OK_AND_ASSIGN(std::set<std::string> referenced, ReferencedFiles(pointer));
    std::vector<std::string> orphans;
    for (const std::string& f : FilesUnder(table_dir)) {
      if (!referenced.count(f)) orphans.push_back(f);
    }
    EXPECT_THAT(orphans, ::testing::IsEmpty()) << "after kill " << it << " and maintain";
    std::vector<std::string> missing;
    for (const std::string& f : referenced) {
      if (!fs::exists(f) && f.find("/metadata/") == std::string::npos) missing.push_back(f);
    }
    EXPECT_THAT(missing, ::testing::IsEmpty()) << "referenced data files that maintain removed";
  }
  RecordProperty("kills", kills);
  RecordProperty("statements_applied", static_cast<int>(applied));
  RecordProperty("orphans_removed", orphans_removed);
  RecordProperty("temporaries_removed", temporaries_removed);
  std::cerr << mode.name << " v" << mode.format_version << ": " << kills << " kills, " << applied
            << " of " << statements.size() << " statements applied, " << orphans_removed
            << " orphan files and " << temporaries_removed
            << " temporary files of killed writes removed by maintain\n";
}

// CREATE TABLE ... AS killed at random moments (a run takes 0.15-0.6 s here): afterwards the
// table either does not exist or holds every row of its query, never an empty table.
TEST(DmlKillSweepCtasTest, AKilledCtasLeavesNoTableOrTheWholeTable) {
  const uint32_t seed = DmlSeed();
  SCOPED_TRACE("ATOLL_DML_SEED=" + std::to_string(seed));
  std::mt19937 rng(seed);
  const int iterations = 2 * EnvInt("ATOLL_DML_SWEEP_ITERATIONS", 5);
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  int absent = 0, whole = 0;
  for (int it = 0; it < iterations; ++it) {
    const std::string table = "prd.db.c" + std::to_string(it);
    const std::string log = dir.Join("ctas-" + std::to_string(it) + ".log");
    pid_t pid = Spawn({"query", lake,
                       "CREATE TABLE " + table +
                           " PARTITIONED BY (k) AS SELECT range AS id, (range % 3)::INT AS k "
                           "FROM range(30)"},
                      log);
    ASSERT_GT(pid, 0);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::uniform_int_distribution<int>(0, 250)(rng)));
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    if (!fs::exists(lake + "/_catalog/prd.db/c" + std::to_string(it) + ".json")) {
      ++absent;
      continue;
    }
    RunResult count = RunAtoll({"query", lake, "SELECT count(*) AS n FROM " + table, "-f", "csv"});
    ASSERT_EQ(count.exit_code, 0) << count.err;
    EXPECT_EQ(count.out, "n\n30\n") << "after kill " << it << ":\n" << atl::testing::ReadFile(log);
    ++whole;
  }
  std::cerr << "CTAS: " << iterations << " kills, " << absent << " left no table, " << whole
            << " the whole table\n";
}

INSTANTIATE_TEST_SUITE_P(Modes, DmlKillSweepTest, ::testing::ValuesIn(AllWriteModes()),
                         [](const ::testing::TestParamInfo<WriteMode>& info) {
                           return WriteModeTestName(info.param);
                         });

}  // namespace
}  // namespace atl::cli
