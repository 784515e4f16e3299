#include "atoll/iceberg/transform.h"

#include <cstdio>

#include "atoll/iceberg/murmur3.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

namespace {

bool IsTimestamp(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kTimestampNs ||
         id == TypeId::kTimestampTzNs;
}

Result<int32_t> ParseParam(std::string_view text, std::string_view name) {
  std::string_view inner = text.substr(name.size() + 1, text.size() - name.size() - 2);
  int64_t v = 0;
  if (inner.empty() || inner.size() > 10) return InvalidArgument("invalid transform '", text, "'");
  for (char c : inner) {
    if (c < '0' || c > '9') return InvalidArgument("invalid transform '", text, "'");
    v = v * 10 + (c - '0');
  }
  if (v <= 0 || v > INT32_MAX) {
    return InvalidArgument("invalid transform '", text, "': the parameter must be a positive int");
  }
  return static_cast<int32_t>(v);
}

bool HasParamForm(std::string_view text, std::string_view name) {
  return text.size() > name.size() + 1 && text.substr(0, name.size()) == name &&
         text[name.size()] == '[' && text.back() == ']';
}

// Microseconds from the epoch of a date or timestamp literal (nanoseconds floored).
int64_t MicrosOf(const Literal& v) {
  switch (v.type()->id()) {
    case TypeId::kDate:
      return static_cast<int64_t>(v.int32_value()) * temporal::kMicrosPerDay;
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return temporal::FloorDiv(v.int64_value(), 1000);
    default:
      return v.int64_value();
  }
}

}  // namespace

std::string TruncateUtf8(std::string_view s, int32_t code_points) {
  size_t i = 0;
  int32_t n = 0;
  while (i < s.size() && n < code_points) {
    ++i;  // skip the lead byte, then its continuation bytes
    while (i < s.size() && (static_cast<uint8_t>(s[i]) & 0xC0) == 0x80) ++i;
    ++n;
  }
  return std::string(s.substr(0, i));
}

Result<Transform> Transform::Parse(std::string_view text) {
  if (text == "identity") return Identity();
  if (text == "year" || text == "years") return Year();
  if (text == "month" || text == "months") return Month();
  if (text == "day" || text == "days") return Day();
  if (text == "hour" || text == "hours") return Hour();
  if (text == "void" || text == "alwaysNull") return Void();
  if (HasParamForm(text, "bucket")) {
    ATOLL_ASSIGN_OR_RETURN(int32_t n, ParseParam(text, "bucket"));
    return Bucket(n);
  }
  if (HasParamForm(text, "truncate")) {
    ATOLL_ASSIGN_OR_RETURN(int32_t w, ParseParam(text, "truncate"));
    return Truncate(w);
  }
  Transform t(TransformKind::kUnknown, 0);
  t.unknown_text_ = std::string(text);
  return t;
}

std::string Transform::ToString() const {
  switch (kind_) {
    case TransformKind::kIdentity:
      return "identity";
    case TransformKind::kBucket:
      return StrCat("bucket[", param_, "]");
    case TransformKind::kTruncate:
      return StrCat("truncate[", param_, "]");
    case TransformKind::kYear:
      return "year";
    case TransformKind::kMonth:
      return "month";
    case TransformKind::kDay:
      return "day";
    case TransformKind::kHour:
      return "hour";
    case TransformKind::kVoid:
      return "void";
    case TransformKind::kUnknown:
      return unknown_text_;
  }
  return unknown_text_;
}

bool Transform::CanTransform(const Type& t) const {
  TypeId id = t.id();
  switch (kind_) {
    case TransformKind::kIdentity:
      return t.is_primitive() && id != TypeId::kVariant && id != TypeId::kGeometry &&
             id != TypeId::kGeography;
    case TransformKind::kBucket:
      return id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
             id == TypeId::kDate || id == TypeId::kTime || IsTimestamp(id) ||
             id == TypeId::kString || id == TypeId::kUuid || id == TypeId::kFixed ||
             id == TypeId::kBinary;
    case TransformKind::kTruncate:
      return id == TypeId::kInt || id == TypeId::kLong || id == TypeId::kDecimal ||
             id == TypeId::kString || id == TypeId::kBinary;
    case TransformKind::kYear:
    case TransformKind::kMonth:
    case TransformKind::kDay:
      return id == TypeId::kDate || IsTimestamp(id);
    case TransformKind::kHour:
      return IsTimestamp(id);
    case TransformKind::kVoid:
      return true;
    case TransformKind::kUnknown:
      return false;
  }
  return false;
}

