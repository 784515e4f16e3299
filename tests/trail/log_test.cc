// Log storage: append, batches, checkpoints, Verify, Prove, Show on MemoryStore and
// LocalStore; concurrent appenders; stores that refuse conditional writes.
#include "atoll/trail/log.h"

#include <set>
#include <thread>

#include "atoll/storage/fault_store.h"
#include "atoll/storage/local_store.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"
#include "trail_fixture.h"

namespace atl::trail {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using testing::SampleRecord;

class TrailLogTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    if (GetParam()) {
      auto local = storage::LocalStore::Open(dir_.Join("bucket"));
      ASSERT_TRUE(local.ok());
      store_ = std::move(*local);
    } else {
      store_ = std::make_shared<storage::MemoryStore>();
    }
    key_ = dir_.Join("trail.pem");  // outside the bucket
    ASSERT_OK(GenerateKey(key_));
  }
  TrailOptions Options() {
    TrailOptions o;
    o.key_path = key_;
    o.now_ms = [] { return int64_t{1795334175000}; };
    return o;
  }
  TempDir dir_;
  std::shared_ptr<storage::Store> store_;
  std::string key_;
};

TEST_P(TrailLogTest, AppendCheckpointVerifyProveShow) {
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store_, Options()));
  EXPECT_THAT(trail->WriteCheckpoint(), IsError(StatusCode::kInvalidArgument));  // empty log
  ASSERT_OK_AND_ASSIGN(VerifyReport empty, trail->Verify());
  EXPECT_TRUE(empty.ok());
  EXPECT_EQ(empty.root, EmptyRoot());
  for (uint64_t i = 0; i < 10; ++i) {
    ASSERT_OK_AND_ASSIGN(uint64_t seq, trail->Append(SampleRecord(i)));
    EXPECT_EQ(seq, i);
  }
  std::vector<Record> batch;
  for (uint64_t i = 10; i < 25; ++i) batch.push_back(SampleRecord(i));
  ASSERT_OK_AND_ASSIGN(uint64_t first, trail->AppendBatch(batch));
  EXPECT_EQ(first, 10u);
  EXPECT_THAT(trail->AppendBatch({}), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(store_->Head("trail/records/00000000000000000010.rec"));
  EXPECT_THAT(store_->Head("trail/records/00000000000000000011.rec"),
              IsError(StatusCode::kNotFound));

  // Not yet checkpointed: no proof.
  EXPECT_THAT(trail->Prove(3), IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(Checkpoint c1, trail->WriteCheckpoint());
  EXPECT_EQ(c1.size, 25u);
  EXPECT_EQ(c1.previous, 0u);
  ASSERT_OK(store_->Head("trail/checkpoints/00000000000000000025.ckpt"));
  ASSERT_OK(store_->Head("trail/public_key.pem"));
  // No new records: the same checkpoint comes back, nothing new is written.
  ASSERT_OK_AND_ASSIGN(Checkpoint again, trail->WriteCheckpoint());
  EXPECT_EQ(again.size, 25u);

  ASSERT_OK(trail->Append(SampleRecord(25)));
  ASSERT_OK_AND_ASSIGN(Checkpoint c2, trail->WriteCheckpoint());
  EXPECT_EQ(c2.size, 26u);
  EXPECT_EQ(c2.previous, 25u);

  // A second Trail object (another process) sees the same log and appends after it.
  ASSERT_OK_AND_ASSIGN(auto other, Trail::Open(store_, Options()));
  ASSERT_OK_AND_ASSIGN(uint64_t seq, other->Append(SampleRecord(26)));
  EXPECT_EQ(seq, 26u);

  ASSERT_OK_AND_ASSIGN(VerifyReport report, trail->Verify());
  EXPECT_TRUE(report.ok()) << report.Summary() << "\n"
                           << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_EQ(report.records, 27u);
  EXPECT_EQ(report.objects, 13u);
  EXPECT_EQ(report.checkpoints, 2u);
  EXPECT_EQ(report.checkpoints_valid, 2u);
  EXPECT_EQ(report.latest_checkpoint, 26u);
  EXPECT_THAT(report.Summary(), ::testing::HasSubstr("trail OK: 27 records in 13 objects"));

  for (uint64_t i : {0u, 9u, 10u, 24u, 25u}) {
    ASSERT_OK_AND_ASSIGN(ProofBundle proof, trail->Prove(i));
    EXPECT_EQ(proof.index, i);
    EXPECT_EQ(proof.record.sequence, i);
    EXPECT_EQ(proof.record.fields, SampleRecord(i).fields);
    EXPECT_EQ(proof.checkpoint.size, 26u);
    ASSERT_OK_AND_ASSIGN(std::string bytes, EncodeRecord(proof.record));
    EXPECT_EQ(LeafHash(bytes), proof.leaf_hash);
    EXPECT_OK(VerifyInclusion(i, 26, proof.leaf_hash, proof.audit_path, proof.checkpoint.root));
  }
  EXPECT_THAT(trail->Prove(26), IsError(StatusCode::kNotFound));  // after the latest checkpoint

  ASSERT_OK_AND_ASSIGN(auto consistency, trail->ProveConsistency(25, 26));
  EXPECT_OK(VerifyConsistency(25, 26, c1.root, c2.root, consistency));

  ShowFilter filter;
  filter.from = 5;
  filter.to = 20;
  filter.table = "stg.db.t0";
  ASSERT_OK_AND_ASSIGN(auto shown, trail->Show(filter));
  ASSERT_EQ(shown.size(), 4u);  // tables cycle every 5 records: 5, 10, 15, 20
  EXPECT_EQ(shown[3].sequence, 20u);
}

INSTANTIATE_TEST_SUITE_P(Stores, TrailLogTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "Local" : "Memory"; });

