// load/ → stg/ on a local lake with DuckDB: table creation, group commit, schema merge,
// rejects, recovery of an interrupted run, concurrent ingests, prepare + ingest, and the
// zone.db.table names of `atoll query`.
#include "atoll/ingest/ingest.h"

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "atoll/engine/engine.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/table/iceberg_scan.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::TempDir;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

class IngestTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Lake::Init(root(), Settings{}));
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(root()));
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open());
    table::IcebergScanOptions scan;
    scan.root = root();
    ASSERT_OK(table::RegisterIcebergScan(*engine_, scan));
  }

  std::string root() const { return dir_.Join("lake"); }
  bool Exists(const std::string& key) const { return fs::exists(root() + "/" + key); }

  // Writes a Parquet file at `key` from a SELECT.
  void DropParquet(const std::string& key, const std::string& select) {
    fs::create_directories(fs::path(root() + "/" + key).parent_path());
    ASSERT_OK(engine_->Execute(StrCat(
        "COPY (", select, ") TO ", engine::QuoteString(root() + "/" + key), " (FORMAT parquet)")));
  }

  Result<IngestReport> Run(IngestOptions o = {}) {
    o.work_dir = dir_.Join("work");
    return Ingest(*lake_, o);
  }

  // The current metadata location of stg.<db>.<table>.
  std::string Metadata(const std::string& db, const std::string& table) {
    auto tables = OpenLakeTables(*lake_);
    EXPECT_OK(tables.status());
    auto loc = tables->catalog->LoadMetadataLocation({{"stg", db}, table});
    EXPECT_OK(loc.status());
    return loc.ok() ? *loc : "";
  }

  std::vector<engine::Row> Rows(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    return r.ok() ? r->rows : std::vector<engine::Row>{};
  }

  std::string Scalar(const std::string& sql) {
    auto rows = Rows(sql);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return "NULL";
    return *rows[0][0];
  }

  std::string Scan(const std::string& db, const std::string& table) {
    return StrCat("iceberg_scan(", engine::QuoteString(Metadata(db, table)), ")");
  }

  void RunConcurrently(bool use_lease);

  // The ledger entries of done batches of stg.<db>.<table>, oldest first.
  std::vector<nlohmann::json> DoneBatches(const std::string& db, const std::string& table) {
    std::vector<std::string> paths;
    for (const auto& e :
         fs::directory_iterator(StrCat(root(), "/_atoll/ingest/stg.", db, ".", table, "/done"))) {
      paths.push_back(e.path().string());
    }
    std::sort(paths.begin(), paths.end());  // batch ids sort by time
    std::vector<nlohmann::json> out;
    for (const std::string& p : paths)
      out.push_back(nlohmann::json::parse(::atl::testing::ReadFile(p)));
    return out;
  }

  TempDir dir_;
  std::unique_ptr<Lake> lake_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(IngestTest, NothingWaitingIsAnEmptyReport) {
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  EXPECT_TRUE(report.tables.empty());
}

