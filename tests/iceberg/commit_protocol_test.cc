// The commit protocol (commit.h): concurrent writers, injected failures at every step,
// unknown outcomes, retry limits, and the same with the in-bucket catalog.
#include <gtest/gtest.h>

#include <thread>

#include "atoll/catalog/in_bucket_catalog.h"
#include "atoll/iceberg/commit/maintenance.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/storage/fault_store.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::InBucketCatalog;
using catalog::InBucketCatalogOptions;
using catalog::MemoryCatalog;

using atl::testing::IsError;
using namespace atl::iceberg::testing;
using storage::FaultKind;
using storage::FaultOp;
using storage::FaultRule;

const TableIdentifier kId{{"db"}, "t"};

CommitEnv FastEnv() {
  CommitEnv env;
  env.sleep = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(std::min(d, std::chrono::milliseconds(2)));
  };
  return env;
}

// A warehouse whose files and (for the in-bucket catalog) pointers go through a FaultStore.
class CommitTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    memory_ = std::make_shared<storage::MemoryStore>("wh");
    faults_ = std::make_shared<storage::FaultStore>(memory_);
    io_ = MountedIO(faults_);
    if (GetParam()) {
      InBucketCatalogOptions o;
      o.probe = false;
      o.warehouse_uri = "mem://wh";
      auto c = InBucketCatalog::Open(faults_, "", o);
      ASSERT_TRUE(c.ok()) << c.status().ToString();
      catalog_ = std::shared_ptr<Catalog>(std::move(*c));
    } else {
      memory_catalog_ = std::make_shared<MemoryCatalog>("mem://wh");
      catalog_ = memory_catalog_;
    }
    ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
    CreateTableOptions o;
    o.schema = TestSchema();
    o.properties = {{"commit.retry.num-retries", "50"},
                    {"commit.manifest.min-count-to-merge", "4"}};
    ASSERT_OK_AND_ASSIGN(Table t, Table::Create(catalog_, io_, kId, o, FastEnv()));
    ASSERT_OK(t.NewTransaction().Append({MakeFile("base", 5)}).Commit());
  }

  Table Load() {
    auto t = Table::Load(catalog_, io_, kId, FastEnv());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }

  // The table loads, every file it references exists, and it holds `live`.
  void ExpectIntact(const std::multiset<std::string>& live) {
    faults_->ClearRules();
    Table t = Load();
    auto refs = ReferencedFiles(*io_, t);
    ASSERT_TRUE(refs.ok()) << refs.status().ToString();
    for (const std::string& f : *refs) EXPECT_TRUE(io_->Head(f).ok()) << f << " is missing";
    auto files = ReadSnapshot(*io_, *t.metadata().CurrentSnapshot());
    ASSERT_TRUE(files.ok()) << files.status().ToString();
    EXPECT_EQ(files->live, live);
  }

  std::shared_ptr<storage::MemoryStore> memory_;
  std::shared_ptr<storage::FaultStore> faults_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<MemoryCatalog> memory_catalog_;
  std::shared_ptr<Catalog> catalog_;
};

TEST_P(CommitTest, ConcurrentWritersAllLandThroughRetries) {
  constexpr int kWriters = 3, kAppends = 8;
  std::vector<std::thread> threads;
  std::vector<Status> results(kWriters * kAppends);
  std::atomic<int> retries{0};
  // Every writer loads the table first: all but one start from a stale base.
  std::vector<Table> tables;
  for (int w = 0; w < kWriters; ++w) {
    CommitEnv env = FastEnv();
    env.on_retry = [&](int, const Status&) { ++retries; };
    auto t = Table::Load(catalog_, io_, kId, env);
    ASSERT_TRUE(t.ok()) << t.status().ToString();
    tables.push_back(std::move(*t));
  }
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      Table& t = tables[static_cast<size_t>(w)];
      for (int i = 0; i < kAppends; ++i) {
        std::string name = "w" + std::to_string(w) + "-" + std::to_string(i);
        results[static_cast<size_t>(w * kAppends + i)] =
            t.NewTransaction()
                .Append({MakeFile(name, 1)}, {{"writer", std::to_string(w)}})
                .Commit();
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const Status& st : results) EXPECT_OK(st);
  std::multiset<std::string> live{MakeFile("base", 1).file_path};
  for (int w = 0; w < kWriters; ++w) {
    for (int i = 0; i < kAppends; ++i)
      live.insert(MakeFile("w" + std::to_string(w) + "-" + std::to_string(i), 1).file_path);
  }
  ExpectIntact(live);
  Table t = Load();
  EXPECT_EQ(t.metadata().snapshots.size(), 1u + kWriters * kAppends);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("total-data-files"),
            std::to_string(live.size()));
  EXPECT_GT(retries.load(), 0) << "the writers never raced; the test proves nothing";
  // Nothing unreferenced is left but old metadata files.
  auto refs = ReferencedFiles(*io_, t);
  ASSERT_TRUE(refs.ok());
  for (const std::string& key : MetadataKeys(*memory_)) {
    if (key.find(".metadata.json") != std::string::npos ||
        key.find("version-hint") != std::string::npos)
      continue;
    EXPECT_TRUE(refs->count(key)) << key << " was left behind";
  }
}

