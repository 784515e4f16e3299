// Concurrent `atoll query` writers on one lake table (issue 17, isolation):
//   - four processes running scripts of random INSERT/UPDATE/DELETE/MERGE, each confined to
//     its own partition value, all commit, and the table equals the four scripts applied
//     to a native DuckDB table (the oracle), in both write modes;
//   - four processes running one random statement each on the same partition, round after
//     round: the table equals the committed ones in some serial order, the others exit 1
//     with the conflict error;
//   - four processes upserting one new key with MERGE: it is inserted once;
//   - four processes updating the same row: every update that exits 0 counts once in the
//     final value, and an update that fails exits 1 with the conflict error;
//   - `atoll ingest` appending to one partition while DELETEs run on another: all commit.
// Sizes: ATOLL_DML_CONCURRENCY_STATEMENTS statements per script (default 10),
// ATOLL_DML_HOT_UPDATES updates per process (default 3), ATOLL_DML_OVERLAP_ROUNDS rounds
// (default 3), ATOLL_DML_INGEST_ROUNDS ingests (default 3); `make dml-concurrency-sweep` runs
// this binary at full size. ATOLL_DML_SEED fixes the random scripts (printed on failure).
#include <filesystem>
#include <fstream>
#include <random>
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
using ::atl::cli::testing::ForTable;
using ::atl::cli::testing::LakeState;
using ::atl::cli::testing::RandomStatement;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::cli::testing::WithClause;
using ::atl::cli::testing::WriteMode;
using ::atl::cli::testing::WriteModeTestName;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

constexpr int kWorkers = 4;

std::string CreateTable(const std::string& table, const WriteMode& mode) {
  return "CREATE TABLE " + table + " (" + testing::kDmlColumns + ") PARTITIONED BY (k) " +
         WithClause(mode);
}

// Runs `runs[i]()` for every i at once, each on its own thread.
template <typename F>
void AllAtOnce(int n, F run) {
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back([&run, i] { run(i); });
  for (std::thread& t : threads) t.join();
}

class DmlConcurrencyTest : public ::testing::TestWithParam<WriteMode> {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  TempDir dir_;
  std::string lake_;
};

TEST_P(DmlConcurrencyTest, DisjointPartitionsAllCommitAndEqualTheOracle) {
  const uint32_t seed = DmlSeed();
  SCOPED_TRACE("ATOLL_DML_SEED=" + std::to_string(seed));
  const int statements = EnvInt("ATOLL_DML_CONCURRENCY_STATEMENTS", 10);
  const std::string table = "prd.db.t";
  RunResult create = RunAtoll({"query", lake_, CreateTable(table, GetParam())});
  ASSERT_EQ(create.exit_code, 0) << create.err;

  std::mt19937 rng(seed);
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DuckOracle> oracle, DuckOracle::Open());
  std::vector<std::string> scripts(kWorkers);
  for (int w = 0; w < kWorkers; ++w) {
    int64_t next_id = 0;
    std::string script;
    for (int i = 0; i < statements; ++i) {
      const std::string statement = RandomStatement(rng, w, &next_id);
      Status run = oracle->Run(statement);
      ASSERT_TRUE(run.ok()) << statement << ": " << run.ToString();
      script += ForTable(statement, table) + ";\n";
    }
    scripts[w] = dir_.Join("worker-" + std::to_string(w) + ".sql");
    std::ofstream(scripts[w]) << script;
  }

  std::vector<RunResult> runs(kWorkers);
  AllAtOnce(kWorkers, [&](int w) { runs[w] = RunAtoll({"query", lake_, "--file", scripts[w]}); });
  for (int w = 0; w < kWorkers; ++w) {
    EXPECT_EQ(runs[w].exit_code, 0) << "worker " << w << " (" << scripts[w] << "):\n"
                                    << runs[w].err;
  }
  std::string error;
  std::optional<std::string> state = LakeState(lake_, table, &error);
  ASSERT_TRUE(state.has_value()) << error;
  ASSERT_OK_AND_ASSIGN(std::string expected, oracle->State());
  EXPECT_EQ(*state, expected);
}

