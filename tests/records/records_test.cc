// The lake's own records (issue 5), in process: statistics from manifest metrics (sums,
// bounds decoded as literals, unknown when a file lacks them; idempotent re-runs), the
// event log's line and JSON forms and flush policy, and saved query ids.
#include <algorithm>
#include <set>
#include <thread>

#include "atoll/engine/engine.h"
#include "atoll/iceberg/literal.h"
#include "atoll/records/event_log.h"
#include "atoll/records/saved_queries.h"
#include "atoll/records/stats_tables.h"
#include "records/lake_trail_fixture.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::lake::testing::TrailLake;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

std::string Bytes(const iceberg::Literal& lit) {
  auto b = iceberg::LiteralToBytes(lit);
  EXPECT_TRUE(b.ok());
  return b.ok() ? *b : "";
}

iceberg::DataFile File(const iceberg::Table& t, const std::string& name, int64_t rows,
                       std::optional<std::pair<int64_t, int64_t>> id_bounds, int64_t name_nulls) {
  iceberg::DataFile f;
  f.file_path = t.location() + "/data/" + name + ".parquet";
  f.file_format = "PARQUET";
  f.record_count = rows;
  f.file_size_in_bytes = 1000 + rows;
  f.value_counts = {{1, rows}, {2, rows}};
  f.null_value_counts = {{1, 0}, {2, name_nulls}};
  if (id_bounds) {
    f.lower_bounds = {{1, Bytes(iceberg::Literal::Long(id_bounds->first))},
                      {2, Bytes(iceberg::Literal::String("b"))}};
    f.upper_bounds = {{1, Bytes(iceberg::Literal::Long(id_bounds->second))},
                      {2, Bytes(iceberg::Literal::String("m"))}};
  }
  return f;
}

class RecordsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(l_, TrailLake::Make(dir_.path()));
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open());
  }
  // Rows of SQL over the data files of a stats table.
  engine::QueryResult Rows(const iceberg::TableIdentifier& id, const std::string& select) {
    auto t = LoadLakeTable(l_->tables, id);
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    auto files = CurrentDataFiles(*t);
    EXPECT_TRUE(files.ok());
    std::string list;
    for (const auto& f : *files) list += (list.empty() ? "" : ", ") + engine::QuoteString(f);
    auto r = engine_->Query(select + " FROM read_parquet([" + list + "]) ORDER BY ALL");
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : engine::QueryResult{};
  }

  TempDir dir_;
  std::unique_ptr<TrailLake> l_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(RecordsTest, StatisticsFollowTheManifestsAndAreNotRecordedTwice) {
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, l_->Create("stg.shop.orders"));
  ASSERT_OK(t.NewTransaction()
                .Append({File(t, "a", 10, std::pair<int64_t, int64_t>{5, 40}, 2)})
                .Commit());
  const int64_t first = *t.metadata().current_snapshot_id;
  ASSERT_OK_AND_ASSIGN(StatsReport r1, RecordLakeStats(*l_->lake, l_->tables, *engine_));
  EXPECT_EQ(r1.tables, 1u);
  EXPECT_EQ(r1.table_rows, 1u);
  EXPECT_EQ(r1.column_rows, 2u);

  // A second file with a smaller min and a larger max, then one without bounds.
  ASSERT_OK(t.NewTransaction()
                .Append({File(t, "b", 5, std::pair<int64_t, int64_t>{-3, 99}, 0)})
                .Commit());
  const int64_t second = *t.metadata().current_snapshot_id;
  ASSERT_OK(t.NewTransaction().Append({File(t, "c", 1, std::nullopt, 0)}).Commit());
  const int64_t third = *t.metadata().current_snapshot_id;
  ASSERT_OK_AND_ASSIGN(StatsReport r2, RecordLakeStats(*l_->lake, l_->tables, *engine_));
  EXPECT_EQ(r2.table_rows, 2u);  // the first snapshot is recorded already
  EXPECT_EQ(r2.column_rows, 4u);
  ASSERT_OK_AND_ASSIGN(StatsReport r3, RecordLakeStats(*l_->lake, l_->tables, *engine_));
  EXPECT_EQ(r3.table_rows, 0u);
  EXPECT_EQ(r3.column_rows, 0u);

  auto tables = Rows(TableStatsId(*l_->lake),
                     "SELECT snapshot_id, record_count, data_file_count, total_bytes");
  ASSERT_EQ(tables.rows.size(), 3u);
  std::map<int64_t, std::vector<std::string>> by_snapshot;
  for (const auto& row : tables.rows) {
    by_snapshot[std::stoll(*row[0])] = {*row[1], *row[2], *row[3]};
  }
  EXPECT_EQ(by_snapshot[first], (std::vector<std::string>{"10", "1", "1010"}));
  EXPECT_EQ(by_snapshot[second], (std::vector<std::string>{"15", "2", "2015"}));
  EXPECT_EQ(by_snapshot[third], (std::vector<std::string>{"16", "3", "3016"}));

  auto columns =
      Rows(ColumnStatsId(*l_->lake), "SELECT snapshot_id, column_name, null_count, min, max, type");
  ASSERT_EQ(columns.rows.size(), 6u);
  std::map<std::pair<int64_t, std::string>, engine::Row> col;
  for (const auto& row : columns.rows) col[{std::stoll(*row[0]), *row[1]}] = row;
  auto cell = [&col](int64_t snapshot, const char* column, size_t i) -> engine::Cell {
    auto it = col.find({snapshot, column});
    return it == col.end() ? engine::Cell(std::string("<no row>")) : it->second[i];
  };
  EXPECT_EQ(*cell(first, "id", 3), "5");
  EXPECT_EQ(*cell(first, "id", 4), "40");
  EXPECT_EQ(*cell(first, "id", 5), "long");
  EXPECT_EQ(*cell(first, "name", 2), "2");
  EXPECT_EQ(*cell(first, "name", 3), "b");
  EXPECT_EQ(*cell(second, "id", 3), "-3");
  EXPECT_EQ(*cell(second, "id", 4), "99");
  EXPECT_EQ(*cell(second, "name", 2), "2");
  // A file with values but no bounds: min and max are unknown; counts still add up.
  EXPECT_FALSE(cell(third, "id", 3).has_value());
  EXPECT_FALSE(cell(third, "id", 4).has_value());
  EXPECT_EQ(*cell(third, "name", 2), "2");

  // The statistics tables' own commits are not described by statistics rows.
  ASSERT_OK_AND_ASSIGN(auto ids, ListLakeTables(l_->tables));
  EXPECT_EQ(ids.size(), 3u);
  for (const auto& id : ids) {
    EXPECT_EQ(IsSelfRecordingTable(*l_->lake, id), id.ns.front() == "stats") << id.ToString();
  }
}

