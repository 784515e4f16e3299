// orc_bench: throughput of atoll's ORC reader on the ORC files of ../shared/testdata/orc
// (or the directory given with --dir), in two parts, each file `--repeat` times (default
// 5), the fastest run counting:
//
// 1. Decode: each file read from memory, every row decoded into column vectors. Prints
//    per file: codec, rows, MB/s of ORC input and million rows/s, then the total.
// 2. ORC → Parquet: atoll's conversion (table/orc_table.h: the reader, the engine's
//    Appender into a DuckDB table, COPY to zstd Parquet) beside DuckDB's own Parquet →
//    Parquet on the same rows (the rows are first written once to a zstd Parquet file,
//    then DuckDB's COPY (SELECT * FROM read_parquet(...)) TO ... is timed), in the same
//    process with the same DuckDB settings (--threads). MB/s is of the input file (ORC
//    for atoll, Parquet for DuckDB); the ratio is DuckDB's time / atoll's (above 1 means
//    atoll converts faster than DuckDB rewrites Parquet).
//
// Options: --dir DIR (testdata/orc) --repeat N (5) --batch-rows N (1024) --threads N (2)
// Exit status: 0 on success, 1 when a file fails to read, 2 on a usage error, 77 when
// the directory is absent (a skip for CTest).
#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "atoll/engine/engine.h"
#include "atoll/formats/orc/reader.h"
#include "atoll/table/orc_table.h"
#include "bench_util.h"