TEST(TrailLogBasicsTest, ShowFiltersByRangeKindAndLimit) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store));
  std::vector<Record> batch;
  for (uint64_t i = 0; i < 40; ++i) batch.push_back(SampleRecord(i));
  ASSERT_OK(trail->AppendBatch(std::vector<Record>(batch.begin(), batch.begin() + 20)));
  ASSERT_OK(trail->AppendBatch(std::vector<Record>(batch.begin() + 20, batch.end())));
  ShowFilter all;
  ASSERT_OK_AND_ASSIGN(auto shown, trail->Show(all));
  ASSERT_EQ(shown.size(), 40u);
  for (uint64_t i = 0; i < 40; ++i) EXPECT_EQ(shown[i].sequence, i);
  ShowFilter range;
  range.from = 18;
  range.to = 22;
  ASSERT_OK_AND_ASSIGN(shown, trail->Show(range));
  ASSERT_EQ(shown.size(), 5u);
  EXPECT_EQ(shown.front().sequence, 18u);
  ShowFilter kind;
  kind.kind = RecordKind::kAppend;  // i % 16 == 1
  ASSERT_OK_AND_ASSIGN(shown, trail->Show(kind));
  ASSERT_EQ(shown.size(), 3u);
  EXPECT_EQ(shown[1].sequence, 17u);
  ShowFilter limit;
  limit.limit = 7;
  ASSERT_OK_AND_ASSIGN(shown, trail->Show(limit));
  EXPECT_EQ(shown.size(), 7u);
}

TEST(TrailLogBasicsTest, KeyFromEnvironmentAndAutomaticCheckpoints) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("env.pem")));
  auto store = std::make_shared<storage::MemoryStore>();
  ::setenv("ATOLL_TRAIL_KEY", dir.Join("env.pem").c_str(), 1);
  TrailOptions o;
  o.checkpoint_every = 4;
  auto trail = Trail::Open(store, o);
  ::unsetenv("ATOLL_TRAIL_KEY");
  ASSERT_OK(trail);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_OK((*trail)->Append(SampleRecord(i)));
  EXPECT_OK((*trail)->last_checkpoint_error());
  ASSERT_OK_AND_ASSIGN(auto checkpoints, storage::ListAll(*store, "trail/checkpoints/"));
  ASSERT_EQ(checkpoints.size(), 2u);
  EXPECT_EQ(checkpoints[0].key, "trail/checkpoints/00000000000000000004.ckpt");
  EXPECT_EQ(checkpoints[1].key, "trail/checkpoints/00000000000000000008.ckpt");
  // Without a key, automatic checkpoints are refused at Open and manual ones fail.
  TrailOptions no_key;
  no_key.checkpoint_every = 4;
  EXPECT_THAT(Trail::Open(store, no_key), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto plain, Trail::Open(store));
  EXPECT_THAT(plain->WriteCheckpoint(), IsError(StatusCode::kInvalidArgument));
  // The verifier without a key uses the public key stored in the bucket.
  ASSERT_OK_AND_ASSIGN(VerifyReport report, plain->Verify());
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
  EXPECT_EQ(report.checkpoints_valid, 2u);
  // A pinned key that is not the signer's: every checkpoint is reported.
  ASSERT_OK(GenerateKey(dir.Join("pin.pem")));
  ASSERT_OK_AND_ASSIGN(auto pin_signer, Signer::LoadFile(dir.Join("pin.pem")));
  TrailOptions pinned;
  pinned.pinned_public_key_pem = pin_signer->public_key_pem();
  ASSERT_OK_AND_ASSIGN(auto pinned_trail, Trail::Open(store, pinned));
  ASSERT_OK_AND_ASSIGN(report, pinned_trail->Verify());
  EXPECT_FALSE(report.ok());
  EXPECT_THAT(report.problems,
              ::testing::Contains(::testing::HasSubstr("differs from the pinned key")));
  EXPECT_THAT(report.problems,
              ::testing::Contains(::testing::HasSubstr("checkpoint 4 signed by ed25519 key")));
}

