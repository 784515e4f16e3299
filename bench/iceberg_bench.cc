// iceberg_bench: commits and scan planning of large tables on a LocalStore.
//
//   1. one append of N (100,000) synthetic data files with column metrics, committed to a
//      fresh table in a local directory: unpartitioned, and partitioned by day(ts) over 100
//      days. Goal: <= 0.5 s per commit.
//   2. loading each resulting table from its catalog and planning a full scan (PlanScan).
//      Goal: <= 0.5 s.
//   3. planning time of unpartitioned tables of 10k, 50k and 100k files (linear growth).
//
// Options: --files N (100000) --work-dir DIR ($TMPDIR or /tmp) --check (exit 1 when a goal
// is missed; off by default because CI machines vary).
// Exit status: 0 when everything ran (goals met or not, unless --check), 1 on an error or
// a missed goal with --check, 2 on a usage error.
#include <fmt/core.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "atoll/catalog/memory_catalog.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/scan/scan.h"
#include "bench_util.h"

namespace atl::bench {
namespace {

namespace fs = std::filesystem;
using namespace atl::iceberg;
using catalog::MemoryCatalog;

struct Options {
  int files = 100000;
  std::string work_dir;
  bool check = false;
};

Schema BenchSchema() {
  return Schema(0, {NestedField{1, "id", true, Type::Long(), {}, {}, {}},
                    NestedField{2, "ts", false, Type::Timestamp(), {}, {}, {}},
                    NestedField{3, "name", false, Type::String(), {}, {}, {}},
                    NestedField{4, "amount", false, Type::Double(), {}, {}, {}}});
}

std::vector<DataFile> SyntheticFiles(const std::string& location, int n, bool partitioned) {
  std::vector<DataFile> out;
  out.reserve(static_cast<size_t>(n));
  const int64_t day_us = 86400LL * 1000000;
  for (int i = 0; i < n; ++i) {
    DataFile f;
    int32_t day = 19000 + i % 100;
    f.file_path =
        fmt::format("{}/data/{}00000-{}-6a1f3c2e-8b1d-4c55-a0e3-{:012d}.parquet", location,
                    partitioned ? fmt::format("ts_day={}/", day) : "", i % 64, i);
    f.file_format = "PARQUET";
    f.record_count = 10000 + i % 977;
    f.file_size_in_bytes = 1000000 + i * 13 % 100000;
    if (partitioned) f.partition.push_back(Literal::Int(day));  // day() results are ints
    int64_t lo = static_cast<int64_t>(i) * 10000;
    for (int c = 1; c <= 4; ++c) {
      f.column_sizes[c] = 200000 + c;
      f.value_counts[c] = f.record_count;
      f.null_value_counts[c] = c == 3 ? 5 : 0;
    }
    f.nan_value_counts[4] = 0;
    f.lower_bounds[1] = *LiteralToBytes(Literal::Long(lo));
    f.upper_bounds[1] = *LiteralToBytes(Literal::Long(lo + f.record_count - 1));
    f.lower_bounds[2] = *LiteralToBytes(Literal::Timestamp(day * day_us));
    f.upper_bounds[2] = *LiteralToBytes(Literal::Timestamp(day * day_us + day_us - 1));
    f.lower_bounds[3] = "aardvark";
    f.upper_bounds[3] = "zebra";
    f.lower_bounds[4] = *LiteralToBytes(Literal::Double(0.5));
    f.upper_bounds[4] = *LiteralToBytes(Literal::Double(9999.5));
    f.split_offsets = {4};
    out.push_back(std::move(f));
  }
  return out;
}

struct Row {
  std::string name;
  double seconds = 0;
  double goal = 0;  // 0 = no goal
};

struct Bench {
  std::shared_ptr<FileIO> io = std::make_shared<FileIO>();
  std::shared_ptr<MemoryCatalog> catalog;
  std::vector<Row> rows;