TEST_F(IngestTest, FilesOfOneTableLoadInOneCommitAndTheirSourcesGo) {
  DropParquet("load/shop/orders/a.parquet",
              "SELECT range AS id, 'x' || range AS name FROM range(100)");
  DropParquet("load/shop/orders/b.parquet", "SELECT range + 100 AS id, 'y' AS name FROM range(50)");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  const TableIngestReport& t = report.tables[0];
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.table_name, "stg.shop.orders");
  EXPECT_TRUE(t.created);
  EXPECT_EQ(t.files_loaded, 2u);
  EXPECT_EQ(t.rows, 150);
  EXPECT_EQ(t.snapshot_ids.size(), 1u);  // group commit
  EXPECT_FALSE(Exists("load/shop/orders/a.parquet"));
  EXPECT_FALSE(Exists("load/shop/orders/b.parquet"));

  const std::string scan = Scan("shop", "orders");
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + scan), "150");
  EXPECT_EQ(Scalar("SELECT sum(id) FROM " + scan), std::to_string(149 * 150 / 2));
  EXPECT_EQ(Scalar("SELECT count(DISTINCT _etl_loaded_at) FROM " + scan), "1");
  EXPECT_EQ(Scalar("SELECT typeof(_etl_loaded_at) FROM " + scan + " LIMIT 1"),
            "TIMESTAMP WITH TIME ZONE");

  // The ledger records which source went into which snapshot.
  std::vector<std::string> done;
  for (const auto& e : fs::directory_iterator(root() + "/_atoll/ingest/stg.shop.orders/done")) {
    done.push_back(e.path().string());
  }
  ASSERT_EQ(done.size(), 1u);
  auto doc = nlohmann::json::parse(::atl::testing::ReadFile(done[0]));
  EXPECT_EQ(doc["snapshot_id"].get<int64_t>(), t.snapshot_ids[0]);
  EXPECT_EQ(doc["sources"].size(), 2u);
  EXPECT_EQ(doc["sources"][0]["key"], "load/shop/orders/a.parquet");

  // A second run finds nothing to do.
  ASSERT_OK_AND_ASSIGN(IngestReport again, Run());
  EXPECT_TRUE(again.tables.empty());
}

TEST_F(IngestTest, TableIsPartitionedByDayOfLoadTime) {
  DropParquet("load/shop/events/a.parquet", "SELECT 1 AS id");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  ASSERT_EQ(report.tables[0].error, "");
  auto md = nlohmann::json::parse(::atl::testing::ReadFile(Metadata("shop", "events")));
  auto spec = md["partition-specs"][0]["fields"];
  ASSERT_EQ(spec.size(), 1u);
  EXPECT_EQ(spec[0]["transform"], "day");
  EXPECT_EQ(spec[0]["name"], "_etl_loaded_at_day");
}

TEST_F(IngestTest, LaterFilesAddColumnsAndWidenTypes) {
  DropParquet("load/shop/items/1.parquet", "SELECT 1::INTEGER AS id, 1.5::FLOAT AS price");
  ASSERT_OK(Run().status());
  DropParquet("load/shop/items/2.parquet",
              "SELECT 5000000000::BIGINT AS id, 2.25::DOUBLE AS price, 'red' AS color");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables[0].error, "");
  EXPECT_EQ(report.tables[0].files_loaded, 1u);
  const std::string scan = Scan("shop", "items");
  EXPECT_EQ(Scalar("SELECT typeof(id) FROM " + scan + " LIMIT 1"), "BIGINT");
  EXPECT_EQ(Scalar("SELECT typeof(price) FROM " + scan + " LIMIT 1"), "DOUBLE");
  EXPECT_EQ(Scalar("SELECT string_agg(coalesce(color, 'null'), ',' ORDER BY id) FROM " + scan),
            "null,red");
  EXPECT_EQ(Scalar("SELECT max(id) FROM " + scan), "5000000000");
}

TEST_F(IngestTest, IncompatibleAndCorruptFilesAreRejectedAndTheRestLoads) {
  DropParquet("load/shop/users/1.parquet", "SELECT 1 AS id, 'ann' AS name");
  ASSERT_OK(Run().status());
  DropParquet("load/shop/users/2.parquet", "SELECT 'not a number' AS id");
  ::atl::testing::WriteFile(root() + "/load/shop/users/3.parquet", "this is not parquet at all");
  DropParquet("load/shop/users/4.parquet", "SELECT 2 AS id, 'bob' AS name");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  const TableIngestReport& t = report.tables[0];
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.files_loaded, 1u);
  ASSERT_EQ(t.rejected.size(), 2u);
  std::map<std::string, std::string> reasons;
  for (const RejectedFile& r : t.rejected) reasons[r.rejected_key] = r.reason;
  EXPECT_THAT(reasons["_rejected/load/shop/users/2.parquet"], HasSubstr("column 'id'"));
  EXPECT_THAT(reasons["_rejected/load/shop/users/3.parquet"], HasSubstr("No magic bytes"));
  EXPECT_THAT(reasons["_rejected/load/shop/users/3.parquet"], ::testing::Not(HasSubstr("LINE 1")));
  for (const char* name : {"2.parquet", "3.parquet"}) {
    EXPECT_TRUE(Exists(StrCat("_rejected/load/shop/users/", name)));
    auto reason = nlohmann::json::parse(
        ::atl::testing::ReadFile(root() + "/_rejected/load/shop/users/" + name + ".error.json"));
    EXPECT_FALSE(reason["reason"].get<std::string>().empty());
    EXPECT_EQ(reason["source_key"], StrCat("load/shop/users/", name));
    EXPECT_FALSE(Exists(StrCat("load/shop/users/", name)));
  }
  EXPECT_EQ(Scalar("SELECT string_agg(name, ',' ORDER BY id) FROM " + Scan("shop", "users")),
            "ann,bob");
}

