// Avro schema parsing and JSON round trips, including Iceberg's extra attributes.
#include <nlohmann/json.hpp>

#include "atoll/formats/avro/schema.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

using ::atl::testing::IsError;

// An Iceberg v2 manifest-entry-like schema: field ids, element ids, map-as-array.
constexpr const char* kIcebergLike = R"({
  "type": "record", "name": "manifest_entry",
  "fields": [
    {"name": "status", "type": "int", "field-id": 0},
    {"name": "snapshot_id", "type": ["null", "long"], "default": null, "field-id": 1},
    {"name": "data_file", "type": {
      "type": "record", "name": "r2",
      "fields": [
        {"name": "file_path", "type": "string", "doc": "Location URI", "field-id": 100},
        {"name": "column_sizes", "type": ["null", {
          "type": "array", "logicalType": "map",
          "items": {"type": "record", "name": "k117_v118", "fields": [
            {"name": "key", "type": "int", "field-id": 117},
            {"name": "value", "type": "long", "field-id": 118}]}}],
         "default": null, "field-id": 108},
        {"name": "split_offsets", "type": ["null", {"type": "array", "items": "long", "element-id": 133}],
         "default": null, "field-id": 132},
        {"name": "props", "type": {"type": "map", "values": "string", "key-id": 7, "value-id": 8}, "field-id": 6}
      ]}, "field-id": 2}
  ]})";

TEST(AvroSchemaTest, ParsesPrimitivesAsStringsAndObjects) {
  for (const char* name :
       {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}) {
    ASSERT_OK_AND_ASSIGN(auto s, Schema::Parse(std::string("\"") + name + "\""));
    EXPECT_EQ(TypeName(s->root().type), name);
    ASSERT_OK_AND_ASSIGN(auto o, Schema::Parse(std::string("{\"type\": \"") + name + "\"}"));
    EXPECT_EQ(TypeName(o->root().type), name);
  }
}

TEST(AvroSchemaTest, KeepsIcebergAttributesAndWritesThemBack) {
  ASSERT_OK_AND_ASSIGN(auto s, Schema::Parse(kIcebergLike));
  const Node& root = s->root();
  ASSERT_EQ(root.type, Type::kRecord);
  EXPECT_EQ(root.fields[0].IntAttribute("field-id"), 0);
  EXPECT_EQ(root.FieldIndexById(2), 2);
  const Node& r2 = *root.fields[2].type;
  EXPECT_EQ(r2.full_name, "r2");
  EXPECT_EQ(r2.fields[0].attributes.get()["doc"], "Location URI");
  const Node& sizes = *r2.fields[1].type->branches[1];
  EXPECT_EQ(sizes.type, Type::kArray);
  EXPECT_EQ(sizes.attributes.get()["logicalType"], "map");
  EXPECT_EQ(sizes.logical, LogicalType::kNone);  // not an Avro logical type: kept, not interpreted
  EXPECT_EQ(r2.fields[2].type->branches[1]->IntAttribute("element-id"), 133);
  EXPECT_EQ(r2.fields[3].type->IntAttribute("key-id"), 7);
  EXPECT_EQ(r2.fields[3].type->IntAttribute("value-id"), 8);
  ASSERT_TRUE(root.fields[1].default_value.has_value());
  EXPECT_EQ(root.fields[1].default_value->get(), Json(nullptr));
  EXPECT_EQ(root.fields[1].type->NullBranch(), 0);

  // Written back and parsed again, the schema is the same JSON, attributes included.
  Json written = s->ToJson();
  EXPECT_EQ(written["fields"][0]["field-id"], 0);
  EXPECT_EQ(written["fields"][2]["type"]["fields"][1]["type"][1]["logicalType"], "map");
  ASSERT_OK_AND_ASSIGN(auto again, Schema::FromJson(written));
  EXPECT_EQ(again->ToJson(), written);
  // Compared as unordered JSON, nothing was lost from the original text.
  EXPECT_EQ(nlohmann::json::parse(s->ToString()), nlohmann::json::parse(kIcebergLike));
}

