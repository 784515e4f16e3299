#include "atoll/engine/appender.h"

#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsError;

class AppenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, Engine::Open(options));
  }

  // All rows of `sql`, cells joined with '|' and NULL as "∅".
  std::vector<std::string> Rows(const std::string& sql) {
    auto result = engine_->Query(sql);
    EXPECT_OK(result);
    std::vector<std::string> out;
    if (!result.ok()) return out;
    for (const Row& row : result->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0) line += "|";
        line += row[i].value_or("∅");
      }
      out.push_back(line);
    }
    return out;
  }

  std::unique_ptr<Engine> engine_;
};

TEST_F(AppenderTest, AppendsEveryPrimitiveTypeExactly) {
  std::vector<AppenderColumn> columns = {
      {"b", "BOOLEAN"},      {"i8", "TINYINT"},       {"i16", "SMALLINT"},
      {"i32", "INTEGER"},    {"i64", "BIGINT"},       {"h", "HUGEINT"},
      {"f", "FLOAT"},        {"d", "DOUBLE"},         {"s", "VARCHAR"},
      {"bl", "BLOB"},        {"dec", "DECIMAL(9,2)"}, {"dec38", "DECIMAL(38,10)"},
      {"dt", "DATE"},        {"tm", "TIME"},          {"ts", "TIMESTAMP"},
      {"tz", "TIMESTAMPTZ"}, {"ns", "TIMESTAMP_NS"},  {"u", "UUID"},
  };
  ASSERT_OK_AND_ASSIGN(auto app, Appender::Create(*engine_, "t", columns));
  ASSERT_EQ(app->column_count(), columns.size());
  EXPECT_EQ(app->column_type(10), "DECIMAL(9,2)");

  __int128 big = static_cast<__int128>(1) << 100;
  std::string uuid = {'\x12', '\x34', '\x56', '\x78', '\x9a', '\xbc', '\xde', '\xf0',
                      '\x01', '\x23', '\x45', '\x67', '\x89', '\xab', '\xcd', '\xef'};
  ASSERT_OK(app->AppendBool(true));
  ASSERT_OK(app->AppendInt(-128));
  ASSERT_OK(app->AppendInt(32767));
  ASSERT_OK(app->AppendInt(-2147483648LL));
  ASSERT_OK(app->AppendInt(INT64_MAX));
  ASSERT_OK(app->AppendHugeInt(-big));
  ASSERT_OK(app->AppendFloat(1.5f));
  ASSERT_OK(app->AppendDouble(-2.25));
  ASSERT_OK(app->AppendBytes("héllo"));
  ASSERT_OK(app->AppendBytes(std::string("a\0b", 3)));
  ASSERT_OK(app->AppendInt(-12345));                     // -123.45
  ASSERT_OK(app->AppendHugeInt(big));                    // 2^100 / 10^10
  ASSERT_OK(app->AppendInt(19723));                      // 2024-01-01
  ASSERT_OK(app->AppendInt(3723000001));                 // 01:02:03.000001
  ASSERT_OK(app->AppendInt(1704067200000000 + 500000));  // 2024-01-01 00:00:00.5
  ASSERT_OK(app->AppendInt(1704067200000000));           // 2024-01-01 00:00:00+00
  ASSERT_OK(app->AppendInt(1704067200000000123));        // ...00.000000123
  ASSERT_OK(app->AppendBytes(uuid));
  ASSERT_OK(app->EndRow());
  for (size_t i = 0; i < columns.size(); ++i) ASSERT_OK(app->AppendNull());
  ASSERT_OK(app->EndRow());
  EXPECT_EQ(app->rows(), 2);
  ASSERT_OK(app->Close());

  ASSERT_OK(engine_->Execute("SET TimeZone = 'UTC'"));
  auto rows = Rows(
      "SELECT b, i8, i16, i32, i64, h, f, d, s, bl, dec, dec38, dt, tm, ts, tz, "
      "ns, u FROM t ORDER BY b NULLS LAST");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0],
            "true|-128|32767|-2147483648|9223372036854775807|-1267650600228229401496703205376|1.5|"
            "-2.25|héllo|a\\x00b|-123.45|126765060022822940149.6703205376|2024-01-01|"
            "01:02:03.000001|2024-01-01 00:00:00.5|2024-01-01 00:00:00+00|"
            "2024-01-01 00:00:00.000000123|12345678-9abc-def0-0123-456789abcdef");
  EXPECT_EQ(rows[1], "∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅|∅");
}

