#include "atoll/engine/engine.h"

#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EngineOptions options;
    options.threads = 2;
    auto engine = Engine::Open(options);
    ASSERT_OK(engine);
    engine_ = std::move(*engine);
  }

  // The single value of a one-row, one-column query.
  std::optional<std::string> Scalar(const std::string& sql) {
    auto result = engine_->Query(sql);
    EXPECT_OK(result);
    if (!result.ok() || result->rows.size() != 1 || result->rows[0].size() != 1) {
      ADD_FAILURE() << "expected one value from " << sql;
      return std::nullopt;
    }
    return result->rows[0][0];
  }

  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineTest, QueryReturnsColumnNamesTypesAndNulls) {
  ASSERT_OK_AND_ASSIGN(
      QueryResult r, engine_->Query("SELECT 42 AS answer, 'x' AS name, NULL::VARCHAR AS nothing"));
  ASSERT_EQ(r.columns.size(), 3u);
  EXPECT_EQ(r.columns[0].name, "answer");
  EXPECT_EQ(r.columns[0].type, "INTEGER");
  EXPECT_EQ(r.columns[0].kind, ValueKind::kNumber);
  EXPECT_EQ(r.columns[1].type, "VARCHAR");
  EXPECT_EQ(r.columns[1].kind, ValueKind::kString);
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "42");
  EXPECT_EQ(r.rows[0][1], "x");
  EXPECT_EQ(r.rows[0][2], std::nullopt);
}

TEST_F(EngineTest, RendersScalarTypesAsDuckDbWritesThem) {
  struct Case {
    const char* expr;
    const char* type;
    ValueKind kind;
    const char* text;
  };
  const Case cases[] = {
      {"true", "BOOLEAN", ValueKind::kBoolean, "true"},
      {"(-7)::TINYINT", "TINYINT", ValueKind::kNumber, "-7"},
      {"18446744073709551615::UBIGINT", "UBIGINT", ValueKind::kNumber, "18446744073709551615"},
      {"(-170141183460469231731687303715884105727)::HUGEINT", "HUGEINT", ValueKind::kNumber,
       "-170141183460469231731687303715884105727"},
      {"2.5::DOUBLE", "DOUBLE", ValueKind::kNumber, "2.5"},
      {"0.1::FLOAT", "FLOAT", ValueKind::kNumber, "0.1"},
      {"'nan'::DOUBLE", "DOUBLE", ValueKind::kNumber, "nan"},
      {"(-12.340)::DECIMAL(10,3)", "DECIMAL(10,3)", ValueKind::kNumber, "-12.340"},
      {"0.05::DECIMAL(38,2)", "DECIMAL(38,2)", ValueKind::kNumber, "0.05"},
      {"DATE '2024-02-29'", "DATE", ValueKind::kString, "2024-02-29"},
      {"TIME '13:04:05.25'", "TIME", ValueKind::kString, "13:04:05.25"},
      {"TIMESTAMP '1969-12-31 23:59:59.5'", "TIMESTAMP", ValueKind::kString,
       "1969-12-31 23:59:59.5"},
      {"TIMESTAMP_NS '2024-01-02 03:04:05.123456789'", "TIMESTAMP_NS", ValueKind::kString,
       "2024-01-02 03:04:05.123456789"},
      {"INTERVAL 14 MONTH + INTERVAL 3 DAY + INTERVAL 90 MINUTE", "INTERVAL", ValueKind::kString,
       "1 year 2 mons 3 days 01:30:00"},
      {"'123e4567-e89b-12d3-a456-426614174000'::UUID", "UUID", ValueKind::kString,
       "123e4567-e89b-12d3-a456-426614174000"},
      {"'a\\x00b'::BLOB", "BLOB", ValueKind::kString, "a\\x00b"},
      {"'10110'::BIT", "BIT", ValueKind::kString, "10110"},
      {"'sad'::ENUM('happy', 'sad')", "ENUM('happy', 'sad')", ValueKind::kString, "sad"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.expr);
    ASSERT_OK_AND_ASSIGN(QueryResult r, engine_->Query(std::string("SELECT ") + c.expr));
    EXPECT_EQ(r.columns[0].type, c.type);
    EXPECT_EQ(r.columns[0].kind, c.kind);
    EXPECT_EQ(r.rows[0][0], c.text);
  }
}

TEST_F(EngineTest, RendersNestedValuesAsJson) {
  ASSERT_OK_AND_ASSIGN(
      QueryResult r,
      engine_->Query(
          "SELECT [1, NULL, 3] AS l, {'a': 1, 'b': 'x\"y', 'c': [DATE '2024-01-01']} AS s, "
          "MAP {1: 'one'} AS m, [1.5, 'nan'::DOUBLE]::DOUBLE[2] AS arr, '{\"k\": [1]}'::JSON AS "
          "j"));
  EXPECT_EQ(r.columns[0].type, "INTEGER[]");
  EXPECT_EQ(r.columns[1].type, "STRUCT(a INTEGER, b VARCHAR, c DATE[])");
  EXPECT_EQ(r.columns[2].type, "MAP(INTEGER, VARCHAR)");
  EXPECT_EQ(r.columns[3].type, "DOUBLE[2]");
  EXPECT_EQ(r.columns[4].type, "JSON");
  for (const Column& c : r.columns) EXPECT_EQ(c.kind, ValueKind::kNested) << c.name;
  EXPECT_EQ(r.rows[0][0], "[1,null,3]");
  EXPECT_EQ(r.rows[0][1], R"({"a":1,"b":"x\"y","c":["2024-01-01"]})");
  EXPECT_EQ(r.rows[0][2], R"({"1":"one"})");
  EXPECT_EQ(r.rows[0][3], R"([1.5,"nan"])");
  EXPECT_EQ(r.rows[0][4], R"({"k": [1]})");
}

