// Loading the example project tests/transform/projects/jaffle (transform/loader.h).
#include <gtest/gtest.h>

#include "atoll/transform/loader.h"
#include "testing/testing.h"
#include "transform/jaffle.h"

namespace atl::transform {
namespace {

class JaffleLoadTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<Project> p = LoadProject(testing::JaffleDir());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    project_ = new Project(std::move(*p));
  }
  static void TearDownTestSuite() { delete project_; }
  const Node& N(const std::string& id) {
    const Node* n = project_->Find(id);
    EXPECT_NE(n, nullptr) << id;
    static const Node kNone;
    return n ? *n : kNone;
  }
  static Project* project_;
};
Project* JaffleLoadTest::project_ = nullptr;

TEST_F(JaffleLoadTest, FindsEveryResource) {
  const Project& p = *project_;
  EXPECT_EQ(p.name, "jaffle");
  EXPECT_EQ(p.vars["start_date"], "2024-01-01");
  std::map<std::string, int> counts;
  for (const auto& [id, n] : p.nodes) counts[ResourceTypeName(n.type)]++;
  EXPECT_EQ(counts,
            (std::map<std::string, int>{
                {"model", 6}, {"seed", 1}, {"snapshot", 1}, {"test", 12}, {"analysis", 1}}));
  EXPECT_EQ(p.sources.size(), 2u);
  EXPECT_EQ(p.disabled.size(), 1u);
  EXPECT_TRUE(p.disabled.count("model.jaffle.legacy_orders"));
  ASSERT_EQ(p.macros.size(), 2u);
  EXPECT_EQ(p.macros.at("macro.jaffle.cents_to_dollars").description,
            "Converts an amount in cents to dollars.");
  EXPECT_TRUE(p.macros.at("macro.jaffle.test_is_positive").is_test);
  EXPECT_TRUE(p.warnings.empty()) << p.warnings[0];
}

TEST_F(JaffleLoadTest, ModelsCarryTheirPropertiesAndDependencies) {
  const Node& stg_orders = N("model.jaffle.stg_orders");
  EXPECT_EQ(stg_orders.original_file_path, "models/staging/stg_orders.sql");
  EXPECT_EQ(stg_orders.path, "staging/stg_orders.sql");
  EXPECT_EQ(stg_orders.fqn, (std::vector<std::string>{"jaffle", "staging", "stg_orders"}));
  EXPECT_EQ(stg_orders.patch_path, "jaffle://models/staging/_staging.yml");
  EXPECT_EQ(stg_orders.description, "Orders, cleaned.");
  ASSERT_EQ(stg_orders.columns.size(), 3u);
  EXPECT_EQ(stg_orders.columns[1].name, "status");
  EXPECT_EQ(stg_orders.depends_on, std::vector<std::string>{"source.jaffle.shop.orders"});
  EXPECT_FALSE(stg_orders.parse.needs_rendering) << stg_orders.parse.reason;

  const Node& payments = N("model.jaffle.stg_payments");
  EXPECT_EQ(payments.depends_on, std::vector<std::string>{"seed.jaffle.raw_payments"});
  EXPECT_EQ(payments.depends_on_macros, std::vector<std::string>{"macro.jaffle.cents_to_dollars"});
  EXPECT_TRUE(payments.parse.needs_rendering);  // a macro call

  const Node& orders = N("model.jaffle.orders");
  EXPECT_EQ(orders.depends_on,
            (std::vector<std::string>{"model.jaffle.stg_orders", "model.jaffle.stg_payments"}));
  EXPECT_TRUE(orders.parse.deps_complete);
  EXPECT_TRUE(orders.parse.needs_rendering);  // {% if is_incremental() %}

  const Node& stg_customers = N("model.jaffle.stg_customers");
  EXPECT_EQ(stg_customers.columns[0].data_type, std::optional<std::string>("integer"));
  EXPECT_EQ(N("analysis.jaffle.payment_methods").depends_on,
            std::vector<std::string>{"model.jaffle.stg_payments"});
}

