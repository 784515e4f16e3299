// Table maintenance (maintenance.h): expiring snapshots by age and keep-last-N with the
// files only they reached deleted, orphan files removed after their grace period (in a
// MemoryStore and in a local directory), and manifests rewritten without changing the
// planned files.
#include "atoll/iceberg/commit/maintenance.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <thread>

#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/iceberg/scan/scan.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::MemoryCatalog;

using atl::testing::IsError;
using namespace atl::iceberg::testing;

const TableIdentifier kId{{"db"}, "t"};

int64_t WallMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A warehouse in a MemoryStore whose commits take their time from `clock_` (so snapshot
// ages are chosen by the test), with data files that really exist in the store.
class MaintenanceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>("wh");
    io_ = MountedIO(store_);
    catalog_ = std::make_shared<MemoryCatalog>("mem://wh");
    ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  }

  CommitEnv Env() {
    CommitEnv env;
    env.now_ms = [clock = clock_] { return *clock; };
    return env;
  }

  Table Create(std::map<std::string, std::string> props = {}, bool partitioned = false) {
    CreateTableOptions o;
    o.schema = TestSchema();
    o.properties = std::move(props);
    if (partitioned) o.partition = {UnboundPartitionField{{30}, "category", Transform::Identity()}};
    auto t = Table::Create(catalog_, io_, kId, o, Env());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }

  // A data file that exists in the store.
  DataFile File(const std::string& name, int64_t records = 10,
                std::optional<std::string> category = {}) {
    DataFile f = MakeFile(name, records, category);
    EXPECT_OK(io_->Write(f.file_path, "rows of " + name));
    return f;
  }

  // Commits `tx` at time `at`.
  void CommitAt(int64_t at, Transaction& tx) {
    *clock_ = at;
    ASSERT_OK(tx.Commit());
  }

  bool Exists(const std::string& location) { return io_->Head(location).ok(); }

  std::set<std::string> Keys(const std::string& prefix) {
    auto all = storage::ListAll(*store_, prefix);
    EXPECT_TRUE(all.ok()) << all.status().ToString();
    std::set<std::string> out;
    if (all.ok()) {
      for (const auto& o : *all) out.insert(o.key);
    }
    return out;
  }

  // Every file the table's snapshots reference, and every data file of its current plan,
  // exists; returns the planned data file paths.
  std::set<std::string> ExpectReadable(const Table& t) {
    auto refs = ReferencedFiles(*io_, t);
    EXPECT_TRUE(refs.ok()) << refs.status().ToString();
    if (refs.ok()) {
      for (const std::string& f : *refs) EXPECT_TRUE(Exists(f)) << f << " is missing";
    }
    auto plan = PlanScan(*io_, t.metadata());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    std::set<std::string> files;
    if (!plan.ok()) return files;
    for (const FileScanTask& task : plan->tasks) {
      EXPECT_TRUE(Exists(task.file.file_path)) << task.file.file_path << " is missing";
      files.insert(task.file.file_path);
    }
    return files;
  }

  std::vector<int64_t> SnapshotIds(const Table& t) {
    std::vector<int64_t> ids;
    for (const Snapshot& s : t.metadata().snapshots) ids.push_back(s.snapshot_id);
    return ids;
  }

  std::shared_ptr<int64_t> clock_ = std::make_shared<int64_t>(1'000'000);
  std::shared_ptr<storage::MemoryStore> store_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<MemoryCatalog> catalog_;
};