TEST_F(EngineTest, QueryExecuteAndStreamRefuseSeveralStatements) {
  const std::string two = "CREATE TABLE t (a INTEGER); SELECT 1";
  EXPECT_THAT(engine_->Query(two), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Execute(two), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Stream(two), IsError(StatusCode::kInvalidArgument));
  auto refused = engine_->Query(two);
  EXPECT_THAT(refused.status().message(), HasSubstr("holds 2 statements where one is expected"));
  // Nothing ran: the first statement did not create the table.
  EXPECT_THAT(engine_->Query("SELECT * FROM t"), IsError(StatusCode::kInvalidArgument));
  // One statement with a trailing ';' and comments is one statement.
  ASSERT_OK_AND_ASSIGN(QueryResult one, engine_->Query("SELECT 1 AS x; -- done\n/* end */"));
  EXPECT_EQ(one.rows[0][0], "1");
}

TEST_F(EngineTest, ExecuteScriptRunsEveryStatementInOrder) {
  ASSERT_OK(engine_->ExecuteScript(
      "CREATE TABLE t (a INTEGER, b VARCHAR); INSERT INTO t VALUES (1, 'one'), (2, NULL);"));
  ASSERT_OK_AND_ASSIGN(QueryResult r, engine_->Query("SELECT a, b FROM t ORDER BY a"));
  ASSERT_EQ(r.rows.size(), 2u);
  EXPECT_EQ(r.rows[1][1], std::nullopt);
  EXPECT_THAT(engine_->ExecuteScript("DROP TABLE t; SELEC 1"),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(EngineTest, CountsAndStreamsEachStatement) {
  ASSERT_OK_AND_ASSIGN(size_t n, engine_->CountStatements("SELECT 1; SELECT ';'; -- x"));
  EXPECT_EQ(n, 2u);
  EXPECT_THAT(engine_->CountStatements("SELEC 1"), IsError(StatusCode::kInvalidArgument));
  std::vector<std::string> seen;
  ASSERT_OK(engine_->ForEachStatement(
      "CREATE TABLE u AS SELECT 5 AS v; SELECT v * 2 AS w FROM u; SELECT 'x' AS s",
      [&](size_t index, QueryStream& rows) -> Status {
        ATOLL_ASSIGN_OR_RETURN(std::vector<Row> batch, rows.Next());
        seen.push_back(StrCat(index, ":", rows.columns().empty() ? "" : rows.columns()[0].name, "=",
                              batch.empty() || !batch[0][0] ? "" : *batch[0][0]));
        return Status::OK();
      }));
  EXPECT_EQ(seen, (std::vector<std::string>{"0:Count=1", "1:w=10", "2:s=x"}));
  // An error of the callback stops the run.
  int calls = 0;
  EXPECT_THAT(engine_->ForEachStatement("SELECT 1; SELECT 2",
                                        [&](size_t, QueryStream&) {
                                          ++calls;
                                          return Cancelled("stop");
                                        }),
              IsError(StatusCode::kCancelled));
  EXPECT_EQ(calls, 1);
}

TEST(TypeNameTest, AcceptsDuckDbTypesOnly) {
  for (const char* ok : {"BIGINT", "decimal(12,2)", "VARCHAR[]", "TIMESTAMP WITH TIME ZONE",
                         "DOUBLE PRECISION", "STRUCT(a INTEGER, \"b \"\"c\" VARCHAR[])[]",
                         "MAP(VARCHAR, INTEGER[])", "INTEGER[3]", "UNION(n INTEGER, s VARCHAR)"}) {
    EXPECT_TRUE(IsTypeName(ok)) << ok;
  }
  for (const char* bad : {"", "VARCHAR) AS x, (SELECT 1) AS (y", "INTEGER; DROP TABLE t",
                          "VARCHAR -- x", "ENUM('a')", "INTEGER FROM read_text", "DECIMAL(a)",
                          "STRUCT(a read_text('x'))", "TIMESTAMP WITH", "\"x\"", "INTEGER[[]"}) {
    EXPECT_FALSE(IsTypeName(bad)) << bad;
  }
}

TEST_F(EngineTest, StreamsLargeResultsChunkByChunk) {
  ASSERT_OK_AND_ASSIGN(auto stream, engine_->Stream("SELECT range AS n FROM range(10000)"));
  ASSERT_EQ(stream->columns().size(), 1u);
  EXPECT_EQ(stream->columns()[0].type, "BIGINT");
  size_t batches = 0, rows = 0;
  int64_t sum = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::vector<Row> batch, stream->Next());
    if (batch.empty()) break;
    ++batches, rows += batch.size();
    for (const Row& row : batch) sum += std::stoll(*row[0]);
  }
  EXPECT_EQ(rows, 10000u);
  EXPECT_GT(batches, 1u);
  EXPECT_EQ(sum, 9999LL * 10000 / 2);
}

