// dbt's artefacts (docs/transform.md, "Artefacts"): manifest.json (schema v12) of a loaded
// project, and run_results.json (schema v6) of a run, both valid against dbt's published
// JSON schemas (tests/transform/validate_artifacts.mjs checks them with ajv).
//
// Thread safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "atoll/transform/graph.h"
#include "atoll/transform/project.h"

namespace atl::transform {

struct ArtifactMetadata {
  std::string invocation_id;    // a UUID; "" makes one from the time and a random number
  int64_t generated_at_ms = 0;  // 0: now
};

inline constexpr char kManifestSchema[] = "https://schemas.getdbt.com/dbt/manifest/v12.json";
inline constexpr char kRunResultsSchema[] = "https://schemas.getdbt.com/dbt/run-results/v6.json";

// The manifest of `project`: nodes, sources, macros, parent_map and child_map (from
// `graph`), disabled nodes, metadata; the sections atoll has nothing for are empty.
Json ManifestJson(const Project& project, const Graph& graph, const ArtifactMetadata& meta = {});

// One node's result, as the run code fills it.
struct TimingInfo {
  std::string name;  // "compile" or "execute"
  int64_t started_at_ms = 0;
  int64_t completed_at_ms = 0;
};

struct NodeResult {
  std::string unique_id;
  // Models, seeds, snapshots: "success", "error", "skipped"; tests: "pass", "fail", "warn",
  // "error", "skipped".
  std::string status;
  std::string thread_id = "Thread-1";
  double execution_time = 0;  // seconds
  std::vector<TimingInfo> timing;
  Json adapter_response = Json::object();  // e.g. {"rows_affected": 10}
  std::optional<std::string> message;
  std::optional<int64_t> failures;  // tests: failing rows
  std::optional<std::string> compiled_code;
  std::optional<std::string> relation_name;
};

struct RunResults {
  ArtifactMetadata metadata;
  std::vector<NodeResult> results;
  double elapsed_time = 0;     // seconds
  Json args = Json::object();  // the command's arguments ({"which": "build", …})
};

// kInvalidArgument when a status is not one dbt's schema allows.
Result<Json> RunResultsJson(const RunResults& results);

// "2026-12-08T01:02:03.456000Z" (dbt's timestamp form).
std::string DbtTimestamp(int64_t ms);

// The relation a node builds, quoted: "prd"."shop"."orders".
std::string RelationName(const Node& node);
// "name" with inner double quotes doubled (an SQL identifier).
std::string DoubleQuoted(const std::string& name);
// "prd"."jaffle"."orders": each part in double quotes (inner quotes doubled).
std::string QuotedRelation(const std::string& database, const std::string& schema,
                           const std::string& identifier);

}  // namespace atl::transform
