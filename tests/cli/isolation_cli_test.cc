// One bad name or file never stops the lake (issue 15, item 3): a table folder whose name
// cannot be a table, a file whose name the store refuses, two tables differing only in
// letter case, a table with a missing manifest or data file. Each is rejected or reported
// for that table alone, with a reason naming the cause; every other table of the same run
// ingests and queries normally.
#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::testing::ReadFile;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

class IsolationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  // A CSV of `rows` rows (id, name) at prepare/<folder>/<file>.
  void Drop(const std::string& folder, const std::string& file, int first, int rows) {
    std::string csv = "id,name\n";
    for (int i = first; i < first + rows; ++i) {
      csv += std::to_string(i) + ",n" + std::to_string(i) + "\n";
    }
    fs::create_directories(lake_ + "/prepare/" + folder);
    WriteFile(lake_ + "/prepare/" + folder + "/" + file, csv);
  }

  RunResult Ingest() { return RunAtoll({"ingest", lake_}); }

  // The single value of `sql` (-1, and a failure, when the query fails).
  int64_t Count(const std::string& sql) {
    RunResult r = RunAtoll({"query", lake_, sql, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    if (r.exit_code != 0) return -1;
    json rows = json::parse(r.out);
    if (rows.size() != 1 || rows[0].size() != 1) return -1;
    return rows[0].begin()->get<int64_t>();
  }

  // The reason recorded beside a rejected file ("" when there is none).
  std::string RejectReason(const std::string& key) {
    const std::string path = lake_ + "/_rejected/" + key + ".error.json";
    if (!fs::exists(path)) return "";
    return json::parse(ReadFile(path)).value("reason", "");
  }

  // The regular files under `zone` of the lake (paths relative to the lake), without the
  // local store's own files (".atoll-keep" keeps a folder).
  std::vector<std::string> FilesUnder(const std::string& zone) {
    std::vector<std::string> out;
    if (!fs::exists(lake_ + "/" + zone)) return out;
    for (const auto& e : fs::recursive_directory_iterator(lake_ + "/" + zone)) {
      if (e.path().filename().string().starts_with(".atoll-")) continue;
      if (e.is_regular_file()) out.push_back(fs::relative(e.path(), lake_).string());
    }
    return out;
  }

  // The files under a table's folder of the stg zone whose name ends with `suffix`.
  std::vector<std::string> TableFiles(const std::string& folder, const std::string& suffix) {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(lake_ + "/stg/" + folder)) {
      const std::string name = e.path().filename().string();
      if (e.is_regular_file() && name.size() >= suffix.size() &&
          name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
        out.push_back(e.path().string());
      }
    }
    return out;
  }

  TempDir dir_;
  std::string lake_;
};

TEST_F(IsolationTest, AFolderWithADotIsRejectedAndTheOtherTablesIngest) {
  Drop("a/b.c", "x.csv", 1, 3);
  Drop("a/good", "x.csv", 1, 5);
  Drop("z/last", "x.csv", 1, 2);
  RunResult run = Ingest();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("rejected prepare/a/b.c/x.csv"));
  EXPECT_THAT(RejectReason("prepare/a/b.c/x.csv"), HasSubstr("'b.c' contains a '.'"));
  EXPECT_FALSE(fs::exists(lake_ + "/prepare/a/b.c/x.csv"));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.a.good"), 5);
  EXPECT_EQ(Count("SELECT count(*) FROM stg.z.last"), 2);
}

// Other people's tools write such names: the store can read, move and delete them, so
// they load like any other file (their names reach only escaped JSON) and leave prepare/.
TEST_F(IsolationTest, FileNamesWithControlCharactersLoadAndLeavePrepareEmpty) {
  Drop("s/t", "a.csv", 1, 4);
  Drop("s/t", "b\x01.csv", 100, 7);
  Drop("s/t", "new\nline.csv", 200, 2);
  Drop("s/t", "esc\x1b[31m\t\x7f.csv", 300, 3);
  Drop("s/other", "x.csv", 1, 3);
  RunResult first = Ingest();
  EXPECT_EQ(first.exit_code, 0) << first.out << first.err;
  EXPECT_THAT(first.out, Not(HasSubstr("left in place")));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.s.t"), 16);
  EXPECT_EQ(Count("SELECT count(*) FROM stg.s.t WHERE id >= 100"), 12);
  EXPECT_EQ(Count("SELECT count(*) FROM stg.s.other"), 3);
  EXPECT_THAT(FilesUnder("prepare"), ::testing::IsEmpty());
  EXPECT_FALSE(fs::exists(lake_ + "/_rejected/prepare/s/t"));
  // A second run finds nothing left to do and loads nothing twice.
  RunResult second = Ingest();
  EXPECT_EQ(second.exit_code, 0) << second.out << second.err;
  EXPECT_EQ(Count("SELECT count(*) FROM stg.s.t"), 16);
}

