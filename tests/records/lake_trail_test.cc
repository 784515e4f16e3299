// The lake's trail: records of table commits (what DescribeCommit reads back), concurrent
// recorders, reconciliation after a crash in either direction, and the audit table.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <thread>

#include "atoll/engine/engine.h"
#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/records/audit_table.h"
#include "atoll/trail/hash.h"
#include "records/lake_trail_fixture.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::lake::testing::TrailLake;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;
using trail::Record;
using trail::RecordKind;

bool IsRecovered(const Record& r) {
  return std::find(r.fields.begin(), r.fields.end(),
                   std::pair<std::string, std::string>{"recovered", "true"}) != r.fields.end();
}

trail::Hash FileSha(const TrailLake& l, const std::string& location) {
  auto bytes = l.tables.io->Read(location);
  EXPECT_OK(bytes);
  return trail::Sha256(bytes.ok() ? *bytes : "");
}

engine::EngineOptions OneThread() {
  engine::EngineOptions o;
  o.threads = 1;
  return o;
}

ReconcileOptions DryRun() {
  ReconcileOptions o;
  o.dry_run = true;
  return o;
}

class LakeTrailTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(l_, TrailLake::Make(dir_.path()));
    ASSERT_OK_AND_ASSIGN(trail_, OpenLakeTrail(*l_->lake));
  }

  std::vector<Record> All() {
    auto r = trail_->Show({});
    EXPECT_OK(r);
    return r.ok() ? *r : std::vector<Record>{};
  }

  trail::VerifyReport Verify() {
    trail::VerifyOptions o;
    o.metadata_hasher = LakeMetadataHasher(l_->tables.io);
    auto r = trail_->Verify(o);
    EXPECT_OK(r);
    return r.ok() ? *r : trail::VerifyReport{};
  }

  TempDir dir_;
  std::unique_ptr<TrailLake> l_;
  std::unique_ptr<trail::Trail> trail_;
};

TEST_F(LakeTrailTest, TrailLivesInTheTrailZone) {
  EXPECT_EQ(trail_->RecordKey(0).substr(0, 14), l_->lake->settings().zones.trail + "/records/");
}

TEST_F(LakeTrailTest, RecordsDescribeEachCommit) {
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK_AND_ASSIGN(uint64_t s0, l_->Record(*trail_, t, std::nullopt, RecordKind::kCreate));
  ASSERT_OK_AND_ASSIGN(uint64_t s1, l_->AppendAndRecord(*trail_, t, "a", 1234));
  const int64_t first_snapshot = *t.metadata().current_snapshot_id;
  ASSERT_OK_AND_ASSIGN(uint64_t s2, l_->AppendAndRecord(*trail_, t, "b", 77));
  EXPECT_EQ(s0, 0u);
  EXPECT_EQ(s1, 1u);
  EXPECT_EQ(s2, 2u);

  std::vector<Record> rs = All();
  ASSERT_EQ(rs.size(), 3u);
  EXPECT_EQ(rs[0].kind, RecordKind::kCreate);
  EXPECT_FALSE(rs[0].snapshot_after.has_value());
  EXPECT_EQ(rs[1].kind, RecordKind::kAppend);
  EXPECT_FALSE(rs[1].snapshot_before.has_value());
  EXPECT_EQ(rs[1].snapshot_after, first_snapshot);
  ASSERT_EQ(rs[1].files_added.size(), 1u);
  EXPECT_EQ(rs[1].files_added[0].location, t.location() + "/data/a.parquet");
  EXPECT_EQ(rs[1].files_added[0].size, 1234u);
  EXPECT_EQ(rs[2].snapshot_before, first_snapshot);
  EXPECT_EQ(rs[2].snapshot_after, t.metadata().current_snapshot_id);
  EXPECT_EQ(rs[2].files_added[0].size, 77u);
  EXPECT_TRUE(rs[2].files_removed.empty());
  EXPECT_EQ(rs[2].metadata_location, t.metadata_location());
  EXPECT_EQ(rs[2].metadata_sha256, FileSha(*l_, t.metadata_location()));
  for (const Record& r : rs) {
    EXPECT_EQ(r.table, "stg.shop.orders");
    EXPECT_EQ(r.command, "atoll test");
    EXPECT_FALSE(IsRecovered(r));
  }

  trail::VerifyReport clean = Verify();
  EXPECT_TRUE(clean.ok()) << clean.Summary();
  EXPECT_EQ(clean.metadata_checked, 3u);

  // Replacing the recorded metadata file is found and named.
  const std::string location = t.metadata_location();
  ASSERT_OK(l_->tables.io->Write(location, "{\"format-version\": 2}"));
  trail::VerifyReport tampered = Verify();
  ASSERT_FALSE(tampered.ok());
  ASSERT_FALSE(tampered.problems.empty());
  EXPECT_THAT(tampered.problems[0], HasSubstr(location));
  EXPECT_THAT(tampered.problems[0], HasSubstr("record 2"));
  EXPECT_THAT(tampered.problems[0], HasSubstr("sha256 differs"));
}

