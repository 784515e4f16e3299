// Iceberg view metadata (view spec v1): parsing the spec's example, round trips, strict
// parsing, and the builders of a new view and of a replacement.
#include "atoll/iceberg/view_metadata.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using ::atl::testing::IsError;

// The view spec's Appendix A example (first metadata file).
constexpr const char* kSpecExample = R"({
  "view-uuid": "fa6506c3-7681-40c8-86dc-e36561f83385",
  "format-version" : 1,
  "location" : "s3://bucket/warehouse/default.db/event_agg",
  "current-version-id" : 1,
  "properties" : { "comment" : "Daily event counts" },
  "versions" : [ {
    "version-id" : 1,
    "timestamp-ms" : 1573518431292,
    "schema-id" : 1,
    "default-catalog" : "prod",
    "default-namespace" : [ "default" ],
    "summary" : { "engine-name" : "Spark", "engine-version" : "3.3.2" },
    "representations" : [ {
      "type" : "sql",
      "sql" : "SELECT\n    COUNT(1), CAST(event_ts AS DATE)\nFROM events\nGROUP BY 2",
      "dialect" : "spark"
    } ]
  } ],
  "schemas": [ {
    "schema-id": 1,
    "type" : "struct",
    "fields" : [ {
      "id" : 1, "name" : "event_count", "required" : false, "type" : "int",
      "doc" : "Count of events"
    }, {
      "id" : 2, "name" : "event_date", "required" : false, "type" : "date"
    } ]
  } ],
  "version-log" : [ { "timestamp-ms" : 1573518431292, "version-id" : 1 } ]
})";

Schema TwoColumns() {
  return Schema(7, {NestedField{1, "day", false, Type::Date(), {}, {}, {}},
                    NestedField{2, "orders", false, Type::Long(), {}, {}, {}}});
}

ViewVersionSpec Spec(const std::string& sql, Schema schema = TwoColumns()) {
  ViewVersionSpec v;
  v.schema = std::move(schema);
  v.representations = {ViewRepresentation::Sql(sql, "duckdb")};
  v.default_namespace = {"stg", "shop"};
  v.summary = {{"engine-name", "atoll"}};
  return v;
}

TEST(ViewMetadataTest, ReadsTheSpecExample) {
  ASSERT_OK_AND_ASSIGN(ViewMetadata m, ViewMetadata::Parse(kSpecExample, "example.json"));
  EXPECT_EQ(m.view_uuid, "fa6506c3-7681-40c8-86dc-e36561f83385");
  EXPECT_EQ(m.location, "s3://bucket/warehouse/default.db/event_agg");
  EXPECT_EQ(m.properties.at("comment"), "Daily event counts");
  const ViewVersion* v = m.CurrentVersion();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->timestamp_ms, 1573518431292);
  EXPECT_EQ(v->default_catalog, "prod");
  EXPECT_EQ(v->default_namespace, Namespace{"default"});
  EXPECT_EQ(v->summary.at("engine-version"), "3.3.2");
  ASSERT_NE(v->SqlFor("SPARK"), nullptr);
  EXPECT_EQ(v->SqlFor("spark")->sql.substr(0, 6), "SELECT");
  EXPECT_EQ(v->SqlFor("duckdb"), nullptr);
  ASSERT_NE(m.CurrentSchema(), nullptr);
  EXPECT_EQ(m.CurrentSchema()->fields()[0].name, "event_count");
  EXPECT_EQ(m.CurrentSchema()->fields()[0].doc, "Count of events");
  EXPECT_EQ(m.version_log, (std::vector<ViewLogEntry>{{1573518431292, 1}}));

  // Written and read again, nothing changes.
  ASSERT_OK_AND_ASSIGN(std::string text, m.ToJsonString());
  ASSERT_OK_AND_ASSIGN(ViewMetadata again, ViewMetadata::Parse(text, "again.json"));
  EXPECT_EQ(again, m);
}

