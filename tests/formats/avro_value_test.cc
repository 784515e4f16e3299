// Avro binary encoding and decoding of values, and their robustness against bad input.
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "atoll/formats/avro/decoder.h"
#include "atoll/formats/avro/encoder.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

using ::atl::testing::IsError;

std::string Encoded(int64_t v) {
  std::string out;
  Encoder(&out).WriteLong(v);
  return out;
}

SchemaPtr MustParse(const std::string& json) {
  auto s = Schema::Parse(json);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : nullptr;
}

Value RoundTrip(const Schema& schema, const Value& v) {
  std::string bytes;
  Encoder e(&bytes);
  Status st = EncodeValue(schema.root(), v, &e);
  EXPECT_TRUE(st.ok()) << st.ToString();
  Decoder d(bytes);
  Value out;
  st = DecodeValue(schema.root(), &d, &out);
  EXPECT_TRUE(st.ok()) << st.ToString();
  EXPECT_TRUE(d.at_end());
  return out;
}

TEST(AvroBinaryTest, ZigZagVarintsMatchTheSpecification) {
  EXPECT_EQ(Encoded(0), std::string("\x00", 1));
  EXPECT_EQ(Encoded(-1), "\x01");
  EXPECT_EQ(Encoded(1), "\x02");
  EXPECT_EQ(Encoded(-64), "\x7f");
  EXPECT_EQ(Encoded(64), "\x80\x01");
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{1} << 40,
                    std::numeric_limits<int64_t>::max(), std::numeric_limits<int64_t>::min()}) {
    std::string b = Encoded(v);
    Decoder d(b);
    ASSERT_OK_AND_ASSIGN(int64_t got, d.ReadLong());
    EXPECT_EQ(got, v);
    EXPECT_TRUE(d.at_end());
  }
}

TEST(AvroBinaryTest, RejectsOverlongTruncatedAndOutOfRangeNumbers) {
  std::string eleven(10, '\xff');
  eleven.push_back('\x01');
  Decoder d1(eleven);
  EXPECT_THAT(d1.ReadLong(), IsError(StatusCode::kCorruption));
  std::string overflow(9, '\xff');
  overflow.push_back('\x02');  // the 10th byte may only carry one bit
  Decoder d2(overflow);
  EXPECT_THAT(d2.ReadLong(), IsError(StatusCode::kCorruption));
  Decoder d3("\x80\x80");
  auto r = d3.ReadLong();
  EXPECT_THAT(r, IsError(StatusCode::kCorruption));
  EXPECT_NE(r.status().message().find("truncated"), std::string::npos);
  std::string big = Encoded(int64_t{1} << 33);
  Decoder d4(big);
  EXPECT_THAT(d4.ReadInt(), IsError(StatusCode::kCorruption));
  Decoder d5("\x02");  // boolean byte 2
  EXPECT_THAT(d5.ReadBoolean(), IsError(StatusCode::kCorruption));
}

TEST(AvroBinaryTest, RoundTripsEveryType) {
  auto schema = MustParse(R"({"type": "record", "name": "All", "fields": [
    {"name": "n", "type": "null"}, {"name": "b", "type": "boolean"}, {"name": "i", "type": "int"},
    {"name": "l", "type": "long"}, {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
    {"name": "by", "type": "bytes"}, {"name": "s", "type": "string"},
    {"name": "fx", "type": {"type": "fixed", "name": "F3", "size": 3}},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["A", "B", "C"]}},
    {"name": "a", "type": {"type": "array", "items": ["null", "long"]}},
    {"name": "m", "type": {"type": "map", "values": "double"}},
    {"name": "u", "type": ["null", "string", "F3"]},
    {"name": "rec", "type": {"type": "record", "name": "Sub", "fields": [{"name": "x", "type": "int"}]}},
    {"name": "dec", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
    {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-micros"}}]})");
  ASSERT_NE(schema, nullptr);
  Value v = Value::Record(
      {Value::Null(), Value::Boolean(true), Value::Int(std::numeric_limits<int32_t>::min()),
       Value::Long(std::numeric_limits<int64_t>::max()), Value::Float(-1.5f),
       Value::Double(std::numeric_limits<double>::quiet_NaN()),
       Value::Bytes(std::string("\x00\xff\x10", 3)), Value::String("héllo"), Value::Fixed("abc"),
       Value::Enum(2),
       Value::Array({Value::Union(1, Value::Long(-7)), Value::Union(0, Value::Null())}),
       Value::Map({{"pi", Value::Double(3.14)}, {"", Value::Double(-0.0)}}),
       Value::Union(2, Value::Fixed("xyz")), Value::Record({Value::Int(42)}),
       Value::Bytes(std::string("\x01\x2c", 2)), Value::Long(1235865600000000)});
  EXPECT_EQ(RoundTrip(*schema, v), v);
  const Value* m = GetField(schema->root(), v, "m");
  ASSERT_NE(m, nullptr);
  EXPECT_EQ(m->map_keys()[0], "pi");
  EXPECT_EQ(GetField(schema->root(), v, "nope"), nullptr);
  EXPECT_EQ(GetField(schema->root(), v, "a")->items()[0].AsLong(), -7);
  Json j = ToJson(schema->root(), v);
  EXPECT_EQ(j["u"]["F3"], "xyz");
  EXPECT_EQ(j["e"], "C");
  EXPECT_EQ(j["a"][1], nullptr);
  EXPECT_EQ(j["d"], "NaN");
  EXPECT_EQ(j["by"], std::string("\x00\xc3\xbf\x10", 4));  // code points U+0000..U+00FF as UTF-8
}

TEST(AvroBinaryTest, EmptyContainersAndZeroLengthValuesRoundTrip) {
  auto schema = MustParse(R"({"type": "record", "name": "R", "fields": [
    {"name": "a", "type": {"type": "array", "items": "null"}},
    {"name": "m", "type": {"type": "map", "values": "string"}},
    {"name": "s", "type": "string"}, {"name": "f", "type": {"type": "fixed", "name": "Z", "size": 0}}]})");
  Value v = Value::Record({Value::Array({Value::Null(), Value::Null()}), Value::Map({}),
                           Value::String(""), Value::Fixed("")});
  EXPECT_EQ(RoundTrip(*schema, v), v);
}