Result<TypePtr> Transform::ResultType(const TypePtr& source) const {
  if (kind_ == TransformKind::kUnknown)
    return NotSupported("unknown transform '", unknown_text_, "'");
  if (!CanTransform(*source)) {
    return InvalidArgument("transform ", ToString(), " cannot be applied to ", source->ToString());
  }
  switch (kind_) {
    case TransformKind::kIdentity:
    case TransformKind::kTruncate:
    case TransformKind::kVoid:
      return source;
    default:
      return Type::Int();
  }
}

Result<Literal> Transform::Apply(const Literal& v) const {
  ATOLL_ASSIGN_OR_RETURN(TypePtr result_type, ResultType(v.type()));
  if (v.is_null() || kind_ == TransformKind::kVoid) return Literal::Null(result_type);
  switch (kind_) {
    case TransformKind::kIdentity:
      return v;
    case TransformKind::kBucket: {
      ATOLL_ASSIGN_OR_RETURN(int32_t h, HashLiteral(v));
      return Literal::Int((h & INT32_MAX) % param_);
    }
    case TransformKind::kTruncate:
      switch (v.type()->id()) {
        case TypeId::kInt:
          return Literal::Int(
              static_cast<int32_t>(v.int32_value() - temporal::FloorMod(v.int32_value(), param_)));
        case TypeId::kLong:
          return Literal::Long(v.int64_value() - temporal::FloorMod(v.int64_value(), param_));
        case TypeId::kDecimal: {
          int128_t u = v.decimal_value();
          int128_t r = u % param_;
          if (r < 0) r += param_;
          return Literal::Make(v.type(), u - r);
        }
        case TypeId::kString:
          return Literal::String(TruncateUtf8(v.bytes_value(), param_));
        default:
          return Literal::Binary(v.bytes_value().substr(0, static_cast<size_t>(param_)));
      }
    case TransformKind::kYear:
      return Literal::Int(
          temporal::YearsFromDays(temporal::FloorDiv(MicrosOf(v), temporal::kMicrosPerDay)));
    case TransformKind::kMonth:
      return Literal::Int(
          temporal::MonthsFromDays(temporal::FloorDiv(MicrosOf(v), temporal::kMicrosPerDay)));
    case TransformKind::kDay:
      return Literal::Int(
          static_cast<int32_t>(temporal::FloorDiv(MicrosOf(v), temporal::kMicrosPerDay)));
    case TransformKind::kHour:
      return Literal::Int(
          static_cast<int32_t>(temporal::FloorDiv(MicrosOf(v), temporal::kMicrosPerHour)));
    default:
      return Internal("unhandled transform ", ToString());
  }
}

std::string Transform::ToHumanString(const Literal& r) const {
  if (r.is_null()) return "null";
  if (r.type()->id() != TypeId::kInt) return r.ToString();
  int64_t v = r.int32_value();
  char buf[48];
  switch (kind_) {
    case TransformKind::kYear:
      std::snprintf(buf, sizeof(buf), "%04lld", static_cast<long long>(1970 + v));
      return buf;
    case TransformKind::kMonth: {
      int64_t y = 1970 + temporal::FloorDiv(v, 12);
      std::snprintf(buf, sizeof(buf), "%04lld-%02lld", static_cast<long long>(y),
                    static_cast<long long>(temporal::FloorMod(v, 12) + 1));
      return buf;
    }
    case TransformKind::kDay:
      return temporal::FormatDate(v);
    case TransformKind::kHour: {
      std::snprintf(buf, sizeof(buf), "-%02lld", static_cast<long long>(temporal::FloorMod(v, 24)));
      return temporal::FormatDate(temporal::FloorDiv(v, 24)) + buf;
    }
    default:
      return r.ToString();
  }
}

}  // namespace atl::iceberg
