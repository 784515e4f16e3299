// ingest_bench: the lake's ingestion against DuckDB's own COPY on the same input, in one
// process run, on a local-directory lake.
//
//   1. CSV → Iceberg: a generated CSV of --csv-mib MiB (default 1024) dropped into
//      prepare/ and ingested by `Ingest` (a CSV batch goes straight into the table's data
//      files, see IngestOptions::direct_load; then the commit) vs DuckDB's
//      `COPY (SELECT * FROM read_csv(f)) TO 'x.parquet'` of the same file. Goal: ≥ 0.9×
//      DuckDB's throughput. The peak RSS of the process during atoll's run is printed
//      (goal ≤ 1.5 GB for a 5 GB CSV: run with --csv-mib 5120).
//   2. Small files: --small-files Parquet files of ~--small-kib KiB each in load/ of one
//      table, ingested in one run: files per second (goal ≥ 500/s).
// --check exits 1 when a goal is missed.
#include <fmt/format.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <string>

#include "atoll/engine/engine.h"
#include "atoll/ingest/ingest.h"
#include "atoll/lake/lake.h"
#include "bench_util.h"

namespace atl::bench {
namespace {

namespace fs = std::filesystem;

struct Options {
  int64_t csv_mib = 1024;
  int small_files = 1000;
  int small_kib = 50;
  bool check = false;
  std::string dir;
};

int64_t PeakRssMib() {
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss / 1024;
}

// A CSV of about `mib` MiB: id, customer, amount, a timestamp and a text column.
Status WriteCsv(const std::string& path, int64_t mib, engine::Engine& engine) {
  // ~75 bytes per row.
  const int64_t rows = mib * 1024 * 1024 / 75;
  return engine.Execute(fmt::format(
      "COPY (SELECT range AS id, range % 100000 AS customer_id, (range % 99991) / 100.0 AS amount, "
      "TIMESTAMP '2024-01-01' + INTERVAL (range % 31536000) SECOND AS ordered_at, "
      "'note number ' || (range % 977) || ' for order ' || range AS note FROM range({})) TO '{}' "
      "(FORMAT csv, HEADER true)",
      rows, path));
}

// Ingests everything waiting; `phases`, when given, gets each phase's name and the seconds
// from its first progress event to the next phase's (in order of appearance).
Result<lake::IngestReport> IngestAll(
    const std::string& root, std::vector<std::pair<std::string, double>>* phases = nullptr) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(root));
  lake::IngestOptions o;
  using Clock = std::chrono::steady_clock;
  Clock::time_point last = Clock::now();
  if (phases != nullptr) {
    o.progress = [&](const lake::IngestProgress& p) {
      if (!phases->empty() && phases->back().first == p.phase) return;
      const Clock::time_point now = Clock::now();
      if (!phases->empty())
        phases->back().second = std::chrono::duration<double>(now - last).count();
      phases->push_back({p.phase, 0});
      last = now;
    };
  }
  Result<lake::IngestReport> report = lake::Ingest(*lake, o);
  if (phases != nullptr && !phases->empty()) {
    phases->back().second = std::chrono::duration<double>(Clock::now() - last).count();
  }
  return report;
}

