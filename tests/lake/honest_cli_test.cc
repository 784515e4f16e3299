// Issue 15, items 6 and 7, as a user meets them through the atoll binary: a copied lake
// never writes into the original; a file's own `_etl_loaded_at` is kept; settings from the
// bucket cannot point the catalog at host files; a killed run's scratch folder is swept;
// the table output format streams; init refuses a store where ingest could never commit.
#include <sys/wait.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "cli/run_atoll.h"
#include "storage/s3_test_servers.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunProgram;
using ::atl::cli::testing::RunResult;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using nlohmann::json;
using ::testing::HasSubstr;

// Every regular file under `dir`, relative to it.
std::set<std::string> FilesUnder(const std::string& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (e.is_regular_file()) out.insert(fs::relative(e.path(), dir).string());
  }
  return out;
}

class HonestCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  json Query(const std::string& lake, const std::string& sql,
             const std::map<std::string, std::string>& env = {}) {
    RunResult r = RunAtoll({"query", lake, sql, "--format", "json"}, "", env);
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::array();
  }

  TempDir dir_;
  std::string lake_;
};

TEST_F(HonestCliTest, ACopiedLakeRefusesToWriteAndTheOriginalKeepsTheCopysFiles) {
  WriteFile(lake_ + "/prepare/shop/orders/a.csv", "id,amount\n1,10\n2,20\n");
  RunResult r = RunAtoll({"ingest", lake_});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const std::string copy = dir_.Join("lake2");
  fs::copy(lake_, copy, fs::copy_options::recursive);
  const std::set<std::string> original_before = FilesUnder(lake_);
  WriteFile(copy + "/prepare/shop/orders/b.csv", "id,amount\n3,30\n");
  r = RunAtoll({"ingest", copy});
  EXPECT_NE(r.exit_code, 0) << r.out << r.err;
  EXPECT_THAT(r.err, HasSubstr("copied or moved")) << r.err;
  EXPECT_THAT(r.err, HasSubstr("outside this lake (" + copy + ")")) << r.err;
  EXPECT_EQ(FilesUnder(lake_), original_before) << "the copy wrote into the original";

  // The original's orphan removal finds nothing of the copy's to delete.
  const std::set<std::string> copy_files = FilesUnder(copy);
  r = RunAtoll({"maintain", lake_, "--orphans-older-than", "1ms", "--expire-older-than", "1ms"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(FilesUnder(copy), copy_files);
  EXPECT_TRUE(fs::exists(copy + "/prepare/shop/orders/b.csv"));
  // The original still ingests and answers normally.
  WriteFile(lake_ + "/prepare/shop/orders/c.csv", "id,amount\n4,40\n");
  r = RunAtoll({"ingest", lake_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(Query(lake_, "SELECT count(*) AS n FROM stg.shop.orders")[0]["n"], 3);
}

TEST_F(HonestCliTest, AFilesOwnEtlLoadedAtIsKeptAsEtlLoadedAt1) {
  // CSV (written directly into the table) and NDJSON (through load/).
  WriteFile(lake_ + "/prepare/shop/a/x.csv", "id,_etl_loaded_at\n1,2001-02-03 04:05:06\n");
  WriteFile(lake_ + "/prepare/shop/b/x.ndjson",
            "{\"id\": 1, \"_etl_loaded_at\": \"user value\"}\n");
  RunResult r = RunAtoll({"ingest", lake_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string table : {"stg.shop.a", "stg.shop.b"}) {
    json rows = Query(lake_,
                      "SELECT CAST(_etl_loaded_at_1 AS VARCHAR) AS own, "
                      "_etl_loaded_at > TIMESTAMPTZ '2020-01-01' AS ours FROM " +
                          table);
    ASSERT_EQ(rows.size(), 1u) << table;
    EXPECT_THAT(rows[0]["own"].get<std::string>(),
                HasSubstr(table == "stg.shop.a" ? "2001-02-03 04:05:06" : "user value"));
    EXPECT_EQ(rows[0]["ours"], true) << table;
  }
  // A file holding both names is rejected with a reason naming them.
  WriteFile(lake_ + "/prepare/shop/b/y.ndjson",
            "{\"id\": 2, \"_etl_loaded_at\": \"a\", \"_etl_loaded_at_1\": \"b\"}\n");
  r = RunAtoll({"ingest", lake_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool found = false;
  for (const auto& e : fs::recursive_directory_iterator(lake_ + "/_rejected")) {
    if (e.path().string().size() > 11 && e.path().string().ends_with(".error.json")) {
      json reason = json::parse(::atl::testing::ReadFile(e.path().string()));
      EXPECT_THAT(reason["reason"].get<std::string>(), HasSubstr("_etl_loaded_at_1"));
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(HonestCliTest, SettingsCannotPointTheCatalogAtHostFilesUnlessAllowed) {
  TempDir elsewhere;
  const std::string catalog = "sqlite://" + elsewhere.Join("catalog.db");
  RunResult r = RunAtoll({"init", lake_, "--catalog", catalog, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFile(lake_ + "/prepare/shop/orders/a.csv", "id\n1\n");
  r = RunAtoll({"ingest", lake_});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_THAT(r.err, HasSubstr("ATOLL_ALLOW_CATALOG")) << r.err;
  EXPECT_FALSE(fs::exists(elsewhere.Join("catalog.db"))) << "the catalog file was created anyway";

  r = RunAtoll({"ingest", lake_}, "", {{"ATOLL_ALLOW_CATALOG", catalog}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(elsewhere.Join("catalog.db")));

  // A catalog inside the lake's own directory needs no permission.
  const std::string inside = "sqlite://" + lake_ + "/_atoll/catalog.db";
  r = RunAtoll({"init", lake_, "--catalog", inside, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  WriteFile(lake_ + "/prepare/shop/orders/b.csv", "id\n2\n");
  r = RunAtoll({"ingest", lake_});
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(HonestCliTest, AKilledRunsScratchFolderIsRemovedByTheNextRun) {
  TempDir tmp;
  std::string csv = "id,text\n";
  for (int i = 0; i < 200000; ++i)
    csv += std::to_string(i) + ",some text to make the file larger\n";
  WriteFile(lake_ + "/prepare/shop/orders/a.csv", csv);
  const std::string script = StrCat(
      "TMPDIR='", tmp.path(), "' '", ATOLL_BINARY, "' ingest '", lake_,
      "' >/dev/null 2>&1 & pid=$!\n", "for i in $(seq 1 2000); do [ -n \"$(ls '", tmp.path(),
      "')\" ] && break; sleep 0.005; done\n", "kill -9 $pid; wait $pid; ls '", tmp.path(), "'\n");
  RunResult killed = RunProgram({"/bin/bash", "-c", script});
  ASSERT_THAT(killed.out, HasSubstr("atoll-")) << "the run was not caught with its scratch folder";
  RunResult r = RunAtoll({"ingest", lake_}, "", {{"TMPDIR", tmp.path()}});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(tmp.path())) left.push_back(e.path().string());
  EXPECT_TRUE(left.empty()) << left.size() << " left, e.g. " << left.front();
}

TEST_F(HonestCliTest, TheTableFormatStreamsItsRows) {
  // Widths come from the first 1000 rows: a wider cell later does not widen the header.
  RunResult r = RunAtoll(
      {"query", lake_,
       "SELECT CASE WHEN i = 1500 THEN repeat('w', 40) ELSE 'x' END AS c FROM range(2000) t(i)"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.substr(0, r.out.find('\n')), "c");
  EXPECT_THAT(r.out, HasSubstr(std::string(40, 'w') + "\n"));
  EXPECT_THAT(r.out, HasSubstr("(2000 rows)"));

  // Memory does not grow with the rows: 3M rows of ~100 bytes stay far below their size.
  r = RunProgram({"/usr/bin/time", "-f", "maxrss_kb=%M", ATOLL_BINARY, "query", lake_,
                  "SELECT i, repeat('x', 100) AS s FROM range(3000000) t(i)"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("(3000000 rows)"));
  const size_t at = r.err.rfind("maxrss_kb=");
  ASSERT_NE(at, std::string::npos) << r.err;
  const long kb = std::stol(r.err.substr(at + 10));
  EXPECT_LT(kb, 300 * 1024) << "peak RSS " << kb / 1024 << " MiB";
}

TEST_F(HonestCliTest, FilesAtTheWrongDepthAndSymlinksAreReportedNotIgnored) {
  WriteFile(lake_ + "/prepare/top.csv", "id\n1\n");
  WriteFile(lake_ + "/prepare/shop/db_level.csv", "id\n1\n");
  WriteFile(lake_ + "/prepare/shop/orders/deep/er/ok.csv", "id\n7\n");
  WriteFile(dir_.Join("secret.csv"), "id\n666\n");
  fs::create_symlink(dir_.Join("secret.csv"), lake_ + "/prepare/shop/orders/link.csv");
  RunResult r = RunAtoll({"ingest", lake_});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(r.err, HasSubstr("ignored prepare/top.csv: not in a table folder"));
  EXPECT_THAT(r.err, HasSubstr("ignored prepare/shop/db_level.csv: not in a table folder"));
  EXPECT_THAT(r.err, HasSubstr("ignored prepare/shop/orders/link.csv: a symbolic link"));
  json rows = Query(lake_, "SELECT list(id ORDER BY id) AS ids FROM stg.shop.orders");
  EXPECT_EQ(rows[0]["ids"], json::array({7})) << "a link was followed";
}

TEST(HonestInitTest, InitRefusesAStoreThatCannotCommitUnlessASqlCatalogIsGiven) {
  ATOLL_REQUIRE_TEST_SERVER(config, "SWIFT");
  auto bucket = storage::testing::OpenFreshBucket(*config, "initprobe", &config_reason);
  ASSERT_NE(bucket, nullptr) << config_reason;
  const std::map<std::string, std::string> env = storage::testing::S3ClientEnv(*config);
  const std::string lake = "s3://" + bucket->config().bucket;
  RunResult r = RunAtoll({"init", lake}, "", env);
  EXPECT_NE(r.exit_code, 0) << r.out;
  EXPECT_THAT(r.err, HasSubstr("conditional writes")) << r.err;
  EXPECT_THAT(r.err, HasSubstr("--catalog")) << r.err;
  EXPECT_FALSE(bucket->Head("_atoll/settings.json").ok()) << "settings were written anyway";

  TempDir dir;
  r = RunAtoll({"init", lake, "--catalog", "sqlite://" + dir.Join("catalog.db")}, "", env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

}  // namespace
}  // namespace atl::lake