TEST_F(RecordsTest, EventsArePrintedAsOneLineAndCommittedInOneAppend) {
  std::ostringstream echo;
  EventLog log(
      {.command = "atoll test", .echo = &echo, .flush_every_events = 3, .flush_every_ms = 60000});
  EXPECT_FALSE(log.FlushDue(0));
  log.Warn("stg.web.events", "rejected load/x.parquet",
           {{"source", std::string("load/x.parquet")}, {"size", int64_t{100}}, {"ok", false}});
  log.Log(LogLevel::kDebug, "", "quiet");
  EXPECT_THAT(echo.str(), HasSubstr("Z WARN  stg.web.events: rejected load/x.parquet "
                                    "source=\"load/x.parquet\" size=100 ok=false\n"));
  EXPECT_EQ(echo.str().find("quiet"), std::string::npos);  // below the echo level
  EXPECT_EQ(log.pending(), 2u);
  EXPECT_FALSE(log.FlushDue(0));
  log.Info("", "third");
  EXPECT_TRUE(log.FlushDue(0));  // three events wait

  ASSERT_OK(log.Flush(*l_->lake, l_->tables, *engine_, nullptr));
  EXPECT_EQ(log.pending(), 0u);
  EXPECT_EQ(log.committed(), 3u);
  ASSERT_OK_AND_ASSIGN(iceberg::Table t, LoadLakeTable(l_->tables, EventTableId(*l_->lake)));
  EXPECT_EQ(t.metadata().snapshots.size(), 1u);  // one commit for the three events
  auto rows = Rows(EventTableId(*l_->lake), "SELECT level, message, fields, run_id");
  ASSERT_EQ(rows.rows.size(), 3u);
  EXPECT_EQ(*rows.rows[2][0], "warn");
  EXPECT_EQ(*rows.rows[2][2], R"({"source":"load/x.parquet","size":100,"ok":false})");
  EXPECT_EQ(*rows.rows[0][3], log.run_id());
  ASSERT_OK(log.Flush(*l_->lake, l_->tables, *engine_, nullptr));  // nothing pending
  ASSERT_OK(t.Refresh());
  EXPECT_EQ(t.metadata().snapshots.size(), 1u);
  EXPECT_EQ(LogFieldsJson({}), "{}");
}

TEST(SavedQueryIdTest, IdsSortByTimeAndOnlySafeIdsAreAccepted) {
  std::string a = NewQueryId(1764892800123);
  std::string b = NewQueryId(1764892800124);
  std::string c = NewQueryId(1764892860000);
  EXPECT_EQ(a.substr(0, 20), "20251205T000000.123Z");
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  EXPECT_NE(NewQueryId(1), NewQueryId(1));
  ASSERT_OK(ValidateQueryId(a));
  for (const char* bad : {"", "../x", "a/b", ".hidden", "x y"}) {
    EXPECT_EQ(ValidateQueryId(bad).code(), StatusCode::kInvalidArgument) << bad;
  }
}

}  // namespace
}  // namespace atl::lake
