#include "atoll/iceberg/schema.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/iceberg/partition_spec.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using testing::IsError;

Schema Sample() {
  std::vector<NestedField> fields;
  fields.push_back(NestedField{1, "id", true, Type::Long(), {}, {}, {}});
  fields.push_back(NestedField{2, "price", false, Type::Decimal(9, 2), {}, {}, {}});
  fields.push_back(NestedField{3, "qty", false, Type::Int(), {}, {}, {}});
  std::vector<NestedField> loc = {NestedField{5, "lat", false, Type::Float(), {}, {}, {}},
                                  NestedField{6, "lon", false, Type::Float(), {}, {}, {}}};
  fields.push_back(NestedField{4, "location", false, Type::Struct(loc), {}, {}, {}});
  fields.push_back(NestedField{7, "tags", false, Type::List(8, true, Type::String()), {}, {}, {}});
  fields.push_back(NestedField{9, "ts", false, Type::TimestampTz(), {}, {}, {}});
  auto s = Schema::Make(0, fields, {1});
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return *s;
}

TEST(SchemaTest, FindsFieldsByIdAndDottedName) {
  Schema s = Sample();
  EXPECT_EQ(s.FindFieldById(5)->name, "lat");
  EXPECT_EQ(s.FindFieldByName("location.lon")->id, 6);
  EXPECT_EQ(s.FindFieldByName("tags.element")->id, 8);
  EXPECT_EQ(s.FindFieldByName("nope"), nullptr);
  EXPECT_EQ(s.FindColumnName(6).value_or(""), "location.lon");
  EXPECT_EQ(s.ParentId(6).value_or(0), 4);
  EXPECT_TRUE(s.IsInListOrMap(8));
  EXPECT_FALSE(s.IsInListOrMap(5));
  EXPECT_EQ(s.HighestFieldId(), 9);
  // Copies keep valid lookups.
  Schema copy = s;
  EXPECT_EQ(copy.FindFieldByName("location.lat")->id, 5);
}

TEST(SchemaTest, JsonRoundTrip) {
  Schema s = Sample();
  ASSERT_OK_AND_ASSIGN(Schema back, Schema::FromJson(Json::parse(s.ToJson().dump())));
  EXPECT_EQ(back, s);
  EXPECT_EQ(s.ToJson()["identifier-field-ids"], Json::array({1}));
}

TEST(SchemaTest, MakeRejectsInvalidSchemas) {
  std::vector<NestedField> dup = {NestedField{1, "a", true, Type::Int(), {}, {}, {}},
                                  NestedField{1, "b", true, Type::Int(), {}, {}, {}}};
  EXPECT_THAT(Schema::Make(0, dup), IsError(StatusCode::kInvalidArgument));
  std::vector<NestedField> same_name = {NestedField{1, "a", true, Type::Int(), {}, {}, {}},
                                        NestedField{2, "a", true, Type::Int(), {}, {}, {}}};
  EXPECT_THAT(Schema::Make(0, same_name), IsError(StatusCode::kInvalidArgument));
  std::vector<NestedField> opt = {NestedField{1, "a", false, Type::Int(), {}, {}, {}}};
  auto r = Schema::Make(0, opt, {1});
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(r.status().message(), "schema 0: identifier field 'a' must be required");
}

TEST(SchemaUpdateTest, AddsRenamesWidensAndDeletesByFieldId) {
  Schema base = Sample();
  SchemaUpdate update(base, 9);
  update.AddColumn("", "note", Type::String(), "free text")
      .AddColumn("location", "alt", Type::Double())
      .AddColumn("", "attrs", Type::Map(0, Type::String(), 0, false, Type::Int()))
      .RenameColumn("qty", "quantity")
      .UpdateColumnType("qty", Type::Long())
      .UpdateColumnType("price", Type::Decimal(18, 2))
      .MakeColumnOptional("tags")
      .DeleteColumn("ts");
  ASSERT_OK_AND_ASSIGN(SchemaUpdateResult r, update.Apply());
  const Schema& s = r.schema;
  EXPECT_EQ(s.schema_id(), 1);
  EXPECT_EQ(s.FindFieldByName("quantity")->id, 3);
  EXPECT_EQ(s.FindFieldByName("quantity")->type->id(), TypeId::kLong);
  EXPECT_EQ(s.FindFieldById(2)->type->precision(), 18);
  EXPECT_EQ(s.FindFieldById(9), nullptr);
  EXPECT_EQ(s.FindFieldByName("location.alt")->id, 10);
  EXPECT_EQ(s.FindFieldByName("note")->id, 11);
  EXPECT_EQ(s.FindFieldByName("note")->doc.value_or(""), "free text");
  EXPECT_EQ(s.FindFieldByName("attrs")->id, 12);
  EXPECT_EQ(s.FindFieldByName("attrs.key")->id, 13);
  EXPECT_EQ(s.FindFieldByName("attrs.value")->id, 14);
  EXPECT_FALSE(s.FindFieldByName("note")->required);
  EXPECT_EQ(r.last_column_id, 14);
}

