// Compiling the example projects (tests/transform/projects/) with the dbt context:
// compiled SQL of chosen models and tests, the medallion ref that needs rendering, and
// `atoll transform compile` writing target/compiled/ like dbt.
#include <gtest/gtest.h>

#include <filesystem>

#include "atoll/transform/compiler.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"
#include "transform/jaffle.h"

namespace atl::transform {
namespace {

namespace fs = std::filesystem;
using cli::testing::RunAtoll;

Result<Project> LoadRendered(const std::string& name) {
  ProjectLoadOptions options;
  options.render_dependencies = RenderDependenciesHook();
  return LoadProject(testing::ProjectDir(name), options);
}

TEST(CompileTest, JaffleModelsCompileToLakeRelations) {
  ASSERT_OK_AND_ASSIGN(Project p, LoadRendered("jaffle"));
  ASSERT_OK_AND_ASSIGN(auto compiler, Compiler::Create(p));
  ASSERT_OK_AND_ASSIGN(CompiledNode pay, compiler->Compile("model.jaffle.stg_payments"));
  EXPECT_EQ(pay.sql,
            "-- amount is stored in cents\nselect\n    id as payment_id,\n    order_id,\n"
            "    payment_method,\n    round(amount / 100.0, 2) as amount\n"
            "from \"stg\".\"raw\".\"raw_payments\"");
  EXPECT_EQ(pay.path, "target/compiled/jaffle/models/staging/stg_payments.sql");
  const std::string orders_body =
      "\n\nselect\n    o.order_id,\n    o.customer_id,\n    o.order_date,\n    o.status,\n"
      "    sum(p.amount) as amount\nfrom \"prd\".\"staging\".\"stg_orders\" o\n"
      "left join \"prd\".\"staging\".\"stg_payments\" p using (order_id)\n";
  ASSERT_OK_AND_ASSIGN(CompiledNode orders, compiler->Compile("model.jaffle.orders"));
  EXPECT_EQ(orders.sql, orders_body + "\ngroup by 1, 2, 3, 4");

  DbtContextOptions existing;
  existing.relation_exists = [](const std::string& db, const std::string& schema,
                                const std::string& id) {
    return db == "prd" && schema == "jaffle" && id == "orders";
  };
  ASSERT_OK_AND_ASSIGN(auto incremental, Compiler::Create(p, existing));
  ASSERT_OK_AND_ASSIGN(CompiledNode again, incremental->Compile("model.jaffle.orders"));
  EXPECT_EQ(again.sql, orders_body +
                           "\nwhere o.order_date >= (select max(order_date) from "
                           "\"prd\".\"jaffle\".\"orders\")\n\ngroup by 1, 2, 3, 4");

  ASSERT_OK_AND_ASSIGN(CompiledNode custom,
                       compiler->Compile(p.nodes.at("model.jaffle.revenue").unique_id));
  EXPECT_EQ(custom.sql,
            "select order_date, sum(amount) as total\nfrom "
            "\"prd\".\"jaffle\".\"orders\"\ngroup by 1");
}

TEST(CompileTest, MedallionRendersItsComputedRefAndInlinesEphemerals) {
  ASSERT_OK_AND_ASSIGN(Project p, LoadRendered("medallion"));
  // slv_clicks refs a variable: only rendering finds brz_clicks.
  EXPECT_EQ(p.nodes.at("model.medallion.slv_clicks").depends_on,
            std::vector<std::string>{"model.medallion.brz_clicks"});
  for (const auto& w : p.warnings) EXPECT_EQ(w.find("not all known"), std::string::npos) << w;

  ASSERT_OK_AND_ASSIGN(auto compiler, Compiler::Create(p));
  ASSERT_OK_AND_ASSIGN(CompiledNode clicks, compiler->Compile("model.medallion.slv_clicks"));
  EXPECT_EQ(clicks.sql,
            "\nwith __dbt__cte__brz_clicks as (\nselect * from \"load\".\"events\".\"clicks\"\n"
            "where ts > current_date - interval 3 day\n)select * from __dbt__cte__brz_clicks");
  EXPECT_EQ(clicks.ephemerals, std::vector<std::string>{"model.medallion.brz_clicks"});
  ASSERT_OK_AND_ASSIGN(CompiledNode accounts, compiler->Compile("model.medallion.slv_accounts"));
  EXPECT_EQ(accounts.sql,
            "\nwith __dbt__cte__brz_accounts as (\nselect * from \"stg\".\"crm_raw\".\"accounts\"\n"
            ")select account_id, region, name from __dbt__cte__brz_accounts\n"
            "join \"stg\".\"medallion\".\"regions\" using (region)");
  ASSERT_OK_AND_ASSIGN(CompiledNode kpi, compiler->Compile("model.medallion.daily_kpi"));
  EXPECT_EQ(kpi.sql, "\nselect * from \"prd\".\"medallion\".\"accounts_summary\"");

  const Node* rows = nullptr;
  for (const auto& [id, n] : p.nodes) {
    if (n.test && n.test->name == "row_count_between") rows = &n;
  }
  ASSERT_NE(rows, nullptr);
  ASSERT_OK_AND_ASSIGN(CompiledNode test, compiler->Compile(rows->unique_id));
  EXPECT_EQ(test.sql,
            "\nselect count(*) as n from (select * from \"prd\".\"medallion\".\"slv_accounts\" "
            "where region <> 'test') dbt_subquery\nhaving count(*) < 1 or count(*) > 1000000\n");
  EXPECT_EQ(test.path, "target/compiled/medallion/transform/silver/silver.yml/" + rows->path);
}

TEST(CompileTest, CliWritesCompiledFilesAndPrintsASingleNode) {
  atl::testing::TempDir dir;
  const std::string copy = dir.Join("proj");
  fs::copy(testing::ProjectDir("medallion"), copy, fs::copy_options::recursive);
  auto all = RunAtoll({"transform", "compile", "--project", copy});
  ASSERT_EQ(all.exit_code, 0) << all.err;
  EXPECT_NE(all.out.find("target/compiled/medallion/transform/silver/slv_clicks.sql\n"),
            std::string::npos)
      << all.out;
  EXPECT_EQ(
      atl::testing::ReadFile(copy + "/target/compiled/medallion/transform/bronze/brz_clicks.sql"),
      "select * from \"load\".\"events\".\"clicks\"\n"
      "where ts > current_date - interval 3 day");

  auto one = RunAtoll({"transform", "compile", "--project", copy, "--select", "brz_clicks",
                       "--vars", "{lookback_days: 7}", "--target-path", dir.Join("out")});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_EQ(one.out,
            "select * from \"load\".\"events\".\"clicks\"\n"
            "where ts > current_date - interval 7 day\n");
  EXPECT_TRUE(fs::exists(dir.Join("out/compiled/medallion/transform/bronze/brz_clicks.sql")));
}

TEST(CompileTest, CliAsksTheLakeWhetherAnIncrementalModelExists) {
  atl::testing::TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_EQ(RunAtoll({"init", lake}).exit_code, 0);
  const std::vector<std::string> compile = {
      "transform",          "compile",       lake,           "--project",
      testing::JaffleDir(), "--select",      "orders",       "--exclude",
      "resource_type:test", "--target-path", dir.Join("out")};
  auto before = RunAtoll(compile);
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_EQ(before.out.find("where o.order_date"), std::string::npos) << before.out;
  auto create = RunAtoll(
      {"query", lake, "CREATE TABLE prd.jaffle.orders (order_id INTEGER, order_date DATE)"});
  ASSERT_EQ(create.exit_code, 0) << create.err;
  auto after = RunAtoll(compile);
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_NE(after.out.find("\nwhere o.order_date >= (select max(order_date) from "
                           "\"prd\".\"jaffle\".\"orders\")\n"),
            std::string::npos)
      << after.out;
  std::vector<std::string> full = compile;
  full.push_back("--full-refresh");
  auto refresh = RunAtoll(full);
  ASSERT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_EQ(refresh.out, before.out);
}

TEST(CompileTest, CliReportsJinjaErrorsWithFileAndLine) {
  atl::testing::TempDir dir;
  atl::testing::WriteFile(dir.Join("dbt_project.yml"), "name: p\n");
  atl::testing::WriteFile(dir.Join("models/a.sql"), "select 1");
  atl::testing::WriteFile(dir.Join("models/b.sql"),
                          "{% set n = 'a' ~ 'x' %}\nselect *\nfrom {{ ref(n) }}");
  auto r = RunAtoll({"transform", "compile", "--project", dir.path()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err,
            "atoll: error: models/b.sql:3: ref('ax') names no model, seed or snapshot of the "
            "project\n");
}

}  // namespace
}  // namespace atl::transform
