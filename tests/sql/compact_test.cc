// Compaction (records/compact.h) and rollback (records/maintain.h) of lake tables written
// with SQL (LakeSql, as `atoll query` runs it): merge-on-read deletes applied, dangling
// deletes dropped, small files merged, the same rows before and after, a concurrent DELETE
// never undone, a concurrent append never a conflict; rollback to an older snapshot.
#include "atoll/records/compact.h"

#include <filesystem>
#include <set>

#include "atoll/iceberg/commit/row_delta.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/lake/lake.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/maintain.h"
#include "atoll/sql/lake_sql.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

const iceberg::TableIdentifier kOrders{{"prd", "shop"}, "orders"};

// format version (2: position delete files, 3: deletion vectors)
class CompactTest : public ::testing::TestWithParam<int> {
 protected:
  void SetUp() override {
    ASSERT_OK(Lake::Init(lake_, Settings{}));
    ASSERT_OK_AND_ASSIGN(session_, LakeSql::Open(lake_, ""));
    ASSERT_OK_AND_ASSIGN(lake_handle_, Lake::Open(lake_));
    ASSERT_OK_AND_ASSIGN(tables_, OpenLakeTables(*lake_handle_));
    ASSERT_OK_AND_ASSIGN(trail_, OpenLakeTrail(*lake_handle_));
  }

  Status Run(const std::string& statement) {
    ATOLL_ASSIGN_OR_RETURN(std::string sql, session_->Run(statement));
    return session_->engine().Query(sql).status();
  }
  std::string One(const std::string& query) {
    Result<engine::QueryResult> r = session_->engine().Query(query);
    EXPECT_OK(r.status());
    if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return "<none>";
    return *r->rows[0][0];
  }

  // prd.shop.orders in merge-on-read mode, partitioned by region, written by 4 INSERTs
  // (8 small files in 2 partitions) and 3 DELETEs (delete files on several of them).
  void MakeTable() {
    ASSERT_OK(
        Run(StrCat("CREATE TABLE prd.shop.orders (id BIGINT NOT NULL, region VARCHAR, "
                   "amount DOUBLE) PARTITIONED BY (region) WITH (format_version = ",
                   GetParam(), ", 'write.delete.mode' = 'merge-on-read')")));
    for (int i = 0; i < 4; ++i) {
      ASSERT_OK(Run(StrCat("INSERT INTO prd.shop.orders SELECT range + ", i * 100,
                           ", CASE WHEN range % 2 = 0 THEN 'eu' ELSE 'us' END, range * 1.5 "
                           "FROM range(50)")));
    }
    ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id % 7 = 0"));
    ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id BETWEEN 110 AND 130"));
    ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id = 301"));
  }

  // The table's rows now (read through its current metadata), into DuckDB table `name`.
  void Keep(const std::string& name) {
    ASSERT_OK(
        session_->engine().Execute(StrCat("CREATE OR REPLACE TEMP TABLE ", name,
                                          " AS SELECT * FROM iceberg_scan('prd/shop/orders')")));
  }
  // Rows in one and not the other, both ways (EXCEPT ALL): 0 when the same.
  std::string Difference(const std::string& kept) {
    const std::string now = "iceberg_scan('prd/shop/orders')";
    return One(StrCat("SELECT (SELECT count(*) FROM (SELECT * FROM ", kept, " EXCEPT ALL SELECT * ",
                      "FROM ", now, ")) + (SELECT count(*) FROM (SELECT * FROM ", now,
                      " EXCEPT ALL SELECT * FROM ", kept, "))"));
  }

  iceberg::Table Load() {
    Result<iceberg::Table> t = LoadLakeTable(tables_, kOrders);
    EXPECT_OK(t.status());
    return std::move(*t);
  }
  // The scan plan of the table's current snapshot (aborts the test binary when it fails).
  static iceberg::ScanPlan Plan(const iceberg::Table& t) {
    Result<iceberg::ScanPlan> p = iceberg::PlanScan(t.io(), t.metadata());
    EXPECT_OK(p.status());
    return std::move(p).value();
  }
  static size_t FilesWithDeletes(const iceberg::ScanPlan& plan, const std::string& region = "") {
    size_t n = 0;
    for (const iceberg::FileScanTask& t : plan.tasks) {
      if (!region.empty() && t.file.file_path.find("region=" + region) == std::string::npos)
        continue;
      if (!t.position_deletes.empty() || !t.equality_deletes.empty()) ++n;
    }
    return n;
  }
  std::vector<std::string> TrailKinds() {
    Result<std::vector<trail::Record>> records = trail_->Show({});
    EXPECT_OK(records.status());
    std::vector<std::string> kinds;
    for (const trail::Record& r : records.ok() ? *records : std::vector<trail::Record>{}) {
      if (r.table == kOrders.ToString()) kinds.push_back(std::string(RecordKindName(r.kind)));
    }
    return kinds;
  }