// A control character in a file that is rejected: the file and its reason both go to
// _rejected/, the reason JSON escapes the name.
TEST_F(IsolationTest, ARejectedFileWithAControlCharacterInItsNameMovesToRejected) {
  Drop("s/t", "a.csv", 1, 4);
  fs::create_directories(lake_ + "/prepare/s/t");
  WriteFile(lake_ + "/prepare/s/t/bad\x01.csv", std::string("\x01\x02\x03\x04\x05"
                                                            "binary\x06\x07"));
  RunResult run = Ingest();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(run.out, HasSubstr("rejected prepare/s/t/bad\\x01.csv"));
  EXPECT_THAT(RejectReason("prepare/s/t/bad\x01.csv"), HasSubstr("binary"));
  EXPECT_TRUE(fs::exists(lake_ + "/_rejected/prepare/s/t/bad\x01.csv"));
  EXPECT_THAT(FilesUnder("prepare"), ::testing::IsEmpty());
  // The terminal never receives the raw control character.
  EXPECT_THAT(run.out, Not(HasSubstr("\x01")));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.s.t"), 4);
}

TEST_F(IsolationTest, TablesDifferingOnlyInCaseKeepTheFirstAndRefuseTheOther) {
  Drop("db/Sales", "x.csv", 1, 3);
  Drop("db/sales", "y.csv", 1, 5);
  Drop("db/other", "z.csv", 1, 2);
  RunResult run = Ingest();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(RejectReason("prepare/db/sales/y.csv"),
              HasSubstr("stg.db.sales differs from stg.db.Sales only in letter case"));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.db.other"), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM stg.db.Sales"), 3);
  EXPECT_FALSE(fs::exists(lake_ + "/stg/db/sales"));
  // A later file for the refused name is refused again: the existing table keeps its name.
  Drop("db/SALES", "w.csv", 1, 1);
  RunResult again = Ingest();
  EXPECT_EQ(again.exit_code, 3) << again.out << again.err;
  EXPECT_THAT(RejectReason("prepare/db/SALES/w.csv"), HasSubstr("only in letter case"));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.db.sales"), 3);
}

