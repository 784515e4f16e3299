// No SQL from data (issue 15, item 2): hostile text planted where the landing zone's
// writers control it — CSV headers and cells, JSON keys, file names, db and table folder
// names, column names in settings — on a local-directory lake and on an S3 lake (s3rver,
// SQLite catalog). Every payload tries to run SQL: quotes, ';', '--' and '/* */'
// comments, $(...) and backticks, COPY ... TO a marker file, read_text of a secret file.
// Each file must end as plain data in its table (the planted text is a column name or a
// value) or in _rejected/ with a reason, or wait untouched in prepare/; the marker file
// must never appear and the secret must be in no table.
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>

#include "../cli/run_atoll.h"
#include "../storage/s3_test_servers.h"
#include "atoll/engine/engine.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using engine::QuoteIdentifier;
using engine::QuoteString;
using ::testing::HasSubstr;
using Json = nlohmann::json;

// The lake under test: a local directory, or a fresh bucket on s3rver.
class InjectionTest : public ::testing::TestWithParam<bool> {
 protected:
  void SetUp() override {
    pwned_ = tmp_.Join("pwned.csv");
    secret_ = tmp_.Join("secret.txt");
    secret_text_ = StrCat("TOPSECRET-", std::random_device{}());
    WriteFile(secret_, secret_text_);
    if (!GetParam()) {
      lake_ = tmp_.Join("lake");
      fs::create_directories(lake_);
      ASSERT_EQ(Atoll({"init", lake_}).exit_code, 0);
      return;
    }
    ATOLL_REQUIRE_TEST_SERVER(config, "S3RVER");
    env_ = storage::testing::S3ClientEnv(*config);
    store_ = storage::testing::OpenFreshBucket(*config, "inject", &config_reason);
    ASSERT_NE(store_, nullptr) << config_reason;
    lake_ = "s3://" + store_->config().bucket;
    // A SQLite catalog outside the lake is the operator's choice (CheckCatalogAllowed).
    env_["ATOLL_ALLOW_CATALOG"] = "sqlite://" + tmp_.Join("catalog.db");
    RunResult init = Atoll({"init", lake_, "--catalog", "sqlite://" + tmp_.Join("catalog.db")});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  // Runs atoll in the temporary directory (a relative COPY target would land there).
  RunResult Atoll(const std::vector<std::string>& args) {
    return RunAtoll(args, tmp_.path(), env_);
  }

  void Put(const std::string& key, const std::string& data) {
    if (store_) {
      ASSERT_OK(store_->Put(key, storage::Body::FromString(data), {}).status());
    } else {
      WriteFile(StrCat(lake_, "/", key), data);
    }
  }
  std::vector<std::string> Keys(const std::string& prefix) {
    std::vector<std::string> keys;
    if (store_) {
      auto listed = storage::ListAll(*store_, prefix);
      EXPECT_OK(listed.status());
      if (listed.ok())
        for (const auto& o : *listed) keys.push_back(o.key);
      return keys;
    }
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(StrCat(lake_, "/", prefix), ec)) {
      // The local store's own files (".atoll-keep" keeps a folder) are no keys.
      if (e.path().filename().string().starts_with(".atoll-")) continue;
      if (e.is_regular_file()) keys.push_back(fs::relative(e.path(), lake_).string());
    }
    return keys;
  }

  // The rows of `sql` over the lake as JSON (an empty array when the query fails).
  Json Query(const std::string& sql) {
    RunResult r = Atoll({"query", lake_, sql, "--format", "json"});
    if (r.exit_code != 0) return Json::array();
    return Json::parse(r.out, nullptr, false);
  }
  static std::string View(const std::string& db, const std::string& table) {
    return StrCat("stg.", QuoteIdentifier(db), ".", QuoteIdentifier(table));
  }

  // Ingests, then checks that nothing ran: no marker file, no secret in any table.
  RunResult IngestAndCheckNothingRan() {
    RunResult r = Atoll({"ingest", lake_});
    // 0: all loaded; 3: finished with rejects; 1: a table stopped on an error.
    EXPECT_TRUE(r.exit_code == 0 || r.exit_code == 1 || r.exit_code == 3)
        << r.exit_code << r.out << r.err;
    EXPECT_FALSE(fs::exists(pwned_)) << "a planted COPY ran: " << r.out << r.err;
    EXPECT_FALSE(fs::exists(tmp_.Join("pwned2.csv"))) << "a planted COPY ran";
    Json tables = Query(
        "SELECT database_name, schema_name, table_name FROM duckdb_tables() "
        "UNION ALL SELECT database_name, schema_name, view_name FROM "
        "duckdb_views() WHERE NOT internal");
    for (const Json& t : tables) {
      const std::string name = StrCat(QuoteIdentifier(t["database_name"].get<std::string>()), ".",
                                      QuoteIdentifier(t["schema_name"].get<std::string>()), ".",
                                      QuoteIdentifier(t["table_name"].get<std::string>()));
      RunResult dump = Atoll({"query", lake_, "SELECT * FROM " + name, "--format", "csv"});
      EXPECT_THAT(dump.out, ::testing::Not(HasSubstr(secret_text_))) << "secret read into " << name;
    }
    return r;
  }