TEST_F(JaffleLoadTest, ConfigsFollowDbtPrecedence) {
  // Folder (+materialized: view, tags nightly + staging, schema staging) < in-file config().
  const Node& stg_orders = N("model.jaffle.stg_orders");
  EXPECT_EQ(stg_orders.materialized(), "view");
  EXPECT_EQ(stg_orders.tags(), (std::vector<std::string>{"nightly", "staging", "orders"}));
  EXPECT_EQ(stg_orders.schema, "staging");
  EXPECT_EQ(stg_orders.database, "prd");
  // Properties yml over the folder.
  EXPECT_EQ(N("model.jaffle.stg_payments").materialized(), "table");
  // In-file config() over the yml (materialized table, unique_key id).
  const Node& orders = N("model.jaffle.orders");
  EXPECT_EQ(orders.materialized(), "incremental");
  EXPECT_EQ(orders.config["unique_key"], "order_id");
  EXPECT_EQ(orders.config["incremental_strategy"], "merge");
  EXPECT_EQ(orders.schema, "jaffle");
  // Nested folders: marts (table) then marts/finance (tags, zone tmp).
  const Node& revenue = N("model.jaffle.revenue");
  EXPECT_EQ(revenue.materialized(), "table");
  EXPECT_EQ(revenue.tags(), (std::vector<std::string>{"nightly", "finance"}));
  EXPECT_EQ(revenue.database, "tmp");
  EXPECT_EQ(N("model.jaffle.customers").tags(), (std::vector<std::string>{"nightly", "core"}));
  // Seeds: schema from the project, column types from the yml, zone stg.
  const Node& seed = N("seed.jaffle.raw_payments");
  EXPECT_EQ(seed.schema, "raw");
  EXPECT_EQ(seed.database, "stg");
  EXPECT_EQ(seed.config["column_types"], Json({{"amount", "bigint"}}));
  EXPECT_EQ(seed.description, "Payments, exported by hand.");
}

TEST_F(JaffleLoadTest, SnapshotsAndSourcesAreRead) {
  const Node& snap = N("snapshot.jaffle.orders_snapshot");
  EXPECT_EQ(snap.fqn, (std::vector<std::string>{"jaffle", "orders_snapshot", "orders_snapshot"}));
  EXPECT_EQ(snap.config["strategy"], "timestamp");
  EXPECT_EQ(snap.config["updated_at"], "updated_at");
  EXPECT_EQ(snap.materialized(), "snapshot");
  EXPECT_EQ(snap.depends_on, std::vector<std::string>{"source.jaffle.shop.orders"});
  EXPECT_NE(snap.raw_code.find("select * from"), std::string::npos);
  EXPECT_EQ(snap.raw_code.find("endsnapshot"), std::string::npos);

  const Node& customers = N("source.jaffle.shop.customers");
  EXPECT_EQ(customers.identifier, "raw_customers");
  EXPECT_EQ(customers.schema, "shop");
  EXPECT_EQ(customers.loader, "atoll ingest");
  EXPECT_EQ(customers.fqn, (std::vector<std::string>{"jaffle", "staging", "shop", "customers"}));
}

const Node* TestNamed(const Project& p, const std::string& name) {
  for (const auto& [id, n] : p.nodes) {
    if (n.type == ResourceType::kTest && n.name == name) return &n;
  }
  return nullptr;
}

TEST_F(JaffleLoadTest, GenericTestsAreNamedAndAttachedAsDbtDoes) {
  const Node* accepted = TestNamed(
      *project_, "accepted_values_stg_orders_status__placed__shipped__completed__returned");
  ASSERT_NE(accepted, nullptr);
  EXPECT_EQ(accepted->config["severity"], "warn");
  EXPECT_EQ(accepted->attached_node, "model.jaffle.stg_orders");
  EXPECT_EQ(accepted->column_name, "status");
  EXPECT_EQ(accepted->test->kwargs["values"],
            Json::array({"placed", "shipped", "completed", "returned"}));
  EXPECT_EQ(accepted->original_file_path, "models/staging/_staging.yml");
  EXPECT_EQ(accepted->path.size(), std::string("accepted_values_stg_orders_").size() + 32 + 4);

  const Node* rel =
      TestNamed(*project_, "relationships_stg_orders_customer_id__customer_id__ref_stg_customers_");
  ASSERT_NE(rel, nullptr);
  EXPECT_EQ(rel->depends_on,
            (std::vector<std::string>{"model.jaffle.stg_customers", "model.jaffle.stg_orders"}));
  EXPECT_EQ(rel->depends_on_macros, std::vector<std::string>{"macro.dbt.test_relationships"});

  const Node* not_null = TestNamed(*project_, "not_null_stg_orders_order_id");
  ASSERT_NE(not_null, nullptr);
  EXPECT_EQ(not_null->config["severity"], "ERROR");
  EXPECT_EQ(not_null->unique_id.rfind("test.jaffle.not_null_stg_orders_order_id.", 0), 0u);

  const Node* positive = TestNamed(*project_, "is_positive_revenue_total");
  ASSERT_NE(positive, nullptr);
  EXPECT_EQ(positive->config["severity"], "warn");  // data_tests: marts: +severity: warn
  EXPECT_EQ(positive->depends_on_macros, std::vector<std::string>{"macro.jaffle.test_is_positive"});

  const Node* source_test = TestNamed(*project_, "source_unique_shop_orders_id");
  ASSERT_NE(source_test, nullptr);
  EXPECT_EQ(source_test->depends_on, std::vector<std::string>{"source.jaffle.shop.orders"});
  EXPECT_EQ(source_test->attached_node, "source.jaffle.shop.orders");

  const Node& singular = N("test.jaffle.assert_revenue_not_negative");
  EXPECT_FALSE(singular.test.has_value());
  EXPECT_EQ(singular.depends_on, std::vector<std::string>{"model.jaffle.revenue"});
}

}  // namespace
}  // namespace atl::transform

