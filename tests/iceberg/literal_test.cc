#include "atoll/iceberg/literal.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "atoll/iceberg/temporal.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using testing::IsError;

Literal FromJsonOrDie(const TypePtr& t, const Json& j) {
  auto r = LiteralFromJson(t, j);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : Literal::Null(t);
}

TEST(LiteralTest, BinaryFormsMatchAppendixD) {
  EXPECT_EQ(*LiteralToBytes(Literal::Int(1)), std::string("\x01\x00\x00\x00", 4));
  EXPECT_EQ(*LiteralToBytes(Literal::Long(-2)), std::string("\xfe\xff\xff\xff\xff\xff\xff\xff", 8));
  EXPECT_EQ(*LiteralToBytes(Literal::Boolean(true)), std::string("\x01", 1));
  EXPECT_EQ(*LiteralToBytes(Literal::Float(1.0f)), std::string("\x00\x00\x80\x3f", 4));
  EXPECT_EQ(*LiteralToBytes(Literal::Double(1.0)),
            std::string("\x00\x00\x00\x00\x00\x00\xf0\x3f", 8));
  // Decimals: minimal two's-complement big-endian.
  EXPECT_EQ(*LiteralToBytes(Literal::Decimal(1420, 4, 2)), std::string("\x05\x8c", 2));
  EXPECT_EQ(*LiteralToBytes(Literal::Decimal(0, 4, 2)), std::string("\x00", 1));
  EXPECT_EQ(*LiteralToBytes(Literal::Decimal(-1, 4, 2)), std::string("\xff", 1));
  EXPECT_EQ(*LiteralToBytes(Literal::Decimal(128, 4, 2)), std::string("\x00\x80", 2));
  EXPECT_EQ(*LiteralToBytes(Literal::Decimal(-129, 4, 2)), std::string("\xff\x7f", 2));
  ASSERT_OK_AND_ASSIGN(std::string uuid, UuidFromString("f79c3e09-677c-4bbd-a479-3f349cb785e7"));
  EXPECT_EQ(ToHex(*LiteralToBytes(Literal::Uuid(uuid))), "f79c3e09677c4bbda4793f349cb785e7");
  EXPECT_EQ(*LiteralToBytes(Literal::String("iceberg")), "iceberg");
  EXPECT_THAT(LiteralToBytes(Literal::Null(Type::Int())), IsError(StatusCode::kInvalidArgument));
}

TEST(LiteralTest, BinaryRoundTripsForEveryPrimitive) {
  const std::vector<Literal> values = {Literal::Boolean(false),
                                       Literal::Boolean(true),
                                       Literal::Int(-5),
                                       Literal::Int(INT32_MIN),
                                       Literal::Long(INT64_MAX),
                                       Literal::Long(-1234567890123),
                                       Literal::Float(-1.5f),
                                       Literal::Double(3.25),
                                       Literal::Decimal(-123456789012345678, 38, 10),
                                       Literal::Decimal(static_cast<int128_t>(1) << 100, 38, 0),
                                       Literal::Date(-1),
                                       Literal::Date(17486),
                                       Literal::Time(81068000000),
                                       Literal::Timestamp(-1),
                                       Literal::TimestampTz(1510871468000001),
                                       Literal::TimestampNs(-999),
                                       Literal::TimestampTzNs(42),
                                       Literal::String("ünïcödé"),
                                       Literal::Binary(std::string("\x00\xff\x10", 3)),
                                       Literal::Fixed("abcd"),
                                       Literal::Uuid(std::string(16, '\x7f'))};
  for (const Literal& v : values) {
    ASSERT_OK_AND_ASSIGN(std::string bytes, LiteralToBytes(v));
    ASSERT_OK_AND_ASSIGN(Literal back, LiteralFromBytes(v.type(), bytes));
    EXPECT_EQ(back, v) << v.type()->ToString() << " " << v.ToString();
    ASSERT_OK_AND_ASSIGN(Json j, LiteralToJson(v));
    ASSERT_OK_AND_ASSIGN(Literal from_json, LiteralFromJson(v.type(), Json::parse(j.dump())));
    EXPECT_EQ(from_json, v) << v.type()->ToString() << " " << j.dump();
  }
}

TEST(LiteralTest, BoundsOfPromotedColumnsAreReadAsTheWrittenType) {
  ASSERT_OK_AND_ASSIGN(Literal l,
                       LiteralFromBytes(Type::Long(), *LiteralToBytes(Literal::Int(-7))));
  EXPECT_EQ(l, Literal::Long(-7));
  ASSERT_OK_AND_ASSIGN(Literal d,
                       LiteralFromBytes(Type::Double(), *LiteralToBytes(Literal::Float(0.5f))));
  EXPECT_EQ(d, Literal::Double(0.5));
  ASSERT_OK_AND_ASSIGN(Literal ts,
                       LiteralFromBytes(Type::Timestamp(), *LiteralToBytes(Literal::Date(-1))));
  EXPECT_EQ(ts, Literal::Timestamp(-temporal::kMicrosPerDay));
  ASSERT_OK_AND_ASSIGN(Literal dec,
                       LiteralFromBytes(Type::Decimal(18, 2), std::string("\x05\x8c", 2)));
  EXPECT_EQ(dec.decimal_value(), 1420);
  EXPECT_THAT(LiteralFromBytes(Type::Int(), "abc"), IsError(StatusCode::kCorruption));
  EXPECT_THAT(LiteralFromBytes(Type::Uuid(), "short"), IsError(StatusCode::kCorruption));
}

