// Lake settings: defaults, JSON round trip, strict parsing, and idempotent init.
#include "atoll/lake/settings.h"

#include "atoll/lake/lake.h"
#include "atoll/storage/memory_store.h"
#include "atoll/storage/open_store.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

TEST(SettingsTest, DefaultsAreTheDocumentedOnes) {
  Settings s;
  EXPECT_EQ(s.version, 1);
  EXPECT_EQ(s.zones.prepare, "prepare");
  EXPECT_EQ(s.zones.load, "load");
  EXPECT_EQ(s.zones.stg, "stg");
  EXPECT_EQ(s.zones.tmp, "tmp");
  EXPECT_EQ(s.zones.prd, "prd");
  EXPECT_EQ(s.zones.trail, "trail");
  EXPECT_EQ(s.zones.stats, "stats");
  EXPECT_EQ(s.zones.log, "log");
  EXPECT_EQ(s.zones.queries, "queries");
  EXPECT_EQ(s.zones.assets, "assets");
  EXPECT_EQ(s.zones.rejected, "_rejected");
  EXPECT_EQ(s.partition_by, std::vector<std::string>{"day(_etl_loaded_at)"});
  EXPECT_EQ(s.target_file_size_bytes, 128u << 20);
  EXPECT_EQ(s.catalog, "in-bucket");
  EXPECT_EQ(s.prepare.max_json_depth, 64);
  EXPECT_EQ(s.prepare.min_age_ms, 0);
  EXPECT_OK(s.Validate());
}

TEST(SettingsTest, MinimalDocumentTakesDefaults) {
  ASSERT_OK_AND_ASSIGN(Settings s, ParseSettings(R"({"version": 1})"));
  EXPECT_EQ(s, Settings{});
}

TEST(SettingsTest, RoundTripKeepsEveryField) {
  Settings s;
  s.zones.stg = "bronze";
  s.zones.tmp = "silver";
  s.zones.prd = "gold";
  s.partition_by = {"day(_etl_loaded_at)", "bucket(16, id)"};
  s.target_file_size_bytes = 64u << 20;
  s.catalog = "sqlite:/var/lib/atoll/catalog.db";
  s.prepare.batch_target_bytes = 1000;
  s.prepare.max_files_per_batch = 7;
  s.prepare.max_decompressed_bytes = 12345;
  s.prepare.max_line_bytes = 4096;
  s.prepare.max_json_depth = 20;
  s.prepare.min_age_ms = 1500;
  s.prepare.memory_limit = "512MB";
  s.prepare.defaults.header = true;
  TableOptions t;
  t.format = "csv";
  t.delimiter = ";";
  t.quote = "'";
  t.escape = "\\";
  t.null_string = "NA";
  t.timestamp_format = "%d/%m/%Y %H:%M";
  t.date_format = "%d/%m/%Y";
  t.column_types = {{"price", "DECIMAL(12,2)"}, {"id", "BIGINT"}};
  s.prepare.tables["shop.orders"] = t;
  TableOptions j;
  j.columns = {{"z", "VARCHAR"}, {"a", "INTEGER"}};  // order kept
  s.prepare.tables["shop.events"] = j;
  const std::string text = SettingsToJson(s);
  ASSERT_OK_AND_ASSIGN(Settings back, ParseSettings(text));
  EXPECT_EQ(back, s);
  EXPECT_EQ(SettingsToJson(back), text);
  EXPECT_THAT(text, HasSubstr("\"version\": 1"));
  EXPECT_THAT(text, HasSubstr("\"stg\": \"bronze\""));
  EXPECT_EQ(back.prepare.tables["shop.events"].columns[0].first, "z");
}

TEST(SettingsTest, OptionsForMergesTableOverDefaults) {
  Settings s;
  s.prepare.defaults.delimiter = "|";
  s.prepare.defaults.header = false;
  s.prepare.tables["a.b"].header = true;
  TableOptions o = s.OptionsFor("a", "b");
  EXPECT_EQ(o.delimiter, "|");
  EXPECT_EQ(o.header, true);
  TableOptions other = s.OptionsFor("a", "c");
  EXPECT_EQ(other.header, false);
}

TEST(SettingsTest, UnknownKeysAreNamed) {
  auto r = ParseSettings(R"({"version": 1, "zone": {}})");
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("unknown key 'zone'"));
  r = ParseSettings(R"({"version": 1, "zones": {"bronze": "x"}})");
  EXPECT_THAT(r.status().message(), HasSubstr("unknown key 'zones.bronze'"));
  r = ParseSettings(R"({"version": 1, "prepare": {"tables": {"shop.orders": {"delimitr": ";"}}}})");
  EXPECT_THAT(r.status().message(), HasSubstr("unknown key 'prepare.tables.shop.orders.delimitr'"));
}

