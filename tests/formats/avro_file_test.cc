// Avro object container files: writer → reader round trips for every codec, header
// metadata, and rejection of damaged files.
#include <nlohmann/json.hpp>

#include "atoll/formats/avro/reader.h"
#include "atoll/formats/avro/writer.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

using ::atl::testing::IsError;

constexpr const char* kSchema = R"({"type": "record", "name": "manifest_file", "fields": [
  {"name": "manifest_path", "type": "string", "field-id": 500},
  {"name": "added_rows_count", "type": ["null", "long"], "default": null, "field-id": 512},
  {"name": "partitions", "type": ["null", {"type": "array", "element-id": 508,
    "items": {"type": "record", "name": "r508", "fields": [
      {"name": "contains_null", "type": "boolean", "field-id": 509}]}}], "default": null, "field-id": 507}]})";

SchemaPtr TestSchema() { return *Schema::Parse(kSchema); }

std::vector<Value> TestRows(int n) {
  std::vector<Value> rows;
  for (int i = 0; i < n; ++i) {
    rows.push_back(Value::Record(
        {Value::String("s3://bucket/metadata/m" + std::to_string(i) + ".avro"),
         i % 3 == 0 ? Value::Union(0, Value::Null()) : Value::Union(1, Value::Long(i * 1000LL)),
         Value::Union(1, Value::Array({Value::Record({Value::Boolean(i % 2 == 0)})}))}));
  }
  return rows;
}

class AvroCodecRoundTrip : public ::testing::TestWithParam<Codec> {};

TEST_P(AvroCodecRoundTrip, WritesAndReadsBackManyBlocks) {
  WriterOptions options;
  options.codec = GetParam();
  options.block_bytes = 4096;  // several blocks
  options.metadata = {
      {"schema", R"({"type":"struct"})"}, {"format-version", "2"}, {"content", "data"}};
  auto rows = TestRows(2000);
  ASSERT_OK_AND_ASSIGN(std::string file, WriteToString(TestSchema(), rows, options));
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenBuffer(file, "round-trip.avro"));
  EXPECT_EQ(reader->codec(), GetParam());
  EXPECT_EQ(reader->Metadata("avro.codec"), std::string(CodecName(GetParam())));
  EXPECT_EQ(reader->Metadata("format-version"), "2");
  EXPECT_EQ(reader->Metadata("content"), "data");
  EXPECT_EQ(reader->Metadata("schema"), R"({"type":"struct"})");
  EXPECT_EQ(reader->schema()->root().fields[2].type->branches[1]->IntAttribute("element-id"), 508);
  EXPECT_EQ(reader->schema()->ToJson(), TestSchema()->ToJson());
  ASSERT_OK_AND_ASSIGN(auto back, reader->ReadAll());
  EXPECT_EQ(back, rows);
  EXPECT_GT(reader->blocks_read(), 5u);
  EXPECT_EQ(reader->rows_read(), 2000u);
}

INSTANTIATE_TEST_SUITE_P(AllCodecs, AvroCodecRoundTrip,
                         ::testing::Values(Codec::kNull, Codec::kDeflate, Codec::kSnappy,
                                           Codec::kBzip2, Codec::kXz, Codec::kZstandard),
                         [](const auto& info) { return std::string(CodecName(info.param)); });

TEST(AvroFileTest, WritesTheGivenSyncMarkerAndStreamsToAFile) {
  atl::testing::TempDir dir;
  WriterOptions options;
  options.sync_marker = std::string("0123456789abcdef");
  ASSERT_OK_AND_ASSIGN(auto out, OpenFileOutput(dir.Join("f.avro")));
  ASSERT_OK_AND_ASSIGN(auto writer, Writer::Open(TestSchema(), std::move(out), options));
  for (const Value& v : TestRows(10)) ASSERT_OK(writer->Append(v));
  EXPECT_THAT(writer->Append(Value::Int(1)),
              IsError(StatusCode::kInvalidArgument));  // rejected, not written
  ASSERT_OK(writer->Close());
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenFile(dir.Join("f.avro")));
  EXPECT_EQ(reader->sync_marker(), "0123456789abcdef");
  ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadAll());
  EXPECT_EQ(rows, TestRows(10));
}

