// Every ORC file of ../shared/testdata/orc goes through prepare/: a readable file lands in
// load/ as one Parquet file whose rows (read back by DuckDB) are those of Apache ORC's
// expected/*.jsn.gz (or, for files without one, those atoll's ORC reader gives, which
// orc_test compares with INDEX.tsv), in file order; the corrupt and the zero-length file
// are rejected with a reason file. Skips when the testdata is absent.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "atoll/engine/engine.h"
#include "atoll/formats/orc/reader.h"
#include "atoll/ingest/prepare.h"
#include "formats/orc_json_util.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;
using orc::TypeKind;
using ::testing::HasSubstr;

// The ORC example files were written in US Pacific time; format 0.11 files do not say so.
constexpr const char* kExampleZone = "America/Los_Angeles";

// "YYYY-MM-DD HH:MM:SS[.fffffffff]" → the same truncated to microseconds, always with six
// fraction digits (TIMESTAMP keeps microseconds). A trailing zone ("+00") is dropped.
std::string Micros(std::string s) {
  size_t plus = s.find('+', 10);
  if (plus != std::string::npos) s.resize(plus);
  size_t dot = s.find('.');
  std::string fraction = dot == std::string::npos ? "" : s.substr(dot + 1);
  if (dot != std::string::npos) s.resize(dot);
  fraction.resize(6, '0');
  return s + "." + fraction;
}

// DuckDB's text of a BLOB ("\x00\x01AB") → the byte values.
Json BlobBytes(const std::string& text) {
  Json out = Json::array();
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 3 < text.size() && text[i + 1] == 'x') {
      out.push_back(std::stoi(text.substr(i + 2, 2), nullptr, 16));
      i += 3;
    } else {
      out.push_back(static_cast<unsigned char>(text[i]));
    }
  }
  return out;
}

bool Near(double a, double b, double rel) {
  return std::fabs(a - b) <= rel * std::max(1.0, std::fabs(a));
}