TEST_F(IsolationTest, AMissingManifestFailsOnlyTheQueriesOfItsTable) {
  Drop("m/good", "x.csv", 1, 5);
  Drop("m/bad", "x.csv", 1, 3);
  ASSERT_EQ(Ingest().exit_code, 0);
  // Delete the manifests of stg.m.bad (not its manifest list, snap-*.avro).
  size_t deleted = 0;
  for (const std::string& f : TableFiles("m/bad/metadata", ".avro")) {
    if (fs::path(f).filename().string().rfind("snap-", 0) != 0) deleted += fs::remove(f);
  }
  ASSERT_GT(deleted, 0u);

  EXPECT_EQ(Count("SELECT count(*) FROM stg.m.good"), 5);
  RunResult bad = RunAtoll({"query", lake_, "SELECT count(*) FROM stg.m.bad"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("table stg.m.bad cannot be read"));

  // atoll stats prints the others and warns about the broken one.
  RunResult stats = RunAtoll({"stats", lake_, "--format", "csv"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("stg.m.good,"));
  EXPECT_THAT(stats.err, HasSubstr("warning: table 'stg.m.bad'"));

  // The statistics written after an ingest still cover the other tables, although the
  // new snapshot of the broken one cannot be described.
  Drop("m/bad", "y.csv", 100, 1);
  Drop("m/good", "y.csv", 100, 2);
  Drop("m/new", "x.csv", 1, 4);
  RunResult more = Ingest();
  EXPECT_THAT(more.err, HasSubstr("stg.m.bad: statistics not recorded"));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.m.good"), 7);
  EXPECT_EQ(Count("SELECT max(record_count) FROM stats.atoll.tables WHERE table_name = "
                  "'stg.m.good'"),
            7);
  EXPECT_EQ(Count("SELECT count(*) FROM stats.atoll.tables WHERE table_name = 'stg.m.new'"), 1);
}

TEST_F(IsolationTest, AMissingDataFileFailsOnlyTheQueriesOfItsTable) {
  Drop("d/good", "x.csv", 1, 5);
  Drop("d/bad", "x.csv", 1, 3);
  ASSERT_EQ(Ingest().exit_code, 0);
  std::vector<std::string> data = TableFiles("d/bad/data", ".parquet");
  ASSERT_FALSE(data.empty());
  for (const std::string& f : data) fs::remove(f);

  EXPECT_EQ(Count("SELECT count(*) FROM stg.d.good"), 5);
  RunResult bad = RunAtoll({"query", lake_, "SELECT count(*) FROM stg.d.bad"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("stg.d.bad"));
  RunResult stats = RunAtoll({"stats", lake_, "--format", "csv"});
  EXPECT_EQ(stats.exit_code, 0) << stats.err;
  EXPECT_THAT(stats.out, HasSubstr("stg.d.good,"));
}

TEST_F(IsolationTest, AMissingMetadataFileStopsNeitherIngestNorTheOtherTables) {
  Drop("f/good", "x.csv", 1, 5);
  Drop("f/bad", "x.csv", 1, 3);
  ASSERT_EQ(Ingest().exit_code, 0);
  // The table's current metadata file (the newest one) goes.
  std::vector<std::string> metadata = TableFiles("f/bad/metadata", ".metadata.json");
  ASSERT_FALSE(metadata.empty());
  std::sort(metadata.begin(), metadata.end());
  ASSERT_TRUE(fs::remove(metadata.back()));

  Drop("f/good", "y.csv", 100, 2);
  RunResult more = Ingest();
  EXPECT_EQ(more.exit_code, 0) << more.out << more.err;
  EXPECT_THAT(more.err, HasSubstr("stg.f.bad: statistics not recorded"));
  EXPECT_EQ(Count("SELECT count(*) FROM stg.f.good"), 7);
  RunResult bad = RunAtoll({"query", lake_, "SELECT count(*) FROM stg.f.bad"});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_THAT(bad.err, HasSubstr("table stg.f.bad cannot be read"));
  RunResult tables = RunAtoll({"tables", lake_});
  EXPECT_EQ(tables.exit_code, 0) << tables.err;
  EXPECT_THAT(tables.out, HasSubstr("stg.f.good  7 rows"));
  EXPECT_THAT(tables.out, HasSubstr("stg.f.bad  unreadable"));
}

TEST_F(IsolationTest, UnusualNamesEitherWorkOrAreRejectedAlone) {
  // Names that work: spaces, unicode, a leading dash, SQL keywords, a zone's name as a
  // database, DuckDB's default schema name.
  const std::vector<std::pair<std::string, std::string>> fine = {
      {"my db", "my table"}, {"caf\xc3\xa9", "\xe2\x82\xac"},
      {"-dash", "-t"},       {"select", "from"},
      {"stg", "stg"},        {"main", "t"}};
  int rows = 1;
  for (const auto& [db, table] : fine) Drop(db + "/" + table, "x.csv", 1, rows++);
  // Names that are rejected: too long, a schema name SQL reserves as a database.
  const std::string long_name(150, 'l');
  Drop("ok/" + long_name, "x.csv", 1, 2);
  Drop("Information_Schema/t", "x.csv", 1, 2);
  RunResult run = Ingest();
  EXPECT_EQ(run.exit_code, 3) << run.out << run.err;
  EXPECT_THAT(RejectReason("prepare/ok/" + long_name + "/x.csv"),
              HasSubstr("is 150 bytes long (at most 100)"));
  EXPECT_THAT(RejectReason("prepare/Information_Schema/t/x.csv"),
              HasSubstr("is a schema name SQL reserves"));
  rows = 1;
  for (const auto& [db, table] : fine) {
    SCOPED_TRACE(db + "." + table);
    EXPECT_EQ(Count("SELECT count(*) FROM stg.\"" + db + "\".\"" + table + "\""), rows++);
  }
  // Listing the catalog sees the tables.
  RunResult show = RunAtoll({"query", lake_, "SHOW ALL TABLES", "--format", "csv"});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr("my table"));
  EXPECT_THAT(show.out, Not(HasSubstr(long_name)));
}

}  // namespace
}  // namespace atl::cli
