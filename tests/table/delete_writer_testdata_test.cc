// Deletes written by table/delete_writer.h for rows of the real Iceberg tables of
// ../shared/testdata/iceberg, found by iceberg_scan's row addresses, then applied by the scan
// SQL to the tables' own plans: on top of Spark's position delete files (v2) and merged with
// Impala's deletion vector (v3). Nothing is committed (that is the commit layer's part): the
// written files are attached to the planned tasks as a commit would. Skips when the folder is
// absent.
#include <algorithm>
#include <set>

#include "atoll/engine/engine.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/iceberg/scan/table_folder.h"
#include "atoll/table/delete_writer.h"
#include "atoll/table/iceberg_scan.h"
#include "atoll/table/iceberg_scan_sql.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using iceberg::DataFile;

class DeleteWriterTestdataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::optional<std::string> testdata = atl::testing::TestdataDir();
    if (!testdata) GTEST_SKIP() << "../shared/testdata is absent: real tables are not tested";
    root_ = *testdata + "/iceberg";
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(options));
    IcebergScanOptions scan;
    scan.root = root_;
    ASSERT_OK(RegisterIcebergScan(*engine_, scan));
  }

  std::string One(const std::string& sql) {
    Result<engine::QueryResult> r = engine_->Query(sql);
    EXPECT_OK(r);
    if (!r.ok() || r->rows.size() != 1 || r->rows[0].empty()) return "<no value>";
    return r->rows[0][0].value_or("NULL");
  }

  // Loads `table` and plans its current snapshot.
  void Load(const std::string& table) {
    ASSERT_OK_AND_ASSIGN(table_, iceberg::LoadTableFromLocation(io_, root_ + "/" + table));
    ASSERT_OK_AND_ASSIGN(plan_, iceberg::PlanScan(io_, table_.metadata));
    planned_ = DescribePlannedDeletes(*plan_);
    data_files_ = planned_.data_files;
  }

  // The SQL of plan_ (with whatever deletes its tasks now carry), read from the local copies.
  std::string ScanSql() {
    ScanSqlHooks hooks;
    hooks.readable_path = [this](std::string_view location) -> Result<std::string> {
      std::string mapped = io_.Map(location);
      if (mapped.starts_with("file://")) mapped = mapped.substr(7);
      return mapped;
    };
    hooks.read_deletion_vector = [this](const DataFile& dv) {
      return iceberg::ReadDeletionVector(io_, dv);
    };
    Result<std::string> sql = BuildScanSql(*plan_, table_.metadata, hooks);
    EXPECT_OK(sql);
    return sql.ok() ? "(" + *sql + ")" : "(SELECT 1)";
  }

  std::string root_;
  atl::testing::TempDir dir_;
  std::unique_ptr<engine::Engine> engine_;
  iceberg::FileIO io_;
  iceberg::FolderTable table_;
  std::optional<iceberg::ScanPlan> plan_;
  PlannedDeletes planned_;
  std::map<std::string, DeletedDataFile> data_files_;
};

TEST_F(DeleteWriterTestdataTest, PositionDeletesApplyOnTopOfSparksDeletes) {
  const std::string table = "duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table";
  const std::string scan = "iceberg_scan(" + engine::QuoteString(table) + ")";
  const std::string doomed = "(l_partkey_int % 3 = 0)";
  Load(table);
  ASSERT_EQ(One("SELECT count(*) FROM " + ScanSql()), "6592");
  EXPECT_FALSE(planned_.position_delete_files.empty());  // Spark's
  EXPECT_TRUE(planned_.deletion_vectors.empty());
  const std::string victims = One("SELECT count(*) FROM " + scan + " WHERE " + doomed);
  ASSERT_NE(victims, "0");

  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> files,
      WritePositionDeletes(*engine_,
                           "SELECT _atoll_file AS file_path, _atoll_pos AS pos FROM "
                           "iceberg_scan(" +
                               engine::QuoteString(table) + ", row_address => true) WHERE " +
                               doomed,
                           data_files_, dir_.Join("t")));
  ASSERT_FALSE(files.empty());
  int64_t written = 0;
  for (const WrittenDeleteFile& f : files) written += f.file.record_count;
  EXPECT_EQ(std::to_string(written), victims);
  // As a commit would: each file joins the tasks of its spec and partition.
  for (iceberg::FileScanTask& task : plan_->tasks) {
    for (const WrittenDeleteFile& f : files) {
      if (f.spec_id == task.spec_id && f.file.partition == task.file.partition) {
        task.position_deletes.push_back(f.file);
      }
    }
  }
  const std::string after = ScanSql();
  EXPECT_EQ(One("SELECT count(*) FROM " + after + " WHERE " + doomed), "0");
  EXPECT_EQ(One("SELECT count(*) FROM " + after), std::to_string(6592 - std::stoll(victims)));
  // Exactly the other rows are left, Spark's own deletes still applied.
  const std::string kept = "(SELECT * FROM " + scan + " WHERE " + doomed + " IS NOT TRUE)";
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT * FROM " + after + " EXCEPT ALL SELECT * FROM " +
                kept + ")"),
            "0");
  EXPECT_EQ(One("SELECT count(*) FROM (SELECT * FROM " + kept + " EXCEPT ALL SELECT * FROM " +
                after + ")"),
            "0");
}