// What the verifier knows from outside the bucket: deleting checkpoints (the latest, or
// all of them with the public key) is a finding once a key, a size or a root is known.
TEST(TrailLogBasicsTest, DeletedCheckpointsFailAgainstWhatTheVerifierKnows) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("k.pem")));
  auto store = std::make_shared<storage::MemoryStore>();
  TrailOptions o;
  o.key_path = dir.Join("k.pem");
  ASSERT_OK_AND_ASSIGN(auto writer, Trail::Open(store, o));
  for (uint64_t i = 0; i < 6; ++i) {
    ASSERT_OK(writer->Append(SampleRecord(i)));
    if (i == 2 || i == 5) ASSERT_OK(writer->WriteCheckpoint());
  }
  ASSERT_OK_AND_ASSIGN(auto signer, Signer::LoadFile(dir.Join("k.pem")));
  TrailOptions monitor;
  monitor.pinned_public_key_pem = signer->public_key_pem();
  ASSERT_OK_AND_ASSIGN(auto pinned, Trail::Open(store, monitor));
  ASSERT_OK_AND_ASSIGN(VerifyReport clean, pinned->Verify());
  ASSERT_TRUE(clean.ok()) << clean.problems[0];
  EXPECT_EQ(clean.latest_checkpoint, 6u);
  EXPECT_EQ(clean.key, "ed25519 " + signer->key_id());
  VerifyOptions known;
  known.known_checkpoint_size = clean.latest_checkpoint;
  known.known_checkpoint_root = clean.latest_checkpoint_root;
  known.known_key = clean.key;
  ASSERT_OK_AND_ASSIGN(VerifyReport same, pinned->Verify(known));
  EXPECT_TRUE(same.ok()) << same.problems[0];

  // The latest checkpoint deleted: only the known size sees it.
  ASSERT_OK(store->DeleteMany({"trail/checkpoints/00000000000000000006.ckpt"}));
  ASSERT_OK_AND_ASSIGN(auto plain, Trail::Open(store));
  ASSERT_OK_AND_ASSIGN(VerifyReport unaware, plain->Verify());
  EXPECT_TRUE(unaware.ok());
  ASSERT_OK_AND_ASSIGN(VerifyReport aware, plain->Verify(known));
  EXPECT_THAT(aware.problems, ::testing::Contains(::testing::HasSubstr(
                                  "a checkpoint of 6 records was seen before, but the latest "
                                  "valid checkpoint covers 3")));
  // Every checkpoint and the public key deleted: the pinned key and the known key see it.
  ASSERT_OK(
      store->DeleteMany({"trail/checkpoints/00000000000000000003.ckpt", "trail/public_key.pem"}));
  ASSERT_OK_AND_ASSIGN(unaware, plain->Verify());
  EXPECT_TRUE(unaware.ok());
  ASSERT_OK_AND_ASSIGN(VerifyReport by_pin, pinned->Verify());
  EXPECT_THAT(by_pin.problems,
              ::testing::Contains(::testing::HasSubstr(
                  "no valid checkpoint covers the 6 records, but a public key is pinned")));
  ASSERT_OK_AND_ASSIGN(aware, plain->Verify(known));
  EXPECT_THAT(aware.problems,
              ::testing::Contains(::testing::HasSubstr("the bucket's public key was replaced")));
  // A rewritten log that still ends at the known size: the known root sees it.
  auto other = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(auto forger, Trail::Open(other, o));
  for (uint64_t i = 0; i < 6; ++i) ASSERT_OK(forger->Append(SampleRecord(i + 100)));
  ASSERT_OK(forger->WriteCheckpoint());
  ASSERT_OK_AND_ASSIGN(aware, forger->Verify(known));
  EXPECT_THAT(aware.problems, ::testing::Contains(::testing::HasSubstr("re-signed")));
}

