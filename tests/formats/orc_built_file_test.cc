// Hand-built ORC files for what the shared test data lacks: date, char, varchar,
// DICTIONARY (RLE v1) strings, DECIMAL_64, ORCv2 decimal64 and rescaled 128-bit decimals,
// timestamp with local time zone including the pre-1970 rule, nulls inside structs,
// footers without a row count, and all six compression kinds with many small chunks (LZO
// has no sample file). The bytes follow the ORC specification: a minimal writer below
// encodes the protobuf tail and the streams.
#include <lz4.h>
#include <lzo/lzo1x.h>

#include "atoll/formats/avro/codec.h"
#include "orc_json_util.h"
#include "testing/testing.h"

namespace atl::orc {
namespace {

using ::atl::testing::IsError;

// --- protobuf and RLE encoders (test-only writer) ---
void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
uint64_t ZigZag(int64_t v) {
  return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
}

struct Msg {
  std::string bytes;
  Msg& U(uint32_t field, uint64_t v) {
    PutVarint(field << 3, &bytes);
    PutVarint(v, &bytes);
    return *this;
  }
  Msg& B(uint32_t field, std::string_view s) {
    PutVarint((field << 3) | 2, &bytes);
    PutVarint(s.size(), &bytes);
    bytes.append(s);
    return *this;
  }
};

std::string ByteRleLiterals(const std::string& bytes) {
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 128) {
    size_t n = std::min<size_t>(128, bytes.size() - i);
    out.push_back(static_cast<char>(256 - n));
    out.append(bytes, i, n);
  }
  return out;
}
std::string Bools(std::vector<int> bits) {
  std::string bytes((bits.size() + 7) / 8, '\0');
  for (size_t i = 0; i < bits.size(); ++i) {
    if (bits[i]) bytes[i / 8] = static_cast<char>(bytes[i / 8] | (0x80 >> (i % 8)));
  }
  return ByteRleLiterals(bytes);
}
std::string IntsV1(std::vector<int64_t> v, bool is_signed) {
  std::string out;
  out.push_back(static_cast<char>(256 - v.size()));
  for (int64_t x : v) PutVarint(is_signed ? ZigZag(x) : static_cast<uint64_t>(x), &out);
  return out;
}
// RLE v2 DIRECT run with 64-bit width.
std::string IntsV2(std::vector<int64_t> v, bool is_signed) {
  std::string out;
  out.push_back(static_cast<char>(0x40 | (31 << 1) | ((v.size() - 1) >> 8)));
  out.push_back(static_cast<char>((v.size() - 1) & 0xFF));
  for (int64_t x : v) {
    uint64_t u = is_signed ? ZigZag(x) : static_cast<uint64_t>(x);
    for (int s = 56; s >= 0; s -= 8) out.push_back(static_cast<char>(u >> s));
  }
  return out;
}

std::string CompressChunk(CompressionKind kind, const std::string& in) {
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
      out.resize(out.size() - 4);
      break;
    case CompressionKind::kLz4:
      out.resize(LZ4_compressBound(static_cast<int>(in.size())));
      out.resize(static_cast<size_t>(LZ4_compress_default(
          in.data(), out.data(), static_cast<int>(in.size()), static_cast<int>(out.size()))));
      break;
    case CompressionKind::kLzo: {
      EXPECT_EQ(lzo_init(), LZO_E_OK);
      std::vector<unsigned char> work(LZO1X_1_MEM_COMPRESS);
      out.resize(in.size() + in.size() / 16 + 64 + 3);
      lzo_uint n = out.size();
      lzo1x_1_compress(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                       reinterpret_cast<unsigned char*>(out.data()), &n, work.data());
      out.resize(n);
      break;
    }
    case CompressionKind::kNone:
      return in;
  }
  return out;
}

// Frames `in` in chunks of at most `block` bytes; alternates compressed and original.
std::string Frame(CompressionKind kind, const std::string& in, size_t block) {
  if (kind == CompressionKind::kNone) return in;
  std::string out;
  for (size_t i = 0; i < in.size(); i += block) {
    std::string piece = in.substr(i, block);
    std::string c = CompressChunk(kind, piece);
    bool original = c.size() >= piece.size() || (i / block) % 3 == 2;
    const std::string& body = original ? piece : c;
    uint32_t h = static_cast<uint32_t>(body.size() << 1) | (original ? 1 : 0);
    out.push_back(static_cast<char>(h));
    out.push_back(static_cast<char>(h >> 8));
    out.push_back(static_cast<char>(h >> 16));
    out += body;
  }
  return out;
}