TEST_F(LakeTrailTest, ConcurrentRecordersGetDistinctSequences) {
  constexpr int kThreads = 3, kEach = 10;
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK_AND_ASSIGN(TableChange change, DescribeCommit(t, std::nullopt, "atoll test"));
  std::vector<std::thread> threads;
  std::vector<std::vector<uint64_t>> got(kThreads);
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      // One Trail per thread, as separate processes would have.
      auto own = OpenLakeTrail(*l_->lake);
      ASSERT_OK(own);
      for (int j = 0; j < kEach; ++j) {
        TableChange c = change;
        c.fields = {{"writer", std::to_string(i)}};
        auto seq = RecordTableChange(**own, c);
        ASSERT_OK(seq);
        got[i].push_back(*seq);
      }
    });
  }
  for (auto& th : threads) th.join();
  std::set<uint64_t> all;
  for (const auto& g : got) all.insert(g.begin(), g.end());
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(*all.rbegin(), static_cast<uint64_t>(kThreads * kEach - 1));
  EXPECT_EQ(All().size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_TRUE(Verify().ok());
}

TEST_F(LakeTrailTest, ReconcileRecordsCommitsWhoseRecordIsMissing) {
  // Crash direction 1: the commit is durable, the process died before recording it.
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK(l_->Record(*trail_, t, std::nullopt, RecordKind::kCreate));
  ASSERT_OK(l_->AppendAndRecord(*trail_, t, "a", 100));
  const int64_t recorded_snapshot = *t.metadata().current_snapshot_id;
  ASSERT_OK(l_->Append(t, "b", 200));  // committed, not recorded
  const int64_t lost_snapshot = *t.metadata().current_snapshot_id;
  const std::string lost_append_metadata = t.metadata_location();
  ASSERT_OK(t.NewTransaction()
                .UpdateSchema([](iceberg::SchemaUpdate& u) {
                  u.AddColumn("", "note", iceberg::Type::String());
                })
                .Commit());  // committed, not recorded
  const std::string lost_schema_metadata = t.metadata_location();
  // Another table that never had a record.
  ASSERT_OK_AND_ASSIGN(iceberg::Table other, l_->Create("stg.shop.items"));
  ASSERT_OK(l_->Append(other, "c", 300));
  ASSERT_EQ(All().size(), 2u);

  ReconcileOptions skip = DryRun();
  skip.skip_zones = {"stg"};
  ASSERT_OK_AND_ASSIGN(ReconcileReport skipped,
                       ReconcileTrail(*l_->lake, l_->tables, *trail_, skip));
  EXPECT_EQ(skipped.tables, 0u);
  EXPECT_TRUE(skipped.added.empty());
  ASSERT_OK_AND_ASSIGN(ReconcileReport dry,
                       ReconcileTrail(*l_->lake, l_->tables, *trail_, DryRun()));
  EXPECT_EQ(dry.added.size(), 4u);
  EXPECT_EQ(All().size(), 2u);  // a dry run appends nothing

  ASSERT_OK_AND_ASSIGN(ReconcileReport report, ReconcileTrail(*l_->lake, l_->tables, *trail_));
  EXPECT_EQ(report.tables, 2u);
  std::vector<Record> rs = All();
  ASSERT_EQ(rs.size(), 6u);
  ASSERT_EQ(report.added.size(), 4u);
  for (size_t i = 2; i < rs.size(); ++i) {
    EXPECT_TRUE(IsRecovered(rs[i])) << trail::DescribeRecord(rs[i]);
    EXPECT_EQ(rs[i], report.added[i - 2]);
  }
  // Tables in name order: items first (create, append), then orders (append, schema).
  EXPECT_EQ(rs[2].table, "stg.shop.items");
  EXPECT_EQ(rs[2].kind, RecordKind::kCreate);
  EXPECT_EQ(rs[3].table, "stg.shop.items");
  EXPECT_EQ(rs[3].kind, RecordKind::kAppend);
  ASSERT_EQ(rs[3].files_added.size(), 1u);
  EXPECT_EQ(rs[3].files_added[0].size, 300u);
  EXPECT_EQ(rs[4].table, "stg.shop.orders");
  EXPECT_EQ(rs[4].kind, RecordKind::kAppend);
  EXPECT_EQ(rs[4].snapshot_before, recorded_snapshot);
  EXPECT_EQ(rs[4].snapshot_after, lost_snapshot);
  EXPECT_EQ(rs[4].metadata_location, lost_append_metadata);
  EXPECT_EQ(rs[4].metadata_sha256, FileSha(*l_, lost_append_metadata));
  ASSERT_EQ(rs[4].files_added.size(), 1u);
  EXPECT_EQ(rs[4].files_added[0].location, t.location() + "/data/b.parquet");
  EXPECT_EQ(rs[5].kind, RecordKind::kSchemaChange);
  EXPECT_EQ(rs[5].snapshot_before, lost_snapshot);
  EXPECT_EQ(rs[5].snapshot_after, lost_snapshot);
  EXPECT_EQ(rs[5].metadata_location, lost_schema_metadata);
  EXPECT_TRUE(rs[5].files_added.empty());
  EXPECT_TRUE(Verify().ok());

  // Nothing is missing any more.
  ASSERT_OK_AND_ASSIGN(ReconcileReport again, ReconcileTrail(*l_->lake, l_->tables, *trail_));
  EXPECT_TRUE(again.added.empty());
  EXPECT_EQ(All().size(), 6u);
}