TEST_F(MaintenanceTest, ExpiresSnapshotsOlderThanTheCutoffOnly) {
  Table t = Create();
  for (int i = 1; i <= 5; ++i)
    CommitAt(i * 1000, t.NewTransaction().Append({File("f" + std::to_string(i))}));
  std::vector<int64_t> ids = SnapshotIds(t);
  ASSERT_EQ(ids.size(), 5u);
  std::vector<std::string> lists;
  for (const Snapshot& s : t.metadata().snapshots) lists.push_back(s.manifest_list);
  const std::string before = t.metadata_location();

  ExpireOptions o;
  o.older_than_ms = 3500;  // snapshots 1..3 are older
  o.now_ms = 10'000;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  std::vector<int64_t> oldest{ids[0], ids[1], ids[2]};
  std::sort(oldest.begin(), oldest.end());
  EXPECT_EQ(r.expired_snapshot_ids, oldest);
  EXPECT_NE(t.metadata_location(), before);
  EXPECT_EQ(SnapshotIds(t), (std::vector<int64_t>{ids[3], ids[4]}));
  ASSERT_OK_AND_ASSIGN(std::string pointer, catalog_->LoadMetadataLocation(kId));
  EXPECT_EQ(pointer, t.metadata_location());
  for (const SnapshotLogEntry& e : t.metadata().snapshot_log)
    EXPECT_NE(t.metadata().SnapshotById(e.snapshot_id), nullptr);
  // Appends keep every data file and manifest live: only the three manifest lists go.
  EXPECT_EQ(r.deleted_manifest_lists, 3);
  EXPECT_EQ(r.deleted_manifests, 0);
  EXPECT_EQ(r.deleted_data_files, 0);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(Exists(lists[i])) << lists[i];
  for (int i = 3; i < 5; ++i) EXPECT_TRUE(Exists(lists[i])) << lists[i];
  EXPECT_EQ(ExpectReadable(t).size(), 5u);
  EXPECT_TRUE(r.cleanup.ok()) << r.cleanup.ToString();
}

TEST_F(MaintenanceTest, RetainLastKeepsTheNewestAncestorsOfMain) {
  Table t = Create();
  for (int i = 1; i <= 5; ++i)
    CommitAt(i * 1000, t.NewTransaction().Append({File("f" + std::to_string(i))}));
  std::vector<int64_t> ids = SnapshotIds(t);
  ExpireOptions o;
  o.older_than_ms = 100'000;  // all are old
  o.retain_last = 3;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(SnapshotIds(t), (std::vector<int64_t>{ids[2], ids[3], ids[4]}));
  // Nothing left to expire with the same options; retain_last 0 is refused.
  ASSERT_OK_AND_ASSIGN(ExpireResult again, ExpireSnapshots(t, o));
  EXPECT_TRUE(again.expired_snapshot_ids.empty());
  o.retain_last = 0;
  EXPECT_THAT(ExpireSnapshots(t, o), IsError(StatusCode::kInvalidArgument));
}

TEST_F(MaintenanceTest, DeletesTheFilesOnlyExpiredSnapshotsReachAndTheTableStillReads) {
  Table t = Create();
  DataFile a = File("a"), b = File("b"), c = File("c"), d = File("d");
  CommitAt(1000, t.NewTransaction().Append({a, b}));
  CommitAt(2000, t.NewTransaction().Append({c}));
  CommitAt(3000, t.NewTransaction().DeleteFiles({a.file_path}));
  CommitAt(4000, t.NewTransaction().Replace({b.file_path}, {d}));
  ASSERT_OK_AND_ASSIGN(std::set<std::string> refs_before, ReferencedFiles(*io_, t));

  ExpireOptions o;
  o.older_than_ms = 5000;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 3u);
  ASSERT_EQ(t.metadata().snapshots.size(), 1u);
  EXPECT_EQ(r.deleted_data_files, 2);
  EXPECT_EQ(r.deleted_delete_files, 0);
  EXPECT_EQ(r.deleted_manifest_lists, 3);
  EXPECT_FALSE(Exists(a.file_path));
  EXPECT_FALSE(Exists(b.file_path));
  EXPECT_EQ(ExpectReadable(t), (std::set<std::string>{c.file_path, d.file_path}));
  // Every file the old snapshots referenced and the current one does not is gone.
  ASSERT_OK_AND_ASSIGN(std::set<std::string> refs_after, ReferencedFiles(*io_, t));
  for (const std::string& f : refs_before) {
    if (f.find(".metadata.json") != std::string::npos)
      continue;  // metadata files stay (metadata-log)
    EXPECT_EQ(Exists(f), refs_after.count(f) > 0) << f;
  }
  EXPECT_GT(r.deleted_manifests, 0);
  EXPECT_EQ(static_cast<int64_t>(r.deleted_files.size()),
            r.deleted_manifest_lists + r.deleted_manifests + r.deleted_data_files);
}