  TempDir dir_;
  std::string lake_ = dir_.Join("lake");
  std::unique_ptr<LakeSql> session_;
  std::unique_ptr<Lake> lake_handle_;
  LakeTables tables_;
  std::unique_ptr<trail::Trail> trail_;
};

TEST_P(CompactTest, AppliesDeletesMergesSmallFilesAndKeepsTheRows) {
  MakeTable();
  Keep("before");
  iceberg::Table table = Load();
  const iceberg::ScanPlan before = Plan(table);
  ASSERT_EQ(before.tasks.size(), 8u);
  ASSERT_GT(FilesWithDeletes(before), 0u);
  ASSERT_GT(before.counts.delete_files, 0);

  CompactOptions options;
  options.trail = trail_.get();
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.data_files_rewritten, 8);
  EXPECT_EQ(out.data_files_written, 2);  // one per region
  EXPECT_EQ(out.delete_files_removed, before.counts.delete_files);
  EXPECT_EQ(out.attempts, 1);
  ASSERT_TRUE(out.snapshot_id.has_value());
  EXPECT_EQ(out.trail_error, "");

  EXPECT_EQ(Difference("before"), "0");
  EXPECT_EQ(One("SELECT count(*) FROM before"), std::to_string(out.rows_written));
  iceberg::Table after = Load();
  EXPECT_EQ(after.metadata().CurrentSnapshot()->operation(), "replace");
  EXPECT_EQ(after.metadata().CurrentSnapshot()->snapshot_id, *out.snapshot_id);
  const iceberg::ScanPlan plan = Plan(after);
  EXPECT_EQ(plan.tasks.size(), 2u);
  EXPECT_EQ(plan.counts.delete_files, 0);
  EXPECT_EQ(FilesWithDeletes(plan), 0u);
  EXPECT_EQ(TrailKinds().back(), "compaction");

  // Nothing left to do: a second run commits nothing.
  ASSERT_OK_AND_ASSIGN(CompactOutcome again, CompactTable(session_->engine(), after, options));
  EXPECT_FALSE(again.snapshot_id.has_value());
  EXPECT_EQ(again.data_files_rewritten, 0);
}

TEST_P(CompactTest, WhereLimitsTheFilesAndTargetSizeKeepsBigFilesAlone) {
  MakeTable();
  Keep("before");
  iceberg::Table table = Load();
  ASSERT_GT(FilesWithDeletes(Plan(table), "us"), 0u);
  CompactOptions options;
  options.where = "region = 'eu'";
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.data_files_rewritten, 4);
  EXPECT_EQ(Difference("before"), "0");
  const iceberg::ScanPlan plan = Plan(Load());
  EXPECT_EQ(FilesWithDeletes(plan, "eu"), 0u);
  EXPECT_GT(FilesWithDeletes(plan, "us"), 0u);
  EXPECT_EQ(plan.tasks.size(), 5u);

  // With a target of 1 byte no file is small: only the files with deletes are rewritten.
  table = Load();
  options.where = "";
  options.target_file_size_bytes = 1;
  const size_t with_deletes = FilesWithDeletes(Plan(table));
  ASSERT_OK_AND_ASSIGN(out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.data_files_rewritten, static_cast<int64_t>(with_deletes));
  EXPECT_EQ(Difference("before"), "0");
  EXPECT_EQ(FilesWithDeletes(Plan(Load())), 0u);

  // iceberg_scan's data_files => reads only live data files of the snapshot.
  EXPECT_THAT(session_->engine()
                  .Query("SELECT * FROM iceberg_scan('prd/shop/orders', data_files => "
                         "'[\"/nowhere/x.parquet\"]')")
                  .status(),
              IsError(StatusCode::kNotFound));
  EXPECT_EQ(One(StrCat("SELECT count(*) FROM iceberg_scan('prd/shop/orders', data_files => '[",
                       "\"", Plan(Load()).tasks[0].file.file_path, "\"]')")),
            std::to_string(Plan(Load()).tasks[0].file.record_count));

  options.where = "no_such_column = 1";
  EXPECT_THAT(CompactTable(session_->engine(), table, options).status(),
              IsError(StatusCode::kInvalidArgument));
}

