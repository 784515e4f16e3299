// ORC building blocks: RLE decoders against the examples of the ORC specification,
// the protobuf wire decoder, compression chunk framing with every codec, time zones.
#include <lz4.h>
#include <lzo/lzo1x.h>

#include <string>
#include <vector>

#include "atoll/formats/avro/codec.h"
#include "atoll/formats/orc/compression.h"
#include "atoll/formats/orc/protobuf.h"
#include "atoll/formats/orc/rle.h"
#include "atoll/formats/orc/timezone.h"
#include "testing/testing.h"

namespace atl::orc {
namespace {

using ::atl::testing::IsError;

std::string Bytes(std::initializer_list<int> v) {
  std::string s;
  for (int b : v) s.push_back(static_cast<char>(b));
  return s;
}

std::vector<int64_t> DecodeInts(const std::string& data, int version, bool is_signed, size_t n) {
  auto d = MakeIntDecoder(data, "test stream", version, is_signed);
  std::vector<int64_t> out(n);
  Status st = d->Next(out.data(), n);
  EXPECT_OK(st);
  // The run must have been consumed exactly: one more value is an error.
  int64_t extra;
  EXPECT_THAT(d->Next(&extra, 1), IsError(StatusCode::kCorruption));
  return out;
}

TEST(OrcRleTest, ByteRle) {
  const std::string data =
      Bytes({0x61, 0x00, 0xfe, 0x44, 0x45});  // decoders do not own their bytes
  ByteRleDecoder d(data, "s");
  std::vector<uint8_t> out(102);
  ASSERT_OK(d.Next(out.data(), out.size()));
  EXPECT_EQ(std::count(out.begin(), out.begin() + 100, 0), 100);
  EXPECT_EQ(out[100], 0x44);
  EXPECT_EQ(out[101], 0x45);
  uint8_t extra;
  EXPECT_THAT(d.Next(&extra, 1), IsError(StatusCode::kCorruption));
}

TEST(OrcRleTest, BooleanRle) {
  const std::string data = Bytes({0xff, 0x80});
  BoolRleDecoder d(data, "s");
  std::vector<uint8_t> out(8);
  ASSERT_OK(d.Next(out.data(), 8));
  EXPECT_EQ(out, (std::vector<uint8_t>{1, 0, 0, 0, 0, 0, 0, 0}));
}

TEST(OrcRleTest, IntegerRleV1) {
  EXPECT_EQ(DecodeInts(Bytes({0x61, 0x00, 0x07}), 1, false, 100), std::vector<int64_t>(100, 7));
  std::vector<int64_t> down;
  for (int i = 100; i >= 1; --i) down.push_back(i);
  EXPECT_EQ(DecodeInts(Bytes({0x61, 0xff, 0x64}), 1, false, 100), down);
  EXPECT_EQ(DecodeInts(Bytes({0xfb, 0x02, 0x03, 0x06, 0x07, 0x0b}), 1, false, 5),
            (std::vector<int64_t>{2, 3, 6, 7, 11}));
  // Signed values are zigzag encoded: 0x03 is -2.
  EXPECT_EQ(DecodeInts(Bytes({0xff, 0x03}), 1, true, 1), (std::vector<int64_t>{-2}));
}

TEST(OrcRleTest, IntegerRleV2ShortRepeatAndDirect) {
  EXPECT_EQ(DecodeInts(Bytes({0x0a, 0x27, 0x10}), 2, false, 5), std::vector<int64_t>(5, 10000));
  EXPECT_EQ(
      DecodeInts(Bytes({0x5e, 0x03, 0x5c, 0xa1, 0xab, 0x1e, 0xde, 0xad, 0xbe, 0xef}), 2, false, 4),
      (std::vector<int64_t>{23713, 43806, 57005, 48879}));
}

TEST(OrcRleTest, IntegerRleV2PatchedBase) {
  std::string data =
      Bytes({0x8e, 0x13, 0x2b, 0x21, 0x07, 0xd0, 0x1e, 0x00, 0x14, 0x70, 0x28, 0x32, 0x3c, 0x46,
             0x50, 0x5a, 0x64, 0x6e, 0x78, 0x82, 0x8c, 0x96, 0xa0, 0xaa, 0xb4, 0xbe, 0xfc, 0xe8});
  EXPECT_EQ(DecodeInts(data, 2, false, 20),
            (std::vector<int64_t>{2030, 2000, 2020, 1000000, 2040, 2050, 2060, 2070, 2080, 2090,
                                  2100, 2110, 2120, 2130,    2140, 2150, 2160, 2170, 2180, 2190}));
}

TEST(OrcRleTest, IntegerRleV2Delta) {
  EXPECT_EQ(DecodeInts(Bytes({0xc6, 0x09, 0x02, 0x02, 0x22, 0x42, 0x42, 0x46}), 2, false, 10),
            (std::vector<int64_t>{2, 3, 5, 7, 11, 13, 17, 19, 23, 29}));
  // Fixed delta (width 0): base 10 (zigzag 20), delta -3 (zigzag 5), 4 values.
  EXPECT_EQ(DecodeInts(Bytes({0xc0, 0x03, 0x14, 0x05}), 2, true, 4),
            (std::vector<int64_t>{10, 7, 4, 1}));
}

TEST(OrcRleTest, MalformedRunsAreErrors) {
  for (const std::string& bad :
       {Bytes({0x5e, 0x03, 0x5c}), Bytes({0x8e}), Bytes({0xc6, 0x09}), Bytes({0x0a})}) {
    auto d = MakeIntDecoder(bad, "column 1 DATA stream", 2, false);
    std::vector<int64_t> out(4);
    Status st = d->Next(out.data(), 4);
    EXPECT_THAT(st, IsError(StatusCode::kCorruption));
    EXPECT_NE(st.message().find("column 1 DATA stream"), std::string::npos) << st.ToString();
  }
  // A patch list pointing past the run.
  const std::string patched = Bytes({0x80, 0x00, 0x00, 0x21, 0x00, 0x00, 0xff});
  auto d = MakeIntDecoder(patched, "s", 2, false);
  int64_t v;
  EXPECT_THAT(d->Next(&v, 1), IsError(StatusCode::kCorruption));
}

TEST(OrcProtobufTest, ReadsFieldsAndSkipsUnknownOnes) {
  // field 1 varint 150; field 9 fixed64; field 2 bytes "hi"; field 4 packed {3, 270}.
  std::string msg = Bytes({0x08, 0x96, 0x01, 0x49, 1,   2,    3,    4,    5,    6,   7,
                           8,    0x12, 0x02, 'h',  'i', 0x22, 0x03, 0x03, 0x8e, 0x02});
  proto::WireReader r(msg, "test message");
  uint32_t f, wt;
  ASSERT_OK_AND_ASSIGN(bool more, r.Next(&f, &wt));
  ASSERT_TRUE(more);
  EXPECT_EQ(f, 1u);
  ASSERT_OK_AND_ASSIGN(uint64_t v, r.Varint());
  EXPECT_EQ(v, 150u);
  ASSERT_OK_AND_ASSIGN(more, r.Next(&f, &wt));
  EXPECT_EQ(f, 9u);
  ASSERT_OK(r.Skip());
  ASSERT_OK_AND_ASSIGN(more, r.Next(&f, &wt));
  ASSERT_OK_AND_ASSIGN(std::string_view s, r.Bytes());
  EXPECT_EQ(s, "hi");
  ASSERT_OK_AND_ASSIGN(more, r.Next(&f, &wt));
  std::vector<uint64_t> packed;
  ASSERT_OK(r.RepeatedVarint(&packed));
  EXPECT_EQ(packed, (std::vector<uint64_t>{3, 270}));
  ASSERT_OK_AND_ASSIGN(more, r.Next(&f, &wt));
  EXPECT_FALSE(more);
  // A length running past the end, and a wrong wire type.
  const std::string bad_bytes = Bytes({0x12, 0x05, 'a'});
  proto::WireReader bad(bad_bytes, "footer");
  ASSERT_OK_AND_ASSIGN(more, bad.Next(&f, &wt));
  auto b = bad.Bytes();
  ASSERT_THAT(b, IsError(StatusCode::kCorruption));
  EXPECT_NE(b.status().message().find("footer"), std::string::npos);
  const std::string wrong_bytes = Bytes({0x08, 0x01});
  proto::WireReader wrong(wrong_bytes, "postscript");
  ASSERT_OK_AND_ASSIGN(more, wrong.Next(&f, &wt));
  EXPECT_THAT(wrong.Bytes(), IsError(StatusCode::kCorruption));
}

std::string Header(size_t len, bool original) {
  uint32_t h = static_cast<uint32_t>(len << 1) | (original ? 1 : 0);
  return Bytes(
      {static_cast<int>(h & 0xff), static_cast<int>((h >> 8) & 0xff), static_cast<int>(h >> 16)});
}

std::string Compress(CompressionKind kind, const std::string& in) {
  std::string out;
  switch (kind) {
    case CompressionKind::kZlib:
      EXPECT_OK(avro::Compress(avro::Codec::kDeflate, in, -1, &out));
      break;
    case CompressionKind::kZstd:
      EXPECT_OK(avro::Compress(avro::Codec::kZstandard, in, -1, &out));
      break;
    case CompressionKind::kSnappy:
      EXPECT_OK(avro::Compress(avro::Codec::kSnappy, in, -1, &out));
      out.resize(out.size() - 4);  // ORC's snappy chunks carry no CRC
      break;
    case CompressionKind::kLz4: {
      out.resize(LZ4_compressBound(static_cast<int>(in.size())));
      int n = LZ4_compress_default(in.data(), out.data(), static_cast<int>(in.size()),
                                   static_cast<int>(out.size()));
      out.resize(static_cast<size_t>(n));
      break;
    }
    case CompressionKind::kLzo: {
      EXPECT_EQ(lzo_init(), LZO_E_OK);
      std::vector<unsigned char> work(LZO1X_1_MEM_COMPRESS);
      out.resize(in.size() + in.size() / 16 + 64 + 3);
      lzo_uint n = out.size();
      EXPECT_EQ(lzo1x_1_compress(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                 reinterpret_cast<unsigned char*>(out.data()), &n, work.data()),
                LZO_E_OK);
      out.resize(n);
      break;
    }
    case CompressionKind::kNone:
      out = in;
  }
  return out;
}

TEST(OrcCompressionTest, EveryCodecWithOriginalAndCompressedChunks) {
  std::string a(1000, 'a'), b = "literal bytes", c;
  for (int i = 0; i < 3000; ++i) c += std::to_string(i % 97);
  for (auto kind : {CompressionKind::kZlib, CompressionKind::kSnappy, CompressionKind::kLzo,
                    CompressionKind::kLz4, CompressionKind::kZstd}) {
    SCOPED_TRACE(CompressionName(kind));
    std::string ca = Compress(kind, a), cc = Compress(kind, c);
    std::string stream =
        Header(ca.size(), false) + ca + Header(b.size(), true) + b + Header(cc.size(), false) + cc;
    std::string out;
    ASSERT_OK(DecompressStream(kind, stream, 64 * 1024, 1 << 20, "test stream", &out));
    EXPECT_EQ(out, a + b + c);
    // A chunk expanding beyond the block size, a total beyond the limit, a truncated chunk.
    EXPECT_THAT(DecompressStream(kind, stream, 500, 1 << 20, "s", &out),
                IsError(StatusCode::kCorruption));
    EXPECT_THAT(DecompressStream(kind, stream, 64 * 1024, 2000, "s", &out),
                IsError(StatusCode::kCorruption));
    Status st = DecompressStream(kind, stream.substr(0, stream.size() - 1), 64 * 1024, 1 << 20,
                                 "col 3 DATA", &out);
    EXPECT_THAT(st, IsError(StatusCode::kCorruption));
    EXPECT_NE(st.message().find("col 3 DATA"), std::string::npos) << st.ToString();
  }
  EXPECT_THAT(CheckCompression(9), IsError(StatusCode::kNotSupported));
}

TEST(OrcTimeZoneTest, OffsetsFromTheSystemDatabase) {
  auto la = TimeZone::Load("America/Los_Angeles");
  if (!la.ok()) GTEST_SKIP() << "no tz database: " << la.status().ToString();
  EXPECT_EQ((*la)->OffsetAt(946684800), -8 * 3600);    // 2000-01-01
  EXPECT_EQ((*la)->OffsetAt(962409600), -7 * 3600);    // 2000-07-01
  EXPECT_EQ((*la)->OffsetAt(-1000000000), -8 * 3600);  // 1938
  EXPECT_EQ(TimeZone::Utc()->OffsetAt(123), 0);
  ASSERT_OK_AND_ASSIGN(auto fixed, TimeZone::Load("GMT+08:00"));
  EXPECT_EQ(fixed->OffsetAt(0), 8 * 3600);
  ASSERT_OK_AND_ASSIGN(auto fixed2, TimeZone::Load("UTC-0530"));
  EXPECT_EQ(fixed2->OffsetAt(0), -(5 * 3600 + 30 * 60));
  EXPECT_THAT(TimeZone::Load("GMT+99"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(TimeZone::Load("../etc/passwd"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(TimeZone::Load("No/Such_Zone"), IsError(StatusCode::kNotSupported));
  EXPECT_THAT(TimeZone::Parse("x", "TZif2 garbage"), IsError(StatusCode::kCorruption));
}

}  // namespace
}  // namespace atl::orc
