// Expression construction, text form and binding (literal conversion to column types).
// Parsing is in expression_parse.cc, evaluation over file metadata in expression_eval.cc.
#include "atoll/iceberg/scan/expression.h"

#include <cctype>
#include <cmath>
#include <limits>

#include "atoll/iceberg/scan/expression_internal.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

using Op = Expression::Op;

Expression Expression::And(Expression a, Expression b) {
  Expression e;
  e.op = Op::kAnd;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Or(Expression a, Expression b) {
  Expression e;
  e.op = Op::kOr;
  e.children.push_back(std::move(a));
  e.children.push_back(std::move(b));
  return e;
}

Expression Expression::Not(Expression a) {
  Expression e;
  e.op = Op::kNot;
  e.children.push_back(std::move(a));
  return e;
}

Expression Expression::Predicate(Op op, std::string column, std::vector<Literal> values) {
  Expression e;
  e.op = op;
  e.column = std::move(column);
  e.values = std::move(values);
  return e;
}

bool IsPredicate(Op op) {
  switch (op) {
    case Op::kTrue:
    case Op::kFalse:
    case Op::kAnd:
    case Op::kOr:
    case Op::kNot:
      return false;
    default:
      return true;
  }
}

namespace {

std::string Quote(std::string_view s, char q) {
  std::string out(1, q);
  for (char c : s) {
    if (c == q) out += q;
    out += c;
  }
  out += q;
  return out;
}

bool IsPlainIdentifier(std::string_view part) {
  if (part.empty() || std::isdigit(static_cast<unsigned char>(part[0]))) return false;
  for (char c : part) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

std::string ColumnText(std::string_view column) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = column.find('.', start);
    std::string_view part =
        column.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (!out.empty()) out += '.';
    out += IsPlainIdentifier(part) ? std::string(part) : Quote(part, '"');
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  return out;
}

}  // namespace

std::string LiteralText(const Literal& v) {
  if (v.is_null()) return "NULL";
  switch (v.type()->id()) {
    case TypeId::kString:
    case TypeId::kUuid:
      return Quote(v.ToString(), '\'');
    case TypeId::kBinary:
    case TypeId::kFixed:
      return "X" + Quote(v.ToString(), '\'');
    case TypeId::kDate:
      return "DATE " + Quote(v.ToString(), '\'');
    case TypeId::kTime:
      return "TIME " + Quote(v.ToString(), '\'');
    case TypeId::kTimestamp:
    case TypeId::kTimestampNs:
      return "TIMESTAMP " + Quote(v.ToString(), '\'');
    case TypeId::kTimestampTz:
    case TypeId::kTimestampTzNs:
      return "TIMESTAMPTZ " + Quote(v.ToString(), '\'');
    default:
      return v.ToString();
  }
}

std::string Expression::ToString() const {
  auto child = [](const Expression& c, Op parent) {
    std::string s = c.ToString();
    bool wrap = (c.op == Op::kAnd || c.op == Op::kOr) && c.op != parent;
    return wrap ? "(" + s + ")" : s;
  };
  std::string col = ColumnText(column);
  auto first = [&]() { return values.empty() ? std::string("?") : LiteralText(values[0]); };
  auto list = [&]() {
    std::string s = "(";
    for (size_t i = 0; i < values.size(); ++i) s += (i ? ", " : "") + LiteralText(values[i]);
    return s + ")";
  };
  switch (op) {
    case Op::kTrue:
      return "TRUE";
    case Op::kFalse:
      return "FALSE";
    case Op::kAnd:
      return child(children.at(0), op) + " AND " + child(children.at(1), op);
    case Op::kOr:
      return child(children.at(0), op) + " OR " + child(children.at(1), op);
    case Op::kNot: {
      const Expression& c = children.at(0);
      return IsPredicate(c.op) ? "NOT " + c.ToString() : "NOT (" + c.ToString() + ")";
    }
    case Op::kIsNull:
      return col + " IS NULL";
    case Op::kNotNull:
      return col + " IS NOT NULL";
    case Op::kIsNaN:
      return col + " IS NAN";
    case Op::kNotNaN:
      return col + " IS NOT NAN";
    case Op::kLt:
      return col + " < " + first();
    case Op::kLtEq:
      return col + " <= " + first();
    case Op::kGt:
      return col + " > " + first();
    case Op::kGtEq:
      return col + " >= " + first();
    case Op::kEq:
      return col + " = " + first();
    case Op::kNotEq:
      return col + " != " + first();
    case Op::kIn:
      return col + " IN " + list();
    case Op::kNotIn:
      return col + " NOT IN " + list();
    case Op::kStartsWith: {
      std::string p = values.empty() || values[0].is_null() ? "" : values[0].bytes_value();
      std::string escaped;
      for (char c : p) {
        if (c == '%' || c == '_' || c == '\\') escaped += '\\';
        escaped += c;
      }
      return col + " LIKE " + Quote(escaped + "%", '\'');
    }
  }
  return "?";
}

// ---------------------------------------------------------------------------------------
// Negation normal form: NOT is pushed down to the predicates, each of which has a negated
// form, except STARTS WITH (kept as NOT over the predicate).

Op NegatedOp(Op op) {
  switch (op) {
    case Op::kTrue:
      return Op::kFalse;
    case Op::kFalse:
      return Op::kTrue;
    case Op::kIsNull:
      return Op::kNotNull;
    case Op::kNotNull:
      return Op::kIsNull;
    case Op::kIsNaN:
      return Op::kNotNaN;
    case Op::kNotNaN:
      return Op::kIsNaN;
    case Op::kLt:
      return Op::kGtEq;
    case Op::kLtEq:
      return Op::kGt;
    case Op::kGt:
      return Op::kLtEq;
    case Op::kGtEq:
      return Op::kLt;
    case Op::kEq:
      return Op::kNotEq;
    case Op::kNotEq:
      return Op::kEq;
    case Op::kIn:
      return Op::kNotIn;
    case Op::kNotIn:
      return Op::kIn;
    default:
      return op;  // And/Or/Not/StartsWith: handled by the caller
  }
}

namespace {

Expression Simplified(Expression e) {
  if (e.op == Op::kAnd) {
    const Expression& a = e.children[0];
    const Expression& b = e.children[1];
    if (a.op == Op::kFalse || b.op == Op::kFalse) return Expression::False();
    if (a.op == Op::kTrue) return b;
    if (b.op == Op::kTrue) return a;
  } else if (e.op == Op::kOr) {
    const Expression& a = e.children[0];
    const Expression& b = e.children[1];
    if (a.op == Op::kTrue || b.op == Op::kTrue) return Expression::True();
    if (a.op == Op::kFalse) return b;
    if (b.op == Op::kFalse) return a;
  } else if (e.op == Op::kNot) {
    if (e.children[0].op == Op::kTrue) return Expression::False();
    if (e.children[0].op == Op::kFalse) return Expression::True();
  }
  return e;
}

Expression ToNnf(const Expression& e, bool negate) {
  switch (e.op) {
    case Op::kAnd:
    case Op::kOr: {
      Op op = (e.op == Op::kAnd) != negate ? Op::kAnd : Op::kOr;
      Expression a = ToNnf(e.children.at(0), negate);
      Expression b = ToNnf(e.children.at(1), negate);
      return Simplified(op == Op::kAnd ? Expression::And(std::move(a), std::move(b))
                                       : Expression::Or(std::move(a), std::move(b)));
    }
    case Op::kNot:
      return ToNnf(e.children.at(0), !negate);
    case Op::kStartsWith:
      return negate ? Expression::Not(e) : e;
    default: {
      if (!negate) return e;
      Expression n = e;
      n.op = NegatedOp(e.op);
      return n;
    }
  }
}

}  // namespace

Expression NegationNormalForm(const Expression& e) { return ToNnf(e, false); }

// ---------------------------------------------------------------------------------------
// Binding.

namespace {

// How a literal converted to a column type relates to the original value.
enum class Fit {
  kExact,
  kFloor,     // the original lies strictly between `value` and the next representable value
  kAboveMax,  // the original is above every value of the type
  kBelowMin,  // the original is below every value of the type
};

struct Converted {
  Fit fit = Fit::kExact;
  std::optional<Literal> value;  // set for kExact and kFloor
};

Converted Exact(Literal v) { return Converted{Fit::kExact, std::move(v)}; }
Converted Floor(Literal v, bool inexact) {
  return Converted{inexact ? Fit::kFloor : Fit::kExact, std::move(v)};
}
Converted Above() { return Converted{Fit::kAboveMax, std::nullopt}; }
Converted Below() { return Converted{Fit::kBelowMin, std::nullopt}; }

bool IsTimestamp(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || id == TypeId::kTimestampNs ||
         id == TypeId::kTimestampTzNs;
}
bool IsNanos(TypeId id) { return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs; }
bool IsIntegral(TypeId id) { return id == TypeId::kInt || id == TypeId::kLong; }

int128_t Pow10(int n) {
  int128_t p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

int128_t FloorDiv128(int128_t a, int128_t b) {
  int128_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// An integer (as int128) into an integral or decimal column type.
Result<Converted> FromInteger(int128_t v, bool inexact, const TypePtr& type) {
  switch (type->id()) {
    case TypeId::kInt:
      if (v > std::numeric_limits<int32_t>::max()) return Above();
      if (v < std::numeric_limits<int32_t>::min()) return Below();
      return Floor(Literal::Int(static_cast<int32_t>(v)), inexact);
    case TypeId::kLong:
      if (v > std::numeric_limits<int64_t>::max()) return Above();
      if (v < std::numeric_limits<int64_t>::min()) return Below();
      return Floor(Literal::Long(static_cast<int64_t>(v)), inexact);
    case TypeId::kFloat:
      return Exact(Literal::Float(static_cast<float>(v)));
    case TypeId::kDouble:
      return Exact(Literal::Double(static_cast<double>(v)));
    default:
      break;
  }
  return InvalidArgument("cannot convert an integer to ", type->ToString());
}

// A decimal (unscaled, scale) into a column type.
Result<Converted> FromDecimal(int128_t unscaled, int scale, const TypePtr& type) {
  TypeId id = type->id();
  if (id == TypeId::kDecimal) {
    int128_t limit = Pow10(type->precision());
    int128_t v;
    bool inexact = false;
    if (type->scale() >= scale) {
      int up = type->scale() - scale;
      if (up > 38) return InvalidArgument("decimal scale out of range");
      // Overflow check before scaling.
      int128_t p = Pow10(up);
      int128_t max = (Pow10(38) - 1) / p;
      if (unscaled > max) return Above();
      if (unscaled < -max) return Below();
      v = unscaled * p;
    } else {
      int128_t p = Pow10(scale - type->scale());
      v = FloorDiv128(unscaled, p);
      inexact = v * p != unscaled;
    }
    if (v >= limit) return Above();
    if (v <= -limit) return Below();
    ATOLL_ASSIGN_OR_RETURN(Literal lit, Literal::Make(type, v));
    return Floor(std::move(lit), inexact);
  }
  if (IsIntegral(id)) {
    int128_t p = Pow10(scale);
    int128_t q = FloorDiv128(unscaled, p);
    return FromInteger(q, q * p != unscaled, type);
  }
  if (id == TypeId::kFloat || id == TypeId::kDouble) {
    double d = static_cast<double>(unscaled) / std::pow(10.0, scale);
    return Exact(id == TypeId::kFloat ? Literal::Float(static_cast<float>(d)) : Literal::Double(d));
  }
  return InvalidArgument("cannot convert a decimal to ", type->ToString());
}

Result<Converted> FromDouble(double d, const TypePtr& type) {
  TypeId id = type->id();
  if (id == TypeId::kDouble) return Exact(Literal::Double(d));
  if (id == TypeId::kFloat) return Exact(Literal::Float(static_cast<float>(d)));
  if (std::isnan(d))
    return InvalidArgument("NaN compares only with float or double columns (use IS NAN)");
  if (IsIntegral(id)) {
    if (d >= 9.3e18) return Above();
    if (d <= -9.3e18) return Below();
    double f = std::floor(d);
    return FromInteger(static_cast<int128_t>(f), f != d, type);
  }
  if (id == TypeId::kDecimal) {
    if (std::isinf(d)) return d > 0 ? Above() : Below();
    double scaled = std::floor(d * std::pow(10.0, type->scale()));
    if (std::fabs(scaled) >= 1e38) return d > 0 ? Above() : Below();
    ATOLL_ASSIGN_OR_RETURN(Literal lit, Literal::Make(type, static_cast<int128_t>(scaled)));
    return Floor(std::move(lit), scaled != d * std::pow(10.0, type->scale()));
  }
  return InvalidArgument("cannot convert a floating-point number to ", type->ToString());
}

// A timestamp in nanoseconds into a date/timestamp column type.
Result<Converted> FromNanos(int64_t nanos, const TypePtr& type) {
  TypeId id = type->id();
  if (IsNanos(id)) return Exact(*Literal::Make(type, nanos));
  if (IsTimestamp(id)) {
    int64_t micros = temporal::FloorDiv(nanos, 1000);
    return Floor(*Literal::Make(type, micros), micros * 1000 != nanos);
  }
  if (id == TypeId::kDate) {
    int64_t per_day = temporal::kMicrosPerDay * 1000;
    int64_t days = temporal::FloorDiv(nanos, per_day);
    return Floor(Literal::Date(static_cast<int32_t>(days)), days * per_day != nanos);
  }
  return InvalidArgument("cannot convert a timestamp to ", type->ToString());
}

Result<Converted> FromDays(int32_t days, const TypePtr& type) {
  TypeId id = type->id();
  if (id == TypeId::kDate) return Exact(Literal::Date(days));
  if (IsTimestamp(id)) {
    int64_t micros = static_cast<int64_t>(days) * temporal::kMicrosPerDay;
    return Exact(*Literal::Make(type, IsNanos(id) ? micros * 1000 : micros));
  }
  return InvalidArgument("cannot convert a date to ", type->ToString());
}

Result<Converted> Convert(const Literal& lit, const TypePtr& type);

// Text into a column type (typed loosely: '2024-01-01' for a date column, '42' for an int).
Result<Converted> FromText(const std::string& text, const TypePtr& type) {
  TypeId id = type->id();
  switch (id) {
    case TypeId::kString:
      return Exact(Literal::String(text));
    case TypeId::kBinary:
      return Exact(Literal::Binary(text));
    case TypeId::kFixed: {
      ATOLL_ASSIGN_OR_RETURN(Literal v, Literal::Make(type, text));
      return Exact(std::move(v));
    }
    case TypeId::kUuid: {
      ATOLL_ASSIGN_OR_RETURN(std::string bytes, UuidFromString(text));
      return Exact(Literal::Uuid(std::move(bytes)));
    }
    case TypeId::kBoolean: {
      std::string lower;
      for (char c : text) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (lower == "true") return Exact(Literal::Boolean(true));
      if (lower == "false") return Exact(Literal::Boolean(false));
      return InvalidArgument("'", text, "' is not a boolean");
    }
    case TypeId::kDate: {
      if (text.size() > 10) {
        ATOLL_ASSIGN_OR_RETURN(Literal ts, ParseTimestampLiteral(text));
        return Convert(ts, type);
      }
      ATOLL_ASSIGN_OR_RETURN(int32_t days, temporal::ParseDate(text));
      return Exact(Literal::Date(days));
    }
    case TypeId::kTime: {
      ATOLL_ASSIGN_OR_RETURN(int64_t micros, temporal::ParseTime(text, 6));
      return Exact(Literal::Time(micros));
    }
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      ATOLL_ASSIGN_OR_RETURN(Literal ts, ParseTimestampLiteral(text));
      return Convert(ts, type);
    }
    case TypeId::kInt:
    case TypeId::kLong:
    case TypeId::kFloat:
    case TypeId::kDouble:
    case TypeId::kDecimal: {
      ATOLL_ASSIGN_OR_RETURN(Literal n, ParseNumberLiteral(text));
      return Convert(n, type);
    }
    default:
      break;
  }
  return InvalidArgument("cannot compare ", type->ToString(), " with text");
}

Result<Converted> Convert(const Literal& lit, const TypePtr& type) {
  if (lit.is_null()) return InvalidArgument("NULL cannot be compared (use IS NULL)");
  TypeId from = lit.type()->id();
  TypeId to = type->id();
  if (TypesEqual(lit.type(), type)) return Exact(lit);
  switch (from) {
    case TypeId::kBoolean:
      if (to == TypeId::kBoolean) return Exact(lit);
      break;
    case TypeId::kInt:
      if (to == TypeId::kDecimal) return FromDecimal(lit.int32_value(), 0, type);
      if (to == TypeId::kString) break;
      return FromInteger(lit.int32_value(), false, type);
    case TypeId::kLong:
      if (to == TypeId::kDecimal) return FromDecimal(lit.int64_value(), 0, type);
      if (to == TypeId::kString) break;
      return FromInteger(lit.int64_value(), false, type);
    case TypeId::kDecimal:
      return FromDecimal(lit.decimal_value(), lit.type()->scale(), type);
    case TypeId::kFloat:
      return FromDouble(lit.float_value(), type);
    case TypeId::kDouble:
      return FromDouble(lit.double_value(), type);
    case TypeId::kString:
      return FromText(lit.bytes_value(), type);
    case TypeId::kBinary:
      if (to == TypeId::kBinary || to == TypeId::kFixed || to == TypeId::kUuid) {
        ATOLL_ASSIGN_OR_RETURN(Literal v, Literal::Make(type, lit.bytes_value()));
        return Exact(std::move(v));
      }
      break;
    case TypeId::kDate:
      return FromDays(lit.int32_value(), type);
    case TypeId::kTime:
      if (to == TypeId::kTime) return Exact(lit);
      break;
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return FromNanos(lit.int64_value() * 1000, type);
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return FromNanos(lit.int64_value(), type);
    default:
      break;
  }
  return InvalidArgument("cannot compare ", type->ToString(), " with ", LiteralText(lit));
}

bool IsFloating(TypeId id) { return id == TypeId::kFloat || id == TypeId::kDouble; }

bool IsNaNLiteral(const Literal& v) {
  if (v.is_null()) return false;
  if (v.type()->id() == TypeId::kFloat) return std::isnan(v.float_value());
  if (v.type()->id() == TypeId::kDouble) return std::isnan(v.double_value());
  return false;
}

// Case-insensitive lookup of a dotted name, for columns written in another case.
const NestedField* FindCaseInsensitive(const Schema& schema, std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out;
    for (char c : s) out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
  };
  const std::string want = lower(name);
  const NestedField* found = nullptr;
  std::vector<std::pair<const std::vector<NestedField>*, std::string>> stack{
      {&schema.fields(), ""}};
  while (!stack.empty()) {
    auto [fields, prefix] = stack.back();
    stack.pop_back();
    for (const NestedField& f : *fields) {
      std::string full = prefix.empty() ? f.name : prefix + "." + f.name;
      if (lower(full) == want) {
        if (found != nullptr) return nullptr;  // ambiguous
        found = &f;
      }
      if (f.type->id() == TypeId::kStruct) stack.emplace_back(&f.type->fields(), full);
    }
  }
  return found;
}

Result<Expression> BindPredicate(const Expression& e, const Schema& schema) {
  const NestedField* field = schema.FindFieldByName(e.column);
  if (field == nullptr) field = FindCaseInsensitive(schema, e.column);
  if (field == nullptr)
    return InvalidArgument("filter: no column '", e.column, "' in the table schema");
  if (!field->type->is_primitive()) {
    return InvalidArgument("filter: column '", e.column, "' is a ", field->type->ToString(),
                           "; only primitive columns can be compared");
  }
  if (schema.IsInListOrMap(field->id)) {
    return InvalidArgument("filter: column '", e.column, "' is inside a list or map");
  }
  const TypePtr& type = field->type;
  Expression out = e;
  out.column = schema.FindColumnName(field->id).value_or(e.column);
  out.values.clear();
  auto pred = [&](Op op, std::vector<Literal> values = {}) {
    return Expression::Predicate(op, out.column, std::move(values));
  };
  auto context = [&](const Status& s) { return s.WithContext("filter: " + e.ToString()); };

  switch (e.op) {
    case Op::kIsNull:
    case Op::kNotNull:
      return pred(e.op);
    case Op::kIsNaN:
    case Op::kNotNaN:
      if (!IsFloating(type->id()))
        return e.op == Op::kIsNaN ? Expression::False() : Expression::True();
      return pred(e.op);
    case Op::kStartsWith: {
      if (e.values.size() != 1) return InvalidArgument("filter: LIKE needs one pattern");
      if (type->id() != TypeId::kString && type->id() != TypeId::kBinary) {
        return InvalidArgument("filter: LIKE needs a string column, '", e.column, "' is ",
                               type->ToString());
      }
      if (e.values[0].is_null() || e.values[0].value().index() != 7) {
        return InvalidArgument("filter: LIKE needs a string pattern");
      }
      return pred(Op::kStartsWith, {*Literal::Make(type, e.values[0].bytes_value())});
    }
    case Op::kIn:
    case Op::kNotIn: {
      std::vector<Literal> kept;
      bool nan = false;
      for (const Literal& v : e.values) {
        if (IsNaNLiteral(v) && IsFloating(type->id())) {
          nan = true;
          continue;
        }
        Result<Converted> c = Convert(v, type);
        if (!c.ok()) return context(c.status());
        if (c->fit == Fit::kExact) kept.push_back(*c->value);
      }
      Expression main = kept.empty() ? (e.op == Op::kIn ? Expression::False() : pred(Op::kNotNull))
                                     : pred(e.op, std::move(kept));
      if (!nan) return main;
      return e.op == Op::kIn ? Simplified(Expression::Or(std::move(main), pred(Op::kIsNaN)))
                             : Simplified(Expression::And(std::move(main), pred(Op::kNotNaN)));
    }
    case Op::kLt:
    case Op::kLtEq:
    case Op::kGt:
    case Op::kGtEq:
    case Op::kEq:
    case Op::kNotEq: {
      if (e.values.size() != 1) return InvalidArgument("filter: a comparison needs one value");
      const Literal& v = e.values[0];
      if (IsNaNLiteral(v)) {
        if (e.op == Op::kEq) return IsFloating(type->id()) ? pred(Op::kIsNaN) : Expression::False();
        if (e.op == Op::kNotEq)
          return IsFloating(type->id()) ? pred(Op::kNotNaN) : pred(Op::kNotNull);
        return InvalidArgument("filter: cannot order by NaN in ", e.ToString());
      }
      Result<Converted> c = Convert(v, type);
      if (!c.ok()) return context(c.status());
      switch (c->fit) {
        case Fit::kExact:
          return pred(e.op, {*c->value});
        case Fit::kFloor:
          switch (e.op) {
            case Op::kLt:
            case Op::kLtEq:
              return pred(Op::kLtEq, {*c->value});
            case Op::kGt:
            case Op::kGtEq:
              return pred(Op::kGt, {*c->value});
            case Op::kEq:
              return Expression::False();
            default:
              return pred(Op::kNotNull);
          }
        case Fit::kAboveMax:
          switch (e.op) {
            case Op::kLt:
            case Op::kLtEq:
            case Op::kNotEq:
              return pred(Op::kNotNull);
            default:
              return Expression::False();
          }
        case Fit::kBelowMin:
          switch (e.op) {
            case Op::kGt:
            case Op::kGtEq:
            case Op::kNotEq:
              return pred(Op::kNotNull);
            default:
              return Expression::False();
          }
      }
      break;
    }
    default:
      break;
  }
  return Internal("filter: unexpected operator");
}

Result<Expression> BindTree(const Expression& e, const Schema& schema) {
  switch (e.op) {
    case Op::kTrue:
    case Op::kFalse:
      return e;
    case Op::kAnd:
    case Op::kOr: {
      if (e.children.size() != 2) return InvalidArgument("filter: AND/OR need two operands");
      ATOLL_ASSIGN_OR_RETURN(Expression a, BindTree(e.children[0], schema));
      ATOLL_ASSIGN_OR_RETURN(Expression b, BindTree(e.children[1], schema));
      return Simplified(e.op == Op::kAnd ? Expression::And(std::move(a), std::move(b))
                                         : Expression::Or(std::move(a), std::move(b)));
    }
    case Op::kNot: {
      if (e.children.size() != 1) return InvalidArgument("filter: NOT needs one operand");
      ATOLL_ASSIGN_OR_RETURN(Expression a, BindTree(e.children[0], schema));
      return Simplified(Expression::Not(std::move(a)));
    }
    default:
      return BindPredicate(e, schema);
  }
}

}  // namespace

Result<Expression> Bind(const Expression& expr, const Schema& schema) {
  // NOT is pushed down first: the rewrites of literals that do not fit the column type
  // (x < 1e20 on an int becomes x IS NOT NULL) are exact only where no NOT is above them.
  return BindTree(NegationNormalForm(expr), schema);
}

}  // namespace atl::iceberg