TEST_P(CompactTest, SmallFilesAreMergedOnlyIntoFewerFiles) {
  ASSERT_OK(Run(StrCat("CREATE TABLE prd.shop.orders (id BIGINT, name VARCHAR) WITH ",
                       "(format_version = ", GetParam(), ")")));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders SELECT range, 'n' || range FROM range(1000)"));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders SELECT range, 'm' || range FROM range(1000, 2000)"));
  Keep("before");
  iceberg::Table table = Load();
  int64_t bytes = 0;
  for (const iceberg::FileScanTask& t : Plan(table).tasks) bytes += t.file.file_size_in_bytes;
  // Both files are small for this target, but together they need two files of it.
  CompactOptions options;
  options.target_file_size_bytes = bytes * 9 / 10;
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.data_files_rewritten, 0);
  EXPECT_FALSE(out.snapshot_id.has_value());
  // With room for both in one file they are merged.
  options.target_file_size_bytes = bytes * 2;
  ASSERT_OK_AND_ASSIGN(out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.data_files_rewritten, 2);
  EXPECT_EQ(out.data_files_written, 1);
  EXPECT_EQ(Difference("before"), "0");
  EXPECT_EQ(Plan(Load()).tasks.size(), 1u);
}

TEST_P(CompactTest, DanglingDeleteFilesAreRemoved) {
  MakeTable();
  // Copy-on-write deletes of whole files leave the merge-on-read deletes of those files
  // applying to nothing.
  ASSERT_OK(
      Run("ALTER TABLE prd.shop.orders SET PROPERTIES ('write.delete.mode' = "
          "'copy-on-write')"));
  ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id >= 100 AND id < 200"));
  Keep("before");
  iceberg::Table table = Load();
  const iceberg::ScanPlan plan = Plan(table);
  std::set<std::string> attached;  // delete files that apply to some live data file
  for (const iceberg::FileScanTask& t : plan.tasks) {
    for (const iceberg::DataFile& d : t.position_deletes)
      attached.insert(iceberg::DeleteFileKey(d));
  }
  ASSERT_GT(plan.counts.delete_files, static_cast<int64_t>(attached.size()));
  CompactOptions options;
  options.target_file_size_bytes = 1;  // no small files: only deletes
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_GT(out.dangling_delete_files, 0);
  EXPECT_EQ(Difference("before"), "0");
  EXPECT_EQ(Plan(Load()).counts.delete_files, 0);
}

TEST_P(CompactTest, EqualityDeletesAreApplied) {
  ASSERT_OK(Run(StrCat("CREATE TABLE prd.shop.orders (id BIGINT, name VARCHAR) WITH ",
                       "(format_version = ", GetParam(), ")")));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders SELECT range, 'n' || range FROM range(10)"));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders SELECT range, 'm' || range FROM range(10, 20)"));
  // An equality delete file on id (as Flink or the Java API write them): ids 3 and 15.
  iceberg::Table table = Load();
  int32_t id_field = 0;
  for (const iceberg::NestedField& f : table.metadata().CurrentSchema()->fields()) {
    if (f.name == "id") id_field = f.id;
  }
  const std::string path = table.location() + "/data/eq-deletes.parquet";
  ASSERT_OK(session_->engine().Execute(
      StrCat("COPY (SELECT * FROM (VALUES (3::BIGINT), (15::BIGINT)) v(id)) TO '", path,
             "' (FORMAT parquet, FIELD_IDS {id: ", id_field, "})")));
  iceberg::DataFile eq;
  eq.content = iceberg::FileContent::kEqualityDeletes;
  eq.file_path = path;
  eq.file_format = "PARQUET";
  eq.record_count = 2;
  eq.file_size_in_bytes = static_cast<int64_t>(std::filesystem::file_size(path));
  eq.equality_ids = {id_field};
  iceberg::RowDelta delta;
  delta.added_deletes = {eq};
  delta.read_snapshot_id = table.metadata().current_snapshot_id;
  iceberg::Transaction tx = table.NewTransaction();
  tx.RowDelta(delta);
  ASSERT_OK(tx.Commit());
  ASSERT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders')"), "18");
  Keep("before");

  table = Load();
  ASSERT_EQ(FilesWithDeletes(Plan(table)), 2u);
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, {}));
  EXPECT_EQ(out.data_files_rewritten, 2);
  EXPECT_EQ(out.rows_written, 18);
  EXPECT_EQ(out.delete_files_removed, 1);
  EXPECT_EQ(Difference("before"), "0");
  const iceberg::ScanPlan plan = Plan(Load());
  EXPECT_EQ(plan.counts.delete_files, 0);
  EXPECT_EQ(plan.tasks.size(), 1u);
}