// Round after round, four processes each run one random statement on the same partition
// at once: those that fail exit 1 with the conflict error, and the table equals the
// committed ones applied in some serial order (tried on the oracle, every order).
TEST_P(DmlConcurrencyTest, OverlappingStatementsEqualASerialOrderOfTheWinners) {
  const uint32_t seed = DmlSeed();
  SCOPED_TRACE("ATOLL_DML_SEED=" + std::to_string(seed));
  const int rounds = EnvInt("ATOLL_DML_OVERLAP_ROUNDS", 3);
  const std::string table = "prd.db.t";
  const std::string fill = "INSERT INTO {T} SELECT range, 0, range, 's' || range FROM range(40)";
  RunResult create =
      RunAtoll({"query", lake_, CreateTable(table, GetParam()) + "; " + ForTable(fill, table)});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<DuckOracle> oracle, DuckOracle::Open());
  ASSERT_OK(oracle->Run(fill));

  std::mt19937 rng(seed);
  int64_t next_id = 40;
  int committed = 0, conflicts = 0;
  for (int round = 0; round < rounds; ++round) {
    std::vector<std::string> statements;
    for (int w = 0; w < kWorkers; ++w) statements.push_back(RandomStatement(rng, 0, &next_id));
    std::vector<RunResult> runs(kWorkers);
    AllAtOnce(kWorkers, [&](int w) {
      runs[w] = RunAtoll({"query", lake_, ForTable(statements[w], table)});
    });
    std::vector<int> winners;
    std::string listing;
    for (int w = 0; w < kWorkers; ++w) {
      listing += (runs[w].exit_code == 0 ? "  committed: " : "  failed: ") + statements[w] + "\n";
      if (runs[w].exit_code == 0) {
        winners.push_back(w);
        continue;
      }
      ++conflicts;
      EXPECT_EQ(runs[w].exit_code, 1) << runs[w].err;
      EXPECT_THAT(runs[w].err, HasSubstr("conflict"));
    }
    committed += static_cast<int>(winners.size());
    std::string error;
    std::optional<std::string> state = LakeState(lake_, table, &error);
    ASSERT_TRUE(state.has_value()) << error;
    ASSERT_OK(oracle->Save());
    bool found = false;
    do {
      ASSERT_OK(oracle->Restore());
      for (int w : winners) ASSERT_OK(oracle->Run(statements[w]));
      ASSERT_OK_AND_ASSIGN(std::string expected, oracle->State());
      found = expected == *state;
    } while (!found && std::next_permutation(winners.begin(), winners.end()));
    ASSERT_TRUE(found) << "round " << round << ": the table equals no serial order of the "
                       << "committed statements\n"
                       << listing << "table: " << *state;
  }
  RecordProperty("committed", committed);
  RecordProperty("conflicts", conflicts);
}

// Four processes upsert the same new key at once (MERGE: update when present, insert when
// not), round after round: the key is inserted once and updated by every other committed
// MERGE, as in any serial order. (Without the serializable check of appended files each
// MERGE inserted its own copy.)
TEST_P(DmlConcurrencyTest, ConcurrentUpsertsOfOneKeyInsertItOnce) {
  const int rounds = EnvInt("ATOLL_DML_OVERLAP_ROUNDS", 3);
  const std::string table = "prd.db.t";
  RunResult create = RunAtoll({"query", lake_, CreateTable(table, GetParam())});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  std::string expected;
  for (int round = 1; round <= rounds; ++round) {
    const std::string upsert = "MERGE INTO " + table + " USING (SELECT " + std::to_string(round) +
                               " AS id) AS src ON t.id = src.id AND t.k = 0 "
                               "WHEN MATCHED THEN UPDATE SET n = t.n + 1 "
                               "WHEN NOT MATCHED THEN INSERT VALUES (src.id, 0, 0, 'up')";
    std::vector<RunResult> runs(kWorkers);
    AllAtOnce(kWorkers, [&](int w) { runs[w] = RunAtoll({"query", lake_, upsert}); });
    int committed = 0;
    for (const RunResult& r : runs) {
      if (r.exit_code == 0) {
        ++committed;
        continue;
      }
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_THAT(r.err, HasSubstr("conflict"));
    }
    ASSERT_GE(committed, 1);
    expected += (expected.empty() ? "" : ";") + std::to_string(round) + ",0," +
                std::to_string(committed - 1) + ",up";
    std::string error;
    std::optional<std::string> state = LakeState(lake_, table, &error);
    ASSERT_TRUE(state.has_value()) << error;
    ASSERT_EQ(*state, std::to_string(round) + ":" + expected) << "round " << round;
  }
}

