#include "atoll/iceberg/types.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "testing/testing.h"

namespace atl::iceberg {
namespace {

TypePtr RoundTrip(const TypePtr& t) {
  Json j = TypeToJson(*t);
  auto back = TypeFromJson(Json::parse(j.dump()));
  EXPECT_TRUE(back.ok()) << back.status().ToString();
  return back.ok() ? *back : nullptr;
}

TEST(TypesTest, EveryPrimitiveRoundTripsThroughItsJsonName) {
  const char* names[] = {"unknown",
                         "boolean",
                         "int",
                         "long",
                         "float",
                         "double",
                         "date",
                         "time",
                         "timestamp",
                         "timestamptz",
                         "timestamp_ns",
                         "timestamptz_ns",
                         "string",
                         "uuid",
                         "binary",
                         "variant",
                         "decimal(9,2)",
                         "decimal(38,0)",
                         "fixed[16]",
                         "geometry(srid:4326)",
                         "geography(srid:4326,spherical)"};
  for (const char* name : names) {
    ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromJson(Json(name)));
    EXPECT_EQ(TypeToJson(*t), Json(name)) << name;
    EXPECT_TRUE(TypesEqual(RoundTrip(t), t)) << name;
  }
}

TEST(TypesTest, DecimalWithSpaceIsAcceptedAndWrittenCompact) {
  ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromJson(Json("decimal(9, 2)")));
  EXPECT_EQ(t->id(), TypeId::kDecimal);
  EXPECT_EQ(t->precision(), 9);
  EXPECT_EQ(t->scale(), 2);
  EXPECT_EQ(TypeToJson(*t), Json("decimal(9,2)"));
}

TEST(TypesTest, InvalidTypeNamesAreRejected) {
  for (const char* bad :
       {"decimal(39,2)", "decimal(5,6)", "fixed[0]", "fixed[x]", "integer", "decimal(9)"}) {
    EXPECT_THAT(TypeFromJson(Json(bad)), testing::IsError(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(TypesTest, NestedTypesRoundTripWithIdsDocsAndDefaults) {
  Json j = Json::parse(R"({
    "type": "struct",
    "fields": [
      {"id": 1, "name": "id", "required": true, "type": "uuid",
       "initial-default": "0db3e2a8-9d1d-42b9-aa7b-74ebe558dceb",
       "write-default": "ec5911be-b0a7-458c-8438-c9a3e53cffae"},
      {"id": 2, "name": "tags", "required": false, "doc": "free tags",
       "type": {"type": "list", "element-id": 3, "element-required": true, "element": "string"}},
      {"id": 4, "name": "attrs", "required": false,
       "type": {"type": "map", "key-id": 5, "key": "string", "value-id": 6, "value-required": false,
                "value": {"type": "struct", "fields": [
                   {"id": 7, "name": "x", "required": false, "type": "double"}]}}}
    ]})");
  ASSERT_OK_AND_ASSIGN(TypePtr t, TypeFromJson(j));
  EXPECT_EQ(TypeToJson(*t), j);
  ASSERT_EQ(t->fields().size(), 3u);
  EXPECT_EQ(t->fields()[1].doc.value_or(""), "free tags");
  const Type& list = *t->fields()[1].type;
  EXPECT_EQ(list.fields()[0].id, 3);
  EXPECT_TRUE(list.fields()[0].required);
  const Type& map = *t->fields()[2].type;
  EXPECT_EQ(map.fields()[0].id, 5);
  EXPECT_EQ(map.fields()[1].id, 6);
  EXPECT_FALSE(map.fields()[1].required);
  EXPECT_TRUE(TypesEqual(RoundTrip(t), t));
}

TEST(TypesTest, DefaultsAreValidatedAgainstTheType) {
  Json bad = Json::parse(
      R"({"id": 1, "name": "n", "required": false, "type": "int", "initial-default": "x"})");
  auto r = FieldFromJson(bad);
  EXPECT_THAT(r, testing::IsError(StatusCode::kInvalidArgument));
  EXPECT_NE(r.status().message().find("field 1 'n' initial-default"), std::string::npos)
      << r.status().ToString();
  Json variant = Json::parse(
      R"({"id": 1, "name": "v", "required": false, "type": "variant", "write-default": 1})");
  EXPECT_THAT(FieldFromJson(variant), testing::IsError(StatusCode::kInvalidArgument));
}

TEST(TypesTest, PromotionFollowsTheSpecTable) {
  auto dec = [](int p, int s) { return Type::Decimal(p, s); };
  EXPECT_TRUE(CanPromote(*Type::Int(), *Type::Long(), 2));
  EXPECT_TRUE(CanPromote(*Type::Float(), *Type::Double(), 2));
  EXPECT_TRUE(CanPromote(*dec(9, 2), *dec(18, 2), 2));
  EXPECT_FALSE(CanPromote(*dec(9, 2), *dec(18, 3), 2));
  EXPECT_FALSE(CanPromote(*dec(18, 2), *dec(9, 2), 2));
  EXPECT_FALSE(CanPromote(*Type::Long(), *Type::Int(), 2));
  EXPECT_FALSE(CanPromote(*Type::Int(), *Type::String(), 2));
  EXPECT_FALSE(CanPromote(*Type::Date(), *Type::Timestamp(), 2));
  EXPECT_TRUE(CanPromote(*Type::Date(), *Type::Timestamp(), 3));
  EXPECT_TRUE(CanPromote(*Type::Date(), *Type::Primitive(TypeId::kTimestampNs), 3));
  EXPECT_FALSE(CanPromote(*Type::Date(), *Type::TimestampTz(), 3));
  EXPECT_TRUE(CanPromote(*Type::Primitive(TypeId::kUnknown), *Type::String(), 3));
  EXPECT_FALSE(CanPromote(*Type::Primitive(TypeId::kUnknown), *Type::String(), 2));
  EXPECT_TRUE(CanPromote(*Type::String(), *Type::String(), 1));
  Status st = CheckPromotion(*dec(9, 2), *dec(9, 3), 2);
  EXPECT_EQ(st.message(),
            "cannot promote decimal(9,2) to decimal(9,3): the scale of a decimal cannot change");
}

TEST(TypesTest, MinFormatVersionSpotsV3Types) {
  EXPECT_EQ(MinFormatVersion(*Type::Long()), 1);
  EXPECT_EQ(MinFormatVersion(*Type::Primitive(TypeId::kTimestampNs)), 3);
  EXPECT_EQ(MinFormatVersion(*Type::List(1, true, Type::Primitive(TypeId::kVariant))), 3);
}

// Defaults are held in a JsonValue (json_fwd.h): copies are deep, == compares the JSON,
// and a moved-from field still holds a valid value.
TEST(TypesTest, FieldDefaultsAreJsonValuesWithValueSemantics) {
  NestedField a;
  a.id = 1;
  a.name = "n";
  a.type = Type::Long();
  a.initial_default = Json(7);
  NestedField b = a;
  EXPECT_EQ(a, b);
  b.initial_default->get() = Json(8);
  EXPECT_EQ(a.initial_default->get(), Json(7));
  EXPECT_FALSE(a == b);
  NestedField c = std::move(b);
  EXPECT_EQ(c.initial_default->get(), Json(8));
  JsonValue moved_from = std::move(*c.initial_default);
  EXPECT_EQ(moved_from.get(), Json(8));
  EXPECT_NO_THROW((void)c.initial_default->get().dump());
  EXPECT_EQ(FieldToJson(a)["initial-default"], Json(7));
}

}  // namespace
}  // namespace atl::iceberg