TEST(TrailLogBasicsTest, HmacCheckpoints) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("secret"), std::string(48, 's'));
  auto store = std::make_shared<storage::MemoryStore>();
  TrailOptions o;
  o.key_path = dir.Join("secret");
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store, o));
  for (uint64_t i = 0; i < 5; ++i) ASSERT_OK(trail->Append(SampleRecord(i)));
  ASSERT_OK(trail->WriteCheckpoint());
  EXPECT_THAT(store->Head("trail/public_key.pem"), IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(VerifyReport report, trail->Verify());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.checkpoints_valid, 1u);
  ASSERT_OK_AND_ASSIGN(auto proof, trail->Prove(4));
  EXPECT_EQ(proof.record.sequence, 4u);
  // Without the secret the checkpoint cannot be checked, which is reported.
  ASSERT_OK_AND_ASSIGN(auto keyless, Trail::Open(store));
  ASSERT_OK_AND_ASSIGN(report, keyless->Verify());
  EXPECT_THAT(report.problems,
              ::testing::ElementsAre("checkpoint 5: no key to check its signature"));
}

void ConcurrentAppenders(std::shared_ptr<storage::Store> store, const TrailOptions& options) {
  constexpr int kThreads = 4, kPerThread = 40;
  std::vector<std::thread> threads;
  std::vector<Status> results(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      auto trail = Trail::Open(store, options);  // one Trail per thread, like processes
      if (!trail.ok()) {
        results[t] = trail.status();
        return;
      }
      for (int i = 0; i < kPerThread; ++i) {
        Record r = SampleRecord(static_cast<uint64_t>(i));
        r.fields = {{"writer", std::to_string(t)}, {"i", std::to_string(i)}};
        auto seq = (*trail)->Append(std::move(r));
        if (!seq.ok()) {
          results[t] = seq.status();
          return;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& st : results) ASSERT_OK(st);
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store, options));
  ASSERT_OK_AND_ASSIGN(auto all, trail->Show({}));
  ASSERT_EQ(all.size(), static_cast<size_t>(kThreads * kPerThread));
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < all.size(); ++i) {
    EXPECT_EQ(all[i].sequence, i);
    seen.emplace(all[i].fields[0].second, all[i].fields[1].second);
  }
  EXPECT_EQ(seen.size(), all.size()) << "a record was lost or duplicated";
  ASSERT_OK(trail->WriteCheckpoint());
  ASSERT_OK_AND_ASSIGN(VerifyReport report, trail->Verify());
  EXPECT_TRUE(report.ok()) << (report.problems.empty() ? "" : report.problems[0]);
}

TEST(TrailLogBasicsTest, ConcurrentAppendersOnMemoryStore) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("k.pem")));
  TrailOptions o;
  o.key_path = dir.Join("k.pem");
  ConcurrentAppenders(std::make_shared<storage::MemoryStore>(), o);
}

TEST(TrailLogBasicsTest, ConcurrentAppendersOnLocalStore) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("k.pem")));
  TrailOptions o;
  o.key_path = dir.Join("k.pem");
  ASSERT_OK_AND_ASSIGN(auto local, storage::LocalStore::Open(dir.Join("bucket")));
  ConcurrentAppenders(std::move(local), o);
}

TEST(TrailLogBasicsTest, StoreRefusingConditionalWritesUsesTheFallback) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("k.pem")));
  auto inner = std::make_shared<storage::MemoryStore>();
  auto store = std::make_shared<testing::RefusingStore>(inner);
  TrailOptions o;
  o.key_path = dir.Join("k.pem");
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store, o));
  for (uint64_t i = 0; i < 6; ++i) {
    ASSERT_OK_AND_ASSIGN(uint64_t seq, trail->Append(SampleRecord(i)));
    EXPECT_EQ(seq, i);
  }
  ASSERT_OK(trail->WriteCheckpoint());
  // A second appender (fresh object) finds the end by walking the headers.
  ASSERT_OK_AND_ASSIGN(auto second, Trail::Open(store, o));
  ASSERT_OK_AND_ASSIGN(uint64_t seq, second->Append(SampleRecord(6)));
  EXPECT_EQ(seq, 6u);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, trail->Verify());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 7u);
  // conditional_writes = false behaves the same on a store that has them.
  TrailOptions unconditional = o;
  unconditional.conditional_writes = false;
  ASSERT_OK_AND_ASSIGN(auto third, Trail::Open(inner, unconditional));
  ASSERT_OK_AND_ASSIGN(seq, third->Append(SampleRecord(7)));
  EXPECT_EQ(seq, 7u);
}