TEST_P(CommitTest, AFailedPutAtEveryStepLeavesTheTableIntact) {
  const std::multiset<std::string> before{MakeFile("base", 1).file_path};
  // An append writes: manifest, manifest list, metadata file (and, with the in-bucket
  // catalog, the pointer). Fail each of them in turn, permanently.
  for (uint64_t call = 1; call <= (GetParam() ? 4u : 3u); ++call) {
    SCOPED_TRACE("failing put #" + std::to_string(call));
    Table t = Load();
    std::set<std::string> keys = MetadataKeys(*memory_);
    faults_->ResetCounters();
    faults_->SetRule(FaultOp::kPut, FaultRule{FaultKind::kIOError, {call}, 0.0, {}});
    Status st = t.NewTransaction().Append({MakeFile("new", 3)}).Commit();
    EXPECT_THAT(st, IsError(StatusCode::kIOError));
    faults_->ClearRules();
    EXPECT_EQ(MetadataKeys(*memory_), keys) << "files of the failed commit were left behind";
    ExpectIntact(before);
  }
  // And the table still takes commits.
  Table t = Load();
  ASSERT_OK(t.NewTransaction().Append({MakeFile("new", 3)}).Commit());
  ExpectIntact({MakeFile("base", 1).file_path, MakeFile("new", 1).file_path});
}

TEST_P(CommitTest, TransientFailuresAndUnknownOutcomesOfFileWritesAreRetried) {
  for (FaultKind kind : {FaultKind::kUnavailable, FaultKind::kUnknownOutcome}) {
    Table t = Load();
    faults_->ResetCounters();
    faults_->SetRule(FaultOp::kPut, FaultRule{kind, {1, 2, 3}, 0.0, {}});
    // Puts 1-3 are the manifest, its retry, the retry's retry: written on the 4th try.
    ASSERT_OK(t.NewTransaction()
                  .Append({MakeFile(kind == FaultKind::kUnavailable ? "u" : "k", 1)})
                  .Commit());
    faults_->ClearRules();
  }
  ExpectIntact(
      {MakeFile("base", 1).file_path, MakeFile("u", 1).file_path, MakeFile("k", 1).file_path});
}

TEST_P(CommitTest, UnknownOutcomeOfASwapThatLandedIsSuccess) {
  Table t = Load();
  if (GetParam()) {
    // The pointer put is the 4th put of this commit: performed, then reported as timed out.
    faults_->ResetCounters();
    faults_->SetRule(FaultOp::kPut, FaultRule{FaultKind::kUnknownOutcome, {4}, 0.0, {}});
  } else {
    memory_catalog_->InjectSwapFault(StatusCode::kUnknownOutcome, /*apply_first=*/true);
  }
  ASSERT_OK(t.NewTransaction().Append({MakeFile("new", 3)}).Commit());
  ExpectIntact({MakeFile("base", 1).file_path, MakeFile("new", 1).file_path});
  EXPECT_EQ(Load().metadata_location(), t.metadata_location());
}

// Catalog-level injections (an unknown outcome that did not land, endless conflicts) need
// the memory catalog's hook; the in-bucket catalog gets its faults from the store above.
class MemoryCommitTest : public CommitTest {};

