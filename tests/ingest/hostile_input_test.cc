// Inputs that crashed DuckDB's readers, passed the line limit or loaded as junk columns
// that stay in a table's schema for good: each is rejected with a reason naming its
// cause, and the other files of the run load as usual. The crash case runs the atoll
// binary in a child process, so a SIGSEGV fails the test instead of killing it.
#include <string>

#include "cli/run_atoll.h"
#include "ingest/ingest_fixture.h"

namespace atl::lake {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::testing::HasSubstr;

class HostileInputTest : public testing::IngestFixture {
 protected:
  // Asserts that prepare/<db>/<table>/<name> was rejected with a reason holding `cause`.
  void ExpectRejected(const std::string& db_table_name, const std::string& cause) {
    SCOPED_TRACE(db_table_name);
    EXPECT_FALSE(Exists("prepare/" + db_table_name));
    nlohmann::json reason = Rejection("_rejected/prepare/" + db_table_name);
    ASSERT_TRUE(reason.is_object()) << "no reason for " << db_table_name;
    EXPECT_THAT(reason["reason"].get<std::string>(), HasSubstr(cause));
  }
};

TEST_F(HostileInputTest, DeeplyNestedJsonIsRejectedInsteadOfCrashingTheRun) {
  Drop("prepare/j/deep/arrays.json", std::string(30000, '[') + std::string(30000, ']') + "\n");
  std::string objects;
  for (int i = 0; i < 200; ++i) objects += "{\"a\": ";
  objects += "1" + std::string(200, '}') + "\n";
  Drop("prepare/j/deep/objects.ndjson", objects);
  Drop("prepare/j/deep/fine.ndjson", "{\"a\": {\"b\": [1, 2]}}\n");
  Drop("prepare/j/other/fine.json", "[{\"n\": 7}]");

  auto r = RunAtoll({"ingest", root()});
  ASSERT_EQ(r.exit_code, 3) << r.out << r.err;  // finished with rejects; -1: killed by a signal
  for (const char* name : {"j/deep/arrays.json", "j/deep/objects.ndjson"}) {
    ExpectRejected(name, "JSON nested more than 64 levels deep");
    ExpectRejected(name, "prepare.max_json_depth");
  }
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("j", "deep")), "1");
  EXPECT_EQ(Scalar("SELECT n FROM " + Scan("j", "other")), "7");
}

TEST_F(HostileInputTest, JsonDocumentsLongerThanTheLineLimitAreRejected) {
  Settings s;
  s.prepare.max_line_bytes = 64 << 10;
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  const std::string big = "{\"a\": \"" + std::string(100 << 10, 'x') + "\"}";
  Drop("prepare/j/t/line.ndjson", "{\"a\": \"short\"}\n" + big + "\n");
  Drop("prepare/j/t/element.json", "[{\"a\": \"short\"}, " + big + "]");
  Drop("prepare/j/t/object.json", big);
  Drop("prepare/j/t/fine.ndjson", "{\"a\": \"kept\"}\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest());
  ASSERT_TRUE(report.ok());
  ExpectRejected("j/t/line.ndjson",
                 "an NDJSON line is longer than the limit of 65536 bytes (prepare.max_line_bytes)");
  for (const char* name : {"j/t/element.json", "j/t/object.json"}) {
    ExpectRejected(
        name, "a JSON document is longer than the limit of 65536 bytes (prepare.max_line_bytes)");
  }
  EXPECT_EQ(Scalar("SELECT string_agg(a, ',') FROM " + Scan("j", "t")), "kept");
}

TEST_F(HostileInputTest, GarbageAndMislabelledFilesAreRejectedWithTheirCause) {
  Drop("prepare/g/json/a.csv", "{\"id\": 1, \"name\": \"ann\"}\n{\"id\": 2, \"name\": \"bob\"}\n");
  Drop("prepare/g/array/a.csv", "[\n  {\"id\": 1}\n]\n");
  std::string garbage;
  uint32_t x = 7;
  for (int i = 0; i < 3000; ++i) garbage += static_cast<char>((x = x * 1103515245 + 12345) >> 24);
  Drop("prepare/g/binary/a.csv", garbage);
  Drop("prepare/g/extra/a.csv", "id,name\n1,ann\n2,bob,extra\n3,cy\n");
  Drop("prepare/g/missing/a.csv", "id,name,age\n1,ann,3\n2,bob\n3,cy,4\n");
  Drop("prepare/g/blank/a.csv", "   \n\n  \t\n");
  Drop("prepare/g/blank/b.ndjson", "\n \n");
  Drop("prepare/g/fake/a.parquet", "id,name\n1,a\n");
  Drop("prepare/g/good/a.csv", "id,name\n1,ann\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest());
  ASSERT_TRUE(report.ok());

  ExpectRejected("g/json/a.csv", "the file holds JSON, not CSV");
  ExpectRejected("g/array/a.csv", "the file holds JSON, not CSV");
  ExpectRejected("g/binary/a.csv", "binary content, not CSV text");
  ExpectRejected("g/extra/a.csv",
                 "rows with different numbers of fields: line 3 has 3, the first line has 2");
  ExpectRejected("g/missing/a.csv",
                 "rows with different numbers of fields: line 3 has 2, the first line has 3");
  ExpectRejected("g/blank/a.csv", "the file holds only whitespace");
  ExpectRejected("g/blank/b.ndjson", "the file holds only whitespace");
  ExpectRejected("g/fake/a.parquet", "not a Parquet file");
  // No table was made of junk; the good file loaded.
  for (const char* table : {"json", "array", "binary", "extra", "missing", "blank", "fake"}) {
    EXPECT_EQ(Metadata("g", table), "") << table;
  }
  EXPECT_EQ(Scalar("SELECT id || name FROM " + Scan("g", "good")), "1ann");
}

TEST_F(HostileInputTest, ARaggedFileLeavesNoJunkColumnBesideGoodOnes) {
  Drop("prepare/g/mixed/a.csv", "id,name\n1,ann\n");
  Drop("prepare/g/mixed/b.csv", "id,name\n2,bob\n3,cy,extra\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest());
  ASSERT_TRUE(report.ok());
  ExpectRejected("g/mixed/b.csv", "rows with different numbers of fields");
  EXPECT_EQ(Scalar("SELECT string_agg(column_name, ',' ORDER BY column_name) FROM (DESCRIBE "
                   "SELECT * FROM " +
                   Scan("g", "mixed") + ")"),
            "_etl_loaded_at,id,name");
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("g", "mixed")), "1");
}

}  // namespace
}  // namespace atl::lake
