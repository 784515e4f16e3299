#include "atoll/iceberg/transform.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "atoll/iceberg/murmur3.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/temporal.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using testing::IsError;

int32_t Hash(const Literal& v) {
  auto r = HashLiteral(v);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : 0;
}

Literal Parse(const TypePtr& t, const char* text) { return *LiteralFromJson(t, Json(text)); }

Literal Apply(const char* transform, const Literal& v) {
  auto t = Transform::Parse(transform);
  EXPECT_TRUE(t.ok());
  auto r = t->Apply(v);
  EXPECT_TRUE(r.ok()) << transform << ": " << r.status().ToString();
  return r.ok() ? *r : Literal::Null(v.type());
}

// The test values of the spec's Appendix B.
TEST(Murmur3Test, SpecHashTestVectors) {
  EXPECT_EQ(Hash(Literal::Int(34)), 2017239379);
  EXPECT_EQ(Hash(Literal::Long(34)), 2017239379);
  EXPECT_EQ(Hash(Literal::Decimal(1420, 4, 2)), -500754589);  // 14.20
  EXPECT_EQ(Hash(Parse(Type::Date(), "2017-11-16")), -653330422);
  EXPECT_EQ(Hash(Parse(Type::Time(), "22:31:08")), -662762989);
  EXPECT_EQ(Hash(Parse(Type::Timestamp(), "2017-11-16T22:31:08")), -2047944441);
  EXPECT_EQ(Hash(Parse(Type::Timestamp(), "2017-11-16T22:31:08.000001")), -1207196810);
  EXPECT_EQ(Hash(Parse(Type::TimestampTz(), "2017-11-16T14:31:08-08:00")), -2047944441);
  EXPECT_EQ(Hash(Parse(Type::TimestampTz(), "2017-11-16T14:31:08.000001-08:00")), -1207196810);
  EXPECT_EQ(Hash(Parse(Type::Primitive(TypeId::kTimestampNs), "2017-11-16T22:31:08")), -2047944441);
  EXPECT_EQ(Hash(Parse(Type::Primitive(TypeId::kTimestampNs), "2017-11-16T22:31:08.000001001")),
            -1207196810);
  EXPECT_EQ(
      Hash(Parse(Type::Primitive(TypeId::kTimestampTzNs), "2017-11-16T14:31:08.000001001-08:00")),
      -1207196810);
  EXPECT_EQ(Hash(Literal::String("iceberg")), 1210000089);
  EXPECT_EQ(Hash(Literal::String("34")), -427558391);
  EXPECT_EQ(Hash(Parse(Type::Uuid(), "f79c3e09-677c-4bbd-a479-3f349cb785e7")), 1488055340);
  EXPECT_EQ(Hash(Literal::Fixed(std::string("\x00\x01\x02\x03", 4))), -188683207);
  EXPECT_EQ(Hash(Literal::Binary(std::string("\x00\x01\x02\x03", 4))), -188683207);
  EXPECT_EQ(Hash(Literal::Boolean(true)), 1392991556);
  EXPECT_EQ(Hash(Literal::Float(1.0f)), -142385009);
  EXPECT_EQ(Hash(Literal::Float(0.0f)), 1669671676);
  EXPECT_EQ(Hash(Literal::Float(-0.0f)), 1669671676);
  EXPECT_EQ(Hash(Literal::Double(1.0)), -142385009);
  EXPECT_EQ(Hash(Literal::Double(-0.0)), 1669671676);
}