  Result<double> Append(const std::string& name, int n, bool partitioned) {
    CreateTableOptions o;
    o.schema = BenchSchema();
    if (partitioned) o.partition = {UnboundPartitionField{{2}, "ts_day", Transform::Day()}};
    ATOLL_ASSIGN_OR_RETURN(Table t, Table::Create(catalog, io, {{"bench"}, name}, o));
    std::vector<DataFile> files = SyntheticFiles(t.location(), n, partitioned);
    return Time([&]() { return t.NewTransaction().Append(std::move(files)).Commit(); });
  }

  Result<double> LoadAndPlan(const std::string& name, int64_t expect_files) {
    return Time([&]() -> Status {
      ATOLL_ASSIGN_OR_RETURN(Table t, Table::Load(catalog, io, {{"bench"}, name}));
      ATOLL_ASSIGN_OR_RETURN(ScanPlan plan, PlanScan(*io, t.metadata()));
      if (static_cast<int64_t>(plan.tasks.size()) != expect_files) {
        return Internal("planned ", plan.tasks.size(), " files, expected ", expect_files);
      }
      return Status::OK();
    });
  }
};

int Run(const Options& opt) {
  fs::path dir = fs::path(opt.work_dir) / fmt::format("atoll-iceberg-bench-{}", ::getpid());
  fs::create_directories(dir);
  Bench b;
  b.catalog = std::make_shared<MemoryCatalog>(dir.string());
  Status st = b.catalog->CreateNamespace({"bench"}, {});
  auto fail = [&](const Status& s) {
    fmt::print(stderr, "iceberg_bench: {}\n", s.ToString());
    fs::remove_all(dir);
    return 1;
  };
  if (!st.ok()) return fail(st);
  const std::string n_text = fmt::format("{}", opt.files);
  for (bool partitioned : {false, true}) {
    std::string name = partitioned ? "by_day" : "flat";
    auto t = b.Append(name, opt.files, partitioned);
    if (!t.ok()) return fail(t.status());
    b.rows.push_back({fmt::format("append {} files ({})", n_text,
                                  partitioned ? "day(ts), 100 days" : "unpartitioned"),
                      *t, 0.5});
    auto p = b.LoadAndPlan(name, opt.files);
    if (!p.ok()) return fail(p.status());
    b.rows.push_back({fmt::format("load + plan {} files ({})", n_text,
                                  partitioned ? "partitioned" : "unpartitioned"),
                      *p, 0.5});
  }
  for (int n : {opt.files / 10, opt.files / 2}) {
    std::string name = fmt::format("flat_{}", n);
    auto t = b.Append(name, n, false);
    if (!t.ok()) return fail(t.status());
    auto p = b.LoadAndPlan(name, n);
    if (!p.ok()) return fail(p.status());
    b.rows.push_back({fmt::format("load + plan {} files (unpartitioned)", n), *p, 0});
  }
  fs::remove_all(dir);

  bool all_met = true;
  fmt::print("{:<48} {:>9} {:>7} {:>5}\n", "iceberg (LocalStore, MemoryCatalog)", "seconds", "goal",
             "met");
  for (const Row& r : b.rows) {
    bool met = r.goal == 0 || r.seconds <= r.goal;
    all_met &= met;
    fmt::print("{:<48} {:>9.3f} {:>7} {:>5}\n", r.name, r.seconds,
               r.goal == 0 ? "-" : fmt::format("{:.1f}", r.goal),
               r.goal == 0 ? "-" : (met ? "yes" : "NO"));
  }
  return opt.check && !all_met ? 1 : 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) {
  atl::bench::Options opt;
  const char* tmp = std::getenv("TMPDIR");
  opt.work_dir = tmp && *tmp ? tmp : "/tmp";
  atl::bench::Flags flags("iceberg_bench");
  flags.Add("--files", &opt.files).Add("--work-dir", &opt.work_dir).Switch("--check", &opt.check);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  if (opt.files < 10) {
    fmt::print(stderr, "iceberg_bench: --files must be at least 10\n");
    return 2;
  }
  return atl::bench::Run(opt);
}
