// trail_bench: writes a trail of 10^6 records (segments of --batch records) to a
// LocalStore in a temporary directory, then measures
//   - Verify of the whole trail from a fresh Trail object (goal <= 10 s),
//   - inclusion proofs against the latest checkpoint (goal <= 1 ms each),
// and prints the figures with the goal ratios (goal / measured; >= 1 meets the goal).
// Exit status 0 when both goals are met, 1 otherwise (2 on errors).
//
//   trail_bench [--records N] [--batch N] [--checkpoint-every N] [--dir PATH] [--memory]
#include <fmt/core.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>

#include "atoll/storage/local_store.h"
#include "atoll/storage/memory_store.h"
#include "atoll/trail/log.h"
#include "bench_util.h"

namespace {

using Clock = std::chrono::steady_clock;
double Since(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

atl::trail::Record MakeRecord(uint64_t i) {
  atl::trail::Record r;
  r.kind = i % 10 == 0 ? atl::trail::RecordKind::kIngestBatch : atl::trail::RecordKind::kAppend;
  r.time_ms = 1795334175000 + static_cast<int64_t>(i);
  r.command = "atoll load stg.shop.orders --batch " + std::to_string(i);
  r.user = "loader";
  r.host = "worker-" + std::to_string(i % 16);
  r.table = "stg.shop.orders";
  r.snapshot_before = static_cast<int64_t>(i);
  r.snapshot_after = static_cast<int64_t>(i + 1);
  r.metadata_location = "stg/shop/orders/metadata/" + std::to_string(i) + ".metadata.json";
  r.metadata_sha256 = atl::trail::Sha256(std::to_string(i));
  r.files_added = {
      {"stg/shop/orders/data/part-" + std::to_string(i) + ".parquet", 1048576 + i, ""}};
  return r;
}

int Fail(const atl::Status& st) {
  fmt::print(stderr, "trail_bench: {}\n", st.ToString());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int64_t records_flag = 1000000, batch_flag = 1000, checkpoint_flag = 100000;
  std::string dir;
  bool memory = false;
  atl::bench::Flags flags("trail_bench");
  flags.Add("--records", &records_flag)
      .Add("--batch", &batch_flag)
      .Add("--checkpoint-every", &checkpoint_flag)
      .Add("--dir", &dir)
      .Switch("--memory", &memory);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  if (records_flag < 1 || batch_flag < 1 || checkpoint_flag < 1) {
    fmt::print(stderr, "trail_bench: --records, --batch and --checkpoint-every must be positive\n");
    return 2;
  }
  const auto records = static_cast<uint64_t>(records_flag);
  const auto batch = static_cast<uint64_t>(batch_flag);
  const auto checkpoint_every = static_cast<uint64_t>(checkpoint_flag);
  std::filesystem::path root = dir.empty() ? std::filesystem::temp_directory_path() /
                                                 ("atoll-trail-bench-" + std::to_string(::getpid()))
                                           : std::filesystem::path(dir);
  std::filesystem::create_directories(root);
  std::string key = (root / "trail.pem").string();
  std::filesystem::remove(key);
  if (auto st = atl::trail::GenerateKey(key); !st.ok()) return Fail(st);
  std::shared_ptr<atl::storage::Store> store;
  if (memory) {
    store = std::make_shared<atl::storage::MemoryStore>("bench");
  } else {
    auto local = atl::storage::LocalStore::Open((root / "bucket").string());
    if (!local.ok()) return Fail(local.status());
    store = std::move(*local);
  }
  atl::trail::TrailOptions options;
  options.key_path = key;

  // Write.
  auto t0 = Clock::now();
  {
    auto trail = atl::trail::Trail::Open(store, options);
    if (!trail.ok()) return Fail(trail.status());
    for (uint64_t first = 0; first < records; first += batch) {
      std::vector<atl::trail::Record> rs;
      for (uint64_t i = first; i < std::min(records, first + batch); ++i)
        rs.push_back(MakeRecord(i));
      auto seq = (*trail)->AppendBatch(std::move(rs));
      if (!seq.ok()) return Fail(seq.status());
      uint64_t end = std::min(records, first + batch);
      if (end % checkpoint_every < batch || end == records) {
        auto c = (*trail)->WriteCheckpoint();
        if (!c.ok()) return Fail(c.status());
      }
    }
  }
  double write_s = Since(t0);

  // Verify from a fresh Trail (nothing cached), as `atoll trail verify` would.
  auto trail = atl::trail::Trail::Open(store, options);
  if (!trail.ok()) return Fail(trail.status());
  t0 = Clock::now();
  auto report = (*trail)->Verify();
  double verify_s = Since(t0);
  if (!report.ok()) return Fail(report.status());
  if (!report->ok()) {
    fmt::print(stderr, "trail_bench: the fresh trail does not verify: {}\n",
               report->problems.front());
    return 2;
  }

  // Proofs: the first one after Verify reuses its tree; then 1,000 random records.
  std::mt19937_64 rng(1);
  t0 = Clock::now();
  auto first_proof = (*trail)->Prove(0);
  double first_proof_s = Since(t0);
  if (!first_proof.ok()) return Fail(first_proof.status());
  const int kProofs = 1000;
  t0 = Clock::now();
  for (int i = 0; i < kProofs; ++i) {
    auto p = (*trail)->Prove(rng() % records);
    if (!p.ok()) return Fail(p.status());
  }
  double proof_ms = Since(t0) * 1000 / kProofs;

  // A cold proof: a fresh Trail reads the log once (refresh) before proving.
  auto cold = atl::trail::Trail::Open(store, options);
  if (!cold.ok()) return Fail(cold.status());
  t0 = Clock::now();
  auto cold_proof = (*cold)->Prove(records / 2);
  double cold_s = Since(t0);
  if (!cold_proof.ok()) return Fail(cold_proof.status());

  double verify_goal = 10.0 * records / 1e6, proof_goal_ms = 1.0;
  fmt::print("trail_bench on {} ({} records, {} per object, checkpoint every {})\n",
             store->Describe(), records, batch, checkpoint_every);
  fmt::print("  write + sign       {:8.2f} s   ({:.0f} records/s)\n", write_s, records / write_s);
  fmt::print("  verify             {:8.2f} s   ({:.0f} records/s)  goal {:.1f} s  ratio {:.2f}\n",
             verify_s, records / verify_s, verify_goal, verify_goal / verify_s);
  fmt::print(
      "  inclusion proof    {:8.3f} ms  (mean of {}, path length {})  goal {:.1f} ms  ratio "
      "{:.1f}\n",
      proof_ms, kProofs, first_proof->audit_path.size(), proof_goal_ms, proof_goal_ms / proof_ms);
  fmt::print(
      "  first proof after verify {:.3f} ms; cold proof (fresh Trail reads the log) {:.2f} s\n",
      first_proof_s * 1000, cold_s);
  fmt::print("  {}\n", report->Summary());
  if (dir.empty()) std::filesystem::remove_all(root);
  return verify_s <= verify_goal && proof_ms <= proof_goal_ms ? 0 : 1;
}