struct StreamSpec {
  uint32_t kind, column;
  std::string data;
};

constexpr int64_t kEpoch = 1420070400;

// What varies between the built files besides codec, chunk size and version.
struct Layout {
  // Encoding kind of `dec`, whose DATA stream always holds RLE v2 integers: 4 (DECIMAL_64);
  // in ORCv2 (1.9999) files Java writes 0 (DIRECT) and C++ 2 (DIRECT_V2) for the same bytes.
  uint32_t dec_encoding = 4;
  std::optional<uint64_t> footer_rows = 3;  // the footer's numberOfRows; nullopt: absent
};

std::string BuildFile(CompressionKind kind, size_t block, std::vector<uint64_t> version,
                      size_t declared_block = 0, const Layout& layout = {}) {
  // Columns: 0 struct, 1 d date, 2 c char(3), 3 v varchar(10), 4 s string (dictionary),
  // 5 dec decimal(10,2) (RLE v2 integers, see Layout), 6 dec38 decimal(20,3), 7 tsi
  // timestamp with local time zone, 8 st struct<x:int>, 9 x int.
  std::vector<StreamSpec> streams = {
      {1, 1, IntsV1({0, -1, 19000}, true)},
      {0, 2, Bools({1, 0, 1})},
      {2, 2, IntsV1({3, 3}, false)},
      {1, 2, "ab xyz"},
      {0, 3, Bools({1, 1, 0})},
      {2, 3, IntsV1({5, 0}, false)},
      {1, 3, "hello"},
      {1, 4, IntsV1({0, 1, 0}, false)},
      {3, 4, "xy"},
      {2, 4, IntsV1({1, 1}, false)},
      {0, 5, Bools({1, 1, 0})},
      {1, 5, IntsV2({12345, -5}, true)},
      {0, 6, Bools({1, 1, 0})},
      {1, 6, ""},
      {5, 6, IntsV1({1, 4}, true)},
      {0, 7, Bools({1, 1, 0})},
      {1, 7, IntsV2({-kEpoch, -1 - kEpoch}, true)},
      {5, 7, IntsV2({47, 47}, false)},
      {0, 8, Bools({1, 1, 0})},
      {0, 9, Bools({1, 0})},
      {1, 9, IntsV2({1}, true)},
  };
  PutVarint(ZigZag(5), &streams[13].data);
  PutVarint(ZigZag(12345), &streams[13].data);
  std::string file = "ORC";
  std::string stripe_streams;
  Msg sf;
  for (auto& s : streams) {
    std::string framed = Frame(kind, s.data, block);
    stripe_streams += framed;
    sf.B(1, Msg().U(1, s.kind).U(2, s.column).U(3, framed.size()).bytes);
  }
  uint32_t enc[] = {0, 0, 0, 0, 1, layout.dec_encoding, 0, 2, 0, 2};
  for (uint32_t e : enc) {
    Msg m;
    m.U(1, e);
    if (e == 1) m.U(2, 2);
    sf.B(2, m.bytes);
  }
  std::string sf_bytes = Frame(kind, sf.bytes, block);
  Msg footer;
  footer.U(1, 3).U(2, stripe_streams.size() + sf_bytes.size());
  footer.B(3,
           Msg().U(1, 3).U(2, 0).U(3, stripe_streams.size()).U(4, sf_bytes.size()).U(5, 3).bytes);
  auto packed = [](std::vector<uint64_t> v) {
    std::string s;
    for (uint64_t x : v) PutVarint(x, &s);
    return s;
  };
  Msg root;
  root.U(1, 12).B(2, packed({1, 2, 3, 4, 5, 6, 7, 8}));
  for (const char* n : {"d", "c", "v", "s", "dec", "dec38", "tsi", "st"}) root.B(3, n);
  footer.B(4, root.bytes);
  footer.B(4, Msg().U(1, 15).B(7, Msg().B(1, "iceberg.id").B(2, "1").bytes).bytes);
  footer.B(4, Msg().U(1, 17).U(4, 3).bytes);
  footer.B(4, Msg().U(1, 16).U(4, 10).bytes);
  footer.B(4, Msg().U(1, 7).bytes);
  footer.B(4, Msg().U(1, 14).U(5, 10).U(6, 2).bytes);
  footer.B(4, Msg().U(1, 14).U(5, 20).U(6, 3).bytes);
  footer.B(4, Msg().U(1, 18).bytes);
  footer.B(4, Msg().U(1, 12).B(2, packed({9})).B(3, "x").bytes);
  footer.B(4, Msg().U(1, 3).bytes);
  footer.B(5, Msg().B(1, "writer.note").B(2, "built by a test").bytes);
  if (layout.footer_rows) footer.U(6, *layout.footer_rows);
  std::string footer_bytes = Frame(kind, footer.bytes, block);
  Msg ps;
  ps.U(1, footer_bytes.size())
      .U(2, static_cast<uint32_t>(kind))
      .U(3, declared_block ? declared_block : block);
  ps.B(4, packed(version)).U(5, 0);
  ps.B(8000, "ORC");
  file += stripe_streams + sf_bytes + footer_bytes + ps.bytes;
  file.push_back(static_cast<char>(ps.bytes.size()));
  return file;
}

