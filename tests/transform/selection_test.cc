// dbt node selection over the example project (transform/selector.h). Each expectation is
// what dbt selects for the same project: its fqn, path, tag and config methods, graph
// operators, and the default "eager" indirect selection of tests (a test is selected
// when any node it tests is), applied to each criterion before set operations.
#include <gtest/gtest.h>

#include "atoll/transform/graph.h"
#include "atoll/transform/loader.h"
#include "atoll/transform/selector.h"
#include "testing/testing.h"
#include "transform/jaffle.h"

namespace atl::transform {
namespace {

using Names = std::set<std::string>;

const Names kStgOrdersTests = {
    "unique_stg_orders_order_id", "not_null_stg_orders_order_id",
    "accepted_values_stg_orders_status__placed__shipped__completed__returned",
    "relationships_stg_orders_customer_id__customer_id__ref_stg_customers_"};
const Names kStgCustomersTests = {"unique_stg_customers_customer_id",
                                  "not_null_stg_customers_customer_id"};
const Names kCustomersTests = {"unique_customers_customer_id", "not_null_customers_customer_id"};
const Names kRevenueTests = {"is_positive_revenue_total", "assert_revenue_not_negative"};
const Names kSourceTests = {"source_unique_shop_orders_id", "source_not_null_shop_orders_id"};

Names N(std::initializer_list<std::string> names) { return Names(names); }

Names operator+(Names a, const Names& b) {
  a.insert(b.begin(), b.end());
  return a;
}

class SelectionTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    Result<Project> p = LoadProject(testing::JaffleDir());
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    project_ = new Project(std::move(*p));
    Result<Graph> g = Graph::Build(*project_);
    ASSERT_TRUE(g.ok()) << g.status().ToString();
    graph_ = new Graph(std::move(*g));
  }
  static void TearDownTestSuite() {
    delete graph_;
    delete project_;
  }

  // The names of what `select` (minus `exclude`) selects; sources as "source:s.t".
  Names Select(const std::string& select, const std::string& exclude = "",
               IndirectSelection mode = IndirectSelection::kEager,
               std::vector<std::string> types = {}) {
    SelectionOptions o;
    if (!select.empty()) o.select = {select};
    if (!exclude.empty()) o.exclude = {exclude};
    o.indirect = mode;
    o.resource_types = std::move(types);
    Result<std::vector<std::string>> ids = SelectNodes(*project_, *graph_, o);
    EXPECT_TRUE(ids.ok()) << ids.status().ToString();
    Names out;
    if (!ids.ok()) return out;
    for (const auto& id : *ids) {
      const Node* n = project_->Find(id);
      out.insert(n->type == ResourceType::kSource ? "source:" + n->source_name + "." + n->name
                                                  : n->name);
    }
    return out;
  }

  std::string SelectError(const std::string& select) {
    SelectionOptions o;
    o.select = {select};
    Result<std::vector<std::string>> ids = SelectNodes(*project_, *graph_, o);
    return ids.ok() ? "(selected)" : ids.status().message();
  }

  static Project* project_;
  static Graph* graph_;
};
Project* SelectionTest::project_ = nullptr;
Graph* SelectionTest::graph_ = nullptr;

TEST_F(SelectionTest, ANameSelectsTheModelAndItsTests) {
  EXPECT_EQ(Select("stg_orders"), N({"stg_orders"}) + kStgOrdersTests);
  EXPECT_EQ(Select("stg_orders.sql"), N({"stg_orders"}) + kStgOrdersTests);  // file method
}

TEST_F(SelectionTest, DescendantsAndAncestors) {
  EXPECT_EQ(Select("stg_orders+"), N({"stg_orders", "customers", "orders", "revenue"}) +
                                       kStgOrdersTests + kCustomersTests + kRevenueTests);
  EXPECT_EQ(Select("+customers"),
            N({"customers", "stg_customers", "stg_orders", "stg_payments", "raw_payments",
               "source:shop.customers", "source:shop.orders"}) +
                kStgCustomersTests + kStgOrdersTests + kCustomersTests + kSourceTests);
}

TEST_F(SelectionTest, DepthLimitedOperators) {
  EXPECT_EQ(Select("1+orders"), N({"orders", "stg_orders", "stg_payments"}) + kStgOrdersTests);
  EXPECT_EQ(Select("orders+1"), N({"orders", "revenue"}) + kRevenueTests);
  EXPECT_EQ(Select("2+revenue"), N({"revenue", "orders", "stg_orders", "stg_payments"}) +
                                     kRevenueTests + kStgOrdersTests);
}

TEST_F(SelectionTest, AtSelectsDescendantsAndAllTheirAncestors) {
  // Everything but the snapshot, which nothing below stg_payments depends on.
  Names all = Select("");
  all.erase("orders_snapshot");
  EXPECT_EQ(Select("@stg_payments"), all);
  EXPECT_EQ(Select("").size(), 23u);  // 21 nodes and 2 sources
}

