#include "atoll/snapshot/runner.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>

#include "atoll/snapshot/report_json.h"

namespace atl::snapshot {

namespace {

Result<int64_t> ParseIndex(const std::string& text, std::string_view what) {
  if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos ||
      text.size() > 12) {
    return InvalidArgument(what, " must be a non-negative integer, got '", text, "'");
  }
  return std::stoll(text);
}

std::string Describe(int status) {
  if (WIFEXITED(status)) return StrCat("exited with status ", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return StrCat("was killed by signal ", WTERMSIG(status));
  return "stopped";
}

}  // namespace

Result<int64_t> WorkerIndex(std::optional<std::string> flag) {
  if (flag) return ParseIndex(*flag, "--index");
  for (const char* var : {"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}) {
    const char* v = std::getenv(var);
    if (v != nullptr && *v != '\0') return ParseIndex(v, var);
  }
  return InvalidArgument(
      "no group index: give --index or set JOB_COMPLETION_INDEX / AWS_BATCH_JOB_ARRAY_INDEX");
}

Status RunWorkers(const std::string& self_exe, const std::string& step,
                  const std::string& staging_uri, const std::vector<int64_t>& indices, int parallel,
                  int threads, const std::function<void(const std::string&)>& log) {
  std::map<pid_t, int64_t> running;
  size_t next = 0;
  std::string failure;
  while (next < indices.size() || !running.empty()) {
    while (failure.empty() && next < indices.size() &&
           static_cast<int>(running.size()) < std::max(parallel, 1)) {
      const int64_t index = indices[next++];
      std::vector<std::string> args = {self_exe,    "snapshot",
                                       step,        staging_uri,
                                       "--index",   std::to_string(index),
                                       "--threads", std::to_string(threads)};
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      const pid_t parent = getpid();
      pid_t pid = fork();
      if (pid < 0) return ErrnoToStatus(errno, "starting a worker (fork)");
      if (pid == 0) {
        // A worker dies with the run that started it, so that a run killed with SIGKILL
        // leaves no worker behind to race the workers of the run that resumes it (two
        // attempts at one group at once; see steps.h). getppid() covers a parent that died
        // before prctl.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) _exit(126);
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, STDOUT_FILENO);
        execv(argv[0], argv.data());
        _exit(127);
      }
      running[pid] = index;
      if (log) log(StrCat(step, " worker for group ", index, " started (pid ", pid, ")"));
    }
    if (running.empty()) break;
    int status = 0;
    pid_t pid = waitpid(-1, &status, 0);
    if (pid < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "waiting for workers");
    }
    auto it = running.find(pid);
    if (it == running.end()) continue;
    const int64_t index = it->second;
    running.erase(it);
    const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (log) log(StrCat(step, " worker for group ", index, ok ? " done" : " " + Describe(status)));
    if (!ok && failure.empty()) {
      failure = StrCat(step, " worker for group ", index, " ", Describe(status));
    }
  }
  if (!failure.empty()) return IOError(failure, "; run again to resume");
  return Status::OK();
}

Result<RunReport> RunSnapshot(const RunOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  std::string self = options.self_exe;
  if (self.empty()) {
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n <= 0) return ErrnoToStatus(errno, "finding the atoll binary (/proc/self/exe)");
    self.assign(buf, static_cast<size_t>(n));
  }
  auto log = [&options](const std::string& line) {
    if (options.log) options.log(line);
  };
  PlanOptions plan = options.plan;
  plan.config.workers_hint = options.parallel;
  ATOLL_ASSIGN_OR_RETURN(PlanReport planned, Plan(plan));
  log(StrCat("planned: ", planned.n_groups, " snapshot file groups"));
  ATOLL_ASSIGN_OR_RETURN(Bucket staging, OpenBucket(plan.config.StagingUri()));
  WorkerOptions wo;
  wo.threads = plan.threads;

  auto pending = [&staging](std::string_view step, int64_t n) -> Result<std::vector<int64_t>> {
    ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> done, internal::DoneGroups(staging, step));
    std::vector<int64_t> out;
    size_t k = 0;
    for (int64_t i = 0; i < n; ++i) {
      while (k < done.size() && done[k] < i) ++k;
      if (k < done.size() && done[k] == i) continue;
      out.push_back(i);
    }
    return out;
  };

  ATOLL_ASSIGN_OR_RETURN(int64_t n_stage, SnapshotGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> todo, pending("stage", n_stage));
  log(StrCat("stage: ", n_stage - static_cast<int64_t>(todo.size()), " of ", n_stage,
             " groups already done"));
  ATOLL_RETURN_NOT_OK(RunWorkers(self, "stage", staging.root_uri, todo, options.parallel,
                                 options.worker_threads, log));
  ATOLL_RETURN_NOT_OK(PlanCompaction(staging, wo).status());
  ATOLL_ASSIGN_OR_RETURN(int64_t n_compact, PartitionGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(todo, pending("compact", n_compact));
  log(StrCat("compact: ", n_compact - static_cast<int64_t>(todo.size()), " of ", n_compact,
             " groups already done"));
  ATOLL_RETURN_NOT_OK(RunWorkers(self, "compact", staging.root_uri, todo, options.parallel,
                                 options.worker_threads, log));
  ATOLL_ASSIGN_OR_RETURN(CommitReport commit, Commit(staging, wo));
  log(StrCat("commit: ", ToJson(commit).dump()));
  ATOLL_ASSIGN_OR_RETURN(ValidationReport validation, Validate(staging, wo));
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RunReport report;
  report.run_id = plan.config.RunId();
  report.staging = staging.root_uri;
  report.snapshot_file_groups = n_stage;
  report.partition_file_groups = n_compact;
  report.commit = std::move(commit);
  report.rows = validation.final_records;
  report.final_files = validation.final_files;
  report.final_bytes = validation.final_bytes;
  report.validation_ok = validation.ok;
  report.seconds = seconds;
  return report;
}

}  // namespace atl::snapshot