const std::vector<std::string> kExpected = {
    R"({"d": "1970-01-01", "c": "ab ", "v": "hello", "s": "x", "dec": 123.45, "dec38": 0.500, )"
    R"("tsi": "1970-01-01 00:00:00.5", "st": {"x": 1}})",
    R"({"d": "1969-12-31", "c": null, "v": "", "s": "y", "dec": -0.05, "dec38": 1.234, )"
    R"("tsi": "1969-12-31 23:59:58.5", "st": {"x": null}})",
    R"({"d": "2022-01-08", "c": "xyz", "v": null, "s": "x", "dec": null, "dec38": null, "tsi": null, "st": null})",
};

TEST(OrcBuiltFileTest, EveryCompressionKindAndTheTypesTestdataLacks) {
  for (auto kind : {CompressionKind::kNone, CompressionKind::kZlib, CompressionKind::kSnappy,
                    CompressionKind::kLzo, CompressionKind::kLz4, CompressionKind::kZstd}) {
    for (size_t block : {size_t{5}, size_t{64}, size_t{1024}}) {
      SCOPED_TRACE(StrCat(CompressionName(kind), " block ", block));
      std::string file = BuildFile(kind, block, {0, 12});
      ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenBuffer(file, "built.orc"));
      EXPECT_EQ(reader->compression(), kind);
      EXPECT_EQ(
          reader->schema().ToString(),
          "struct<d:date,c:char(3),v:varchar(10),s:string,dec:decimal(10,2),dec38:decimal(20,3),"
          "tsi:timestamp with local time zone,st:struct<x:int>>");
      EXPECT_EQ(reader->schema().child(0).Attribute("iceberg.id"), "1");
      ASSERT_EQ(reader->user_metadata().size(), 1u);
      EXPECT_EQ(reader->user_metadata()[0].second, "built by a test");
      ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
      EXPECT_EQ(rows, kExpected);
    }
  }
}

TEST(OrcBuiltFileTest, Orcv2Decimal64ColumnsReadAsJavaAndCppWriteThem) {
  // Format 1.9999 (UNSTABLE-PRE-2.0): decimal(10,2) is RLE v2 in DATA, no SECONDARY stream,
  // under DIRECT (Java's writer) or DIRECT_V2 (C++'s); decimal(20,3) keeps the varint form.
  for (uint32_t encoding : {0u, 2u}) {
    for (auto kind : {CompressionKind::kNone, CompressionKind::kZstd}) {
      SCOPED_TRACE(StrCat("encoding ", encoding, " ", CompressionName(kind)));
      Layout layout;
      layout.dec_encoding = encoding;
      ASSERT_OK_AND_ASSIGN(
          auto reader, Reader::OpenBuffer(BuildFile(kind, 64, {1, 9999}, 0, layout), "orcv2.orc"));
      EXPECT_EQ(reader->format_version(), "1.9999");
      ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
      EXPECT_EQ(rows, kExpected);
    }
  }
  // The same bytes in a 0.12 file under DIRECT mean RLE v1 varints: not decimal64.
  Layout v1;
  v1.dec_encoding = 0;
  ASSERT_OK_AND_ASSIGN(
      auto old,
      Reader::OpenBuffer(BuildFile(CompressionKind::kNone, 64, {0, 12}, 0, v1), "v12.orc"));
  auto rows = testing::ReadAllJson(*old);
  EXPECT_FALSE(rows.ok() && *rows == kExpected);
}

