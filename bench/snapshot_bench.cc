// snapshot_bench: the compaction of a snapshot run (`atoll snapshot compact`) against DuckDB
// reading and writing the same files, on a local-directory lake, in one process run.
//
// Input, once per codec (zstd level 1, atoll's default, and snappy, DuckDB's default): a
// run whose staging datalake holds --files Parquet files of that codec over --partitions
// partitions, about --input-mib MiB in all, with the staging manifests and done markers a
// finished stage step leaves (`snapshot --compression` writes staging and final files in
// the same codec). Then, per codec:
//   (a) atoll's compaction: plan-compaction, then every compact step in this process, one
//       after the other (one worker, --threads DuckDB threads, default 2), writing Iceberg
//       data files of --target-mib MiB: throughput in MiB/s of staging input;
//   (b) DuckDB: COPY (SELECT * FROM read_parquet([...the same files])) TO dir (FORMAT
//       parquet, FILE_SIZE_BYTES target, the same codec) with as many threads.
//   Goal: (a) is at least 0.9 x (b)'s throughput, at both codecs. Also printed, without a
//   goal: atoll at zstd against DuckDB's default COPY (snappy);
//   (c) the compact steps of the zstd run as worker processes of the atoll binary (--atoll,
//       default the build's), as `snapshot run --parallel N` starts them: 1 worker, then 2,
//       each with 1 DuckDB thread (`--worker-threads`' default). Goal: 2 workers faster
//       than 1. Also printed, without a goal: 2 workers of 1 thread against 1 worker of 2.
// With --repeat N every timed phase runs N times, the phases taking turns, and each keeps
// its fastest time. Each timed phase starts after sync(), with the output of the phase
// before deleted, so that none pays for another's writeback. Also printed: the output
// files and how many are within ±20% of the target (the smallest of each partition
// excepted). --check exits 1 when a goal is missed.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <string>
#include <tuple>
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
  int threads = 2;  // DuckDB threads of the in-process compaction and of DuckDB's COPY
  int repeat = 1;   // runs of each timed phase; the fastest counts
  bool check = false;
  bool verbose = false;  // print the partition file groups
  bool keep = false;     // leave the directory behind
  std::string dir;
  std::string atoll = ATOLL_BINARY;
};

// About 14 bytes per row in zstd Parquet (an id, a customer, an amount, a timestamp, a
// region, a random text).
constexpr int64_t kBytesPerRow = 14;

// Writes the staging datalake of `config` (file g of stage group g / partitions, in the
// run's codec) and, per stage group, its manifest and done marker; then the snapshot
// groups' plan. Returns the rows written.
Result<int64_t> WriteStaging(engine::Engine& engine, const Bucket& staging,
                             const snapshot::RunConfig& config, const Options& options,
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
          "FROM range({rows}) t(i)) TO '{path}' (FORMAT parquet, {codec})",
          fmt::arg("first", first), fmt::arg("p", p), fmt::arg("rows", rows),
          fmt::arg("path", path), fmt::arg("codec", config.CopyCompressionOptions()))));
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

// One planned run of the benchmark (a codec): its staging files, written in `codec`.
struct Case {
  std::string codec;
  snapshot::RunConfig config;
  std::optional<Bucket> staging;
  int64_t rows = 0;
  int64_t n_groups = 0;
  std::vector<std::string> uris;  // the staging files
  double mib = 0;                 // their size
  std::string table_data;         // the table's data folder
  Outputs outputs;                // of the in-process compaction
};

Result<Case> Prepare(engine::Engine& engine, const std::string& dir, const std::string& lake_root,
                     const std::string& codec, const Options& options) {
  Case run;
  run.codec = codec;
  snapshot::RunConfig& config = run.config;
  config.db = "bench";
  config.table = StrCat("snap_", codec);
  config.snapshot = "2026-01-01T00:00:00Z";
  config.work_uri = dir + "/work";
  config.partition_keys = {"region"};
  config.target_file_size = options.target_mib << 20;
  config.lake_uri = lake_root;
  config.table_name = StrCat("stg.bench.", config.table);
  config.workers_hint = 2;
  config.compression = codec;
  ATOLL_ASSIGN_OR_RETURN(Bucket staging, snapshot::OpenBucket(config.StagingUri()));
  run.staging = staging;
  ATOLL_RETURN_NOT_OK(snapshot::PutJson(*staging.store, snapshot::keys::kRun, config.ToJson()));
  ATOLL_ASSIGN_OR_RETURN(run.rows,
                         WriteStaging(engine, staging, config, options, dir + "/scratch"));
  snapshot::WorkerOptions wo;
  wo.threads = options.threads;
  ATOLL_ASSIGN_OR_RETURN(snapshot::PlanCompactionReport planned,
                         snapshot::PlanCompaction(staging, wo));
  run.n_groups = planned.n_groups;
  int64_t bytes = 0;
  for (const auto& entry : fs::recursive_directory_iterator(staging.Uri("datalake"))) {
    if (!entry.is_regular_file()) continue;
    run.uris.push_back(entry.path().string());
    bytes += static_cast<int64_t>(entry.file_size());
  }
  std::sort(run.uris.begin(), run.uris.end());
  run.mib = static_cast<double>(bytes) / (1024 * 1024);
  run.table_data = StrCat(lake_root, "/stg/bench/", config.table, "/data");
  std::cout << fmt::format(
      "{}: {} staging files, {:.0f} MiB, {} rows, {} partitions; {} partition file groups for "
      "files of {} MiB\n",
      codec, run.uris.size(), run.mib, run.rows, options.partitions, run.n_groups,
      options.target_mib);
  if (options.verbose) {
    auto plan = snapshot::GetJson(*staging.store, snapshot::keys::kPartitionGroupsPlan);
    if (plan.ok() && *plan) {
      for (const Json& g : (**plan)["groups"]) std::cout << "  group " << g.dump() << "\n";
    }
  }
  return run;
}

