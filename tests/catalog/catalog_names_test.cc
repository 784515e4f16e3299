// Table identifiers and namespace names (catalog.h).
#include "atoll/iceberg/catalog.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using ::atl::testing::IsError;

TEST(CatalogNamesTest, IdentifiersRoundTripThroughText) {
  ASSERT_OK_AND_ASSIGN(TableIdentifier id, TableIdentifier::Parse("stg.shop.orders"));
  EXPECT_EQ(id.ns, (Namespace{"stg", "shop"}));
  EXPECT_EQ(id.name, "orders");
  EXPECT_EQ(id.ToString(), "stg.shop.orders");
  EXPECT_EQ(NamespaceToString({"stg", "shop"}), "stg.shop");
  EXPECT_EQ(NamespaceToString({}), "");
}

TEST(CatalogNamesTest, SplitNamespaceInvertsNamespaceToString) {
  for (const Namespace& ns : {Namespace{"stg"}, Namespace{"stg", "shop"}, Namespace{"a", "b", "c"}})
    EXPECT_EQ(SplitNamespace(NamespaceToString(ns)), ns);
  // Empty levels are kept for the caller to refuse.
  EXPECT_EQ(SplitNamespace("a..b"), (Namespace{"a", "", "b"}));
  EXPECT_EQ(SplitNamespace(""), (Namespace{""}));
}

TEST(CatalogNamesTest, ABareNameNeedsPermission) {
  EXPECT_THAT(TableIdentifier::Parse("orders"), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(TableIdentifier id,
                       TableIdentifier::Parse("orders", /*allow_empty_namespace=*/true));
  EXPECT_TRUE(id.ns.empty());
  EXPECT_EQ(id.ToString(), "orders");
}

TEST(CatalogNamesTest, RefusesEmptyLevelsSlashesAndControlCharacters) {
  for (const char* bad : {"", ".", "a..b", ".a.b", "a.b.", "a/b.c", "a.b\x01"}) {
    EXPECT_THAT(TableIdentifier::Parse(bad, true), IsError(StatusCode::kInvalidArgument)) << bad;
  }
  EXPECT_THAT(ValidateNamespace({"ok", ""}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateNamespace({"a.b"}), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ValidateIdentifier(TableIdentifier{{"a"}, "x\ny"}),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_OK(ValidateIdentifier(TableIdentifier{{"a-1", "b_2"}, "Ünïcode"}));
  auto st = ValidateNamespace({"fine", "bad/level"});
  EXPECT_NE(st.message().find("bad/level"), std::string::npos) << st.message();
}

TEST(CatalogNamesTest, IdentifiersOrderByNamespaceThenName) {
  EXPECT_LT((TableIdentifier{{"a"}, "z"}), (TableIdentifier{{"b"}, "a"}));
  EXPECT_LT((TableIdentifier{{"a"}, "a"}), (TableIdentifier{{"a"}, "b"}));
}

}  // namespace
}  // namespace atl::iceberg