TEST_P(MemoryCommitTest, UnknownOutcomeThatDidNotLandKeepsEveryNewFile) {
  Table t = Load();
  std::set<std::string> keys = MetadataKeys(*memory_);
  memory_catalog_->InjectSwapFault(StatusCode::kUnknownOutcome, /*apply_first=*/false);
  Status st = t.NewTransaction().Append({MakeFile("new", 3)}).Commit();
  EXPECT_THAT(st, IsError(StatusCode::kUnknownOutcome));
  std::set<std::string> after = MetadataKeys(*memory_);
  // Manifest, manifest list and metadata file are all still there.
  EXPECT_EQ(after.size(), keys.size() + 3);
  bool metadata_kept = false;
  for (const std::string& k : after) {
    if (!keys.count(k) && k.find("00002-") != std::string::npos) metadata_kept = true;
  }
  EXPECT_TRUE(metadata_kept);
  ExpectIntact({MakeFile("base", 1).file_path});
}

TEST_P(MemoryCommitTest, RetriesAreBoundedAndCleanUp) {
  Table t = Load();
  ASSERT_OK(t.NewTransaction().SetProperties({{"commit.retry.num-retries", "2"}}).Commit());
  std::set<std::string> keys = MetadataKeys(*memory_);
  int calls = memory_catalog_->swap_calls();
  memory_catalog_->InjectSwapFault(StatusCode::kCommitConflict, false, 100);
  Transaction tx = t.NewTransaction();
  tx.Append({MakeFile("new", 3)});
  EXPECT_THAT(tx.Commit(), IsError(StatusCode::kCommitConflict));
  EXPECT_EQ(memory_catalog_->swap_calls() - calls, 3);
  memory_catalog_->InjectSwapFault(StatusCode::kOk, false, 0);
  EXPECT_EQ(MetadataKeys(*memory_), keys);
  ExpectIntact({MakeFile("base", 1).file_path});
}

TEST_P(MemoryCommitTest, MaintenanceRetriesOnATableThatForbidsRebasingAppends) {
  Table t = Load();
  ASSERT_OK(t.NewTransaction().SetProperties({{"commit.retry.num-retries", "0"}}).Commit());
  ASSERT_OK(t.NewTransaction().Append({MakeFile("second", 2)}).Commit());
  // Expiring snapshots recomputes from each new base: it goes through conflicts.
  memory_catalog_->InjectSwapFault(StatusCode::kCommitConflict, false, 3);
  ExpireOptions expire;
  expire.older_than_ms = INT64_MAX;
  ASSERT_OK_AND_ASSIGN(ExpireResult expired, ExpireSnapshots(t, expire));
  EXPECT_FALSE(expired.expired_snapshot_ids.empty());
  // An append still gives up at its first conflict, as the property says.
  memory_catalog_->InjectSwapFault(StatusCode::kCommitConflict, false, 1);
  Table fresh = Load();
  Transaction tx = fresh.NewTransaction();
  tx.Append({MakeFile("third", 1)});
  EXPECT_THAT(tx.Commit(), IsError(StatusCode::kCommitConflict));
}

TEST_P(CommitTest, ARetryReusesTheAppendedManifests) {
  Table stale = Load();
  Table other = Load();
  ASSERT_OK(other.NewTransaction().Append({MakeFile("other", 1)}).Commit());
  Transaction tx = stale.NewTransaction();
  tx.Append({MakeFile("mine", 1)});
  ASSERT_OK(tx.Commit());
  EXPECT_EQ(tx.attempts(), 2);
  ExpectIntact({MakeFile("base", 1).file_path, MakeFile("other", 1).file_path,
                MakeFile("mine", 1).file_path});
  // One manifest was written for "mine" (reused by the second attempt).
  int manifests_with_mine = 0;
  for (const std::string& key : MetadataKeys(*memory_)) {
    if (key.find("-m0.avro") == std::string::npos) continue;
    auto bytes = io_->Read(key);
    ASSERT_TRUE(bytes.ok());
    auto m = ReadManifest(*bytes, key);
    ASSERT_TRUE(m.ok());
    for (const ManifestEntry& e : m->entries) {
      if (e.data_file.file_path == MakeFile("mine", 1).file_path && e.status == EntryStatus::kAdded)
        ++manifests_with_mine;
    }
  }
  EXPECT_EQ(manifests_with_mine, 1);
}

INSTANTIATE_TEST_SUITE_P(Memory, MemoryCommitTest, ::testing::Values(false));
INSTANTIATE_TEST_SUITE_P(Catalogs, CommitTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "InBucket" : "Memory"; });

}  // namespace
}  // namespace atl::iceberg
