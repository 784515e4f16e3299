// Evaluation of bound expressions over file metadata: the inclusive (MightMatch) and strict
// (AllMatch) metrics evaluators, partition projections through transforms, and manifest
// partition summaries.
//
// Conventions that keep pruning safe:
//   - bounds that cannot be decoded, or that are NaN, count as absent;
//   - string/binary upper bounds may be truncated prefixes of the real maximum (some writers
//     do not increment them), so "every value is below v" needs upper < v and v not starting
//     with upper;
//   - NaN rows may compare greater than everything (DuckDB's order), so > and >= never prune a
//     file that may hold NaN, and no comparison is certain for such a file.
#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/scan/expression_internal.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

using Op = Expression::Op;

namespace {

int Sign(int64_t a, int64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

double AsDouble(const Literal& v) {
  return v.value().index() == 4 ? static_cast<double>(v.float_value()) : v.double_value();
}

}  // namespace

bool Comparable(const Literal& a, const Literal& b) {
  if (a.is_null() || b.is_null()) return false;
  size_t ia = a.value().index();
  size_t ib = b.value().index();
  auto group = [](size_t i) {
    return i == 2 || i == 3 ? 2 : (i == 4 || i == 5 ? 4 : static_cast<int>(i));
  };
  if (group(ia) != group(ib)) return false;
  if (ia == 6 && a.type()->scale() != b.type()->scale()) return false;
  return true;
}

int CompareValues(const Literal& a, const Literal& b) {
  if (!Comparable(a, b)) return 0;
  switch (a.value().index()) {
    case 1:
      return static_cast<int>(a.bool_value()) - static_cast<int>(b.bool_value());
    case 2:
    case 3: {
      int64_t x = a.value().index() == 2 ? a.int32_value() : a.int64_value();
      int64_t y = b.value().index() == 2 ? b.int32_value() : b.int64_value();
      return Sign(x, y);
    }
    case 4:
    case 5: {
      double x = AsDouble(a);
      double y = AsDouble(b);
      return x < y ? -1 : (x > y ? 1 : 0);
    }
    case 6:
      return a.decimal_value() < b.decimal_value()
                 ? -1
                 : (a.decimal_value() > b.decimal_value() ? 1 : 0);
    default: {
      int c = a.bytes_value().compare(b.bytes_value());
      return c < 0 ? -1 : (c > 0 ? 1 : 0);
    }
  }
}

namespace {

bool IsFloating(TypeId id) { return id == TypeId::kFloat || id == TypeId::kDouble; }
bool IsBytes(TypeId id) { return id == TypeId::kString || id == TypeId::kBinary; }
bool IsNanos(TypeId id) { return id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs; }
bool IsTimestamp(TypeId id) {
  return id == TypeId::kTimestamp || id == TypeId::kTimestampTz || IsNanos(id);
}

bool IsNaN(const Literal& v) {
  if (v.is_null()) return false;
  if (v.value().index() == 4) return std::isnan(v.float_value());
  if (v.value().index() == 5) return std::isnan(v.double_value());
  return false;
}

// A value written under an older type (int, float, date) as the promoted column type.
std::optional<Literal> Promote(const Literal& v, const TypePtr& type) {
  if (v.is_null()) return v;
  TypeId from = v.type()->id();
  TypeId to = type->id();
  if (from == to) return v;
  if (from == TypeId::kInt && to == TypeId::kLong) return Literal::Long(v.int32_value());
  if (from == TypeId::kFloat && to == TypeId::kDouble) return Literal::Double(v.float_value());
  if (from == TypeId::kDate && IsTimestamp(to)) {
    int64_t micros = static_cast<int64_t>(v.int32_value()) * temporal::kMicrosPerDay;
    return Literal::Make(type, IsNanos(to) ? micros * 1000 : micros).value();
  }
  if (from == TypeId::kDecimal && to == TypeId::kDecimal && v.type()->scale() == type->scale()) {
    return Literal::Make(type, v.decimal_value()).value();
  }
  // Same representation (e.g. a date partition value read as an int): keep as is.
  if (Literal::Make(type, v.value()).ok()) return Literal::Make(type, v.value()).value();
  return std::nullopt;
}

// A metric bound decoded as the column type; nullopt when absent, undecodable or NaN.
std::optional<Literal> DecodeBound(const ColumnMap<std::string>& bounds, int32_t id,
                                   const TypePtr& type) {
  auto it = bounds.find(id);
  if (it == bounds.end()) return std::nullopt;
  Result<Literal> lit = LiteralFromBytes(type, it->second);
  if (!lit.ok() || IsNaN(*lit)) return std::nullopt;
  return Promote(*lit, type);
}

std::optional<Literal> DecodeSummaryBound(const std::optional<std::string>& bytes,
                                          const TypePtr& type) {
  if (!bytes) return std::nullopt;
  Result<Literal> lit = LiteralFromBytes(type, *bytes);
  if (!lit.ok() || IsNaN(*lit)) return std::nullopt;
  return Promote(*lit, type);
}

std::optional<int64_t> Count(const ColumnMap<int64_t>& counts, int32_t id) {
  auto it = counts.find(id);
  if (it == counts.end()) return std::nullopt;
  return it->second;
}

// Every value at most `upper` (a possibly truncated bound) is below v.
bool UpperBelow(const Literal& upper, const Literal& v, bool bytes) {
  if (!Comparable(upper, v)) return false;
  if (CompareValues(upper, v) >= 0) return false;
  return !bytes || !v.bytes_value().starts_with(upper.bytes_value());
}
// Every value at most `upper` is at most v.
bool UpperAtMost(const Literal& upper, const Literal& v, bool bytes) {
  if (bytes) return UpperBelow(upper, v, true);
  return Comparable(upper, v) && CompareValues(upper, v) <= 0;
}
bool LowerAbove(const Literal& lower, const Literal& v) {
  return Comparable(lower, v) && CompareValues(lower, v) > 0;
}
bool LowerAtLeast(const Literal& lower, const Literal& v) {
  return Comparable(lower, v) && CompareValues(lower, v) >= 0;
}
// The lower bound shows that no value starts with `prefix` (all values are above).
bool LowerAbovePrefix(const Literal& lower, const std::string& prefix) {
  return lower.bytes_value().substr(0, prefix.size()).compare(prefix) > 0;
}

// One predicate of a bound expression in negation normal form.
struct Leaf {
  Op op;
  bool not_starts_with = false;  // NOT (column LIKE 'prefix%')
  int32_t field_id = 0;
  TypePtr type;
  const std::vector<Literal>* values = nullptr;
  const Literal& value() const { return values->at(0); }
};

// A predicate on a partition value (after projection through a transform).
struct PartPred {
  Op op;
  bool not_starts_with = false;
  std::vector<Literal> values;
};

enum class Mode { kInclusive, kStrict };

Result<Leaf> MakeLeaf(const Expression& e, bool negated, const Schema& schema) {
  const NestedField* field = schema.FindFieldByName(e.column);
  if (field == nullptr) {
    return InvalidArgument("filter is not bound to this schema: no column '", e.column, "'");
  }
  Leaf leaf{e.op, negated, field->id, field->type, &e.values};
  bool needs_value =
      e.op != Op::kIsNull && e.op != Op::kNotNull && e.op != Op::kIsNaN && e.op != Op::kNotNaN;
  if (needs_value && e.values.empty())
    return InvalidArgument("filter predicate without a value: ", e.ToString());
  if (negated && e.op != Op::kStartsWith)
    return InvalidArgument("filter is not bound: ", e.ToString());
  return leaf;
}

// ---------------------------------------------------------------------------------------
// Metrics.

// Whether a column whose non-null, non-NaN values lie within [lower, upper] (a bound may
// be unknown) might hold a value that satisfies `op` with `values`: false only when the
// bounds rule every such value out. `bytes`: the values are strings or binary, whose
// bounds may be truncated. Not for NOT STARTS WITH, nor the null and NaN tests.
bool RangeMight(Op op, const std::vector<Literal>& values, const std::optional<Literal>& lower,
                const std::optional<Literal>& upper, bool bytes) {
  switch (op) {
    case Op::kLt:
      return !(lower && LowerAtLeast(*lower, values.at(0)));
    case Op::kLtEq:
      return !(lower && LowerAbove(*lower, values.at(0)));
    case Op::kGt:
      return !(upper && UpperAtMost(*upper, values.at(0), bytes));
    case Op::kGtEq:
      return !(upper && UpperBelow(*upper, values.at(0), bytes));
    case Op::kEq:
      if (lower && LowerAbove(*lower, values.at(0))) return false;
      return !(upper && UpperBelow(*upper, values.at(0), bytes));
    case Op::kIn:
      for (const Literal& v : values) {
        if (lower && LowerAbove(*lower, v)) continue;
        if (upper && UpperBelow(*upper, v, bytes)) continue;
        return true;
      }
      return false;
    case Op::kStartsWith:
      if (!bytes) return true;
      if (lower && LowerAbovePrefix(*lower, values.at(0).bytes_value())) return false;
      return !(upper && UpperBelow(*upper, values.at(0), true));
    default:
      return true;  // NotEq, NotIn: no pruning from ranges
  }
}

// The file's value, null and NaN counts of the leaf's column (nullopt: not recorded).
std::tuple<std::optional<int64_t>, std::optional<int64_t>, std::optional<int64_t>> CountsOf(
    const Leaf& leaf, const DataFile& file) {
  return {Count(file.value_counts, leaf.field_id), Count(file.null_value_counts, leaf.field_id),
          Count(file.nan_value_counts, leaf.field_id)};
}

// The file's lower and upper bounds of the leaf's column (nullopt: not recorded).
std::pair<std::optional<Literal>, std::optional<Literal>> BoundsOf(const Leaf& leaf,
                                                                   const DataFile& file) {
  return {DecodeBound(file.lower_bounds, leaf.field_id, leaf.type),
          DecodeBound(file.upper_bounds, leaf.field_id, leaf.type)};
}

bool MetricsMight(const Leaf& leaf, const DataFile& file) {
  const bool floating = IsFloating(leaf.type->id());
  const bool bytes = IsBytes(leaf.type->id());
  const auto [vc, nc, nanc] = CountsOf(leaf, file);
  const bool all_null = vc && nc && *nc == *vc;
  const bool all_nan = vc && nanc && *nanc == *vc && *vc > 0;
  const bool nan_possible = floating && !(nanc && *nanc == 0);

  switch (leaf.op) {
    case Op::kIsNull:
      return !(nc && *nc == 0);
    case Op::kNotNull:
      return !all_null;
    case Op::kIsNaN:
      if (nanc && *nanc == 0) return false;
      return !all_null;
    case Op::kNotNaN:
      return !all_nan;
    default:
      break;
  }
  if (all_null) return false;
  const bool greater_side =
      leaf.op == Op::kGt || leaf.op == Op::kGtEq || leaf.op == Op::kNotEq || leaf.op == Op::kNotIn;
  if (all_nan) return greater_side;
  if (nan_possible && greater_side) return true;

  const auto [lower, upper] = BoundsOf(leaf, file);
  if (leaf.not_starts_with) {
    if (!bytes) return true;
    // No row matches when every non-null value starts with the prefix.
    const std::string& p = leaf.value().bytes_value();
    return !(lower && upper && lower->bytes_value().starts_with(p) &&
             upper->bytes_value().starts_with(p));
  }
  return RangeMight(leaf.op, *leaf.values, lower, upper, bytes);
}

bool MetricsAll(const Leaf& leaf, const DataFile& file) {
  const bool floating = IsFloating(leaf.type->id());
  const bool bytes = IsBytes(leaf.type->id());
  const auto [vc, nc, nanc] = CountsOf(leaf, file);
  const bool no_nulls = nc && *nc == 0;
  const bool no_nans = !floating || (nanc && *nanc == 0);

  switch (leaf.op) {
    case Op::kIsNull:
      return vc && nc && *nc == *vc;
    case Op::kNotNull:
      return no_nulls;
    case Op::kIsNaN:
      return floating && vc && nanc && *nanc == *vc;
    case Op::kNotNaN:
      return !floating || (nanc && *nanc == 0) || (vc && nc && *nc == *vc);
    default:
      break;
  }
  if (!no_nulls) return false;
  const auto [lower, upper] = BoundsOf(leaf, file);
  auto outside = [&](const Literal& v) {
    return (lower && LowerAbove(*lower, v)) || (upper && UpperBelow(*upper, v, bytes));
  };
  switch (leaf.op) {
    case Op::kNotEq:
      return outside(leaf.value());
    case Op::kNotIn:
      return std::all_of(leaf.values->begin(), leaf.values->end(), outside);
    case Op::kStartsWith: {
      if (!bytes) return false;
      const std::string& p = leaf.value().bytes_value();
      if (leaf.not_starts_with) {
        return (lower && LowerAbovePrefix(*lower, p)) ||
               (upper && UpperBelow(*upper, leaf.value(), true));
      }
      return lower && upper && lower->bytes_value().starts_with(p) &&
             upper->bytes_value().starts_with(p);
    }
    default:
      break;
  }
  if (!no_nans) return false;
  switch (leaf.op) {
    case Op::kLt:
      return upper && UpperBelow(*upper, leaf.value(), bytes);
    case Op::kLtEq:
      return upper && UpperAtMost(*upper, leaf.value(), bytes);
    case Op::kGt:
      return lower && LowerAbove(*lower, leaf.value());
    case Op::kGtEq:
      return lower && LowerAtLeast(*lower, leaf.value());
    case Op::kEq:
      return !bytes && lower && upper && Comparable(*lower, leaf.value()) &&
             CompareValues(*lower, leaf.value()) == 0 && CompareValues(*upper, leaf.value()) == 0;
    case Op::kIn:
      if (bytes || !lower || !upper || !Comparable(*lower, *upper) ||
          CompareValues(*lower, *upper) != 0)
        return false;
      return std::any_of(leaf.values->begin(), leaf.values->end(), [&](const Literal& v) {
        return Comparable(*lower, v) && CompareValues(*lower, v) == 0;
      });
    default:
      return false;
  }
}

// ---------------------------------------------------------------------------------------
// Partition projections (spec "Scan Planning": inclusive and strict projections).

// v + delta (delta = +-1) in the value's own units; nullopt on overflow or for non-integers.
std::optional<Literal> Adjacent(const Literal& v, int delta) {
  switch (v.value().index()) {
    case 2: {
      int64_t r = static_cast<int64_t>(v.int32_value()) + delta;
      if (r < std::numeric_limits<int32_t>::min() || r > std::numeric_limits<int32_t>::max())
        return std::nullopt;
      return Literal::Make(v.type(), static_cast<int32_t>(r)).value();
    }
    case 3: {
      int64_t x = v.int64_value();
      if ((delta > 0 && x == std::numeric_limits<int64_t>::max()) ||
          (delta < 0 && x == std::numeric_limits<int64_t>::min())) {
        return std::nullopt;
      }
      return Literal::Make(v.type(), x + delta).value();
    }
    case 6:
      return Literal::Make(v.type(), v.decimal_value() + delta).value();
    default:
      return std::nullopt;
  }
}

std::optional<Literal> ApplyTransform(const Transform& t, const std::optional<Literal>& v) {
  if (!v) return std::nullopt;
  Result<Literal> r = t.Apply(*v);
  if (!r.ok()) return std::nullopt;
  return *r;
}

size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The operator of the projection of `op` through an order-preserving transform. Inclusive
// (every matching row's partition matches): a bound widens to the partition it falls in,
// so < and <= become <=, > and >= become >=; = and IN carry over. Strict (every row of a
// matching partition matches): only the partitions wholly on a bound's side, so < and <=
// become <, > and >= become >; != and NOT IN carry over. nullopt: no projection.
std::optional<Op> OrderedProjection(Op op, Mode mode) {
  const bool inclusive = mode == Mode::kInclusive;
  switch (op) {
    case Op::kLt:
    case Op::kLtEq:
      return inclusive ? Op::kLtEq : Op::kLt;
    case Op::kGt:
    case Op::kGtEq:
      return inclusive ? Op::kGtEq : Op::kGt;
    case Op::kEq:
    case Op::kIn:
      if (inclusive) return op;
      return std::nullopt;
    case Op::kNotEq:
    case Op::kNotIn:
      if (!inclusive) return op;
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::optional<PartPred> Project(const Transform& t, const Leaf& leaf, Mode mode) {
  const Op op = leaf.op;
  const TransformKind kind = t.kind();
  if (kind == TransformKind::kVoid || kind == TransformKind::kUnknown) return std::nullopt;
  if (kind == TransformKind::kIdentity) return PartPred{op, leaf.not_starts_with, *leaf.values};
  if (op == Op::kIsNull || op == Op::kNotNull) return PartPred{op, false, {}};
  if (op == Op::kIsNaN || op == Op::kNotNaN) return std::nullopt;

  auto one = [&](Op pop, const std::optional<Literal>& v) -> std::optional<PartPred> {
    std::optional<Literal> r = ApplyTransform(t, v);
    if (!r) return std::nullopt;
    return PartPred{pop, false, {*r}};
  };
  auto each = [&](Op pop) -> std::optional<PartPred> {
    PartPred p{pop, false, {}};
    for (const Literal& v : *leaf.values) {
      std::optional<Literal> r = ApplyTransform(t, v);
      if (!r) return std::nullopt;
      if (std::find(p.values.begin(), p.values.end(), *r) == p.values.end()) p.values.push_back(*r);
    }
    return p;
  };

  // `pop` on the projected value(s): `v` for a comparison, the projected list for IN / NOT IN.
  auto project = [&](Op pop, const std::optional<Literal>& v) -> std::optional<PartPred> {
    return pop == Op::kIn || pop == Op::kNotIn ? each(pop) : one(pop, v);
  };
  // Through an order-preserving transform (and, for = != IN NOT IN, through any transform).
  auto ordered = [&](Op pop, const std::optional<Literal>& v) -> std::optional<PartPred> {
    std::optional<Op> projected = OrderedProjection(pop, mode);
    if (!projected) return std::nullopt;
    return project(*projected, v);
  };

  if (kind == TransformKind::kBucket) {
    // Equal values have equal buckets; nothing else carries over.
    if (op != Op::kEq && op != Op::kIn && op != Op::kNotEq && op != Op::kNotIn) return std::nullopt;
    return ordered(op, leaf.value());
  }

  const bool bytes = IsBytes(leaf.type->id());
  if (kind == TransformKind::kTruncate && bytes) {
    if (op == Op::kStartsWith) {
      const std::string& p = leaf.value().bytes_value();
      size_t len = leaf.type->id() == TypeId::kString ? CodePoints(p) : p.size();
      if (len <= static_cast<size_t>(t.param()))
        return PartPred{op, leaf.not_starts_with, {leaf.value()}};
      if (mode == Mode::kInclusive && !leaf.not_starts_with) return one(Op::kEq, leaf.value());
      return std::nullopt;
    }
    return ordered(op, leaf.value());
  }

  // Order-preserving integer transforms: truncate of int/long/decimal, year/month/day/hour.
  // The bound is first moved by one so that it names a partition boundary: x < v is
  // x <= v-1 (inclusive mode), x <= v is x < v+1 (strict mode).
  if (op == Op::kStartsWith) return std::nullopt;
  if (mode == Mode::kInclusive && (op == Op::kLt || op == Op::kGt)) {
    return ordered(op, Adjacent(leaf.value(), op == Op::kLt ? -1 : +1));
  }
  if (mode == Mode::kStrict && (op == Op::kLtEq || op == Op::kGtEq)) {
    return ordered(op, Adjacent(leaf.value(), op == Op::kLtEq ? +1 : -1));
  }
  return ordered(op, leaf.value());
}

// Evaluates a partition predicate on one partition value. Where the answer depends on NaN
// ordering or on values that cannot be compared, returns the safe answer for `mode`.
bool EvalPartition(const PartPred& p, const Literal& pv, Mode mode) {
  const bool unsure = mode == Mode::kInclusive;
  switch (p.op) {
    case Op::kIsNull:
      return pv.is_null();
    case Op::kNotNull:
      return !pv.is_null();
    case Op::kIsNaN:
      return IsNaN(pv);
    case Op::kNotNaN:
      return !IsNaN(pv);
    default:
      break;
  }
  if (pv.is_null()) return false;
  if (IsNaN(pv)) {
    if (p.op == Op::kLt || p.op == Op::kLtEq || p.op == Op::kEq || p.op == Op::kIn) return false;
    return unsure;
  }
  if (p.op == Op::kStartsWith) {
    if (pv.value().index() != 7) return unsure;
    bool starts = pv.bytes_value().starts_with(p.values.at(0).bytes_value());
    return p.not_starts_with ? !starts : starts;
  }
  auto cmp = [&](const Literal& v, int* out) {
    if (!Comparable(pv, v)) return false;
    *out = CompareValues(pv, v);
    return true;
  };
  int c = 0;
  switch (p.op) {
    case Op::kIn:
    case Op::kNotIn: {
      bool found = false;
      for (const Literal& v : p.values) {
        if (!cmp(v, &c)) return unsure;
        if (c == 0) found = true;
      }
      return p.op == Op::kIn ? found : !found;
    }
    default:
      break;
  }
  if (!cmp(p.values.at(0), &c)) return unsure;
  switch (p.op) {
    case Op::kLt:
      return c < 0;
    case Op::kLtEq:
      return c <= 0;
    case Op::kGt:
      return c > 0;
    case Op::kGtEq:
      return c >= 0;
    case Op::kEq:
      return c == 0;
    case Op::kNotEq:
      return c != 0;
    default:
      return unsure;
  }
}

// Inclusive evaluation of a partition predicate over a manifest's field summary.
bool EvalSummary(const PartPred& p, const FieldSummary& s, const TypePtr& type) {
  std::optional<Literal> lower = DecodeSummaryBound(s.lower_bound, type);
  std::optional<Literal> upper = DecodeSummaryBound(s.upper_bound, type);
  const bool nan_possible = IsFloating(type->id()) && s.contains_nan.value_or(true);
  const bool no_values = !s.lower_bound && !s.upper_bound;  // only nulls and NaN
  const bool bytes = IsBytes(type->id());
  switch (p.op) {
    case Op::kIsNull:
      return s.contains_null;
    case Op::kNotNull:
      return !(no_values && !nan_possible);
    case Op::kIsNaN:
      return nan_possible;
    case Op::kNotNaN:
      return !(no_values && !s.contains_null && nan_possible && s.contains_nan.value_or(false));
    default:
      break;
  }
  const bool greater_side = p.op == Op::kGt || p.op == Op::kGtEq || p.op == Op::kNotEq ||
                            p.op == Op::kNotIn || p.not_starts_with;
  if (nan_possible && greater_side) return true;
  if (no_values) return false;
  if (p.not_starts_with) return true;
  return RangeMight(p.op, p.values, lower, upper, bytes);
}

// What one evaluation looks at.
struct Target {
  const Schema& schema;
  const PartitionSpec& spec;
  const DataFile* file = nullptr;                        // metrics (and partition below)
  const std::vector<Literal>* partition = nullptr;       // partition tuple
  const std::vector<FieldSummary>* summaries = nullptr;  // manifest summaries
};

// Calls fn(field index, field) for each single-source partition field of the leaf's column.
template <typename Fn>
void ForEachPartitionField(const Target& t, const Leaf& leaf, Fn fn) {
  for (size_t i = 0; i < t.spec.fields.size(); ++i) {
    const PartitionField& f = t.spec.fields[i];
    if (f.source_ids.size() == 1 && f.source_ids[0] == leaf.field_id) fn(i, f);
  }
}

bool LeafMight(const Leaf& leaf, const Target& t) {
  bool might = true;
  if (t.partition != nullptr && t.partition->size() == t.spec.fields.size()) {
    ForEachPartitionField(t, leaf, [&](size_t i, const PartitionField& f) {
      if (!might) return;
      std::optional<PartPred> p = Project(f.transform, leaf, Mode::kInclusive);
      if (!p) return;
      std::optional<Literal> pv = f.transform.kind() == TransformKind::kIdentity
                                      ? Promote((*t.partition)[i], leaf.type)
                                      : std::optional<Literal>((*t.partition)[i]);
      if (pv && !EvalPartition(*p, *pv, Mode::kInclusive)) might = false;
    });
  }
  if (might && t.summaries != nullptr && t.summaries->size() == t.spec.fields.size()) {
    ForEachPartitionField(t, leaf, [&](size_t i, const PartitionField& f) {
      if (!might) return;
      std::optional<PartPred> p = Project(f.transform, leaf, Mode::kInclusive);
      if (!p) return;
      Result<TypePtr> type = f.transform.ResultType(leaf.type);
      if (type.ok() && !EvalSummary(*p, (*t.summaries)[i], *type)) might = false;
    });
  }
  if (might && t.file != nullptr) might = MetricsMight(leaf, *t.file);
  return might;
}

bool LeafAll(const Leaf& leaf, const Target& t) {
  bool all = false;
  if (t.partition != nullptr && t.partition->size() == t.spec.fields.size()) {
    ForEachPartitionField(t, leaf, [&](size_t i, const PartitionField& f) {
      if (all) return;
      std::optional<PartPred> p = Project(f.transform, leaf, Mode::kStrict);
      if (!p) return;
      std::optional<Literal> pv = f.transform.kind() == TransformKind::kIdentity
                                      ? Promote((*t.partition)[i], leaf.type)
                                      : std::optional<Literal>((*t.partition)[i]);
      if (pv && EvalPartition(*p, *pv, Mode::kStrict)) all = true;
    });
  }
  if (!all && t.file != nullptr) all = MetricsAll(leaf, *t.file);
  return all;
}

Result<bool> Eval(const Expression& e, const Target& t, Mode mode) {
  switch (e.op) {
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kAnd: {
      ATOLL_ASSIGN_OR_RETURN(bool a, Eval(e.children.at(0), t, mode));
      if (!a) return false;
      return Eval(e.children.at(1), t, mode);
    }
    case Op::kOr: {
      ATOLL_ASSIGN_OR_RETURN(bool a, Eval(e.children.at(0), t, mode));
      if (a) return true;
      return Eval(e.children.at(1), t, mode);
    }
    case Op::kNot: {
      const Expression& c = e.children.at(0);
      if (c.op != Op::kStartsWith) return Eval(NegationNormalForm(e), t, mode);
      ATOLL_ASSIGN_OR_RETURN(Leaf leaf, MakeLeaf(c, true, t.schema));
      return mode == Mode::kInclusive ? LeafMight(leaf, t) : LeafAll(leaf, t);
    }
    default: {
      ATOLL_ASSIGN_OR_RETURN(Leaf leaf, MakeLeaf(e, false, t.schema));
      return mode == Mode::kInclusive ? LeafMight(leaf, t) : LeafAll(leaf, t);
    }
  }
}

}  // namespace

Result<bool> MightMatch(const Expression& bound, const Schema& schema, const PartitionSpec& spec,
                        const DataFile& file) {
  if (bound.op == Op::kTrue) return true;
  Target t{schema, spec, &file, &file.partition, nullptr};
  return Eval(bound, t, Mode::kInclusive);
}

Result<bool> AllMatch(const Expression& bound, const Schema& schema, const PartitionSpec& spec,
                      const DataFile& file) {
  if (bound.op == Op::kTrue) return true;
  Target t{schema, spec, &file, &file.partition, nullptr};
  return Eval(bound, t, Mode::kStrict);
}

Result<bool> PartitionMightMatch(const Expression& bound, const Schema& schema,
                                 const PartitionSpec& spec, const std::vector<Literal>& partition) {
  if (bound.op == Op::kTrue) return true;
  Target t{schema, spec, nullptr, &partition, nullptr};
  return Eval(bound, t, Mode::kInclusive);
}

Result<bool> ManifestMightMatch(const Expression& bound, const Schema& schema,
                                const PartitionSpec& spec, const ManifestFile& manifest) {
  if (bound.op == Op::kTrue) return true;
  Target t{schema, spec, nullptr, nullptr, &manifest.partitions};
  return Eval(bound, t, Mode::kInclusive);
}

}  // namespace atl::iceberg
