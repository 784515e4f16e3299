// The lake records itself (issue 5): after an ingest of a demo-like dataset (orders as CSV
// in two runs, customers as NDJSON, events as Parquet, one broken file), SQL through
// `atoll query` over the stats, log and trail tables agrees with the data tables and
// their metadata; a second ingest adds nothing; `atoll stats` prints the latest
// snapshot; saved queries keep request, status and result (and the error of a failure).
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::cli {
namespace {

namespace fs = std::filesystem;
using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;
using ::atl::testing::TempDir;
using ::atl::testing::WriteFile;
using nlohmann::json;
using ::testing::HasSubstr;

const char* const kTables[] = {"stg.shop.orders", "stg.shop.customers", "stg.web.events"};

class RecordsCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    lake_ = dir_.Join("lake");
    RunResult init = RunAtoll({"init", lake_});
    ASSERT_EQ(init.exit_code, 0) << init.err;
  }

  RunResult Atoll(std::vector<std::string> args) { return RunAtoll(args, dir_.path()); }

  // The rows of `sql` as JSON objects.
  json Query(const std::string& sql) {
    RunResult r = Atoll({"query", "lake", sql, "--format", "json"});
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    if (r.exit_code != 0) return json::array();
    return json::parse(r.out);
  }
  int64_t Count(const std::string& sql) {
    json rows = Query(sql);
    if (rows.size() != 1 || rows[0].size() != 1) {
      ADD_FAILURE() << sql << " gave " << rows.dump();
      return -1;
    }
    return rows[0].begin()->get<int64_t>();
  }

  void WriteOrders(const std::string& name, int first, int last) {
    std::string csv = "order_id,customer_id,amount,note\n";
    for (int i = first; i <= last; ++i) {
      csv += std::to_string(i) + "," + std::to_string(i % 20 + 1) + "," + std::to_string(i * 3) +
             ".25," + (i % 10 == 0 ? "" : "n" + std::to_string(i)) + "\n";
    }
    WriteFile(lake_ + "/prepare/shop/orders/" + name, csv);
  }

  // The snapshot ids of a table, read from its Iceberg metadata.
  std::set<int64_t> Snapshots(const std::string& name) {
    std::set<int64_t> out;
    auto lake = lake::Lake::Open(lake_);
    EXPECT_TRUE(lake.ok()) << lake.status().ToString();
    if (!lake.ok()) return out;
    auto tables = lake::OpenLakeTables(**lake);
    auto id = lake::ParseLakeTableName(name);
    EXPECT_TRUE(tables.ok() && id.ok());
    if (!tables.ok() || !id.ok()) return out;
    auto table = lake::LoadLakeTable(*tables, *id);
    EXPECT_TRUE(table.ok()) << table.status().ToString();
    if (!table.ok()) return out;
    for (const auto& s : table->metadata().snapshots) out.insert(s.snapshot_id);
    return out;
  }

  // Data files on disk under a table's data/ folder: count and bytes.
  std::pair<int64_t, int64_t> DataFiles(const std::string& name) {
    std::string folder = name;
    for (char& c : folder) c = c == '.' ? '/' : c;
    int64_t count = 0, bytes = 0;
    for (const auto& e : fs::recursive_directory_iterator(lake_ + "/" + folder + "/data")) {
      if (!e.is_regular_file() || e.path().extension() != ".parquet") continue;
      ++count;
      bytes += static_cast<int64_t>(e.file_size());
    }
    return {count, bytes};
  }

  TempDir dir_;
  std::string lake_;
};

