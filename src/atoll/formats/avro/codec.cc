#include "atoll/formats/avro/codec.h"

#include <bzlib.h>
#include <lzma.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>

namespace atl::avro {
namespace {

constexpr size_t kChunk = 64 * 1024;

Status TooLarge(std::string_view codec, size_t max_output) {
  return Corruption(codec, " block expands beyond the limit of ", max_output,
                    " bytes (corrupt data or a decompression bomb)");
}

// The end of a streaming decompression that wrote `produced` bytes to `out`; `ended`:
// the decoder saw the end of the compressed stream.
Status Finish(std::string_view codec, size_t produced, size_t max_output, bool ended,
              std::string* out) {
  if (produced > max_output) return TooLarge(codec, max_output);
  if (!ended) return Corruption(codec, " block is truncated");
  out->resize(produced);
  return Status::OK();
}

// Grows `out` for the next write of a streaming decompressor and returns the room made
// (at least 1, while produced <= max_output): output is allowed to reach max_output + 1
// bytes so that exceeding the limit is detected.
size_t Grow(std::string* out, size_t produced, size_t max_output) {
  size_t want = std::min(max_output + 1 - produced, std::max(kChunk, produced));
  out->resize(produced + want);
  return want;
}

Status InflateRaw(std::string_view in, size_t max_output, std::string* out) {
  z_stream zs{};
  if (inflateInit2(&zs, -15) != Z_OK) return Internal("zlib inflateInit2 failed");
  size_t consumed = 0;
  size_t produced = 0;
  int rc = Z_OK;
  out->clear();
  while (rc != Z_STREAM_END) {
    if (produced > max_output) break;
    size_t room = Grow(out, produced, max_output);
    size_t feed = std::min<size_t>(in.size() - consumed, UINT_MAX);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data() + consumed));
    zs.avail_in = static_cast<uInt>(feed);
    zs.next_out = reinterpret_cast<Bytef*>(out->data() + produced);
    zs.avail_out = static_cast<uInt>(std::min<size_t>(room, UINT_MAX));
    uInt avail_out_before = zs.avail_out;
    rc = inflate(&zs, Z_NO_FLUSH);
    consumed += feed - zs.avail_in;
    produced += avail_out_before - zs.avail_out;
    if (rc == Z_BUF_ERROR && zs.avail_in == 0 && consumed == in.size() && zs.avail_out > 0) break;
    if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
      std::string msg = zs.msg ? zs.msg : "error " + std::to_string(rc);
      inflateEnd(&zs);
      return Corruption("deflate block is malformed: ", msg);
    }
  }
  inflateEnd(&zs);
  return Finish("deflate", produced, max_output, rc == Z_STREAM_END, out);
}

Status Snappy(std::string_view in, size_t max_output, std::string* out) {
  if (in.size() < 4) return Corruption("snappy block shorter than its 4-byte CRC");
  std::string_view body = in.substr(0, in.size() - 4);
  size_t len = 0;
  if (snappy_uncompressed_length(body.data(), body.size(), &len) != SNAPPY_OK) {
    return Corruption("snappy block has a malformed length header");
  }
  if (len > max_output) return TooLarge("snappy", max_output);
  out->resize(len);
  size_t got = len;
  if (snappy_uncompress(body.data(), body.size(), out->data(), &got) != SNAPPY_OK || got != len) {
    return Corruption("snappy block is malformed");
  }
  const auto* c = reinterpret_cast<const unsigned char*>(in.data() + body.size());
  uint32_t want = (uint32_t{c[0]} << 24) | (uint32_t{c[1]} << 16) | (uint32_t{c[2]} << 8) | c[3];
  uint32_t have = static_cast<uint32_t>(
      crc32(0, reinterpret_cast<const Bytef*>(out->data()), static_cast<uInt>(out->size())));
  if (want != have)
    return Corruption("snappy block CRC-32 mismatch (stored ", want, ", computed ", have, ")");
  return Status::OK();
}