TEST_F(AppenderTest, AppendsNestedValuesWithNullsAtEveryLevel) {
  ASSERT_OK_AND_ASSIGN(auto app, Appender::Create(*engine_, "n",
                                                  {{"id", "INTEGER"},
                                                   {"l", "INTEGER[]"},
                                                   {"s", "STRUCT(a VARCHAR, b DECIMAL(5,1)[])"},
                                                   {"m", "MAP(VARCHAR, STRUCT(x DATE))"}}));
  // Row 1: values with nulls inside.
  ASSERT_OK(app->AppendInt(1));
  ASSERT_OK(app->Append(Datum::List({Datum::Int(1), Datum::Null(), Datum::Int(3)})));
  ASSERT_OK(app->Append(Datum::Struct(
      {Datum::Null(), Datum::List({Datum::Int(15), Datum::Null(), Datum::Int(-5)})})));
  ASSERT_OK(app->Append(Datum::Map({{Datum::Bytes("k1"), Datum::Struct({Datum::Int(0)})},
                                    {Datum::Bytes("k2"), Datum::Null()},
                                    {Datum::Bytes("k3"), Datum::Struct({Datum::Null()})}})));
  ASSERT_OK(app->EndRow());
  // Row 2: nulls and empties at the top.
  ASSERT_OK(app->Append(Datum::Int(2)));
  ASSERT_OK(app->Append(Datum::List({})));
  ASSERT_OK(app->Append(Datum::Null()));
  ASSERT_OK(app->Append(Datum::Map({})));
  ASSERT_OK(app->EndRow());
  ASSERT_OK(app->AppendInt(3));
  ASSERT_OK(app->AppendNull());
  ASSERT_OK(app->Append(Datum::Struct({Datum::Bytes("x"), Datum::Null()})));
  ASSERT_OK(app->AppendNull());
  ASSERT_OK(app->EndRow());
  ASSERT_OK(app->Close());

  auto rows = Rows(
      "SELECT id, l::VARCHAR, s::VARCHAR, m::VARCHAR, l[2] IS NULL, s.a IS NULL, m['k2'] IS NULL "
      "FROM n ORDER BY id");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0],
            "1|[1, NULL, 3]|{'a': NULL, 'b': [1.5, NULL, -0.5]}|"
            "{k1={'x': 1970-01-01}, k2=NULL, k3={'x': NULL}}|true|true|true");
  EXPECT_EQ(rows[1], "2|[]|∅|{}|true|true|true");
  EXPECT_EQ(rows[2], "3|∅|{'a': x, 'b': NULL}|∅|true|false|true");
}

TEST_F(AppenderTest, RejectsMismatchesAndRangeErrors) {
  ASSERT_OK_AND_ASSIGN(auto app,
                       Appender::Create(*engine_, "e", {{"a", "TINYINT"}, {"d", "DECIMAL(4,1)"}}));
  EXPECT_THAT(app->AppendInt(128), IsError(StatusCode::kInvalidArgument));
  // The appender stays failed.
  EXPECT_THAT(app->AppendInt(1), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(app->Close(), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(app->AppendInt(1), IsError(StatusCode::kPreconditionFailed));

  ASSERT_OK_AND_ASSIGN(auto app2, Appender::Open(*engine_, "e"));
  ASSERT_OK(app2->AppendInt(1));
  EXPECT_THAT(app2->AppendInt(10000), IsError(StatusCode::kInvalidArgument));  // 5 digits

  ASSERT_OK_AND_ASSIGN(auto app3, Appender::Open(*engine_, "e"));
  EXPECT_THAT(app3->AppendBytes("x"), IsError(StatusCode::kInvalidArgument));

  ASSERT_OK_AND_ASSIGN(auto app4, Appender::Open(*engine_, "e"));
  ASSERT_OK(app4->AppendInt(7));
  EXPECT_THAT(app4->EndRow(), IsError(StatusCode::kInvalidArgument));  // one value short
}

TEST_F(AppenderTest, CreateAndOpenErrors) {
  EXPECT_THAT(Appender::Open(*engine_, "missing"), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(Appender::Create(*engine_, "x", {{"a", "INTEGER"}}));
  EXPECT_THAT(Appender::Create(*engine_, "x", {{"a", "INTEGER"}}),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(Appender::Create(*engine_, "x", {{"a", "INTEGER"}}, /*replace=*/true));
  EXPECT_THAT(Appender::Create(*engine_, "iv", {{"a", "INTERVAL"}}),
              IsError(StatusCode::kNotSupported));
  EXPECT_THAT(Appender::Open(*engine_, "iv"), IsError(StatusCode::kInvalidArgument));  // dropped
}

TEST_F(AppenderTest, FlushMakesRowsVisibleAndManyRowsArrive) {
  ASSERT_OK_AND_ASSIGN(auto app,
                       Appender::Create(*engine_, "big", {{"i", "BIGINT"}, {"s", "VARCHAR"}}));
  for (int64_t i = 0; i < 100000; ++i) {
    ASSERT_OK(app->AppendInt(i));
    ASSERT_OK(app->AppendBytes("row" + std::to_string(i)));
    ASSERT_OK(app->EndRow());
    if (i == 999) {
      ASSERT_OK(app->Flush());
      EXPECT_EQ(Rows("SELECT count(*) FROM big"), std::vector<std::string>{"1000"});
    }
  }
  ASSERT_OK(app->Close());
  EXPECT_EQ(Rows("SELECT count(*), sum(i), max(s) FROM big"),
            std::vector<std::string>{"100000|4999950000|row99999"});
}

}  // namespace
}  // namespace atl::engine