TEST(AvroBinaryTest, DecodesBlocksWithNegativeCountsAndByteSizes) {
  auto schema = MustParse(R"({"type": "array", "items": "int"})");
  std::string bytes;
  Encoder e(&bytes);
  e.WriteLong(-2);  // two items, byte size follows
  e.WriteLong(2);
  e.WriteInt(5);
  e.WriteInt(-3);
  e.WriteLong(1);
  e.WriteInt(9);
  e.WriteLong(0);
  Decoder d(bytes);
  Value out;
  ASSERT_OK(DecodeValue(schema->root(), &d, &out));
  EXPECT_EQ(out, Value::Array({Value::Int(5), Value::Int(-3), Value::Int(9)}));
}

TEST(AvroBinaryTest, RejectsCountsAndLengthsBeyondTheData) {
  auto longs = MustParse(R"({"type": "array", "items": "long"})");
  std::string bytes = Encoded(int64_t{1} << 60);  // would be an exabyte allocation
  Decoder d(bytes);
  Value out;
  EXPECT_THAT(DecodeValue(longs->root(), &d, &out), IsError(StatusCode::kCorruption));

  auto nulls = MustParse(R"({"type": "array", "items": "null"})");
  Decoder d2(bytes);
  Status st = DecodeValue(nulls->root(), &d2, &out);
  EXPECT_THAT(st, IsError(StatusCode::kCorruption));

  auto str = MustParse(R"("string")");
  std::string s = Encoded(1000) + "short";
  Decoder d3(s);
  st = DecodeValue(str->root(), &d3, &out);
  EXPECT_THAT(st, IsError(StatusCode::kCorruption));
  EXPECT_NE(st.message().find("exceeds"), std::string::npos) << st.ToString();
  std::string neg = Encoded(-5);
  Decoder d4(neg);
  EXPECT_THAT(DecodeValue(str->root(), &d4, &out), IsError(StatusCode::kCorruption));

  auto u = MustParse(R"(["null", "int"])");
  std::string b5 = Encoded(2);
  Decoder d5(b5);
  EXPECT_THAT(DecodeValue(u->root(), &d5, &out), IsError(StatusCode::kCorruption));
}

TEST(AvroBinaryTest, StopsOnSchemasThatRecurseWithoutConsumingBytes) {
  auto schema = MustParse(
      R"({"type": "record", "name": "Loop", "fields": [{"name": "self", "type": "Loop"}]})");
  Decoder d("");
  Value out;
  EXPECT_THAT(DecodeValue(schema->root(), &d, &out), IsError(StatusCode::kCorruption));
}

TEST(AvroBinaryTest, EncoderRejectsValuesThatDoNotMatchTheSchema) {
  auto schema = MustParse(R"({"type": "record", "name": "R", "fields": [
    {"name": "a", "type": {"type": "array", "items": "int"}},
    {"name": "f", "type": {"type": "fixed", "name": "F", "size": 2}}]})");
  std::string out;
  Encoder e(&out);
  Status st = EncodeValue(schema->root(),
                          Value::Record({Value::Array({Value::Long(1)}), Value::Fixed("ab")}), &e);
  EXPECT_THAT(st, IsError(StatusCode::kInvalidArgument));
  EXPECT_NE(st.message().find("field 'a': item 0"), std::string::npos) << st.ToString();
  st = EncodeValue(schema->root(), Value::Record({Value::Array({}), Value::Fixed("abc")}), &e);
  EXPECT_NE(st.message().find("needs 2 bytes"), std::string::npos) << st.ToString();
  st = EncodeValue(schema->root(), Value::Record({Value::Array({})}), &e);
  EXPECT_THAT(st, IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::avro
