// Literal: one typed primitive value (or null), used for partition values, column bounds
// and defaults, with the spec's serializations:
//   - Appendix D binary single-value form (manifest bounds, both directions), including the
//     bound-type inference after promotion (4-byte bounds of a long column are ints, ...);
//   - Appendix D JSON single-value form (defaults, REST);
//   - a total order for min/max pruning.
//
// Representation by type: boolean -> bool; int, date (days) -> int32_t; long, time (micros),
// timestamp[tz] (micros), timestamp[tz]_ns (nanos) -> int64_t; float; double; decimal ->
// __int128 unscaled (scale from the type); string (UTF-8), binary, fixed, uuid (16 big-endian
// bytes) -> std::string. Nested, unknown, variant and geo types have no literals here.
//
// Thread safety: immutable value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>

#include "atoll/common/result.h"
#include "atoll/iceberg/types.h"

namespace atl::iceberg {

using int128_t = __int128;

class Literal {
 public:
  using Value =
      std::variant<std::monostate, bool, int32_t, int64_t, float, double, int128_t, std::string>;

  static Literal Null(TypePtr type) { return Literal(std::move(type), std::monostate{}); }
  static Literal Boolean(bool v) { return Literal(Type::Boolean(), v); }
  static Literal Int(int32_t v) { return Literal(Type::Int(), v); }
  static Literal Long(int64_t v) { return Literal(Type::Long(), v); }
  static Literal Float(float v) { return Literal(Type::Float(), v); }
  static Literal Double(double v) { return Literal(Type::Double(), v); }
  static Literal Date(int32_t days) { return Literal(Type::Date(), days); }
  static Literal Time(int64_t micros) { return Literal(Type::Time(), micros); }
  static Literal Timestamp(int64_t micros) { return Literal(Type::Timestamp(), micros); }
  static Literal TimestampTz(int64_t micros) { return Literal(Type::TimestampTz(), micros); }
  static Literal TimestampNs(int64_t nanos) {
    return Literal(Type::Primitive(TypeId::kTimestampNs), nanos);
  }
  static Literal TimestampTzNs(int64_t nanos) {
    return Literal(Type::Primitive(TypeId::kTimestampTzNs), nanos);
  }
  static Literal String(std::string v) { return Literal(Type::String(), std::move(v)); }
  static Literal Binary(std::string bytes) { return Literal(Type::Binary(), std::move(bytes)); }
  // REQUIRES: bytes.size() == 16 / the fixed length.
  static Literal Uuid(std::string bytes16) { return Literal(Type::Uuid(), std::move(bytes16)); }
  static Literal Fixed(std::string bytes) {
    auto n = static_cast<int32_t>(bytes.size());
    return Literal(Type::Fixed(n), std::move(bytes));
  }
  static Literal Decimal(int128_t unscaled, int precision, int scale) {
    return Literal(Type::Decimal(precision, scale), unscaled);
  }
  // Checks that `value` has the representation `type` needs (see above).
  static Result<Literal> Make(TypePtr type, Value value);

  const TypePtr& type() const { return type_; }
  const Value& value() const { return value_; }
  bool is_null() const { return std::holds_alternative<std::monostate>(value_); }

  // Typed access. REQUIRES: the matching representation (aborts otherwise).
  bool bool_value() const { return std::get<bool>(value_); }
  int32_t int32_value() const { return std::get<int32_t>(value_); }
  int64_t int64_value() const { return std::get<int64_t>(value_); }
  float float_value() const { return std::get<float>(value_); }
  double double_value() const { return std::get<double>(value_); }
  int128_t decimal_value() const { return std::get<int128_t>(value_); }
  const std::string& bytes_value() const { return std::get<std::string>(value_); }

  // Human-readable text: "2017-11-16", "14.20", "f79c3e09-...", hex for binary/fixed, "null".
  std::string ToString() const;

  // Same type and same value (floats compared by bits, so NaN == NaN).
  bool operator==(const Literal& other) const;

 private:
  Literal(TypePtr type, Value value) : type_(std::move(type)), value_(std::move(value)) {}
  TypePtr type_;
  Value value_;
};

// Appendix D binary form. Null and non-primitive types are InvalidArgument.
Result<std::string> LiteralToBytes(const Literal& literal);
// Decodes `bytes` as `type`; for promoted types infers the written type from the length
// (long: 4 bytes = int; double: 4 = float; timestamp[_ns]: 4 = date). Corruption on a bad length.
Result<Literal> LiteralFromBytes(const TypePtr& type, std::string_view bytes);

// Appendix D JSON form (null literal <-> JSON null).
Result<Json> LiteralToJson(const Literal& literal);
Result<Literal> LiteralFromJson(const TypePtr& type, const Json& json);

// Orders two non-null literals of the same type: <0, 0, >0. Floats follow the spec's sort
// order (-NaN < -Inf < ... < -0 < 0 < ... < Inf < NaN); strings, binary and uuids compare as
// unsigned bytes (= code point order for UTF-8). InvalidArgument when the types differ or a
// value is null.
Result<int> CompareLiterals(const Literal& a, const Literal& b);

// Decimal text: unscaled 1420 with scale 2 -> "14.20"; negative scales use "2E+20".
std::string DecimalToString(int128_t unscaled, int scale);
// Parses "14.20", "-0.5", "2E+20" into an unscaled value of the given scale; fails when the
// text has more fractional digits than `scale` or the value needs more than `precision` digits.
Result<int128_t> DecimalFromString(std::string_view text, int precision, int scale);

// Lowercase hex of bytes and back.
std::string ToHex(std::string_view bytes);
Result<std::string> FromHex(std::string_view hex);
// "f79c3e09-677c-4bbd-a479-3f349cb785e7" <-> 16 bytes.
std::string UuidToString(std::string_view bytes16);
Result<std::string> UuidFromString(std::string_view text);

}  // namespace atl::iceberg