TEST(SettingsTest, BadValuesAreNamed) {
  struct Case {
    const char* doc;
    const char* message;
  };
  const Case cases[] = {
      {R"({})", "missing key 'version'"},
      {R"({"version": "1"})", "'version' must be an integer"},
      {R"(not json)", "not valid JSON"},
      {R"([1])", "must be a JSON object"},
      {R"({"version": 1, "format": "other"})", "'format' must be"},
      {R"({"version": 1, "zones": {"stg": "a/b"}})",
       "'zones.stg' = 'a/b' is not a valid folder name"},
      {R"({"version": 1, "zones": {"stg": "load"}})", "is used by another zone"},
      {R"({"version": 1, "zones": {"stg": 3}})", "'zones.stg' must be a string"},
      {R"j({"version": 1, "landing": {"partition_by": ["days(x)"]}})j", "unknown transform 'days'"},
      {R"j({"version": 1, "landing": {"partition_by": ["bucket(x)"]}})j", "bucket(N, column)"},
      {R"({"version": 1, "landing": {"target_file_size_bytes": "12 parsecs"}})",
       "unknown size unit"},
      {R"({"version": 1, "landing": {"target_file_size_bytes": -5}})", "positive number of bytes"},
      {R"({"version": 1, "catalog": "mysql://x"})", "'catalog' = 'mysql://x'"},
      {R"({"version": 1, "prepare": {"tables": {"orders": {}}}})", "must be \"<db>.<table>\""},
      {R"({"version": 1, "prepare": {"defaults": {"format": "xls"}}})",
       "'prepare.defaults.format' must be one of"},
      {R"({"version": 1, "prepare": {"defaults": {"delimiter": ";;"}}})", "must be one character"},
      {R"({"version": 1, "prepare": {"defaults": {"header": "yes"}}})",
       "'prepare.defaults.header' must be true or false"},
      {R"({"version": 1, "prepare": {"defaults": {"column_types": {"a": 1}}}})",
       "'prepare.defaults.column_types.a'"},
      {R"({"version": 1, "prepare": {"max_files_per_batch": 0}})",
       "'prepare.max_files_per_batch' must be an integer"},
      {R"({"version": 1, "prepare": {"max_json_depth": 0}})",
       "'prepare.max_json_depth' must be an integer from 1 to 1000"},
      {R"({"version": 1, "prepare": {"min_age": "5 fortnights"}})",
       "settings: 'prepare.min_age': '5 fortnights': unknown duration unit"},
      {R"({"version": 1, "prepare": {"min_age": -1}})",
       "'prepare.min_age' must be a number of seconds"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.doc);
    auto r = ParseSettings(c.doc);
    ASSERT_THAT(r, IsError(StatusCode::kInvalidArgument));
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
}

TEST(SettingsTest, MinAgeIsADuration) {
  ASSERT_OK_AND_ASSIGN(Settings s,
                       ParseSettings(R"({"version": 1, "prepare": {"min_age": "30s"}})"));
  EXPECT_EQ(s.prepare.min_age_ms, 30000);
  ASSERT_OK_AND_ASSIGN(s, ParseSettings(R"({"version": 1, "prepare": {"min_age": 2}})"));
  EXPECT_EQ(s.prepare.min_age_ms, 2000);
  EXPECT_EQ(*ParseDurationMs("500ms"), 500);
  EXPECT_EQ(*ParseDurationMs(" 2m "), 120000);
  EXPECT_EQ(*ParseDurationMs("1h"), 3600000);
  EXPECT_EQ(FormatDurationMs(30000), "30s");
  EXPECT_EQ(FormatDurationMs(1500), "1500ms");
  EXPECT_THAT(ParseDurationMs("s"), IsError(StatusCode::kInvalidArgument));
}

TEST(SettingsTest, NewerVersionIsNotSupported) {
  EXPECT_THAT(ParseSettings(R"({"version": 2})"), IsError(StatusCode::kNotSupported));
}

TEST(SettingsTest, SizesAndPartitionLists) {
  EXPECT_EQ(*ParseByteSize("128MiB"), 128u << 20);
  EXPECT_EQ(*ParseByteSize("1GB"), 1000000000u);
  EXPECT_EQ(*ParseByteSize("4096"), 4096u);
  EXPECT_EQ(*ParseByteSize(" 2 kib "), 2048u);
  EXPECT_THAT(ParseByteSize("0"), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseByteSize("MiB"), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(auto list, ParsePartitionList("day(ts), bucket(8, id),region"));
  EXPECT_EQ(list, (std::vector<std::string>{"day(ts)", "bucket(8, id)", "region"}));
  ASSERT_OK_AND_ASSIGN(auto none, ParsePartitionList("none"));
  EXPECT_TRUE(none.empty());
  EXPECT_THAT(ParsePartitionList("truncate(0, x)"), IsError(StatusCode::kInvalidArgument));
}

// Init on a store: created, unchanged, refused, replaced with force.
void CheckInitCycle(storage::Store& store) {
  Settings s;
  ASSERT_OK_AND_ASSIGN(InitOutcome first, InitLake(store, s));
  EXPECT_EQ(first, InitOutcome::kCreated);
  ASSERT_OK_AND_ASSIGN(storage::ObjectInfo before, store.Head(kSettingsKey));
  ASSERT_OK_AND_ASSIGN(std::string text_before, store.Get(kSettingsKey));
  ASSERT_OK_AND_ASSIGN(InitOutcome second, InitLake(store, s));
  EXPECT_EQ(second, InitOutcome::kUnchanged);
  ASSERT_OK_AND_ASSIGN(std::string text_after, store.Get(kSettingsKey));
  EXPECT_EQ(text_after, text_before);

  Settings other = s;
  other.zones.stg = "bronze";
  auto refused = InitLake(store, other);
  ASSERT_THAT(refused, IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused.status().message(), HasSubstr("/zones/stg is \"stg\", not \"bronze\""));
  EXPECT_THAT(refused.status().message(), HasSubstr("--force"));
  ASSERT_OK_AND_ASSIGN(std::string still, store.Get(kSettingsKey));
  EXPECT_EQ(still, text_before);

  ASSERT_OK_AND_ASSIGN(InitOutcome replaced, InitLake(store, other, InitOptions{.force = true}));
  EXPECT_EQ(replaced, InitOutcome::kReplaced);
  ASSERT_OK_AND_ASSIGN(std::string now, store.Get(kSettingsKey));
  ASSERT_OK_AND_ASSIGN(Settings stored, ParseSettings(now));
  EXPECT_EQ(stored.zones.stg, "bronze");
}

TEST(LakeInitTest, MemoryStoreCycle) {
  storage::MemoryStore store;
  CheckInitCycle(store);
}

TEST(LakeInitTest, LocalDirectoryCycleAndOpen) {
  TempDir dir;
  const std::string uri = dir.Join("lake");
  auto missing = Lake::Open(uri);
  EXPECT_THAT(missing, IsError(StatusCode::kNotFound));
  ASSERT_OK_AND_ASSIGN(auto store, storage::OpenStore(uri, true));
  auto not_lake = Lake::Open(uri);
  ASSERT_THAT(not_lake, IsError(StatusCode::kNotFound));
  EXPECT_THAT(not_lake.status().message(), HasSubstr("not an atoll lake"));
  EXPECT_THAT(not_lake.status().message(), HasSubstr("atoll init"));
  CheckInitCycle(*store);
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open("file://" + uri));
  EXPECT_EQ(lake->settings().zones.stg, "bronze");
  EXPECT_EQ(Lake::TablePrefix(lake->settings().zones.load, "shop", "orders"), "load/shop/orders/");
}

TEST(LakeInitTest, UnreadableSettingsNeedForce) {
  storage::MemoryStore store;
  ASSERT_OK(storage::PutString(store, kSettingsKey, "{broken"));
  EXPECT_THAT(Lake::Open(std::shared_ptr<storage::Store>(&store, [](storage::Store*) {})),
              IsError(StatusCode::kInvalidArgument));
  auto refused = InitLake(store, Settings{});
  ASSERT_THAT(refused, IsError(StatusCode::kAlreadyExists));
  EXPECT_THAT(refused.status().message(), HasSubstr("unreadable"));
  ASSERT_OK_AND_ASSIGN(InitOutcome replaced,
                       InitLake(store, Settings{}, InitOptions{.force = true}));
  EXPECT_EQ(replaced, InitOutcome::kReplaced);
}

TEST(LakeInitTest, InvalidSettingsAreNotWritten) {
  storage::MemoryStore store;
  Settings s;
  s.zones.load = s.zones.stg;
  EXPECT_THAT(InitLake(store, s), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(store.Head(kSettingsKey), IsError(StatusCode::kNotFound));
}

}  // namespace
}  // namespace atl::lake