namespace {

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Part 2: ORC → Parquet by atoll beside Parquet → Parquet by DuckDB. Returns the exit status.
int ConvertBench(const std::vector<std::string>& files, const atl::orc::ReaderOptions& options,
                 int repeat, int threads) {
  namespace fs = std::filesystem;
  using atl::engine::QuoteString;
  std::string work = (fs::temp_directory_path() / "atoll-orc-bench-XXXXXX").string();
  if (mkdtemp(work.data()) == nullptr) {
    fmt::print(stderr, "orc_bench: cannot create a scratch directory\n");
    return 1;
  }
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{work};
  atl::engine::EngineOptions eo;
  eo.threads = threads;
  eo.temp_directory = work + "/duckdb";
  auto engine = atl::engine::Engine::Open(eo);
  if (!engine.ok()) {
    fmt::print(stderr, "orc_bench: {}\n", engine.status().ToString());
    return 1;
  }
  atl::engine::Engine& e = **engine;
  fmt::print(
      "\nORC -> Parquet (atoll: ORC reader + appender + COPY) beside Parquet -> Parquet (DuckDB), "
      "{} DuckDB thread(s)\n",
      threads);
  fmt::print("{:<40} {:>8} {:>9} {:>9} {:>10} {:>9} {:>9} {:>10} {:>7}\n", "file", "rows",
             "ORC KiB", "atoll ms", "atoll MB/s", "PQ KiB", "duck ms", "duck MB/s", "ratio");
  double orc_bytes = 0, pq_bytes = 0, atoll_total = 0, duck_total = 0;
  const std::string atoll_out = work + "/atoll.parquet", source = work + "/source.parquet",
                    duck_out = work + "/duckdb.parquet";
  for (const std::string& path : files) {
    const std::string name = fs::path(path).filename().string();
    std::string bytes = Slurp(path);
    double best_atoll = 1e100, best_duck = 1e100;
    int64_t rows = 0;
    atl::Status failed;
    for (int r = 0; r < repeat && failed.ok(); ++r) {
      auto seconds = atl::bench::Time([&]() -> atl::Status {
        ATOLL_ASSIGN_OR_RETURN(auto reader, atl::orc::Reader::OpenBuffer(bytes, name, options));
        ATOLL_ASSIGN_OR_RETURN(atl::table::OrcLoad load,
                               atl::table::OrcToParquet(e, *reader, atoll_out));
        rows = load.rows;
        return atl::Status::OK();
      });
      if (!seconds.ok()) {
        failed = seconds.status();
      } else {
        best_atoll = std::min(best_atoll, *seconds);
      }
    }
    if (!failed.ok()) {
      // The corrupt example and files DuckDB cannot hold (no columns) are not timed.
      fmt::print("{:<40} (not converted: {})\n", name, failed.message().substr(0, 60));
      continue;
    }
    // The same rows as a Parquet file (zstd, like atoll's output), then DuckDB's rewrite.
    atl::Status st =
        e.Execute("COPY (SELECT * FROM read_parquet(" + QuoteString(atoll_out) + ")) TO " +
                  QuoteString(source) + " (FORMAT parquet, COMPRESSION zstd)");
    for (int r = 0; r < repeat && st.ok(); ++r) {
      auto seconds = atl::bench::Time([&]() -> atl::Status {
        return e.Execute("COPY (SELECT * FROM read_parquet(" + QuoteString(source) + ")) TO " +
                         QuoteString(duck_out) + " (FORMAT parquet, COMPRESSION zstd)");
      });
      if (!seconds.ok()) {
        st = seconds.status();
      } else {
        best_duck = std::min(best_duck, *seconds);
      }
    }
    if (!st.ok()) {
      fmt::print(stderr, "orc_bench: {}: {}\n", name, st.ToString());
      return 1;
    }
    const double pq = static_cast<double>(fs::file_size(source));
    orc_bytes += static_cast<double>(bytes.size());
    pq_bytes += pq;
    atoll_total += best_atoll;
    duck_total += best_duck;
    fmt::print("{:<40} {:>8} {:>9.1f} {:>9.2f} {:>10.1f} {:>9.1f} {:>9.2f} {:>10.1f} {:>7.2f}\n",
               name, rows, bytes.size() / 1024.0, best_atoll * 1e3, bytes.size() / best_atoll / 1e6,
               pq / 1024.0, best_duck * 1e3, pq / best_duck / 1e6, best_duck / best_atoll);
  }
  if (atoll_total > 0 && duck_total > 0) {
    fmt::print("{:<40} {:>8} {:>9.1f} {:>9.2f} {:>10.1f} {:>9.1f} {:>9.2f} {:>10.1f} {:>7.2f}\n",
               "total", "", orc_bytes / 1024.0, atoll_total * 1e3, orc_bytes / atoll_total / 1e6,
               pq_bytes / 1024.0, duck_total * 1e3, pq_bytes / duck_total / 1e6,
               duck_total / atoll_total);
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  int repeat = 5;
  int batch_rows = 1024;
  int threads = 2;
  atl::bench::Flags flags("orc_bench");
  flags.Add("--dir", &dir)
      .Add("--repeat", &repeat)
      .Add("--batch-rows", &batch_rows)
      .Add("--threads", &threads);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  repeat = std::max(1, repeat);
  threads = std::max(1, threads);
  batch_rows = std::max(1, batch_rows);
  if (dir.empty()) {
    const char* env = std::getenv("ATOLL_SOURCE_DIR");
    dir = std::string(env ? env : ".") + "/../shared/testdata/orc";
  }
  if (!std::filesystem::is_directory(dir)) {
    fmt::print(stderr, "orc_bench: {} is absent; nothing to measure\n", dir);
    return 77;
  }
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".orc" && e.file_size() > 0) files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());
  atl::orc::ReaderOptions options;
  options.batch_rows = static_cast<size_t>(batch_rows);
  options.default_timezone = "America/Los_Angeles";
  double total_bytes = 0, total_seconds = 0, total_rows = 0;
  fmt::print("{:<48} {:>6} {:>8} {:>10} {:>10} {:>10}\n", "file", "codec", "rows", "KiB", "MB/s",
             "Mrows/s");
  for (const std::string& path : files) {
    std::string bytes = Slurp(path);
    std::string name = std::filesystem::path(path).filename().string();
    double best = 1e100;
    uint64_t rows = 0;
    std::string codec;
    bool failed = false;
    for (int r = 0; r < repeat && !failed; ++r) {
      auto seconds = atl::bench::Time([&]() -> atl::Status {
        ATOLL_ASSIGN_OR_RETURN(auto reader, atl::orc::Reader::OpenBuffer(bytes, name, options));
        codec = std::string(atl::orc::CompressionName(reader->compression()));
        std::unique_ptr<atl::orc::ColumnVector> batch;
        rows = 0;
        while (true) {
          ATOLL_ASSIGN_OR_RETURN(bool more, reader->NextBatch(&batch));
          if (!more) break;
          rows += batch->size;
        }
        return atl::Status::OK();
      });
      if (!seconds.ok()) {
        // The deliberately corrupt example file is expected to fail.
        if (name.find("corrupt") != std::string::npos) {
          failed = true;
          break;
        }
        fmt::print(stderr, "orc_bench: {}: {}\n", name, seconds.status().ToString());
        return 1;
      }
      best = std::min(best, *seconds);
    }
    if (failed) {
      fmt::print("{:<48} {:>6} (rejected as corrupt, not timed)\n", name, "");
      continue;
    }
    total_bytes += static_cast<double>(bytes.size());
    total_seconds += best;
    total_rows += static_cast<double>(rows);
    fmt::print("{:<48} {:>6} {:>8} {:>10.1f} {:>10.1f} {:>10.2f}\n", name, codec, rows,
               bytes.size() / 1024.0, bytes.size() / best / 1e6, rows / best / 1e6);
  }
  if (total_seconds > 0) {
    fmt::print("{:<48} {:>6} {:>8.0f} {:>10.1f} {:>10.1f} {:>10.2f}\n", "total", "", total_rows,
               total_bytes / 1024.0, total_bytes / total_seconds / 1e6,
               total_rows / total_seconds / 1e6);
  }
  return ConvertBench(files, options, repeat, threads);
}
