// Puffin files and deletion vectors: the roaring layouts of the spec, every container kind,
// and reading a deletion vector through FileIO.
#include "atoll/iceberg/scan/puffin.h"

#include <gtest/gtest.h>

#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using testing::IsError;

TEST(PuffinTest, DeletionVectorRoundTripsEveryContainerKind) {
  std::vector<int64_t> positions;
  for (int64_t i = 0; i < 100; i += 3) positions.push_back(i);          // array container
  for (int64_t i = 70000; i < 80000; ++i) positions.push_back(i);       // one run
  for (int64_t i = 140000; i < 200000; i += 2) positions.push_back(i);  // bitset container
  positions.push_back((int64_t{5} << 32) + 7);                          // a second 32-bit key
  for (int64_t i = 0; i < 10; ++i)
    positions.push_back((int64_t{5} << 32) + 65536 * i + 1);  // many containers
  ASSERT_OK_AND_ASSIGN(std::string blob, EncodeDeletionVector(positions));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> back, DecodeDeletionVector(blob, "t"));
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  EXPECT_EQ(back, positions);

  ASSERT_OK_AND_ASSIGN(std::string empty, EncodeDeletionVector({}));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> none, DecodeDeletionVector(empty, "t"));
  EXPECT_TRUE(none.empty());
  EXPECT_THAT(EncodeDeletionVector({-1}), IsError(StatusCode::kInvalidArgument));
}

TEST(PuffinTest, DecodesTheRoaringFormatSpecLayouts) {
  // A hand-built portable bitmap without run containers: key 0 with values {1, 5}.
  std::string vec;
  auto le = [&vec](uint64_t v, int n) {
    for (int i = 0; i < n; ++i) vec.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  le(1, 8);      // one 32-bit bitmap
  le(3, 4);      // key 3 (positions 3 << 32 | x)
  le(12346, 4);  // SERIAL_COOKIE_NO_RUNCONTAINER
  le(1, 4);      // one container
  le(0, 2);      // container key 0
  le(1, 2);      // cardinality - 1
  le(16, 4);     // offset of the container
  le(1, 2);
  le(5, 2);
  std::string body = std::string("\xD1\xD3\x39\x64", 4) + vec;
  std::string blob;
  auto be = [&blob](uint32_t v) {
    for (int i = 3; i >= 0; --i) blob.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
  };
  be(static_cast<uint32_t>(body.size()));
  blob += body;
  be(Crc32(body));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got, DecodeDeletionVector(blob, "hand"));
  EXPECT_EQ(got, (std::vector<int64_t>{(int64_t{3} << 32) | 1, (int64_t{3} << 32) | 5}));

  // Damage is detected: CRC, magic, length.
  std::string bad_crc = blob;
  bad_crc.back() ^= 1;
  EXPECT_THAT(DecodeDeletionVector(bad_crc, "hand"), IsError(StatusCode::kCorruption));
  std::string bad_magic = blob;
  bad_magic[4] = 0;
  EXPECT_THAT(DecodeDeletionVector(bad_magic, "hand"), IsError(StatusCode::kCorruption));
  EXPECT_THAT(DecodeDeletionVector(blob.substr(0, blob.size() - 1), "hand"),
              IsError(StatusCode::kCorruption));
  EXPECT_EQ(Crc32("123456789"), 0xCBF43926u);  // the CRC-32 check value
}

TEST(PuffinTest, FooterAndReadDeletionVectorThroughFileIO) {
  auto store = std::make_shared<storage::MemoryStore>("dv");
  FileIO io;
  io.Mount("mem://t", store);
  ASSERT_OK_AND_ASSIGN(std::string dv1, EncodeDeletionVector({0, 2, 4}));
  ASSERT_OK_AND_ASSIGN(std::string dv2, EncodeDeletionVector({7}));
  PuffinBlobMetadata m1{kDeletionVectorBlobType,
                        {},
                        -1,
                        -1,
                        0,
                        0,
                        std::nullopt,
                        {{"referenced-data-file", "mem://t/data/a.parquet"}, {"cardinality", "3"}}};
  PuffinBlobMetadata m2 = m1;
  m2.properties = {{"referenced-data-file", "mem://t/data/b.parquet"}, {"cardinality", "1"}};
  std::string file = BuildPuffinFile({{m1, dv1}, {m2, dv2}}, {{"created-by", "atoll test"}});
  ASSERT_OK(io.Write("mem://t/data/dv.puffin", file));

  ASSERT_OK_AND_ASSIGN(PuffinFileMetadata meta, ReadPuffinMetadata(io, "mem://t/data/dv.puffin"));
  ASSERT_EQ(meta.blobs.size(), 2u);
  EXPECT_EQ(meta.properties.at("created-by"), "atoll test");
  EXPECT_EQ(meta.blobs[1].properties.at("referenced-data-file"), "mem://t/data/b.parquet");
  EXPECT_EQ(meta.blobs[0].offset, 4);

  DataFile dv;
  dv.content = FileContent::kPositionDeletes;
  dv.file_format = "PUFFIN";
  dv.file_path = "mem://t/data/dv.puffin";
  dv.referenced_data_file = "mem://t/data/b.parquet";
  dv.content_offset = meta.blobs[1].offset;
  dv.content_size_in_bytes = meta.blobs[1].length;
  dv.record_count = 1;
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> positions, ReadDeletionVector(io, dv));
  EXPECT_EQ(positions, std::vector<int64_t>{7});
  dv.record_count = 2;  // disagrees with the blob
  EXPECT_THAT(ReadDeletionVector(io, dv), IsError(StatusCode::kCorruption));
  dv.record_count = 1;
  dv.content_offset = 5;  // not the blob's start
  EXPECT_THAT(ReadDeletionVector(io, dv), IsError(StatusCode::kCorruption));
  EXPECT_THAT(ParsePuffinFooter(file.substr(0, file.size() - 1), file.size() - 1, "cut"),
              IsError(StatusCode::kCorruption));
}

}  // namespace
}  // namespace atl::iceberg