TEST_P(CompactTest, ADeleteCommittedDuringCompactionIsNotUndone) {
  MakeTable();
  iceberg::Table table = Load();
  int calls = 0;
  CompactOptions options;
  options.before_commit = [&]() -> Status {
    if (calls++ == 0) return Run("DELETE FROM prd.shop.orders WHERE id = 2");
    return Status::OK();
  };
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.attempts, 2);
  EXPECT_THAT(out.conflict, HasSubstr("committed after the snapshot this write read"));
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders') WHERE id = 2"), "0");
  EXPECT_EQ(FilesWithDeletes(Plan(Load())), 0u);

  // With one attempt the compaction fails and the DELETE stays.
  ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id = 4"));
  table = Load();
  const int64_t current = *table.metadata().current_snapshot_id;
  calls = 0;
  options.max_attempts = 1;
  options.before_commit = [&]() -> Status {
    return calls++ == 0 ? Run("DELETE FROM prd.shop.orders WHERE id = 6") : Status::OK();
  };
  EXPECT_THAT(CompactTable(session_->engine(), table, options).status(),
              IsError(StatusCode::kCommitConflict));
  iceberg::Table after = Load();
  EXPECT_NE(*after.metadata().current_snapshot_id, current);  // the DELETE's snapshot
  EXPECT_NE(after.metadata().CurrentSnapshot()->operation(), "replace");
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders') WHERE id IN (4, 6)"), "0");
}

TEST_P(CompactTest, AnAppendCommittedDuringCompactionDoesNotConflict) {
  MakeTable();
  iceberg::Table table = Load();
  CompactOptions options;
  options.before_commit = [&]() -> Status {
    return Run("INSERT INTO prd.shop.orders VALUES (1000, 'eu', 1), (1001, 'us', 2)");
  };
  Keep("before");
  ASSERT_OK_AND_ASSIGN(CompactOutcome out, CompactTable(session_->engine(), table, options));
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders') WHERE id >= 1000"), "2");
  EXPECT_EQ(One("SELECT count(*) FROM iceberg_scan('prd/shop/orders')"),
            std::to_string(out.rows_written + 2));
}

TEST_P(CompactTest, RollbackRestoresAnOlderSnapshotsRows) {
  ASSERT_OK(Run(
      StrCat("CREATE TABLE prd.shop.orders (id BIGINT) WITH (format_version = ", GetParam(), ")")));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders VALUES (1), (2), (3)"));
  Keep("before");
  const int64_t old = *Load().metadata().current_snapshot_id;
  ASSERT_OK(Run("DELETE FROM prd.shop.orders WHERE id = 2"));
  ASSERT_OK(Run("INSERT INTO prd.shop.orders VALUES (4)"));
  ASSERT_NE(Difference("before"), "0");

  ASSERT_OK_AND_ASSIGN(RollbackOutcome r,
                       RollbackTable(*lake_handle_, tables_, kOrders, old, trail_.get()));
  EXPECT_EQ(r.to, old);
  EXPECT_EQ(Difference("before"), "0");
  EXPECT_EQ(*Load().metadata().current_snapshot_id, old);
  EXPECT_EQ(TrailKinds().back(), "rollback");

  EXPECT_THAT(RollbackTable(*lake_handle_, tables_, kOrders, 12345, trail_.get()).status(),
              IsError(StatusCode::kNotFound));
  EXPECT_THAT(
      RollbackTable(*lake_handle_, tables_, {{"stats", "lake"}, "runs"}, old, nullptr).status(),
      IsError(StatusCode::kPermissionDenied));
}

INSTANTIATE_TEST_SUITE_P(FormatVersions, CompactTest, ::testing::Values(2, 3),
                         [](const auto& info) { return StrCat("v", info.param); });

}  // namespace
}  // namespace atl::lake
