// The guards in front of DuckDB's readers (json_guard.h, CheckInputContent in
// input_file.h) and the version checks of source files (source_check.h).
#include <filesystem>
#include <string>

#include "atoll/ingest/input_file.h"
#include "atoll/ingest/json_guard.h"
#include "atoll/ingest/source_check.h"
#include "atoll/storage/local_store.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using ::testing::HasSubstr;

Status Scan(std::string_view text, JsonLayout layout, int depth, uint64_t bytes = 1 << 20) {
  JsonScanner scanner(layout, {depth, bytes});
  // Fed in small pieces: state carries across Feed calls.
  for (size_t i = 0; i < text.size(); i += 7) {
    ATOLL_RETURN_NOT_OK(scanner.Feed(text.substr(i, 7)));
  }
  return Status::OK();
}

TEST(JsonScannerTest, StopsAtTheFirstLevelDeeperThanTheLimit) {
  const std::string deep(30000, '[');
  Status st = Scan(deep, JsonLayout::kAuto, 64);
  ASSERT_THAT(st, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(st.message(),
            "JSON nested more than 64 levels deep (at byte 64; the limit is "
            "prepare.max_json_depth)");
  EXPECT_THAT(Scan(std::string(65, '{'), JsonLayout::kLines, 64),
              IsError(StatusCode::kInvalidArgument));
  // 64 levels are fine, also as objects.
  std::string ok;
  for (int i = 0; i < 63; ++i) ok += "{\"a\":";
  ok += "[1]";
  for (int i = 0; i < 63; ++i) ok += "}";
  EXPECT_OK(Scan(ok, JsonLayout::kAuto, 64));
  EXPECT_OK(Scan(ok + "\n" + ok + "\n", JsonLayout::kLines, 64));
}

TEST(JsonScannerTest, BracketsInStringsAndEscapedQuotesDoNotCount) {
  const std::string text = "{\"a\": \"[[[[{{{{\\\"[[[[\", \"b\": [\"]]]]\"]}\n";
  EXPECT_OK(Scan(text, JsonLayout::kLines, 2));
  EXPECT_THAT(Scan("{\"a\": [[1]]}", JsonLayout::kLines, 2), IsError(StatusCode::kInvalidArgument));
}

TEST(JsonScannerTest, BoundsEachNdjsonLine) {
  const std::string line = "{\"a\": \"" + std::string(100, 'x') + "\"}";  // 109 bytes
  EXPECT_OK(Scan(line + "\n" + line + "\n", JsonLayout::kLines, 64, 109));
  Status st = Scan(line + "\n" + line + "x\n", JsonLayout::kLines, 64, 109);
  ASSERT_THAT(st, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(st.message(),
            "an NDJSON line is longer than the limit of 109 bytes (prepare.max_line_bytes), "
            "starting at byte 110");
}

TEST(JsonScannerTest, BoundsEachElementOfATopLevelArrayNotTheArray) {
  const std::string element = "{\"a\": \"" + std::string(100, 'x') + "\"}";  // 109 bytes
  std::string array = "[\n";
  for (int i = 0; i < 50; ++i) array += (i ? ",\n  " : "  ") + element;
  array += "\n]\n";
  EXPECT_OK(Scan(array, JsonLayout::kAuto, 64, 109));
  const std::string longer = "{\"a\": \"" + std::string(101, 'x') + "\"}";  // 110 bytes
  Status st = Scan("[" + element + ", 12345, " + longer + "]", JsonLayout::kAuto, 64, 109);
  ASSERT_THAT(st, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(st.message(), HasSubstr("a JSON document is longer than the limit of 109 bytes "
                                      "(prepare.max_line_bytes), starting at byte 119"));
  // One top-level object is one document, however many lines it spans.
  std::string object = "{\n";
  for (int i = 0; i < 20; ++i) object += "  \"k" + std::to_string(i) + "\": 1,\n";
  object += "  \"end\": 0\n}\n";
  EXPECT_OK(Scan(object, JsonLayout::kAuto, 64, object.size()));
  EXPECT_THAT(Scan(object, JsonLayout::kAuto, 64, object.size() - 5),
              IsError(StatusCode::kInvalidArgument));
}

class ContentTest : public ::testing::Test {
 protected:
  Status Check(const std::string& content, FileFormat format, JsonLimits limits = {}) {
    const std::string path = dir_.Join("f");
    ::atl::testing::WriteFile(path, content);
    return CheckInputContent(path, format, limits);
  }
  std::string Reason(const std::string& content, FileFormat format) {
    Status st = Check(content, format);
    EXPECT_THAT(st, IsError(StatusCode::kInvalidArgument)) << content.substr(0, 40);
    return st.message();
  }
  TempDir dir_;
};

TEST_F(ContentTest, OrdinaryFilesPass) {
  EXPECT_OK(Check("id,name\n1,ann\n", FileFormat::kCsv));
  EXPECT_OK(Check("\xEF\xBB\xBFid\tname\n1\tann\n", FileFormat::kTsv));
  EXPECT_OK(Check("[id],[name]\n1,ann\n", FileFormat::kCsv));  // bracketed header names
  EXPECT_OK(Check("{a},{b}\n1,2\n", FileFormat::kCsv));
  EXPECT_OK(Check("a\n\x1b[1mbold\n", FileFormat::kCsv));  // one stray control character
  EXPECT_OK(Check("[{\"a\": 1}, {\"a\": 2}]", FileFormat::kJson));
  EXPECT_OK(Check("{\"a\": 1}\n{\"a\": 2}\n", FileFormat::kNdjson));
  EXPECT_OK(Check("PAR1 pretend footer PAR1", FileFormat::kParquet));
}

TEST_F(ContentTest, WhitespaceOnlyFilesAreRefused) {
  EXPECT_EQ(Reason(" \n\t\r\n  \n", FileFormat::kCsv),
            "the file holds only whitespace (no header, no rows)");
  EXPECT_EQ(Reason("\xEF\xBB\xBF" + std::string(200000, ' ') + "\n", FileFormat::kTsv),
            "the file holds only whitespace (no header, no rows)");
  EXPECT_OK(Check(std::string(200000, ' ') + "\na\n1\n", FileFormat::kCsv));
  EXPECT_EQ(Reason("\n\n  \n", FileFormat::kNdjson), "the file holds only whitespace (no JSON)");
  EXPECT_EQ(Reason("   ", FileFormat::kJson), "the file holds only whitespace (no JSON)");
}

TEST_F(ContentTest, BinaryIsNotCsv) {
  EXPECT_EQ(Reason(std::string("id,name\n1,a\0b\n", 14), FileFormat::kCsv),
            "binary content, not CSV text: a NUL byte at byte 11");
  std::string garbage;
  uint32_t x = 12345;
  for (int i = 0; i < 300; ++i) {
    x = x * 1103515245 + 12345;
    char c = static_cast<char>((x >> 16) & 0xff);
    garbage += c == '\0' ? '\x01' : c;  // no NUL: the control characters give it away
  }
  EXPECT_THAT(Reason(garbage, FileFormat::kCsv), HasSubstr("binary content, not CSV text: "));
}

TEST_F(ContentTest, JsonSavedAsCsvIsRefused) {
  for (const char* json : {"{\"id\": 1, \"name\": \"ann\"}\n{\"id\": 2}\n", "[\n  {\"id\": 1}\n]\n",
                           "  [{\"id\": 1}, {\"id\": 2}]", "[1, 2, 3]\n", "{\n\"a\": 1}"}) {
    EXPECT_THAT(Reason(json, FileFormat::kCsv), HasSubstr("the file holds JSON, not CSV")) << json;
  }
  for (const char* json : {"{\"a\": 1}\n", "[{\"a\": 1}]"}) {
    EXPECT_THAT(Reason(json, FileFormat::kCsv),
                HasSubstr(StrCat("its first line starts with '", std::string(1, json[0]), "'")));
  }
}

TEST_F(ContentTest, JsonLimitsComeFromTheSettings) {
  EXPECT_THAT(Reason(std::string(30000, '['), FileFormat::kJson),
              HasSubstr("JSON nested more than 64 levels deep"));
  JsonLimits small{4, 1024};
  EXPECT_THAT(Check("[[[[[1]]]]]", FileFormat::kNdjson, small),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_OK(Check("[[[[1]]]]", FileFormat::kNdjson, small));
  Status st = Check("{\"a\": \"" + std::string(2000, 'x') + "\"}\n", FileFormat::kNdjson, small);
  EXPECT_THAT(st.message(),
              HasSubstr("longer than the limit of 1024 bytes (prepare.max_line_bytes)"));
}

TEST_F(ContentTest, AParquetFileNeedsItsMagic) {
  EXPECT_EQ(Reason("id,name\n1,ann\n", FileFormat::kParquet),
            "not a Parquet file: it does not start and end with the magic bytes \"PAR1\"");
  EXPECT_THAT(Check("PAR1", FileFormat::kParquet), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Check("PAR1PAR1", FileFormat::kParquet), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Check("PAR1 truncated", FileFormat::kParquet), IsError(StatusCode::kInvalidArgument));
}

TEST_F(ContentTest, ASingleColumnWithADelimitedHeaderNamesTheRaggedLine) {
  const std::string path = dir_.Join("ragged.csv");
  ::atl::testing::WriteFile(path, "id,name\n1,ann\n\"2,5\",\"bob\nsmith\"\n3,cy,extra\n");
  Status st = CheckRaggedCsv(path, ",;|\t", 1);
  ASSERT_THAT(st, IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(
      st.message(),
      "rows with different numbers of fields: line 5 has 3, the first line has 2 (separated by "
      "',')");
  ::atl::testing::WriteFile(path, "a\tb\tc\n1\t2\n");
  EXPECT_EQ(
      CheckRaggedCsv(path, "\t", 1).message(),
      "rows with different numbers of fields: line 2 has 2, the first line has 3 (separated by "
      "tab)");
  // Read as three columns without header, the short rows padded.
  ::atl::testing::WriteFile(path, "id,name\n2,bob\n3,cy,extra\n");
  EXPECT_EQ(
      CheckRaggedCsv(path, ",;|\t", 3).message(),
      "rows with different numbers of fields: line 3 has 3, the first line has 2 (separated by "
      "',')");
  ::atl::testing::WriteFile(path, "1,2\n3,4\n");  // a consistent file without header
  EXPECT_OK(CheckRaggedCsv(path, ",;|\t", 2));
  // A header without a delimiter is a true single column, commas in values or not.
  ::atl::testing::WriteFile(path, "name\nSmith, John\n");
  EXPECT_OK(CheckRaggedCsv(path, ",;|\t", 1));
  ::atl::testing::WriteFile(path, "\"last, first\"\nSmith, John\n");
  EXPECT_OK(CheckRaggedCsv(path, ",;|\t", 1));
}

class SourceCheckTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK_AND_ASSIGN(store_, storage::LocalStore::Open(dir_.path())); }
  SourceFile Listed(const std::string& key) {
    auto head = store_->Head(key);
    EXPECT_OK(head.status());
    return head.ok() ? SourceFile{head->key, head->size, head->etag} : SourceFile{};
  }
  void Append(const std::string& key, const std::string& text) {
    ::atl::testing::WriteFile(dir_.Join(key), ::atl::testing::ReadFile(dir_.Join(key)) + text);
  }
  TempDir dir_;
  std::unique_ptr<storage::LocalStore> store_;
};

TEST_F(SourceCheckTest, OnlyUnchangedSourcesAreDeleted) {
  ASSERT_OK(storage::PutString(*store_, "p/same.csv", "a\n1\n"));
  ASSERT_OK(storage::PutString(*store_, "p/grown.csv", "a\n1\n"));
  ASSERT_OK(storage::PutString(*store_, "p/gone.csv", "a\n1\n"));
  ASSERT_OK(storage::PutString(*store_, "p/rewritten.csv", "a\n1\n"));
  std::vector<SourceFile> listed = {Listed("p/same.csv"), Listed("p/grown.csv"),
                                    Listed("p/gone.csv"), Listed("p/rewritten.csv")};
  Append("p/grown.csv", "2\n");
  ASSERT_OK(storage::Delete(*store_, "p/gone.csv"));
  ASSERT_OK(storage::PutString(*store_, "p/rewritten.csv", "a\n2\n"));  // same size

  ASSERT_OK_AND_ASSIGN(std::vector<SourceFile> changed, ChangedSources(*store_, listed));
  ASSERT_EQ(changed.size(), 3u);
  EXPECT_EQ(changed[0].key, "p/grown.csv");
  EXPECT_EQ(changed[1].key, "p/gone.csv");
  EXPECT_EQ(changed[2].key, "p/rewritten.csv");

  size_t deleted = 0;
  ASSERT_OK_AND_ASSIGN(std::vector<SourceFile> left, DeleteUnchanged(*store_, listed, &deleted));
  EXPECT_EQ(deleted, 1u);
  ASSERT_EQ(left.size(), 2u);  // the gone one is neither
  EXPECT_EQ(left[0].key, "p/grown.csv");
  EXPECT_EQ(left[1].key, "p/rewritten.csv");
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("p/same.csv")));
  EXPECT_EQ(::atl::testing::ReadFile(dir_.Join("p/grown.csv")), "a\n1\n2\n");
  EXPECT_EQ(::atl::testing::ReadFile(dir_.Join("p/rewritten.csv")), "a\n2\n");
}

TEST_F(SourceCheckTest, ManySourcesAreCheckedTogether) {
  std::vector<SourceFile> listed;
  for (int i = 0; i < 40; ++i) {
    const std::string key = "p/f" + std::to_string(i) + ".csv";
    ASSERT_OK(storage::PutString(*store_, key, "a\n1\n"));
    listed.push_back(Listed(key));
  }
  Append("p/f37.csv", "2\n");
  ASSERT_OK_AND_ASSIGN(std::vector<SourceFile> left, DeleteUnchanged(*store_, listed));
  ASSERT_EQ(left.size(), 1u);
  EXPECT_EQ(left[0].key, "p/f37.csv");
  ASSERT_OK_AND_ASSIGN(auto rest, storage::ListAll(*store_, "p/"));
  ASSERT_EQ(rest.size(), 1u);
}

}  // namespace
}  // namespace atl::lake