TEST(AvroSchemaTest, ResolvesNamesThroughNamespacesAndReferences) {
  ASSERT_OK_AND_ASSIGN(auto s, Schema::Parse(R"({
    "type": "record", "name": "Outer", "namespace": "a.b",
    "fields": [
      {"name": "x", "type": {"type": "fixed", "name": "Hash", "size": 4}},
      {"name": "y", "type": "Hash"},
      {"name": "z", "type": "a.b.Hash"},
      {"name": "e", "type": {"type": "enum", "name": "c.Color", "symbols": ["R", "G"], "default": "G"}},
      {"name": "f", "type": "c.Color"},
      {"name": "g", "type": {"type": "record", "name": "Top", "namespace": "", "fields": []}},
      {"name": "h", "type": {"type": "record", "name": "Inner", "aliases": ["Old"], "fields": [
        {"name": "k", "type": "Hash"}]}}
    ]})"));
  const Node& root = s->root();
  EXPECT_EQ(root.full_name, "a.b.Outer");
  EXPECT_EQ(root.fields[0].type->full_name, "a.b.Hash");
  EXPECT_EQ(root.fields[1].type, root.fields[0].type);
  EXPECT_EQ(root.fields[2].type, root.fields[0].type);
  EXPECT_EQ(root.fields[3].type->full_name, "c.Color");
  EXPECT_EQ(root.fields[3].type->enum_default, "G");
  EXPECT_EQ(root.fields[4].type, root.fields[3].type);
  EXPECT_EQ(root.fields[5].type->full_name, "Top");
  EXPECT_EQ(root.fields[6].type->full_name, "a.b.Inner");
  EXPECT_EQ(root.fields[6].type->fields[0].type, root.fields[0].type);
  EXPECT_EQ(root.fields[6].type->attributes.get()["aliases"], Json::array({"Old"}));
  EXPECT_NE(s->FindNamed("c.Color"), nullptr);

  ASSERT_OK_AND_ASSIGN(auto again, Schema::Parse(s->ToString()));
  EXPECT_EQ(again->ToJson(), s->ToJson());
  EXPECT_EQ(again->root().fields[5].type->full_name, "Top");
  EXPECT_EQ(again->root().fields[4].type, again->root().fields[3].type);
}

TEST(AvroSchemaTest, ParsesRecursiveSchemas) {
  ASSERT_OK_AND_ASSIGN(auto s, Schema::Parse(R"({"type": "record", "name": "List", "fields": [
      {"name": "value", "type": "long"}, {"name": "next", "type": ["null", "List"]}]})"));
  EXPECT_EQ(s->root().fields[1].type->branches[1], &s->root());
  ASSERT_OK_AND_ASSIGN(auto again, Schema::Parse(s->ToString()));
  EXPECT_EQ(again->ToJson(), s->ToJson());
}