TEST_F(LakeTrailTest, ReconcileWritesNoRecordForAChangeThatNeverCommitted) {
  // Crash direction 2: files written, the process died before the commit: no change, so
  // neither the command (which records after Commit) nor reconcile writes a record.
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK(l_->Record(*trail_, t, std::nullopt, RecordKind::kCreate));
  ASSERT_OK(l_->AppendAndRecord(*trail_, t, "a", 100));
  ASSERT_OK(l_->tables.io->Write(t.location() + "/data/orphan.parquet", std::string(50, 'y')));
  // A transaction that never commits (the crash happened before Commit()).
  { auto tx = t.NewTransaction(); }
  ASSERT_OK_AND_ASSIGN(ReconcileReport report, ReconcileTrail(*l_->lake, l_->tables, *trail_));
  EXPECT_EQ(report.tables, 1u);
  EXPECT_TRUE(report.added.empty());
  EXPECT_EQ(All().size(), 2u);
  EXPECT_TRUE(Verify().ok());
}

TEST_F(LakeTrailTest, ReconcileFallsBackToSnapshotsWhenMetadataFilesAreGone) {
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK(l_->Append(t, "a", 10));
  const int64_t first = *t.metadata().current_snapshot_id;
  const std::string first_metadata = t.metadata_location();
  ASSERT_OK(l_->Append(t, "b", 20));
  // Old metadata files deleted (write.metadata.delete-after-commit does this).
  for (const auto& entry : t.metadata().metadata_log)
    ASSERT_OK(l_->tables.io->Delete({entry.metadata_file}));
  ASSERT_OK_AND_ASSIGN(ReconcileReport report, ReconcileTrail(*l_->lake, l_->tables, *trail_));
  // The current file (append of b), then the snapshot of a from the snapshot list.
  ASSERT_EQ(report.added.size(), 2u);
  EXPECT_EQ(report.added[0].metadata_location, t.metadata_location());
  EXPECT_EQ(report.added[0].snapshot_after, t.metadata().current_snapshot_id);
  EXPECT_EQ(report.added[0].snapshot_before, first);
  EXPECT_EQ(report.added[1].snapshot_after, first);
  EXPECT_TRUE(report.added[1].metadata_location.empty());
  EXPECT_EQ(report.added[1].files_added.at(0).size, 10u);
  EXPECT_NE(first_metadata, t.metadata_location());
  EXPECT_TRUE(Verify().ok());
}