TEST_F(DeleteWriterTestdataTest, DeletionVectorsMergeWithImpalasVectors) {
  const std::string table = "impala/iceberg_v3_deletion_vectors";
  Load(table);
  // The data files carrying Impala's DVs, and the positions those hold.
  const std::map<std::string, DataFile>& existing = planned_.deletion_vectors;
  EXPECT_TRUE(planned_.position_delete_files.empty());
  EXPECT_EQ(planned_.data_files.size(), plan_->tasks.size());
  std::map<std::string, std::vector<int64_t>> old_positions;
  for (const auto& [path, dv] : existing) {
    ASSERT_OK_AND_ASSIGN(old_positions[path], iceberg::ReadDeletionVector(io_, dv));
  }
  ASSERT_EQ(existing.size(), 2u);  // EXPECTED.md: 2 DV entries
  const std::string before = One("SELECT count(*) FROM " + ScanSql());
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult visible,
      engine_->Query("SELECT _atoll_file, _atoll_pos, i FROM iceberg_scan(" +
                     engine::QuoteString(table) + ", row_address => true) ORDER BY i"));
  // Delete the first visible row of every data file that has one.
  std::map<std::string, std::vector<int64_t>> positions;
  std::set<std::string> doomed;
  for (const engine::Row& row : visible.rows) {
    if (positions.count(*row[0])) continue;
    positions[*row[0]].push_back(std::stoll(*row[1]));
    doomed.insert(*row[2]);
  }
  ASSERT_FALSE(positions.empty());
  // Impala's DVs hide the only rows of their files: those files get no new position, but
  // their DVs go through the merge (read, re-encoded into the new Puffin file).
  for (const auto& [path, dv] : existing) positions[path];
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> dvs,
                       WriteDeletionVectors(io_, dir_.Join("t"), positions, existing, data_files_));
  ASSERT_EQ(dvs.size(), positions.size());
  for (const WrittenDeleteFile& dv : dvs) {
    ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got, iceberg::ReadDeletionVector(io_, dv.file));
    std::vector<int64_t> want = positions[*dv.file.referenced_data_file];
    const std::vector<int64_t>& old = old_positions[*dv.file.referenced_data_file];
    want.insert(want.end(), old.begin(), old.end());
    std::sort(want.begin(), want.end());
    EXPECT_EQ(got, want) << *dv.file.referenced_data_file;
    EXPECT_EQ(dv.file.record_count, static_cast<int64_t>(want.size()));
  }
  // As a commit would: each new DV replaces the file's old one.
  for (iceberg::FileScanTask& task : plan_->tasks) {
    for (const WrittenDeleteFile& dv : dvs) {
      if (*dv.file.referenced_data_file == task.file.file_path) task.position_deletes = {dv.file};
    }
  }
  const std::string after = ScanSql();
  EXPECT_EQ(One("SELECT count(*) FROM " + after),
            std::to_string(std::stoll(before) - static_cast<int64_t>(doomed.size())));
  std::string doomed_list;
  for (const std::string& i : doomed) doomed_list += (doomed_list.empty() ? "" : ", ") + i;
  EXPECT_EQ(One("SELECT count(*) FROM " + after + " WHERE i IN (" + doomed_list + ")"), "0");
}

}  // namespace
}  // namespace atl::table