TEST(OrcBuiltFileTest, FooterWithoutRowCountIsReadByItsStripes) {
  for (std::optional<uint64_t> footer_rows :
       {std::optional<uint64_t>(0), std::optional<uint64_t>()}) {
    SCOPED_TRACE(footer_rows ? "numberOfRows 0" : "numberOfRows absent");
    Layout layout;
    layout.footer_rows = footer_rows;
    ASSERT_OK_AND_ASSIGN(
        auto reader, Reader::OpenBuffer(BuildFile(CompressionKind::kZlib, 64, {0, 12}, 0, layout),
                                        "norows.orc"));
    EXPECT_EQ(reader->num_rows(), 3u);
    ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
    EXPECT_EQ(rows, kExpected);
  }
  // A footer that counts rows must agree with the stripes.
  Layout wrong;
  wrong.footer_rows = 2;
  EXPECT_THAT(
      Reader::OpenBuffer(BuildFile(CompressionKind::kNone, 64, {0, 12}, 0, wrong), "wrong.orc"),
      IsError(StatusCode::kCorruption));
}

TEST(OrcBuiltFileTest, FormatVersionAndRejections) {
  ASSERT_OK_AND_ASSIGN(
      auto v11, Reader::OpenBuffer(BuildFile(CompressionKind::kNone, 64, {0, 11}), "v11.orc"));
  EXPECT_EQ(v11->format_version(), "0.11");
  EXPECT_THAT(Reader::OpenBuffer(BuildFile(CompressionKind::kNone, 64, {2, 0}), "v2.orc"),
              IsError(StatusCode::kNotSupported));
  // Unknown compression kind 9 in the postscript (its field 2 is the byte after 0x10).
  std::string file = BuildFile(CompressionKind::kNone, 64, {0, 12});
  size_t ps_len = static_cast<uint8_t>(file.back());
  size_t ps = file.size() - 1 - ps_len;
  size_t at = file.find('\x10', ps);
  ASSERT_NE(at, std::string::npos);
  file[at + 1] = 9;
  auto bad = Reader::OpenBuffer(file, "badcodec.orc");
  ASSERT_THAT(bad, IsError(StatusCode::kNotSupported));
  EXPECT_NE(bad.status().message().find("badcodec.orc"), std::string::npos)
      << bad.status().ToString();
  // A chunk expanding beyond the declared block size is caught (a decompression bomb).
  auto bomb = Reader::OpenBuffer(BuildFile(CompressionKind::kZlib, 1024, {0, 12}, 16), "bomb.orc");
  ASSERT_THAT(bomb, IsError(StatusCode::kCorruption));
  EXPECT_NE(bomb.status().message().find("footer"), std::string::npos) << bomb.status().ToString();
  // An absurd block size is refused before anything is allocated.
  EXPECT_THAT(Reader::OpenBuffer(
                  BuildFile(CompressionKind::kZlib, 1024, {0, 12}, uint64_t{1} << 40), "big.orc"),
              IsError(StatusCode::kCorruption));
  // Tight limits on the reader side turn a legal but large stripe into a clear error.
  ReaderOptions tight;
  tight.max_decompressed_stripe_bytes = 8;
  ASSERT_OK_AND_ASSIGN(
      auto limited,
      Reader::OpenBuffer(BuildFile(CompressionKind::kZlib, 64, {0, 12}), "l.orc", tight));
  std::unique_ptr<ColumnVector> batch;
  EXPECT_THAT(limited->NextBatch(&batch), IsError(StatusCode::kCorruption));
}

}  // namespace
}  // namespace atl::orc
