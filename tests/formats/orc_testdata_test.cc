// Every ORC file in ../shared/testdata (written by Apache ORC's Java and C++ writers,
// Hive and Iceberg) is read and compared row by row with the JSON the ORC project
// publishes for it (orc/expected/*.jsn.gz), and checked against the facts in INDEX.tsv.
#include <filesystem>
#include <fstream>
#include <functional>
#include <regex>
#include <set>
#include <sstream>

#include "orc_json_util.h"
#include "testing/testing.h"

namespace atl::orc {
namespace {

using ::atl::testing::IsError;

struct OrcFact {
  std::string path;
  std::string facts;
};

std::optional<std::string> Fact(const std::string& facts, const std::string& key) {
  std::smatch m;
  if (std::regex_search(facts, m, std::regex("(^|[; \"])" + key + "=([^;]*)"))) return m[2].str();
  return std::nullopt;
}

std::vector<OrcFact> OrcFiles(const std::string& root) {
  std::vector<OrcFact> out;
  std::ifstream in(root + "/INDEX.tsv");
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> cols;
    std::stringstream ss(line);
    std::string col;
    while (std::getline(ss, col, '\t')) cols.push_back(col);
    bool orc_file =
        cols.size() >= 6 && cols[1].size() > 4 && cols[1].substr(cols[1].size() - 4) == ".orc";
    if (orc_file) out.push_back({cols[1], cols[5]});
  }
  return out;
}

#define REQUIRE_TESTDATA(root)                                                      \
  auto root##_opt = ::atl::testing::TestdataDir();                                  \
  if (!root##_opt) GTEST_SKIP() << "../shared/testdata is absent: nothing to read"; \
  const std::string root = *root##_opt

// The Apache ORC example files carry no writer time zone when written in format 0.11,
// and were produced on machines in US Pacific time (as ORC's own tests assume).
ReaderOptions ExampleOptions() {
  ReaderOptions options;
  options.default_timezone = "America/Los_Angeles";
  options.batch_rows = 1000;
  return options;
}

TEST(OrcTestdataTest, EveryFileMatchesItsRowCountAndExpectedRows) {
  REQUIRE_TESTDATA(root);
  auto files = OrcFiles(root);
  ASSERT_GE(files.size(), 13u) << "INDEX.tsv lists too few ORC files";
  int compared = 0;
  for (const OrcFact& f : files) {
    SCOPED_TRACE(f.path);
    if (f.facts.find("CORRUPT") != std::string::npos) continue;      // see RejectsTheCorruptFile
    if (f.facts.find("zero-length") != std::string::npos) continue;  // see EmptyAndZeroLength...
    auto reader = Reader::OpenFile(root + "/" + f.path, ExampleOptions());
    ASSERT_OK(reader);
    auto rows = testing::ReadAllJson(**reader);
    ASSERT_OK(rows);
    auto want_rows = Fact(f.facts, "rows");
    if (!want_rows) want_rows = Fact(f.facts, "record_count");
    ASSERT_TRUE(want_rows.has_value()) << f.facts;
    EXPECT_EQ(rows->size(), std::stoull(*want_rows));
    EXPECT_EQ((*reader)->num_rows(), std::stoull(*want_rows));
    if (auto codec = Fact(f.facts, "codec")) {
      EXPECT_EQ(CompressionName((*reader)->compression()), *codec);
    }
    if (auto stripes = Fact(f.facts, "stripes")) {
      EXPECT_EQ((*reader)->num_stripes(), std::stoull(*stripes));
    }
    if (auto format = Fact(f.facts, "format")) {
      if (*format != "ORC") {
        EXPECT_EQ((*reader)->format_version(), *format);
      }
    }
    if (auto schema = Fact(f.facts, "schema")) {
      std::string want = schema->substr(0, schema->find_first_of(" ;"));
      std::string have = (*reader)->schema().ToString();
      // Hive 0.11 decimals have no precision; INDEX.tsv shows them as decimal(0,0).
      want = std::regex_replace(want, std::regex("decimal\\(0,0\\)"), "decimal(38,6)");
      EXPECT_EQ(have, want);
    }
    std::string expected =
        root + "/orc/expected/" + std::filesystem::path(f.path).stem().string() + ".jsn.gz";
    if (!std::filesystem::exists(expected)) continue;
    auto want = testing::ReadGzipLines(expected);
    ASSERT_EQ(rows->size(), want.size());
    int mismatches = 0;
    for (size_t i = 0; i < want.size() && mismatches < 5; ++i) {
      if ((*rows)[i] != want[i]) {
        ++mismatches;
        ADD_FAILURE() << "row " << i << "\n  read:     " << (*rows)[i]
                      << "\n  expected: " << want[i];
      }
    }
    ++compared;
  }
  EXPECT_GE(compared, 8);
}

TEST(OrcTestdataTest, RejectsTheCorruptFile) {
  REQUIRE_TESTDATA(root);
  std::string path = root + "/orc/corrupt_negative_dict_entry_lengths.orc";
  auto reader = Reader::OpenFile(path);
  ASSERT_OK(reader);
  auto rows = testing::ReadAllJson(**reader);
  ASSERT_THAT(rows, IsError(StatusCode::kCorruption));
  EXPECT_NE(rows.status().message().find("negative dictionary entry length"), std::string::npos)
      << rows.status().ToString();
  EXPECT_NE(rows.status().message().find(path), std::string::npos) << rows.status().ToString();
}

TEST(OrcTestdataTest, EmptyAndZeroLengthFilesGiveZeroRows) {
  REQUIRE_TESTDATA(root);
  for (const char* f : {"orc/TestOrcFile.emptyFile.orc", "orc/zero.orc"}) {
    SCOPED_TRACE(f);
    ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(root + "/" + f));
    EXPECT_EQ(reader->num_rows(), 0u);
    std::unique_ptr<ColumnVector> batch;
    ASSERT_OK_AND_ASSIGN(bool more, reader->NextBatch(&batch));
    EXPECT_FALSE(more);
  }
  ASSERT_OK_AND_ASSIGN(auto empty, Reader::OpenFile(root + "/orc/TestOrcFile.emptyFile.orc"));
  EXPECT_EQ(empty->schema().num_children(), 12u);
  EXPECT_EQ(empty->format_version(), "0.12");
  // With the option off, a zero-length file is refused.
  ReaderOptions strict;
  strict.zero_length_is_empty = false;
  auto zero = Reader::OpenFile(root + "/orc/zero.orc", strict);
  ASSERT_THAT(zero, IsError(StatusCode::kCorruption));
  EXPECT_NE(zero.status().message().find("zero.orc"), std::string::npos)
      << zero.status().ToString();
}

TEST(OrcTestdataTest, IcebergAttributesAndNames) {
  REQUIRE_TESTDATA(root);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(root + "/orc/complextypes_iceberg.orc"));
  const Type& s = reader->schema();
  std::set<int> ids;
  std::function<void(const Type&)> walk = [&](const Type& t) {
    if (auto id = t.Attribute("iceberg.id")) ids.insert(std::stoi(*id));
    for (size_t i = 0; i < t.num_children(); ++i) walk(t.child(i));
  };
  walk(s);
  EXPECT_EQ(ids.size(), 29u);
  EXPECT_EQ(*ids.begin(), 1);
  EXPECT_EQ(*ids.rbegin(), 29);
  const Type* nested = s.Field("nested_struct");
  ASSERT_NE(nested, nullptr);
  ASSERT_NE(nested->Field("g"), nullptr);
  EXPECT_EQ(nested->Field("g")->kind(), TypeKind::kMap);
  ASSERT_NE(s.Field("id"), nullptr);
  EXPECT_EQ(s.Field("id")->Attribute("iceberg.id"), "1");
  EXPECT_EQ(s.Field("id")->kind(), TypeKind::kLong);
  ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
  ASSERT_EQ(rows.size(), 1u);
}