TEST_F(IngestTest, ARunInterruptedAfterItsCommitIsFinishedWithoutLoadingTwice) {
  DropParquet("load/shop/orders/a.parquet", "SELECT range AS id FROM range(10)");
  // Keep a copy of the source to put back, as if the run died before deleting it.
  const std::string saved = ::atl::testing::ReadFile(root() + "/load/shop/orders/a.parquet");
  ASSERT_OK_AND_ASSIGN(IngestReport first, Run());
  ASSERT_EQ(first.tables[0].files_loaded, 1u);
  const std::string ledger = root() + "/_atoll/ingest/stg.shop.orders/";
  std::string done_file;
  for (const auto& e : fs::directory_iterator(ledger + "done")) done_file = e.path().string();
  ASSERT_FALSE(done_file.empty());
  // Back to the state right after the commit: source present (the ledger names its new
  // etag, as it would have named the untouched file's), ledger entry pending.
  ::atl::testing::WriteFile(root() + "/load/shop/orders/a.parquet", saved);
  ASSERT_OK_AND_ASSIGN(storage::ObjectInfo restored,
                       lake_->store().Head("load/shop/orders/a.parquet"));
  auto entry = nlohmann::json::parse(::atl::testing::ReadFile(done_file));
  entry["sources"][0]["etag"] = restored.etag;
  entry.erase("snapshot_id");
  ::atl::testing::WriteFile(ledger + "pending/" + fs::path(done_file).filename().string(),
                            entry.dump());
  fs::remove(done_file);

  ASSERT_OK_AND_ASSIGN(IngestReport second, Run());
  ASSERT_EQ(second.tables.size(), 1u);
  EXPECT_EQ(second.tables[0].recovered_files, 1u);
  EXPECT_EQ(second.tables[0].files_loaded, 0u);
  EXPECT_FALSE(Exists("load/shop/orders/a.parquet"));
  EXPECT_TRUE(!fs::exists(ledger + "pending") || fs::is_empty(ledger + "pending"));
  EXPECT_TRUE(fs::exists(done_file));
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("shop", "orders")), "10");
}

TEST_F(IngestTest, AnUncommittedBatchLoadsAgain) {
  DropParquet("load/shop/orders/a.parquet", "SELECT range AS id FROM range(7)");
  // A pending entry of a batch that never committed (the run died before its commit).
  const std::string ledger = root() + "/_atoll/ingest/stg.shop.orders/pending/";
  fs::create_directories(ledger);
  ::atl::testing::WriteFile(
      ledger + "old.json",
      R"({"batch_id": "old", "created_ms": 0, "sources": [{"key": "load/shop/orders/a.parquet", "size": 1, "etag": "x"}]})");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  EXPECT_EQ(report.tables[0].files_loaded, 1u);
  EXPECT_EQ(report.tables[0].recovered_files, 0u);
  EXPECT_FALSE(fs::exists(ledger + "old.json"));  // older than the grace period: dropped
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + Scan("shop", "orders")), "7");
}

