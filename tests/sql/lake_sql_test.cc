// LakeSql (what `atoll query` runs) on a local lake: tables created, written and dropped by
// SQL, each change in the trail; bad statements fail with a clear code and change nothing.
#include "atoll/sql/lake_sql.h"

#include <filesystem>
#include <set>
#include <vector>

#include "atoll/lake/lake.h"
#include "atoll/records/lake_trail.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

class LakeSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Lake::Init(lake_, Settings{}));
    ASSERT_OK_AND_ASSIGN(session_, LakeSql::Open(lake_, ""));
  }
  // Runs one statement as `atoll query` does and returns its result rows.
  Result<engine::QueryResult> Run(const std::string& statement) {
    ATOLL_ASSIGN_OR_RETURN(std::string sql, session_->Run(statement));
    return session_->engine().Query(sql);
  }
  std::string One(const std::string& query) {
    Result<engine::QueryResult> r = session_->engine().Query(query);
    EXPECT_OK(r.status());
    if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<none>";
    return *r->rows[0][0];
  }
  std::vector<trail::Record> TrailRecords() {
    Result<std::unique_ptr<Lake>> lake = Lake::Open(lake_);
    EXPECT_OK(lake.status());
    Result<std::unique_ptr<trail::Trail>> trail = OpenLakeTrail(**lake);
    EXPECT_OK(trail.status());
    Result<std::vector<trail::Record>> records = (*trail)->Show({});
    EXPECT_OK(records.status());
    return records.ok() ? *records : std::vector<trail::Record>{};
  }

  TempDir dir_;
  std::string lake_ = dir_.Join("lake");
  std::unique_ptr<LakeSql> session_;
};

TEST_F(LakeSqlTest, CreateInsertUpdateDeleteMergeAndDropAreCommitsInTheTrail) {
  ASSERT_OK(Run("CREATE TABLE prd.shop.orders (id BIGINT NOT NULL, day DATE, amount "
                "DECIMAL(10,2)) PARTITIONED BY (month(day))")
                .status());
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r,
                       Run("INSERT INTO prd.shop.orders VALUES (1, DATE '2024-01-05', 10.50), "
                           "(2, DATE '2024-02-01', 20), (3, DATE '2024-02-03', 30)"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][0], "insert");
  EXPECT_EQ(r.rows[0][1], "prd.shop.orders");
  EXPECT_EQ(r.rows[0][2], "3");
  EXPECT_EQ(r.rows[0][3], "0");
  ASSERT_OK(Run("UPDATE prd.shop.orders SET amount = amount * 2 WHERE id = 2").status());
  ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id = 3").status());
  ASSERT_OK(Run("MERGE INTO prd.shop.orders t USING (SELECT 1 AS id, 99.99 AS amount UNION ALL "
                "SELECT 4, 4) s ON t.id = s.id WHEN MATCHED THEN UPDATE SET amount = s.amount "
                "WHEN NOT MATCHED THEN INSERT VALUES (s.id, DATE '2024-03-01', s.amount)")
                .status());
  EXPECT_EQ(One("SELECT string_agg(id || ':' || amount, ',' ORDER BY id) FROM prd.shop.orders"),
            "1:99.99,2:40.00,4:4.00");
  // The table is readable as an Iceberg table by path too (another engine's view).
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders')"), "3");
  std::vector<std::string> kinds;
  for (const trail::Record& rec : TrailRecords()) {
    if (rec.table == "prd.shop.orders")
      kinds.push_back(std::string(trail::RecordKindName(rec.kind)));
  }
  // Copy-on-write (the default): the DELETE rewrites the file it touched, an overwrite.
  EXPECT_EQ(kinds,
            (std::vector<std::string>{"create", "append", "overwrite", "overwrite", "overwrite"}));
  ASSERT_OK(Run("DROP TABLE prd.shop.orders PURGE").status());
  EXPECT_FALSE(std::filesystem::exists(lake_ + "/prd/shop/orders"));
  EXPECT_EQ(TrailRecords().back().kind, trail::RecordKind::kDrop);
  EXPECT_THAT(Run("SELECT * FROM prd.shop.orders"), IsError(StatusCode::kInvalidArgument));
}