TEST(AvroSchemaTest, InterpretsLogicalTypes) {
  struct Case {
    const char* json;
    LogicalType expected;
  } cases[] = {
      {R"({"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2})",
       LogicalType::kDecimal},
      {R"({"type": "fixed", "name": "d", "size": 16, "logicalType": "decimal", "precision": 38, "scale": 10})",
       LogicalType::kDecimal},
      {R"({"type": "string", "logicalType": "uuid"})", LogicalType::kUuid},
      {R"({"type": "int", "logicalType": "date"})", LogicalType::kDate},
      {R"({"type": "int", "logicalType": "time-millis"})", LogicalType::kTimeMillis},
      {R"({"type": "long", "logicalType": "time-micros"})", LogicalType::kTimeMicros},
      {R"({"type": "long", "logicalType": "timestamp-millis"})", LogicalType::kTimestampMillis},
      {R"({"type": "long", "logicalType": "timestamp-micros"})", LogicalType::kTimestampMicros},
      {R"({"type": "long", "logicalType": "timestamp-nanos"})", LogicalType::kTimestampNanos},
      {R"({"type": "long", "logicalType": "local-timestamp-millis"})",
       LogicalType::kLocalTimestampMillis},
      {R"({"type": "long", "logicalType": "local-timestamp-micros"})",
       LogicalType::kLocalTimestampMicros},
      {R"({"type": "long", "logicalType": "local-timestamp-nanos"})",
       LogicalType::kLocalTimestampNanos},
      {R"({"type": "fixed", "name": "dur", "size": 12, "logicalType": "duration"})",
       LogicalType::kDuration},
      // Invalid ones are ignored: the base type is used.
      {R"({"type": "fixed", "name": "d2", "size": 2, "logicalType": "decimal", "precision": 9})",
       LogicalType::kNone},
      {R"({"type": "bytes", "logicalType": "decimal", "precision": 2, "scale": 3})",
       LogicalType::kNone},
      {R"({"type": "string", "logicalType": "date"})", LogicalType::kNone},
      {R"({"type": "long", "logicalType": "no-such-type"})", LogicalType::kNone},
  };
  for (const Case& c : cases) {
    ASSERT_OK_AND_ASSIGN(auto s, Schema::Parse(c.json));
    EXPECT_EQ(s->root().logical, c.expected) << c.json;
    EXPECT_EQ(nlohmann::json::parse(s->ToString()), nlohmann::json::parse(c.json)) << c.json;
  }
  ASSERT_OK_AND_ASSIGN(auto d, Schema::Parse(cases[0].json));
  EXPECT_EQ(d->root().precision, 9);
  EXPECT_EQ(d->root().scale, 2);
}

TEST(AvroSchemaTest, RejectsInvalidSchemasWithAClearMessage) {
  struct Case {
    const char* json;
    const char* message_part;
  } cases[] = {
      {"not json", "not valid JSON"},
      {R"("lng")", "unknown type 'lng'"},
      {R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "lng"}]})",
       "field 'a' of record 'r'"},
      {R"({"type": "record", "name": "r", "fields": [{"name": "a", "type": "int"}, {"name": "a", "type": "int"}]})",
       "appears twice"},
      {R"(["int", "int"])", "two branches"},
      {R"(["int", ["null", "long"]])", "directly contain a union"},
      {R"({"type": "enum", "name": "e", "symbols": ["A"], "default": "B"})",
       "not one of its symbols"},
      {R"({"type": "enum", "name": "e", "symbols": ["A", "A"]})", "appears twice"},
      {R"({"type": "fixed", "name": "f", "size": -1})", "size"},
      {R"({"type": "record", "name": "", "fields": []})", "invalid name"},
      {R"({"type": "record", "name": "ns.", "fields": []})", "invalid name"},
      {R"({"type": "record", "name": "r", "fields": [{"name": "", "type": "int"}]})",
       "invalid field name"},
      {R"({"type": "enum", "name": "e", "symbols": ["A$"]})", "invalid symbol"},
      {R"({"type": "array"})", "without \"items\""},
      {R"([{"type": "record", "name": "r", "fields": []}, {"type": "record", "name": "r", "fields": []}])",
       "defined twice"},
  };
  for (const Case& c : cases) {
    auto s = Schema::Parse(c.json);
    EXPECT_THAT(s, IsError(StatusCode::kInvalidArgument)) << c.json;
    if (!s.ok()) {
      EXPECT_NE(s.status().message().find(c.message_part), std::string::npos)
          << s.status().ToString();
    }
  }
}

TEST(AvroSchemaTest, RejectsAbsurdNestingWithoutCrashing) {
  std::string deep;
  for (int i = 0; i < 5000; ++i) deep += R"({"type": "array", "items": )";
  deep += "\"int\"";
  for (int i = 0; i < 5000; ++i) deep += "}";
  EXPECT_THAT(Schema::Parse(deep), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::avro
