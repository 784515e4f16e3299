// The serve layer without sockets: tokens in a store, requirements and updates applied to
// table metadata, and RestCatalog::Handle on a local lake (authentication, authorization,
// path checks, error shapes).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/lake/lake.h"
#include "atoll/serve/rest_catalog.h"
#include "atoll/serve/table_commit.h"
#include "atoll/serve/tokens.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::serve {
namespace {

using nlohmann::json;
using testing::IsError;

TEST(TokensTest, CreateKeepsOnlyTheHashAndFindsTheTokenBySecret) {
  storage::MemoryStore store;
  ASSERT_OK_AND_ASSIGN(CreatedToken made,
                       CreateToken(store, "etl", TokenScope::kWrite, {"prd", "shop"}, 1000));
  EXPECT_EQ(made.secret.size(), 68u);
  EXPECT_EQ(made.secret.rfind("atl_", 0), 0u);
  ASSERT_OK_AND_ASSIGN(std::string stored, store.Get("_atoll/tokens/etl.json"));
  EXPECT_EQ(stored.find(made.secret), std::string::npos);
  EXPECT_NE(stored.find(SecretHash(made.secret)), std::string::npos);
  EXPECT_THAT(CreateToken(store, "etl", TokenScope::kRead, {}, 1000).status(),
              IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(CreateToken(store, "../x", TokenScope::kRead, {}, 1000).status(),
              IsError(StatusCode::kInvalidArgument));

  TokenCache cache(store, 0);
  ASSERT_OK_AND_ASSIGN(std::optional<Token> found, cache.Find(made.secret, 1));
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->name, "etl");
  EXPECT_EQ(found->ns, (iceberg::Namespace{"prd", "shop"}));
  ASSERT_OK_AND_ASSIGN(found, cache.Find(made.secret + "x", 2));
  EXPECT_FALSE(found.has_value());

  ASSERT_OK(RevokeToken(store, "etl"));
  ASSERT_OK_AND_ASSIGN(found, cache.Find(made.secret, 3));
  EXPECT_FALSE(found.has_value());
  EXPECT_THAT(RevokeToken(store, "etl"), IsError(StatusCode::kNotFound));
}

TEST(TokensTest, ScopeAndNamespaceDecideWhatATokenMayDo) {
  Token read{"r", TokenScope::kRead, {}, "", 0};
  Token shop{"s", TokenScope::kWrite, {"prd", "shop"}, "", 0};
  EXPECT_TRUE(TokenAllows(read, {"stg", "x"}, false));
  EXPECT_FALSE(TokenAllows(read, {"stg", "x"}, true));
  EXPECT_TRUE(TokenAllows(shop, {"prd", "shop"}, true));
  EXPECT_FALSE(TokenAllows(shop, {"prd", "shop2"}, false));
  EXPECT_FALSE(TokenAllows(shop, {"prd"}, false));
  EXPECT_TRUE(TokenSees(shop, {"prd"}));
  EXPECT_FALSE(TokenSees(shop, {"stg"}));
}

iceberg::TableMetadata SampleTable() {
  iceberg::Schema schema(0,
                         {iceberg::NestedField{1, "id", true, iceberg::Type::Long(), {}, {}, {}}});
  Result<iceberg::TableMetadata> m = iceberg::TableMetadataBuilder::NewTable(
      schema, {}, iceberg::UnsortedOrder(), "/lake/stg/a/t", {{"k", "v"}},
      "11111111-1111-4111-8111-111111111111", 1000);
  EXPECT_TRUE(m.ok());
  return *m;
}

TEST(TableCommitTest, RequirementsThatFailAreCommitConflicts) {
  const iceberg::TableMetadata m = SampleTable();
  ASSERT_OK(CheckRequirements(json::parse(R"([
      {"type": "assert-table-uuid", "uuid": "11111111-1111-4111-8111-111111111111"},
      {"type": "assert-current-schema-id", "current-schema-id": 0},
      {"type": "assert-last-assigned-field-id", "last-assigned-field-id": 1},
      {"type": "assert-default-spec-id", "default-spec-id": 0},
      {"type": "assert-default-sort-order-id", "default-sort-order-id": 0},
      {"type": "assert-last-assigned-partition-id", "last-assigned-partition-id": 999},
      {"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": null}])"),
                              &m));
  for (const char* failing : {
           R"([{"type": "assert-create"}])",
           R"([{"type": "assert-table-uuid", "uuid": "x"}])",
           R"([{"type": "assert-current-schema-id", "current-schema-id": 1}])",
           R"([{"type": "assert-ref-snapshot-id", "ref": "main", "snapshot-id": 5}])",
           R"([{"type": "assert-last-assigned-field-id", "last-assigned-field-id": 2}])",
       }) {
    EXPECT_THAT(CheckRequirements(json::parse(failing), &m), IsError(StatusCode::kCommitConflict))
        << failing;
  }
  EXPECT_THAT(
      CheckRequirements(json::parse(R"([{"type": "assert-table-uuid", "uuid": "x"}])"), nullptr),
      IsError(StatusCode::kCommitConflict));
  ASSERT_OK(CheckRequirements(json::parse(R"([{"type": "assert-create"}])"), nullptr));
  EXPECT_THAT(CheckRequirements(json::parse(R"([{"type": "assert-whatever"}])"), &m),
              IsError(StatusCode::kInvalidArgument));
}