// "" when DuckDB's JSON `got` for a value of ORC type `t` equals Apache ORC's `want`.
std::string Diff(const orc::Type& t, const Json& want, const Json& got, const std::string& path) {
  if (want.is_null() || got.is_null()) {
    return want.is_null() == got.is_null() ? "" : path + ": " + want.dump() + " != " + got.dump();
  }
  auto mismatch = [&]() { return path + ": " + want.dump() + " != " + got.dump(); };
  switch (t.kind()) {
    case TypeKind::kBoolean:
    case TypeKind::kByte:
    case TypeKind::kShort:
    case TypeKind::kInt:
    case TypeKind::kLong:
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kDate:
      return want == got ? "" : mismatch();
    case TypeKind::kFloat:
    case TypeKind::kDouble:
    case TypeKind::kDecimal: {
      if (!got.is_number()) return mismatch();
      double rel = t.kind() == TypeKind::kFloat ? 1e-6 : 1e-12;
      return Near(want.get<double>(), got.get<double>(), rel) ? "" : mismatch();
    }
    case TypeKind::kBinary:
      return got.is_string() && BlobBytes(got.get<std::string>()) == want ? "" : mismatch();
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampInstant:
      return got.is_string() && Micros(want.get<std::string>()) == Micros(got.get<std::string>())
                 ? ""
                 : mismatch();
    case TypeKind::kList: {
      if (!got.is_array() || got.size() != want.size()) return mismatch();
      for (size_t i = 0; i < want.size(); ++i) {
        std::string d = Diff(t.child(0), want[i], got[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case TypeKind::kMap: {
      // Apache ORC: [{"key": k, "value": v}, ...]; DuckDB: {"k": v, ...} in entry order.
      if (!got.is_object() || got.size() != want.size()) return mismatch();
      size_t i = 0;
      for (auto it = got.begin(); it != got.end(); ++it, ++i) {
        if (want[i].at("key") != it.key()) return mismatch();
        std::string d = Diff(t.child(1), want[i].at("value"), it.value(), path + "." + it.key());
        if (!d.empty()) return d;
      }
      return "";
    }
    case TypeKind::kStruct: {
      if (!got.is_object()) return mismatch();
      for (size_t i = 0; i < t.num_children(); ++i) {
        const std::string& name = t.field_names()[i];
        if (!got.contains(name)) return path + ": field " + name + " missing in " + got.dump();
        std::string d = Diff(t.child(i), want.contains(name) ? want.at(name) : Json(), got.at(name),
                             path + "." + name);
        if (!d.empty()) return d;
      }
      return "";
    }
    case TypeKind::kUnion: {
      // Apache ORC: {"tag": t, "value": v}; atoll: {"tag": t, "field0": ..., "field1": ...}.
      if (!got.is_object() || !got.contains("tag") || got.at("tag") != want.at("tag"))
        return mismatch();
      const size_t tag = want["tag"].get<size_t>();
      for (size_t i = 0; i < t.num_children(); ++i) {
        const std::string key = "field" + std::to_string(i);
        if (!got.contains(key)) return mismatch();
        const Json& field = got.at(key);
        std::string d = i == tag ? Diff(t.child(i), want.at("value"), field,
                                        path + ".field" + std::to_string(i))
                                 : (field.is_null() ? "" : mismatch());
        if (!d.empty()) return d;
      }
      return "";
    }
  }
  return path + ": unknown type";
}

std::map<std::string, std::string> IndexFacts(const std::string& testdata) {
  std::map<std::string, std::string> out;  // file name → facts
  std::ifstream in(testdata + "/INDEX.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    if (cols.size() >= 6 && cols[0] == "orc") out[fs::path(cols[1]).filename().string()] = cols[5];
  }
  return out;
}

std::string TableName(const std::string& file) {
  std::string table = fs::path(file).stem().string();
  for (char& c : table) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return table;
}

class OrcPrepareTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto testdata = ::atl::testing::TestdataDir();
    if (!testdata) GTEST_SKIP() << "../shared/testdata is absent: no ORC files to prepare";
    testdata_ = *testdata;
    orc_dir_ = testdata_ + "/orc";
    root_ = dir_.Join("lake");
    ASSERT_OK(Lake::Init(root_, Settings{}));
  }

  Result<PrepareReport> Run() {
    ATOLL_ASSIGN_OR_RETURN(auto lake, Lake::Open(root_));
    PrepareOptions options;
    options.work_dir = dir_.Join("work");
    options.orc_default_timezone = kExampleZone;
    return Prepare(*lake, options);
  }

  std::vector<std::string> Outputs(const std::string& db, const std::string& table) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_ + "/load/" + db + "/" + table, ec)) {
      out.push_back(e.path().string());
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  ::atl::testing::TempDir dir_;
  std::string testdata_, orc_dir_, root_;
};

TEST_F(OrcPrepareTest, EveryReadableFileConvertsWithItsExpectedRowsAndTheOthersAreRejected) {
  const auto facts = IndexFacts(testdata_);
  ASSERT_GE(facts.size(), 12u) << "INDEX.tsv lists too few ORC files";
  for (const auto& [file, fact] : facts) {
    ::atl::testing::WriteFile(root_ + "/prepare/orc/" + TableName(file) + "/" + file,
                              ::atl::testing::ReadFile(orc_dir_ + "/" + file));
  }
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open());
  int converted = 0, against_expected = 0, rejected = 0;
  int64_t values = 0;
  for (const auto& [file, fact] : facts) {
    SCOPED_TRACE(file);
    const std::string table = TableName(file);
    const std::string reason_path =
        root_ + "/_rejected/prepare/orc/" + table + "/" + file + ".error.json";
    const bool must_fail =
        fact.find("CORRUPT") != std::string::npos || fact.find("zero-length") != std::string::npos;
    if (must_fail) {
      ASSERT_TRUE(fs::exists(reason_path)) << "not rejected";
      EXPECT_TRUE(Outputs("orc", table).empty());
      EXPECT_FALSE(fs::exists(root_ + "/prepare/orc/" + table + "/" + file))
          << "the source stays in prepare/";
      auto doc = Json::parse(::atl::testing::ReadFile(reason_path));
      const std::string reason = doc["reason"].get<std::string>();
      std::cout << "rejected " << file << " (" << doc["stage"].get<std::string>() << "): " << reason
                << "\n";
      if (fact.find("CORRUPT") != std::string::npos) {
        EXPECT_THAT(reason, HasSubstr("negative dictionary entry length"));
        EXPECT_THAT(reason, HasSubstr(file)) << "the reason names the file";
      } else {
        EXPECT_THAT(reason, HasSubstr("empty file"));
      }
      ++rejected;
      continue;
    }
    EXPECT_FALSE(fs::exists(reason_path)) << ::atl::testing::ReadFile(reason_path);
    std::vector<std::string> outputs = Outputs("orc", table);
    ASSERT_EQ(outputs.size(), 1u);
    ++converted;

    // What the rows must be: Apache ORC's JSON, else atoll's reader's (same format).
    orc::ReaderOptions ro;
    ro.default_timezone = kExampleZone;
    ASSERT_OK_AND_ASSIGN(auto reader, orc::Reader::OpenFile(orc_dir_ + "/" + file, ro));
    std::vector<std::string> want_lines;
    const std::string expected_path =
        orc_dir_ + "/expected/" + fs::path(file).stem().string() + ".jsn.gz";
    if (fs::exists(expected_path)) {
      want_lines = orc::testing::ReadGzipLines(expected_path);
      ++against_expected;
    } else {
      ASSERT_OK_AND_ASSIGN(want_lines, orc::testing::ReadAllJson(*reader));
    }
    std::smatch m;
    ASSERT_TRUE(std::regex_search(fact, m, std::regex("rows=([0-9]+)"))) << fact;
    EXPECT_EQ(want_lines.size(), std::stoull(m[1].str()));

    const orc::Type& schema = reader->schema();
    const bool is_struct = schema.kind() == TypeKind::kStruct;
    ASSERT_OK_AND_ASSIGN(engine::QueryResult got,
                         engine->Query("SELECT to_json(t)::VARCHAR FROM read_parquet(" +
                                       engine::QuoteString(outputs[0]) + ") AS t"));
    ASSERT_EQ(got.rows.size(), want_lines.size());
    for (size_t r = 0; r < want_lines.size(); ++r) {
      Json want = Json::parse(want_lines[r]);
      ASSERT_TRUE(got.rows[r][0].has_value());
      Json row = Json::parse(*got.rows[r][0]);
      std::string d =
          is_struct ? Diff(schema, want, row, "") : Diff(schema, want, row["value"], "value");
      ASSERT_EQ(d, "") << "row " << r << ": " << want_lines[r] << "\n  got " << *got.rows[r][0];
      values += is_struct ? static_cast<int64_t>(schema.num_children()) : 1;
    }
    // The report counts the same rows.
    bool reported = false;
    for (const auto& t : report.tables) {
      if (t.table != table) continue;
      ASSERT_EQ(t.prepared.size(), 1u);
      EXPECT_EQ(t.prepared[0].rows, static_cast<int64_t>(want_lines.size()));
      reported = true;
    }
    EXPECT_TRUE(reported);
  }
  std::cout << converted << " ORC files converted (" << against_expected
            << " against Apache ORC's expected rows, " << values << " values compared), "
            << rejected << " rejected\n";
  EXPECT_EQ(converted, static_cast<int>(facts.size()) - 2);
  EXPECT_GE(against_expected, 7);
  EXPECT_GE(values, 50000);
  EXPECT_EQ(rejected, 2);
  EXPECT_EQ(report.files_rejected(), 2u);
  EXPECT_EQ(report.files_prepared(), facts.size() - 2);
}