TEST(OrcTestdataTest, IcebergImpalaDataFileHasThreeRows) {
  REQUIRE_TESTDATA(root);
  std::string dir = root + "/iceberg/impala/iceberg_v2_no_deletes_orc/data";
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".orc") continue;
    ++files;
    ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(entry.path().string()));
    EXPECT_EQ(reader->schema().ToString(), "struct<i:int,s:string>");
    EXPECT_TRUE(reader->schema().child(0).Attribute("iceberg.id").has_value());
    ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
    ASSERT_EQ(rows.size(), 3u);
    for (const std::string& r : rows) EXPECT_EQ(r.rfind("{\"i\": ", 0), 0u) << r;
  }
  EXPECT_EQ(files, 1);
}

TEST(OrcTestdataTest, BatchesAndStripeSeeksAgreeWithAWholeRead) {
  REQUIRE_TESTDATA(root);
  std::string path = root + "/orc/TestOrcFile.testSnappy.orc";
  ReaderOptions big;
  big.batch_rows = 100000;
  ASSERT_OK_AND_ASSIGN(auto whole, Reader::OpenFile(path, big));
  ASSERT_OK_AND_ASSIGN(auto all, testing::ReadAllJson(*whole));
  ReaderOptions small;
  small.batch_rows = 7;
  ASSERT_OK_AND_ASSIGN(auto pieces, Reader::OpenFile(path, small));
  ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*pieces));
  EXPECT_EQ(rows, all);
  ASSERT_EQ(pieces->num_stripes(), 2u);
  ASSERT_OK(pieces->SeekToStripe(1));
  ASSERT_OK_AND_ASSIGN(auto second, testing::ReadAllJson(*pieces));
  ASSERT_EQ(second.size(), pieces->stripe(1).num_rows);
  EXPECT_EQ(second.front(), all[pieces->stripe(0).num_rows]);
  EXPECT_THAT(pieces->SeekToStripe(3), IsError(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace atl::orc