TEST(ViewMetadataTest, KeepsRepresentationsOfOtherTypes) {
  nlohmann::json j = nlohmann::json::parse(kSpecExample);
  j["versions"][0]["representations"].push_back({{"type", "substrait"}, {"plan", "AAEC"}});
  ASSERT_OK_AND_ASSIGN(ViewMetadata m, ViewMetadata::Parse(j.dump(), "other.json"));
  ASSERT_EQ(m.versions[0].representations.size(), 2u);
  ASSERT_OK_AND_ASSIGN(std::string text, m.ToJsonString());
  EXPECT_EQ(nlohmann::json::parse(text)["versions"][0]["representations"][1]["plan"], "AAEC");
}

TEST(ViewMetadataTest, RefusesBrokenFilesNamingThem) {
  auto broken = [](auto change) {
    nlohmann::json j = nlohmann::json::parse(kSpecExample);
    change(j);
    return ViewMetadata::Parse(j.dump(), "s3://b/v/metadata/00003-x.metadata.json");
  };
  const std::vector<std::function<void(nlohmann::json&)>> changes = {
      [](auto& j) { j.erase("view-uuid"); },
      [](auto& j) { j["format-version"] = 2; },
      [](auto& j) { j.erase("location"); },
      [](auto& j) { j["current-version-id"] = 9; },
      [](auto& j) { j.erase("version-log"); },
      [](auto& j) { j["version-log"][0]["version-id"] = 4; },
      [](auto& j) { j["versions"][0]["schema-id"] = 5; },
      [](auto& j) { j["versions"][0].erase("summary"); },
      [](auto& j) { j["versions"][0].erase("default-namespace"); },
      [](auto& j) { j["versions"][0]["representations"] = nlohmann::json::array(); },
      [](auto& j) { j["versions"][0]["representations"][0].erase("dialect"); },
      [](auto& j) {
        j["versions"][0]["representations"].push_back(j["versions"][0]["representations"][0]);
      },
      [](auto& j) { j["versions"].push_back(j["versions"][0]); },
      [](auto& j) { j["schemas"].push_back(j["schemas"][0]); },
      [](auto& j) { j["versions"][0]["timestamp-ms"] = "yesterday"; },
  };
  for (size_t i = 0; i < changes.size(); ++i) {
    Result<ViewMetadata> m = broken(changes[i]);
    ASSERT_THAT(m, IsError(StatusCode::kCorruption)) << "change " << i;
    EXPECT_NE(m.status().message().find("00003-x.metadata.json"), std::string::npos)
        << m.status().message();
  }
  EXPECT_THAT(ViewMetadata::Parse("{not json", "f.json"), IsError(StatusCode::kCorruption));
  EXPECT_THAT(ViewMetadata::Parse("[]", "f.json"), IsError(StatusCode::kCorruption));
}

TEST(ViewMetadataTest, ANewViewHasOneVersion) {
  ASSERT_OK_AND_ASSIGN(ViewMetadata m,
                       NewViewMetadata("mem://lake/stg/shop/daily/", Spec("SELECT 1"),
                                       {{"comment", "c"}}, "uuid-1", 1000));
  EXPECT_EQ(m.location, "mem://lake/stg/shop/daily");
  EXPECT_EQ(m.current_version_id, 1);
  ASSERT_EQ(m.schemas.size(), 1u);
  EXPECT_EQ(m.schemas[0].schema_id(), 0);
  EXPECT_EQ(m.CurrentVersion()->schema_id, 0);
  EXPECT_EQ(m.CurrentVersion()->SqlFor("duckdb")->sql, "SELECT 1");
  EXPECT_EQ(m.version_log, (std::vector<ViewLogEntry>{{1000, 1}}));
  ASSERT_OK_AND_ASSIGN(std::string text, m.ToJsonString());
  ASSERT_OK_AND_ASSIGN(ViewMetadata again, ViewMetadata::Parse(text, "new.json"));
  EXPECT_EQ(again, m);

  EXPECT_THAT(NewViewMetadata("", Spec("SELECT 1"), {}, "u", 1),
              IsError(StatusCode::kInvalidArgument));
  ViewVersionSpec none = Spec("SELECT 1");
  none.representations.clear();
  EXPECT_THAT(NewViewMetadata("mem://v", none, {}, "u", 1), IsError(StatusCode::kInvalidArgument));
  ViewVersionSpec twice = Spec("SELECT 1");
  twice.representations.push_back(ViewRepresentation::Sql("SELECT 2", "DuckDB"));
  EXPECT_THAT(NewViewMetadata("mem://v", twice, {}, "u", 1), IsError(StatusCode::kInvalidArgument));
}

