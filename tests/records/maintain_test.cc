// lake::MaintainTable on a local lake whose table history the test writes with chosen
// snapshot times: the typed result of a dry run (nothing changes), of a real run (expired
// snapshots, deleted files, removed orphans, rewritten manifests) and of a missing table.
#include "atoll/records/maintain.h"

#include <chrono>
#include <filesystem>
#include <memory>

#include "atoll/common/clock.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::TempDir;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr int64_t kDay = 24LL * 3600 * 1000;

// A lake with stg.shop.orders: files a and b appended 10 days ago, a deleted 9 days ago,
// c appended an hour ago; an orphan 5 days old and one an hour old under data/.
class MaintainTableTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Lake::Init(dir_.Join("lake"), Settings{}));
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(dir_.Join("lake")));
    ASSERT_OK_AND_ASSIGN(tables_, OpenLakeTables(*lake_));
    ASSERT_OK(EnsureNamespace(*tables_.catalog, {"stg", "shop"}));
    auto clock = std::make_shared<int64_t>(SystemNowMs() - 10 * kDay);
    iceberg::CommitEnv env;
    env.now_ms = [clock] { return *clock; };
    iceberg::CreateTableOptions o;
    o.schema = iceberg::Schema(
        0, {iceberg::NestedField{1, "id", false, iceberg::Type::Long(), {}, {}, {}}});
    ASSERT_OK_AND_ASSIGN(iceberg::Table t,
                         iceberg::Table::Create(tables_.catalog, tables_.io, id_, o, env));
    location_ = t.location();
    auto file = [&](const std::string& f) {
      iceberg::DataFile d;
      d.file_path = location_ + "/data/" + f + ".parquet";
      d.file_format = "PARQUET";
      d.record_count = 1;
      d.file_size_in_bytes = 4;
      ::atl::testing::WriteFile(d.file_path, "rows");
      return d;
    };
    ASSERT_OK(t.NewTransaction().Append({file("a"), file("b")}).Commit());
    *clock += kDay;
    ASSERT_OK(t.NewTransaction().DeleteFiles({location_ + "/data/a.parquet"}).Commit());
    *clock = SystemNowMs() - 3600 * 1000;
    ASSERT_OK(t.NewTransaction().Append({file("c")}).Commit());
    Orphan("old-orphan", 5 * kDay);
    Orphan("young-orphan", 3600 * 1000);
  }

  void Orphan(const std::string& name, int64_t age_ms) {
    const std::string path = location_ + "/data/" + name + ".parquet";
    ::atl::testing::WriteFile(path, "junk");
    fs::last_write_time(path, fs::file_time_type::clock::now() - std::chrono::milliseconds(age_ms));
  }

  // Expire snapshots older than 7 days, orphans older than 3 days.
  MaintainOptions Options(bool dry_run) {
    const int64_t now = SystemNowMs();
    MaintainOptions o;
    o.dry_run = dry_run;
    o.rewrite = true;
    o.expire.now_ms = now;
    o.expire.older_than_ms = now - 7 * kDay;
    o.expire.dry_run = dry_run;
    o.orphans.now_ms = now;
    o.orphans.older_than_ms = now - 3 * kDay;
    o.orphans.dry_run = dry_run;
    return o;
  }

  std::string Data(const std::string& name) const { return location_ + "/data/" + name; }

  TempDir dir_;
  std::unique_ptr<Lake> lake_;
  LakeTables tables_;
  iceberg::TableIdentifier id_{{"stg", "shop"}, "orders"};
  std::string location_;
};

TEST_F(MaintainTableTest, DryRunReportsWhatWouldBeDoneAndChangesNothing) {
  const TableMaintenance r = MaintainTable(*lake_, tables_, id_, {id_}, Options(true));
  ASSERT_OK(r.status);
  EXPECT_EQ(r.table, "stg.shop.orders");
  ASSERT_TRUE(r.expire.has_value());
  EXPECT_EQ(r.expire->expired.expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(r.expire->expired.deleted_data_files, 1);
  EXPECT_EQ(r.expire->snapshots_left, 3);
  ASSERT_TRUE(r.rewrite.has_value());
  EXPECT_TRUE(r.rewrite->skipped_dry_run);
  ASSERT_TRUE(r.orphans.has_value());
  EXPECT_THAT(r.orphans->orphans.orphans, ElementsAre(Data("old-orphan.parquet")));
  EXPECT_EQ(r.orphans->orphans.too_young, 1);
  EXPECT_EQ(r.trail_error(), "");
  EXPECT_TRUE(fs::exists(Data("a.parquet")));
  EXPECT_TRUE(fs::exists(Data("old-orphan.parquet")));
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, LoadLakeTable(tables_, id_));
  EXPECT_EQ(t.metadata().snapshots.size(), 3u);
}

TEST_F(MaintainTableTest, ExpiresRewritesAndRemovesOldOrphans) {
  const TableMaintenance r = MaintainTable(*lake_, tables_, id_, {id_}, Options(false));
  ASSERT_OK(r.status);
  ASSERT_TRUE(r.expire && r.rewrite && r.orphans);
  EXPECT_EQ(r.expire->expired.expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(r.expire->snapshots_left, 1);
  EXPECT_FALSE(r.rewrite->skipped_dry_run);
  EXPECT_EQ(r.rewrite->rewritten.manifests_before, 2);
  EXPECT_EQ(r.rewrite->rewritten.manifests_after, 1);
  EXPECT_TRUE(r.rewrite->rewritten.snapshot_id.has_value());
  EXPECT_THAT(r.orphans->orphans.orphans, ElementsAre(Data("old-orphan.parquet")));
  EXPECT_FALSE(fs::exists(Data("a.parquet")));
  EXPECT_TRUE(fs::exists(Data("b.parquet")));
  EXPECT_FALSE(fs::exists(Data("old-orphan.parquet")));
  EXPECT_TRUE(fs::exists(Data("young-orphan.parquet")));
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, LoadLakeTable(tables_, id_));
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("total-data-files"), "2");
}

TEST_F(MaintainTableTest, AMissingTableFailsNamingItAndRunsNoStep) {
  const iceberg::TableIdentifier missing{{"stg", "shop"}, "nope"};
  const TableMaintenance r = MaintainTable(*lake_, tables_, missing, {id_}, Options(false));
  EXPECT_FALSE(r.status.ok());
  EXPECT_THAT(r.status.message(), HasSubstr("stg.shop.nope"));
  EXPECT_FALSE(r.expire.has_value());
  EXPECT_FALSE(r.orphans.has_value());
  EXPECT_TRUE(fs::exists(Data("old-orphan.parquet")));
}

}  // namespace
}  // namespace atl::lake
