// manifest.json and run_results.json against dbt's published schemas (manifest v12,
// run-results v6 in ../shared/testdata/dbt), checked by ajv through node
// (validate_artifact.mjs).
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <sstream>

#include "atoll/transform/artifacts.h"
#include "atoll/transform/graph.h"
#include "atoll/transform/loader.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"
#include "transform/jaffle.h"

namespace atl::transform {
namespace {

namespace fs = std::filesystem;

struct Validator {
  std::string node;
  std::string modules;
  std::string schemas;
  std::string skip_reason;
};

Validator FindValidator() {
  Validator v;
  if (auto path = atl::testing::Env("PATH")) {
    std::stringstream ss(*path);
    std::string dir;
    while (std::getline(ss, dir, ':')) {
      if (!dir.empty() && ::access((dir + "/node").c_str(), X_OK) == 0) {
        v.node = dir + "/node";
        break;
      }
    }
  }
  v.modules = atl::testing::Env("ATOLL_NODE_MODULES")
                  .value_or(testing::SourceDir() + "/.deps/node/node_modules");
  if (auto data = atl::testing::TestdataDir()) {
    v.schemas = *data + "/dbt";
  } else if (fs::exists(testing::SourceDir() + "/../shared/testdata/dbt")) {
    v.schemas = testing::SourceDir() + "/../shared/testdata/dbt";
  }
  if (v.node.empty())
    v.skip_reason = "node is not on PATH";
  else if (!fs::exists(v.modules + "/ajv/dist/2020.js"))
    v.skip_reason = "ajv is not installed";
  else if (v.schemas.empty())
    v.skip_reason = "../shared/testdata is missing";
  return v;
}

#define REQUIRE_VALIDATOR(v)                                          \
  do {                                                                \
    if (!(v).skip_reason.empty()) {                                   \
      if (atl::testing::ServersRequired()) FAIL() << (v).skip_reason; \
      GTEST_SKIP() << (v).skip_reason;                                \
    }                                                                 \
  } while (0)

// Runs ajv; returns its exit code and output.
cli::testing::RunResult Validate(const Validator& v, const std::string& schema,
                                 const std::string& doc_path) {
  return cli::testing::RunProgram({v.node,
                                   testing::SourceDir() + "/tests/transform/validate_artifact.mjs",
                                   v.modules, v.schemas + "/" + schema, doc_path});
}

std::string Write(const atl::testing::TempDir& dir, const std::string& name, const Json& doc) {
  const std::string path = dir.Join(name);
  atl::testing::WriteFile(path, doc.dump(1));
  return path;
}

TEST(ArtifactsSchemaTest, ManifestOfTheExampleProjectIsValidV12) {
  Validator v = FindValidator();
  REQUIRE_VALIDATOR(v);
  ASSERT_OK_AND_ASSIGN(Project project, LoadProject(testing::JaffleDir()));
  ASSERT_OK_AND_ASSIGN(Graph graph, Graph::Build(project));
  Json manifest = ManifestJson(project, graph, {"0b9a6c3e-4b8f-4d8e-9a6e-2f1a3c5d7e9f", 0});
  EXPECT_EQ(manifest["metadata"]["dbt_schema_version"], kManifestSchema);
  EXPECT_EQ(manifest["nodes"].size(), 21u);
  EXPECT_EQ(manifest["disabled"]["model.jaffle.legacy_orders"][0]["config"]["enabled"], false);
  EXPECT_EQ(manifest["parent_map"]["model.jaffle.orders"],
            Json::array({"model.jaffle.stg_orders", "model.jaffle.stg_payments"}));
  EXPECT_EQ(manifest["child_map"]["model.jaffle.revenue"].size(), 2u);  // its two tests
  EXPECT_EQ(manifest["nodes"]["model.jaffle.revenue"]["relation_name"],
            "\"tmp\".\"jaffle\".\"revenue\"");
  atl::testing::TempDir dir;
  auto ok = Validate(v, "manifest_v12.json", Write(dir, "manifest.json", manifest));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  // The validator does reject what breaks the schema.
  Json broken = manifest;
  broken["nodes"]["model.jaffle.orders"]["unexpected_field"] = 1;
  auto bad = Validate(v, "manifest_v12.json", Write(dir, "broken.json", broken));
  EXPECT_EQ(bad.exit_code, 1) << bad.out << bad.err;
}

TEST(ArtifactsSchemaTest, ManifestOfTheMedallionProjectIsValidV12) {
  Validator v = FindValidator();
  REQUIRE_VALIDATOR(v);
  ASSERT_OK_AND_ASSIGN(Project project, LoadProject(testing::ProjectDir("medallion")));
  ASSERT_OK_AND_ASSIGN(Graph graph, Graph::Build(project));
  Json manifest = ManifestJson(project, graph);
  EXPECT_EQ(manifest["nodes"]["model.medallion.daily_kpi"]["relation_name"],
            "\"tmp\".\"medallion\".\"kpi_daily\"");
  EXPECT_EQ(manifest["sources"]["source.medallion.events.clicks"]["loader"], "kafka");
  atl::testing::TempDir dir;
  auto ok = Validate(v, "manifest_v12.json", Write(dir, "manifest.json", manifest));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

TEST(ArtifactsSchemaTest, RunResultsAreValidV6) {
  Validator v = FindValidator();
  REQUIRE_VALIDATOR(v);
  RunResults run;
  run.elapsed_time = 1.5;
  run.args = {{"which", "build"}, {"select", Json::array({"+orders"})}};
  NodeResult model;
  model.unique_id = "model.jaffle.orders";
  model.status = "success";
  model.execution_time = 0.25;
  model.timing = {{"compile", 1000, 1010}, {"execute", 1010, 1250}};
  model.adapter_response = {{"rows_affected", 3}};
  model.relation_name = "\"prd\".\"jaffle\".\"orders\"";
  model.compiled_code = "select 1";
  NodeResult test;
  test.unique_id = "test.jaffle.not_null_stg_orders_order_id.0123456789";
  test.status = "fail";
  test.failures = 2;
  test.message = "Got 2 results, configured to fail if != 0";
  NodeResult skipped;
  skipped.unique_id = "model.jaffle.revenue";
  skipped.status = "skipped";
  run.results = {model, test, skipped};
  ASSERT_OK_AND_ASSIGN(Json doc, RunResultsJson(run));
  EXPECT_EQ(doc["results"][0]["timing"][1]["started_at"], "1970-01-01T00:00:01.010000Z");
  EXPECT_EQ(doc["results"][1]["failures"], 2);
  atl::testing::TempDir dir;
  auto ok = Validate(v, "run-results_v6.json", Write(dir, "run_results.json", doc));
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

  run.results[0].status = "finished";
  Result<Json> refused = RunResultsJson(run);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().message(),
            "run result of model.jaffle.orders: unknown status 'finished'");
}

}  // namespace
}  // namespace atl::transform