  // True when `file` (its name under the table folder) was rejected with a reason.
  bool Rejected(const std::string& db, const std::string& table, const std::string& file) {
    for (const std::string& key : Keys("_rejected/")) {
      if (key.find(StrCat(db, "/", table, "/", file)) != std::string::npos) return true;
    }
    return false;
  }

  // The payloads: each one would run SQL if it were pasted unquoted into generated SQL.
  std::string CopyPayload() const {
    return StrCat("'); COPY (SELECT 42 AS x) TO ", QuoteString(pwned_), " (FORMAT csv); --");
  }

  TempDir tmp_;
  std::string lake_, pwned_, secret_, secret_text_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<storage::S3Store> store_;
};

// sniff_csv's Prompt (read_csv text with the header's names unescaped) used to be run as
// SQL: this header closed the columns={...} argument and appended a COPY.
TEST_P(InjectionTest, CsvHeaderIsOnlyAColumnName) {
  const std::string copy_header = StrCat("b': 'VARCHAR'}); COPY (SELECT 42 AS x) TO ",
                                         QuoteString(pwned_), " (FORMAT csv); --");
  const std::string read_header =
      StrCat("b': 'VARCHAR'}) UNION ALL BY NAME SELECT content AS b FROM read_text(",
             QuoteString(secret_), "); --");
  Put("prepare/inj/hdr_copy/a.csv", StrCat("id,", copy_header, "\n1,hello\n2,world\n"));
  Put("prepare/inj/hdr_read/a.csv", StrCat("id,", read_header, "\n1,hello\n"));
  IngestAndCheckNothingRan();
  for (const auto& [table, header] :
       {std::pair{"hdr_copy", copy_header}, std::pair{"hdr_read", read_header}}) {
    Json rows = Query(StrCat("SELECT id, ", QuoteIdentifier(header), " AS v FROM ",
                             View("inj", table), " ORDER BY id"));
    const bool loaded = rows.is_array() && !rows.empty() && rows[0]["v"] == "hello";
    EXPECT_TRUE(loaded || Rejected("inj", table, "a.csv")) << table << ": " << rows.dump();
    if (loaded && std::string(table) == "hdr_read") EXPECT_EQ(rows.size(), 1u) << rows.dump();
  }
}

TEST_P(InjectionTest, CsvCellsAndJsonKeysAreData) {
  const std::vector<std::string> cells = {
      CopyPayload(),
      StrCat("x' || (SELECT content FROM read_text(", QuoteString(secret_), ")) || '"),
      "a /* comment */ b -- rest",
      "$(touch " + tmp_.Join("pwned2.csv") + ")",
      "`touch " + tmp_.Join("pwned2.csv") + "`",
      "ATTACH ':memory:' AS x; DROP TABLE y;"};
  std::string csv = "id,v\n";
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string quoted = "\"";
    for (char c : cells[i]) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
    csv += StrCat(i, ",", quoted, "\"\n");
  }
  Put("prepare/inj/cells/a.csv", csv);
  const std::string key = StrCat("k", CopyPayload(), "\"/*");
  Put("prepare/inj/keys/a.ndjson", Json{{"id", 1}, {key, "v1"}}.dump() + "\n");
  IngestAndCheckNothingRan();

  Json rows = Query(StrCat("SELECT id, v FROM ", View("inj", "cells"), " ORDER BY id"));
  ASSERT_EQ(rows.size(), cells.size()) << rows.dump();
  for (size_t i = 0; i < cells.size(); ++i) EXPECT_EQ(rows[i]["v"], cells[i]);
  Json keyed = Query(StrCat("SELECT ", QuoteIdentifier(key), " AS v FROM ", View("inj", "keys")));
  ASSERT_EQ(keyed.size(), 1u) << keyed.dump();
  EXPECT_EQ(keyed[0]["v"], "v1");
}

