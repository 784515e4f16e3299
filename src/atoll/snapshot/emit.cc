#include "atoll/snapshot/emit.h"

#include "atoll/snapshot/layout.h"
#include "atoll/snapshot/steps.h"

namespace atl::snapshot {

namespace {

std::string Name(const RunConfig& c) {
  std::string out = StrCat("atoll-snapshot-", c.db, "-", c.table);
  for (char& ch : out) {
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '-') ch = '-';
    ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  }
  return out.substr(0, 50);
}

std::string K8sJob(const std::string& name, const std::string& image, const std::string& step,
                   const std::string& staging, int64_t completions, int parallel) {
  std::string indexed = completions > 0
                            ? StrCat("  completionMode: Indexed\n  completions: ", completions,
                                     "\n  parallelism: ", parallel,
                                     "\n  backoffLimitPerIndex: 3\n"
                                     // a retry only once the failed pod is gone: never two
                                     // attempts at one index at once (steps.h)
                                     "  podReplacementPolicy: Failed\n")
                            : std::string("  backoffLimit: 3\n  podReplacementPolicy: Failed\n");
  return StrCat("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: ", name, "-", step,
                "\nspec:\n", indexed, "  template:\n    spec:\n",
                "      restartPolicy: Never\n      containers:\n        - name: ", step,
                "\n          image: ", image, "\n          args: [\"snapshot\", \"", step, "\", \"",
                staging, "\"]\n");
}

}  // namespace

Result<std::string> EmitDefinitions(const Bucket& staging, const EmitOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_stage, SnapshotGroupCount(staging));
  if (n_stage == 0) return InvalidArgument("the run is not planned yet: run 'atoll snapshot plan'");
  ATOLL_ASSIGN_OR_RETURN(int64_t n_compact, PartitionGroupCount(staging));
  const std::string name = Name(config);
  const std::string& uri = staging.root_uri;
  if (options.kind == "k8s") {
    std::string out =
        StrCat("# ", config.RunId(), ": apply in order, each after the previous completes\n");
    out += K8sJob(name, options.image, "stage", uri, n_stage, options.parallel);
    out += "---\n" + K8sJob(name, options.image, "plan-compaction", uri, 0, 1);
    if (n_compact > 0) {
      out += "---\n" + K8sJob(name, options.image, "compact", uri, n_compact, options.parallel);
    } else {
      out += "# compact: emit again after plan-compaction to get its Indexed Job\n";
    }
    out += "---\n" + K8sJob(name, options.image, "commit", uri, 0, 1);
    out += "---\n" + K8sJob(name, options.image, "validate", uri, 0, 1);
    return out;
  }
  if (options.kind == "stepfunctions") {
    auto job = [&](const std::string& step, Json size, const std::string& next) {
      Json params = {{"JobName", StrCat(name, "-", step)},
                     {"JobQueue", options.job_queue},
                     {"JobDefinition", options.job_definition},
                     {"ContainerOverrides", {{"Command", {"snapshot", step, uri}}}}};
      // AWS Batch array jobs have 2 to 10,000 children; one group is a plain job.
      if (size.is_number() && size.get<int64_t>() > 1) params["ArrayProperties"] = {{"Size", size}};
      if (size.is_number() && size.get<int64_t>() == 1) {
        params["ContainerOverrides"]["Command"] = {"snapshot", step, uri, "--index", "0"};
      }
      Json state = {{"Type", "Task"},
                    {"Resource", "arn:aws:states:::batch:submitJob.sync"},
                    {"Parameters", params}};
      if (next.empty()) {
        state["End"] = true;
      } else {
        state["Next"] = next;
      }
      return state;
    };
    Json states;
    Json sm;
    if (n_compact > 0) {
      sm["Comment"] = StrCat("atoll snapshot run ", config.RunId());
      states = {{"stage", job("stage", n_stage, "plan-compaction")},
                {"plan-compaction", job("plan-compaction", nullptr, "compact")},
                {"compact", job("compact", n_compact, "commit")},
                {"commit", job("commit", nullptr, "validate")},
                {"validate", job("validate", nullptr, "")}};
    } else {
      sm["Comment"] = StrCat("atoll snapshot run ", config.RunId(),
                             ": stage and plan-compaction; emit again after plan-compaction for "
                             "compact, commit and validate");
      states = {{"stage", job("stage", n_stage, "plan-compaction")},
                {"plan-compaction", job("plan-compaction", nullptr, "")}};
    }
    sm["StartAt"] = "stage";
    sm["States"] = states;
    return sm.dump(2) + "\n";
  }
  return InvalidArgument("unknown kind '", options.kind, "' (expected k8s or stepfunctions)");
}

}  // namespace atl::snapshot
