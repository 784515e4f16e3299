#include "atoll/iceberg/scan/expression.h"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <random>

#include "atoll/iceberg/temporal.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using testing::IsError;
using Op = Expression::Op;

NestedField Column(int32_t id, std::string name, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.required = false;
  f.type = std::move(type);
  return f;
}

Schema TestSchema() {
  std::vector<NestedField> address = {Column(9, "city", Type::String())};
  return Schema(1, {Column(1, "id", Type::Long()), Column(2, "name", Type::String()),
                    Column(3, "ts", Type::TimestampTz()), Column(4, "price", Type::Decimal(9, 2)),
                    Column(5, "score", Type::Double()), Column(6, "d", Type::Date()),
                    Column(7, "cat", Type::Int()), Column(8, "address", Type::Struct(address))});
}

Expression MustBind(const std::string& text, const Schema& schema = TestSchema()) {
  auto parsed = ParseExpression(text);
  EXPECT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
  if (!parsed.ok()) return Expression::False();
  auto bound = Bind(*parsed, schema);
  EXPECT_TRUE(bound.ok()) << text << ": " << bound.status().ToString();
  return bound.ok() ? *bound : Expression::False();
}

std::string Bytes(const Literal& v) { return *LiteralToBytes(v); }

int64_t Micros(const char* ts) { return *temporal::ParseTimestamp(ts, 6, false); }

PartitionSpec Unpartitioned() { return PartitionSpec{}; }

// A file with id in [10, 20] (no nulls), names in ["abc", "abd"] (upper possibly truncated),
// 3 null prices, score in [1, 2] without NaN.
DataFile MetricsFile() {
  DataFile f;
  f.file_path = "s3://b/t/data/f.parquet";
  f.record_count = 100;
  f.value_counts = {{1, 100}, {2, 100}, {4, 100}, {5, 100}};
  f.null_value_counts = {{1, 0}, {2, 0}, {4, 3}, {5, 0}};
  f.nan_value_counts = {{5, 0}};
  f.lower_bounds = {{1, Bytes(Literal::Long(10))}, {2, "abc"}, {5, Bytes(Literal::Double(1))}};
  f.upper_bounds = {{1, Bytes(Literal::Long(20))}, {2, "abd"}, {5, Bytes(Literal::Double(2))}};
  return f;
}

bool Might(const std::string& text, const DataFile& f,
           const PartitionSpec& spec = Unpartitioned()) {
  auto r = MightMatch(MustBind(text), TestSchema(), spec, f);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() && *r;
}

bool All(const std::string& text, const DataFile& f, const PartitionSpec& spec = Unpartitioned()) {
  auto r = AllMatch(MustBind(text), TestSchema(), spec, f);
  EXPECT_TRUE(r.ok()) << text << ": " << r.status().ToString();
  return r.ok() && *r;
}

TEST(ExpressionParseTest, ParsesTheFilterLanguage) {
  struct Case {
    const char* text;
    const char* printed;
  };
  for (const Case& c : std::vector<Case>{
           {"id > 5 AND name = 'x'", "id > 5 AND name = 'x'"},
           {"id >= -3 or (name <> 'it''s' and not id = 2)",
            "id >= -3 OR (name != 'it''s' AND NOT id = 2)"},
           {"5 < id", "id > 5"},
           {"name IS NOT NULL", "name IS NOT NULL"},
           {"score is nan", "score IS NAN"},
           {"id IN (1, 2, 3)", "id IN (1, 2, 3)"},
           {"id NOT IN (1)", "id NOT IN (1)"},
           {"name LIKE 'ab%'", "name LIKE 'ab%'"},
           {"name NOT LIKE 'a\\%b%'", "NOT name LIKE 'a\\%b%'"},
           {"name LIKE 'exact'", "name = 'exact'"},
           {"d = DATE '2024-01-02'", "d = DATE '2024-01-02'"},
           {"price < 14.20", "price < 14.20"},
           {"\"my col\".x = true", "\"my col\".x = true"},
           {"id BETWEEN 1 AND 5", "id >= 1 AND id <= 5"},
           {"TRUE", "TRUE"},
       }) {
    auto e = ParseExpression(c.text);
    ASSERT_OK(e);
    EXPECT_EQ(e->ToString(), c.printed) << c.text;
    // The printed form parses back to the same text.
    auto again = ParseExpression(e->ToString());
    ASSERT_OK(again);
    EXPECT_EQ(again->ToString(), c.printed);
  }
  auto ts = ParseExpression("ts >= TIMESTAMP '2024-01-02 10:00:00.5'");
  ASSERT_OK(ts);
  ASSERT_EQ(ts->values.size(), 1u);
  EXPECT_EQ(ts->values[0].int64_value(), (Micros("2024-01-02T10:00:00") + 500000) * 1000);
}