TEST(SchemaUpdateTest, RejectsIncompatibleChangesWithPreciseErrors) {
  Schema base = Sample();
  auto widen = SchemaUpdate(base, 9).UpdateColumnType("price", Type::Decimal(9, 3)).Apply();
  EXPECT_THAT(widen, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(widen.status().message(),
            "cannot change the type of column 'price': cannot promote decimal(9,2) to "
            "decimal(9,3): the scale of a "
            "decimal cannot change");
  auto narrow = SchemaUpdate(base, 9).UpdateColumnType("id", Type::Int()).Apply();
  EXPECT_NE(narrow.status().message().find("cannot promote long to int"), std::string::npos);
  EXPECT_THAT(SchemaUpdate(base, 9).DeleteColumn("missing").Apply(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SchemaUpdate(base, 9).AddColumn("", "id", Type::Int()).Apply(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SchemaUpdate(base, 9).AddColumn("", "r", Type::Int(), {}, true).Apply(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SchemaUpdate(base, 9).DeleteColumn("id").Apply(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SchemaUpdate(base, 9).RenameColumn("qty", "price").Apply(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(SchemaUpdate(base, 9).AddColumn("tags", "x", Type::Int()).Apply(),
              IsError(StatusCode::kInvalidArgument));
  // Required columns with a default need v3.
  EXPECT_THAT(SchemaUpdate(base, 9, 2).AddColumn("", "r", Type::Int(), {}, true, Json(7)).Apply(),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(
      auto v3, SchemaUpdate(base, 9, 3).AddColumn("", "r", Type::Int(), {}, true, Json(7)).Apply());
  EXPECT_EQ(v3.schema.FindFieldByName("r")->initial_default.value_or(JsonValue()).get(), Json(7));
}

TEST(PartitionSpecTest, PartitionTypeAndEvolutionKeepFieldIds) {
  Schema s = Sample();
  int32_t last = 999;
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec0, EvolveSpec({}, s, 0,
                                                       {{{9}, "ts_day", Transform::Day()},
                                                        {{1}, "id_bucket", Transform::Bucket(16)}},
                                                       &last));
  EXPECT_EQ(spec0.fields[0].field_id, 1000);
  EXPECT_EQ(spec0.fields[1].field_id, 1001);
  EXPECT_EQ(last, 1001);
  ASSERT_OK_AND_ASSIGN(TypePtr pt, spec0.PartitionType(s));
  EXPECT_EQ(TypeToJson(*pt).dump(),
            R"({"fields":[{"id":1000,"name":"ts_day","required":false,"type":"int"},)"
            R"({"id":1001,"name":"id_bucket","required":false,"type":"int"}],"type":"struct"})");
  // Evolve: drop the bucket, keep the day, add truncate of qty.
  ASSERT_OK_AND_ASSIGN(PartitionSpec spec1, EvolveSpec({spec0}, s, 1,
                                                       {{{9}, "ts_day", Transform::Day()},
                                                        {{3}, "qty_t", Transform::Truncate(10)}},
                                                       &last));
  EXPECT_EQ(spec1.fields[0].field_id, 1000);
  EXPECT_EQ(spec1.fields[1].field_id, 1002);
  EXPECT_EQ(last, 1002);
  ASSERT_OK_AND_ASSIGN(PartitionSpec back,
                       PartitionSpec::FromJson(Json::parse(spec1.ToJson().dump())));
  EXPECT_EQ(back, spec1);
  // Invalid specs are named precisely.
  int32_t l2 = 999;
  auto bad = EvolveSpec({}, s, 0, {{{5}, "lat_bucket", Transform::Bucket(4)}}, &l2);
  EXPECT_EQ(bad.status().message(),
            "partition spec 0: field 'lat_bucket': transform bucket[4] cannot be applied to float "
            "column 'lat'");
  EXPECT_THAT(EvolveSpec({}, s, 0, {{{8}, "tag", Transform::Identity()}}, &l2),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(l2, 999);
}

}  // namespace
}  // namespace atl::iceberg
