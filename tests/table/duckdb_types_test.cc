// The Iceberg <-> DuckDB type map (table/duckdb_types.h): both directions, and round trips
// through DuckDB itself.
#include "atoll/table/duckdb_types.h"

#include "atoll/engine/engine.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::IsError;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

// Every Iceberg type the data writer accepts, leaves only.
std::vector<TypePtr> WritableLeaves() {
  return {Type::Boolean(),     Type::Int(),          Type::Long(), Type::Float(), Type::Double(),
          Type::Decimal(9, 2), Type::Decimal(38, 0), Type::Date(), Type::Time(),  Type::Timestamp(),
          Type::TimestampTz(), Type::String(),       Type::Uuid(), Type::Binary()};
}

TEST(DuckDbTypeTest, WritableLeavesComeBackUnchanged) {
  for (const TypePtr& type : WritableLeaves()) {
    SCOPED_TRACE(type->ToString());
    ASSERT_OK_AND_ASSIGN(std::string duck, DuckDbType(*type, DuckDbTypeUse::kWrite));
    EXPECT_EQ(DuckDbType(*type, DuckDbTypeUse::kRead).value(), duck);
    ASSERT_OK_AND_ASSIGN(TypePtr back, IcebergLeafType(duck));
    EXPECT_EQ(*back, *type);
  }
}

TEST(DuckDbTypeTest, RoundTripsThroughDuckDbsOwnTypeNames) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open({}));
  for (const TypePtr& type : WritableLeaves()) {
    SCOPED_TRACE(type->ToString());
    ASSERT_OK_AND_ASSIGN(std::string type_sql, DuckDbType(*type, DuckDbTypeUse::kWrite));
    ASSERT_OK_AND_ASSIGN(engine::QueryResult r,
                         engine->Query("SELECT typeof(CAST(NULL AS " + type_sql + "))"));
    ASSERT_EQ(r.rows.size(), 1u);
    ASSERT_OK_AND_ASSIGN(TypePtr back, IcebergLeafType(*r.rows[0][0]));
    EXPECT_EQ(*back, *type) << "DuckDB says " << *r.rows[0][0];
  }
}

TEST(DuckDbTypeTest, DuckDbLeavesMapToIcebergTypes) {
  EXPECT_EQ(*IcebergLeafType("TINYINT").value(), *Type::Int());
  EXPECT_EQ(*IcebergLeafType("uinteger").value(), *Type::Long());
  EXPECT_EQ(*IcebergLeafType("UBIGINT").value(), *Type::Decimal(20, 0));
  EXPECT_EQ(*IcebergLeafType("HUGEINT").value(), *Type::Decimal(38, 0));
  EXPECT_EQ(*IcebergLeafType("TIMESTAMP WITH TIME ZONE").value(), *Type::TimestampTz());
  EXPECT_EQ(*IcebergLeafType("ENUM('a', 'b')").value(), *Type::String());
  EXPECT_EQ(*IcebergLeafType("decimal(18,3)").value(), *Type::Decimal(18, 3));
  // Nanoseconds become microseconds: v2 tables have no nanosecond type.
  EXPECT_EQ(*IcebergLeafType("TIMESTAMP_NS").value(), *Type::Timestamp());
  EXPECT_THAT(IcebergLeafType("INTERVAL"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(IcebergLeafType("DECIMAL(40,2)"), IsError(StatusCode::kInvalidArgument));
}

TEST(DuckDbTypeTest, ReadingTakesTypesWritingRefuses) {
  for (const TypePtr& type : {Type::Fixed(5), Type::Primitive(TypeId::kUnknown),
                              Type::Primitive(TypeId::kTimestampTzNs), Type::Geometry("")}) {
    SCOPED_TRACE(type->ToString());
    EXPECT_OK(DuckDbType(*type, DuckDbTypeUse::kRead));
    EXPECT_THAT(DuckDbType(*type, DuckDbTypeUse::kWrite), IsError(StatusCode::kNotSupported));
  }
  EXPECT_EQ(DuckDbType(*Type::Fixed(5), DuckDbTypeUse::kRead).value(), "BLOB");
  for (DuckDbTypeUse use : {DuckDbTypeUse::kRead, DuckDbTypeUse::kWrite}) {
    EXPECT_THAT(DuckDbType(*Type::Primitive(TypeId::kVariant), use),
                IsError(StatusCode::kNotSupported));
  }
}

TEST(DuckDbTypeTest, NestedTypesQuoteFieldNames) {
  NestedField a;
  a.id = 5;
  a.name = "a b";
  a.type = Type::Int();
  TypePtr s = Type::Struct({a});
  EXPECT_EQ(DuckDbType(*Type::Map(3, Type::String(), 4, false, s), DuckDbTypeUse::kRead).value(),
            "MAP(VARCHAR, STRUCT(\"a b\" INTEGER))");
  EXPECT_EQ(DuckDbType(*Type::List(6, false, s), DuckDbTypeUse::kWrite).value(),
            "STRUCT(\"a b\" INTEGER)[]");
}

}  // namespace
}  // namespace atl::table