TEST(LiteralTest, JsonFormsMatchAppendixD) {
  auto json_of = [](const Literal& l) { return LiteralToJson(l)->dump(); };
  EXPECT_EQ(json_of(Literal::Int(34)), "34");
  EXPECT_EQ(json_of(Literal::Float(0.34234f)), "0.34234");
  EXPECT_EQ(json_of(Literal::Decimal(1420, 9, 2)), "\"14.20\"");
  EXPECT_EQ(json_of(Literal::Decimal(-5, 9, 3)), "\"-0.005\"");
  EXPECT_EQ(json_of(Literal::Decimal(2, 9, -20)), "\"2E+20\"");
  EXPECT_EQ(json_of(Literal::Date(17486)), "\"2017-11-16\"");
  EXPECT_EQ(json_of(Literal::Time(81068123456)), "\"22:31:08.123456\"");
  EXPECT_EQ(json_of(Literal::Timestamp(1510871468123456)), "\"2017-11-16T22:31:08.123456\"");
  EXPECT_EQ(json_of(Literal::TimestampTz(1510871468123456)),
            "\"2017-11-16T22:31:08.123456+00:00\"");
  EXPECT_EQ(json_of(Literal::TimestampNs(1510871468123456789)),
            "\"2017-11-16T22:31:08.123456789\"");
  EXPECT_EQ(json_of(Literal::TimestampTzNs(1510871468123456789)),
            "\"2017-11-16T22:31:08.123456789+00:00\"");
  EXPECT_EQ(json_of(Literal::Binary(std::string("\x00\x01\x02\xff", 4))), "\"000102ff\"");
  EXPECT_EQ(json_of(Literal::Timestamp(-1)), "\"1969-12-31T23:59:59.999999\"");
  EXPECT_EQ(json_of(Literal::Null(Type::Int())), "null");
}

TEST(LiteralTest, JsonParsingAcceptsOffsetsAndRejectsBadText) {
  // A timestamptz with a -08:00 offset is normalized to UTC.
  Literal t = FromJsonOrDie(Type::TimestampTz(), Json("2017-11-16T14:31:08-08:00"));
  EXPECT_EQ(t, Literal::TimestampTz(1510871468000000));
  EXPECT_THAT(LiteralFromJson(Type::Timestamp(), Json("2017-11-16T14:31:08+01:00")),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LiteralFromJson(Type::Date(), Json("2023-02-30")),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LiteralFromJson(Type::Int(), Json(int64_t{1} << 40)),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LiteralFromJson(Type::Decimal(9, 2), Json("1.234")),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LiteralFromJson(Type::Decimal(3, 2), Json("12.34")),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(LiteralFromJson(Type::Fixed(2), Json("000102")),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(FromJsonOrDie(Type::Decimal(9, 2), Json("1.5")).decimal_value(), 150);
  EXPECT_EQ(FromJsonOrDie(Type::Decimal(38, 0), Json("2E+20")).decimal_value(),
            static_cast<int128_t>(200000000000000000) * 1000);
  EXPECT_EQ(FromJsonOrDie(Type::Date(), Json("1969-12-31")), Literal::Date(-1));
}

TEST(LiteralTest, ComparisonOrdersValuesForPruning) {
  auto cmp = [](const Literal& a, const Literal& b) { return *CompareLiterals(a, b); };
  EXPECT_LT(cmp(Literal::Int(-3), Literal::Int(2)), 0);
  EXPECT_GT(cmp(Literal::Decimal(1000, 9, 2), Literal::Decimal(-1000, 9, 2)), 0);
  EXPECT_LT(cmp(Literal::String("a"), Literal::String("ab")), 0);
  EXPECT_LT(cmp(Literal::String("z"), Literal::String("é")), 0);  // code point order
  EXPECT_LT(cmp(Literal::Binary("\x01"), Literal::Binary("\xff")), 0);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  std::vector<double> ordered = {-nan, -inf, -1.0, -0.0, 0.0, 1.0, inf, nan};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(cmp(Literal::Double(ordered[i]), Literal::Double(ordered[i + 1])), 0) << i;
  }
  EXPECT_EQ(cmp(Literal::Date(5), Literal::Date(5)), 0);
  EXPECT_THAT(CompareLiterals(Literal::Int(1), Literal::Long(1)),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(CompareLiterals(Literal::Null(Type::Int()), Literal::Int(1)),
              IsError(StatusCode::kInvalidArgument));
}

TEST(TemporalTest, CivilConversionsHandleTheWholeRange) {
  EXPECT_EQ(temporal::DaysFromCivil(1970, 1, 1), 0);
  EXPECT_EQ(temporal::DaysFromCivil(2017, 11, 16), 17486);
  EXPECT_EQ(temporal::DaysFromCivil(1969, 12, 31), -1);
  EXPECT_EQ(temporal::DaysFromCivil(2000, 2, 29), 11016);
  for (int64_t d = -800000; d <= 800000; d += 997) {
    auto c = temporal::CivilFromDays(d);
    EXPECT_EQ(temporal::DaysFromCivil(c.year, c.month, c.day), d);
  }
  EXPECT_EQ(temporal::FormatDate(-719528), "0000-01-01");
}

}  // namespace
}  // namespace atl::iceberg