// Two processes at once: the lease makes one of them skip the table.
TEST_F(IngestTest, TwoConcurrentIngestsLoadEachFileOnce) { RunConcurrently(/*use_lease=*/true); }

// Without leases (stores that ignore conditional writes), commit validation alone keeps
// every file to one commit.
TEST_F(IngestTest, CommitValidationAloneKeepsEachFileToOneCommit) {
  RunConcurrently(/*use_lease=*/false);
}

void IngestTest::RunConcurrently(bool use_lease) {
  for (int i = 0; i < 20; ++i) {
    DropParquet(StrCat("load/shop/clicks/f", i, ".parquet"),
                StrCat("SELECT ", i * 1000, " + range AS id FROM range(100)"));
  }
  std::vector<Result<IngestReport>> results(2, Result<IngestReport>(Internal("not run")));
  std::vector<std::thread> threads;
  for (int p = 0; p < 2; ++p) {
    threads.emplace_back([this, p, use_lease, &results] {
      auto lake = Lake::Open(root());
      if (!lake.ok()) {
        results[p] = lake.status();
        return;
      }
      IngestOptions o;
      o.work_dir = dir_.Join(StrCat("work", p));
      o.max_files_per_commit = 3;
      o.use_lease = use_lease;
      results[p] = Ingest(**lake, o);
    });
  }
  for (auto& t : threads) t.join();
  size_t loaded = 0, left = 0;
  for (auto& r : results) {
    ASSERT_OK(r.status());
    for (const auto& t : r->tables) {
      EXPECT_EQ(t.error, "");
      loaded += t.files_loaded;
      left += t.left.size();
      for (const RejectedFile& r : t.rejected)
        ADD_FAILURE() << "rejected " << r.source.key << ": " << r.reason;
    }
  }
  // A source the other run changed the state of while this one read it (committed and
  // deleted it, source_check.h) may be left in place for the next run, never loaded twice:
  // the next run loads exactly what is left.
  ASSERT_OK_AND_ASSIGN(IngestReport next, Run());
  const size_t loaded_next = next.files_loaded();
  EXPECT_LE(loaded_next, left);
  EXPECT_EQ(loaded + loaded_next, 20u);
  const std::string scan = Scan("shop", "clicks");
  EXPECT_EQ(Scalar("SELECT count(*) FROM " + scan), "2000");
  EXPECT_EQ(Scalar("SELECT count(DISTINCT id) FROM " + scan), "2000");
}