Status Bunzip2(std::string_view in, size_t max_output, std::string* out) {
  bz_stream bz{};
  if (BZ2_bzDecompressInit(&bz, 0, 0) != BZ_OK) return Internal("BZ2_bzDecompressInit failed");
  size_t consumed = 0;
  size_t produced = 0;
  int rc = BZ_OK;
  out->clear();
  while (rc != BZ_STREAM_END && produced <= max_output) {
    size_t room = Grow(out, produced, max_output);
    size_t feed = std::min<size_t>(in.size() - consumed, UINT_MAX);
    bz.next_in = const_cast<char*>(in.data() + consumed);
    bz.avail_in = static_cast<unsigned>(feed);
    bz.next_out = out->data() + produced;
    bz.avail_out = static_cast<unsigned>(std::min<size_t>(room, UINT_MAX));
    unsigned before = bz.avail_out;
    rc = BZ2_bzDecompress(&bz);
    consumed += feed - bz.avail_in;
    produced += before - bz.avail_out;
    if (rc != BZ_OK && rc != BZ_STREAM_END) {
      BZ2_bzDecompressEnd(&bz);
      return Corruption("bzip2 block is malformed (error ", rc, ")");
    }
    if (rc == BZ_OK && consumed == in.size() && before == bz.avail_out) break;  // no progress
  }
  BZ2_bzDecompressEnd(&bz);
  return Finish("bzip2", produced, max_output, rc == BZ_STREAM_END, out);
}

Status Unxz(std::string_view in, size_t max_output, std::string* out) {
  lzma_stream xs = LZMA_STREAM_INIT;
  if (lzma_stream_decoder(&xs, uint64_t{512} << 20, 0) != LZMA_OK)
    return Internal("lzma_stream_decoder failed");
  xs.next_in = reinterpret_cast<const uint8_t*>(in.data());
  xs.avail_in = in.size();
  size_t produced = 0;
  lzma_ret rc = LZMA_OK;
  out->clear();
  while (rc != LZMA_STREAM_END && produced <= max_output) {
    size_t room = Grow(out, produced, max_output);
    xs.next_out = reinterpret_cast<uint8_t*>(out->data() + produced);
    xs.avail_out = room;
    rc = lzma_code(&xs, xs.avail_in == 0 ? LZMA_FINISH : LZMA_RUN);
    produced += room - xs.avail_out;
    if (rc != LZMA_OK && rc != LZMA_STREAM_END) {
      lzma_end(&xs);
      return Corruption("xz block is malformed or truncated (lzma error ", static_cast<int>(rc),
                        ")");
    }
  }
  lzma_end(&xs);
  return Finish("xz", produced, max_output, rc == LZMA_STREAM_END, out);
}

Status Unzstd(std::string_view in, size_t max_output, std::string* out) {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  if (!dctx) return Internal("ZSTD_createDCtx failed");
  ZSTD_inBuffer input{in.data(), in.size(), 0};
  size_t produced = 0;
  size_t rc = 1;
  out->clear();
  while (produced <= max_output) {
    size_t room = Grow(out, produced, max_output);
    ZSTD_outBuffer output{out->data() + produced, room, 0};
    rc = ZSTD_decompressStream(dctx, &output, &input);
    produced += output.pos;
    if (ZSTD_isError(rc)) {
      std::string msg = ZSTD_getErrorName(rc);
      ZSTD_freeDCtx(dctx);
      return Corruption("zstandard block is malformed: ", msg);
    }
    if (rc == 0 && input.pos == input.size) break;            // frame(s) complete
    if (input.pos == input.size && output.pos < room) break;  // input exhausted mid-frame
  }
  ZSTD_freeDCtx(dctx);
  return Finish("zstandard", produced, max_output, rc == 0, out);
}

}  // namespace

std::string_view CodecName(Codec codec) {
  switch (codec) {
    case Codec::kNull:
      return "null";
    case Codec::kDeflate:
      return "deflate";
    case Codec::kSnappy:
      return "snappy";
    case Codec::kBzip2:
      return "bzip2";
    case Codec::kXz:
      return "xz";
    case Codec::kZstandard:
      return "zstandard";
  }
  return "?";
}