// Writes that time out after reaching the store (kUnknownOutcome) or fail before it
// (kUnavailable) neither lose nor duplicate a record.
TEST(TrailLogBasicsTest, UnknownOutcomesAreSettledByReadingBack) {
  auto inner = std::make_shared<storage::MemoryStore>();
  auto faulty = std::make_shared<storage::FaultStore>(inner, 7);
  storage::FaultRule unknown;
  unknown.kind = storage::FaultKind::kUnknownOutcome;
  unknown.fail_calls = {1, 3, 4};
  faulty->SetRule(storage::FaultOp::kPut, unknown);
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(faulty));
  for (uint64_t i = 0; i < 5; ++i) {
    ASSERT_OK_AND_ASSIGN(uint64_t seq, trail->Append(SampleRecord(i)));
    EXPECT_EQ(seq, i);
  }
  storage::FaultRule unavailable;
  unavailable.kind = storage::FaultKind::kUnavailable;
  unavailable.ratio = 0.5;
  faulty->SetRule(storage::FaultOp::kPut, unavailable);
  for (uint64_t i = 5; i < 15; ++i) {
    auto seq = trail->Append(SampleRecord(i));
    if (seq.ok()) {
      EXPECT_EQ(*seq, i);
    } else {  // gave up after several transient failures: nothing was written
      EXPECT_TRUE(seq.status().IsRetryable()) << seq.status().ToString();
      --i;
    }
  }
  EXPECT_GT(faulty->faults(storage::FaultOp::kPut), 3u);
  ASSERT_OK_AND_ASSIGN(auto plain, Trail::Open(inner));
  ASSERT_OK_AND_ASSIGN(auto all, plain->Show({}));
  ASSERT_EQ(all.size(), 15u);
  for (uint64_t i = 0; i < 15; ++i) EXPECT_EQ(all[i].fields, SampleRecord(i).fields) << i;
}

// A fresh appender after many appends without a checkpoint walks a few headers, then
// lists the log to find its end.
TEST(TrailLogBasicsTest, FreshAppenderFindsTheEndWithoutCheckpoints) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK_AND_ASSIGN(auto first, Trail::Open(store));
  for (uint64_t i = 0; i < 150; ++i) ASSERT_OK(first->Append(SampleRecord(i)));
  ASSERT_OK_AND_ASSIGN(auto second, Trail::Open(store));
  ASSERT_OK_AND_ASSIGN(uint64_t seq, second->Append(SampleRecord(150)));
  EXPECT_EQ(seq, 150u);
  ASSERT_OK_AND_ASSIGN(seq, first->Append(SampleRecord(151)));
  EXPECT_EQ(seq, 151u);
  ASSERT_OK_AND_ASSIGN(VerifyReport report, first->Verify());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.records, 152u);
}

TEST(TrailLogBasicsTest, MetadataFilesAreChecked) {
  auto store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK(storage::PutString(*store, "stg/db/t/metadata/v1.metadata.json", "{\"v\":1}"));
  ASSERT_OK_AND_ASSIGN(auto trail, Trail::Open(store));
  Record r = SampleRecord(0, "s3://bucket/stg/db/t/metadata/v1.metadata.json");
  r.metadata_sha256 = Sha256("{\"v\":1}");
  ASSERT_OK(trail->Append(r));
  VerifyOptions vo;
  vo.metadata_hasher = StoreMetadataHasher(store, "s3://bucket");
  ASSERT_OK_AND_ASSIGN(VerifyReport report, trail->Verify(vo));
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.metadata_checked, 1u);
  ASSERT_OK(storage::PutString(*store, "stg/db/t/metadata/v1.metadata.json", "{\"v\":2}"));
  ASSERT_OK_AND_ASSIGN(report, trail->Verify(vo));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_THAT(report.problems[0],
              ::testing::StartsWith("metadata file s3://bucket/stg/db/t/metadata/v1.metadata.json "
                                    "(record 0): sha256 differs"));
  ASSERT_OK(storage::Delete(*store, "stg/db/t/metadata/v1.metadata.json"));
  ASSERT_OK_AND_ASSIGN(report, trail->Verify(vo));
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_THAT(report.problems[0], ::testing::EndsWith("(record 0): missing"));
}

}  // namespace
}  // namespace atl::trail
