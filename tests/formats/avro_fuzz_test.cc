// Robustness: randomly mutated and truncated copies of valid Avro files must be read or
// rejected with an error, never crash, hang or allocate without bound (run under ASan
// by `make asan`). Deterministic seeds keep failures reproducible.
#include <filesystem>
#include <random>

#include "atoll/formats/avro/reader.h"
#include "atoll/formats/avro/writer.h"
#include "testing/testing.h"

namespace atl::avro {
namespace {

// Reads the whole file; returns whether it was accepted. Errors must carry a message.
bool TryRead(const std::string& bytes) {
  ReaderOptions options;
  options.max_block_bytes = 8 << 20;
  options.max_header_bytes = 1 << 20;
  auto reader = Reader::OpenBuffer(bytes, "fuzz.avro", options);
  if (!reader.ok()) {
    EXPECT_FALSE(reader.status().message().empty());
    return false;
  }
  for (int i = 0; i < 1000000; ++i) {
    Value v;
    auto more = (*reader)->Next(&v);
    if (!more.ok()) {
      EXPECT_FALSE(more.status().message().empty());
      return false;
    }
    if (!*more) return true;
  }
  return true;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  auto schema = *Schema::Parse(R"({"type": "record", "name": "R", "fields": [
    {"name": "s", "type": "string"}, {"name": "a", "type": {"type": "array", "items": ["null", "long"]}},
    {"name": "m", "type": {"type": "map", "values": {"type": "fixed", "name": "F", "size": 3}}},
    {"name": "e", "type": {"type": "enum", "name": "E", "symbols": ["X", "Y"]}}, {"name": "d", "type": "double"}]})");
  std::vector<Value> rows;
  for (int i = 0; i < 20; ++i) {
    rows.push_back(Value::Record(
        {Value::String("row" + std::to_string(i)),
         Value::Array({Value::Union(1, Value::Long(i)), Value::Union(0, Value::Null())}),
         Value::Map({{"k", Value::Fixed("abc")}}), Value::Enum(i % 2), Value::Double(i)}));
  }
  for (Codec c : {Codec::kNull, Codec::kDeflate, Codec::kSnappy, Codec::kBzip2, Codec::kXz,
                  Codec::kZstandard}) {
    WriterOptions options;
    options.codec = c;
    options.block_bytes = 200;
    seeds.push_back(*WriteToString(schema, rows, options));
  }
  if (auto root = atl::testing::TestdataDir()) {
    for (const char* f : {"avro/nested_records.avro", "avro/simple_enum.avro",
                          "avro/list_columns.avro", "avro/alltypes_plain.avro"}) {
      if (std::filesystem::exists(*root + "/" + f))
        seeds.push_back(atl::testing::ReadFile(*root + "/" + f));
    }
  }
  return seeds;
}

TEST(AvroFuzzTest, MutatedAndTruncatedFilesNeverCrash) {
  std::mt19937_64 rng(20240601);
  int accepted = 0;
  int rejected = 0;
  for (const std::string& seed : Seeds()) {
    ASSERT_TRUE(TryRead(seed));
    for (int round = 0; round < 500; ++round) {
      std::string bytes = seed;
      switch (rng() % 4) {
        case 0:  // flip a few bytes
          for (int k = 0; k < 1 + static_cast<int>(rng() % 4); ++k)
            bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
          break;
        case 1:  // truncate
          bytes.resize(rng() % bytes.size());
          break;
        case 2:  // overwrite with a large varint (huge lengths and counts)
          if (bytes.size() > 12) {
            size_t at = rng() % (bytes.size() - 10);
            for (int k = 0; k < 9; ++k) bytes[at + k] = static_cast<char>(0xFE);
            bytes[at + 9] = 0x01;
          }
          break;
        default:  // insert random bytes
          bytes.insert(rng() % bytes.size(), atl::testing::RandomBytes(1 + rng() % 16, rng()));
      }
      (TryRead(bytes) ? accepted : rejected)++;
    }
  }
  EXPECT_GT(rejected, 0);
  RecordProperty("accepted", accepted);
  RecordProperty("rejected", rejected);
}

}  // namespace
}  // namespace atl::avro