TEST_F(LakeSqlTest, CreateTableAsWritesTheRowsPartitioned) {
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult r,
      Run("CREATE TABLE tmp.a.b PARTITIONED BY (bucket(4, i)) AS SELECT i, 'x' || i AS s FROM "
          "range(1000) t(i)"));
  EXPECT_EQ(r.rows[0][2], "1000");
  EXPECT_EQ(One("SELECT sum(i) FROM tmp.a.b"), "499500");
  EXPECT_EQ(One("SELECT count(DISTINCT file_path) FROM glob('" + lake_ +
                "/tmp/a/b/data/*/*.parquet') t(file_path)"),
            "4");
  EXPECT_THAT(Run("CREATE TABLE tmp.a.b AS SELECT 1 AS i"), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK(Run("CREATE TABLE IF NOT EXISTS tmp.a.b AS SELECT 1 AS i").status());
  ASSERT_OK(Run("CREATE OR REPLACE TABLE tmp.a.b AS SELECT 7 AS j").status());
  EXPECT_EQ(One("SELECT string_agg(j::VARCHAR) FROM tmp.a.b"), "7");
}

TEST_F(LakeSqlTest, InsertOverwriteReplacesThePartitionsItWrites) {
  ASSERT_OK(Run("CREATE TABLE tmp.d.t PARTITIONED BY (k) AS SELECT i AS id, i % 3 AS k FROM "
                "range(9) t(i)")
                .status());
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r,
                       Run("INSERT OVERWRITE tmp.d.t SELECT 100 + i, 1 FROM range(2) t(i)"));
  EXPECT_EQ(r.rows[0][2], "2");  // inserted
  EXPECT_EQ(r.rows[0][3], "3");  // the rows of partition k = 1 it replaced
  EXPECT_EQ(One("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM tmp.d.t"),
            "0,2,3,5,6,8,100,101");
  ASSERT_OK(Run("CREATE TABLE tmp.d.u AS SELECT 1 AS x").status());
  ASSERT_OK(Run("INSERT OVERWRITE tmp.d.u SELECT 2 WHERE false").status());
  EXPECT_EQ(One("SELECT count(*) FROM tmp.d.u"), "0");
}

