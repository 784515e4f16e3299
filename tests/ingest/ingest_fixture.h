// A local lake to ingest into and read back: init, drop files, ingest, query the tables
// with iceberg_scan, read rejection reasons.
#pragma once

#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "atoll/engine/engine.h"
#include "atoll/ingest/ingest.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/table/iceberg_scan.h"
#include "testing/testing.h"

namespace atl::lake::testing {

class IngestFixture : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(InitWith(Settings{})); }

  void InitWith(const Settings& s) {
    ASSERT_OK(Lake::Init(root(), s, InitOptions{.force = true}));
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(root()));
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open());
    table::IcebergScanOptions scan;
    scan.root = root();
    ASSERT_OK(table::RegisterIcebergScan(*engine_, scan));
  }

  std::string root() const { return dir_.Join("lake"); }
  std::string Path(const std::string& key) const { return root() + "/" + key; }
  bool Exists(const std::string& key) const { return std::filesystem::exists(Path(key)); }
  void Drop(const std::string& key, const std::string& data) {
    ::atl::testing::WriteFile(Path(key), data);
  }

  Result<IngestReport> Ingest(IngestOptions o = {}) {
    o.work_dir = dir_.Join("work");
    return ::atl::lake::Ingest(*lake_, o);
  }

  // The current metadata of stg.<db>.<table>; "" when the table does not exist.
  std::string Metadata(const std::string& db, const std::string& table) {
    auto tables = OpenLakeTables(*lake_);
    EXPECT_OK(tables.status());
    if (!tables.ok()) return "";
    auto loc = tables->catalog->LoadMetadataLocation({{"stg", db}, table});
    return loc.ok() ? *loc : "";
  }

  // iceberg_scan(...) of stg.<db>.<table>, for SQL.
  std::string Scan(const std::string& db, const std::string& table) {
    return StrCat("iceberg_scan(", engine::QuoteString(Metadata(db, table)), ")");
  }

  std::string Scalar(const std::string& sql) {
    auto r = engine_->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status().ToString();
    if (!r.ok() || r->rows.empty() || r->rows[0].empty() || !r->rows[0][0]) return "NULL";
    return *r->rows[0][0];
  }

  // The reason file of a rejected file (its key under the rejected zone), or null.
  nlohmann::json Rejection(const std::string& rejected_key) {
    const std::string path = Path(rejected_key + ".error.json");
    if (!std::filesystem::exists(path)) return nullptr;
    return nlohmann::json::parse(::atl::testing::ReadFile(path));
  }

  ::atl::testing::TempDir dir_;
  std::unique_ptr<Lake> lake_;
  std::unique_ptr<engine::Engine> engine_;
};

}  // namespace atl::lake::testing
