// snapshot_bench: the compaction of a snapshot run (`atoll snapshot compact`) against DuckDB
// reading and writing the same files, on a local-directory lake, in one process run.
//
// Input: a staging-like datalake of --files zstd Parquet files (level 1, as `snapshot
// stage` writes them) over --partitions partitions, about --input-mib MiB in all, with the
// staging manifests and done markers a finished stage step leaves. Then:
//   (a) atoll's compaction: plan-compaction, then every compact step in this process, one
//       after the other (one worker, --threads DuckDB threads, default 2), writing Iceberg
//       data files of --target-mib MiB: throughput in MiB/s of staging input;
//   (b) DuckDB: COPY (SELECT * FROM read_parquet([...the same files])) TO dir (FORMAT
//       parquet, FILE_SIZE_BYTES target) with its default threads and codec (snappy). Goal:
//       (a) is at least 0.9 x (b)'s throughput. Also printed, without a goal of its own:
//       the same COPY with atoll's codec (zstd level 1);
//   (c) the compact steps again as worker processes of the atoll binary (--atoll, default
//       the build's): 1 worker with --threads DuckDB threads, then 2 workers with half as
//       many each (the same cores). Goal: 2 workers faster than 1.
// Also printed: the output files and how many are within ±20% of the target (the smallest
// of each partition excepted). Each timed phase starts after sync(), so that none pays for
// the writeback of the one before. --check exits 1 when a goal is missed.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <vector>

#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/runner.h"
#include "atoll/snapshot/steps.h"
#include "bench_util.h"

#ifndef ATOLL_BINARY
#define ATOLL_BINARY ""
#endif

namespace atl::bench {
namespace {

namespace fs = std::filesystem;
using snapshot::Bucket;
using snapshot::FileEntry;
using snapshot::Json;

struct Options {
  int files = 300;
  int partitions = 2;
  int64_t input_mib = 600;
  int64_t target_mib = 64;
  int threads = 2;  // DuckDB threads of one worker; each of 2 workers gets half
  bool check = false;
  bool verbose = false;  // print the partition file groups
  bool keep = false;     // leave the directory behind
  std::string dir;
  std::string atoll = ATOLL_BINARY;
};

// About 14 bytes per row in zstd Parquet (an id, a customer, an amount, a timestamp, a
// region, a random text).
constexpr int64_t kBytesPerRow = 14;

// Writes the staging datalake (file g of stage group g / partitions) and, per stage group,
// its manifest and done marker; then the snapshot groups' plan. Returns the rows written.
Result<int64_t> WriteStaging(engine::Engine& engine, const Bucket& staging, const Options& options,
                             const std::string& scratch) {
  const int groups = std::max(1, options.files / std::max(1, options.partitions));
  const int64_t rows_per_file =
      options.input_mib * 1024 * 1024 / kBytesPerRow / (groups * options.partitions);
  int64_t total = 0;
  for (int g = 0; g < groups; ++g) {
    std::vector<FileEntry> entries;
    for (int p = 0; p < options.partitions; ++p) {
      const std::string partition = fmt::format("region=r{}", p);
      const std::string key =
          fmt::format("datalake/{}/{}0.parquet", partition, snapshot::keys::StagingFilePrefix(g));
      const std::string path = staging.Uri(key);
      fs::create_directories(fs::path(path).parent_path());
      // Mixed sizes: 0.5x to 1.5x the mean rows per file.
      const int64_t rows = rows_per_file / 2 + (rows_per_file * ((g * 7 + p * 3) % 11)) / 10;
      const int64_t first = total;
      ATOLL_RETURN_NOT_OK(engine.Execute(fmt::format(
          "COPY (SELECT {first} + i AS id, 'r{p}' AS region, (i * 7919) % 100000 AS customer_id, "
          "CAST(((i * 104729) % 1000000) / 100.0 AS DECIMAL(12,2)) AS amount, "
          "TIMESTAMP '2021-01-01' + INTERVAL ({first} + i) SECOND AS created_at, "
          "substr(md5(CAST({first} + i AS VARCHAR)), 1, 8) AS ref "
          "FROM range({rows}) t(i)) TO '{path}' "
          "(FORMAT parquet, COMPRESSION zstd, COMPRESSION_LEVEL 1)",
          fmt::arg("first", first), fmt::arg("p", p), fmt::arg("rows", rows),
          fmt::arg("path", path))));
      total += rows;
      FileEntry e;
      e.uri = path;
      e.size = static_cast<int64_t>(fs::file_size(path));
      e.n_record = rows;
      e.partition = partition;
      entries.push_back(std::move(e));
    }
    ATOLL_RETURN_NOT_OK(snapshot::WriteFileManifest(
        engine, staging, snapshot::keys::StagingGroupDir(g), entries, {{"group", g}}, scratch));
    ATOLL_RETURN_NOT_OK(
        snapshot::PutJson(*staging.store, snapshot::keys::StageMarker(g), {{"group", g}}));
  }
  ATOLL_RETURN_NOT_OK(snapshot::PutJson(*staging.store, snapshot::keys::kSnapshotGroupsPlan,
                                        {{"n_groups", groups}}));
  return total;
}

// Deletes the compact markers, so that the compact steps run again (each deletes its
// earlier output first).
Status ResetCompaction(const Bucket& staging) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> markers,
                         storage::ListAll(*staging.store, "markers/compact/"));
  std::vector<std::string> keys;
  for (const storage::ObjectInfo& o : markers) keys.push_back(o.key);
  if (keys.empty()) return Status::OK();
  return staging.store->DeleteMany(keys);
}