// Deletes the compact markers and the files they wrote, so that the compact steps run
// again from scratch; then waits for the writeback of everything before.
Status ResetCompaction(const Case& run) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> markers,
                         storage::ListAll(*run.staging->store, "markers/compact/"));
  std::vector<std::string> keys;
  for (const storage::ObjectInfo& o : markers) keys.push_back(o.key);
  if (!keys.empty()) ATOLL_RETURN_NOT_OK(run.staging->store->DeleteMany(keys));
  std::error_code ec;
  fs::remove_all(run.table_data, ec);
  ::sync();
  return Status::OK();
}

// DuckDB's own COPY of the run's staging files into `out`, with `codec_options`.
Status DuckCopy(engine::Engine& engine, const Case& run, const std::string& out,
                const std::string& codec_options) {
  std::string list;
  for (const std::string& u : run.uris) list += (list.empty() ? "'" : ", '") + u + "'";
  return engine.Execute(
      fmt::format("COPY (SELECT * FROM read_parquet([{}])) TO '{}' (FORMAT parquet, "
                  "FILE_SIZE_BYTES {}{})",
                  list, out, run.config.target_file_size, codec_options));
}

// Keeps the fastest of the times given.
struct Best {
  double seconds = 0;
  Status Add(const Result<double>& t) {
    if (!t.ok()) return t.status();
    if (seconds == 0 || *t < seconds) seconds = *t;
    return Status::OK();
  }
};

