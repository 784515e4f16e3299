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

}  // namespace
}  // namespace atl::cli
