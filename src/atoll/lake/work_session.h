// WorkSession: the local scratch directory and the embedded DuckDB of one prepare or
// ingest run.
//
// The directory is `work_dir` when given (created if needed, left in place), else a fresh
// ScratchDir "$TMPDIR/atoll-<name>-XXXXXX" removed with the session; one left by a killed
// process is removed by the next session that starts (common/scratch_dir.h). DuckDB spills to
// "<dir>/duckdb" within the lake's prepare.memory_limit and buffers uploads in <dir>.
// For lakes that are not local directories, the engine reads and writes the lake's URIs
// ("s3://bucket/...", "memory://...") through the lake's own store (other buckets of the
// same scheme are opened from the environment).
//
// Thread safety: the engine's rule (one thread at a time).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/common/scratch_dir.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

class WorkSession {
 public:
  static Result<std::unique_ptr<WorkSession>> Open(const Lake& lake, const std::string& work_dir,
                                                   int threads, std::string_view name);
  ~WorkSession();
  WorkSession(const WorkSession&) = delete;
  WorkSession& operator=(const WorkSession&) = delete;

  engine::Engine& engine() { return *engine_; }
  const std::string& dir() const { return dir_; }

 private:
  WorkSession() = default;
  ScratchDir scratch_;  // declared before engine_: destroyed after it
  std::string dir_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace atl::lake