TEST_F(LakeSqlTest, TimeTravelReadsAnOlderSnapshot) {
  ASSERT_OK(Run("CREATE TABLE stg.s.t (id INTEGER)").status());
  ASSERT_OK_AND_ASSIGN(engine::QueryResult first, Run("INSERT INTO stg.s.t VALUES (1), (2)"));
  const std::string v1 = *first.rows[0][4];
  ASSERT_OK(Run("DELETE FROM stg.s.t WHERE id = 1").status());
  ASSERT_OK(Run("INSERT INTO stg.s.t VALUES (3)").status());
  ASSERT_OK_AND_ASSIGN(engine::QueryResult r,
                       Run("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM stg.s.t FOR "
                           "VERSION AS OF " +
                           v1));
  EXPECT_EQ(r.rows[0][0], "1,2");
  // By time: now, and before the table had a snapshot (no such snapshot).
  ASSERT_OK_AND_ASSIGN(r, Run("SELECT count(*) FROM stg.S.t FOR SYSTEM_TIME AS OF "
                              "TIMESTAMP '2999-01-01 00:00:00' x"));
  EXPECT_EQ(r.rows[0][0], "2");
  EXPECT_THAT(Run("SELECT count(*) FROM stg.s.t FOR TIMESTAMP AS OF '2000-01-01'"),
              IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(r, Run("SELECT count(*) FROM stg.s.t"));
  EXPECT_EQ(r.rows[0][0], "2");
  // The source of a write may time travel too.
  ASSERT_OK(Run("INSERT INTO stg.s.t SELECT id FROM stg.s.t FOR VERSION AS OF " + v1).status());
  EXPECT_EQ(One("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM stg.s.t"), "1,2,2,3");
  EXPECT_THAT(Run("SELECT * FROM stg.s.t FOR VERSION AS OF 'x'"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Run("SELECT * FROM stg.s.t FOR VERSION AS OF 12345"), IsError(StatusCode::kNotFound));
}

TEST_F(LakeSqlTest, AlterTableEvolvesSchemaPropertiesAndPartitioning) {
  ASSERT_OK(Run("CREATE TABLE stg.s.t (id INTEGER NOT NULL, v VARCHAR)").status());
  ASSERT_OK(Run("INSERT INTO stg.s.t VALUES (1, 'a')").status());
  ASSERT_OK(Run("ALTER TABLE stg.s.t ADD COLUMN n DECIMAL(9, 2)").status());
  ASSERT_OK(Run("ALTER TABLE stg.s.t RENAME COLUMN v TO w").status());
  ASSERT_OK(Run("ALTER TABLE stg.s.t ALTER COLUMN id TYPE BIGINT").status());
  ASSERT_OK(Run("INSERT INTO stg.s.t VALUES (5000000000, 'b', 1.5)").status());
  EXPECT_EQ(One("SELECT string_agg(id || w || coalesce(n::VARCHAR, '-'), ',' ORDER BY id) "
                "FROM stg.s.t"),
            "1a-,5000000000b1.50");
  EXPECT_EQ(One("SELECT typeof(id) FROM stg.s.t LIMIT 1"), "BIGINT");
  ASSERT_OK(Run("ALTER TABLE stg.s.t DROP COLUMN n").status());
  EXPECT_EQ(One("SELECT count(*) FROM (DESCRIBE stg.s.t)"), "2");
  EXPECT_THAT(Run("ALTER TABLE stg.s.t ALTER COLUMN w TYPE INTEGER"),
              IsError(StatusCode::kInvalidArgument));  // not a widening
  ASSERT_OK(
      Run("ALTER TABLE stg.s.t SET PROPERTIES ('write.delete.mode' = 'merge-on-read')").status());
  ASSERT_OK(Run("ALTER TABLE stg.s.t ADD PARTITION FIELD bucket(4, id)").status());
  ASSERT_OK(Run("INSERT INTO stg.s.t VALUES (7, 'c')").status());
  EXPECT_EQ(One("SELECT count(*) FROM glob('" + lake_ + "/stg/s/t/data/id_bucket=*/*.parquet')"),
            "1");
  ASSERT_OK(Run("ALTER TABLE stg.s.t UNSET PROPERTIES ('write.delete.mode')").status());
  EXPECT_THAT(Run("ALTER TABLE stg.s.t UNSET PROPERTIES ('write.delete.mode')"),
              IsError(StatusCode::kNotFound));
  std::vector<std::string> kinds;
  for (const trail::Record& rec : TrailRecords()) {
    kinds.push_back(std::string(trail::RecordKindName(rec.kind)));
  }
  EXPECT_EQ(kinds, (std::vector<std::string>{"create", "append", "schema_change", "schema_change",
                                             "schema_change", "append", "schema_change",
                                             "properties_change", "partition_change", "append",
                                             "properties_change"}));
}

TEST_F(LakeSqlTest, BadStatementsFailClearlyAndChangeNothing) {
  ASSERT_OK(Run("CREATE TABLE stg.s.t (id BIGINT NOT NULL, v VARCHAR)").status());
  ASSERT_OK(Run("INSERT INTO stg.s.t VALUES (1, 'a'), (2, 'b')").status());
  const size_t records = TrailRecords().size();
  EXPECT_THAT(Run("DELETE FROM stg.s.nope WHERE id = 1"), IsError(StatusCode::kNotFound));
  EXPECT_THAT(Run("UPDATE stg.s.t SET nope = 1"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Run("INSERT INTO stg.s.t VALUES ('not a number', 'x')"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Run("INSERT INTO stg.s.t VALUES (NULL, 'x')"), IsError(StatusCode::kInvalidArgument));
  Result<engine::QueryResult> twice =
      Run("MERGE INTO stg.s.t t USING (SELECT 1 AS id UNION ALL SELECT 1) s ON t.id = s.id "
          "WHEN MATCHED THEN UPDATE SET v = 'z'");
  EXPECT_THAT(twice, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(twice.status().message(), HasSubstr("more than one source row"));
  for (const char* zone : {"trail", "stats", "log"}) {
    EXPECT_THAT(Run(StrCat("DELETE FROM ", zone, ".x.y WHERE true")),
                IsError(StatusCode::kPermissionDenied));
    EXPECT_THAT(Run(StrCat("DROP TABLE ", zone, ".x.y")), IsError(StatusCode::kPermissionDenied));
  }
  EXPECT_THAT(Run("CREATE TABLE queries.x.y (i INT)"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Run("CREATE TABLE stg.s.u (i INT) PARTITIONED BY (day(nope))"),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(TrailRecords().size(), records);
  EXPECT_EQ(One("SELECT string_agg(id || v, ',' ORDER BY id) FROM stg.s.t"), "1a,2b");
  // A statement on DuckDB's own tables is DuckDB's.
  ASSERT_OK(Run("CREATE TABLE mine (i INT)").status());
  ASSERT_OK(Run("INSERT INTO mine VALUES (1)").status());
  EXPECT_EQ(One("SELECT count(*) FROM mine"), "1");
}

// A DELETE and a MERGE read only the data files their condition may match (pruned by the
// column bounds in the manifests; a MERGE by its source's key range on the ON equality):
// with the other file gone from disk, both still run and change the right rows.
TEST_F(LakeSqlTest, DeleteAndMergeReadOnlyTheFilesTheirConditionMayMatch) {
  namespace fs = std::filesystem;
  ASSERT_OK(Run("CREATE TABLE prd.shop.items (id BIGINT, k INTEGER) WITH ('write.delete.mode' = "
                "'merge-on-read', 'write.merge.mode' = 'merge-on-read')")
                .status());
  ASSERT_OK(Run("INSERT INTO prd.shop.items SELECT range, 1 FROM range(1, 11)").status());
  const fs::path data = fs::path(lake_) / "prd" / "shop" / "items" / "data";
  std::set<fs::path> first{fs::directory_iterator(data), fs::directory_iterator()};
  ASSERT_EQ(first.size(), 1u);
  ASSERT_OK(Run("INSERT INTO prd.shop.items SELECT range, 2 FROM range(101, 111)").status());
  std::vector<fs::path> second;
  for (const fs::directory_entry& e : fs::directory_iterator(data)) {
    if (!first.count(e.path())) second.push_back(e.path());
  }
  ASSERT_EQ(second.size(), 1u);  // ids 101..110
  // The file of ids 101..110 becomes unreadable (the engine's view of the table still
  // binds: DuckDB opens a file's footer only when it reads it).
  const fs::path away = dir_.Join("away.parquet");
  fs::copy_file(second[0], away);
  atl::testing::WriteFile(second[0].string(), "not a parquet file");

  ASSERT_OK_AND_ASSIGN(engine::QueryResult r, Run("DELETE FROM prd.shop.items WHERE id = 3"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][3], "1");
  ASSERT_OK_AND_ASSIGN(r, Run("MERGE INTO prd.shop.items AS t USING (SELECT 5 AS id, 0 AS k "
                              "UNION ALL SELECT 7, 0) AS s ON t.id = s.id WHEN MATCHED THEN "
                              "UPDATE SET k = s.k"));
  ASSERT_EQ(r.rows.size(), 1u);
  EXPECT_EQ(r.rows[0][2], "2");
  EXPECT_EQ(r.rows[0][3], "2");

  fs::copy_file(away, second[0], fs::copy_options::overwrite_existing);
  EXPECT_EQ(
      One("SELECT string_agg(id || ':' || k, ',' ORDER BY id) FROM prd.shop.items WHERE id < 11"),
      "1:1,2:1,4:1,5:0,6:1,7:0,8:1,9:1,10:1");
  EXPECT_EQ(One("SELECT count(*) FROM prd.shop.items WHERE k = 2"), "10");
}

}  // namespace
}  // namespace atl::lake