TEST_F(EngineTest, StreamReportsErrorsRaisedWhileProducingRows) {
  // The failing row comes late enough that the first chunks are produced before it.
  ASSERT_OK_AND_ASSIGN(
      auto stream,
      engine_->Stream(
          "SELECT CASE WHEN range < 900000 THEN range ELSE error('boom at ' || range) END "
          "FROM range(1000000)"));
  Status failure;
  while (failure.ok()) {
    auto batch = stream->Next();
    if (!batch.ok())
      failure = batch.status();
    else if (batch->empty())
      break;
  }
  EXPECT_THAT(failure, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(failure.message(), HasSubstr("boom at"));
}

TEST_F(EngineTest, MapsDuckDbErrorsToStatusCodes) {
  auto parse = engine_->Query("SELEC 1");
  EXPECT_THAT(parse, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(parse.status().message(), HasSubstr("Parser Error"));

  auto catalog = engine_->Query("SELECT * FROM no_such_table");
  EXPECT_THAT(catalog, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(catalog.status().message(), HasSubstr("no_such_table"));

  EXPECT_THAT(engine_->Query("SELECT no_such_column FROM range(1)"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Query("SELECT 'abc'::INTEGER"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(engine_->Execute(""), IsError(StatusCode::kInvalidArgument));

  TempDir dir;
  auto missing = engine_->Query("SELECT * FROM read_parquet(" +
                                QuoteString(dir.Join("missing.parquet")) + ")");
  EXPECT_THAT(missing, IsError(StatusCode::kNotFound));
  EXPECT_THAT(missing.status().message(), HasSubstr("missing.parquet"));
  EXPECT_THAT(engine_->Query("SELECT * FROM read_csv(" + QuoteString(dir.Join("x.csv")) + ")"),
              IsError(StatusCode::kNotFound));
}

TEST_F(EngineTest, OpenRefusesUnknownSettingsAndDisablesExtensionAutoloading) {
  EngineOptions bad;
  bad.settings = {{"no_such_setting", "1"}};
  EXPECT_THAT(Engine::Open(bad), IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(Scalar("SELECT current_setting('autoinstall_known_extensions')"), "false");
  EXPECT_EQ(Scalar("SELECT current_setting('autoload_known_extensions')"), "false");
  EXPECT_EQ(Scalar("SELECT current_setting('threads')"), "2");
}

TEST_F(EngineTest, QuotingHelpersSurviveTheParser) {
  EXPECT_EQ(QuoteString("it's"), "'it''s'");
  EXPECT_EQ(QuoteIdentifier("a\"b"), "\"a\"\"b\"");
  EXPECT_EQ(Scalar("SELECT " + QuoteString("it's a 'test'")), "it's a 'test'");
  ASSERT_OK_AND_ASSIGN(QueryResult r,
                       engine_->Query("SELECT 1 AS " + QuoteIdentifier("select \"x\"")));
  EXPECT_EQ(r.columns[0].name, "select \"x\"");
}

TEST_F(EngineTest, WritesParquetWithFieldIdsAndReadsItBack) {
  TempDir dir;
  std::string path = QuoteString(dir.Join("t.parquet"));
  ASSERT_OK(
      engine_->Execute("COPY (SELECT range::INTEGER AS id, 'v' || range AS name, "
                       "{'x': range, 'y': 'y'} AS s FROM range(1000)) TO " +
                       path +
                       " (FORMAT parquet, COMPRESSION zstd, FIELD_IDS {id: 1, name: 2, "
                       "s: {__duckdb_field_id: 3, x: 4, y: 5}})"));
  EXPECT_EQ(Scalar("SELECT count(*) FROM read_parquet(" + path + ") WHERE name LIKE 'v9%'"), "111");
  EXPECT_EQ(Scalar("SELECT s FROM read_parquet(" + path + ") WHERE id = 7"), R"({"x":7,"y":"y"})");
  ASSERT_OK_AND_ASSIGN(QueryResult schema,
                       engine_->Query("SELECT name, field_id FROM parquet_schema(" + path +
                                      ") WHERE field_id IS NOT NULL "
                                      "ORDER BY field_id"));
  ASSERT_EQ(schema.rows.size(), 5u);
  const char* names[] = {"id", "name", "s", "x", "y"};
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(schema.rows[i][0], names[i]);
    EXPECT_EQ(schema.rows[i][1], std::to_string(i + 1));
  }
  EXPECT_EQ(Scalar("SELECT DISTINCT compression FROM parquet_metadata(" + path + ")"), "ZSTD");
}

}  // namespace
}  // namespace atl::engine