TEST_P(DmlConcurrencyTest, UpdatesOfOneRowCountOnceEachOrFailWithAConflict) {
  const int per_worker = EnvInt("ATOLL_DML_HOT_UPDATES", 3);
  const std::string table = "prd.db.t";
  RunResult create = RunAtoll({"query", lake_,
                               CreateTable(table, GetParam()) + "; INSERT INTO " + table +
                                   " VALUES (1, 0, 0, 'hot'), (2, 0, 0, 'cold')"});
  ASSERT_EQ(create.exit_code, 0) << create.err;

  std::vector<std::vector<RunResult>> runs(kWorkers);
  AllAtOnce(kWorkers, [&](int w) {
    for (int i = 0; i < per_worker; ++i) {
      runs[w].push_back(
          RunAtoll({"query", lake_, "UPDATE " + table + " SET n = n + 1 WHERE id = 1"}));
    }
  });
  int committed = 0, conflicts = 0;
  for (const std::vector<RunResult>& worker : runs) {
    for (const RunResult& r : worker) {
      if (r.exit_code == 0) {
        ++committed;
        continue;
      }
      ++conflicts;
      EXPECT_EQ(r.exit_code, 1) << r.err;
      EXPECT_THAT(r.err, HasSubstr("conflict"));
    }
  }
  EXPECT_GE(committed, 1);
  std::string error;
  std::optional<std::string> state = LakeState(lake_, table, &error);
  ASSERT_TRUE(state.has_value()) << error;
  // A serial order of the committed updates: n = their number, the other row untouched.
  EXPECT_EQ(*state, "2:1,0," + std::to_string(committed) + ",hot;2,0,0,cold")
      << committed << " committed, " << conflicts << " failed with a conflict";
  RecordProperty("committed", committed);
  RecordProperty("conflicts", conflicts);
}

INSTANTIATE_TEST_SUITE_P(Modes, DmlConcurrencyTest, ::testing::ValuesIn(AllWriteModes()),
                         [](const ::testing::TestParamInfo<WriteMode>& info) {
                           return WriteModeTestName(info.param);
                         });

// Ingest appends rows of k = 1 while another process deletes rows of k = 0: every ingest
// and every DELETE commits, and the table holds exactly the rows both leave.
TEST(DmlIngestConcurrencyTest, IngestAppendsAndDeletesOnAnotherPartitionBothCommit) {
  TempDir dir;
  const std::string lake = dir.Join("lake");
  RunResult init = RunAtoll({"init", lake, "--partition-by", "k"});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  const std::string folder = lake + "/prepare/db/t";
  auto drop = [&](const std::string& name, int k, int first, int rows) {
    std::string csv = "id,k,n\n";
    for (int i = first; i < first + rows; ++i) {
      csv += std::to_string(i) + "," + std::to_string(k) + "," + std::to_string(i * 10) + "\n";
    }
    fs::create_directories(folder);
    atl::testing::WriteFile(folder + "/" + name, csv);
  };
  drop("seed-0.csv", 0, 0, 40);
  drop("seed-1.csv", 1, 1000, 20);
  RunResult seed = RunAtoll({"ingest", lake});
  ASSERT_EQ(seed.exit_code, 0) << seed.out << seed.err;

  const int rounds = EnvInt("ATOLL_DML_INGEST_ROUNDS", 3);
  std::vector<RunResult> ingests, deletes;
  AllAtOnce(2, [&](int who) {
    for (int i = 0; i < rounds; ++i) {
      if (who == 0) {
        drop("more-" + std::to_string(i) + ".csv", 1, 2000 + 100 * i, 10);
        ingests.push_back(RunAtoll({"ingest", lake}));
      } else {
        // Rows of k = 0 whose id % (rounds + 1) is i: all but the last residue class go.
        deletes.push_back(RunAtoll({"query", lake,
                                    "DELETE FROM stg.db.t WHERE k = 0 AND id % " +
                                        std::to_string(rounds + 1) + " = " + std::to_string(i)}));
      }
    }
  });
  for (const RunResult& r : ingests) EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  for (const RunResult& r : deletes) EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  RunResult counts = RunAtoll({"query", lake,
                               "SELECT k, count(*) AS c, sum(id) AS ids FROM stg.db.t "
                               "GROUP BY k ORDER BY k",
                               "--format", "csv"});
  ASSERT_EQ(counts.exit_code, 0) << counts.err;
  int64_t k0 = 0, k0_ids = 0, k1 = 20, k1_ids = 0;
  for (int i = 0; i < 40; ++i) {
    if (i % (rounds + 1) == rounds) ++k0, k0_ids += i;
  }
  for (int i = 1000; i < 1020; ++i) k1_ids += i;
  for (int r = 0; r < rounds; ++r) {
    for (int i = 0; i < 10; ++i) k1_ids += 2000 + 100 * r + i;
    k1 += 10;
  }
  EXPECT_EQ(counts.out, "k,c,ids\n0," + std::to_string(k0) + "," + std::to_string(k0_ids) + "\n1," +
                            std::to_string(k1) + "," + std::to_string(k1_ids) + "\n");
  // Every file was ingested: the folder holds at most the local store's marker that keeps it.
  if (fs::exists(folder)) {
    for (const auto& e : fs::directory_iterator(folder)) {
      EXPECT_TRUE(e.path().filename().string().starts_with(".atoll-")) << e.path();
    }
  }
}

}  // namespace
}  // namespace atl::cli