int Run(const Options& options) {
  const std::string dir = options.dir.empty()
                              ? (fs::temp_directory_path() / "atoll-ingest-bench").string()
                              : options.dir;
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto engine = engine::Engine::Open();
  if (!engine.ok()) {
    std::cerr << engine.status().ToString() << "\n";
    return 1;
  }
  bool ok = true;
  std::vector<Comparison> rows;

  // 1. CSV.
  const std::string csv = dir + "/input.csv";
  if (Status st = WriteCsv(csv, options.csv_mib, **engine); !st.ok()) {
    std::cerr << st.ToString() << "\n";
    return 1;
  }
  const double csv_mib = static_cast<double>(fs::file_size(csv)) / (1024 * 1024);
  const std::string root = dir + "/lake";
  lake::Settings settings;
  settings.target_file_size_bytes = uint64_t{512} << 20;
  // The default bound (4 GiB per file) would reject the 5 GB case by design.
  settings.prepare.max_decompressed_bytes = std::max<uint64_t>(
      settings.prepare.max_decompressed_bytes, 2 * static_cast<uint64_t>(options.csv_mib) << 20);
  if (!lake::Lake::Init(root, settings).ok()) return 1;
  fs::create_directories(root + "/prepare/bench/orders");
  // atoll runs first, so that the process's peak RSS is its own (DuckDB's COPY below would
  // set the high-water mark otherwise); a hard link keeps the CSV for DuckDB after ingest
  // deletes its source.
  fs::create_hard_link(csv, root + "/prepare/bench/orders/input.csv");
  const int64_t rss_before = PeakRssMib();
  lake::IngestReport report;
  std::vector<std::pair<std::string, double>> phases;
  auto ours = Time([&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(report, IngestAll(root, &phases));
    if (!report.ok() || report.files_rejected() != 0) {
      std::string why;
      for (const auto& t : report.tables) {
        why += t.error;
        for (const auto& r : t.rejected) why += " " + r.reason;
        for (const auto& r : t.prepared.rejected) why += " " + r.reason;
      }
      return Internal("the CSV did not load:", why);
    }
    return Status::OK();
  });
  const int64_t rss = PeakRssMib();
  auto duck = Time([&] {
    return (*engine)->Execute(fmt::format(
        "COPY (SELECT * FROM read_csv('{}')) TO '{}/duck.parquet' (FORMAT parquet)", csv, dir));
  });
  if (!duck.ok() || !ours.ok()) {
    std::cerr << (duck.ok() ? ours.status() : duck.status()).ToString() << "\n";
    return 1;
  }
  Comparison c{
      fmt::format("CSV {:.0f} MiB -> table", csv_mib), csv_mib, "MiB/s", 0.9, *ours, *duck};
  rows.push_back(c);
  ok &= c.GoalMet();
  std::cout << fmt::format(
      "rows loaded: {}; peak RSS of the process: {} MiB (before atoll's run: {} MiB)\n",
      report.rows(), rss, rss_before);
  std::cout << "atoll's phases (s):";
  for (const auto& [phase, seconds] : phases)
    std::cout << fmt::format(" {} {:.2f}", phase, seconds);
  std::cout << "\n";

  // 2. Small files.
  const std::string small_root = dir + "/small";
  if (!lake::Lake::Init(small_root, lake::Settings{}).ok()) return 1;
  fs::create_directories(small_root + "/load/bench/events");
  const int64_t rows_per_file = options.small_kib * 1024 / 24;
  for (int i = 0; i < options.small_files; ++i) {
    Status st =
        (*engine)->Execute(fmt::format("COPY (SELECT {} * 1000000 + range AS id, range % 7 AS "
                                       "kind, random() AS score FROM range({})) "
                                       "TO '{}/load/bench/events/f{:05d}.parquet' (FORMAT parquet)",
                                       i, rows_per_file, small_root, i));
    if (!st.ok()) {
      std::cerr << st.ToString() << "\n";
      return 1;
    }
  }
  const double avg_kib =
      static_cast<double>(fs::file_size(small_root + "/load/bench/events/f00000.parquet")) / 1024;
  auto small = Time([&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(lake::IngestReport r, IngestAll(small_root));
    if (r.files_loaded() != static_cast<size_t>(options.small_files))
      return Internal("not every small file loaded");
    return Status::OK();
  });
  if (!small.ok()) {
    std::cerr << small.status().ToString() << "\n";
    return 1;
  }
  const double per_second = options.small_files / *small;
  std::cout << fmt::format(
      "{} small Parquet files (~{:.0f} KiB each) into one table: {:.2f} s, {:.0f} files/s (goal >= "
      "500)\n",
      options.small_files, avg_kib, *small, per_second);
  ok &= per_second >= 500;

  PrintTable(rows, "DuckDB COPY");
  fs::remove_all(dir);
  return options.check && !ok ? 1 : 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) {
  atl::bench::Options options;
  atl::bench::Flags flags("ingest_bench");
  flags.Add("--csv-mib", &options.csv_mib)
      .Add("--small-files", &options.small_files)
      .Add("--small-kib", &options.small_kib)
      .Add("--dir", &options.dir)
      .Switch("--check", &options.check);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  return atl::bench::Run(options);
}
