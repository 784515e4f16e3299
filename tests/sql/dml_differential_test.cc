// The differential test of SQL writes (issue 17): random INSERT / DELETE / UPDATE / MERGE /
// ALTER TABLE ADD COLUMN / INSERT OVERWRITE (unpartitioned tables) statements run on a lake table
// (through LakeSql, as `atoll query` runs them) and on a native DuckDB table of the same engine,
// the oracle; after each statement both hold the same rows (as multisets). Every combination of
// write mode (copy-on-write, merge-on-read), partitioning (none, identity + bucket) and format
// version (2, 3) runs.
//
// ATOLL_DML_STATEMENTS sets the statements per combination (default 16, so make test
// runs 128; `make dml-sweep` runs 150 each, 1,200 in all); ATOLL_DML_SEED the seed
// (default: random, printed so that a failure can be replayed).
#include <cstdint>
#include <random>
#include <string>
#include <tuple>

#include "atoll/lake/lake.h"
#include "atoll/sql/lake_sql.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::TempDir;

// Statements with the table written as {T}; ids fall in 0..59 so that rows meet. Up to
// three columns c0.. are added (INTEGER or VARCHAR) along the way.
class StatementMaker {
 public:
  StatementMaker(uint64_t seed, bool partitioned) : rng_(seed), partitioned_(partitioned) {}

  // The statement for DuckDB's table, when it differs (INSERT OVERWRITE, which DuckDB lacks).
  std::string oracle_text;

  std::string Next() {
    oracle_text.clear();
    if (!partitioned_ && Pick(20) == 0) {
      // An unpartitioned table is replaced whole.
      const std::string query = StrCat("SELECT i, i % 3, 'o' || i, NULL FROM range(", Pick(30),
                                       ", ", 30 + Pick(30), ", ", 3 + Pick(5), ") t(i)");
      oracle_text = StrCat("DELETE FROM {T}; INSERT INTO {T} (id, k, s, d) ", query);
      return StrCat("INSERT OVERWRITE {T} (id, k, s, d) ", query);
    }
    if (added_ < 3 && Pick(30) == 0) {
      return StrCat("ALTER TABLE {T} ADD COLUMN c", added_++, Pick(2) ? " INTEGER" : " VARCHAR");
    }
    switch (Pick(10)) {
      case 0:
      case 1:
        return StrCat("INSERT INTO {T} (id, k, s, d) VALUES ", Rows(1 + Pick(4)));
      case 2:
        return StrCat("INSERT INTO {T} (id, k, s) SELECT i, i % 3, 'r' || i FROM range(", Pick(60),
                      ", ", 60 + Pick(20), ", ", 7 + Pick(9), ") t(i)");
      case 3:
        return StrCat("INSERT INTO {T} (id, k, s, d) SELECT id + 100, k, s, d FROM {T} WHERE id % ",
                      2 + Pick(5), " = 0 AND id < 100");
      case 4:
      case 5:
        return StrCat("DELETE FROM {T} WHERE ", Predicate());
      case 6:
      case 7:
        return StrCat("UPDATE {T} SET ", Assignments(), " WHERE ", Predicate());
      default:
        return Merge();
    }
  }

 private:
  uint64_t Pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  std::string Value() {
    switch (Pick(4)) {
      case 0:
        return "NULL";
      case 1:
        return StrCat("'v", Pick(5), "'");
      default:
        return StrCat("'it''s ", Pick(100), "'");
    }
  }
  std::string Rows(int n) {
    std::string out;
    for (int i = 0; i < n; ++i) {
      out += StrCat(i ? ", " : "", "(", Pick(60), ", ", Pick(3), ", ", Value(), ", ",
                    Pick(3) == 0 ? std::string("NULL") : StrCat(Pick(1000), ".25"), ")");
    }
    return out;
  }
  std::string Predicate() {
    switch (Pick(6)) {
      case 0:
        return StrCat("id % ", 2 + Pick(7), " = ", Pick(2));
      case 1:
        return StrCat("k = ", Pick(3));
      case 2:
        return "s IS NULL";
      case 3:
        return StrCat("d > ", Pick(1000));
      case 4:
        return StrCat("id BETWEEN ", Pick(60), " AND ", Pick(80));
      default:
        return StrCat("s LIKE 'v", Pick(5), "%' OR id = ", Pick(60));
    }
  }
  std::string Assignments() {
    if (added_ > 0 && Pick(4) == 0) return StrCat("c", Pick(added_), " = id");
    switch (Pick(4)) {
      case 0:
        return StrCat("s = ", Value());
      case 1:
        return "d = coalesce(d, 0) + 1";
      case 2:
        return StrCat("k = (k + ", 1 + Pick(2), ") % 3");  // moves rows between partitions
      default:
        return StrCat("s = s || 'x', d = NULL, id = id + ", Pick(3));
    }
  }
  std::string Merge() {
    const uint64_t from = Pick(50), count = 1 + Pick(20);
    std::string out = StrCat(
        "MERGE INTO {T} AS t USING (SELECT i AS id, i % 3 AS k, 'm' || i AS s, i * 1.5 AS d "
        "FROM range(",
        from, ", ", from + count, ") r(i)) AS src ON t.id = src.id");
    if (Pick(2)) out += StrCat(" WHEN MATCHED AND t.k = ", Pick(3), " THEN DELETE");
    if (Pick(3)) out += StrCat(" WHEN MATCHED THEN UPDATE SET s = src.s, d = t.d");
    if (Pick(3)) {
      out += StrCat(
          " WHEN NOT MATCHED THEN INSERT (id, k, s, d) VALUES (src.id, src.k, src.s, src.d)");
    }
    if (out.find(" WHEN ") == std::string::npos) out += StrCat(" WHEN MATCHED THEN DELETE");
    return out;
  }