TEST_F(OrcPrepareTest, TypesOfTheParquetFile) {
  for (const char* file : {"TestOrcFile.test1.orc", "TestOrcFile.testUnionAndTimestamp.orc"}) {
    ::atl::testing::WriteFile(root_ + "/prepare/orc/types/" + file,
                              ::atl::testing::ReadFile(orc_dir_ + "/" + file));
  }
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  ASSERT_EQ(report.files_prepared(), 2u);
  std::vector<std::string> outputs = Outputs("orc", "types");
  ASSERT_EQ(outputs.size(), 1u) << "both files fit one batch";
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open());
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult types,
      engine->Query("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(" +
                    engine::QuoteString(outputs[0]) + "))"));
  std::map<std::string, std::string> by_name;
  for (const auto& row : types.rows) by_name[*row[0]] = *row[1];
  EXPECT_EQ(by_name["boolean1"], "BOOLEAN");
  EXPECT_EQ(by_name["byte1"], "TINYINT");
  EXPECT_EQ(by_name["short1"], "SMALLINT");
  EXPECT_EQ(by_name["int1"], "INTEGER");
  EXPECT_EQ(by_name["long1"], "BIGINT");
  EXPECT_EQ(by_name["float1"], "FLOAT");
  EXPECT_EQ(by_name["double1"], "DOUBLE");
  EXPECT_EQ(by_name["bytes1"], "BLOB");
  EXPECT_EQ(by_name["string1"], "VARCHAR");
  EXPECT_EQ(by_name["list"], "STRUCT(int1 INTEGER, string1 VARCHAR)[]");
  EXPECT_EQ(by_name["map"], "MAP(VARCHAR, STRUCT(int1 INTEGER, string1 VARCHAR))");
  EXPECT_EQ(by_name["time"], "TIMESTAMP");
  EXPECT_EQ(by_name["union"], "STRUCT(tag INTEGER, field0 INTEGER, field1 VARCHAR)");
  EXPECT_EQ(by_name["decimal"], "DECIMAL(38,18)");
  // 2 + 5077 rows combined by column name.
  ASSERT_OK_AND_ASSIGN(
      engine::QueryResult n,
      engine->Query("SELECT count(*), count(int1), count(\"union\") FROM read_parquet(" +
                    engine::QuoteString(outputs[0]) + ")"));
  EXPECT_EQ(n.rows[0][0], "5079");
  EXPECT_EQ(n.rows[0][1], "2");
  // Non-null unions, as Apache ORC's expected rows have them.
  int unions = 0;
  for (const std::string& line : orc::testing::ReadGzipLines(
           orc_dir_ + "/expected/TestOrcFile.testUnionAndTimestamp.jsn.gz")) {
    unions += line.find("\"union\": {") != std::string::npos;
  }
  EXPECT_EQ(n.rows[0][2], std::to_string(unions));
}