TEST(TableCommitTest, UpdatesBuildNewMetadata) {
  const iceberg::TableMetadata m = SampleTable();
  UpdateContext context{2000, "/lake/stg/a/t/metadata/00000-x.metadata.json", nullptr, nullptr};
  ASSERT_OK_AND_ASSIGN(iceberg::TableMetadata next, ApplyUpdates(json::parse(R"([
      {"action": "add-schema", "schema": {"type": "struct", "schema-id": 7, "fields": [
          {"id": 1, "name": "id", "type": "long", "required": true},
          {"id": 2, "name": "at", "type": "date", "required": false}]}, "last-column-id": 2},
      {"action": "set-current-schema", "schema-id": -1},
      {"action": "add-spec", "spec": {"fields": [{"source-id": 2, "transform": "month", "name": "m"}]}},
      {"action": "set-default-spec", "spec-id": -1},
      {"action": "set-properties", "updates": {"a": "b"}},
      {"action": "remove-properties", "removals": ["k"]}])"),
                                                                 m, context));
  EXPECT_EQ(next.current_schema_id, 1);
  EXPECT_EQ(next.last_column_id, 2);
  EXPECT_EQ(next.default_spec_id, 1);
  ASSERT_EQ(next.DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(next.DefaultSpec()->fields[0].field_id, 1000);
  EXPECT_EQ(next.properties, (std::map<std::string, std::string>{{"a", "b"}}));
  EXPECT_EQ(next.table_uuid, m.table_uuid);
  ASSERT_EQ(next.metadata_log.size(), 1u);
  EXPECT_EQ(next.metadata_log[0].metadata_file, context.previous_metadata_file);
  EXPECT_EQ(next.last_updated_ms, 2000);

  EXPECT_THAT(ApplyUpdates(json::parse(R"([{"action": "set-statistics"}])"), m, context).status(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(
      ApplyUpdates(json::parse(R"([{"action": "assign-uuid", "uuid": "other"}])"), m, context)
          .status(),
      IsError(StatusCode::kInvalidArgument));
  context.check_location = [](const std::string&) { return InvalidArgument("outside"); };
  EXPECT_THAT(ApplyUpdates(json::parse(R"([{"action": "set-location", "location": "/elsewhere"}])"),
                           m, context)
                  .status(),
              IsError(StatusCode::kInvalidArgument));
}

class RestCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(lake::Lake::Init(dir_.path(), lake::Settings{}).status());
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<lake::Lake> opened, lake::Lake::Open(dir_.path()));
    lake_ = std::move(opened);
    ASSERT_OK_AND_ASSIGN(CreatedToken w,
                         CreateToken(lake_->store(), "w", TokenScope::kWrite, {}, 1));
    ASSERT_OK_AND_ASSIGN(CreatedToken r,
                         CreateToken(lake_->store(), "r", TokenScope::kRead, {}, 1));
    write_ = w.secret;
    read_ = r.secret;
    RestCatalogOptions options;
    options.token_cache_ms = 0;
    ASSERT_OK_AND_ASSIGN(catalog_, RestCatalog::Open(lake_, options));
  }

  HttpResponse Call(const std::string& method, const std::string& path, const std::string& token,
                    const std::string& body = "") {
    HttpRequest req;
    req.method = method;
    req.target = "/iceberg/v1" + path;
    if (!token.empty()) req.headers["authorization"] = "Bearer " + token;
    req.body = body;
    return catalog_->Handle(req);
  }

  static std::string Type(const HttpResponse& res) {
    return json::parse(res.body)["error"]["type"].get<std::string>();
  }

  testing::TempDir dir_;
  std::shared_ptr<const lake::Lake> lake_;
  std::unique_ptr<RestCatalog> catalog_;
  std::string write_, read_;
};

