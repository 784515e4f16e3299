// lake::OpenQueryEngine and its parts on a local lake with an ingested table: the views
// <zone>.<db>.<table> of the tables a query names, the words of SQL, LAKE as a root.
#include "atoll/lake/query_session.h"

#include "ingest/ingest_fixture.h"

namespace atl::lake {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

class QuerySessionTest : public testing::IngestFixture {
 protected:
  void SetUp() override {
    testing::IngestFixture::SetUp();
    Drop("prepare/shop/orders/a.csv", "id,name\n1,x\n2,y\n3,z\n");
    Drop("prepare/shop/customers/a.csv", "id\n7\n");
    ASSERT_OK(Ingest().status());
  }
};

std::string Single(engine::Engine& engine, const std::string& sql) {
  auto r = engine.Query(sql);
  EXPECT_OK(r.status());
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "NULL";
  return *r->rows[0][0];
}

TEST_F(QuerySessionTest, TheTablesASqlTextNamesAreViews) {
  const std::string sql = "SELECT count(*) FROM stg.shop.orders";
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine, OpenQueryEngine(root(), sql));
  EXPECT_EQ(Single(*engine, sql), "3");
  // Only the tables the text names are defined.
  auto other = engine->Query("SELECT count(*) FROM stg.shop.customers");
  EXPECT_FALSE(other.ok());
}

TEST_F(QuerySessionTest, ListingTheCatalogDefinesEveryTable) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine,
                       OpenQueryEngine(root(), "SHOW ALL TABLES"));
  EXPECT_EQ(Single(*engine, "SELECT count(*) FROM stg.shop.customers"), "1");
  EXPECT_EQ(Single(*engine, "SELECT sum(id) FROM stg.shop.orders"), "6");
}

TEST_F(QuerySessionTest, RelativeLocationsResolveUnderTheLake) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine, OpenQueryEngine(root(), ""));
  EXPECT_EQ(Single(*engine, "SELECT count(*) FROM iceberg_scan('stg/shop/orders')"), "3");
}

TEST(QuerySessionWordsTest, SqlWordsAreFoldedAndSkipStringLiterals) {
  EXPECT_THAT(
      SqlWords("SELECT \"My Table\".x FROM Stg.Shop.Orders WHERE s = 'hidden'"),
      ElementsAre("from", "my table", "orders", "s", "select", "shop", "stg", "where", "x"));
}

TEST(QuerySessionRootTest, LakeRootRefusesWhatIsNoLake) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  auto no_bucket = LakeRoot("s3:///x", *engine);
  EXPECT_EQ(no_bucket.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(no_bucket.status().message(), HasSubstr("names no bucket"));
  auto http = LakeRoot("http://example.com/lake", *engine);
  EXPECT_EQ(http.status().code(), StatusCode::kInvalidArgument);
  ::atl::testing::TempDir dir;
  auto missing = LakeRoot(dir.Join("nothing"), *engine);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  ASSERT_OK_AND_ASSIGN(std::string root, LakeRoot("file://" + dir.path() + "/./", *engine));
  EXPECT_EQ(root, dir.path() + "/");
}

}  // namespace
}  // namespace atl::lake