TEST(ViewMetadataTest, AReplacementAppendsAVersionAndReusesAnEqualSchema) {
  ASSERT_OK_AND_ASSIGN(ViewMetadata m1,
                       NewViewMetadata("mem://v", Spec("SELECT 1"), {}, "uuid-1", 1000));
  ASSERT_OK_AND_ASSIGN(ViewMetadata m2, ReplaceViewVersion(m1, Spec("SELECT 2"), 2000));
  EXPECT_EQ(m2.view_uuid, "uuid-1");
  EXPECT_EQ(m2.current_version_id, 2);
  EXPECT_EQ(m2.versions.size(), 2u);
  EXPECT_EQ(m2.schemas.size(), 1u);  // the same columns: schema 0 again
  EXPECT_EQ(m2.CurrentVersion()->schema_id, 0);
  EXPECT_EQ(m2.CurrentVersion()->SqlFor("duckdb")->sql, "SELECT 2");
  EXPECT_EQ(m2.VersionById(1)->SqlFor("duckdb")->sql, "SELECT 1");
  EXPECT_EQ(m2.version_log, (std::vector<ViewLogEntry>{{1000, 1}, {2000, 2}}));

  Schema other(0, {NestedField{1, "n", true, Type::Long(), {}, {}, {}}});
  ASSERT_OK_AND_ASSIGN(ViewMetadata m3, ReplaceViewVersion(m2, Spec("SELECT 3 AS n", other), 3000));
  EXPECT_EQ(m3.schemas.size(), 2u);
  EXPECT_EQ(m3.CurrentVersion()->schema_id, 1);
  EXPECT_EQ(m3.CurrentSchema()->fields()[0].name, "n");
  ASSERT_OK_AND_ASSIGN(std::string text, m3.ToJsonString());
  ASSERT_OK_AND_ASSIGN(ViewMetadata again, ViewMetadata::Parse(text, "m3.json"));
  EXPECT_EQ(again, m3);
}

TEST(ViewMetadataTest, KeepsTheConfiguredNumberOfVersions) {
  ASSERT_OK_AND_ASSIGN(
      ViewMetadata m,
      NewViewMetadata("mem://v", Spec("SELECT 1"),
                      {{std::string(ViewMetadata::kHistoryEntries), "2"}}, "uuid-1", 1000));
  Schema other(0, {NestedField{1, "n", true, Type::Long(), {}, {}, {}}});
  ASSERT_OK_AND_ASSIGN(m, ReplaceViewVersion(m, Spec("SELECT 2"), 2000));
  ASSERT_OK_AND_ASSIGN(m, ReplaceViewVersion(m, Spec("SELECT 3", other), 3000));
  ASSERT_OK_AND_ASSIGN(m, ReplaceViewVersion(m, Spec("SELECT 4", other), 4000));
  ASSERT_EQ(m.versions.size(), 2u);
  EXPECT_EQ(m.versions[0].version_id, 3);
  EXPECT_EQ(m.versions[1].version_id, 4);
  EXPECT_EQ(m.version_log, (std::vector<ViewLogEntry>{{3000, 3}, {4000, 4}}));
  ASSERT_EQ(m.schemas.size(), 1u);  // the first schema is used by no kept version
  EXPECT_OK(m.ToJsonString());
  EXPECT_THAT(NewViewMetadata("mem://v", Spec("SELECT 1"),
                              {{std::string(ViewMetadata::kHistoryEntries), "0"}}, "u", 1),
              IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::iceberg
