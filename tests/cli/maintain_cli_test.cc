// `atoll maintain` as a user runs it, on a local lake whose table history is written by
// the test with chosen snapshot times: dry run, expiry by age with the files only old
// snapshots used deleted, orphans older than the grace removed, every table of a lake.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/common/clock.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

using ::atl::cli::testing::RunAtoll;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr int64_t kDay = 24LL * 3600 * 1000;

iceberg::Schema OneColumn() {
  return iceberg::Schema(0,
                         {iceberg::NestedField{1, "id", false, iceberg::Type::Long(), {}, {}, {}}});
}

// A lake with table stg.shop.<name> whose history is: files a and b appended 10 days ago,
// a deleted 9 days ago, c appended an hour ago. Data files exist on disk.
class MaintainCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    ASSERT_OK(lake::Lake::Init(lake_, lake::Settings{}));
  }

  std::string MakeTable(const std::string& name, const iceberg::Namespace& ns = {"stg", "shop"}) {
    auto lake = lake::Lake::Open(lake_);
    EXPECT_OK(lake);
    auto tables = lake::OpenLakeTables(**lake);
    EXPECT_OK(tables);
    EXPECT_OK(lake::EnsureNamespace(*tables->catalog, ns));
    auto clock = std::make_shared<int64_t>(SystemNowMs() - 10 * kDay);
    iceberg::CommitEnv env;
    env.now_ms = [clock] { return *clock; };
    iceberg::CreateTableOptions o;
    o.schema = OneColumn();
    auto t = iceberg::Table::Create(tables->catalog, tables->io, {ns, name}, o, env);
    EXPECT_OK(t);
    const std::string location = t->location();
    auto file = [&](const std::string& f) {
      iceberg::DataFile d;
      d.file_path = location + "/data/" + f + ".parquet";
      d.file_format = "PARQUET";
      d.record_count = 1;
      d.file_size_in_bytes = 4;
      ::atl::testing::WriteFile(d.file_path, "rows");
      return d;
    };
    EXPECT_OK(t->NewTransaction().Append({file("a"), file("b")}).Commit());
    *clock += kDay;
    EXPECT_OK(t->NewTransaction().DeleteFiles({location + "/data/a.parquet"}).Commit());
    *clock = SystemNowMs() - 3600 * 1000;
    EXPECT_OK(t->NewTransaction().Append({file("c")}).Commit());
    return location;
  }

  // An unreferenced file under the table, last modified `age_ms` ago.
  void Orphan(const std::string& path, int64_t age_ms) {
    ::atl::testing::WriteFile(path, "junk");
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::milliseconds(age_ms));
  }

  TempDir dir_;
  std::string lake_;
};