TEST_F(MaintenanceTest, BranchesAndTagsKeepTheirSnapshotsAndFiles) {
  Table t = Create();
  DataFile a = File("a"), b = File("b");
  CommitAt(1000, t.NewTransaction().Append({a}));
  const int64_t tagged = *t.metadata().current_snapshot_id;
  CommitAt(2000, t.NewTransaction().Append({b}));
  CommitAt(3000, t.NewTransaction().DeleteFiles({a.file_path}));
  SnapshotRef tag;
  tag.snapshot_id = tagged;
  tag.type = RefType::kTag;
  CommitAt(3500, t.NewTransaction().SetRef("v1", tag));
  ExpireOptions o;
  o.older_than_ms = 5000;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 1u);
  EXPECT_NE(t.metadata().SnapshotById(tagged), nullptr);
  EXPECT_EQ(r.deleted_data_files, 0);
  EXPECT_TRUE(Exists(a.file_path)) << "the tag still reads it";
  ScanOptions at_tag;
  at_tag.ref = "v1";
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(*io_, t.metadata(), at_tag));
  ASSERT_EQ(plan.tasks.size(), 1u);
  EXPECT_EQ(plan.tasks[0].file.file_path, a.file_path);
  ExpectReadable(t);
}

TEST_F(MaintenanceTest, DryRunReportsWithoutCommittingOrDeleting) {
  Table t = Create();
  DataFile a = File("a"), b = File("b");
  CommitAt(1000, t.NewTransaction().Append({a}));
  CommitAt(2000, t.NewTransaction().Overwrite({a.file_path}, {b}));
  const std::string before = t.metadata_location();
  ExpireOptions o;
  o.older_than_ms = 5000;
  o.dry_run = true;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 1u);
  EXPECT_EQ(r.deleted_data_files, 1);
  EXPECT_EQ(t.metadata_location(), before);
  EXPECT_EQ(t.metadata().snapshots.size(), 2u);
  for (const std::string& f : r.deleted_files) EXPECT_TRUE(Exists(f)) << f;
  EXPECT_TRUE(Exists(a.file_path));
}

TEST_F(MaintenanceTest, UnknownCommitOutcomeDeletesNothing) {
  Table t = Create();
  DataFile a = File("a"), b = File("b");
  CommitAt(1000, t.NewTransaction().Append({a}));
  CommitAt(2000, t.NewTransaction().Overwrite({a.file_path}, {b}));
  std::set<std::string> keys_before = Keys("");
  catalog_->InjectSwapFault(StatusCode::kUnknownOutcome, /*apply_first=*/false);
  ExpireOptions o;
  o.older_than_ms = 5000;
  EXPECT_THAT(ExpireSnapshots(t, o), IsError(StatusCode::kUnknownOutcome));
  std::set<std::string> keys_after = Keys("");
  for (const std::string& k : keys_before) EXPECT_TRUE(keys_after.count(k)) << k << " was deleted";
  EXPECT_TRUE(Exists(a.file_path));
  // The same happens when the swap landed: then the commit is known to have succeeded.
  catalog_->InjectSwapFault(StatusCode::kUnknownOutcome, /*apply_first=*/true);
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(r.expired_snapshot_ids.size(), 1u);
  EXPECT_FALSE(Exists(a.file_path));
  ExpectReadable(t);
}

TEST_F(MaintenanceTest, ConflictingCommitsAreRetriedOnTheNewMetadata) {
  Table t = Create();
  DataFile a = File("a"), b = File("b");
  CommitAt(1000, t.NewTransaction().Append({a}));
  CommitAt(2000, t.NewTransaction().Overwrite({a.file_path}, {b}));
  // Another writer appends after this Table was loaded; then the first swap also fails.
  ASSERT_OK_AND_ASSIGN(Table other, Table::Load(catalog_, io_, kId, Env()));
  DataFile c = File("c");
  CommitAt(3000, other.NewTransaction().Append({c}));
  catalog_->InjectSwapFault(StatusCode::kCommitConflict, /*apply_first=*/false);
  const int swaps = catalog_->swap_calls();
  ExpireOptions o;
  o.older_than_ms = 5000;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, o));
  EXPECT_EQ(catalog_->swap_calls(), swaps + 2);
  EXPECT_EQ(r.expired_snapshot_ids.size(), 2u);
  EXPECT_EQ(t.metadata().snapshots.size(), 1u);
  EXPECT_FALSE(Exists(a.file_path));
  EXPECT_EQ(ExpectReadable(t), (std::set<std::string>{b.file_path, c.file_path}));
}

