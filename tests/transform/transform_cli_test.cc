// atoll transform ls / parse on the example project, the default project locations, and
// the subcommands that are not implemented yet (exit 2).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "cli/run_atoll.h"
#include "testing/testing.h"
#include "transform/jaffle.h"

namespace atl::transform {
namespace {

namespace fs = std::filesystem;
using cli::testing::RunAtoll;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream ss(text);
  std::string line;
  while (std::getline(ss, line)) out.push_back(line);
  return out;
}

TEST(TransformCliTest, LsPrintsTheSelectionInEachFormat) {
  const std::string project = testing::JaffleDir();
  auto names = RunAtoll(
      {"transform", "ls", "--project", project, "--select", "tag:finance", "--output", "name"});
  ASSERT_EQ(names.exit_code, 0) << names.err;
  EXPECT_EQ(Lines(names.out), (std::vector<std::string>{"revenue", "assert_revenue_not_negative",
                                                        "is_positive_revenue_total"}));
  auto paths = RunAtoll({"transform", "ls", "--project", project, "-s", "+stg_payments",
                         "--resource-type", "model,seed", "--output", "path"});
  ASSERT_EQ(paths.exit_code, 0) << paths.err;
  EXPECT_EQ(Lines(paths.out), (std::vector<std::string>{"models/staging/stg_payments.sql",
                                                        "seeds/raw_payments.csv"}));
  auto selectors = RunAtoll({"transform", "ls", "--project", project, "--select", "source:shop",
                             "--resource-type", "source"});
  ASSERT_EQ(selectors.exit_code, 0) << selectors.err;
  EXPECT_EQ(Lines(selectors.out), (std::vector<std::string>{"source:jaffle.staging.shop.customers",
                                                            "source:jaffle.staging.shop.orders"}));
  auto cautious =
      RunAtoll({"transform", "ls", "--project", project, "--select", "stg_orders",
                "--resource-type", "test", "--indirect-selection", "cautious", "--output", "name"});
  ASSERT_EQ(cautious.exit_code, 0) << cautious.err;
  EXPECT_EQ(Lines(cautious.out),
            (std::vector<std::string>{
                "accepted_values_stg_orders_status__placed__shipped__completed__returned",
                "not_null_stg_orders_order_id", "unique_stg_orders_order_id"}));
  auto json = RunAtoll({"transform", "ls", "--project", project, "--select", "orders", "--exclude",
                        "resource_type:test", "--output", "json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  auto lines = Lines(json.out);
  ASSERT_EQ(lines.size(), 1u) << json.out;
  auto doc = nlohmann::json::parse(lines[0]);
  EXPECT_EQ(doc["unique_id"], "model.jaffle.orders");
  EXPECT_EQ(doc["config"]["materialized"], "incremental");
  EXPECT_EQ(doc["depends_on"]["nodes"],
            nlohmann::json::array({"model.jaffle.stg_orders", "model.jaffle.stg_payments"}));
}

TEST(TransformCliTest, ParseWritesTheManifestIntoTheProject) {
  atl::testing::TempDir dir;
  const std::string copy = dir.Join("proj");
  fs::copy(testing::JaffleDir(), copy, fs::copy_options::recursive);
  auto r = RunAtoll({"transform", "parse", "--project", copy});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "wrote " + copy + "/target/manifest.json: 21 nodes, 2 sources, 2 macros\n");
  auto manifest = nlohmann::json::parse(atl::testing::ReadFile(copy + "/target/manifest.json"));
  EXPECT_EQ(manifest["nodes"]["model.jaffle.orders"]["config"]["unique_key"], "order_id");
  EXPECT_EQ(manifest["metadata"]["project_name"], "jaffle");

  auto elsewhere =
      RunAtoll({"transform", "parse", "--project", copy, "--target-path", dir.Join("out")});
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  EXPECT_TRUE(fs::exists(dir.Join("out/manifest.json")));
}

TEST(TransformCliTest, FindsTheProjectInTheCurrentFolderOrTheLakesAssets) {
  auto here = RunAtoll({"transform", "ls", "--select", "stg_customers", "--resource-type", "model"},
                       testing::JaffleDir());
  ASSERT_EQ(here.exit_code, 0) << here.err;
  EXPECT_EQ(here.out, "jaffle.staging.stg_customers\n");

  atl::testing::TempDir dir;
  const std::string lake = dir.Join("lake");
  auto init = RunAtoll({"init", lake});
  ASSERT_EQ(init.exit_code, 0) << init.err;
  fs::create_directories(lake + "/assets");
  fs::copy(testing::JaffleDir(), lake + "/assets/transform", fs::copy_options::recursive);
  auto in_lake =
      RunAtoll({"transform", "ls", lake, "--select", "resource_type:snapshot"}, dir.path());
  ASSERT_EQ(in_lake.exit_code, 0) << in_lake.err;
  EXPECT_EQ(in_lake.out, "jaffle.orders_snapshot.orders_snapshot\n");

  auto nowhere = RunAtoll({"transform", "ls"}, dir.path());
  EXPECT_EQ(nowhere.exit_code, 1);
  EXPECT_NE(nowhere.err.find("no dbt_project.yml in the current folder"), std::string::npos)
      << nowhere.err;
}

TEST(TransformCliTest, BadProjectsAndSelectorsFailClearly) {
  atl::testing::TempDir dir;
  atl::testing::WriteFile(dir.Join("dbt_project.yml"), "name: p\n");
  atl::testing::WriteFile(dir.Join("models/a.sql"), "select * from {{ ref('b') }}");
  atl::testing::WriteFile(dir.Join("models/b.sql"), "select * from {{ ref('a') }}");
  auto cycle = RunAtoll({"transform", "ls", "--project", dir.path()});
  EXPECT_EQ(cycle.exit_code, 1);
  EXPECT_EQ(cycle.err,
            "atoll: error: dependency cycle: model.p.b -> model.p.a -> model.p.b (see "
            "models/a.sql)\n");
  auto bad = RunAtoll({"transform", "ls", "--project", testing::JaffleDir(), "--select", "x:y"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("unknown selector method 'x'"), std::string::npos) << bad.err;
}

TEST(TransformCliTest, RunningSubcommandsAreNotImplementedYet) {
  for (const char* sub : {"run", "build", "test", "seed", "snapshot", "docs"}) {
    auto r = RunAtoll({"transform", sub, "--project", testing::JaffleDir()});
    EXPECT_EQ(r.exit_code, 2) << sub;
    EXPECT_NE(r.err.find("is not yet implemented"), std::string::npos) << r.err;
  }
  auto unknown = RunAtoll({"transform", "frobnicate"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("unknown transform subcommand 'frobnicate'"), std::string::npos);
}

}  // namespace
}  // namespace atl::transform