TEST_F(RecordsCliTest, StatsLogAndTrailAgreeWithTheData) {
  WriteOrders("orders-1.csv", 1, 300);
  std::string customers;
  for (int i = 1; i <= 20; ++i) {
    customers += "{\"customer_id\": " + std::to_string(i) + ", \"name\": \"c" + std::to_string(i) +
                 "\", \"address\": {\"country\": \"" + (i % 2 ? "NL" : "PT") + "\"}}\n";
  }
  WriteFile(lake_ + "/prepare/shop/customers/customers.ndjson", customers);
  fs::create_directories(lake_ + "/load/web/events");
  RunResult gen =
      Atoll({"query", "lake",
             "COPY (SELECT range AS event_id, range % 20 + 1 AS customer_id, "
             "CASE WHEN range % 7 = 0 THEN NULL ELSE 'view' END AS kind "
             "FROM range(1000)) TO 'lake/load/web/events/events.parquet' (FORMAT parquet)",
             "--format", "csv"});
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  WriteFile(lake_ + "/load/web/events/zz-broken.parquet", "PAR1 this is not parquet");

  RunResult first = Atoll({"ingest", "lake"});
  ASSERT_EQ(first.exit_code, 3) << first.out << first.err;  // finished, zz-broken rejected
  EXPECT_THAT(first.err,
              HasSubstr("WARN  stg.web.events: rejected load/web/events/zz-broken.parquet"));
  // A second batch of orders: the table gets a second ingest snapshot.
  WriteOrders("orders-2.csv", 301, 450);
  RunResult second = Atoll({"ingest", "lake"});
  ASSERT_EQ(second.exit_code, 0) << second.out << second.err;

  for (const char* t : kTables) {
    SCOPED_TRACE(t);
    const std::string name = t;
    const int64_t rows = Count("SELECT count(*) FROM " + name);
    ASSERT_GT(rows, 0);
    // The latest stats row equals the table as it is now.
    json latest = Query(
        "SELECT record_count, data_file_count, delete_file_count, total_bytes, snapshot_id "
        "FROM stats.atoll.tables WHERE table_name = '" +
        name + "' QUALIFY row_number() OVER (ORDER BY committed_at DESC, snapshot_id DESC) = 1");
    ASSERT_EQ(latest.size(), 1u);
    EXPECT_EQ(latest[0]["record_count"].get<int64_t>(), rows);
    auto [files, bytes] = DataFiles(name);
    EXPECT_EQ(latest[0]["data_file_count"].get<int64_t>(), files);
    EXPECT_EQ(latest[0]["total_bytes"].get<int64_t>(), bytes);
    EXPECT_EQ(latest[0]["delete_file_count"].get<int64_t>(), 0);

    // One stats row per snapshot, each exactly once; the same snapshots as the trail's
    // ingest batches of the table.
    const std::set<int64_t> snapshots = Snapshots(name);
    std::set<int64_t> stats_ids, trail_ids;
    json stats_rows =
        Query("SELECT snapshot_id FROM stats.atoll.tables WHERE table_name = '" + name + "'");
    for (const json& r : stats_rows) stats_ids.insert(r["snapshot_id"].get<int64_t>());
    EXPECT_EQ(stats_rows.size(), stats_ids.size());
    EXPECT_EQ(stats_ids, snapshots);
    json batches = Query(
        "SELECT snapshot_after FROM trail.atoll.audit WHERE operation = 'ingest_batch' AND "
        "\"table\" = '" +
        name + "'");
    for (const json& r : batches) trail_ids.insert(r["snapshot_after"].get<int64_t>());
    EXPECT_EQ(batches.size(), trail_ids.size());
    EXPECT_EQ(trail_ids, snapshots);
    EXPECT_EQ(batches.size(), name == "stg.shop.orders" ? 2u : 1u);

    // Column statistics of the latest snapshot agree with SQL over the table.
    json cols = Query(
        "SELECT column_name, null_count, value_count FROM stats.atoll.columns WHERE table_name = "
        "'" +
        name + "' AND snapshot_id = " + std::to_string(latest[0]["snapshot_id"].get<int64_t>()));
    ASSERT_GE(cols.size(), 2u);
    for (const json& c : cols) {
      const std::string column = c["column_name"].get<std::string>();
      if (column.find('.') != std::string::npos) continue;  // nested (address.country)
      SCOPED_TRACE(column);
      ASSERT_FALSE(c["null_count"].is_null());
      EXPECT_EQ(c["null_count"].get<int64_t>(),
                Count("SELECT count(*) FILTER (WHERE \"" + column + "\" IS NULL) FROM " + name));
      EXPECT_EQ(c["value_count"].get<int64_t>(), rows);
    }
  }
  json bounds = Query(
      "SELECT min, max FROM stats.atoll.columns c WHERE table_name = 'stg.shop.orders' AND "
      "column_name = 'order_id' QUALIFY row_number() OVER (ORDER BY committed_at DESC) = 1");
  ASSERT_EQ(bounds.size(), 1u);
  EXPECT_EQ(bounds[0]["min"], "1");
  EXPECT_EQ(bounds[0]["max"], "450");

  // The log: exactly one reject, naming the broken file; one ingested event per batch.
  json rejects = Query(
      "SELECT table_name, json_extract_string(fields, '$.source') AS source, "
      "json_extract_string(fields, '$.stage') AS stage FROM log.atoll.events "
      "WHERE level = 'warn' AND message LIKE 'rejected %'");
  ASSERT_EQ(rejects.size(), 1u);
  EXPECT_EQ(rejects[0]["table_name"], "stg.web.events");
  EXPECT_EQ(rejects[0]["source"], "load/web/events/zz-broken.parquet");
  EXPECT_EQ(Count("SELECT count(*) FROM log.atoll.events WHERE message = 'ingested'"), 4);
  EXPECT_EQ(Count("SELECT sum(CAST(json_extract(fields, '$.rows') AS BIGINT)) FROM "
                  "log.atoll.events WHERE message = 'ingested'"),
            Count("SELECT (SELECT count(*) FROM stg.shop.orders) + (SELECT count(*) FROM "
                  "stg.shop.customers) + (SELECT count(*) FROM stg.web.events)"));
  EXPECT_EQ(Count("SELECT count(*) FROM log.atoll.events WHERE level = 'error'"), 0);
  EXPECT_EQ(Count("SELECT count(DISTINCT run_id) FROM log.atoll.events"), 2);

  // The statistics and log commits are in the trail (and so in the audit table).
  EXPECT_EQ(Count("SELECT count(*) FROM trail.atoll.audit WHERE \"table\" = 'log.atoll.events' "
                  "AND operation = 'append'"),
            2);
  // Every commit was recorded when it was made: the next run's reconciliation found none.
  EXPECT_EQ(Count("SELECT count(*) FROM trail.atoll.audit WHERE recovered"), 0);
  RunResult verify = Atoll({"trail", "verify", "lake"});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;

  // Ingesting again adds nothing anywhere.
  const int64_t stats_rows = Count("SELECT count(*) FROM stats.atoll.tables");
  const int64_t column_rows = Count("SELECT count(*) FROM stats.atoll.columns");
  const int64_t events = Count("SELECT count(*) FROM log.atoll.events");
  const int64_t audit = Count("SELECT count(*) FROM trail.atoll.audit");
  RunResult again = Atoll({"ingest", "lake"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(Count("SELECT count(*) FROM stats.atoll.tables"), stats_rows);
  EXPECT_EQ(Count("SELECT count(*) FROM stats.atoll.columns"), column_rows);
  EXPECT_EQ(Count("SELECT count(*) FROM log.atoll.events"), events);
  EXPECT_EQ(Count("SELECT count(*) FROM trail.atoll.audit"), audit);

  // atoll stats: the latest snapshot of each table.
  RunResult stats = Atoll({"stats", "lake", "--format", "json"});
  ASSERT_EQ(stats.exit_code, 0) << stats.err;
  json doc = json::parse(stats.out);
  ASSERT_EQ(doc.size(), 3u);
  for (const json& row : doc) {
    EXPECT_EQ(row["record_count"].get<int64_t>(),
              Count("SELECT count(*) FROM " + row["table_name"].get<std::string>()));
  }
  RunResult one = Atoll({"stats", "lake", "shop.orders", "--columns", "--format", "csv"});
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_THAT(one.out, HasSubstr("stg.shop.orders,"));
  EXPECT_THAT(one.out, HasSubstr(",order_id,long,450,0,,1,450\n"));
}

TEST_F(RecordsCliTest, SavedQueriesKeepRequestStatusAndResult) {
  RunResult ok = Atoll({"query", "lake", "SELECT range AS n, 'x' || range AS s FROM range(5);",
                        "--save", "--format", "csv"});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::vector<std::string> ids;
  for (const auto& e : fs::directory_iterator(lake_ + "/queries"))
    if (!e.path().filename().string().starts_with(".atoll-")) ids.push_back(e.path().filename());
  ASSERT_EQ(ids.size(), 1u);
  const std::string id = ids[0];
  EXPECT_THAT(ok.err, HasSubstr(id));
  const std::string folder = lake_ + "/queries/" + id + "/";
  json request = json::parse(::atl::testing::ReadFile(folder + "request.json"));
  EXPECT_EQ(request["sql"], "SELECT range AS n, 'x' || range AS s FROM range(5);");
  json status = json::parse(::atl::testing::ReadFile(folder + "status.json"));
  EXPECT_EQ(status["state"], "succeeded");
  EXPECT_EQ(status["rows"], 5);
  EXPECT_TRUE(status["error"].is_null());
  EXPECT_GE(status["duration_ms"].get<int64_t>(), 0);
  ASSERT_TRUE(fs::exists(folder + "result.parquet"));
  RunResult show = Atoll({"query", "lake", "--show", id, "--format", "csv"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out, ok.out);
  EXPECT_EQ(show.out, "n,s\n0,x0\n1,x1\n2,x2\n3,x3\n4,x4\n");
  RunResult from_file =
      Atoll({"query", "lake", "SELECT count(*) AS n FROM 'lake/queries/" + id + "/result.parquet'",
             "--format", "csv"});
  EXPECT_EQ(from_file.out, "n\n5\n");

  // A CSV result, and a failed query saved with its error.
  RunResult csv =
      Atoll({"query", "lake", "SELECT 42 AS answer", "--save", "--result-format", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  RunResult bad = Atoll({"query", "lake", "SELECT no_such_column FROM range(3)", "--save"});
  EXPECT_EQ(bad.exit_code, 1);
  ids.clear();
  for (const auto& e : fs::directory_iterator(lake_ + "/queries"))
    if (!e.path().filename().string().starts_with(".atoll-")) ids.push_back(e.path().filename());
  std::sort(ids.begin(), ids.end());  // ids sort by submission time
  ASSERT_EQ(ids.size(), 3u);
  EXPECT_EQ(ids[0], id);
  EXPECT_EQ(::atl::testing::ReadFile(lake_ + "/queries/" + ids[1] + "/result.csv"), "answer\n42\n");
  json failed =
      json::parse(::atl::testing::ReadFile(lake_ + "/queries/" + ids[2] + "/status.json"));
  EXPECT_EQ(failed["state"], "failed");
  EXPECT_THAT(failed["error"].get<std::string>(), HasSubstr("no_such_column"));
  EXPECT_FALSE(fs::exists(lake_ + "/queries/" + ids[2] + "/result.parquet"));
  RunResult show_bad = Atoll({"query", "lake", "--show", ids[2]});
  EXPECT_EQ(show_bad.exit_code, 1);
  EXPECT_THAT(show_bad.out, HasSubstr("failed"));
  EXPECT_THAT(show_bad.out, HasSubstr("no_such_column"));
  RunResult unknown = Atoll({"query", "lake", "--show", "20200101T000000.000Z-00000000"});
  EXPECT_EQ(unknown.exit_code, 1);
  EXPECT_THAT(unknown.err, HasSubstr("no saved query"));
  RunResult traversal = Atoll({"query", "lake", "--show", "../_atoll"});
  EXPECT_EQ(traversal.exit_code, 1);
  EXPECT_THAT(traversal.err, HasSubstr("not a saved query id"));
}

}  // namespace
}  // namespace atl::cli