TEST_F(IngestTest, PreparedFilesAreIngestedInTheSameRun) {
  ::atl::testing::WriteFile(root() + "/prepare/crm/customers/a.csv", "id,name\n1,ann\n2,bob\n");
  ::atl::testing::WriteFile(root() + "/prepare/crm/customers/b.ndjson",
                            "{\"id\": 3, \"name\": \"cy\"}\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_EQ(report.tables[0].rows, 3);
  EXPECT_FALSE(Exists("prepare/crm/customers/a.csv"));
  EXPECT_EQ(Scalar("SELECT string_agg(name, ',' ORDER BY id) FROM " + Scan("crm", "customers")),
            "ann,bob,cy");
}

// Types are detected from a sample of rows first; a value past the sample that does not
// fit makes prepare detect again from every row instead of rejecting the file.
TEST_F(IngestTest, ACsvWhoseLastRowBreaksTheSampledTypeStillLoads) {
  std::string csv = "id,v\n";
  for (int i = 0; i < 150000; ++i) csv += std::to_string(i) + "," + std::to_string(i % 100) + "\n";
  csv += "150000,not a number\n";
  ::atl::testing::WriteFile(root() + "/prepare/crm/late/a.csv", csv);
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_TRUE(report.tables[0].prepared.rejected.empty());
  EXPECT_EQ(report.tables[0].rows, 150001);
  const std::string scan = Scan("crm", "late");
  EXPECT_EQ(Scalar("SELECT typeof(v) FROM " + scan + " LIMIT 1"), "VARCHAR");
  EXPECT_EQ(Scalar("SELECT v FROM " + scan + " WHERE id = 150000"), "not a number");
}

// CSV batches are written straight into the table (read and written once): the ledger
// names the prepare/ files, nothing passes through load/, and the table holds the same
// rows and types as when the batch goes the load/ way.
TEST_F(IngestTest, CsvBatchesGoStraightIntoTheTable) {
  for (const char* t : {"direct", "via_load"}) {
    ::atl::testing::WriteFile(
        StrCat(root(), "/prepare/shop/", t, "/a.csv"),
        "id,name,seen\n1,ann,2024-01-02 03:04:05\n2,bob,2024-02-03 04:05:06\n");
    ::atl::testing::WriteFile(StrCat(root(), "/prepare/shop/", t, "/b.csv"),
                              "id,name,seen\n3,cy,2024-03-04 05:06:07\n");
  }
  IngestOptions direct;
  direct.tables = {"shop.direct"};
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run(direct));
  ASSERT_EQ(report.tables.size(), 1u);
  const TableIngestReport& t = report.tables[0];
  EXPECT_EQ(t.error, "");
  EXPECT_EQ(t.rows, 3);
  EXPECT_EQ(t.files_loaded, 2u);
  ASSERT_EQ(t.prepared.prepared.size(), 1u);
  EXPECT_EQ(t.prepared.prepared[0].loaded_into, "stg.shop.direct");
  EXPECT_EQ(t.prepared.prepared[0].output_key, "");
  EXPECT_EQ(t.prepared.prepared[0].rows, 3);
  EXPECT_FALSE(Exists("prepare/shop/direct/a.csv"));
  // Nothing went through load/: its table folder (kept for people's copies) holds no file.
  for (const auto& e : fs::recursive_directory_iterator(root() + "/load/shop/direct")) {
    EXPECT_TRUE(e.path().filename().string().starts_with(".atoll-")) << e.path();
  }
  std::vector<nlohmann::json> done = DoneBatches("shop", "direct");
  ASSERT_EQ(done.size(), 1u);
  ASSERT_EQ(done[0]["sources"].size(), 2u);
  EXPECT_EQ(done[0]["sources"][0]["key"], "prepare/shop/direct/a.csv");
  EXPECT_EQ(done[0]["snapshot_id"].get<int64_t>(), t.snapshot_ids.at(0));

  IngestOptions via_load;
  via_load.tables = {"shop.via_load"};
  via_load.direct_load = false;
  ASSERT_OK_AND_ASSIGN(report, Run(via_load));
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  ASSERT_EQ(report.tables[0].prepared.prepared.size(), 1u);
  EXPECT_EQ(report.tables[0].prepared.prepared[0].loaded_into, "");
  EXPECT_THAT(DoneBatches("shop", "via_load").at(0)["sources"][0]["key"].get<std::string>(),
              HasSubstr("load/shop/via_load/prepared-"));

  const std::string cols = "id, name, seen, typeof(id), typeof(name), typeof(seen)";
  const std::string a = Scan("shop", "direct"), b = Scan("shop", "via_load");
  EXPECT_EQ(Scalar(StrCat("SELECT count(*) FROM (SELECT ", cols, " FROM ", a, " EXCEPT SELECT ",
                          cols, " FROM ", b, ")")),
            "0");
  EXPECT_EQ(
      Scalar(StrCat("SELECT string_agg(name || ':' || typeof(seen), ',' ORDER BY id) FROM ", a)),
      "ann:TIMESTAMP,bob:TIMESTAMP,cy:TIMESTAMP");
}

