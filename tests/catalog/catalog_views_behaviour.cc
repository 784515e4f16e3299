// Views in every catalog (part of the behaviour suite, catalog_behaviour.h): pointers to
// view metadata files, kept apart from tables' pointers.
#include "catalog/catalog_behaviour.h"
#include "testing/testing.h"

namespace atl::catalog::testing {
namespace {

using ::atl::testing::IsError;
using iceberg::TableIdentifier;

const TableIdentifier kView{{"stg", "shop"}, "daily"};
const TableIdentifier kTable{{"stg", "shop"}, "orders"};

TEST_P(CatalogBehaviour, ViewsAreCreatedLoadedSwappedAndDropped) {
  ASSERT_OK(catalog_->CreateNamespace({"stg", "shop"}, {}));
  EXPECT_THAT(catalog_->LoadViewMetadataLocation(kView), IsError(StatusCode::kNotFound));
  ASSERT_OK(catalog_->CreateView(kView, "mem://wh/stg/shop/daily/metadata/00000-a.metadata.json"));
  ASSERT_OK_AND_ASSIGN(std::string location, catalog_->LoadViewMetadataLocation(kView));
  EXPECT_EQ(location, "mem://wh/stg/shop/daily/metadata/00000-a.metadata.json");
  EXPECT_THAT(catalog_->CreateView(kView, "mem://x.json"), IsError(StatusCode::kAlreadyExists));

  // The swap is conditional, as a table commit.
  EXPECT_THAT(catalog_->SwapViewMetadataLocation(kView, "mem://stale.json", "mem://b.json"),
              IsError(StatusCode::kCommitConflict));
  ASSERT_OK(catalog_->SwapViewMetadataLocation(kView, location, "mem://b.json"));
  ASSERT_OK_AND_ASSIGN(location, catalog_->LoadViewMetadataLocation(kView));
  EXPECT_EQ(location, "mem://b.json");

  ASSERT_OK(catalog_->CreateView({{"stg", "shop"}, "aaa"}, "mem://c.json"));
  ASSERT_OK_AND_ASSIGN(auto views, catalog_->ListViews({"stg", "shop"}));
  EXPECT_EQ(views, (std::vector<TableIdentifier>{{{"stg", "shop"}, "aaa"}, kView}));
  // Views are not tables.
  ASSERT_OK_AND_ASSIGN(auto tables, catalog_->ListTables({"stg", "shop"}));
  EXPECT_TRUE(tables.empty());
  EXPECT_THAT(catalog_->LoadMetadataLocation(kView), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->DropTable(kView), IsError(StatusCode::kNotFound));

  ASSERT_OK(catalog_->DropView(kView));
  EXPECT_THAT(catalog_->LoadViewMetadataLocation(kView), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->DropView(kView), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->SwapViewMetadataLocation(kView, "mem://b.json", "mem://d.json"),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->ListViews({"nowhere"}), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->CreateView({{"nowhere"}, "v"}, "mem://e.json"),
              IsError(StatusCode::kNotFound));
}

TEST_P(CatalogBehaviour, AViewAndATableNeverShareAName) {
  ASSERT_OK(catalog_->CreateNamespace({"stg", "shop"}, {}));
  ASSERT_OK(catalog_->CreateTable(kTable, "mem://t.json"));
  ASSERT_OK(catalog_->CreateView(kView, "mem://v.json"));
  EXPECT_THAT(catalog_->CreateView(kTable, "mem://v2.json"), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(catalog_->CreateTable(kView, "mem://t2.json"), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(catalog_->RenameTable(kTable, kView), IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(catalog_->LoadViewMetadataLocation(kTable), IsError(StatusCode::kNotFound));
  EXPECT_THAT(catalog_->DropView(kTable), IsError(StatusCode::kNotFound));
  // Both are still as they were.
  ASSERT_OK_AND_ASSIGN(std::string table, catalog_->LoadMetadataLocation(kTable));
  EXPECT_EQ(table, "mem://t.json");
  ASSERT_OK_AND_ASSIGN(std::string view, catalog_->LoadViewMetadataLocation(kView));
  EXPECT_EQ(view, "mem://v.json");
  // A namespace holding a view is not empty.
  ASSERT_OK(catalog_->DropTable(kTable));
  EXPECT_THAT(catalog_->DropNamespace({"stg", "shop"}), IsError(StatusCode::kPreconditionFailed));
}

}  // namespace
}  // namespace atl::catalog::testing