// The schema Java's ReflectData (Avro < 1.10) writes for a nested class com.example.Outer.Inner
// (namespace "com.example.Outer$"), with the "$" names JVM compilers give nested and
// anonymous classes, and names fastavro writes unchecked ("fast-record", "my-field").
constexpr const char* kJavaReflectSchema = R"({"type": "record", "name": "Inner",
  "namespace": "com.example.Outer$", "fields": [
  {"name": "id", "type": "long"},
  {"name": "kind", "type": {"type": "enum", "name": "Outer$Kind", "symbols": ["A", "B"]}},
  {"name": "hash", "type": {"type": "fixed", "name": "Hash$1", "namespace": "$anon", "size": 2}},
  {"name": "child", "type": ["null", {"type": "record", "name": "fast-record", "fields": [
    {"name": "my-field", "type": "string"}, {"name": "this$0", "type": "int"}]}]},
  {"name": "same_kind", "type": "com.example.Outer$.Outer$Kind"},
  {"name": "same_hash", "type": "$anon.Hash$1"}]})";

TEST(AvroFileTest, ReadsNamesJavaReflectAndFastavroWrite) {
  ASSERT_OK_AND_ASSIGN(SchemaPtr schema, Schema::Parse(kJavaReflectSchema));
  std::vector<Value> rows = {
      Value::Record({Value::Long(1), Value::Enum(1), Value::Fixed("ab"),
                     Value::Union(1, Value::Record({Value::String("x"), Value::Int(7)})),
                     Value::Enum(0), Value::Fixed("cd")}),
      Value::Record({Value::Long(-2), Value::Enum(0), Value::Fixed("zz"),
                     Value::Union(0, Value::Null()), Value::Enum(1), Value::Fixed("yy")}),
  };
  ASSERT_OK_AND_ASSIGN(std::string file, WriteToString(schema, rows));
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenBuffer(file, "reflect.avro"));
  const Node& root = reader->schema()->root();
  EXPECT_EQ(root.full_name, "com.example.Outer$.Inner");
  EXPECT_EQ(root.name_space, "com.example.Outer$");
  EXPECT_EQ(root.fields[1].type->full_name, "com.example.Outer$.Outer$Kind");
  EXPECT_EQ(root.fields[4].type, root.fields[1].type);  // referenced by full name
  EXPECT_EQ(root.fields[5].type, root.fields[2].type);
  EXPECT_EQ(root.fields[3].type->branches[1]->full_name, "com.example.Outer$.fast-record");
  EXPECT_EQ(root.fields[3].type->branches[1]->FieldIndex("this$0"), 1);
  ASSERT_OK_AND_ASSIGN(auto back, reader->ReadAll());
  EXPECT_EQ(back, rows);
  // The names survive a write of the schema read back.
  ASSERT_OK_AND_ASSIGN(SchemaPtr again, Schema::Parse(reader->schema()->ToString()));
  EXPECT_EQ(again->ToJson(), schema->ToJson());
}

TEST(AvroFileTest, RefusesReservedMetadataKeys) {
  WriterOptions options;
  options.metadata = {{"avro.schema", "{}"}};
  EXPECT_THAT(WriteToString(TestSchema(), {}, options), IsError(StatusCode::kInvalidArgument));
}

TEST(AvroFileTest, EmptyFileHasHeaderOnly) {
  ASSERT_OK_AND_ASSIGN(std::string file, WriteToString(TestSchema(), {}));
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenBuffer(file, "empty.avro"));
  ASSERT_OK_AND_ASSIGN(auto rows, reader->ReadAll());
  EXPECT_TRUE(rows.empty());
}

