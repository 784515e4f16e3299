// dml_bench: SQL writes on lake tables (docs/sql.md) against their baselines, in one
// process run, on a local-directory lake (issue 17's goals):
//
//   1. CTAS of --rows rows (default 10M) vs DuckDB's `COPY (SELECT ...) TO 'x.parquet'` of
//      the same query: throughput ratio, goal >= 0.9.
//   2. DELETE of 0.1% of the rows (spread over every file) in merge-on-read vs the same
//      DELETE in copy-on-write: goal merge-on-read <= 10% of copy-on-write's time.
//   3. MERGE of 100k changed rows (--merge-rows; ids 0, 50, 100, ...: all updates in a 10M table)
//      into the table (merge-on-read) vs DuckDB's own MERGE INTO on a native table of the
//      same rows in a DuckDB database file (committed durably, as a lake commit is): goal
//      <= 2x DuckDB's time. For information also against a native table held in memory.
//   4. A full read (sum over every column) after --deletes small merge-on-read DELETEs
//      (default 100) on a fresh table vs the same read after compacting the table
//      (lake::CompactTable): goal <= 1.3x. For information, the same on the table of cases
//      2 and 3 (whose DELETE and MERGE left 110k more deleted positions).
// --check exits 1 when a goal is missed. Both sides run in the same DuckDB engine with the
// same settings. With ATOLL_DML_TRACE set, each statement's steps are timed on stderr.
#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <string>

#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/compact.h"
#include "atoll/sql/lake_sql.h"
#include "bench_util.h"

