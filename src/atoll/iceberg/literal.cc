#include "atoll/iceberg/literal.h"

#include <charconv>
#include <cmath>
#include <cstring>

#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

namespace {

// Index into Literal::Value for a type, or -1 when the type has no literal.
int RepIndex(TypeId id) {
  switch (id) {
    case TypeId::kBoolean:
      return 1;
    case TypeId::kInt:
    case TypeId::kDate:
      return 2;
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return 3;
    case TypeId::kFloat:
      return 4;
    case TypeId::kDouble:
      return 5;
    case TypeId::kDecimal:
      return 6;
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return 7;
    default:
      return -1;
  }
}

bool IsNanos(TypeId id) { return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs; }
bool HasZone(TypeId id) { return id == TypeId::kTimestampTz || id == TypeId::kTimestampTzNs; }

template <typename T>
std::string LittleEndian(T v) {
  std::string out(sizeof(T), '\0');
  auto u = static_cast<std::make_unsigned_t<T>>(v);
  for (size_t i = 0; i < sizeof(T); ++i) out[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return out;
}

template <typename T>
T FromLittleEndian(std::string_view b) {
  std::make_unsigned_t<T> u = 0;
  for (size_t i = 0; i < sizeof(T); ++i) {
    u |= static_cast<std::make_unsigned_t<T>>(static_cast<uint8_t>(b[i])) << (8 * i);
  }
  return static_cast<T>(u);
}

// Shortest text that reads back as the same value.
template <typename F>
std::string ShortestFloat(F v) {
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v);
  return std::string(buf, r.ptr);
}

// Sort key giving the spec's float order: -NaN < -Inf < -x < -0 < 0 < x < Inf < NaN.
int64_t DoubleSortKey(double d) {
  int64_t bits;
  std::memcpy(&bits, &d, sizeof(bits));
  return bits < 0 ? bits ^ INT64_MAX : bits;
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

std::string TypeMismatch(const Literal& lit) {
  return StrCat("literal of type ", lit.type() ? lit.type()->ToString() : "<none>");
}

}  // namespace

Result<Literal> Literal::Make(TypePtr type, Value value) {
  if (!type) return InvalidArgument("literal without a type");
  if (std::holds_alternative<std::monostate>(value)) return Null(std::move(type));
  int want = RepIndex(type->id());
  if (want < 0) return InvalidArgument("type ", type->ToString(), " has no single-value literal");
  if (static_cast<int>(value.index()) != want) {
    return InvalidArgument("value representation does not match type ", type->ToString());
  }
  if (type->id() == TypeId::kUuid && std::get<std::string>(value).size() != 16) {
    return InvalidArgument("a uuid literal needs 16 bytes");
  }
  if (type->id() == TypeId::kFixed &&
      std::get<std::string>(value).size() != static_cast<size_t>(type->length())) {
    return InvalidArgument("a ", type->ToString(), " literal needs ", type->length(),
                           " bytes, got ", std::get<std::string>(value).size());
  }
  return Literal(std::move(type), std::move(value));
}

std::string Literal::ToString() const {
  if (is_null()) return "null";
  TypeId id = type_->id();
  switch (id) {
    case TypeId::kBoolean:
      return bool_value() ? "true" : "false";
    case TypeId::kInt:
      return std::to_string(int32_value());
    case TypeId::kLong:
      return std::to_string(int64_value());
    case TypeId::kFloat:
      return ShortestFloat(float_value());
    case TypeId::kDouble:
      return ShortestFloat(double_value());
    case TypeId::kDecimal:
      return DecimalToString(decimal_value(), type_->scale());
    case TypeId::kDate:
      return temporal::FormatDate(int32_value());
    case TypeId::kTime:
      return temporal::FormatTime(int64_value(), 6);
    case TypeId::kString:
      return bytes_value();
    case TypeId::kUuid:
      return UuidToString(bytes_value());
    case TypeId::kBinary:
    case TypeId::kFixed:
      return ToHex(bytes_value());
    default:
      break;
  }
  // Timestamps.
  std::string s = temporal::FormatTimestamp(int64_value(), IsNanos(id) ? 9 : 6);
  return HasZone(id) ? s + "+00:00" : s;
}

bool Literal::operator==(const Literal& o) const {
  if (!TypesEqual(type_, o.type_) || value_.index() != o.value_.index()) return false;
  if (is_null()) return true;
  if (type_->id() == TypeId::kFloat || type_->id() == TypeId::kDouble) {
    return CompareLiterals(*this, o).value_or(1) == 0;
  }
  return value_ == o.value_;
}

Result<std::string> LiteralToBytes(const Literal& lit) {
  if (lit.is_null()) return InvalidArgument("a null value has no binary single-value form");
  switch (lit.type()->id()) {
    case TypeId::kBoolean:
      return std::string(1, lit.bool_value() ? '\x01' : '\x00');
    case TypeId::kInt:
    case TypeId::kDate:
      return LittleEndian<int32_t>(lit.int32_value());
    case TypeId::kFloat: {
      uint32_t bits;
      float f = lit.float_value();
      std::memcpy(&bits, &f, 4);
      return LittleEndian<uint32_t>(bits);
    }
    case TypeId::kDouble: {
      uint64_t bits;
      double d = lit.double_value();
      std::memcpy(&bits, &d, 8);
      return LittleEndian<uint64_t>(bits);
    }
    case TypeId::kDecimal: {
      // Minimum number of big-endian two's-complement bytes.
      int128_t v = lit.decimal_value();
      int n = 1;
      while (n < 16) {
        int128_t lo = -(static_cast<int128_t>(1) << (8 * n - 1));
        int128_t hi = (static_cast<int128_t>(1) << (8 * n - 1)) - 1;
        if (v >= lo && v <= hi) break;
        ++n;
      }
      std::string out(n, '\0');
      auto u = static_cast<unsigned __int128>(v);
      for (int i = 0; i < n; ++i) out[n - 1 - i] = static_cast<char>((u >> (8 * i)) & 0xff);
      return out;
    }
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
    case TypeId::kUuid:
      return lit.bytes_value();
    default:
      if (RepIndex(lit.type()->id()) == 3) return LittleEndian<int64_t>(lit.int64_value());
      return InvalidArgument(TypeMismatch(lit), " has no binary single-value form");
  }
}

Result<Literal> LiteralFromBytes(const TypePtr& type, std::string_view b) {
  auto bad_length = [&]() {
    return Corruption("binary value of ", b.size(), " bytes is not a valid ", type->ToString());
  };
  TypeId id = type->id();
  switch (id) {
    case TypeId::kBoolean:
      if (b.size() != 1) return bad_length();
      return Literal::Boolean(b[0] != 0);
    case TypeId::kInt:
    case TypeId::kDate:
      if (b.size() != 4) return bad_length();
      return Literal::Make(type, FromLittleEndian<int32_t>(b));
    case TypeId::kFloat:
    case TypeId::kDouble: {
      if (b.size() == 4) {
        uint32_t bits = FromLittleEndian<uint32_t>(b);
        float f;
        std::memcpy(&f, &bits, 4);
        if (id == TypeId::kFloat) return Literal::Float(f);
        return Literal::Double(static_cast<double>(f));  // written before float -> double
      }
      if (b.size() != 8 || id != TypeId::kDouble) return bad_length();
      uint64_t bits = FromLittleEndian<uint64_t>(b);
      double d;
      std::memcpy(&d, &bits, 8);
      return Literal::Double(d);
    }
    case TypeId::kDecimal: {
      if (b.empty() || b.size() > 16) return bad_length();
      unsigned __int128 u =
          (static_cast<uint8_t>(b[0]) & 0x80) ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : b) u = (u << 8) | static_cast<uint8_t>(c);
      return Literal::Make(type, static_cast<int128_t>(u));
    }
    case TypeId::kString:
    case TypeId::kBinary:
      return Literal::Make(type, std::string(b));
    case TypeId::kFixed:
    case TypeId::kUuid: {
      size_t want = id == TypeId::kUuid ? 16 : static_cast<size_t>(type->length());
      if (b.size() != want) return bad_length();
      return Literal::Make(type, std::string(b));
    }
    default:
      break;
  }
  if (RepIndex(id) != 3)
    return InvalidArgument("type ", type->ToString(), " has no binary single-value form");
  if (b.size() == 4) {
    int64_t v = FromLittleEndian<int32_t>(b);
    if (id == TypeId::kLong) return Literal::Long(v);  // written as int before promotion
    if (id == TypeId::kTimestamp || id == TypeId::kTimestampNs) {  // written as date
      int64_t per_day = temporal::kMicrosPerDay * (IsNanos(id) ? 1000 : 1);
      return Literal::Make(type, v * per_day);
    }
    return bad_length();
  }
  if (b.size() != 8) return bad_length();
  return Literal::Make(type, FromLittleEndian<int64_t>(b));
}