TEST(ExpressionParseTest, RejectsMalformedFiltersWithThePosition) {
  for (const char* bad : {"id >", "id > 5 AND", "(id = 1", "id = 'unterminated", "id ! 3",
                          "name LIKE '%x'", "id = NULL", "id IN ()", "= 5", "id 5"}) {
    auto e = ParseExpression(bad);
    EXPECT_THAT(e, IsError(StatusCode::kInvalidArgument)) << bad;
    if (!e.ok()) {
      EXPECT_NE(e.status().message().find("position"), std::string::npos) << e.status().ToString();
    }
  }
}

TEST(ExpressionBindTest, ConvertsLiteralsToColumnTypes) {
  EXPECT_EQ(MustBind("ID = 7").ToString(), "id = 7");  // case-insensitive columns
  EXPECT_EQ(MustBind("address.city = 'Oslo'").ToString(), "address.city = 'Oslo'");
  EXPECT_EQ(MustBind("d = '2024-01-02'").ToString(), "d = DATE '2024-01-02'");
  EXPECT_EQ(MustBind("price = 14.2").values.at(0).decimal_value(), 1420);
  // Literals that do not fit the column become equivalent predicates.
  EXPECT_EQ(MustBind("price = 1.005").ToString(), "FALSE");
  EXPECT_EQ(MustBind("price < 1.005").ToString(), "price <= 1.00");
  EXPECT_EQ(MustBind("price >= 1.005").ToString(), "price > 1.00");
  EXPECT_EQ(MustBind("cat < 1e20").ToString(), "cat IS NOT NULL");
  EXPECT_EQ(MustBind("cat > 3000000000").ToString(), "FALSE");
  EXPECT_EQ(MustBind("cat != 3000000000").ToString(), "cat IS NOT NULL");
  EXPECT_EQ(MustBind("cat IN (1, 3000000000)").ToString(), "cat IN (1)");
  EXPECT_EQ(MustBind("cat < 2.5").ToString(), "cat <= 2");
  // NOT is pushed down before the rewrites (NOT (cat < 1e20) must not match null rows).
  EXPECT_EQ(MustBind("NOT cat < 1e20").ToString(), "FALSE");
  EXPECT_EQ(MustBind("NOT (id < 5 OR name = 'a')").ToString(), "id >= 5 AND name != 'a'");
  EXPECT_EQ(MustBind("NOT name LIKE 'a%'").ToString(), "NOT name LIKE 'a%'");
  EXPECT_EQ(MustBind("id IS NAN").ToString(), "FALSE");
  // Date and timestamp literals meet timestamp columns exactly.
  Expression ts = MustBind("ts >= DATE '2024-01-02'");
  EXPECT_EQ(ts.values.at(0).int64_value(), Micros("2024-01-02T00:00:00"));
  EXPECT_EQ(MustBind("ts > TIMESTAMP '2024-01-02 00:00:00.0000005'").values.at(0).int64_value(),
            Micros("2024-01-02T00:00:00"));
}