  std::mt19937_64 rng_;
  bool partitioned_;
  uint64_t added_ = 0;  // columns c0, c1, ... added so far
};

std::string Replace(std::string text, const std::string& table) {
  for (size_t at; (at = text.find("{T}")) != std::string::npos;) text.replace(at, 3, table);
  return text;
}

using Combination = std::tuple<std::string, bool, int>;  // mode, partitioned, format version

class DmlDifferentialTest : public ::testing::TestWithParam<Combination> {};

TEST_P(DmlDifferentialTest, LakeTableEqualsDuckDbAfterEveryStatement) {
  const auto& [mode, partitioned, version] = GetParam();
  const int statements = std::stoi(::atl::testing::Env("ATOLL_DML_STATEMENTS").value_or("16"));
  const uint64_t seed = ::atl::testing::Env("ATOLL_DML_SEED")
                            ? std::stoull(*::atl::testing::Env("ATOLL_DML_SEED"))
                            : std::random_device()();
  SCOPED_TRACE(StrCat("ATOLL_DML_SEED=", seed));
  TempDir dir;
  const std::string lake = dir.Join("lake");
  ASSERT_OK(Lake::Init(lake, Settings{}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<LakeSql> session, LakeSql::Open(lake, ""));
  engine::Engine& engine = session->engine();
  const std::string columns = "(id BIGINT, k INTEGER, s VARCHAR, d DOUBLE)";
  ASSERT_OK_AND_ASSIGN(
      std::string created,
      session->Run(StrCat("CREATE TABLE stg.db.t ", columns,
                          partitioned ? " PARTITIONED BY (k, bucket(4, id))" : "",
                          " WITH (format_version = ", version, ", 'write.delete.mode' = '", mode,
                          "', 'write.update.mode' = '", mode, "', 'write.merge.mode' = '", mode,
                          "')")));
  ASSERT_OK(engine.Query(created).status());
  ASSERT_OK(engine.Execute(StrCat("CREATE TABLE oracle ", columns)));

  StatementMaker maker(seed, partitioned);
  for (int i = 0; i < statements; ++i) {
    const std::string statement = maker.Next();
    SCOPED_TRACE(StrCat("statement ", i, ": ", statement));
    ASSERT_OK_AND_ASSIGN(std::string result, session->Run(Replace(statement, "stg.db.t")));
    ASSERT_OK_AND_ASSIGN(engine::QueryResult outcome, engine.Query(result));
    if (maker.oracle_text.empty()) {
      ASSERT_OK(engine.Execute(Replace(statement, "oracle")));
    } else {
      ASSERT_OK(engine.ExecuteScript(Replace(maker.oracle_text, "oracle")));
    }
    ASSERT_OK_AND_ASSIGN(
        engine::QueryResult diff,
        engine.Query("SELECT (SELECT count(*) FROM (SELECT * FROM stg.db.t EXCEPT ALL SELECT * "
                     "FROM oracle)), (SELECT count(*) FROM (SELECT * FROM oracle EXCEPT ALL "
                     "SELECT * FROM stg.db.t)), (SELECT count(*) FROM oracle)"));
    ASSERT_EQ(diff.rows.size(), 1u);
    ASSERT_EQ(diff.rows[0][0], "0") << "rows only in the lake table";
    ASSERT_EQ(diff.rows[0][1], "0")
        << "rows only in DuckDB's table (of " << *diff.rows[0][2] << ")";
  }
}

INSTANTIATE_TEST_SUITE_P(Modes, DmlDifferentialTest,
                         ::testing::Combine(::testing::Values("copy-on-write", "merge-on-read"),
                                            ::testing::Bool(), ::testing::Values(2, 3)),
                         [](const ::testing::TestParamInfo<Combination>& info) {
                           return StrCat(std::get<0>(info.param) == "copy-on-write" ? "Cow" : "Mor",
                                         std::get<1>(info.param) ? "Partitioned" : "Plain", "V",
                                         std::get<2>(info.param));
                         });

}  // namespace
}  // namespace atl::lake