Result<Json> LiteralToJson(const Literal& lit) {
  if (lit.is_null()) return Json(nullptr);
  TypeId id = lit.type()->id();
  switch (id) {
    case TypeId::kBoolean:
      return Json(lit.bool_value());
    case TypeId::kInt:
      return Json(lit.int32_value());
    case TypeId::kLong:
      return Json(lit.int64_value());
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d = id == TypeId::kFloat ? lit.float_value() : lit.double_value();
      if (!std::isfinite(d))
        return InvalidArgument("JSON cannot represent the value ", lit.ToString());
      if (id ==
          TypeId::kFloat) {  // shortest float text, read back as double: 0.34234, not 0.3423400...
        std::string s = ShortestFloat(lit.float_value());
        std::from_chars(s.data(), s.data() + s.size(), d);
      }
      return Json(d);
    }
    default:
      return Json(lit.ToString());
  }
}

Result<Literal> LiteralFromJson(const TypePtr& type, const Json& j) {
  if (j.is_null()) return Literal::Null(type);
  std::string ctx = StrCat("JSON value for ", type->ToString());
  TypeId id = type->id();
  switch (id) {
    case TypeId::kBoolean:
      if (!j.is_boolean()) return InvalidArgument(ctx, ": expected a boolean");
      return Literal::Boolean(j.get<bool>());
    case TypeId::kInt: {
      ATOLL_ASSIGN_OR_RETURN(int32_t v, json::AsInt32(j, ctx));
      return Literal::Int(v);
    }
    case TypeId::kLong: {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, json::AsInt64(j, ctx));
      return Literal::Long(v);
    }
    case TypeId::kFloat:
      if (!j.is_number()) return InvalidArgument(ctx, ": expected a number");
      return Literal::Float(j.get<float>());
    case TypeId::kDouble:
      if (!j.is_number()) return InvalidArgument(ctx, ": expected a number");
      return Literal::Double(j.get<double>());
    default:
      break;
  }
  if (!j.is_string()) return InvalidArgument(ctx, ": expected a string, found ", j.type_name());
  const std::string s = j.get<std::string>();
  Result<Literal> out = [&]() -> Result<Literal> {
    switch (id) {
      case TypeId::kDecimal: {
        ATOLL_ASSIGN_OR_RETURN(int128_t v, DecimalFromString(s, type->precision(), type->scale()));
        return Literal::Make(type, v);
      }
      case TypeId::kDate: {
        ATOLL_ASSIGN_OR_RETURN(int32_t v, temporal::ParseDate(s));
        return Literal::Make(type, v);
      }
      case TypeId::kTime: {
        ATOLL_ASSIGN_OR_RETURN(int64_t v, temporal::ParseTime(s, 6));
        return Literal::Make(type, v);
      }
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
      case TypeId::kTimestampNs:
      case TypeId::kTimestampTzNs: {
        ATOLL_ASSIGN_OR_RETURN(int64_t v,
                               temporal::ParseTimestamp(s, IsNanos(id) ? 9 : 6, HasZone(id)));
        return Literal::Make(type, v);
      }
      case TypeId::kString:
        return Literal::Make(type, s);
      case TypeId::kUuid: {
        ATOLL_ASSIGN_OR_RETURN(std::string b, UuidFromString(s));
        return Literal::Make(type, std::move(b));
      }
      case TypeId::kBinary:
      case TypeId::kFixed: {
        ATOLL_ASSIGN_OR_RETURN(std::string b, FromHex(s));
        return Literal::Make(type, std::move(b));
      }
      default:
        return InvalidArgument("type ", type->ToString(), " has no single-value literal");
    }
  }();
  if (!out.ok()) return out.status().WithContext(ctx);
  return out;
}

Result<int> CompareLiterals(const Literal& a, const Literal& b) {
  if (a.is_null() || b.is_null()) return InvalidArgument("cannot order a null literal");
  TypeId id = a.type()->id();
  if (id != b.type()->id() || (id == TypeId::kDecimal && a.type()->scale() != b.type()->scale())) {
    return InvalidArgument("cannot compare ", a.type()->ToString(), " with ", b.type()->ToString());
  }
  switch (a.value().index()) {
    case 1:
      return Cmp(a.bool_value(), b.bool_value());
    case 2:
      return Cmp(a.int32_value(), b.int32_value());
    case 3:
      return Cmp(a.int64_value(), b.int64_value());
    case 4:
      return Cmp(DoubleSortKey(a.float_value()), DoubleSortKey(b.float_value()));
    case 5:
      return Cmp(DoubleSortKey(a.double_value()), DoubleSortKey(b.double_value()));
    case 6:
      return Cmp(a.decimal_value(), b.decimal_value());
    default: {
      int c = a.bytes_value().compare(b.bytes_value());  // char_traits compares as unsigned bytes
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

}  // namespace atl::iceberg
