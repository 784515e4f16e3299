// prepare/ → load/ on a local lake: every input format with exact values read back by
// DuckDB, field ids, compression variants, batching, rejects, bombs, idempotent re-runs.
#include "atoll/ingest/prepare.h"

#include <zlib.h>
#include <zstd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/engine/engine.h"
#include "atoll/formats/avro/schema.h"
#include "atoll/formats/avro/writer.h"
#include "atoll/storage/fault_store.h"
#include "atoll/storage/open_store.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

std::string Gzip(const std::string& data) {
  z_stream z{};
  deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&z, data.size()) + 64, '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  EXPECT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string Zstd(const std::string& data) {
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress(out.data(), out.size(), data.data(), data.size(), 3);
  EXPECT_FALSE(ZSTD_isError(n));
  out.resize(n);
  return out;
}

class PrepareTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_NO_FATAL_FAILURE(InitWith(Settings{})); }

  void InitWith(const Settings& s) {
    ASSERT_OK(Lake::Init(root(), s, InitOptions{.force = true}));
    ASSERT_OK_AND_ASSIGN(lake_, Lake::Open(root()));
  }
  std::string root() const { return dir_.Join("lake"); }
  void Drop(const std::string& key, const std::string& data) {
    ::atl::testing::WriteFile(root() + "/" + key, data);
  }
  bool Exists(const std::string& key) const { return std::filesystem::exists(root() + "/" + key); }

  Result<PrepareReport> Run() {
    PrepareOptions o;
    o.now_ms = [] { return int64_t{1700000000123}; };
    o.work_dir = dir_.Join("work");
    return Prepare(*lake_, o);
  }

  // Keys under load/<db>/<table>/.
  std::vector<std::string> LoadFiles(const std::string& db, const std::string& table) {
    auto objects = storage::ListAll(lake_->store(), "load/" + db + "/" + table + "/");
    EXPECT_OK(objects);
    std::vector<std::string> out;
    if (objects.ok()) {
      for (const auto& o : *objects) out.push_back(o.key);
    }
    return out;
  }

  // The rows of `sql` as "a|b\nc|d" (NULL for nulls), with {} replaced by read_parquet of
  // the file `key` and {path} by its path.
  std::string Rows(const std::string& sql_template, const std::string& key) {
    std::string sql = sql_template;
    size_t at = sql.find("{path}");
    if (at != std::string::npos) sql.replace(at, 6, engine::QuoteString(root() + "/" + key));
    size_t pos = sql.find("{}");
    if (pos != std::string::npos) {
      sql.replace(pos, 2, "read_parquet(" + engine::QuoteString(root() + "/" + key) + ")");
    }
    auto r = engine().Query(sql);
    EXPECT_OK(r);
    if (!r.ok()) return "";
    std::string out;
    for (size_t i = 0; i < r->rows.size(); ++i) {
      if (i) out += "\n";
      for (size_t j = 0; j < r->rows[i].size(); ++j) {
        if (j) out += "|";
        out += r->rows[i][j].value_or("NULL");
      }
    }
    return out;
  }
  // "name TYPE, ..." of the Parquet file.
  std::string Schema(const std::string& key) {
    return Rows(
        "SELECT string_agg(column_name || ' ' || column_type, ', ') FROM (DESCRIBE SELECT * FROM "
        "{})",
        key);
  }

  engine::Engine& engine() {
    if (!engine_) {
      auto e = engine::Engine::Open();
      EXPECT_OK(e);
      engine_ = std::move(*e);
    }
    return *engine_;
  }

  TempDir dir_;
  std::unique_ptr<Lake> lake_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(PrepareTest, CsvWithQuotesEmbeddedNewlinesAndBom) {
  Drop("prepare/shop/orders/a.csv",
       "\xEF\xBB\xBFid,price,name,day,ok\n1,2.50,\"Ann, \"\"the\"\" first\",2024-01-02,true\n"
       "2,3.25,\"multi\nline\",2024-02-03,false\n3,,plain,,\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  ASSERT_EQ(report.tables.size(), 1u);
  EXPECT_TRUE(report.tables[0].rejected.empty());
  auto files = LoadFiles("shop", "orders");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_THAT(files[0], ::testing::StartsWith("load/shop/orders/prepared-"));
  EXPECT_EQ(Schema(files[0]), "id BIGINT, price DOUBLE, name VARCHAR, day DATE, ok BOOLEAN");
  EXPECT_EQ(Rows("SELECT * FROM {} ORDER BY id", files[0]),
            "1|2.5|Ann, \"the\" "
            "first|2024-01-02|true\n2|3.25|multi\nline|2024-02-03|false\n3|NULL|plain|NULL|NULL");
  EXPECT_FALSE(Exists("prepare/shop/orders/a.csv"));
  EXPECT_EQ(report.tables[0].prepared[0].rows, 3);
  // Zstd-compressed, field ids 1..n.
  EXPECT_EQ(Rows("SELECT DISTINCT compression FROM parquet_metadata({path})", files[0]), "ZSTD");
}

TEST_F(PrepareTest, TsvAndTableOptions) {
  Settings s;
  TableOptions o;
  o.delimiter = ";";
  o.header = false;
  o.column_types = {{"column1", "DECIMAL(10,2)"}};
  o.null_string = "NA";
  s.prepare.tables["shop.semi"] = o;
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  Drop("prepare/shop/tabs/x.tsv", "a\tb\nx y\t1\n");
  Drop("prepare/shop/semi/x.txt", "7;12.30\n8;NA\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto tabs = LoadFiles("shop", "tabs");
  ASSERT_EQ(tabs.size(), 1u);
  EXPECT_EQ(Rows("SELECT * FROM {}", tabs[0]), "x y|1");
  auto semi = LoadFiles("shop", "semi");
  ASSERT_EQ(semi.size(), 1u);
  EXPECT_EQ(Schema(semi[0]), "column0 BIGINT, column1 DECIMAL(10,2)");
  EXPECT_EQ(Rows("SELECT * FROM {} ORDER BY 1", semi[0]), "7|12.30\n8|NULL");
}

TEST_F(PrepareTest, JsonNestedBecomesStructsAndListsWithDepthFirstFieldIds) {
  Drop("prepare/app/events/a.json",
       R"([{"id": 1, "user": {"name": "ann", "tags": ["x", "y"]}, "items": [{"sku": "k1", "n": 2}]},
           {"id": 2, "user": {"name": "bob", "tags": []}, "items": []}])");
  Drop("prepare/app/events/b.ndjson",
       "{\"id\": 3, \"user\": {\"name\": \"cy\", \"tags\": [\"z\"]}, \"items\": null}\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto files = LoadFiles("app", "events");
  ASSERT_EQ(files.size(), 1u) << "two small files make one batch";
  ASSERT_EQ(report.tables[0].prepared[0].sources.size(), 2u);
  EXPECT_EQ(Schema(files[0]),
            "id BIGINT, user STRUCT(\"name\" VARCHAR, tags VARCHAR[]), items STRUCT(sku VARCHAR, n "
            "BIGINT)[]");
  EXPECT_EQ(Rows("SELECT id, user.name, user.tags::VARCHAR, items::VARCHAR FROM {} ORDER BY id",
                 files[0]),
            "1|ann|[x, y]|[{'sku': k1, 'n': 2}]\n2|bob|[]|[]\n3|cy|[z]|NULL");
  EXPECT_EQ(Rows("SELECT string_agg(name || '=' || field_id, ',' ORDER BY rowid) FROM "
                 "(SELECT row_number() OVER () AS rowid, * FROM parquet_schema({path})) WHERE "
                 "field_id IS NOT NULL",
                 files[0]),
            "id=1,user=2,name=3,tags=4,element=5,items=6,element=7,sku=8,n=9");
  // Lineage in the key-value metadata.
  std::string lineage = Rows(
      "SELECT decode(value) FROM parquet_kv_metadata({path}) WHERE decode(key) = 'atoll.lineage'",
      files[0]);
  auto doc = nlohmann::json::parse(lineage, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << lineage;
  ASSERT_EQ(doc["sources"].size(), 2u);
  EXPECT_EQ(doc["sources"][0]["key"], "prepare/app/events/a.json");
  EXPECT_EQ(doc["sources"][1]["key"], "prepare/app/events/b.ndjson");
  EXPECT_GT(doc["sources"][0]["size"].get<uint64_t>(), 100u);
  EXPECT_FALSE(doc["sources"][0]["etag"].get<std::string>().empty());
}

TEST_F(PrepareTest, CompressedVariantsAndSniffing) {
  const std::string csv = "k,v\na,1\nb,2\n";
  Drop("prepare/c/gz/x.csv.gz", Gzip(csv));
  Drop("prepare/c/zst/x.csv.zst", Zstd(csv));
  Drop("prepare/c/json_gz/x.ndjson.gz",
       Gzip("{\"k\": \"a\", \"v\": 1}\n{\"k\": \"b\", \"v\": 2}\n"));
  Drop("prepare/c/multi/x.csv.gz", Gzip("k,v\na,1\n") + Gzip("b,2\n"));  // two gzip members
  Drop("prepare/c/sniff/noext", Gzip("[{\"k\": \"a\", \"v\": 1}, {\"k\": \"b\", \"v\": 2}]"));
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  EXPECT_EQ(report.files_rejected(), 0u);
  for (const char* t : {"gz", "zst", "json_gz", "multi", "sniff"}) {
    SCOPED_TRACE(t);
    auto files = LoadFiles("c", t);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(Rows("SELECT k, v FROM {} ORDER BY k", files[0]), "a|1\nb|2");
  }
}

TEST_F(PrepareTest, ParquetInputGetsFreshFieldIds) {
  ASSERT_OK(engine().Execute("COPY (SELECT 1::INTEGER AS a, 'x' AS b) TO " +
                             engine::QuoteString(dir_.Join("in.parquet")) + " (FORMAT parquet)"));
  Drop("prepare/p/t/in.parquet", ::atl::testing::ReadFile(dir_.Join("in.parquet")));
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto files = LoadFiles("p", "t");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(Rows("SELECT * FROM {}", files[0]), "1|x");
  EXPECT_EQ(Rows("SELECT string_agg(name || '=' || field_id, ',') FROM parquet_schema({path}) "
                 "WHERE field_id IS NOT NULL",
                 files[0]),
            "a=1,b=2");
}

TEST_F(PrepareTest, AvroLogicalTypesMapsAndUnions) {
  ASSERT_OK_AND_ASSIGN(avro::SchemaPtr schema, avro::Schema::Parse(R"j({
    "type": "record", "name": "r", "fields": [
      {"name": "d", "type": {"type": "int", "logicalType": "date"}},
      {"name": "tm", "type": {"type": "int", "logicalType": "time-millis"}},
      {"name": "tu", "type": {"type": "long", "logicalType": "time-micros"}},
      {"name": "ts", "type": {"type": "long", "logicalType": "timestamp-millis"}},
      {"name": "lts", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
      {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
      {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
      {"name": "m", "type": {"type": "map", "values": "long"}},
      {"name": "u", "type": ["null", "int", "string"]},
      {"name": "e", "type": ["null", {"type": "enum", "name": "color", "symbols": ["RED", "GREEN"]}]}
    ]})j"));
  auto row = [](int32_t d, int32_t tm, int64_t tu, int64_t ts, std::string id, std::string amount,
                avro::Value u, avro::Value e) {
    return avro::Value::Record(
        {avro::Value::Int(d), avro::Value::Int(tm), avro::Value::Long(tu), avro::Value::Long(ts),
         avro::Value::Long(ts * 1000 + 7), avro::Value::String(std::move(id)),
         avro::Value::Bytes(std::move(amount)), avro::Value::Map({{"k", avro::Value::Long(5)}}),
         std::move(u), std::move(e)});
  };
  std::vector<avro::Value> rows = {
      row(19724, 3723004, 45296000007, 1704164645123, "123e4567-e89b-12d3-a456-426614174000",
          std::string("\x30\x39", 2) /* 12345 */, avro::Value::Union(1, avro::Value::Int(42)),
          avro::Value::Union(1, avro::Value::Enum(1))),
      row(-1, 0, 0, -1, "00000000-0000-0000-0000-000000000001",
          std::string("\xff\x85", 2) /* -123 */, avro::Value::Union(2, avro::Value::String("s")),
          avro::Value::Union(0, avro::Value::Null())),
  };
  ASSERT_OK_AND_ASSIGN(std::string file, avro::WriteToString(schema, rows));
  Drop("prepare/a/t/x.avro", file);
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  EXPECT_EQ(report.files_rejected(), 0u);
  auto files = LoadFiles("a", "t");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(
      Schema(files[0]),
      "d DATE, tm TIME, tu TIME, ts TIMESTAMP WITH TIME ZONE, lts TIMESTAMP, id UUID, amount "
      "DECIMAL(9,2), "
      "m MAP(VARCHAR, BIGINT), u STRUCT(tag INTEGER, field0 INTEGER, field1 VARCHAR), e VARCHAR");
  EXPECT_EQ(Rows("SELECT d, tm, tu, epoch_ms(ts), lts, id, amount, m['k'], u::VARCHAR, e FROM {}",
                 files[0]),
            "2024-01-02|01:02:03.004|12:34:56.000007|1704164645123|2024-01-02 03:04:05.123007|"
            "123e4567-e89b-12d3-a456-426614174000|123.45|5|{'tag': 0, 'field0': 42, 'field1': "
            "NULL}|GREEN\n"
            "1969-12-31|00:00:00|00:00:00|-1|1969-12-31 "
            "23:59:59.999007|00000000-0000-0000-0000-000000000001|-1.23|5|"
            "{'tag': 1, 'field0': NULL, 'field1': s}|NULL");
}

TEST_F(PrepareTest, BrokenFilesAreRejectedWhileTheRestOfTheBatchLoads) {
  Drop("prepare/s/t/1.csv", "a,b\n1,x\n");
  Drop("prepare/s/t/2.json", "[{\"a\": 1, ");          // truncated JSON
  Drop("prepare/s/t/3.csv.gz", "not gzip at all");     // claims gzip
  Drop("prepare/s/t/4.parquet", "PAR1 garbage PAR1");  // not Parquet
  Drop("prepare/s/t/5.csv", "a,b\n2,y\n");
  Drop("prepare/s/t/6.avro", "Obj\x01 truncated");
  Drop("prepare/s/t/7.csv", "");
  const std::string long_csv = "a,b\n" + std::string(5000, 'q') + ",z\n";
  const std::string gz_data = Gzip(long_csv), zst_data = Zstd(long_csv);
  Drop("prepare/s/t/8.csv.gz", gz_data.substr(0, gz_data.size() / 2));     // truncated gzip
  Drop("prepare/s/t/9.csv.zst", zst_data.substr(0, zst_data.size() - 3));  // truncated zstd
  Drop("prepare/s/t/_SUCCESS", "");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto files = LoadFiles("s", "t");
  ASSERT_FALSE(files.empty());
  std::string all;
  for (const auto& f : files) {
    if (!all.empty()) all += "\n";
    all += Rows("SELECT a, b FROM {} ORDER BY a", f);
  }
  EXPECT_EQ(all, "1|x\n2|y");
  ASSERT_EQ(report.files_rejected(), 7u);
  for (const char* name :
       {"2.json", "3.csv.gz", "4.parquet", "6.avro", "7.csv", "8.csv.gz", "9.csv.zst"}) {
    SCOPED_TRACE(name);
    const std::string rejected = std::string("_rejected/prepare/s/t/") + name;
    EXPECT_TRUE(Exists(rejected));
    EXPECT_FALSE(Exists(std::string("prepare/s/t/") + name));
    auto doc = nlohmann::json::parse(
        ::atl::testing::ReadFile(root() + "/" + rejected + ".error.json"), nullptr, false);
    ASSERT_FALSE(doc.is_discarded());
    EXPECT_FALSE(doc["reason"].get<std::string>().empty());
    EXPECT_EQ(doc["source_key"], std::string("prepare/s/t/") + name);
    EXPECT_EQ(doc["time"], "2023-11-14T22:13:20.123Z");
    EXPECT_TRUE(doc.contains("etag"));
    EXPECT_TRUE(doc.contains("size"));
    EXPECT_TRUE(doc["stage"] == "read" || doc["stage"] == "convert" || doc["stage"] == "decompress")
        << doc.dump();
  }
  auto gz = nlohmann::json::parse(
      ::atl::testing::ReadFile(root() + "/_rejected/prepare/s/t/3.csv.gz.error.json"));
  EXPECT_EQ(gz["stage"], "decompress");
  EXPECT_THAT(gz["reason"].get<std::string>(), HasSubstr("gzip"));
  for (const char* name : {"8.csv.gz", "9.csv.zst"}) {
    auto doc = nlohmann::json::parse(
        ::atl::testing::ReadFile(root() + "/_rejected/prepare/s/t/" + name + ".error.json"));
    EXPECT_EQ(doc["stage"], "decompress") << name;
    EXPECT_THAT(doc["reason"].get<std::string>(), HasSubstr("truncated")) << name;
  }
  EXPECT_TRUE(Exists("prepare/s/t/_SUCCESS")) << "marker files are left alone";
}

TEST_F(PrepareTest, AFileFailingOnlyAtConversionIsRejectedAloneAndTheOthersConvertOneByOne) {
  Settings s;
  s.prepare.tables["v.t"].column_types = {{"n", "INTEGER"}};
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  Drop("prepare/v/t/1.csv", "n,s\n1,a\n");
  std::string bad = "n,s\n";
  for (int i = 0; i < 5000; ++i) bad += std::to_string(i) + ",x\n";
  bad += "not a number,y\n";
  Drop("prepare/v/t/2.csv", bad);
  Drop("prepare/v/t/3.csv", "n,s\n3,c\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  ASSERT_EQ(report.files_rejected(), 1u);
  EXPECT_EQ(report.tables[0].rejected[0].source.key, "prepare/v/t/2.csv");
  EXPECT_EQ(report.tables[0].rejected[0].stage, "convert");
  EXPECT_THAT(report.tables[0].rejected[0].reason, HasSubstr("not a number"));
  auto files = LoadFiles("v", "t");
  ASSERT_EQ(files.size(), 2u);  // the good files, one output each
  EXPECT_EQ(Rows("SELECT string_agg(n || s, ',' ORDER BY n) FROM read_parquet(" +
                     engine::QuoteString(root() + "/load/v/t/*.parquet") + ")",
                 ""),
            "1a,3c");
  EXPECT_TRUE(Exists("_rejected/prepare/v/t/2.csv"));
  EXPECT_FALSE(Exists("prepare/v/t/2.csv"));
}

TEST_F(PrepareTest, GzipBombAndLongLinesAreBounded) {
  Settings s;
  s.prepare.max_decompressed_bytes = 1 << 20;
  s.prepare.max_line_bytes = 64 << 10;
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  Drop("prepare/b/t/bomb.csv.gz", Gzip(std::string(64 << 20, '0')));  // 64 MiB of zeros, ~64 KiB
  Drop("prepare/b/t/bomb.ndjson.zst", Zstd(std::string(32 << 20, ' ')));
  Drop("prepare/b/t/long.csv", "a\n" + std::string(200 << 10, 'x') + "\n");
  Drop("prepare/b/t/ok.csv", "a\nfine\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto files = LoadFiles("b", "t");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(Rows("SELECT a FROM {}", files[0]), "fine");
  ASSERT_EQ(report.files_rejected(), 3u);
  for (const char* bomb : {"bomb.csv.gz", "bomb.ndjson.zst"}) {
    auto doc = nlohmann::json::parse(::atl::testing::ReadFile(root() + "/_rejected/prepare/b/t/" +
                                                              std::string(bomb) + ".error.json"));
    EXPECT_EQ(doc["stage"], "decompress");
    EXPECT_THAT(doc["reason"].get<std::string>(), HasSubstr("exceeds the limit of 1048576 bytes"));
  }
  EXPECT_TRUE(Exists("_rejected/prepare/b/t/long.csv.error.json"));
}

TEST_F(PrepareTest, BatchesFollowTheTargetSize) {
  Settings s;
  s.prepare.batch_target_bytes = 100;
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  for (int i = 0; i < 5; ++i) {
    Drop("prepare/m/t/f" + std::to_string(i) + ".csv",
         "n,pad\n" + std::to_string(i) + "," + std::string(30, 'p') + "\n");
  }
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  auto files = LoadFiles("m", "t");
  EXPECT_EQ(files.size(), 3u);  // 40-byte files, two per 100-byte batch
  std::string all;
  for (const auto& f : files)
    all += Rows("SELECT string_agg(n::VARCHAR, ',' ORDER BY n) FROM {}", f) + ";";
  EXPECT_EQ(report.files_prepared(), 5u);
  auto total = Rows("SELECT count(*), sum(n) FROM read_parquet(" +
                        engine::QuoteString(root() + "/load/m/t/*.parquet") + ")",
                    "");
  EXPECT_EQ(total, "5|10");
}

TEST_F(PrepareTest, RerunAfterACrashOverwritesInsteadOfDuplicating) {
  Drop("prepare/r/t/a.csv", "x\n1\n");
  Drop("prepare/r/t/b.csv", "x\n2\n");
  // A run that dies after writing its output but before deleting the sources.
  auto fault = std::make_shared<storage::FaultStore>(lake_->shared_store());
  fault->SetRule(storage::FaultOp::kDeleteMany,
                 {.kind = storage::FaultKind::kIOError, .fail_calls = {1}});
  ASSERT_OK_AND_ASSIGN(auto crashed_lake, Lake::Open(fault));
  PrepareOptions o;
  o.work_dir = dir_.Join("work");
  auto crashed = Prepare(*crashed_lake, o);
  EXPECT_THAT(crashed, IsError(StatusCode::kIOError));
  ASSERT_EQ(LoadFiles("r", "t").size(), 1u);
  EXPECT_TRUE(Exists("prepare/r/t/a.csv"));
  const std::string first = LoadFiles("r", "t")[0];
  ASSERT_OK_AND_ASSIGN(PrepareReport again, Run());
  auto files = LoadFiles("r", "t");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0], first);
  EXPECT_EQ(Rows("SELECT string_agg(x::VARCHAR, ',' ORDER BY x) FROM {}", files[0]), "1,2");
  EXPECT_FALSE(Exists("prepare/r/t/a.csv"));
  // Nothing left: a third run does nothing.
  ASSERT_OK_AND_ASSIGN(PrepareReport idle, Run());
  EXPECT_TRUE(idle.tables.empty());
  EXPECT_EQ(LoadFiles("r", "t"), files);
}

TEST_F(PrepareTest, ZonesFollowTheSettings) {
  Settings s;
  s.zones.prepare = "raw";
  s.zones.load = "landing";
  s.zones.rejected = "quarantine";
  ASSERT_NO_FATAL_FAILURE(InitWith(s));
  Drop("raw/d/t/ok.csv", "a\n1\n");
  Drop("raw/d/t/bad.json", "{");
  Drop("prepare/d/t/ignored.csv", "a\n2\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  EXPECT_EQ(report.files_prepared(), 1u);
  auto objects = storage::ListAll(lake_->store(), "landing/d/t/");
  ASSERT_OK(objects);
  EXPECT_EQ(objects->size(), 1u);
  EXPECT_TRUE(Exists("quarantine/raw/d/t/bad.json.error.json"));
  EXPECT_TRUE(Exists("prepare/d/t/ignored.csv"));
}

// Issue 15: one bad name never stops the other tables of a Prepare run.
TEST_F(PrepareTest, BadNamesAreSetAsideForTheirTableAlone) {
  Drop("prepare/n/t/a.csv", "x\n1\n");
  Drop("prepare/n/t/b\x02.csv", "x\n2\n");  // a control character: prepared like any other
  Drop("prepare/n/t/c\xff.csv", "x\n3\n");  // not UTF-8: rejected
  Drop("prepare/n/d.e/a.csv", "x\n4\n");    // a dot in the table name: rejected
  Drop("prepare/z/t/a.csv", "x\n5\n");
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  EXPECT_TRUE(report.ok());
  EXPECT_EQ(report.files_prepared(), 3u);
  ASSERT_EQ(LoadFiles("n", "t").size(), 1u);
  EXPECT_EQ(Rows("SELECT x FROM {} ORDER BY x", LoadFiles("n", "t")[0]), "1\n2");
  ASSERT_EQ(LoadFiles("z", "t").size(), 1u);
  EXPECT_FALSE(Exists("prepare/n/t/b\x02.csv"));
  EXPECT_TRUE(Exists("_rejected/prepare/n/t/c\xff.csv"));
  EXPECT_TRUE(Exists("_rejected/prepare/n/d.e/a.csv"));
  std::vector<std::string> reasons;
  for (const TablePrepareReport& t : report.tables) {
    for (const RejectedFile& r : t.rejected) reasons.push_back(r.source.key + ": " + r.reason);
    for (const UnusableFile& f : t.skipped) reasons.push_back(f.key + ": " + f.reason);
  }
  EXPECT_THAT(reasons,
              ::testing::UnorderedElementsAre(
                  HasSubstr("prepare/n/d.e/a.csv: the table folder name 'd.e' contains a '.'"),
                  HasSubstr("prepare/n/t/c\\xff.csv: the file name is not valid UTF-8")));
}

}  // namespace
}  // namespace atl::lake