TEST_F(RestCatalogTest, AnswersWithoutAValidTokenAre401) {
  HttpResponse res = Call("GET", "/namespaces", "");
  EXPECT_EQ(res.status, 401);
  EXPECT_EQ(Type(res), "NotAuthorizedException");
  EXPECT_EQ(res.headers["WWW-Authenticate"], "Bearer");
  EXPECT_EQ(Call("GET", "/namespaces", read_).status, 200);
  ASSERT_OK(RevokeToken(lake_->store(), "r"));
  EXPECT_EQ(Call("GET", "/namespaces", read_).status, 401);
}

TEST_F(RestCatalogTest, WritesNeedAWriteTokenAndAZoneOfTables) {
  const std::string create = R"({"namespace": ["stg", "shop"]})";
  EXPECT_EQ(Type(Call("POST", "/namespaces", read_, create)), "ForbiddenException");
  EXPECT_EQ(Call("POST", "/namespaces", write_, create).status, 200);
  EXPECT_EQ(Type(Call("POST", "/namespaces", write_, create)), "AlreadyExistsException");
  for (const char* zone : {"trail", "stats", "log", "load"}) {
    HttpResponse res =
        Call("POST", "/namespaces", write_, StrCat(R"({"namespace": [")", zone, R"(", "x"]})"));
    EXPECT_EQ(res.status, 403) << zone;
  }
  EXPECT_EQ(Call("POST", "/namespaces", write_, R"({"namespace": ["stg"]})").status, 400);
}

TEST_F(RestCatalogTest, BadNamesAndPathsAre400Or404) {
  for (const char* path : {"/namespaces/stg%1F..", "/namespaces/stg%2Fx", "/namespaces/stg%1Fa.b",
                           "/namespaces/stg%1F%00", "/namespaces/stg%1Fx%ZZ"}) {
    HttpResponse res = Call("GET", path, read_);
    EXPECT_EQ(res.status, 400) << path;
    EXPECT_EQ(Type(res), "BadRequestException") << path;
  }
  EXPECT_EQ(Call("GET", "/namespaces/stg%1F" + std::string(101, 'n'), read_).status, 400);
  EXPECT_EQ(Call("GET", "/nothing/here", read_).status, 404);
  EXPECT_EQ(Type(Call("GET", "/namespaces/stg%1Fnone", read_)), "NoSuchNamespaceException");
  EXPECT_EQ(Type(Call("GET", "/namespaces/stg%1Fnone/tables/t", read_)), "NoSuchTableException");
  HttpResponse head = Call("HEAD", "/namespaces/stg%1Fnone", read_);
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(Call("POST", "/namespaces", write_, "[1, 2]").status, 400);
  EXPECT_EQ(Call("POST", "/namespaces", write_, R"({"namespace": [1, 2]})").status, 400);
}

TEST_F(RestCatalogTest, TransactionsOverSeveralTablesAreRefused) {
  const std::string two = R"({"table-changes": [
      {"identifier": {"namespace": ["stg", "a"], "name": "t"}, "requirements": [], "updates": []},
      {"identifier": {"namespace": ["stg", "a"], "name": "u"}, "requirements": [], "updates": []}]})";
  HttpResponse res = Call("POST", "/transactions/commit", write_, two);
  EXPECT_EQ(res.status, 400);
  EXPECT_NE(res.body.find("one table at a time"), std::string::npos);
}

}  // namespace
}  // namespace atl::serve
