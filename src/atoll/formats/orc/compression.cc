#include "atoll/formats/orc/compression.h"

#include <lz4.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>
#include <memory>
#include <mutex>

namespace atl::orc {
namespace {

Status InitLzo() {
  static std::once_flag once;
  static int rc = LZO_E_OK;
  std::call_once(once, [] { rc = lzo_init(); });
  if (rc != LZO_E_OK) return Internal("lzo_init failed (", rc, ")");
  return Status::OK();
}

// A per-thread buffer of at least `size` bytes for block decoders that need the whole
// output area up front (grown, never zero-filled per chunk).
char* Scratch(size_t size) {
  thread_local std::unique_ptr<char[]> buffer;
  thread_local size_t capacity = 0;
  if (capacity < size) {
    buffer.reset(new char[size]);
    capacity = size;
  }
  return buffer.get();
}

// Decompresses one chunk, appending at most `limit` bytes to `out`.
Status DecompressChunk(CompressionKind kind, std::string_view in, size_t limit, std::string* out) {
  size_t base = out->size();
  switch (kind) {
    case CompressionKind::kZlib: {
      // Raw deflate into a buffer of `limit` bytes: more output than that is corruption.
      thread_local struct Inflater {
        z_stream zs{};
        bool ok = inflateInit2(&zs, -15) == Z_OK;
        ~Inflater() {
          if (ok) inflateEnd(&zs);
        }
      } inflater;
      if (!inflater.ok) return Internal("zlib inflateInit2 failed");
      if (in.size() > UINT_MAX || limit > UINT_MAX) return Corruption("zlib chunk too large");
      z_stream& zs = inflater.zs;
      inflateReset(&zs);
      char* dst = Scratch(limit + 1);
      zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
      zs.avail_in = static_cast<uInt>(in.size());
      zs.next_out = reinterpret_cast<Bytef*>(dst);
      zs.avail_out = static_cast<uInt>(limit + 1);
      int rc = inflate(&zs, Z_FINISH);
      size_t produced = limit + 1 - zs.avail_out;
      if (produced > limit) return Corruption("zlib chunk expands beyond the block size ", limit);
      if (rc != Z_STREAM_END) {
        return Corruption("zlib chunk is malformed or truncated: ",
                          zs.msg ? zs.msg : std::to_string(rc));
      }
      out->append(dst, produced);
      return Status::OK();
    }
    case CompressionKind::kZstd: {
      thread_local std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                           ZSTD_freeDCtx);
      if (!dctx) return Internal("ZSTD_createDCtx failed");
      char* dst = Scratch(limit);
      size_t n = ZSTD_decompressDCtx(dctx.get(), dst, limit, in.data(), in.size());
      if (ZSTD_isError(n)) {
        return Corruption("zstd chunk is malformed or expands beyond the block size ", limit, ": ",
                          ZSTD_getErrorName(n));
      }
      out->append(dst, n);
      return Status::OK();
    }
    case CompressionKind::kSnappy: {
      size_t len = 0;
      if (snappy_uncompressed_length(in.data(), in.size(), &len) != SNAPPY_OK) {
        return Corruption("snappy chunk has a malformed length header");
      }
      if (len > limit)
        return Corruption("snappy chunk expands to ", len, " bytes, beyond the block size ", limit);
      out->resize(base + len);
      size_t got = len;
      if (snappy_uncompress(in.data(), in.size(), out->data() + base, &got) != SNAPPY_OK ||
          got != len) {
        return Corruption("snappy chunk is malformed");
      }
      return Status::OK();
    }
    case CompressionKind::kLz4: {
      if (in.size() > INT_MAX || limit > INT_MAX) return Corruption("lz4 chunk too large");
      char* dst = Scratch(limit);
      int n =
          LZ4_decompress_safe(in.data(), dst, static_cast<int>(in.size()), static_cast<int>(limit));
      if (n < 0)
        return Corruption("lz4 chunk is malformed or expands beyond the block size ", limit);
      out->append(dst, static_cast<size_t>(n));
      return Status::OK();
    }
    case CompressionKind::kLzo: {
      ATOLL_RETURN_NOT_OK(InitLzo());
      char* dst = Scratch(limit);
      lzo_uint got = limit;
      int rc = lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()), in.size(),
                                     reinterpret_cast<unsigned char*>(dst), &got, nullptr);
      if (rc != LZO_E_OK) {
        return Corruption("lzo chunk is malformed or expands beyond the block size ", limit,
                          " (error ", rc, ")");
      }
      out->append(dst, got);
      return Status::OK();
    }
    case CompressionKind::kNone:
      break;
  }
  return Internal("DecompressChunk called for an uncompressed stream");
}

}  // namespace

Result<CompressionKind> CheckCompression(uint32_t kind) {
  if (kind > static_cast<uint32_t>(CompressionKind::kZstd)) {
    return NotSupported("unknown ORC compression kind ", kind);
  }
  return static_cast<CompressionKind>(kind);
}

Status DecompressStream(CompressionKind kind, std::string_view input, uint64_t block_size,
                        size_t max_output, std::string_view what, std::string* out) {
  out->clear();
  if (kind == CompressionKind::kNone) {
    if (input.size() > max_output) {
      return Corruption(what, " is ", input.size(), " bytes, beyond the limit of ", max_output);
    }
    out->assign(input.data(), input.size());
    return Status::OK();
  }
  size_t pos = 0;
  while (pos < input.size()) {
    if (input.size() - pos < 3)
      return Corruption(what, ": truncated compression chunk header at byte ", pos);
    const auto* h = reinterpret_cast<const unsigned char*>(input.data() + pos);
    uint32_t header = h[0] | (uint32_t{h[1]} << 8) | (uint32_t{h[2]} << 16);
    bool original = header & 1;
    size_t len = header >> 1;
    pos += 3;
    if (len > input.size() - pos) {
      return Corruption(what, ": compression chunk of ", len, " bytes at byte ", pos - 3,
                        " runs past the end (", input.size() - pos, " bytes left)");
    }
    std::string_view chunk = input.substr(pos, len);
    pos += len;
    size_t room = max_output - std::min(max_output, out->size());
    if (original) {
      if (len > room)
        return Corruption(what, " expands beyond the limit of ", max_output, " bytes");
      out->append(chunk);
      continue;
    }
    size_t limit = static_cast<size_t>(std::min<uint64_t>(block_size, room));
    Status st = DecompressChunk(kind, chunk, limit, out);
    if (!st.ok()) {
      if (limit < block_size) {
        return Corruption(what, " expands beyond the limit of ", max_output, " bytes (",
                          st.message(), ")");
      }
      return st.WithContext(
          StrCat(what, ": ", CompressionName(kind), " chunk at byte ", pos - len - 3));
    }
  }
  return Status::OK();
}

}  // namespace atl::orc