TEST_F(SelectionTest, MethodsTagPathSourceConfigResourceAndTestType) {
  EXPECT_EQ(Select("tag:finance"), N({"revenue"}) + kRevenueTests);
  EXPECT_EQ(Select("path:models/marts"),
            N({"customers", "orders", "revenue"}) + kCustomersTests + kRevenueTests);
  EXPECT_EQ(Select("models/staging/stg_orders.sql"), N({"stg_orders"}) + kStgOrdersTests);
  EXPECT_EQ(
      Select("source:shop.orders+"),
      N({"source:shop.orders", "stg_orders", "orders_snapshot", "customers", "orders", "revenue"}) +
          kSourceTests + kStgOrdersTests + kCustomersTests + kRevenueTests);
  EXPECT_EQ(Select("source:shop"),
            N({"source:shop.orders", "source:shop.customers"}) + kSourceTests);
  EXPECT_EQ(Select("resource_type:seed"), N({"raw_payments"}));
  EXPECT_EQ(Select("config.materialized:incremental"), N({"orders"}));
  EXPECT_EQ(Select("config.severity:WARN"),
            (N({"accepted_values_stg_orders_status__placed__shipped__completed__returned",
                "is_positive_revenue_total"}) +
             kCustomersTests));
  EXPECT_EQ(Select("test_type:singular"), N({"assert_revenue_not_negative"}));
  EXPECT_EQ(Select("test_type:generic").size(), 11u);
}

TEST_F(SelectionTest, WildcardsFollowDbtsFqnMatching) {
  EXPECT_EQ(Select("*.staging.*"), N({"stg_customers", "stg_orders", "stg_payments"}) +
                                       kStgCustomersTests + kStgOrdersTests + kSourceTests);
  EXPECT_EQ(Select("jaffle.staging.stg_*"), N({"stg_customers", "stg_orders", "stg_payments"}) +
                                                kStgCustomersTests + kStgOrdersTests);
  // A bare glob must match the whole dotted fqn (with or without the package): nothing.
  EXPECT_EQ(Select("stg_*"), N({}));
  EXPECT_EQ(Select("tag:fin*"), N({"revenue"}) + kRevenueTests);
}

TEST_F(SelectionTest, UnionIntersectionAndExclusion) {
  EXPECT_EQ(Select("stg_orders stg_customers"),
            N({"stg_orders", "stg_customers"}) + kStgOrdersTests + kStgCustomersTests);
  // Each criterion brings its tests first: only the test of both models is in both.
  EXPECT_EQ(Select("stg_orders,stg_customers"),
            N({"relationships_stg_orders_customer_id__customer_id__ref_stg_customers_"}));
  EXPECT_EQ(Select("tag:staging,config.materialized:view"),
            N({"stg_customers", "stg_orders"}) + kStgCustomersTests + kStgOrdersTests);
  // Excluding a model excludes its tests too.
  EXPECT_EQ(Select("marts", "revenue"), N({"customers", "orders"}) + kCustomersTests);
  EXPECT_EQ(Select("", "", IndirectSelection::kEager, {"model"}),
            (N({"stg_customers", "stg_orders", "stg_payments", "customers", "orders", "revenue"})));
}

TEST_F(SelectionTest, CautiousModeNeedsEveryTestedNode) {
  Names cautious = N({"stg_orders"}) + kStgOrdersTests;
  cautious.erase("relationships_stg_orders_customer_id__customer_id__ref_stg_customers_");
  EXPECT_EQ(Select("stg_orders", "", IndirectSelection::kCautious), cautious);
  EXPECT_EQ(Select("stg_orders", "", IndirectSelection::kEmpty), N({"stg_orders"}));
}

TEST_F(SelectionTest, MalformedSelectorsAreErrors) {
  EXPECT_EQ(SelectError("foo:bar"),
            "unknown selector method 'foo' in 'foo:bar' (supported: fqn, path, file, tag, "
            "config.<key>, resource_type, source, package, test_type, test_name)");
  EXPECT_EQ(SelectError("test_type:odd"),
            "selector 'test_type:odd': test_type must be generic or singular, got 'odd'");
  EXPECT_EQ(SelectError("@+orders"), "selector '@+orders': '@' cannot be combined with '+'");
  EXPECT_EQ(SelectError("resource_type:thing"),
            "selector 'resource_type:thing': unknown resource type 'thing'");
}

TEST_F(SelectionTest, LevelsRunAfterEverySelectedAncestor) {
  std::set<std::string> models;
  for (const auto& [id, n] : project_->nodes) {
    if (n.type == ResourceType::kModel) models.insert(id);
  }
  EXPECT_EQ(
      graph_->Levels(models),
      (std::vector<std::vector<std::string>>{
          {"model.jaffle.stg_customers", "model.jaffle.stg_orders", "model.jaffle.stg_payments"},
          {"model.jaffle.customers", "model.jaffle.orders"},
          {"model.jaffle.revenue"}}));
  // Through unselected nodes: revenue still waits for stg_payments' level.
  EXPECT_EQ(graph_->Levels({"seed.jaffle.raw_payments", "model.jaffle.revenue"}),
            (std::vector<std::vector<std::string>>{{"seed.jaffle.raw_payments"},
                                                   {"model.jaffle.revenue"}}));
  // The order puts every node after its parents.
  std::map<std::string, size_t> at;
  for (const auto& id : graph_->TopologicalOrder()) at[id] = at.size();
  for (const auto& id : graph_->ids()) {
    for (const auto& parent : graph_->Parents(id)) EXPECT_LT(at[parent], at[id]) << id;
  }
}

}  // namespace
}  // namespace atl::transform