TEST_P(InjectionTest, FileAndFolderNamesAreNeverSql) {
  // A file name holding a payload (no '/' in a name: the COPY target is relative, which
  // would land in atoll's working directory, the temporary directory).
  const std::string name = "x'); COPY (SELECT 1) TO 'pwned.csv'; -- $(id) `id` .csv";
  Put("prepare/inj/names/" + name, "id,v\n1,a\n");
  // Folder names: the db and table segments.
  const std::string db = "in'j;--";
  const std::string table = "t\"x;--$(id)`id`";
  Put(StrCat("prepare/", db, "/", table, "/a.csv"), "id,v\n1,b\n");
  // Glob characters: a file named like a pattern must not read its neighbours.
  Put("prepare/inj/globs/*.csv", "id,v\n1,star\n");
  Put("prepare/inj/globs/x[1].csv", "id,v\n2,bracket\n");
  Put("prepare/inj/globs/x1.csv", "id,v\n3,plain\n");
  IngestAndCheckNothingRan();
  EXPECT_FALSE(fs::exists(tmp_.Join("pwned.csv")));

  Json rows = Query(StrCat("SELECT v FROM ", View("inj", "names")));
  EXPECT_TRUE((rows.size() == 1 && rows[0]["v"] == "a") || Rejected("inj", "names", name))
      << rows.dump();
  // The hostile folders: loaded (under their quoted names), rejected, or left waiting.
  Json odd = Query(StrCat("SELECT v FROM ", View(db, table)));
  const bool waiting = !Keys(StrCat("prepare/", db, "/")).empty();
  EXPECT_TRUE((odd.size() == 1 && odd[0]["v"] == "b") || Rejected(db, table, "a.csv") || waiting)
      << odd.dump();
  // Each glob-named file is read as itself: every row exactly once.
  Json globs = Query(StrCat("SELECT v FROM ", View("inj", "globs"), " ORDER BY id"));
  EXPECT_EQ(globs, Json::parse(R"([{"v":"star"},{"v":"bracket"},{"v":"plain"}])"));
}

// load/ files are read by DuckDB in place (local path or s3:// URI): a glob character
// would make it read other files, so such a file is rejected with a reason naming it.
TEST_P(InjectionTest, LoadFileWithGlobCharacterIsRejectedNamingIt) {
  const std::string parquet = tmp_.Join("one.parquet");
  RunResult made =
      Atoll({"query", tmp_.path(),
             StrCat("COPY (SELECT 1 AS n) TO ", QuoteString(parquet), " (FORMAT parquet)")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string bytes = ::atl::testing::ReadFile(parquet);
  Put("load/inj/lglob/a.parquet", bytes);
  Put("load/inj/lglob/*.parquet", bytes);
  Put("load/inj/lglob/b[1].parquet", bytes);
  IngestAndCheckNothingRan();
  Json rows = Query(StrCat("SELECT count(*) AS n FROM ", View("inj", "lglob")));
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["n"], 1) << "a glob-named load/ file read its neighbours";
  int with_reason = 0;
  for (const std::string& key : Keys("_rejected/load/inj/lglob/")) {
    if (key.size() < 11 || key.substr(key.size() - 11) != ".error.json") continue;
    std::string text;
    if (store_) {
      auto got = store_->Get(key);
      ASSERT_OK(got.status());
      text = *got;
    } else {
      text = ::atl::testing::ReadFile(StrCat(lake_, "/", key));
    }
    EXPECT_THAT(text, HasSubstr("glob character")) << key;
    ++with_reason;
  }
  EXPECT_EQ(with_reason, 2);
}

// Column names in the settings go through QuoteIdentifier; a type that is not a type name
// (here an expression reading the secret) makes the settings invalid: nothing runs.
TEST_P(InjectionTest, SettingsColumnNamesAreQuotedAndTypesChecked) {
  const std::string settings_key = "_atoll/settings.json";
  auto read_settings = [&]() -> Json {
    if (store_) return Json::parse(*store_->Get(settings_key));
    return Json::parse(::atl::testing::ReadFile(StrCat(lake_, "/", settings_key)));
  };
  auto write_settings = [&](const Json& doc) { Put(settings_key, doc.dump(2)); };
  const Json original = read_settings();
  const std::string column = StrCat("c", CopyPayload());
  Json doc = original;
  doc["prepare"]["tables"]["inj.settings"]["column_types"] = {{column, "VARCHAR"}};
  write_settings(doc);
  Put("prepare/inj/settings/a.ndjson", Json{{column, 7}}.dump() + "\n");
  IngestAndCheckNothingRan();
  Json rows =
      Query(StrCat("SELECT ", QuoteIdentifier(column), " AS v FROM ", View("inj", "settings")));
  ASSERT_EQ(rows.size(), 1u) << rows.dump();
  EXPECT_EQ(rows[0]["v"], "7");

  doc["prepare"]["tables"]["inj.settings"]["column_types"] = {
      {column,
       StrCat("VARCHAR) AS x, (SELECT content FROM read_text(", QuoteString(secret_), ")) AS (y")}};
  write_settings(doc);
  Put("prepare/inj/settings/b.ndjson", Json{{column, 8}}.dump() + "\n");
  RunResult refused = Atoll({"ingest", lake_});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_THAT(refused.err, HasSubstr("must be a DuckDB type name"));
  EXPECT_FALSE(fs::exists(pwned_));
  write_settings(original);
}

INSTANTIATE_TEST_SUITE_P(Lakes, InjectionTest, ::testing::Values(false, true),
                         [](const auto& info) { return info.param ? "S3" : "Local"; });

}  // namespace
}  // namespace atl::lake