// Direct batches are formed by the commit limits, not by prepare's (which size one load/
// file each): the CSVs waiting for a table land in one commit.
TEST_F(IngestTest, DirectCsvBatchesFollowTheCommitLimits) {
  Settings settings;
  settings.prepare.max_files_per_batch = 1;
  const std::string root2 = dir_.Join("lake2");
  ASSERT_OK(Lake::Init(root2, settings));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Lake> lake, Lake::Open(root2));
  for (int i = 0; i < 5; ++i) {
    ::atl::testing::WriteFile(StrCat(root2, "/prepare/shop/many/f", i, ".csv"),
                              StrCat("id\n", i, "\n"));
  }
  IngestOptions o;
  o.work_dir = dir_.Join("work2");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest(*lake, o));
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_EQ(report.tables[0].files_loaded, 5u);
  EXPECT_EQ(report.tables[0].snapshot_ids.size(), 1u);
  ASSERT_EQ(report.tables[0].prepared.prepared.size(), 1u);
  EXPECT_EQ(report.tables[0].prepared.prepared[0].sources.size(), 5u);

  o.max_files_per_commit = 2;  // and a smaller limit cuts them into batches of 2
  for (int i = 5; i < 10; ++i) {
    ::atl::testing::WriteFile(StrCat(root2, "/prepare/shop/many/f", i, ".csv"),
                              StrCat("id\n", i, "\n"));
  }
  ASSERT_OK_AND_ASSIGN(report, Ingest(*lake, o));
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].files_loaded, 5u);
  EXPECT_EQ(report.tables[0].snapshot_ids.size(), 3u);
}

// A CSV whose columns need a schema change goes the load/ way (the change is committed
// from the converted file, whose types were checked on every row).
TEST_F(IngestTest, ACsvNeedingASchemaChangeGoesThroughLoad) {
  ::atl::testing::WriteFile(root() + "/prepare/shop/grow/a.csv", "id,name\n1,ann\n");
  ASSERT_OK(Run().status());
  ::atl::testing::WriteFile(root() + "/prepare/shop/grow/b.csv", "id,name,extra\n2,bob,x\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_EQ(report.tables[0].rows, 1);
  std::vector<nlohmann::json> done = DoneBatches("shop", "grow");
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0]["sources"][0]["key"], "prepare/shop/grow/a.csv");
  EXPECT_THAT(done[1]["sources"][0]["key"].get<std::string>(), HasSubstr("load/shop/grow/"));
  EXPECT_EQ(Scalar("SELECT string_agg(name || ':' || coalesce(extra, '-'), ',' ORDER BY id) FROM " +
                   Scan("shop", "grow")),
            "ann:-,bob:x");
}

// Local files are read in place unless their names are DuckDB globs: those are copied
// first, and load all the same.
TEST_F(IngestTest, CsvNamesWithGlobCharactersLoad) {
  ::atl::testing::WriteFile(root() + "/prepare/shop/glob/a[1]*.csv", "id\n1\n2\n");
  ::atl::testing::WriteFile(root() + "/prepare/shop/glob/a1x.csv", "id\n3\n");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_EQ(report.tables[0].error, "");
  EXPECT_EQ(Scalar("SELECT string_agg(id::VARCHAR, ',' ORDER BY id) FROM " + Scan("shop", "glob")),
            "1,2,3");
  EXPECT_FALSE(Exists("prepare/shop/glob/a[1]*.csv"));
}

TEST_F(IngestTest, ListsTheLakeTables) {
  DropParquet("load/a/x/1.parquet", "SELECT 1 AS id");
  DropParquet("load/b/y/1.parquet", "SELECT 1 AS id");
  ASSERT_OK(Run().status());
  ASSERT_OK_AND_ASSIGN(LakeTables tables, OpenLakeTables(*lake_));
  ASSERT_OK_AND_ASSIGN(auto ids, ListLakeTables(tables));
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0].ToString(), "stg.a.x");
  EXPECT_EQ(ids[1].ToString(), "stg.b.y");
  EXPECT_EQ(ids[2].ToString(), "trail.atoll.audit");  // the lake's own audit trail
  ASSERT_OK_AND_ASSIGN(auto parsed, ParseLakeTableName("stg.a.x"));
  EXPECT_EQ(parsed.ns.size(), 2u);
  EXPECT_FALSE(ParseLakeTableName("x").ok());
}

}  // namespace
}  // namespace atl::lake
