// Every Avro file in ../shared/testdata (written by Spark, avro-c, avro-js, Java Avro,
// Iceberg writers) is read, checked against the facts in INDEX.tsv and, where Debian's
// avro-c `avrocat` can read it, compared value by value with avrocat's output.
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "atoll/formats/avro/reader.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

using ::atl::testing::IsError;

struct AvroFact {
  std::string path;   // relative to the testdata root
  std::string facts;  // the INDEX.tsv facts column
};

std::optional<std::string> Fact(const std::string& facts, const std::string& key) {
  std::smatch m;
  if (std::regex_search(facts, m, std::regex("(^|[; ])" + key + "=([^;]*)"))) return m[2].str();
  return std::nullopt;
}

std::vector<AvroFact> AvroFiles(const std::string& root) {
  std::vector<AvroFact> out;
  std::ifstream in(root + "/INDEX.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() >= 6 && cols[1].size() > 5 && cols[1].substr(cols[1].size() - 5) == ".avro") {
      out.push_back({cols[1], cols[5]});
    }
  }
  return out;
}

#define REQUIRE_TESTDATA(root)                                                      \
  auto root##_opt = ::atl::testing::TestdataDir();                                  \
  if (!root##_opt) GTEST_SKIP() << "../shared/testdata is absent: nothing to read"; \
  const std::string root = *root##_opt

TEST(AvroTestdataTest, ReadsEveryFileWithTheKnownRowCountAndCodec) {
  REQUIRE_TESTDATA(root);
  auto files = AvroFiles(root);
  ASSERT_GT(files.size(), 100u) << "INDEX.tsv lists too few Avro files";
  int negatives = 0;
  for (const AvroFact& f : files) {
    SCOPED_TRACE(f.path);
    auto reader = Reader::OpenFile(root + "/" + f.path);
    Result<std::vector<Value>> rows =
        reader.ok() ? (*reader)->ReadAll() : Result<std::vector<Value>>(reader.status());
    if (f.facts.find("NEGATIVE") != std::string::npos) {
      ++negatives;
      EXPECT_THAT(rows, IsError(StatusCode::kCorruption));
      if (!rows.ok()) {
        EXPECT_NE(rows.status().message().find("truncated"), std::string::npos)
            << rows.status().ToString();
        EXPECT_NE(rows.status().message().find(f.path), std::string::npos)
            << rows.status().ToString();
      }
      continue;
    }
    ASSERT_OK(rows);
    auto expected_rows = Fact(f.facts, "rows");
    if (!expected_rows) expected_rows = Fact(f.facts, "entries");
    if (expected_rows) {
      EXPECT_EQ(rows->size(), std::stoull(*expected_rows));
    }
    if (auto codec = Fact(f.facts, "codec")) {
      EXPECT_EQ(CodecName((*reader)->codec()), *codec);
    }
    if (auto fv = Fact(f.facts, "format-version")) {
      EXPECT_EQ((*reader)->Metadata("format-version"), *fv);
    }
    if (auto content = Fact(f.facts, "content")) {
      // Writers that record format version 2+ in the header (Java, PyIceberg) also record
      // the content, table schema and partition spec; v1 manifests, Impala and BigQuery
      // do not.
      if (Fact(f.facts, "format-version").value_or("1") != "1") {
        EXPECT_EQ((*reader)->Metadata("content"), content);
        EXPECT_TRUE((*reader)->Metadata("schema").has_value());
        EXPECT_TRUE((*reader)->Metadata("partition-spec").has_value());
      }
      // Iceberg manifests: the entry record keeps its field ids (status is field 0).
      const Node& entry = (*reader)->schema()->root();
      EXPECT_EQ(entry.fields[entry.FieldIndex("status")].IntAttribute("field-id"), 0);
    }
    // Writing the schema back keeps every attribute it was read with.
    auto original = nlohmann::json::parse(*(*reader)->Metadata("avro.schema"));
    ASSERT_OK_AND_ASSIGN(auto reparsed, Schema::Parse((*reader)->schema()->ToString()));
    EXPECT_EQ(reparsed->ToJson(), (*reader)->schema()->ToJson());
    EXPECT_EQ(original.contains("fields"), (*reader)->schema()->ToJson().contains("fields"));
  }
  EXPECT_EQ(negatives, 1);
}

TEST(AvroTestdataTest, WeatherFilesHoldTheExpectedRecordsInEveryCodec) {
  REQUIRE_TESTDATA(root);
  std::vector<nlohmann::json> expected;
  std::ifstream in(root + "/avro/weather.json");
  std::string line;
  while (std::getline(in, line)) expected.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(expected.size(), 5u);
  for (const char* name :
       {"weather.avro", "weather-deflate.avro", "weather-snappy.avro", "weather-zstd.avro"}) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(root + "/avro/" + name));
    EXPECT_EQ(reader->schema()->root().full_name, "test.Weather");
    ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadAll());
    ASSERT_EQ(rows.size(), expected.size());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(nlohmann::json::parse(ToJson(reader->schema()->root(), rows[i]).dump()),
                expected[i]);
    }
  }
}