std::string ValidFile(Codec codec) {
  WriterOptions options;
  options.codec = codec;
  options.sync_marker = std::string(16, 'S');
  return *WriteToString(TestSchema(), TestRows(50), options);
}

Status ReadAllOf(const std::string& file, ReaderOptions options = {}) {
  ATOLL_ASSIGN_OR_RETURN(auto reader, Reader::OpenBuffer(file, "bad.avro", options));
  return reader->ReadAll().status();
}

TEST(AvroFileTest, RejectsBadMagicWithTheFileName) {
  Status st = ReadAllOf("PAR1 definitely not avro");
  EXPECT_THAT(st, IsError(StatusCode::kCorruption));
  EXPECT_NE(st.message().find("avro file 'bad.avro'"), std::string::npos) << st.ToString();
  EXPECT_THAT(ReadAllOf(""), IsError(StatusCode::kCorruption));
}

TEST(AvroFileTest, RejectsASyncMarkerMismatch) {
  std::string file = ValidFile(Codec::kNull);
  file[file.size() - 1] = 'X';
  Status st = ReadAllOf(file);
  EXPECT_THAT(st, IsError(StatusCode::kCorruption));
  EXPECT_NE(st.message().find("sync marker"), std::string::npos) << st.ToString();
}

TEST(AvroFileTest, RejectsEveryTruncationInsideTheHeaderOrABlock) {
  std::string file = ValidFile(Codec::kDeflate);
  // A file cut exactly after the header is a valid file without blocks.
  WriterOptions options;
  options.codec = Codec::kDeflate;
  options.sync_marker = std::string(16, 'S');
  const size_t header_size = WriteToString(TestSchema(), {}, options)->size();
  ASSERT_LT(header_size, file.size());
  EXPECT_OK(ReadAllOf(file.substr(0, header_size)));
  for (size_t n = 0; n < file.size(); ++n) {
    if (n == header_size) continue;
    EXPECT_THAT(ReadAllOf(file.substr(0, n)), IsError(StatusCode::kCorruption)) << "length " << n;
  }
  EXPECT_OK(ReadAllOf(file));
}

TEST(AvroFileTest, RejectsSnappyChecksumMismatch) {
  std::string file = ValidFile(Codec::kSnappy);
  file[file.size() - 17] ^= 0x55;  // last byte of the CRC, just before the sync marker
  Status st = ReadAllOf(file);
  EXPECT_THAT(st, IsError(StatusCode::kCorruption));
  EXPECT_NE(st.message().find("CRC"), std::string::npos) << st.ToString();
}

TEST(AvroFileTest, RejectsDecompressionBombs) {
  auto schema = *Schema::Parse(
      R"({"type": "record", "name": "R", "fields": [{"name": "s", "type": "string"}]})");
  for (Codec codec :
       {Codec::kDeflate, Codec::kBzip2, Codec::kXz, Codec::kZstandard, Codec::kSnappy}) {
    WriterOptions options;
    options.codec = codec;
    options.block_bytes = 64 << 20;
    std::vector<Value> rows(4, Value::Record({Value::String(std::string(1 << 20, 'z'))}));
    ASSERT_OK_AND_ASSIGN(std::string file, WriteToString(schema, rows, options));
    ReaderOptions small;
    small.max_block_bytes = 1 << 20;  // the block holds 4 MiB
    Status st = ReadAllOf(file, small);
    EXPECT_THAT(st, IsError(StatusCode::kCorruption)) << CodecName(codec);
    EXPECT_NE(st.message().find("limit"), std::string::npos) << st.ToString();
    EXPECT_OK(ReadAllOf(file));
  }
}

TEST(AvroFileTest, RejectsUnknownCodecs) {
  std::string file = ValidFile(Codec::kNull);
  size_t at = file.find("null", file.find("avro.codec"));
  ASSERT_NE(at, std::string::npos);
  file.replace(at, 4, "lz4x");
  EXPECT_THAT(ReadAllOf(file), IsError(StatusCode::kNotSupported));
}

}  // namespace
}  // namespace atl::avro