TEST_F(MaintainCliTest, DryRunThenExpiresByAgeAndRemovesOldOrphans) {
  const std::string t = MakeTable("orders");
  Orphan(t + "/data/old-orphan.parquet", 5 * kDay);
  Orphan(t + "/data/young-orphan.parquet", 3600 * 1000);

  auto dry = RunAtoll(
      {"maintain", lake_, "stg.shop.orders", "--expire-older-than", "7d", "--dry-run", "--json"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  auto d = nlohmann::json::parse(dry.out);
  ASSERT_EQ(d["tables"].size(), 1u);
  EXPECT_EQ(d["tables"][0]["expire"]["expired_snapshots"], 2);
  EXPECT_EQ(d["tables"][0]["expire"]["deleted_data_files"], 1);
  EXPECT_EQ(d["tables"][0]["orphans"]["files"],
            nlohmann::json::array({t + "/data/old-orphan.parquet"}));
  EXPECT_TRUE(fs::exists(t + "/data/a.parquet"));
  EXPECT_TRUE(fs::exists(t + "/data/old-orphan.parquet"));

  auto run =
      RunAtoll({"maintain", lake_, "stg.shop.orders", "--expire-older-than", "7d", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = nlohmann::json::parse(run.out);
  const auto& table = r["tables"][0];
  EXPECT_EQ(table["table"], "stg.shop.orders");
  EXPECT_EQ(table["expire"]["expired_snapshots"], 2);
  EXPECT_EQ(table["expire"]["snapshots_left"], 1);
  EXPECT_EQ(table["orphans"]["removed"], 1);
  EXPECT_EQ(table["orphans"]["too_young"], 1);
  EXPECT_FALSE(fs::exists(t + "/data/a.parquet"));
  EXPECT_TRUE(fs::exists(t + "/data/b.parquet"));
  EXPECT_TRUE(fs::exists(t + "/data/c.parquet"));
  EXPECT_FALSE(fs::exists(t + "/data/old-orphan.parquet"));
  EXPECT_TRUE(fs::exists(t + "/data/young-orphan.parquet"));

  // The table still loads with its current files.
  auto lake = lake::Lake::Open(lake_);
  ASSERT_OK(lake);
  ASSERT_OK_AND_ASSIGN(lake::LakeTables tables, lake::OpenLakeTables(**lake));
  ASSERT_OK_AND_ASSIGN(iceberg::Table loaded,
                       lake::LoadLakeTable(tables, {{"stg", "shop"}, "orders"}));
  EXPECT_EQ(loaded.metadata().snapshots.size(), 1u);
  EXPECT_EQ(loaded.metadata().CurrentSnapshot()->summary.at("total-data-files"), "2");
}

TEST_F(MaintainCliTest, WithoutATableMaintainsEveryTableAndRewritesManifests) {
  MakeTable("orders");
  MakeTable("customers");
  auto run = RunAtoll({"maintain", lake_, "--retain-last", "2", "--expire-older-than", "1d",
                       "--rewrite-manifests"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("stg.shop.customers: 1 snapshot(s) expired (2 left)"));
  EXPECT_THAT(run.out, HasSubstr("stg.shop.orders: 1 snapshot(s) expired (2 left)"));
  EXPECT_THAT(run.out, HasSubstr("manifests 2 -> 1"));
}

TEST_F(MaintainCliTest, TablesNestedInATableFolderAreNotOrphans) {
  const std::string outer = MakeTable("orders");
  const std::string inner = MakeTable("items", {"stg", "shop", "orders"});
  ASSERT_EQ(inner.rfind(outer + "/", 0), 0u) << inner;
  Orphan(outer + "/data/old-orphan.parquet", 5 * kDay);
  size_t inner_files = 0;
  for (const auto& e : fs::recursive_directory_iterator(inner)) {
    if (!e.is_regular_file()) continue;
    fs::last_write_time(e.path(), fs::file_time_type::clock::now() - std::chrono::hours(24 * 5));
    ++inner_files;
  }
  ASSERT_GT(inner_files, 5u);
  auto run = RunAtoll({"maintain", lake_, "stg.shop.orders", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = nlohmann::json::parse(run.out);
  EXPECT_EQ(r["tables"][0]["orphans"]["files"],
            nlohmann::json::array({outer + "/data/old-orphan.parquet"}));
  EXPECT_EQ(r["tables"][0]["orphans"]["other_tables"], inner_files);
  size_t left = 0;
  for (const auto& e : fs::recursive_directory_iterator(inner)) left += e.is_regular_file() ? 1 : 0;
  EXPECT_EQ(left, inner_files);
}

TEST_F(MaintainCliTest, BadArgumentsAreReported) {
  MakeTable("orders");
  auto bad = RunAtoll({"maintain", lake_, "--expire-older-than", "7 days"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("duration"));
  auto missing = RunAtoll({"maintain", lake_, "stg.shop.nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_THAT(missing.err, HasSubstr("does not exist"));
  auto zero = RunAtoll({"maintain", lake_, "--retain-last", "0"});
  EXPECT_EQ(zero.exit_code, 2);
}

// A merge-on-read table written with `atoll query`: 3 INSERTs (3 small files), 2 DELETEs.
std::string QueryCsv(const std::string& lake, const std::string& sql) {
  auto run = RunAtoll({"query", lake, sql, "--format", "csv"});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  return run.out;
}

void MakeSqlTable(const std::string& lake) {
  QueryCsv(lake,
           "CREATE TABLE stg.shop.sales (id BIGINT, amount DOUBLE) WITH "
           "('write.delete.mode' = 'merge-on-read')");
  for (int i = 0; i < 3; ++i) {
    QueryCsv(lake, "INSERT INTO stg.shop.sales SELECT range + " + std::to_string(i * 10) +
                       ", range FROM range(10)");
  }
  QueryCsv(lake, "DELETE FROM stg.shop.sales WHERE id % 3 = 0");
  QueryCsv(lake, "DELETE FROM stg.shop.sales WHERE id = 11");
}

TEST_F(MaintainCliTest, CompactAppliesDeletesMergesSmallFilesAndIsInTheTrail) {
  MakeSqlTable(lake_);
  const std::string rows = QueryCsv(lake_, "SELECT id, amount FROM stg.shop.sales ORDER BY id");
  auto dry = RunAtoll({"maintain", lake_, "stg.shop.sales", "--compact", "--dry-run"});
  ASSERT_EQ(dry.exit_code, 0) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("3 data file(s)"));
  EXPECT_THAT(dry.out, HasSubstr("would be compacted"));

  auto run = RunAtoll({"maintain", lake_, "stg.shop.sales", "--compact", "--json"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  auto r = nlohmann::json::parse(run.out);
  const auto& c = r["tables"][0]["compact"];
  EXPECT_EQ(c["data_files_rewritten"], 3);
  EXPECT_EQ(c["data_files_written"], 1);
  EXPECT_GE(c["delete_files_removed"].get<int>(), 2);
  EXPECT_EQ(c["rows_written"], 19);
  EXPECT_FALSE(c["snapshot_id"].is_null());
  EXPECT_EQ(QueryCsv(lake_, "SELECT id, amount FROM stg.shop.sales ORDER BY id"), rows);

  auto lake = lake::Lake::Open(lake_);
  ASSERT_OK(lake);
  ASSERT_OK_AND_ASSIGN(lake::LakeTables tables, lake::OpenLakeTables(**lake));
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, lake::LoadLakeTable(tables, {{"stg", "shop"}, "sales"}));
  EXPECT_EQ(t.metadata().CurrentSnapshot()->operation(), "replace");
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.count("total-delete-files") == 0 ||
                t.metadata().CurrentSnapshot()->summary.at("total-delete-files") == "0",
            true);
  auto trail = RunAtoll({"trail", "show", lake_});
  EXPECT_THAT(trail.out, HasSubstr("compaction"));

  // Options of compaction need --compact; a bad filter is a clear error.
  auto where = RunAtoll({"maintain", lake_, "--where", "id = 1"});
  EXPECT_EQ(where.exit_code, 1);
  EXPECT_THAT(where.err, HasSubstr("--where needs --compact"));
  auto bad = RunAtoll({"maintain", lake_, "stg.shop.sales", "--compact", "--where", "nope = 1"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("nope"));
}

TEST_F(MaintainCliTest, RollbackToAnOlderSnapshot) {
  MakeSqlTable(lake_);
  auto lake = lake::Lake::Open(lake_);
  ASSERT_OK(lake);
  ASSERT_OK_AND_ASSIGN(lake::LakeTables tables, lake::OpenLakeTables(**lake));
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, lake::LoadLakeTable(tables, {{"stg", "shop"}, "sales"}));
  // The snapshot of the last INSERT, before the DELETEs: 30 rows.
  const iceberg::Snapshot* s = t.metadata().CurrentSnapshot();
  s = t.metadata().SnapshotById(*s->parent_snapshot_id);
  s = t.metadata().SnapshotById(*s->parent_snapshot_id);
  const std::string id = std::to_string(s->snapshot_id);

  auto run = RunAtoll({"maintain", lake_, "stg.shop.sales", "--rollback-to", id});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_THAT(run.out, HasSubstr("-> " + id));
  EXPECT_EQ(QueryCsv(lake_, "SELECT count(*) AS n FROM stg.shop.sales"), "n\n30\n");
  auto trail = RunAtoll({"trail", "show", lake_});
  EXPECT_THAT(trail.out, HasSubstr("rollback"));

  auto unknown = RunAtoll({"maintain", lake_, "stg.shop.sales", "--rollback-to", "42"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("has no snapshot 42"));
  auto no_table = RunAtoll({"maintain", lake_, "--rollback-to", id});
  EXPECT_EQ(no_table.exit_code, 1);
  EXPECT_THAT(no_table.err, HasSubstr("exactly one TABLE"));
}

}  // namespace
}  // namespace atl::cli
