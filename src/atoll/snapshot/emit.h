// Definitions for running a planned snapshot run elsewhere: a Kubernetes manifest (one
// Indexed Job per worker step, Jobs for the single steps) or an AWS Step Functions state
// machine (AWS Batch array jobs for the worker steps). Each worker container runs
// `atoll snapshot <step> <staging>` and finds its group index in JOB_COMPLETION_INDEX or
// AWS_BATCH_JOB_ARRAY_INDEX (runner.h).
//
// The run must be planned (the stage group count comes from the plan). The compact step's
// size comes from the compaction plan: before plan-compaction has run, the Kubernetes
// manifest omits the compact Job and the state machine ends after plan-compaction (emit
// again afterwards for the rest). A worker step with a single group becomes a plain Batch
// job whose command says `--index 0` (Batch arrays have at least 2 children).
//
// Errors: kInvalidArgument for an unknown kind or an unplanned run.
// Thread safety: pure apart from reading the staging area.
#pragma once

#include <string>

#include "atoll/common/result.h"
#include "atoll/snapshot/bucket.h"

namespace atl::snapshot {

struct EmitOptions {
  std::string kind;  // "k8s" or "stepfunctions"
  std::string image = "atoll:latest";
  int parallel = 2;
  std::string job_queue = "atoll";       // stepfunctions: AWS Batch job queue
  std::string job_definition = "atoll";  // stepfunctions: AWS Batch job definition
};

Result<std::string> EmitDefinitions(const Bucket& staging, const EmitOptions& options);

}  // namespace atl::snapshot
