// Every Parquet and Avro file of ../shared/testdata dropped into a lake (Parquet into
// load/, Avro into prepare/, one table per file) is ingested with the values DuckDB
// reads from the source file, or lands in _rejected/ with a reason. Values are compared
// per row as JSON after casting the source's columns to the table's column types (the
// landing type mapping may widen, e.g. UINTEGER → BIGINT; see landing_schema.h).
// Avro files are compared with the Parquet file prepare/ wrote from them (DuckDB has no
// Avro reader here; prepare_test checks Avro → Parquet values against an independent
// Avro reader, avro-c's avrocat).
#include <filesystem>
#include <map>

#include "atoll/engine/engine.h"
#include "atoll/ingest/ingest.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/table/iceberg_scan.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Files(const std::string& root, const std::string& ext) {
  std::vector<std::string> out;
  if (!fs::exists(root)) return out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file() && e.path().extension() == ext) out.push_back(e.path().string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class IngestTestdataTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto td = ::atl::testing::TestdataDir();
    if (!td) GTEST_SKIP() << "../shared/testdata is absent";
    testdata_ = *td;
    ASSERT_OK(Lake::Init(root(), Settings{}));
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(root()));
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open());
    table::IcebergScanOptions scan;
    scan.root = root();
    ASSERT_OK(table::RegisterIcebergScan(*engine_, scan));
  }
  std::string root() const { return dir_.Join("lake"); }

  // count(*) and a hash of every row as JSON, for `query`.
  std::string Fingerprint(const std::string& query) {
    auto r = engine_->Query(
        "SELECT count(*) || ':' || coalesce(sum(hash(to_json(t)))::VARCHAR, '0') FROM (" + query +
        ") t");
    if (!r.ok()) return "error: " + r.status().ToString();
    return r->rows.at(0).at(0).value_or("NULL");
  }

  // Compares the table `name` with `source` (a Parquet file) column by column.
  void ExpectSameValues(const std::string& table, const std::string& source,
                        const std::string& label) {
    ASSERT_OK_AND_ASSIGN(LakeTables tables, OpenLakeTables(*lake_));
    ASSERT_OK_AND_ASSIGN(iceberg::TableIdentifier id, ParseLakeTableName(table));
    ASSERT_OK_AND_ASSIGN(std::string metadata, tables.catalog->LoadMetadataLocation(id));
    const std::string scan = "iceberg_scan(" + engine::QuoteString(metadata) + ")";
    ASSERT_OK_AND_ASSIGN(engine::QueryResult described,
                         engine_->Query("DESCRIBE SELECT * FROM " + scan));
    std::string src_cols;
    std::string tbl_cols;
    for (const engine::Row& row : described.rows) {
      const std::string name = *row[0];
      if (name == kLoadedAtColumn) continue;
      const std::string q = engine::QuoteIdentifier(name);
      src_cols += (src_cols.empty() ? "" : ", ") + StrCat("CAST(", q, " AS ", *row[1], ") AS ", q);
      tbl_cols += (tbl_cols.empty() ? "" : ", ") + q;
    }
    const std::string src =
        "SELECT " + src_cols + " FROM read_parquet(" + engine::QuoteString(source) + ")";
    const std::string tbl = "SELECT " + tbl_cols + " FROM " + scan;
    EXPECT_EQ(Fingerprint(tbl), Fingerprint(src)) << label;
  }

  ::atl::testing::TempDir dir_;
  std::string testdata_;
  std::unique_ptr<Lake> lake_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(IngestTestdataTest, EveryParquetFileLoadsWithItsValuesOrIsRejected) {
  std::vector<std::string> files = Files(testdata_, ".parquet");
  ASSERT_GT(files.size(), 10u);
  std::map<std::string, std::string> table_of;  // table → source
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string key = StrCat("load/td/p", i, "/", fs::path(files[i]).filename().string());
    fs::create_directories(fs::path(root() + "/" + key).parent_path());
    fs::copy_file(files[i], root() + "/" + key);
    table_of[StrCat("stg.td.p", i)] = files[i];
  }
  IngestOptions o;
  o.work_dir = dir_.Join("work");
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest(*lake_, o));
  ASSERT_TRUE(report.ok());
  size_t loaded = 0;
  size_t rejected = 0;
  for (const TableIngestReport& t : report.tables) {
    ASSERT_EQ(t.error, "") << t.table_name;
    for (const RejectedFile& r : t.rejected) {
      ++rejected;
      // Only files DuckDB cannot read either, or whose types Iceberg cannot hold, are rejected.
      EXPECT_FALSE(r.reason.empty());
      EXPECT_TRUE(fs::exists(root() + "/" + r.rejected_key + ".error.json")) << r.rejected_key;
      auto direct = engine_->Query("SELECT * FROM read_parquet(" +
                                   engine::QuoteString(table_of[t.table_name]) + ")");
      const bool unreadable = !direct.ok();
      const bool unsupported = r.reason.find("no Iceberg equivalent") != std::string::npos;
      EXPECT_TRUE(unreadable || unsupported)
          << table_of[t.table_name] << " was rejected: " << r.reason;
    }
    if (t.files_loaded == 1) {
      ++loaded;
      ExpectSameValues(t.table_name, table_of[t.table_name], table_of[t.table_name]);
    }
  }
  EXPECT_EQ(loaded + rejected, files.size());
  EXPECT_GT(loaded, files.size() * 8 / 10);
  EXPECT_TRUE(Files(root() + "/load", ".parquet").empty());
  std::cout << loaded << " Parquet files loaded, " << rejected << " rejected\n";
}