TEST(ExpressionBindTest, RejectsUnknownColumnsAndBadLiterals) {
  Schema schema = TestSchema();
  EXPECT_THAT(Bind(*ParseExpression("nope = 1"), schema), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Bind(*ParseExpression("id = 'abc'"), schema), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Bind(*ParseExpression("address = 1"), schema), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseExpression("d = DATE '2024-13-01'"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Bind(*ParseExpression("d = '2024-13-01'"), schema),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Bind(*ParseExpression("id LIKE 'a%'"), schema),
              IsError(StatusCode::kInvalidArgument));
}

TEST(MetricsEvaluatorTest, InclusiveUsesBoundsAndCounts) {
  DataFile f = MetricsFile();
  EXPECT_FALSE(Might("id < 10", f));
  EXPECT_TRUE(Might("id <= 10", f));
  EXPECT_FALSE(Might("id > 20", f));
  EXPECT_TRUE(Might("id >= 20", f));
  EXPECT_TRUE(Might("id = 15", f));
  EXPECT_FALSE(Might("id = 21", f));
  EXPECT_FALSE(Might("id IN (1, 30)", f));
  EXPECT_TRUE(Might("id IN (1, 15)", f));
  EXPECT_FALSE(Might("id IS NULL", f));
  EXPECT_TRUE(Might("id IS NOT NULL", f));
  EXPECT_TRUE(Might("id != 15", f));
  EXPECT_TRUE(Might("price IS NULL", f));
  EXPECT_TRUE(Might("price = 3", f));  // no bounds
  EXPECT_FALSE(Might("id < 10 AND price = 3", f));
  EXPECT_TRUE(Might("id < 10 OR price = 3", f));
  EXPECT_FALSE(Might("score > 2", f));
  EXPECT_FALSE(Might("score IS NAN", f));
  // A column that holds only nulls.
  DataFile nulls = f;
  nulls.null_value_counts[2] = 100;
  nulls.lower_bounds.erase(2);
  nulls.upper_bounds.erase(2);
  EXPECT_FALSE(Might("name = 'a'", nulls));
  EXPECT_FALSE(Might("name != 'a'", nulls));
  EXPECT_FALSE(Might("NOT name LIKE 'a%'", nulls));
  EXPECT_TRUE(Might("name IS NULL", nulls));
  // No metrics at all: everything might match.
  DataFile bare;
  for (const char* text :
       {"id < 10", "name = 'x'", "score IS NAN", "id IS NULL", "name LIKE 'q%'"}) {
    EXPECT_TRUE(Might(text, bare)) << text;
    EXPECT_FALSE(All(text, bare)) << text;
  }
}

TEST(MetricsEvaluatorTest, TruncatedStringUpperBoundsNeverDropMatches) {
  DataFile f = MetricsFile();  // names in ["abc", "abd"...]: "abd" may be a truncated "abdzzz"
  EXPECT_TRUE(Might("name = 'abdz'", f));
  EXPECT_TRUE(Might("name > 'abd'", f));
  EXPECT_TRUE(Might("name >= 'abd'", f));
  EXPECT_FALSE(Might("name = 'abe'", f));
  EXPECT_FALSE(Might("name >= 'abe'", f));
  EXPECT_FALSE(Might("name = 'abb'", f));
  EXPECT_TRUE(Might("name LIKE 'abd%'", f));
  EXPECT_TRUE(Might("name LIKE 'ab%'", f));
  EXPECT_FALSE(Might("name LIKE 'abe%'", f));
  EXPECT_FALSE(Might("name LIKE 'aa%'", f));
  EXPECT_FALSE(Might("NOT name LIKE 'ab%'", f));  // every value starts with "ab"
  EXPECT_TRUE(Might("NOT name LIKE 'abc%'", f));
  EXPECT_FALSE(All("name < 'abd'", f));
  EXPECT_FALSE(All("name <= 'abd'", f));
  EXPECT_TRUE(All("name < 'abe'", f));
  EXPECT_TRUE(All("name LIKE 'ab%'", f));
  EXPECT_TRUE(All("NOT name LIKE 'b%'", f));
  EXPECT_FALSE(All("name = 'abc'", f));
}

TEST(MetricsEvaluatorTest, NaNKeepsFilesForGreaterThan) {
  DataFile f = MetricsFile();
  f.nan_value_counts[5] = 3;
  EXPECT_TRUE(Might("score > 2", f));
  EXPECT_TRUE(Might("score IS NAN", f));
  EXPECT_FALSE(Might("score < 1", f));
  EXPECT_FALSE(All("score >= 1", f));
  f.nan_value_counts.erase(5);  // unknown NaN count
  EXPECT_TRUE(Might("score > 2", f));
  f.nan_value_counts[5] = 0;
  EXPECT_TRUE(All("score >= 1", f));
  EXPECT_TRUE(All("score IS NOT NAN", f));
  // A NaN bound (older writers) is ignored.
  f.upper_bounds[5] = Bytes(Literal::Double(std::nan("")));
  EXPECT_TRUE(Might("score > 5", f));
}

TEST(MetricsEvaluatorTest, PromotedColumnsReadOldBounds) {
  DataFile f = MetricsFile();
  f.lower_bounds[1] = Bytes(Literal::Int(10));  // written while id was an int
  f.upper_bounds[1] = Bytes(Literal::Int(20));
  EXPECT_FALSE(Might("id < 10", f));
  EXPECT_TRUE(Might("id = 12", f));
  EXPECT_FALSE(Might("id > 20", f));
}

TEST(MetricsEvaluatorTest, StrictNeedsCompleteMetrics) {
  DataFile f = MetricsFile();
  EXPECT_TRUE(All("id >= 10", f));
  EXPECT_FALSE(All("id > 10", f));
  EXPECT_TRUE(All("id < 21", f));
  EXPECT_FALSE(All("id < 20", f));
  EXPECT_TRUE(All("id <= 20", f));
  EXPECT_TRUE(All("id != 25", f));
  EXPECT_FALSE(All("id != 15", f));
  EXPECT_TRUE(All("id NOT IN (1, 2, 30)", f));
  EXPECT_TRUE(All("id IS NOT NULL", f));
  EXPECT_FALSE(All("price IS NOT NULL", f));
  EXPECT_FALSE(All("price > 0", f));  // nulls never match a comparison
  EXPECT_TRUE(All("id >= 10 OR price > 0", f));
  EXPECT_FALSE(All("id >= 10 AND price > 0", f));
  DataFile unknown_nulls = f;
  unknown_nulls.null_value_counts.erase(1);
  EXPECT_FALSE(All("id >= 10", unknown_nulls));
  DataFile single = f;
  single.lower_bounds[1] = Bytes(Literal::Long(15));
  single.upper_bounds[1] = Bytes(Literal::Long(15));
  EXPECT_TRUE(All("id = 15", single));
  EXPECT_TRUE(All("id IN (3, 15)", single));
}

PartitionSpec DaySpec() {
  PartitionSpec spec;
  spec.spec_id = 1;
  spec.fields = {PartitionField{{3}, 1000, "ts_day", Transform::Day()},
                 PartitionField{{1}, 1001, "id_bucket", Transform::Bucket(16)},
                 PartitionField{{7}, 1002, "cat_trunc", Transform::Truncate(10)},
                 PartitionField{{2}, 1003, "name_trunc", Transform::Truncate(3)},
                 PartitionField{{6}, 1004, "d_month", Transform::Month()}};
  return spec;
}

// A file of partition (day 2024-01-02, bucket of id 7, cat in [20, 30), name prefix "abc",
// d in 2024-03).
DataFile PartitionedFile() {
  DataFile f;
  f.partition = {Literal::Int(static_cast<int32_t>(temporal::DaysFromCivil(2024, 1, 2))),
                 *Transform::Bucket(16).Apply(Literal::Long(7)), Literal::Int(20),
                 Literal::String("abc"),
                 Literal::Int(static_cast<int32_t>((2024 - 1970) * 12 + 2))};
  return f;
}

TEST(PartitionEvaluatorTest, InclusiveProjectionThroughTransforms) {
  DataFile f = PartitionedFile();
  PartitionSpec spec = DaySpec();
  EXPECT_TRUE(Might("ts = TIMESTAMP '2024-01-02 12:00:00Z'", f, spec));
  EXPECT_FALSE(Might("ts = TIMESTAMP '2024-01-03 00:00:00Z'", f, spec));
  EXPECT_FALSE(Might("ts >= TIMESTAMP '2024-01-03 00:00:00Z'", f, spec));
  EXPECT_TRUE(Might("ts > TIMESTAMP '2024-01-02 23:59:59.999998Z'", f, spec));
  EXPECT_FALSE(Might("ts > TIMESTAMP '2024-01-02 23:59:59.999999Z'", f, spec));
  EXPECT_FALSE(Might("ts < TIMESTAMP '2024-01-02 00:00:00Z'", f, spec));
  EXPECT_TRUE(Might("ts < TIMESTAMP '2024-01-02 00:00:00.000001Z'", f, spec));
  EXPECT_TRUE(
      Might("ts IN (TIMESTAMP '2023-01-01 00:00:00Z', TIMESTAMP '2024-01-02 05:00:00Z')", f, spec));
  EXPECT_FALSE(Might("ts IN (TIMESTAMP '2023-01-01 00:00:00Z')", f, spec));
  // bucket: equality and IN only.
  EXPECT_TRUE(Might("id = 7", f, spec));
  int other = 8;
  while (*Transform::Bucket(16).Apply(Literal::Long(other)) ==
         *Transform::Bucket(16).Apply(Literal::Long(7)))
    ++other;
  EXPECT_FALSE(Might("id = " + std::to_string(other), f, spec));
  EXPECT_TRUE(Might("id IN (7, " + std::to_string(other) + ")", f, spec));
  EXPECT_TRUE(Might("id > 1000", f, spec));
  EXPECT_TRUE(Might("id != 7", f, spec));
  // truncate[10] of an int.
  EXPECT_TRUE(Might("cat = 25", f, spec));
  EXPECT_FALSE(Might("cat = 35", f, spec));
  EXPECT_FALSE(Might("cat < 20", f, spec));
  EXPECT_TRUE(Might("cat < 21", f, spec));
  EXPECT_FALSE(Might("cat > 29", f, spec));
  EXPECT_TRUE(Might("cat >= 29", f, spec));
  // truncate[3] of a string.
  EXPECT_TRUE(Might("name LIKE 'ab%'", f, spec));
  EXPECT_FALSE(Might("name LIKE 'abd%'", f, spec));
  EXPECT_TRUE(Might("name LIKE 'abcdef%'", f, spec));
  EXPECT_FALSE(Might("name LIKE 'abdxyz%'", f, spec));
  EXPECT_FALSE(Might("NOT name LIKE 'ab%'", f, spec));
  EXPECT_TRUE(Might("name = 'abcz'", f, spec));
  EXPECT_FALSE(Might("name = 'abd'", f, spec));
  EXPECT_TRUE(Might("name < 'abc'", f, spec));
  EXPECT_FALSE(Might("name > 'abd'", f, spec));
  EXPECT_FALSE(Might("name < 'abb'", f, spec));
  // month of a date.
  EXPECT_TRUE(Might("d = DATE '2024-03-31'", f, spec));
  EXPECT_FALSE(Might("d = DATE '2024-04-01'", f, spec));
  EXPECT_FALSE(Might("d < DATE '2024-03-01'", f, spec));
  EXPECT_TRUE(Might("d <= DATE '2024-03-01'", f, spec));
  // Null partition values.
  DataFile nulls = f;
  nulls.partition[3] = Literal::Null(Type::String());
  EXPECT_TRUE(Might("name IS NULL", nulls, spec));
  EXPECT_FALSE(Might("name = 'abc'", nulls, spec));
  EXPECT_FALSE(Might("name IS NULL", f, spec));
  EXPECT_TRUE(Might("name IS NOT NULL", f, spec));
}

TEST(PartitionEvaluatorTest, StrictProjectionThroughTransforms) {
  DataFile f = PartitionedFile();
  PartitionSpec spec = DaySpec();
  EXPECT_TRUE(All("ts < TIMESTAMP '2024-01-03 00:00:00Z'", f, spec));
  EXPECT_FALSE(All("ts < TIMESTAMP '2024-01-02 23:00:00Z'", f, spec));
  EXPECT_TRUE(All("ts >= TIMESTAMP '2024-01-02 00:00:00Z'", f, spec));
  EXPECT_FALSE(All("ts > TIMESTAMP '2024-01-02 00:00:00Z'", f, spec));
  EXPECT_TRUE(All("ts != TIMESTAMP '2024-01-05 00:00:00Z'", f, spec));
  EXPECT_FALSE(All("ts = TIMESTAMP '2024-01-02 00:00:00Z'", f, spec));
  int other = 8;
  while (*Transform::Bucket(16).Apply(Literal::Long(other)) ==
         *Transform::Bucket(16).Apply(Literal::Long(7)))
    ++other;
  EXPECT_TRUE(All("id != " + std::to_string(other), f, spec));
  EXPECT_FALSE(All("id != 7", f, spec));
  EXPECT_TRUE(All("cat < 30", f, spec));
  EXPECT_FALSE(All("cat < 29", f, spec));
  EXPECT_TRUE(All("cat >= 20", f, spec));
  EXPECT_TRUE(All("cat > 19", f, spec));
  EXPECT_TRUE(All("name LIKE 'ab%'", f, spec));
  EXPECT_FALSE(All("name LIKE 'abcd%'", f, spec));
  EXPECT_TRUE(All("NOT name LIKE 'b%'", f, spec));
  EXPECT_TRUE(All("name > 'abb'", f, spec));
  EXPECT_TRUE(All("name IS NOT NULL", f, spec));
  EXPECT_TRUE(All("d >= DATE '2024-03-01' AND d < DATE '2024-04-01'", f, spec));
  // identity: the partition value decides.
  PartitionSpec identity;
  identity.fields = {PartitionField{{2}, 1000, "name", Transform::Identity()}};
  DataFile g;
  g.partition = {Literal::String("x")};
  EXPECT_TRUE(All("name = 'x'", g, identity));
  EXPECT_TRUE(All("name IN ('a', 'x')", g, identity));
  EXPECT_TRUE(All("name != 'y'", g, identity));
  EXPECT_FALSE(All("name != 'x'", g, identity));
  EXPECT_FALSE(Might("name = 'y'", g, identity));
}

TEST(ManifestEvaluatorTest, UsesPartitionSummaries) {
  Schema schema = TestSchema();
  PartitionSpec spec;
  spec.fields = {PartitionField{{7}, 1000, "cat", Transform::Identity()},
                 PartitionField{{3}, 1001, "ts_day", Transform::Day()}};
  ManifestFile m;
  FieldSummary cat;
  cat.contains_null = false;
  cat.lower_bound = Bytes(Literal::Int(1));
  cat.upper_bound = Bytes(Literal::Int(5));
  FieldSummary day;
  day.contains_null = true;
  m.partitions = {cat, day};  // day: only nulls
  auto might = [&](const char* text) {
    auto r = ManifestMightMatch(MustBind(text), schema, spec, m);
    EXPECT_OK(r);
    return r.ok() && *r;
  };
  EXPECT_TRUE(might("cat = 3"));
  EXPECT_FALSE(might("cat = 7"));
  EXPECT_FALSE(might("cat < 1"));
  EXPECT_TRUE(might("cat IN (0, 5)"));
  EXPECT_FALSE(might("cat IS NULL"));
  EXPECT_TRUE(might("ts IS NULL"));
  EXPECT_FALSE(might("ts > TIMESTAMP '2024-01-01 00:00:00Z'"));
  EXPECT_TRUE(might("ts IS NULL OR cat = 7"));
  m.partitions.clear();  // no summaries: no pruning
  EXPECT_TRUE(might("cat = 7"));
}

// Soundness: for random files and random predicates, MightMatch == false implies that no
// row matches and AllMatch == true implies that every row matches, with metrics computed
// from the rows (string upper bounds truncated without incrementing) and partitions from
// transforms.
struct Row {
  std::optional<int64_t> id;
  std::optional<std::string> name;
};

std::optional<bool> Compare(int c, Op op) {
  switch (op) {
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
      return std::nullopt;
  }
}

// SQL three-valued evaluation of a bound expression on a row: nullopt is NULL.
std::optional<bool> EvalRow(const Expression& e, const Row& row) {
  switch (e.op) {
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kAnd: {
      auto a = EvalRow(e.children[0], row), b = EvalRow(e.children[1], row);
      if (a == false || b == false) return false;
      if (!a || !b) return std::nullopt;
      return true;
    }
    case Op::kOr: {
      auto a = EvalRow(e.children[0], row), b = EvalRow(e.children[1], row);
      if (a == true || b == true) return true;
      if (!a || !b) return std::nullopt;
      return false;
    }
    case Op::kNot: {
      auto a = EvalRow(e.children[0], row);
      if (!a) return std::nullopt;
      return !*a;
    }
    default:
      break;
  }
  bool is_id = e.column == "id";
  bool null = is_id ? !row.id : !row.name;
  if (e.op == Op::kIsNull) return null;
  if (e.op == Op::kNotNull) return !null;
  if (null) return std::nullopt;
  auto cmp = [&](const Literal& v) {
    if (is_id) return *row.id < v.int64_value() ? -1 : (*row.id > v.int64_value() ? 1 : 0);
    int c = row.name->compare(v.bytes_value());
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  };
  if (e.op == Op::kIn || e.op == Op::kNotIn) {
    bool found = false;
    for (const Literal& v : e.values) found = found || cmp(v) == 0;
    return e.op == Op::kIn ? found : !found;
  }
  if (e.op == Op::kStartsWith)
    return row.name->compare(0, e.values[0].bytes_value().size(), e.values[0].bytes_value()) == 0;
  return Compare(cmp(e.values[0]), e.op);
}

TEST(ExpressionSoundnessTest, RandomFilesAndPredicates) {
  Schema schema(1, {Column(1, "id", Type::Long()), Column(2, "name", Type::String())});
  std::mt19937_64 rng(42);
  auto rand = [&](int n) { return static_cast<int>(rng() % static_cast<uint64_t>(n)); };
  auto random_name = [&]() {
    std::string s;
    int len = rand(5);
    for (int i = 0; i < len; ++i) s += static_cast<char>('a' + rand(3));
    return s;
  };
  std::vector<PartitionSpec> specs(5);
  specs[1].fields = {PartitionField{{1}, 1000, "id", Transform::Identity()}};
  specs[2].fields = {PartitionField{{1}, 1000, "b", Transform::Bucket(4)}};
  specs[3].fields = {PartitionField{{1}, 1000, "t", Transform::Truncate(5)},
                     PartitionField{{2}, 1001, "n", Transform::Truncate(2)}};
  specs[4].fields = {PartitionField{{2}, 1000, "n", Transform::Identity()}};
  const Op ops[] = {Op::kLt, Op::kLtEq,  Op::kGt,     Op::kGtEq,    Op::kEq,        Op::kNotEq,
                    Op::kIn, Op::kNotIn, Op::kIsNull, Op::kNotNull, Op::kStartsWith};
  int pruned = 0, all_matched = 0, checked = 0;
  for (int trial = 0; trial < 400; ++trial) {
    const PartitionSpec& spec = specs[trial % specs.size()];
    // Rows of one partition: generate, then keep those whose partition equals the first's.
    std::vector<Row> rows;
    for (int i = 0; i < 12; ++i) {
      Row r;
      if (rand(6) != 0) r.id = rand(40) - 10;
      if (rand(6) != 0) r.name = random_name();
      rows.push_back(r);
    }
    auto partition_of = [&](const Row& r) {
      std::vector<Literal> p;
      for (const PartitionField& f : spec.fields) {
        Literal v = f.source_id() == 1
                        ? (r.id ? Literal::Long(*r.id) : Literal::Null(Type::Long()))
                        : (r.name ? Literal::String(*r.name) : Literal::Null(Type::String()));
        p.push_back(*f.transform.Apply(v));
      }
      return p;
    };
    DataFile file;
    file.partition = partition_of(rows[0]);
    std::vector<Row> kept;
    for (const Row& r : rows) {
      if (partition_of(r) == file.partition) kept.push_back(r);
    }
    // Exact metrics, with the name upper bound truncated to 2 characters (not incremented).
    int64_t nulls_id = 0, nulls_name = 0;
    std::optional<int64_t> lo, hi;
    std::optional<std::string> slo, shi;
    for (const Row& r : kept) {
      if (r.id) {
        lo = lo ? std::min(*lo, *r.id) : *r.id;
        hi = hi ? std::max(*hi, *r.id) : *r.id;
      } else {
        ++nulls_id;
      }
      if (r.name) {
        slo = slo ? std::min(*slo, *r.name) : *r.name;
        shi = shi ? std::max(*shi, *r.name) : *r.name;
      } else {
        ++nulls_name;
      }
    }
    const int64_t n = static_cast<int64_t>(kept.size());
    file.value_counts = {{1, n}, {2, n}};
    file.null_value_counts = {{1, nulls_id}, {2, nulls_name}};
    if (lo) file.lower_bounds[1] = Bytes(Literal::Long(*lo));
    if (hi) file.upper_bounds[1] = Bytes(Literal::Long(*hi));
    if (slo) file.lower_bounds[2] = slo->substr(0, 2);
    if (shi) file.upper_bounds[2] = shi->substr(0, 2);

    for (int q = 0; q < 30; ++q) {
      auto predicate = [&]() {
        Op op = ops[rand(11)];
        bool on_id = op != Op::kStartsWith && rand(2) == 0;
        std::string col = on_id ? "id" : "name";
        auto value = [&]() {
          return on_id ? Literal::Long(rand(40) - 10) : Literal::String(random_name());
        };
        std::vector<Literal> values;
        if (op == Op::kIn || op == Op::kNotIn) {
          for (int k = 0, m = 1 + rand(3); k < m; ++k) values.push_back(value());
        } else if (op != Op::kIsNull && op != Op::kNotNull) {
          values.push_back(value());
        }
        return Expression::Predicate(op, col, values);
      };
      Expression e = predicate();
      int shape = rand(4);
      if (shape == 1) e = Expression::And(e, predicate());
      if (shape == 2) e = Expression::Or(e, predicate());
      if (shape == 3) e = Expression::Not(e);
      auto bound = Bind(e, schema);
      ASSERT_OK(bound);
      auto might = MightMatch(*bound, schema, spec, file);
      auto all = AllMatch(*bound, schema, spec, file);
      ASSERT_OK(might);
      ASSERT_OK(all);
      bool any_true = false, all_true = true;
      for (const Row& r : kept) {
        std::optional<bool> v = EvalRow(e, r);  // the filter as written, before binding
        any_true = any_true || v == true;
        all_true = all_true && v == true;
      }
      ++checked;
      if (!*might) {
        ++pruned;
        EXPECT_FALSE(any_true) << "pruned a matching file: " << bound->ToString() << " spec "
                               << trial % specs.size();
      }
      if (*all) {
        ++all_matched;
        EXPECT_TRUE(all_true) << "AllMatch on a file with non-matching rows: " << bound->ToString()
                              << " spec " << trial % specs.size();
      }
    }
  }
  // The evaluators are not trivially true/false.
  EXPECT_GT(pruned, checked / 10);
  EXPECT_GT(all_matched, checked / 20);
}

}  // namespace
}  // namespace atl::iceberg