namespace atl::transform {
namespace {

// The second example: custom folders, older config spellings (no '+', `tests:`),
// ephemeral and incremental layers, check snapshots, custom generic tests with
// `arguments:` and a custom name, a model whose ref needs rendering.
TEST(MedallionLoadTest, NonDefaultFoldersAndOlderSpellings) {
  ASSERT_OK_AND_ASSIGN(Project p, LoadProject(testing::ProjectDir("medallion")));
  EXPECT_EQ(p.paths.models, std::vector<std::string>{"transform"});
  EXPECT_EQ(p.vars["lookback_days"], 3);
  std::map<std::string, int> counts;
  for (const auto& [id, n] : p.nodes) counts[ResourceTypeName(n.type)]++;
  EXPECT_EQ(counts,
            (std::map<std::string, int>{{"model", 6}, {"seed", 1}, {"snapshot", 1}, {"test", 5}}));
  EXPECT_EQ(p.macros.size(), 3u);  // safe_divide, limit_in_dev, test_row_count_between

  const Node& brz = p.nodes.at("model.medallion.brz_accounts");
  EXPECT_EQ(brz.materialized(), "ephemeral");  // `materialized:` without '+'
  EXPECT_EQ(brz.original_file_path, "transform/bronze/brz_accounts.sql");
  const Node& slv = p.nodes.at("model.medallion.slv_accounts");
  EXPECT_EQ(slv.materialized(), "incremental");
  EXPECT_EQ(slv.config["unique_key"], Json::array({"account_id", "region"}));
  EXPECT_EQ(slv.config["on_schema_change"], "sync_all_columns");
  EXPECT_EQ(slv.config["meta"], Json({{"layer", "silver"}}));
  EXPECT_EQ(slv.depends_on,
            (std::vector<std::string>{"model.medallion.brz_accounts", "seed.medallion.regions"}));
  const Node& kpi = p.nodes.at("model.medallion.daily_kpi");
  EXPECT_EQ(kpi.alias, "kpi_daily");
  EXPECT_EQ(kpi.database, "tmp");
  EXPECT_EQ(kpi.tags(), (std::vector<std::string>{"kpi", "daily"}));

  // ref(upstream) needs the Jinja engine: no dependency yet, and a warning saying why.
  EXPECT_TRUE(p.nodes.at("model.medallion.slv_clicks").depends_on.empty());
  ASSERT_EQ(p.warnings.size(), 1u);
  EXPECT_EQ(p.warnings[0],
            "transform/silver/slv_clicks.sql: dependencies of model.medallion.slv_clicks are not "
            "all known without rendering (line 2: ref(...) has arguments that are not literals)");

  const Node& snap = p.nodes.at("snapshot.medallion.accounts_history");
  EXPECT_EQ(snap.config["strategy"], "check");
  EXPECT_EQ(snap.config["check_cols"], Json::array({"name", "region"}));
  EXPECT_EQ(snap.config["target_schema"], "history");
  EXPECT_EQ(snap.fqn, (std::vector<std::string>{"medallion", "accounts", "accounts_history"}));

  const Node& clicks = p.sources.at("source.medallion.events.clicks");
  EXPECT_EQ(clicks.database, "load");
  EXPECT_EQ(clicks.schema, "events");
  EXPECT_EQ(p.sources.at("source.medallion.crm.accounts").schema, "crm_raw");

  std::map<std::string, const Node*> tests;
  for (const auto& [id, n] : p.nodes) {
    if (n.type == ResourceType::kTest) tests[n.name] = &n;
  }
  ASSERT_EQ(tests.size(), 5u);
  const Node* range = tests["row_count_between_slv_accounts_1000000__1"];
  ASSERT_NE(range, nullptr);
  EXPECT_EQ(range->config["severity"], "warn");
  EXPECT_EQ(range->config["where"], "region <> 'test'");
  EXPECT_EQ(range->config["store_failures"], true);  // the project's `tests:` folder config
  EXPECT_EQ(range->test->kwargs["min_rows"], 1);
  EXPECT_EQ(range->depends_on_macros,
            std::vector<std::string>{"macro.medallion.test_row_count_between"});
  ASSERT_NE(tests["unique_slv_accounts_account_id_region"], nullptr);
  EXPECT_EQ(tests["unique_slv_accounts_account_id_region"]->column_name,
            "account_id || '-' || region");
  const Node* named = tests["clicks_have_accounts"];
  ASSERT_NE(named, nullptr);
  EXPECT_EQ(named->test->name, "relationships");
  EXPECT_EQ(named->depends_on, (std::vector<std::string>{"model.medallion.slv_accounts",
                                                         "model.medallion.slv_clicks"}));
  ASSERT_NE(tests["kpi_not_empty"], nullptr);
  EXPECT_EQ(tests["kpi_not_empty"]->original_file_path, "checks/kpi_not_empty.sql");
}

}  // namespace
}  // namespace atl::transform