Result<Codec> CodecFromName(std::string_view name) {
  for (Codec c : {Codec::kNull, Codec::kDeflate, Codec::kSnappy, Codec::kBzip2, Codec::kXz,
                  Codec::kZstandard}) {
    if (CodecName(c) == name) return c;
  }
  return NotSupported("unknown avro codec '", name, "'");
}

Status Decompress(Codec codec, std::string_view input, size_t max_output, std::string* out) {
  switch (codec) {
    case Codec::kNull:
      if (input.size() > max_output) return TooLarge("null-codec", max_output);
      out->assign(input.data(), input.size());
      return Status::OK();
    case Codec::kDeflate:
      return InflateRaw(input, max_output, out);
    case Codec::kSnappy:
      return Snappy(input, max_output, out);
    case Codec::kBzip2:
      return Bunzip2(input, max_output, out);
    case Codec::kXz:
      return Unxz(input, max_output, out);
    case Codec::kZstandard:
      return Unzstd(input, max_output, out);
  }
  return Internal("unknown codec");
}

Status Compress(Codec codec, std::string_view in, int level, std::string* out) {
  out->clear();
  switch (codec) {
    case Codec::kNull:
      out->assign(in.data(), in.size());
      return Status::OK();
    case Codec::kDeflate: {
      z_stream zs{};
      if (deflateInit2(&zs, level < 0 ? Z_DEFAULT_COMPRESSION : std::min(level, 9), Z_DEFLATED, -15,
                       8, Z_DEFAULT_STRATEGY) != Z_OK) {
        return Internal("zlib deflateInit2 failed");
      }
      out->resize(deflateBound(&zs, in.size()));
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(out->data());
      zs.avail_out = static_cast<uInt>(out->size());
      int rc = deflate(&zs, Z_FINISH);
      out->resize(zs.total_out);
      deflateEnd(&zs);
      if (rc != Z_STREAM_END) return Internal("zlib deflate failed (", rc, ")");
      return Status::OK();
    }
    case Codec::kSnappy: {
      size_t len = snappy_max_compressed_length(in.size());
      out->resize(len + 4);
      if (snappy_compress(in.data(), in.size(), out->data(), &len) != SNAPPY_OK) {
        return Internal("snappy_compress failed");
      }
      uint32_t crc = static_cast<uint32_t>(
          crc32(0, reinterpret_cast<const Bytef*>(in.data()), static_cast<uInt>(in.size())));
      out->resize(len);
      for (int shift = 24; shift >= 0; shift -= 8)
        out->push_back(static_cast<char>((crc >> shift) & 0xFF));
      return Status::OK();
    }
    case Codec::kBzip2: {
      unsigned len = static_cast<unsigned>(in.size() + in.size() / 100 + 600);
      out->resize(len);
      int rc = BZ2_bzBuffToBuffCompress(out->data(), &len, const_cast<char*>(in.data()),
                                        static_cast<unsigned>(in.size()),
                                        level < 1 ? 9 : std::min(level, 9), 0, 0);
      if (rc != BZ_OK) return Internal("bzip2 compression failed (", rc, ")");
      out->resize(len);
      return Status::OK();
    }
    case Codec::kXz: {
      out->resize(lzma_stream_buffer_bound(in.size()));
      size_t pos = 0;
      lzma_ret rc =
          lzma_easy_buffer_encode(level < 0 ? 6 : std::min(level, 9), LZMA_CHECK_CRC64, nullptr,
                                  reinterpret_cast<const uint8_t*>(in.data()), in.size(),
                                  reinterpret_cast<uint8_t*>(out->data()), &pos, out->size());
      if (rc != LZMA_OK) return Internal("xz compression failed (", static_cast<int>(rc), ")");
      out->resize(pos);
      return Status::OK();
    }
    case Codec::kZstandard: {
      out->resize(ZSTD_compressBound(in.size()));
      size_t n =
          ZSTD_compress(out->data(), out->size(), in.data(), in.size(), level < 0 ? 3 : level);
      if (ZSTD_isError(n)) return Internal("zstandard compression failed: ", ZSTD_getErrorName(n));
      out->resize(n);
      return Status::OK();
    }
  }
  return Internal("unknown codec");
}

}  // namespace atl::avro