TEST_F(MaintenanceTest, StatisticsFilesFollowTheirSnapshots) {
  Table t = Create();
  CommitAt(1000, t.NewTransaction().Append({File("a")}));
  const int64_t first = *t.metadata().current_snapshot_id;
  CommitAt(2000, t.NewTransaction().Append({File("b")}));
  const int64_t second = *t.metadata().current_snapshot_id;
  // Statistics entries for both snapshots (no Transaction API: a direct metadata commit).
  auto stats = [](int64_t id) {
    return "mem://wh/db/t/metadata/stats-" + std::to_string(id) + ".puffin";
  };
  for (int64_t id : {first, second}) ASSERT_OK(io_->Write(stats(id), "puffin"));
  AttemptFn add_stats = [&](const TableMetadata& base, const std::string& base_location, int,
                            WrittenFiles*) -> Result<AttemptResult> {
    TableMetadata m = base;
    for (int64_t id : {first, second}) {
      m.statistics->push_back(Json{{"snapshot-id", id},
                                   {"statistics-path", stats(id)},
                                   {"file-size-in-bytes", 6},
                                   {"file-footer-size-in-bytes", 0},
                                   {"blob-metadata", Json::array()}});
    }
    AttemptResult out;
    ATOLL_ASSIGN_OR_RETURN(out.metadata, TableMetadataBuilder(m).Build(2500, base_location));
    return out;
  };
  ASSERT_OK(CommitWithRetries(*catalog_, *io_, kId, t.metadata(), t.metadata_location(), Env(),
                              add_stats));
  ASSERT_OK(t.Refresh());
  ASSERT_EQ(t.metadata().statistics->size(), 2u);

  // Orphan removal keeps both statistics files.
  OrphanOptions orphans;
  orphans.older_than_ms = WallMs() + 60'000;
  ASSERT_OK_AND_ASSIGN(OrphanResult o, RemoveOrphanFiles(t, orphans));
  EXPECT_TRUE(o.orphans.empty());
  EXPECT_TRUE(Exists(stats(first)));

  ExpireOptions e;
  e.older_than_ms = 5000;
  ASSERT_OK_AND_ASSIGN(ExpireResult r, ExpireSnapshots(t, e));
  EXPECT_EQ(r.expired_snapshot_ids, std::vector<int64_t>{first});
  EXPECT_EQ(r.deleted_statistics_files, 1);
  EXPECT_FALSE(Exists(stats(first)));
  EXPECT_TRUE(Exists(stats(second)));
  ASSERT_EQ(t.metadata().statistics->size(), 1u);
  EXPECT_EQ(t.metadata().statistics.get()[0]["snapshot-id"].get<int64_t>(), second);
}

TEST_F(MaintenanceTest, RemovesOrphansOlderThanTheGraceAndKeepsYoungOnesAndEveryReferencedFile) {
  Table t = Create();
  *clock_ = WallMs();
  ASSERT_OK(t.NewTransaction().Append({File("a"), File("b")}).Commit());
  ASSERT_OK(t.NewTransaction().Append({File("c")}).Commit());
  ASSERT_OK(t.NewTransaction().SetProperties({{"k", "v"}}).Commit());
  ASSERT_OK(io_->Write("mem://wh/db/t/data/orphan.parquet", "x"));
  ASSERT_OK(io_->Write("mem://wh/db/t/metadata/stale-m0.avro", "x"));
  ASSERT_OK(io_->Write("mem://wh/db/other/keep.parquet", "x"));  // not under the table
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  const int64_t grace_end = WallMs();
  std::this_thread::sleep_for(std::chrono::milliseconds(30));
  ASSERT_OK(io_->Write("mem://wh/db/t/data/young.parquet", "x"));

  OrphanOptions o;
  o.older_than_ms = grace_end;
  o.dry_run = true;
  ASSERT_OK_AND_ASSIGN(OrphanResult dry, RemoveOrphanFiles(t, o));
  EXPECT_EQ(dry.orphans, (std::vector<std::string>{"mem://wh/db/t/data/orphan.parquet",
                                                   "mem://wh/db/t/metadata/stale-m0.avro"}));
  EXPECT_TRUE(Exists("mem://wh/db/t/data/orphan.parquet"));

  o.dry_run = false;
  ASSERT_OK_AND_ASSIGN(OrphanResult r, RemoveOrphanFiles(t, o));
  EXPECT_EQ(r.orphans, dry.orphans);
  EXPECT_EQ(r.too_young, 1);
  EXPECT_FALSE(Exists("mem://wh/db/t/data/orphan.parquet"));
  EXPECT_FALSE(Exists("mem://wh/db/t/metadata/stale-m0.avro"));
  EXPECT_TRUE(Exists("mem://wh/db/t/data/young.parquet"));
  EXPECT_TRUE(Exists("mem://wh/db/other/keep.parquet"));
  EXPECT_EQ(ExpectReadable(t).size(), 3u);
  for (const MetadataLogEntry& e : t.metadata().metadata_log) EXPECT_TRUE(Exists(e.metadata_file));
  EXPECT_TRUE(Exists("mem://wh/db/t/metadata/version-hint.text"));
}

