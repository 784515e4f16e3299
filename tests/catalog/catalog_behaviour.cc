#include "catalog/catalog_behaviour.h"

#include <atomic>
#include <barrier>
#include <set>
#include <thread>

#include "testing/testing.h"

namespace atl::catalog::testing {

using ::atl::testing::IsError;
using ::atl::testing::IsOk;
using iceberg::Namespace;
using iceberg::TableIdentifier;
using Props = std::map<std::string, std::string>;

void CatalogBehaviour::SetUp() {
  std::string skip;
  env_ = GetParam().make(&skip);
  if (!env_) {
    if (::atl::testing::ServersRequired()) FAIL() << skip << " (ATOLL_REQUIRE_SERVERS=1)";
    GTEST_SKIP() << skip;
  }
  ASSERT_OK_AND_ASSIGN(catalog_, env_->Open());
}

namespace {

TableIdentifier Id(Namespace ns, std::string name) {
  return TableIdentifier{std::move(ns), std::move(name)};
}

TEST_P(CatalogBehaviour, NamespacesKeepTheirProperties) {
  ASSERT_OK(catalog_->CreateNamespace({"shop"}, {{"owner", "ana"}, {"comment", "sales data"}}));
  ASSERT_OK_AND_ASSIGN(Props props, catalog_->LoadNamespaceProperties({"shop"}));
  EXPECT_EQ(props, (Props{{"owner", "ana"}, {"comment", "sales data"}}));

  EXPECT_THAT(catalog_->CreateNamespace({"shop"}, {}), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK(catalog_->UpdateNamespaceProperties({"shop"}, {{"owner", "bo"}, {"tier", "gold"}},
                                                {"comment"}));
  ASSERT_OK_AND_ASSIGN(props, catalog_->LoadNamespaceProperties({"shop"}));
  EXPECT_EQ(props, (Props{{"owner", "bo"}, {"tier", "gold"}}));
  ASSERT_OK(catalog_->UpdateNamespaceProperties({"shop"}, {}, {"tier", "never-set"}));
  ASSERT_OK_AND_ASSIGN(props, catalog_->LoadNamespaceProperties({"shop"}));
  EXPECT_EQ(props, (Props{{"owner", "bo"}}));

  ASSERT_OK(catalog_->CreateNamespace({"empty"}, {}));
  ASSERT_OK_AND_ASSIGN(props, catalog_->LoadNamespaceProperties({"empty"}));
  EXPECT_TRUE(props.empty());

  EXPECT_THAT(catalog_->LoadNamespaceProperties({"missing"}), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->UpdateNamespaceProperties({"missing"}, {{"a", "b"}}, {}),
              IsError(StatusCode::kNotFound));
}

TEST_P(CatalogBehaviour, NamespacesNestAndListSorted) {
  ASSERT_OK(catalog_->CreateNamespace({"stg"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"stg", "shop"}, {{"k", "v"}}));
  ASSERT_OK(catalog_->CreateNamespace({"stg", "crm"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"stg", "crm", "eu"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"raw"}, {}));

  ASSERT_OK_AND_ASSIGN(auto top, catalog_->ListNamespaces({}));
  EXPECT_EQ(top, (std::vector<Namespace>{{"raw"}, {"stg"}}));
  ASSERT_OK_AND_ASSIGN(auto under, catalog_->ListNamespaces({"stg"}));
  EXPECT_EQ(under, (std::vector<Namespace>{{"stg", "crm"}, {"stg", "shop"}}));
  ASSERT_OK_AND_ASSIGN(auto deeper, catalog_->ListNamespaces({"stg", "crm"}));
  EXPECT_EQ(deeper, (std::vector<Namespace>{{"stg", "crm", "eu"}}));
  ASSERT_OK_AND_ASSIGN(auto leaf, catalog_->ListNamespaces({"raw"}));
  EXPECT_TRUE(leaf.empty());
  ASSERT_OK_AND_ASSIGN(Props props, catalog_->LoadNamespaceProperties({"stg", "shop"}));
  EXPECT_EQ(props, (Props{{"k", "v"}}));
  EXPECT_THAT(catalog_->ListNamespaces({"nope"}), IsError(StatusCode::kNotFound));
}

TEST_P(CatalogBehaviour, DropNamespaceOnlyWhenEmpty) {
  ASSERT_OK(catalog_->CreateNamespace({"a"}, {}));
  ASSERT_OK(catalog_->CreateNamespace({"a", "b"}, {}));
  EXPECT_THAT(catalog_->DropNamespace({"a"}), IsError(StatusCode::kPreconditionFailed));
  ASSERT_OK(catalog_->CreateTable(Id({"a", "b"}, "t"), "mem://wh/a/b/t/metadata/v1.metadata.json"));
  EXPECT_THAT(catalog_->DropNamespace({"a", "b"}), IsError(StatusCode::kPreconditionFailed));
  ASSERT_OK(catalog_->DropTable(Id({"a", "b"}, "t")));
  ASSERT_OK(catalog_->DropNamespace({"a", "b"}));
  ASSERT_OK(catalog_->DropNamespace({"a"}));
  EXPECT_THAT(catalog_->LoadNamespaceProperties({"a"}), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->DropNamespace({"a"}), IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto top, catalog_->ListNamespaces({}));
  EXPECT_TRUE(top.empty());
}

TEST_P(CatalogBehaviour, RefusesBadNames) {
  EXPECT_THAT(catalog_->CreateNamespace({"a.b"}, {}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({"a/b"}, {}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({""}, {}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateNamespace({"tab\there"}, {}), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(catalog_->CreateNamespace({"ok"}, {}));
  EXPECT_THAT(catalog_->CreateTable(Id({"ok"}, "t.x"), "m1"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->CreateTable(Id({"ok"}, ""), "m1"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog_->LoadMetadataLocation(Id({"ok"}, "a/b")),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto tables, catalog_->ListTables({"ok"}));
  EXPECT_TRUE(tables.empty());
}

TEST_P(CatalogBehaviour, CreatesListsRenamesAndDropsTables) {
  const std::string m1 = "s3://wh/shop/orders/metadata/00000-a.metadata.json";
  const std::string m2 = "s3://wh/shop/items/metadata/00000-b.metadata.json";
  EXPECT_THAT(catalog_->CreateTable(Id({"shop"}, "orders"), m1), IsError(StatusCode::kNotFound));
  ASSERT_OK(catalog_->CreateNamespace({"shop"}, {}));
  ASSERT_OK(catalog_->CreateTable(Id({"shop"}, "orders"), m1));
  ASSERT_OK(catalog_->CreateTable(Id({"shop"}, "items"), m2));
  EXPECT_THAT(catalog_->CreateTable(Id({"shop"}, "orders"), m2),
              IsError(StatusCode::kAlreadyExists));

  ASSERT_OK_AND_ASSIGN(auto tables, catalog_->ListTables({"shop"}));
  EXPECT_EQ(tables, (std::vector<TableIdentifier>{Id({"shop"}, "items"), Id({"shop"}, "orders")}));
  ASSERT_OK_AND_ASSIGN(std::string loc, catalog_->LoadMetadataLocation(Id({"shop"}, "orders")));
  EXPECT_EQ(loc, m1);  // the failed second create changed nothing
  EXPECT_THAT(catalog_->LoadMetadataLocation(Id({"shop"}, "nope")), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->ListTables({"nope"}), IsError(StatusCode::kNotFound));

  // Rename within the namespace, then across namespaces.
  ASSERT_OK(catalog_->RenameTable(Id({"shop"}, "orders"), Id({"shop"}, "sales")));
  EXPECT_THAT(catalog_->LoadMetadataLocation(Id({"shop"}, "orders")),
              IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(Id({"shop"}, "sales")));
  EXPECT_EQ(loc, m1);
  EXPECT_THAT(catalog_->RenameTable(Id({"shop"}, "sales"), Id({"archive"}, "sales")),
              IsError(StatusCode::kNotFound));
  ASSERT_OK(catalog_->CreateNamespace({"archive"}, {}));
  ASSERT_OK(catalog_->RenameTable(Id({"shop"}, "sales"), Id({"archive"}, "sales")));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(Id({"archive"}, "sales")));
  EXPECT_EQ(loc, m1);
  ASSERT_OK_AND_ASSIGN(tables, catalog_->ListTables({"shop"}));
  EXPECT_EQ(tables, (std::vector<TableIdentifier>{Id({"shop"}, "items")}));
  EXPECT_THAT(catalog_->RenameTable(Id({"shop"}, "items"), Id({"archive"}, "sales")),
              IsError(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(Id({"shop"}, "items")));
  EXPECT_EQ(loc, m2);  // the refused rename left the source alone
  EXPECT_THAT(catalog_->RenameTable(Id({"shop"}, "ghost"), Id({"shop"}, "ghost2")),
              IsError(StatusCode::kNotFound));

  ASSERT_OK(catalog_->DropTable(Id({"shop"}, "items")));
  EXPECT_THAT(catalog_->DropTable(Id({"shop"}, "items")), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->LoadMetadataLocation(Id({"shop"}, "items")),
              IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(tables, catalog_->ListTables({"shop"}));
  EXPECT_TRUE(tables.empty());
  // A dropped name can be created again.
  ASSERT_OK(catalog_->CreateTable(Id({"shop"}, "items"), m1));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(Id({"shop"}, "items")));
  EXPECT_EQ(loc, m1);
}

TEST_P(CatalogBehaviour, DefaultTableLocationFollowsTheNamespaceLevels) {
  ASSERT_OK_AND_ASSIGN(std::string loc,
                       catalog_->DefaultTableLocation(Id({"stg", "shop"}, "orders")));
  EXPECT_TRUE(loc.size() > 16 && loc.substr(loc.size() - 16) == "/stg/shop/orders") << loc;
  EXPECT_THAT(catalog_->DefaultTableLocation(Id({"stg"}, "a/b")),
              IsError(StatusCode::kInvalidArgument));
}

TEST_P(CatalogBehaviour, SwapMovesThePointerOnlyFromTheExpectedLocation) {
  const TableIdentifier t = Id({"db"}, "t");
  ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog_->CreateTable(t, "v1"));
  ASSERT_OK(catalog_->SwapMetadataLocation(t, "v1", "v2"));
  ASSERT_OK_AND_ASSIGN(std::string loc, catalog_->LoadMetadataLocation(t));
  EXPECT_EQ(loc, "v2");

  EXPECT_THAT(catalog_->SwapMetadataLocation(t, "v1", "v3"), IsError(StatusCode::kCommitConflict));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(t));
  EXPECT_EQ(loc, "v2");
  EXPECT_THAT(catalog_->SwapMetadataLocation(t, "", "v3"), IsError(StatusCode::kCommitConflict));

  ASSERT_OK(catalog_->SwapMetadataLocation(t, "v2", "v3"));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(t));
  EXPECT_EQ(loc, "v3");
  EXPECT_THAT(catalog_->SwapMetadataLocation(Id({"db"}, "missing"), "v1", "v2"),
              IsError(StatusCode::kNotFound));

  // A second catalog on the same state sees the commit and competes with the first.
  ASSERT_OK_AND_ASSIGN(auto other, env_->Open());
  ASSERT_OK_AND_ASSIGN(loc, other->LoadMetadataLocation(t));
  EXPECT_EQ(loc, "v3");
  ASSERT_OK(other->SwapMetadataLocation(t, "v3", "v4"));
  EXPECT_THAT(catalog_->SwapMetadataLocation(t, "v3", "v5"), IsError(StatusCode::kCommitConflict));
  ASSERT_OK_AND_ASSIGN(loc, catalog_->LoadMetadataLocation(t));
  EXPECT_EQ(loc, "v4");
}

TEST_P(CatalogBehaviour, ConcurrentSwapsFromEightThreadsHaveExactlyOneWinnerPerRound) {
  constexpr int kThreads = 8, kRounds = 16;
  const TableIdentifier t = Id({"db"}, "hot");
  ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  ASSERT_OK(catalog_->CreateTable(t, "r0"));
  std::barrier sync(kThreads);
  std::vector<std::vector<StatusCode>> codes(
      kRounds, std::vector<StatusCode>(kThreads, StatusCode::kInternal));
  std::vector<std::vector<std::string>> seen(kRounds, std::vector<std::string>(kThreads));
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      for (int r = 0; r < kRounds; ++r) {
        auto current = catalog_->LoadMetadataLocation(t);
        seen[r][i] = current.ok() ? *current : "error: " + current.status().ToString();
        sync.arrive_and_wait();  // everyone has read the same pointer
        if (current.ok()) {
          codes[r][i] = catalog_
                            ->SwapMetadataLocation(
                                t, *current, "r" + std::to_string(r + 1) + "-t" + std::to_string(i))
                            .code();
        }
        sync.arrive_and_wait();  // the round is over
      }
    });
  }
  for (auto& th : threads) th.join();
  std::string previous = "r0";
  for (int r = 0; r < kRounds; ++r) {
    int winners = 0, winner = -1;
    for (int i = 0; i < kThreads; ++i) {
      EXPECT_EQ(seen[r][i], previous) << "round " << r << " thread " << i;
      if (codes[r][i] == StatusCode::kOk) {
        ++winners;
        winner = i;
      } else {
        EXPECT_EQ(codes[r][i], StatusCode::kCommitConflict) << "round " << r << " thread " << i;
      }
    }
    ASSERT_EQ(winners, 1) << "round " << r;
    previous = "r" + std::to_string(r + 1) + "-t" + std::to_string(winner);
  }
  ASSERT_OK_AND_ASSIGN(std::string final_location, catalog_->LoadMetadataLocation(t));
  EXPECT_EQ(final_location, previous);
}

}  // namespace
}  // namespace atl::catalog::testing
