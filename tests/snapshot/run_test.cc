// Whole snapshot runs of the atoll binary on a generated snapshot (CSV.gz and Parquet files,
// four partitions): the table's rows equal the source's in total and per partition; re-runs
// change nothing; workers killed with SIGKILL (at chosen points through ATOLL_SNAPSHOT_CRASH,
// and from outside at random moments) resume to exactly the same rows; a tampered count
// fails validation; hive output from a written manifest; output files cut to the target size.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "atoll/engine/engine.h"
#include "atoll/snapshot/bucket.h"
#include "cli/run_atoll.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::snapshot {
namespace {

namespace fs = std::filesystem;
using cli::testing::RunAtoll;
using cli::testing::RunResult;

constexpr const char* kSnapshotTs = "2021-01-01T08:30:00Z";

struct Source {
  std::map<std::string, int64_t> per_region;  // "r0" → rows
  int64_t total = 0;
  int n_files = 0;
  int n_csv = 0;
};

// 36 files of 150-349 rows each, consecutive ids; even files CSV.gz, odd files Parquet.
Source Generate(const std::string& dir) {
  fs::create_directories(dir);
  Source s;
  engine::EngineOptions engine_options;
  engine_options.threads = 1;
  auto engine = engine::Engine::Open(engine_options);
  EXPECT_TRUE(engine.ok());
  int64_t next_id = 0;
  for (int i = 0; i < 36; ++i) {
    const int64_t rows = 150 + (i * 37) % 200;
    const bool csv = i % 2 == 0;
    const std::string path =
        StrCat(dir, "/export-", i < 10 ? "0" : "", i, csv ? ".csv.gz" : ".parquet");
    const std::string select = StrCat(
        "SELECT i AS id, 'r' || (i % 4) AS region, (i % 2)::INTEGER AS bucket, i * 1.5 AS "
        "amount, 'name ' || i AS name FROM range(",
        next_id, ", ", next_id + rows, ") t(i)");
    Status st = (*engine)->Execute(
        StrCat("COPY (", select, ") TO ", engine::QuoteString(path),
               csv ? " (FORMAT csv, HEADER true, COMPRESSION gzip)" : " (FORMAT parquet)"));
    EXPECT_TRUE(st.ok()) << st.ToString();
    for (int64_t id = next_id; id < next_id + rows; ++id) ++s.per_region[StrCat("r", id % 4)];
    next_id += rows;
    s.total += rows;
    ++s.n_files;
    if (csv) ++s.n_csv;
  }
  return s;
}

// `atoll snapshot run` of the test's export into `lake`, partitioned by region.
std::vector<std::string> RunArgs(const std::string& lake, const std::string& src,
                                 const std::string& group_size = "16K",
                                 const std::string& target_file_size = "32K") {
  return {"snapshot",
          "run",
          "--lake",
          lake,
          "--db",
          "shop",
          "--table",
          "orders",
          "--snapshot",
          kSnapshotTs,
          "--source",
          src,
          "--partition",
          "region",
          "--group-size",
          group_size,
          "--target-file-size",
          target_file_size,
          "--parallel",
          "2"};
}

struct TableCounts {
  std::map<std::string, int64_t> rows;
  int64_t total = 0;
  int64_t distinct_ids = 0;
};

// Rows per region and distinct ids of stg.shop.orders, read back through `atoll query`.
TableCounts CountTable(const std::string& lake,
                       const std::map<std::string, std::string>& env = {}) {
  TableCounts c;
  RunResult r = RunAtoll({"query", lake,
                          "SELECT region, count(*), count(DISTINCT id) FROM "
                          "stg.shop.orders GROUP BY ALL ORDER BY 1",
                          "--format", "csv"},
                         "", env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::istringstream in(r.out);
  std::string line;
  std::getline(in, line);  // header
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    std::vector<std::string> cells;
    std::stringstream ss(line);
    std::string cell;
    while (std::getline(ss, cell, ',')) cells.push_back(cell);
    EXPECT_EQ(cells.size(), 3u) << line;
    if (cells.size() != 3) continue;
    c.rows[cells[0]] = std::stoll(cells[1]);
    c.total += std::stoll(cells[1]);
    c.distinct_ids += std::stoll(cells[2]);
  }
  return c;
}

void ExpectTableMatches(const std::string& lake, const Source& src,
                        const std::map<std::string, std::string>& env = {}) {
  TableCounts c = CountTable(lake, env);
  EXPECT_EQ(c.total, src.total);
  EXPECT_EQ(c.distinct_ids, src.total) << "duplicated rows";
  EXPECT_EQ(c.rows, src.per_region);
}

std::string StagingDir(const std::string& work) {
  return StrCat(work, "/staging/shop/orders/snapshot=", kSnapshotTs);
}

Json ReadJson(const std::string& path) { return Json::parse(testing::ReadFile(path)); }

int64_t CountFiles(const std::string& dir) {
  int64_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".parquet") ++n;
  }
  return n;
}