struct Outputs {
  int64_t records = 0;
  std::vector<std::pair<std::string, int64_t>> files;  // partition, bytes
};

// The final files the compact steps recorded (result.json of every group).
Result<Outputs> ReadOutputs(const Bucket& staging, int64_t n_groups) {
  Outputs out;
  for (int64_t j = 0; j < n_groups; ++j) {
    ATOLL_ASSIGN_OR_RETURN(
        std::optional<Json> r,
        snapshot::GetJson(*staging.store, snapshot::keys::PartitionGroupResult(j)));
    if (!r) return NotFound("group ", j, " has no result.json");
    out.records += r->value("n_record", int64_t{0});
    for (const Json& f : (*r)["files"]) {
      out.files.emplace_back(r->value("partition", ""), f.value("file_size_in_bytes", int64_t{0}));
    }
  }
  return out;
}

int Fail(const Status& st) {
  std::cerr << st.ToString() << "\n";
  return 1;
}

int Run(const Options& options) {
  const std::string dir =
      options.dir.empty()
          ? (fs::temp_directory_path() / StrCat("atoll-snapshot-bench-", getpid())).string()
          : options.dir;
  fs::remove_all(dir);
  fs::create_directories(dir + "/scratch");
  if (options.atoll.empty() || !fs::exists(options.atoll)) {
    std::cerr << "the atoll binary is missing (--atoll PATH)\n";
    return 1;
  }
  auto engine = engine::Engine::Open();
  if (!engine.ok()) return Fail(engine.status());
  const std::string lake_root = dir + "/lake";
  if (Status st = lake::Lake::Init(lake_root, lake::Settings{}).status(); !st.ok()) return Fail(st);

  snapshot::RunConfig config;
  config.db = "bench";
  config.table = "snap";
  config.snapshot = "2026-01-01T00:00:00Z";
  config.work_uri = dir + "/work";
  config.partition_keys = {"region"};
  config.target_file_size = options.target_mib << 20;
  config.lake_uri = lake_root;
  config.table_name = "stg.bench.snap";
  config.workers_hint = 2;
  auto staging = snapshot::OpenBucket(config.StagingUri());
  if (!staging.ok()) return Fail(staging.status());
  if (Status st = snapshot::PutJson(*staging->store, snapshot::keys::kRun, config.ToJson());
      !st.ok())
    return Fail(st);
  auto rows = WriteStaging(**engine, *staging, options, dir + "/scratch");
  if (!rows.ok()) return Fail(rows.status());

  snapshot::WorkerOptions wo;
  wo.threads = options.threads;
  auto planned = snapshot::PlanCompaction(*staging, wo);
  if (!planned.ok()) return Fail(planned.status());
  const int64_t n_groups = planned->value("n_groups", int64_t{0});
  std::vector<std::string> uris;
  int64_t input_bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(staging->Uri("datalake"))) {
    if (!entry.is_regular_file()) continue;
    uris.push_back(entry.path().string());
    input_bytes += static_cast<int64_t>(entry.file_size());
  }
  std::sort(uris.begin(), uris.end());
  const double mib = static_cast<double>(input_bytes) / (1024 * 1024);
  std::cout << fmt::format(
      "input: {} staging files, {:.0f} MiB, {} rows, {} partitions; {} partition file groups "
      "for files of {} MiB\n",
      uris.size(), mib, *rows, options.partitions, n_groups, options.target_mib);

  if (options.verbose) {
    auto plan = snapshot::GetJson(*staging->store, snapshot::keys::kPartitionGroupsPlan);
    if (plan.ok() && *plan) {
      for (const Json& g : (**plan)["groups"]) std::cout << "  group " << g.dump() << "\n";
    }
  }

  // Each timed phase starts with no dirty pages of the phase before (the generated input,
  // the previous phase's output) still being written back.
  ::sync();
  // (a) The compact steps in this process.
  auto ours = Time([&]() -> Status {
    for (int64_t j = 0; j < n_groups; ++j) {
      ATOLL_RETURN_NOT_OK(snapshot::Compact(*staging, j, wo).status());
    }
    return Status::OK();
  });
  if (!ours.ok()) return Fail(ours.status());
  auto outputs = ReadOutputs(*staging, n_groups);
  if (!outputs.ok()) return Fail(outputs.status());
  if (outputs->records != *rows) {
    return Fail(Internal("the compaction wrote ", outputs->records, " rows of ", *rows));
  }

  // (b) DuckDB on the same files.
  std::string list;
  for (const std::string& u : uris) list += (list.empty() ? "'" : ", '") + u + "'";
  ::sync();
  auto duck = Time([&] {
    return (*engine)->Execute(fmt::format(
        "COPY (SELECT * FROM read_parquet([{}])) TO '{}/duck' (FORMAT parquet, FILE_SIZE_BYTES {})",
        list, dir, config.target_file_size));
  });
  if (!duck.ok()) return Fail(duck.status());
  ::sync();
  // (b') The same with atoll's codec, zstd level 1 (DuckDB's default, snappy, writes about
  // twice the bytes): for information, the goal is on (b).
  auto duck_zstd = Time([&] {
    return (*engine)->Execute(
        fmt::format("COPY (SELECT * FROM read_parquet([{}])) TO '{}/duck-zstd' (FORMAT parquet, "
                    "FILE_SIZE_BYTES {}, COMPRESSION zstd, COMPRESSION_LEVEL 1)",
                    list, dir, config.target_file_size));
  });
  if (!duck_zstd.ok()) return Fail(duck_zstd.status());

  // (c) Worker processes, 1 then 2.
  std::map<int, double> workers;
  std::vector<int64_t> indices;
  for (int64_t j = 0; j < n_groups; ++j) indices.push_back(j);
  for (int parallel : {1, 2}) {
    if (Status st = ResetCompaction(*staging); !st.ok()) return Fail(st);
    ::sync();
    auto t = Time([&] {
      return snapshot::RunWorkers(options.atoll, "compact", staging->root_uri, indices, parallel,
                                  std::max(1, options.threads / parallel), nullptr);
    });
    if (!t.ok()) return Fail(t.status());
    workers[parallel] = *t;
  }
  auto again = ReadOutputs(*staging, n_groups);
  if (!again.ok()) return Fail(again.status());
  if (again->records != *rows) {
    return Fail(Internal("the worker processes wrote ", again->records, " rows of ", *rows));
  }

  // File sizes: within ±20% of the target, the smallest of each partition excepted.
  std::map<std::string, std::vector<int64_t>> by_partition;
  for (const auto& [partition, bytes] : outputs->files) by_partition[partition].push_back(bytes);
  int counted = 0, within = 0;
  const auto target = static_cast<double>(config.target_file_size);
  std::string sizes;
  for (auto& [partition, list_of] : by_partition) {
    std::sort(list_of.begin(), list_of.end());
    sizes += fmt::format(" {}:", partition);
    for (size_t k = 0; k < list_of.size(); ++k) {
      sizes += fmt::format(" {:.1f}", static_cast<double>(list_of[k]) / (1024 * 1024));
      if (k == 0) continue;
      ++counted;
      const double r = static_cast<double>(list_of[k]) / target;
      if (r >= 0.8 && r <= 1.2) ++within;
    }
  }
  std::cout << fmt::format("output files (MiB):{}\n", sizes);
  std::cout << fmt::format(
      "files within ±20% of {} MiB: {} of {} (the smallest of each partition excepted)\n",
      options.target_mib, within, counted);
  std::cout << fmt::format(
      "worker processes: 1 worker ({} threads) {:.2f} s, 2 workers ({} thread(s) each) {:.2f} s\n",
      options.threads, workers[1], std::max(1, options.threads / 2), workers[2]);

  Comparison vs_duck{"compact, 1 worker", mib, "MiB/s", 0.9, *ours, *duck};
  Comparison vs_zstd{"(vs DuckDB zstd-1)", mib, "MiB/s", 0.9, *ours, *duck_zstd};
  Comparison vs_one{"compact, 2 workers", mib, "MiB/s", 1.0, workers[2], workers[1]};
  PrintTable({vs_duck, vs_zstd}, "DuckDB COPY");
  PrintTable({vs_one}, "1 worker");
  const bool ok = vs_duck.GoalMet() && workers[2] < workers[1];
  if (!options.keep) fs::remove_all(dir);
  return options.check && !ok ? 1 : 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) {
  atl::bench::Options options;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--files")
      options.files = std::stoi(next());
    else if (a == "--partitions")
      options.partitions = std::stoi(next());
    else if (a == "--input-mib")
      options.input_mib = std::stoll(next());
    else if (a == "--target-mib")
      options.target_mib = std::stoll(next());
    else if (a == "--threads")
      options.threads = std::max(1, std::stoi(next()));
    else if (a == "--dir")
      options.dir = next();
    else if (a == "--atoll")
      options.atoll = next();
    else if (a == "--check")
      options.check = true;
    else if (a == "--verbose")
      options.verbose = true;
    else if (a == "--keep")
      options.keep = true;
    else if (a == "--repeat")
      next();  // accepted for scripts/bench.sh; one run each
    else {
      std::cerr << "usage: snapshot_bench [--files N] [--partitions N] [--input-mib N] "
                   "[--target-mib N] [--threads N] [--dir D] [--atoll PATH] [--check] [--verbose] "
                   "[--keep]\n";
      return 2;
    }
  }
  return atl::bench::Run(options);
}