TEST_F(LakeTrailTest, SyncCopiesNewRecordsIntoTheAuditTableOnce) {
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK(l_->Record(*trail_, t, std::nullopt, RecordKind::kCreate));
  ASSERT_OK(l_->AppendAndRecord(*trail_, t, "a", 100));
  ASSERT_OK(l_->AppendAndRecord(*trail_, t, "b", 250));
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open(OneThread()));

  ASSERT_OK_AND_ASSIGN(SyncReport first, SyncTrailTable(*l_->lake, l_->tables, *trail_, *engine));
  EXPECT_EQ(first.appended, 3u);
  EXPECT_EQ(first.covered, 3u);
  ASSERT_OK_AND_ASSIGN(SyncReport none, SyncTrailTable(*l_->lake, l_->tables, *trail_, *engine));
  EXPECT_EQ(none.appended, 0u);
  EXPECT_EQ(none.covered, 3u);

  // Another commit on the audit table (as `atoll maintain` makes) whose snapshot lacks the
  // summary key: the covered size survives in the table property.
  {
    ASSERT_OK_AND_ASSIGN(iceberg::Table audit, LoadLakeTable(l_->tables, AuditTableId(*l_->lake)));
    ASSERT_OK(audit.NewTransaction().Append({}, {{"note", "other writer"}}).Commit());
    EXPECT_EQ(audit.metadata().CurrentSnapshot()->summary.count("atoll.trail.size"), 0u);
  }
  ASSERT_OK_AND_ASSIGN(SyncReport still, SyncTrailTable(*l_->lake, l_->tables, *trail_, *engine));
  EXPECT_EQ(still.appended, 0u);
  EXPECT_EQ(still.covered, 3u);

  ASSERT_OK(l_->AppendAndRecord(*trail_, t, "c", 1000));
  ASSERT_OK_AND_ASSIGN(SyncReport second, SyncTrailTable(*l_->lake, l_->tables, *trail_, *engine));
  EXPECT_EQ(second.appended, 1u);
  EXPECT_EQ(second.covered, 4u);

  // The audit table is a table of the lake, not recorded itself.
  ASSERT_OK_AND_ASSIGN(iceberg::Table audit, LoadLakeTable(l_->tables, AuditTableId(*l_->lake)));
  EXPECT_EQ(audit.id().ToString(), "trail.atoll.audit");
  EXPECT_EQ(audit.metadata().CurrentSnapshot()->summary.at("atoll.trail.size"), "4");
  EXPECT_EQ(audit.metadata().properties.at("atoll.trail.size"), "4");
  EXPECT_EQ(All().size(), 4u);
  ASSERT_OK_AND_ASSIGN(ReconcileReport rec, ReconcileTrail(*l_->lake, l_->tables, *trail_));
  EXPECT_TRUE(rec.added.empty());

  // Its rows, read back from the Parquet files: one per record, matching the trail.
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult rows,
      engine->Query("SELECT seq, operation, \"table\", files_added, bytes_added, record_hash, "
                    "epoch_ms(\"time\") FROM read_parquet(" +
                    engine::QuoteString(audit.location() + "/data/*.parquet") + ") ORDER BY seq"));
  std::vector<Record> rs = All();
  ASSERT_EQ(rows.rows.size(), rs.size());
  for (size_t i = 0; i < rs.size(); ++i) {
    const engine::Row& row = rows.rows[i];
    EXPECT_EQ(*row[0], std::to_string(i));
    EXPECT_EQ(*row[1], trail::RecordKindName(rs[i].kind));
    EXPECT_EQ(*row[2], "stg.shop.orders");
    EXPECT_EQ(*row[3], std::to_string(rs[i].files_added.size()));
    uint64_t bytes = 0;
    for (const auto& f : rs[i].files_added) bytes += f.size;
    EXPECT_EQ(*row[4], std::to_string(bytes));
    ASSERT_OK_AND_ASSIGN(std::string encoded, trail::EncodeRecord(rs[i]));
    EXPECT_EQ(*row[5], trail::ToHex(trail::LeafHash(encoded)));
    EXPECT_EQ(*row[6], std::to_string(rs[i].time_ms));
  }
}

TEST_F(LakeTrailTest, ConcurrentSyncsNeverDuplicateRows) {
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  for (int i = 0; i < 5; ++i)
    ASSERT_OK(l_->AppendAndRecord(*trail_, t, "f" + std::to_string(i), 10));
  // Create the audit table first so both syncs race on the append.
  ASSERT_OK_AND_ASSIGN(auto e0, engine::Engine::Open(OneThread()));
  ASSERT_OK(SyncTrailTable(*l_->lake, l_->tables, *trail_, *e0));
  for (int i = 5; i < 8; ++i)
    ASSERT_OK(l_->AppendAndRecord(*trail_, t, "f" + std::to_string(i), 10));
  std::vector<std::thread> threads;
  std::vector<uint64_t> appended(2);
  for (int i = 0; i < 2; ++i) {
    threads.emplace_back([&, i] {
      auto e = engine::Engine::Open(OneThread());
      ASSERT_OK(e);
      auto own = OpenLakeTrail(*l_->lake);
      ASSERT_OK(own);
      auto r = SyncTrailTable(*l_->lake, l_->tables, **own, **e);
      ASSERT_OK(r);
      appended[i] = r->appended;
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(appended[0] + appended[1], 3u);
  ASSERT_OK_AND_ASSIGN(iceberg::Table audit, LoadLakeTable(l_->tables, AuditTableId(*l_->lake)));
  ASSERT_OK_AND_ASSIGN(engine::QueryResult rows,
                       e0->Query("SELECT count(*), count(DISTINCT seq) FROM read_parquet(" +
                                 engine::QuoteString(audit.location() + "/data/*.parquet") + ")"));
  EXPECT_EQ(*rows.rows[0][0], "8");
  EXPECT_EQ(*rows.rows[0][1], "8");
}

}  // namespace
}  // namespace atl::lake