// Starts `atoll args...` (stdout and stderr to /dev/null); returns its pid.
pid_t Spawn(const std::vector<std::string>& args) {
  std::vector<std::string> words = {ATOLL_BINARY};
  words.insert(words.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& w : words) argv.push_back(w.data());
  argv.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    execv(argv[0], argv.data());
    _exit(127);
  }
  return pid;
}

// The running children of `pid` (its worker processes), from /proc; a worker that has
// already exited (a zombie until the run reaps it) is not one a kill can stop.
std::vector<pid_t> Children(pid_t pid) {
  std::ifstream in(StrCat("/proc/", pid, "/task/", pid, "/children"));
  std::vector<pid_t> out;
  pid_t child;
  while (in >> child) {
    std::ifstream stat(StrCat("/proc/", child, "/stat"));
    std::string line;
    std::getline(stat, line);
    const size_t paren = line.rfind(')');  // "pid (comm) S ..."
    if (paren == std::string::npos || paren + 2 >= line.size() || line[paren + 2] == 'Z') continue;
    out.push_back(child);
  }
  return out;
}

class SnapshotRunTest : public ::testing::Test {
 protected:
  // Workers killed with SIGKILL leave their scratch directories behind: keep them (via
  // TMPDIR, inherited by every atoll process) inside this test's directory.
  void SetUp() override {
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_tmpdir_ = old;
    fs::create_directories(tmp_.Join("scratch"));
    setenv("TMPDIR", tmp_.Join("scratch").c_str(), 1);
    lake_ = tmp_.Join("lake");
    src_dir_ = tmp_.Join("src");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
    source_ = Generate(src_dir_);
  }
  void TearDown() override {
    if (old_tmpdir_) {
      setenv("TMPDIR", old_tmpdir_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
  }
  testing::TempDir tmp_;
  std::optional<std::string> old_tmpdir_;
  std::string lake_, src_dir_;
  Source source_;
};

TEST_F(SnapshotRunTest, FullRunMatchesSourceAndReRunsChangeNothing) {
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json report = Json::parse(r.out);
  EXPECT_TRUE(report["validation_ok"].get<bool>());
  EXPECT_GT(report["snapshot_file_groups"].get<int64_t>(), 4);
  EXPECT_EQ(report["rows"].get<int64_t>(), source_.total);
  ExpectTableMatches(lake_, source_);
  const std::string staging = StagingDir(lake_);
  Json validation = ReadJson(staging + "/validation.json");
  EXPECT_TRUE(validation["ok"].get<bool>());
  EXPECT_EQ(validation["partitions"].size(), 4u);
  EXPECT_EQ(validation["source"]["files_without_count"].get<int64_t>(), source_.n_csv);
  // The snapshot manifest lists every file; Parquet counts come from footers.
  Json manifest = ReadJson(staging + "/manifests/manifest-summary.json");
  EXPECT_EQ(manifest["n_file"].get<int>(), source_.n_files);

  // The lake recorded the run: the table's creation and its one append in the trail (and
  // its audit table), a statistics row whose record count is the table's.
  r = RunAtoll({"trail", "verify", lake_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  r = RunAtoll({"query", lake_,
                "SELECT string_agg(operation, ',' ORDER BY seq) FROM trail.atoll.audit WHERE "
                "\"table\" = 'stg.shop.orders'",
                "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("create,append"), std::string::npos) << r.out;
  r = RunAtoll({"query", lake_,
                "SELECT record_count FROM stats.atoll.tables WHERE table_name = 'stg.shop.orders'",
                "--format", "csv"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(std::to_string(source_.total)), std::string::npos) << r.out;

  // The whole run again: nothing new.
  r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["commit"]["skipped"], "already committed");
  ExpectTableMatches(lake_, source_);

  // A stage worker forced to run again writes the same files and counts.
  const std::string summary =
      staging + "/manifests/staging-file-groups/group=0/manifest-summary.json";
  auto staged_files = [&]() {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(staging + "/datalake")) {
      if (e.path().filename().string().rfind("g00000-", 0) == 0) out.insert(e.path().string());
    }
    return out;
  };
  const Json before = ReadJson(summary);
  const std::set<std::string> files_before = staged_files();
  ASSERT_FALSE(files_before.empty());
  for (int i = 0; i < 2; ++i) {
    r = RunAtoll({"snapshot", "stage", staging, "--index", "0", "--force"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(ReadJson(summary), before);
  EXPECT_EQ(staged_files(), files_before);
  // Compact workers of a committed run do nothing; the index may come from the environment.
  r = RunAtoll({"snapshot", "compact", staging, "--force"}, "", {{"JOB_COMPLETION_INDEX", "0"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["skipped"], "already committed");
  r = RunAtoll({"snapshot", "validate", staging});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ExpectTableMatches(lake_, source_);
  r = RunAtoll({"snapshot", "status", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["phase"], "done");
}

TEST_F(SnapshotRunTest, KilledWorkersResumeToTheSameRows) {
  const std::string staging = StagingDir(lake_);
  // A stage worker dies (SIGKILL after uploading part of its output).
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_), "", {{"ATOLL_SNAPSHOT_CRASH", "stage:1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("stage worker for group 1 was killed by signal 9"), std::string::npos)
      << r.err;
  r = RunAtoll({"snapshot", "status", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json status = Json::parse(r.out);
  EXPECT_EQ(status["phase"], "stage");
  EXPECT_LT(status["stage"]["done"].get<int64_t>(), status["stage"]["groups"].get<int64_t>());
  // Resumed; now a compact worker dies after writing its data files.
  r = RunAtoll(RunArgs(lake_, src_dir_), "", {{"ATOLL_SNAPSHOT_CRASH", "compact:1"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("compact worker for group 1 was killed by signal 9"), std::string::npos)
      << r.err;
  // Resumed; now the run itself dies just before its commit.
  r = RunAtoll(RunArgs(lake_, src_dir_), "", {{"ATOLL_SNAPSHOT_CRASH", "commit:0"}});
  EXPECT_EQ(r.exit_code, -1) << r.err;
  EXPECT_EQ(CountTable(lake_).total, 0);
  // Resumed to the end.
  r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectTableMatches(lake_, source_);
  // The killed compact worker's files were replaced, not left behind.
  Json validation = ReadJson(staging + "/validation.json");
  EXPECT_EQ(CountFiles(lake_ + "/stg/shop/orders/data"), validation["final_files"].get<int64_t>());
}

// kill -9 from outside: a worker of a running `snapshot run` is killed at a random moment,
// a few times over; the run then resumes to exactly the source's rows.
TEST_F(SnapshotRunTest, WorkersKilledFromOutsideConverge) {
  std::mt19937 rng(20261204);
  int kills = 0;
  for (int round = 0; round < 4; ++round) {
    const pid_t run = Spawn(RunArgs(lake_, src_dir_));
    ASSERT_GT(run, 0);
    // A whole run of this export takes well under a second on a quiet machine: kill
    // within its first half second.
    const auto delay = std::chrono::milliseconds(rng() % 500);
    const auto start = std::chrono::steady_clock::now();
    bool killed = false;
    int status = 0;
    while (waitpid(run, &status, WNOHANG) == 0) {
      if (!killed && std::chrono::steady_clock::now() - start >= delay) {
        std::vector<pid_t> workers = Children(run);
        if (!workers.empty() && kill(workers[rng() % workers.size()], SIGKILL) == 0) {
          killed = true;
          ++kills;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    // A run whose worker was killed mid-step fails and says to run again; a worker killed
    // after it wrote its marker has done its group, so that run may still succeed. Either
    // way the runs below must converge to the source's rows.
  }
  EXPECT_GE(kills, 1) << "the workers finished before they could be killed";
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectTableMatches(lake_, source_);
  Json validation = ReadJson(StagingDir(lake_) + "/validation.json");
  EXPECT_TRUE(validation["ok"].get<bool>());
  EXPECT_EQ(CountFiles(lake_ + "/stg/shop/orders/data"), validation["final_files"].get<int64_t>());
}

// True once `pid` has ended (gone from /proc, or a zombie no one has reaped yet).
bool Ended(pid_t pid) {
  std::ifstream in(StrCat("/proc/", pid, "/stat"));
  std::string line;
  if (!std::getline(in, line)) return true;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] == 'Z';
}

// kill -9 of `snapshot run` itself: its workers die with it (none is left to race the
// workers of the run that resumes it), and the resumed run ends with the source's rows.
TEST_F(SnapshotRunTest, AKilledRunTakesItsWorkersWithIt) {
  setenv("ATOLL_SNAPSHOT_STALL", "stage:0", 1);  // the worker of group 0 sleeps 60 s
  const pid_t run = Spawn(RunArgs(lake_, src_dir_));
  unsetenv("ATOLL_SNAPSHOT_STALL");
  ASSERT_GT(run, 0);
  std::vector<pid_t> workers;
  const auto start = std::chrono::steady_clock::now();
  while (workers.empty() && std::chrono::steady_clock::now() - start < std::chrono::seconds(30)) {
    workers = Children(run);
    if (workers.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_FALSE(workers.empty()) << "the run started no worker";
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // group 0's worker stalls
  ASSERT_EQ(kill(run, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(run, &status, 0), run);
  for (pid_t w : workers) {
    const auto killed = std::chrono::steady_clock::now();
    while (!Ended(w) && std::chrono::steady_clock::now() - killed < std::chrono::seconds(5)) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(Ended(w)) << "worker " << w << " outlived its run";
  }
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectTableMatches(lake_, source_);
  Json validation = ReadJson(StagingDir(lake_) + "/validation.json");
  EXPECT_EQ(CountFiles(lake_ + "/stg/shop/orders/data"), validation["final_files"].get<int64_t>());
}

// `emit`: Kubernetes Jobs (Indexed for the worker steps, one completion per group, no
// second pod of an index while the first terminates) and a Step Functions state machine
// of Batch jobs (arrays of the groups' size), in step order; a worker started as an
// Indexed Job starts it (JOB_COMPLETION_INDEX) finds its group.
TEST_F(SnapshotRunTest, EmittedDefinitionsRunEveryGroupInOrder) {
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json report = Json::parse(r.out);
  const int64_t n_stage = report["snapshot_file_groups"].get<int64_t>();
  const int64_t n_compact = report["partition_file_groups"].get<int64_t>();
  ASSERT_GT(n_stage, 1);
  ASSERT_GT(n_compact, 1);
  const std::string staging = StagingDir(lake_);

  r = RunAtoll({"snapshot", "emit", "k8s", staging, "--image", "registry/atoll:1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> jobs;
  std::string yaml = r.out;
  for (size_t at = 0; at != std::string::npos;) {
    const size_t next = yaml.find("\n---\n", at);
    jobs.push_back(yaml.substr(at, next == std::string::npos ? next : next - at));
    at = next == std::string::npos ? next : next + 5;
  }
  ASSERT_EQ(jobs.size(), 5u) << yaml;
  const std::vector<std::string> steps = {"stage", "plan-compaction", "compact", "commit",
                                          "validate"};
  for (size_t k = 0; k < steps.size(); ++k) {
    SCOPED_TRACE(steps[k]);
    const std::string& job = jobs[k];
    EXPECT_NE(job.find("kind: Job"), std::string::npos);
    EXPECT_NE(job.find(StrCat("args: [\"snapshot\", \"", steps[k], "\", \"", staging, "\"]")),
              std::string::npos)
        << job;
    EXPECT_NE(job.find("image: registry/atoll:1"), std::string::npos);
    EXPECT_NE(job.find("podReplacementPolicy: Failed"), std::string::npos);
    const bool indexed = steps[k] == "stage" || steps[k] == "compact";
    EXPECT_EQ(job.find("completionMode: Indexed") != std::string::npos, indexed);
    if (indexed) {
      EXPECT_NE(job.find(StrCat("completions: ", steps[k] == "stage" ? n_stage : n_compact, "\n")),
                std::string::npos)
          << job;
    }
  }

  r = RunAtoll({"snapshot", "emit", "stepfunctions", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json sm = Json::parse(r.out);
  std::string state = sm["StartAt"].get<std::string>();
  for (const std::string& step : steps) {
    ASSERT_EQ(state, step);
    const Json& s = sm["States"][step];
    EXPECT_EQ(s["Resource"], "arn:aws:states:::batch:submitJob.sync");
    const Json& command = s["Parameters"]["ContainerOverrides"]["Command"];
    EXPECT_EQ(command[1], step);
    EXPECT_EQ(command[2], staging);
    if (step == "stage" || step == "compact") {
      EXPECT_EQ(s["Parameters"]["ArrayProperties"]["Size"].get<int64_t>(),
                step == "stage" ? n_stage : n_compact);
    }
    state = s.value("Next", "");
  }
  EXPECT_EQ(state, "");

  // As a pod of the Indexed Job would run it: the index from the environment.
  r = RunAtoll({"snapshot", "compact", staging}, "", {{"JOB_COMPLETION_INDEX", "1"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["group"].get<int64_t>(), 1);
  r = RunAtoll({"snapshot", "compact", staging}, "", {{"JOB_COMPLETION_INDEX", "x"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("JOB_COMPLETION_INDEX"), std::string::npos) << r.err;
}

// Two attempts at each compact group at once (an orchestrator that retries too early, two
// runs started by mistake): neither deletes files the other records; the commit keeps one
// attempt's files per group and removes the rest.
TEST_F(SnapshotRunTest, ConcurrentCompactAttemptsAreSafe) {
  std::vector<std::string> args = RunArgs(lake_, src_dir_);
  args[1] = "plan";
  RunResult r = RunAtoll(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string staging = StagingDir(lake_);
  const int64_t n_stage = Json::parse(r.out)["n_groups"].get<int64_t>();
  for (int64_t i = 0; i < n_stage; ++i) {
    r = RunAtoll({"snapshot", "stage", staging, "--index", std::to_string(i)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  r = RunAtoll({"snapshot", "plan-compaction", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const int64_t n_compact = Json::parse(r.out)["n_groups"].get<int64_t>();
  ASSERT_GT(n_compact, 1);
  std::vector<pid_t> attempts;
  for (int64_t j = 0; j < n_compact; ++j) {
    for (int copy = 0; copy < 2; ++copy) {
      attempts.push_back(Spawn({"snapshot", "compact", staging, "--index", std::to_string(j)}));
    }
  }
  for (pid_t pid : attempts) {
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "an attempt failed";
  }
  r = RunAtoll({"snapshot", "commit", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunAtoll({"snapshot", "validate", staging});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ExpectTableMatches(lake_, source_);
  Json validation = ReadJson(staging + "/validation.json");
  EXPECT_TRUE(validation["ok"].get<bool>());
  EXPECT_EQ(CountFiles(lake_ + "/stg/shop/orders/data"), validation["final_files"].get<int64_t>());
}

// A finished run run again after its snapshot was expired from the table (a later run
// into the same table, then `atoll maintain`): its commit marker keeps it from appending
// its files a second time.
TEST_F(SnapshotRunTest, AFinishedRunStaysDoneAfterItsSnapshotExpires) {
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> later = RunArgs(lake_, src_dir_);
  auto ts = std::find(later.begin(), later.end(), "--snapshot");
  ASSERT_NE(ts, later.end());
  *(ts + 1) = "2021-01-02T08:30:00Z";
  r = RunAtoll(later);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunAtoll(
      {"maintain", lake_, "stg.shop.orders", "--expire-older-than", "0s", "--retain-last", "1"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["commit"].value("skipped", ""), "already committed") << r.out;
  EXPECT_EQ(CountTable(lake_).total, 2 * source_.total);
}

TEST_F(SnapshotRunTest, TamperedCountsFailValidation) {
  RunResult r = RunAtoll(RunArgs(lake_, src_dir_));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string staging = StagingDir(lake_);
  const std::string summary =
      staging + "/manifests/staging-file-groups/group=0/manifest-summary.json";
  Json doc = ReadJson(summary);
  ASSERT_FALSE(doc["partitions"].empty());
  auto first = doc["partitions"].begin();
  (*first)["n_record"] = first->value("n_record", int64_t{0}) + 1;
  testing::WriteFile(summary, doc.dump());
  r = RunAtoll({"snapshot", "validate", staging});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("validation of run shop.orders@"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("partition '" + first.key() + "'"), std::string::npos) << r.err;
  EXPECT_FALSE(ReadJson(staging + "/validation.json")["ok"].get<bool>());
}

TEST_F(SnapshotRunTest, HiveOutputFromAWrittenManifest) {
  const std::string manifest = tmp_.Join("manifest");
  RunResult r = RunAtoll({"snapshot", "manifest", src_dir_, manifest});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Json summary = ReadJson(manifest + "/manifest-summary.json");
  EXPECT_EQ(summary["n_file"].get<int>(), source_.n_files);
  EXPECT_EQ(summary["n_record_unknown"].get<int>(), source_.n_csv);
  const std::string dest = tmp_.Join("datalake/shop/orders_2021_01_01_08_30_00");
  r = RunAtoll({"snapshot",
                "run",
                "--work",
                tmp_.Join("work"),
                "--db",
                "shop",
                "--table",
                "orders",
                "--snapshot",
                kSnapshotTs,
                "--manifest",
                manifest,
                "--partition",
                "region,bucket",
                "--output",
                "hive",
                "--dest",
                dest,
                "--group-size",
                "32K",
                "--target-file-size",
                "32K",
                "--parallel",
                "2"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dest + "/region=r1/bucket=1"));
  EXPECT_FALSE(fs::exists(dest + "/region=r1/bucket=0"));  // ids ≡ 1 mod 4 are odd
  engine::EngineOptions engine_options;
  engine_options.threads = 1;
  auto engine = engine::Engine::Open(engine_options);
  ASSERT_OK(engine);
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult q,
      (*engine)->Query(StrCat("SELECT region, count(*), count(DISTINCT id) FROM read_parquet(",
                              engine::QuoteString(dest + "/**/*.parquet"),
                              ", hive_partitioning = false) GROUP BY ALL ORDER BY 1")));
  std::map<std::string, int64_t> rows;
  for (const engine::Row& row : q.rows) {
    rows[*row[0]] = std::stoll(*row[1]);
    EXPECT_EQ(*row[1], *row[2]) << "duplicated rows in " << *row[0];
  }
  EXPECT_EQ(rows, source_.per_region);

  // A file of the run that no group lists (left by an attempt) goes at the next commit
  // (forced: the commit of a committed run does nothing).
  std::string name;
  for (const auto& f : fs::recursive_directory_iterator(dest)) {
    if (f.path().extension() == ".parquet") name = f.path().filename().string();
  }
  ASSERT_EQ(name.rfind("snap-", 0), 0u) << name;
  const std::string stale =
      dest + "/region=r1/bucket=1/" + name.substr(0, name.find("-p") + 2) + "99999-0-0.parquet";
  testing::WriteFile(stale, "left by a killed attempt");
  const std::string staging = tmp_.Join("work") + "/staging/shop/orders/snapshot=" + kSnapshotTs;
  r = RunAtoll({"snapshot", "commit", staging});  // committed: nothing to do
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out).value("skipped", ""), "already committed") << r.out;
  EXPECT_TRUE(fs::exists(stale));
  r = RunAtoll({"snapshot", "commit", staging, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Json::parse(r.out)["removed_files"].get<int64_t>(), 1);
  EXPECT_FALSE(fs::exists(stale));
}

// The same pipeline with the export and the lake on the S3 test server (s3rver, which
// ignores conditional writes: the lake has a SQLite catalog): a run killed just before its
// commit resumes to exactly the source's rows.
// File sizes (grouping.h, compact.cc): 24 Parquet files of 40,000-95,000 rows in two
// partitions (about 9 MB each), compacted for files of 2 MiB, with the run's codec `codec`
// ("" for the default, zstd). Every output file but the smallest of each partition is
// within ±20% of the target, whatever the ratio of output to staging bytes; the rows are
// those of the source; every file and the table's write property have the codec.
void ExpectFilesCutToTheTarget(const std::string& lake, const std::string& src,
                               const std::string& codec) {
  fs::create_directories(src);
  auto engine = engine::Engine::Open();
  ASSERT_TRUE(engine.ok());
  std::map<std::string, int64_t> expected;
  int64_t next_id = 0;
  for (int i = 0; i < 24; ++i) {
    const int64_t rows = 40000 + (i * 7919) % 55000;
    ASSERT_OK((*engine)->Execute(
        StrCat("COPY (SELECT i AS id, 'r' || (i % 2) AS region, (i * 104729) % 1000000 / 100.0 AS "
               "amount, md5(CAST(i AS VARCHAR)) AS note FROM range(",
               next_id, ", ", next_id + rows, ") t(i)) TO ",
               engine::QuoteString(StrCat(src, "/part-", i < 10 ? "0" : "", i, ".parquet")),
               " (FORMAT parquet)")));
    for (int64_t id = next_id; id < next_id + rows; ++id) ++expected[StrCat("r", id % 2)];
    next_id += rows;
  }
  std::vector<std::string> args = RunArgs(lake, src, "3M", "2M");
  if (!codec.empty()) {
    args.push_back("--compression");
    args.push_back(codec);
  }
  RunResult r = RunAtoll(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  TableCounts c = CountTable(lake);
  EXPECT_EQ(c.rows, expected);
  EXPECT_EQ(c.distinct_ids, next_id);

  const double target = 2.0 * 1024 * 1024;
  int counted = 0, within = 0;
  const std::string data = lake + "/stg/shop/orders/data";
  for (const auto& dir : fs::directory_iterator(data)) {
    std::vector<int64_t> sizes;
    for (const auto& f : fs::directory_iterator(dir.path())) {
      sizes.push_back(static_cast<int64_t>(f.file_size()));
    }
    std::sort(sizes.begin(), sizes.end());
    ASSERT_GE(sizes.size(), 3u) << dir.path();
    for (size_t k = 1; k < sizes.size(); ++k) {
      ++counted;
      const double ratio = static_cast<double>(sizes[k]) / target;
      if (ratio >= 0.8 && ratio <= 1.2) {
        ++within;
      } else {
        ADD_FAILURE() << dir.path() << ": a file of " << sizes[k] << " bytes";
      }
    }
  }
  EXPECT_GE(counted, 4);
  EXPECT_EQ(within, counted);

  const std::string expected_codec = codec.empty() ? "ZSTD" : "SNAPPY";
  ASSERT_OK_AND_ASSIGN(engine::QueryResult codecs,
                       (*engine)->Query(StrCat("SELECT DISTINCT compression FROM parquet_metadata(",
                                               engine::QuoteString(data + "/*/*.parquet"), ")")));
  ASSERT_EQ(codecs.rows.size(), 1u);
  EXPECT_EQ(*codecs.rows[0][0], expected_codec);
  std::vector<std::string> metadata;  // <version>-<uuid>.metadata.json, the last is current
  for (const auto& f : fs::directory_iterator(lake + "/stg/shop/orders/metadata")) {
    const std::string name = f.path().filename().string();
    if (name.size() > 14 && name.substr(name.size() - 14) == ".metadata.json")
      metadata.push_back(f.path().string());
  }
  ASSERT_FALSE(metadata.empty());
  std::sort(metadata.begin(), metadata.end());
  EXPECT_EQ(ReadJson(metadata.back())["properties"].value("write.parquet.compression-codec", ""),
            codec.empty() ? "zstd" : codec);
}

TEST_F(SnapshotRunTest, OutputFilesAreCutToTheTargetSize) {
  ExpectFilesCutToTheTarget(lake_, tmp_.Join("big"), "");
}

// --compression snappy: staging and final files in snappy (twice zstd's bytes here), cut
// to the target all the same.
TEST_F(SnapshotRunTest, ASnappyRunCutsItsFilesToTheTargetSize) {
  ExpectFilesCutToTheTarget(lake_, tmp_.Join("big"), "snappy");
}

TEST_F(SnapshotRunTest, AnUnknownCodecIsRefused) {
  std::vector<std::string> args = RunArgs(lake_, src_dir_);
  args.push_back("--compression");
  args.push_back("lzo");
  RunResult r = RunAtoll(args);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("lzo"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(StagingDir(lake_))) << "a refused run wrote its staging area";
}

TEST_F(SnapshotRunTest, RunsOnS3AndResumesAfterAKill) {
  ATOLL_REQUIRE_TEST_SERVER(config, "S3RVER");
  std::map<std::string, std::string> env = storage::testing::S3ClientEnv(*config);
  env["ATOLL_ALLOW_CATALOG"] = "sqlite://" + tmp_.Join("catalog.db");  // a catalog outside the lake
  auto lake_bucket = storage::testing::OpenFreshBucket(*config, "snaplake", &config_reason);
  ASSERT_NE(lake_bucket, nullptr) << config_reason;
  auto src_bucket = storage::testing::OpenFreshBucket(*config, "snapsrc", &config_reason);
  ASSERT_NE(src_bucket, nullptr) << config_reason;
  const std::string lake = "s3://" + lake_bucket->config().bucket;
  const std::string src = "s3://" + src_bucket->config().bucket + "/export/";
  RunResult r = RunAtoll({"cp", "-r", src_dir_, src}, "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = RunAtoll({"init", lake, "--catalog", "sqlite://" + tmp_.Join("catalog.db")}, "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;

  std::map<std::string, std::string> crash = env;
  crash["ATOLL_SNAPSHOT_CRASH"] = "commit:0";
  r = RunAtoll(RunArgs(lake, src), "", crash);
  EXPECT_EQ(r.exit_code, -1) << r.err;
  r = RunAtoll(RunArgs(lake, src), "", env);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(Json::parse(r.out)["validation_ok"].get<bool>()) << r.out;
  ExpectTableMatches(lake, source_, env);
  r = RunAtoll({"trail", "verify", lake}, "", env);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

}  // namespace
}  // namespace atl::snapshot