TEST_F(MaintenanceTest, WithNoGraceAtAllOnlyReferencedFilesRemain) {
  Table t = Create();
  *clock_ = WallMs();
  ASSERT_OK(t.NewTransaction().Append({File("a"), File("b")}).Commit());
  ASSERT_OK(t.NewTransaction().DeleteFiles({MakeFile("a", 1).file_path}).Commit());
  ASSERT_OK(io_->Write("mem://wh/db/t/data/orphan.parquet", "x"));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  OrphanOptions o;
  o.older_than_ms = WallMs() + 60'000;  // everything counts as old
  ASSERT_OK_AND_ASSIGN(OrphanResult r, RemoveOrphanFiles(t, o));
  EXPECT_EQ(r.orphans, std::vector<std::string>{"mem://wh/db/t/data/orphan.parquet"});
  // What remains is exactly what the metadata names.
  ASSERT_OK_AND_ASSIGN(std::set<std::string> expected, ReferencedFiles(*io_, t));
  for (const MetadataLogEntry& e : t.metadata().metadata_log) expected.insert(e.metadata_file);
  expected.insert("mem://wh/db/t/metadata/version-hint.text");
  for (const Snapshot& s : t.metadata().snapshots) {
    ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, s));
    for (const Manifest& m : files.manifests) {
      for (const ManifestEntry& e : m.entries) expected.insert(e.data_file.file_path);
    }
  }
  std::set<std::string> remaining;
  for (const std::string& key : Keys("db/t/")) remaining.insert("mem://wh/" + key);
  EXPECT_EQ(remaining, expected);
  EXPECT_TRUE(Exists(MakeFile("a", 1).file_path)) << "the first snapshot still reads it";
  // Expiring the first snapshot releases it.
  ExpireOptions e;
  e.older_than_ms = WallMs() + 60'000;
  ASSERT_OK_AND_ASSIGN(ExpireResult er, ExpireSnapshots(t, e));
  EXPECT_EQ(er.deleted_data_files, 1);
  EXPECT_FALSE(Exists(MakeFile("a", 1).file_path));
  ExpectReadable(t);
}

TEST(MaintenanceLocalTest, OrphansInALocalDirectoryMatchFileUrisAndPlainPaths) {
  atl::testing::TempDir dir;
  const std::string root = dir.Join("wh");
  std::filesystem::create_directories(root);
  auto io = std::make_shared<FileIO>();  // local paths and file:// URIs: the local store at "/"
  auto catalog = std::make_shared<MemoryCatalog>(root);
  ASSERT_OK(catalog->CreateNamespace({"db"}, {}));
  CreateTableOptions co;
  co.schema = TestSchema();
  ASSERT_OK_AND_ASSIGN(Table t, Table::Create(catalog, io, kId, co));
  ASSERT_EQ(t.location(), root + "/db/t");
  DataFile f = MakeFile("a", 3);
  f.file_path = "file://" + root + "/db/t/data/a.parquet";  // written as a URI
  atl::testing::WriteFile(root + "/db/t/data/a.parquet", "rows");
  atl::testing::WriteFile(root + "/db/t/data/orphan.parquet", "junk");
  ASSERT_OK(t.NewTransaction().Append({f}).Commit());
  OrphanOptions o;
  o.older_than_ms = WallMs() + 60'000;
  ASSERT_OK_AND_ASSIGN(OrphanResult r, RemoveOrphanFiles(t, o));
  EXPECT_EQ(r.orphans, std::vector<std::string>{root + "/db/t/data/orphan.parquet"});
  EXPECT_TRUE(std::filesystem::exists(root + "/db/t/data/a.parquet"));
  EXPECT_FALSE(std::filesystem::exists(root + "/db/t/data/orphan.parquet"));
  EXPECT_TRUE(std::filesystem::exists(t.metadata_location()));
}

