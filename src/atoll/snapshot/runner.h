// Running a whole snapshot run locally: `atoll snapshot run --parallel N`.
//
// RunSnapshot plans (in this process), then runs the stage workers of every snapshot file
// group without a done marker as child processes — `<self> snapshot stage <staging> --index
// i` (fork + exec of this very binary), at most `parallel` at once — then plans compaction,
// runs the compact workers the same way, commits and validates. Each step is idempotent
// (steps.h), so running it again after any failure or kill resumes where it stopped.
//
// A worker that fails or dies stops the run once the running workers have finished:
// kIOError "stage worker for group 3 was killed by signal 9; run again to resume".
//
// Worker indices for array jobs: WorkerIndex() takes --index when given, else
// JOB_COMPLETION_INDEX (Kubernetes Indexed Job), else AWS_BATCH_JOB_ARRAY_INDEX.
//
// Thread safety: one RunSnapshot per process at a time (it waits for its children).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/snapshot/steps.h"

namespace atl::snapshot {

struct RunOptions {
  PlanOptions plan;
  int parallel = 2;
  int worker_threads = 1;                       // DuckDB threads per worker
  std::string self_exe;                         // the atoll binary; "" = /proc/self/exe
  std::function<void(const std::string&)> log;  // one line per event
};

Result<RunReport> RunSnapshot(const RunOptions& options);

// Runs `<self> snapshot <step> <staging_uri> --index i --threads t` for each index, at most
// `parallel` at once. Children's reports (stdout) are dropped; their errors go to
// this process's stderr.
Status RunWorkers(const std::string& self_exe, const std::string& step,
                  const std::string& staging_uri, const std::vector<int64_t>& indices, int parallel,
                  int threads, const std::function<void(const std::string&)>& log);

// The group index of a worker: `flag` when given, else the array-job environment.
// kInvalidArgument when none is set or the value is not a non-negative integer.
Result<int64_t> WorkerIndex(std::optional<std::string> flag);

}  // namespace atl::snapshot