TEST(TransformTest, ParsesAndPrintsNames) {
  for (const char* name :
       {"identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"}) {
    ASSERT_OK_AND_ASSIGN(Transform t, Transform::Parse(name));
    EXPECT_EQ(t.ToString(), name);
  }
  ASSERT_OK_AND_ASSIGN(Transform legacy, Transform::Parse("days"));
  EXPECT_EQ(legacy, Transform::Day());
  ASSERT_OK_AND_ASSIGN(Transform unknown, Transform::Parse("zorder"));
  EXPECT_EQ(unknown.kind(), TransformKind::kUnknown);
  EXPECT_EQ(unknown.ToString(), "zorder");
  EXPECT_THAT(unknown.Apply(Literal::Int(1)), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(Transform::Parse("bucket[0]"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Transform::Parse("truncate[-1]"), IsError(StatusCode::kInvalidArgument));
}

TEST(TransformTest, BucketIsHashModN) {
  EXPECT_EQ(Apply("bucket[16]", Literal::Int(34)), Literal::Int(2017239379 % 16));
  EXPECT_EQ(Apply("bucket[16]", Literal::Long(34)), Literal::Int(2017239379 % 16));
  // Negative hashes drop the sign bit first.
  EXPECT_EQ(Apply("bucket[100]", Literal::String("iceberg")), Literal::Int(1210000089 % 100));
  EXPECT_EQ(Apply("bucket[7]", Literal::Date(17486)), Literal::Int((-653330422 & INT32_MAX) % 7));
  EXPECT_TRUE(Apply("bucket[7]", Literal::Null(Type::Int())).is_null());
  EXPECT_THAT(Transform::Bucket(4).Apply(Literal::Double(1.0)),
              IsError(StatusCode::kInvalidArgument));
}

TEST(TransformTest, TruncateKeepsRemaindersPositive) {
  EXPECT_EQ(Apply("truncate[10]", Literal::Int(1)), Literal::Int(0));
  EXPECT_EQ(Apply("truncate[10]", Literal::Int(-1)), Literal::Int(-10));
  EXPECT_EQ(Apply("truncate[10]", Literal::Int(-10)), Literal::Int(-10));
  EXPECT_EQ(Apply("truncate[10]", Literal::Long(-11)), Literal::Long(-20));
  EXPECT_EQ(Apply("truncate[50]", Literal::Decimal(1065, 9, 2)),
            Literal::Decimal(1050, 9, 2));  // 10.65 -> 10.50
  EXPECT_EQ(Apply("truncate[50]", Literal::Decimal(-1065, 9, 2)),
            Literal::Decimal(-1100, 9, 2));  // -10.65 -> -11.00
  EXPECT_EQ(Apply("truncate[3]", Literal::String("iceberg")), Literal::String("ice"));
  EXPECT_EQ(Apply("truncate[3]", Literal::String("ünïcödé")), Literal::String("ünï"));
  EXPECT_EQ(Apply("truncate[3]", Literal::String("ab")), Literal::String("ab"));
  EXPECT_EQ(Apply("truncate[3]", Literal::Binary("\x01\x02\x03\x04\x05")),
            Literal::Binary("\x01\x02\x03"));
}

TEST(TransformTest, TimeTransformsCountFrom1970AndFloorBeforeIt) {
  Literal ts = Parse(Type::Timestamp(), "2017-11-16T22:31:08");
  EXPECT_EQ(Apply("year", ts), Literal::Int(47));
  EXPECT_EQ(Apply("month", ts), Literal::Int(47 * 12 + 10));
  EXPECT_EQ(Apply("day", ts), Literal::Int(17486));
  EXPECT_EQ(Apply("hour", ts), Literal::Int(17486 * 24 + 22));
  Literal before = Literal::Timestamp(-1);  // 1969-12-31T23:59:59.999999
  EXPECT_EQ(Apply("year", before), Literal::Int(-1));
  EXPECT_EQ(Apply("month", before), Literal::Int(-1));
  EXPECT_EQ(Apply("day", before), Literal::Int(-1));
  EXPECT_EQ(Apply("hour", before), Literal::Int(-1));
  EXPECT_EQ(Apply("day", Literal::TimestampNs(-1)), Literal::Int(-1));
  EXPECT_EQ(Apply("hour", Literal::TimestampTzNs(3600LL * 1000000000)), Literal::Int(1));
  Literal old_date = Parse(Type::Date(), "1900-03-01");
  EXPECT_EQ(Apply("year", old_date), Literal::Int(-70));
  EXPECT_EQ(Apply("month", old_date), Literal::Int(-70 * 12 + 2));
  EXPECT_EQ(Apply("day", old_date),
            Literal::Int(static_cast<int32_t>(temporal::DaysFromCivil(1900, 3, 1))));
  EXPECT_THAT(Transform::Hour().Apply(Literal::Date(1)), IsError(StatusCode::kInvalidArgument));
  EXPECT_TRUE(Apply("void", Literal::Int(5)).is_null());
}

TEST(TransformTest, HumanStringsForPartitionPaths) {
  EXPECT_EQ(Transform::Day().ToHumanString(Literal::Int(19724)), "2024-01-02");
  EXPECT_EQ(Transform::Month().ToHumanString(Literal::Int(648)), "2024-01");
  EXPECT_EQ(Transform::Month().ToHumanString(Literal::Int(-1)), "1969-12");
  EXPECT_EQ(Transform::Year().ToHumanString(Literal::Int(54)), "2024");
  EXPECT_EQ(Transform::Hour().ToHumanString(Literal::Int(19724 * 24 + 10)), "2024-01-02-10");
  EXPECT_EQ(Transform::Hour().ToHumanString(Literal::Int(-1)), "1969-12-31-23");
  EXPECT_EQ(Transform::Identity().ToHumanString(Literal::Null(Type::String())), "null");
}

TEST(PartitionSpecTest, PathIsEscapedLikeJava) {
  PartitionSpec spec;
  spec.fields.push_back(PartitionField{{4}, 1000, "ts_day", Transform::Day()});
  spec.fields.push_back(PartitionField{{2}, 1001, "name", Transform::Identity()});
  ASSERT_OK_AND_ASSIGN(std::string path,
                       spec.PartitionPath({Literal::Int(19724), Literal::String("a b/c=ü")}));
  EXPECT_EQ(path, "ts_day=2024-01-02/name=a+b%2Fc%3D%C3%BC");
  EXPECT_THAT(spec.PartitionPath({Literal::Int(1)}), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::iceberg