TEST_F(OrcPrepareTest, ACorruptFileInABatchIsRejectedAloneAndTheOthersLoad) {
  for (const char* file :
       {"TestVectorOrcFile.testLz4.orc", "corrupt_negative_dict_entry_lengths.orc",
        "TestVectorOrcFile.testZstd.0.12.orc"}) {
    ::atl::testing::WriteFile(root_ + "/prepare/orc/mixed/" + file,
                              ::atl::testing::ReadFile(orc_dir_ + "/" + file));
  }
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Run());
  EXPECT_EQ(report.files_prepared(), 2u);
  ASSERT_EQ(report.files_rejected(), 1u);
  EXPECT_EQ(report.tables[0].rejected[0].rejected_key,
            "_rejected/prepare/orc/mixed/corrupt_negative_dict_entry_lengths.orc");
  EXPECT_TRUE(fs::exists(
      root_ + "/_rejected/prepare/orc/mixed/corrupt_negative_dict_entry_lengths.orc.error.json"));
  std::vector<std::string> outputs = Outputs("orc", "mixed");
  ASSERT_FALSE(outputs.empty());
  std::string list;
  for (const std::string& p : outputs) list += (list.empty() ? "" : ", ") + engine::QuoteString(p);
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open());
  ASSERT_OK_AND_ASSIGN(engine::QueryResult n,
                       engine->Query("SELECT count(*) FROM read_parquet([" + list + "])"));
  EXPECT_EQ(n.rows[0][0], "20000");
}

}  // namespace
}  // namespace atl::lake