TEST_F(IngestTestdataTest, EveryAvroFileLoadsOrIsRejected) {
  std::vector<std::string> files = Files(testdata_, ".avro");
  ASSERT_GT(files.size(), 10u);
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string key = StrCat("prepare/td/a", i, "/", fs::path(files[i]).filename().string());
    fs::create_directories(fs::path(root() + "/" + key).parent_path());
    fs::copy_file(files[i], root() + "/" + key);
  }
  // prepare/ first, keeping a copy of each converted file to compare the table with.
  PrepareOptions po;
  po.work_dir = dir_.Join("prep");
  ASSERT_OK_AND_ASSIGN(PrepareReport prepared, Prepare(*lake_, po));
  std::map<std::string, std::string> copy_of;  // table → copy of its prepared file
  size_t rejected = prepared.files_rejected();
  for (const TablePrepareReport& t : prepared.tables) {
    for (const RejectedFile& r : t.rejected) {
      EXPECT_TRUE(fs::exists(root() + "/" + r.rejected_key + ".error.json")) << r.rejected_key;
      std::cout << "rejected " << r.source.key << ": " << r.reason << "\n";
    }
    if (t.prepared.size() != 1) continue;
    const std::string copy = dir_.Join(StrCat("copies/", t.table, ".parquet"));
    fs::create_directories(fs::path(copy).parent_path());
    fs::copy_file(root() + "/" + t.prepared[0].output_key, copy);
    copy_of[StrCat("stg.td.", t.table)] = copy;
  }
  IngestOptions o;
  o.work_dir = dir_.Join("work");
  o.run_prepare = false;
  ASSERT_OK_AND_ASSIGN(IngestReport report, Ingest(*lake_, o));
  size_t loaded = 0;
  for (const TableIngestReport& t : report.tables) {
    ASSERT_EQ(t.error, "") << t.table_name;
    rejected += t.rejected.size();
    for (const auto* list : {&t.prepared.rejected, &t.rejected}) {
      for (const RejectedFile& r : *list) {
        EXPECT_TRUE(fs::exists(root() + "/" + r.rejected_key + ".error.json")) << r.rejected_key;
      }
    }
    if (t.files_loaded == 1) {
      ++loaded;
      ExpectSameValues(t.table_name, copy_of[t.table_name], t.table_name);
    }
  }
  EXPECT_EQ(loaded + rejected, files.size());
  // The truncated file is the one broken Avro file of the testdata.
  EXPECT_GE(rejected, 1u);
  EXPECT_LE(rejected, files.size() / 10);
  EXPECT_TRUE(Files(root() + "/prepare", ".avro").empty());
  std::cout << loaded << " Avro files loaded, " << rejected << " rejected\n";
}

}  // namespace
}  // namespace atl::lake