// File sizes: within ±20% of the target, the smallest of each partition excepted.
void PrintFileSizes(const Case& run, int64_t target_mib) {
  std::map<std::string, std::vector<int64_t>> by_partition;
  for (const auto& [partition, bytes] : run.outputs.files) by_partition[partition].push_back(bytes);
  int counted = 0, within = 0;
  const auto target = static_cast<double>(run.config.target_file_size);
  std::string sizes;
  for (auto& [partition, list] : by_partition) {
    std::sort(list.begin(), list.end());
    sizes += fmt::format(" {}:", partition);
    for (size_t k = 0; k < list.size(); ++k) {
      sizes += fmt::format(" {:.1f}", static_cast<double>(list[k]) / (1024 * 1024));
      if (k == 0) continue;
      ++counted;
      const double r = static_cast<double>(list[k]) / target;
      if (r >= 0.8 && r <= 1.2) ++within;
    }
  }
  std::cout << fmt::format("{} output files (MiB):{}\n", run.codec, sizes);
  std::cout << fmt::format(
      "{} files within ±20% of {} MiB: {} of {} (the smallest of each partition excepted)\n",
      run.codec, target_mib, within, counted);
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
  if (Status st = (*engine)->Execute(StrCat("SET threads = ", options.threads)); !st.ok())
    return Fail(st);
  const std::string lake_root = dir + "/lake";
  if (Status st = lake::Lake::Init(lake_root, lake::Settings{}).status(); !st.ok()) return Fail(st);

  std::vector<Case> runs;
  for (const char* codec : {"zstd", "snappy"}) {
    auto run = Prepare(**engine, dir, lake_root, codec, options);
    if (!run.ok()) return Fail(run.status());
    runs.push_back(std::move(*run));
  }

  snapshot::WorkerOptions wo;
  wo.threads = options.threads;
  // (a) and (b) per codec, plus DuckDB's default COPY of the zstd files; then (c).
  std::vector<Best> ours(runs.size()), duck(runs.size());
  Best duck_default, one_worker, two_workers, one_worker_two_threads;
  std::vector<int64_t> indices;
  for (int64_t j = 0; j < runs[0].n_groups; ++j) indices.push_back(j);
  const std::string duck_out = dir + "/duck";
  auto duck_phase = [&](const Case& run, const std::string& codec_options, Best& best) -> Status {
    std::error_code ec;
    fs::remove_all(duck_out, ec);
    ::sync();
    return best.Add(Time([&] { return DuckCopy(**engine, run, duck_out, codec_options); }));
  };
  auto workers_phase = [&](int parallel, int threads, Best& best) -> Status {
    ATOLL_RETURN_NOT_OK(ResetCompaction(runs[0]));
    return best.Add(Time([&] {
      return snapshot::RunWorkers(options.atoll, "compact", runs[0].staging->root_uri, indices,
                                  parallel, threads, nullptr);
    }));
  };
  for (int r = 0; r < options.repeat; ++r) {
    for (size_t c = 0; c < runs.size(); ++c) {
      const Case& run = runs[c];
      if (Status st = ResetCompaction(run); !st.ok()) return Fail(st);
      Status st = ours[c].Add(Time([&]() -> Status {
        for (int64_t j = 0; j < run.n_groups; ++j) {
          ATOLL_RETURN_NOT_OK(snapshot::Compact(*run.staging, j, wo).status());
        }
        return Status::OK();
      }));
      if (!st.ok()) return Fail(st);
      auto outputs = ReadOutputs(*run.staging, run.n_groups);
      if (!outputs.ok()) return Fail(outputs.status());
      if (outputs->records != run.rows) {
        return Fail(Internal("the compaction wrote ", outputs->records, " rows of ", run.rows));
      }
      runs[c].outputs = std::move(*outputs);
      st = duck_phase(run, StrCat(", ", run.config.CopyCompressionOptions()), duck[c]);
      if (!st.ok()) return Fail(st);
    }
    if (Status st = duck_phase(runs[0], "", duck_default); !st.ok()) return Fail(st);
    for (auto [parallel, threads, best] :
         {std::tuple{1, 1, &one_worker}, std::tuple{2, 1, &two_workers},
          std::tuple{1, 2, &one_worker_two_threads}}) {
      if (Status st = workers_phase(parallel, threads, *best); !st.ok()) return Fail(st);
      auto again = ReadOutputs(*runs[0].staging, runs[0].n_groups);
      if (!again.ok()) return Fail(again.status());
      if (again->records != runs[0].rows) {
        return Fail(
            Internal("the worker processes wrote ", again->records, " rows of ", runs[0].rows));
      }
    }
  }

  for (const Case& run : runs) PrintFileSizes(run, options.target_mib);
  std::cout << fmt::format(
      "worker processes (fastest of {}): 1 worker {:.2f} s, 2 workers {:.2f} s (1 thread each); "
      "1 worker of 2 threads {:.2f} s\n",
      options.repeat, one_worker.seconds, two_workers.seconds, one_worker_two_threads.seconds);
  std::vector<Comparison> vs_duck;
  bool ok = true;
  for (size_t c = 0; c < runs.size(); ++c) {
    vs_duck.push_back({StrCat("compact, ", runs[c].codec), runs[c].mib, "MiB/s", 0.9,
                       ours[c].seconds, duck[c].seconds});
    ok = ok && vs_duck.back().GoalMet();
  }
  vs_duck.push_back(
      {"zstd vs default COPY", runs[0].mib, "MiB/s", 0, ours[0].seconds, duck_default.seconds});
  const double mib = runs[0].mib;
  Comparison vs_one{"compact, 2 workers", mib, "MiB/s", 1.0, two_workers.seconds, 0};
  vs_one.other_seconds = one_worker.seconds;
  Comparison vs_threads{"2 workers vs 2 threads", mib, "MiB/s", 0, two_workers.seconds, 0};
  vs_threads.other_seconds = one_worker_two_threads.seconds;
  std::cout << fmt::format("DuckDB COPY: the same files, the same codec, {} threads\n",
                           options.threads);
  PrintTable(vs_duck, "DuckDB COPY");
  PrintTable({vs_one, vs_threads}, "1 worker");
  ok = ok && two_workers.seconds < one_worker.seconds;
  if (!options.keep) fs::remove_all(dir);
  return options.check && !ok ? 1 : 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) {
  atl::bench::Options options;
  atl::bench::Flags flags("snapshot_bench");
  flags.Add("--files", &options.files)
      .Add("--partitions", &options.partitions)
      .Add("--input-mib", &options.input_mib)
      .Add("--target-mib", &options.target_mib)
      .Add("--threads", &options.threads)
      .Add("--repeat", &options.repeat)
      .Add("--dir", &options.dir)
      .Add("--atoll", &options.atoll)
      .Switch("--check", &options.check)
      .Switch("--verbose", &options.verbose)
      .Switch("--keep", &options.keep);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  options.threads = std::max(1, options.threads);
  options.repeat = std::max(1, options.repeat);
  options.partitions = std::max(1, options.partitions);
  return atl::bench::Run(options);
}