TEST_F(MaintenanceTest, RewriteManifestsReducesTheManifestCountAndKeepsThePlannedFiles) {
  Table t = Create({{"commit.manifest-merge.enabled", "false"}}, /*partitioned=*/true);
  for (int i = 0; i < 6; ++i) {
    std::string cat = i % 2 ? "x" : "y";
    CommitAt(1000 + i, t.NewTransaction().Append({File("f" + std::to_string(i), 10 + i, cat)}));
  }
  CommitAt(2000, t.NewTransaction().DeleteFiles({MakeFile("f0", 1).file_path}));
  ASSERT_OK_AND_ASSIGN(ScanPlan before, PlanScan(*io_, t.metadata()));
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files_before,
                       ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  ASSERT_EQ(files_before.list.manifests.size(), 6u);
  const int64_t parent = *t.metadata().current_snapshot_id;

  CommitAt(3000, t.NewTransaction().SetProperties({{"unrelated", "1"}}));
  ASSERT_OK_AND_ASSIGN(RewriteManifestsResult r, RewriteManifests(t));
  EXPECT_EQ(r.manifests_before, 6);
  EXPECT_EQ(r.manifests_after, 1);
  ASSERT_TRUE(r.snapshot_id.has_value());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->snapshot_id, *r.snapshot_id);
  EXPECT_EQ(s->parent_snapshot_id, parent);
  EXPECT_EQ(s->operation(), "replace");
  EXPECT_EQ(s->summary.at("total-data-files"), "5");
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files_after, ReadSnapshot(*io_, *s));
  ASSERT_EQ(files_after.list.manifests.size(), 1u);
  EXPECT_EQ(files_after.live, files_before.live);
  for (const ManifestEntry& e : files_after.manifests[0].entries)
    EXPECT_EQ(e.status, EntryStatus::kExisting);

  ASSERT_OK_AND_ASSIGN(ScanPlan after, PlanScan(*io_, t.metadata()));
  auto key = [](const ScanPlan& p) {
    std::map<std::string, std::pair<int64_t, int64_t>> out;  // path -> (data seq, records)
    for (const FileScanTask& task : p.tasks) {
      out[task.file.file_path] = {task.data_sequence_number, task.file.record_count};
    }
    return out;
  };
  EXPECT_EQ(key(after), key(before));
  EXPECT_EQ(after.tasks.size(), 5u);
  ExpectReadable(t);

  // Already minimal: nothing is committed.
  const std::string location = t.metadata_location();
  ASSERT_OK_AND_ASSIGN(RewriteManifestsResult again, RewriteManifests(t));
  EXPECT_FALSE(again.snapshot_id.has_value());
  EXPECT_EQ(again.manifests_before, 1);
  EXPECT_EQ(t.metadata_location(), location);
}

TEST_F(MaintenanceTest, RewriteManifestsKeepsSpecsApartAndRespectsTheTargetSize) {
  Table t = Create({{"commit.manifest-merge.enabled", "false"}});
  for (int i = 0; i < 4; ++i)
    CommitAt(1000 + i, t.NewTransaction().Append({File("u" + std::to_string(i))}));
  CommitAt(2000, t.NewTransaction().UpdateSpec(
                     {UnboundPartitionField{{3}, "category", Transform::Identity()}}));
  for (int i = 0; i < 3; ++i) {
    CommitAt(3000 + i, t.NewTransaction().Append({File("p" + std::to_string(i), 5, "x")}));
  }
  ASSERT_OK_AND_ASSIGN(ScanPlan before, PlanScan(*io_, t.metadata()));
  ASSERT_OK_AND_ASSIGN(RewriteManifestsResult r, RewriteManifests(t));
  EXPECT_EQ(r.manifests_before, 7);
  EXPECT_EQ(r.manifests_after, 2);
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  std::set<int32_t> specs;
  for (const ManifestFile& mf : files.list.manifests) specs.insert(mf.partition_spec_id);
  EXPECT_EQ(specs.size(), 2u);
  ASSERT_OK_AND_ASSIGN(ScanPlan after, PlanScan(*io_, t.metadata()));
  EXPECT_EQ(after.tasks.size(), before.tasks.size());

  // A target smaller than any manifest allows no merging: nothing is committed.
  Table t2 = std::move(t);
  RewriteManifestsOptions tiny;
  tiny.target_size_bytes = 1;
  ASSERT_OK_AND_ASSIGN(RewriteManifestsResult r2, RewriteManifests(t2, tiny));
  EXPECT_FALSE(r2.snapshot_id.has_value());
}

}  // namespace
}  // namespace atl::iceberg