namespace atl::bench {
namespace {

namespace fs = std::filesystem;

struct Options {
  int64_t rows = 10'000'000;
  int64_t merge_rows = 100'000;
  int deletes = 100;
  bool check = false;
  std::string dir;
};

// Runs `statement` through the session as `atoll query` does (the write, then its result).
Status Run(lake::LakeSql& session, const std::string& statement) {
  ATOLL_ASSIGN_OR_RETURN(std::string sql, session.Run(statement));
  return session.engine().Query(sql).status();
}

Result<std::string> One(engine::Engine& engine, const std::string& query) {
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine.Query(query));
  if (r.rows.empty() || !r.rows[0][0]) return Internal("no result for ", query);
  return *r.rows[0][0];
}

std::string Source(int64_t rows) {
  return fmt::format(
      "SELECT range AS id, (range % 10)::INTEGER AS k, (range % 99991) / 100.0 AS amount, "
      "'note ' || (range % 977) AS note FROM range({})",
      rows);
}

int Fail(const Status& st) {
  std::cerr << "dml_bench: " << st.ToString() << "\n";
  return 1;
}

int RunAll(const Options& o) {
  const std::string dir =
      o.dir.empty() ? (fs::temp_directory_path() / "atoll-dml-bench").string() : o.dir;
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string root = dir + "/lake";
  if (Status st = lake::Lake::Init(root, lake::Settings{}).status(); !st.ok()) return Fail(st);
  auto opened = lake::LakeSql::Open(root, "");
  if (!opened.ok()) return Fail(opened.status());
  lake::LakeSql& session = **opened;
  engine::Engine& engine = session.engine();
  std::vector<Comparison> rows;
  bool ok = true;

  // 1. CTAS vs COPY.
  auto copy = Time([&] {
    return engine.Execute(
        fmt::format("COPY ({}) TO '{}/copy.parquet' (FORMAT parquet, "
                    "COMPRESSION zstd, COMPRESSION_LEVEL 1)",
                    Source(o.rows), dir));
  });
  if (!copy.ok()) return Fail(copy.status());
  auto ctas = Time([&] {
    return Run(session, fmt::format("CREATE TABLE prd.b.cow WITH ('write.delete.mode' = "
                                    "'copy-on-write') AS {}",
                                    Source(o.rows)));
  });
  if (!ctas.ok()) return Fail(ctas.status());
  rows.push_back(
      {fmt::format("CTAS {} rows", o.rows), o.rows / 1e6, "M rows/s", 0.9, *ctas, *copy});

  // 2. DELETE 0.1%: merge-on-read vs copy-on-write.
  for (const char* t : {"mor"}) {
    Status st = Run(session, fmt::format("CREATE TABLE prd.b.{} WITH ('write.delete.mode' = "
                                         "'merge-on-read', 'write.merge.mode' = 'merge-on-read') "
                                         "AS {}",
                                         t, Source(o.rows)));
    if (!st.ok()) return Fail(st);
  }
  const std::string sparse = "DELETE FROM prd.b.{} WHERE id % 1000 = 7";
  auto cow = Time([&] { return Run(session, fmt::format(fmt::runtime(sparse), "cow")); });
  if (!cow.ok()) return Fail(cow.status());
  auto mor = Time([&] { return Run(session, fmt::format(fmt::runtime(sparse), "mor")); });
  if (!mor.ok()) return Fail(mor.status());
  rows.push_back({"DELETE 0.1% (vs copy-on-write)", 1, "statements/s", 10, *mor, *cow});

  // 3. MERGE of --merge-rows changed rows vs DuckDB's MERGE INTO on a native table.
  Status st = engine.Execute(fmt::format("CREATE TABLE native AS {}", Source(o.rows)));
  if (!st.ok()) return Fail(st);
  st = engine.Execute(fmt::format(
      "CREATE TABLE changes AS SELECT range * 50 AS id, 3 AS k, 1.5 AS amount, 'changed' AS note "
      "FROM range({})",
      o.merge_rows));  // ids 0, 50, 100, ...: inside a 10M-row table; past its end for small --rows
  if (!st.ok()) return Fail(st);
  const std::string merge =
      "MERGE INTO {} AS t USING changes AS c ON t.id = c.id WHEN MATCHED THEN UPDATE SET "
      "amount = c.amount, note = c.note WHEN NOT MATCHED THEN INSERT VALUES (c.id, c.k, "
      "c.amount, c.note)";
  // The goal's baseline: a native table in a DuckDB database file (durable on commit, as a
  // lake commit is); for information also one held in memory.
  st = engine.Execute(fmt::format("ATTACH '{}/native.duckdb' AS disk", dir));
  if (st.ok()) st = engine.Execute(fmt::format("CREATE TABLE disk.native AS {}", Source(o.rows)));
  if (st.ok()) st = engine.Execute("CHECKPOINT disk");
  if (!st.ok()) return Fail(st);
  auto on_disk =
      Time([&] { return engine.Execute(fmt::format(fmt::runtime(merge), "disk.native")); });
  if (!on_disk.ok()) return Fail(on_disk.status());
  auto native = Time([&] { return engine.Execute(fmt::format(fmt::runtime(merge), "native")); });
  if (!native.ok()) return Fail(native.status());
  auto lake_merge =
      Time([&] { return Run(session, fmt::format(fmt::runtime(merge), "prd.b.mor")); });
  if (!lake_merge.ok()) return Fail(lake_merge.status());
  rows.push_back({fmt::format("MERGE {} rows (vs native table in a database file)", o.merge_rows),
                  1, "statements/s", 0.5, *lake_merge, *on_disk});
  rows.push_back({fmt::format("MERGE {} rows (vs native table in memory, info)", o.merge_rows), 1,
                  "statements/s", 0, *lake_merge, *native});
  auto same = One(engine,
                  "SELECT (SELECT count(*) FROM (SELECT * FROM native EXCEPT ALL SELECT * FROM "
                  "prd.b.mor)) + (SELECT count(*) FROM (SELECT * FROM prd.b.mor EXCEPT ALL "
                  "SELECT * FROM native)) - (SELECT count(*) FROM native WHERE id % 1000 = 7)");
  if (!same.ok()) return Fail(same.status());
  if (*same != "0") std::cerr << "dml_bench: the merged lake table differs from DuckDB's\n";

  // 4. A read after --deletes small deletes vs the same table compacted: on a fresh table
  // (the goal's case), and for information on the table of cases 2 and 3 (its 0.1% DELETE
  // and MERGE left 110k deleted positions besides the small deletes).
  auto lake = lake::Lake::Open(root);
  if (!lake.ok()) return Fail(lake.status());
  auto tables = lake::OpenLakeTables(**lake);
  if (!tables.ok()) return Fail(tables.status());
  st = Run(session, fmt::format("CREATE TABLE prd.b.reads WITH ('write.delete.mode' = "
                                "'merge-on-read') AS {}",
                                Source(o.rows)));
  if (!st.ok()) return Fail(st);
  for (const char* t : {"reads", "mor"}) {
    for (int i = 0; i < o.deletes; ++i) {
      st = Run(session, fmt::format("DELETE FROM prd.b.{} WHERE id = {}", t, i * 9973 + 1));
      if (!st.ok()) return Fail(st);
    }
    auto table = lake::LoadLakeTable(*tables, {{"prd", "b"}, t});
    if (!table.ok()) return Fail(table.status());
    const std::string read =
        "SELECT sum(id), sum(k), sum(amount), sum(length(note)) FROM iceberg_scan('{}')";
    const std::string deleted_metadata = table->metadata_location();
    auto deleted_read = Time(
        [&] { return engine.Query(fmt::format(fmt::runtime(read), deleted_metadata)).status(); });
    if (!deleted_read.ok()) return Fail(deleted_read.status());
    auto compacted = lake::CompactTable(engine, *table, {});
    if (!compacted.ok()) return Fail(compacted.status());
    const std::string compacted_metadata = table->metadata_location();
    auto compact_read = Time(
        [&] { return engine.Query(fmt::format(fmt::runtime(read), compacted_metadata)).status(); });
    if (!compact_read.ok()) return Fail(compact_read.status());
    const bool fresh = std::string(t) == "reads";
    rows.push_back({fresh ? fmt::format("read after {} deletes (vs compacted)", o.deletes)
                          : fmt::format("read after DELETE, MERGE, {} deletes (info)", o.deletes),
                    1, "reads/s", fresh ? 1 / 1.3 : 0, *deleted_read, *compact_read});
  }

  PrintTable(rows, "baseline");
  for (const Comparison& c : rows) {
    std::cout << fmt::format("  {}: atoll {:.3f} s, baseline {:.3f} s\n", c.name, c.atoll_seconds,
                             c.other_seconds);
  }
  for (const Comparison& c : rows) ok &= c.GoalMet();
  session.Finish();
  fs::remove_all(dir);
  return o.check && !ok ? 1 : 0;
}

}  // namespace
}  // namespace atl::bench

int main(int argc, char** argv) {
  atl::bench::Options options;
  atl::bench::Flags flags("dml_bench");
  flags.Add("--rows", &options.rows)
      .Add("--merge-rows", &options.merge_rows)
      .Add("--deletes", &options.deletes)
      .Add("--dir", &options.dir)
      .Switch("--check", &options.check);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  return atl::bench::RunAll(options);
}