// Unscaled value of a big-endian two's complement decimal.
int64_t Unscaled(const std::string& bytes) {
  int64_t v = (!bytes.empty() && (static_cast<uint8_t>(bytes[0]) & 0x80)) ? -1 : 0;
  for (unsigned char c : bytes) v = static_cast<int64_t>((static_cast<uint64_t>(v) << 8) | c);
  return v;
}

TEST(AvroTestdataTest, DecodesLogicalTypesEnumsFixedAndNestedRecords) {
  REQUIRE_TESTDATA(root);
  for (const char* name : {"fixed_length_decimal.avro", "int32_decimal.avro"}) {
    ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(root + "/avro/" + name));
    const Node& dec = *reader->schema()->root().fields[0].type->branches[0];
    EXPECT_EQ(dec.logical, LogicalType::kDecimal);
    EXPECT_EQ(dec.scale, 2);
    ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadAll());
    for (size_t i = 0; i < rows.size(); ++i) {
      EXPECT_EQ(Unscaled(rows[i].fields()[0].branch_value().bytes()),
                static_cast<int64_t>(i + 1) * 100)
          << name;
    }
  }
  ASSERT_OK_AND_ASSIGN(auto ts, Reader::OpenFile(root + "/avro/timestamp_logical_types.avro"));
  const Node& ts_root = ts->schema()->root();
  EXPECT_EQ(ts_root.fields[3].type->logical, LogicalType::kTimestampNanos);
  EXPECT_EQ(ts_root.fields[6].type->logical, LogicalType::kLocalTimestampNanos);
  ASSERT_OK_AND_ASSIGN(auto ts_rows, ts->ReadAll());
  ASSERT_EQ(ts_rows.size(), 2u);
  EXPECT_EQ(GetField(ts_root, ts_rows[1], "ts_nanos")->long_value(), 1000000000);

  ASSERT_OK_AND_ASSIGN(auto all, Reader::OpenFile(root + "/avro/alltypes_plain.xz.avro"));
  ASSERT_OK_AND_ASSIGN(auto all_rows, all->ReadAll());
  std::vector<int64_t> ids;
  for (const Value& r : all_rows)
    ids.push_back(*GetField(all->schema()->root(), r, "id")->AsLong());
  EXPECT_EQ(ids, (std::vector<int64_t>{4, 5, 6, 7, 2, 3, 0, 1}));

  ASSERT_OK_AND_ASSIGN(auto nested, Reader::OpenFile(root + "/avro/nested_records.avro"));
  ASSERT_OK_AND_ASSIGN(auto nested_rows, nested->ReadAll());
  Json first = ToJson(nested->schema()->root(), nested_rows[0]);
  EXPECT_EQ(first["f1"]["f1_1"], "aaa");
  EXPECT_EQ(first["f3"]["ns5.record5"]["f3_1"], "xyz");

  ASSERT_OK_AND_ASSIGN(auto fixed, Reader::OpenFile(root + "/avro/simple_fixed.avro"));
  ASSERT_OK_AND_ASSIGN(auto fixed_rows, fixed->ReadAll());
  EXPECT_EQ(fixed_rows[0].fields()[0].bytes(), "abcde");
  EXPECT_TRUE(fixed_rows[1].fields()[2].branch_value().is_null());
}

}  // namespace
}  // namespace atl::avro
