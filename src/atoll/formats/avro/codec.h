// Block codecs of Avro object container files: null, deflate (raw RFC 1951), snappy
// (with the 4-byte big-endian CRC-32 of the uncompressed data after the compressed
// bytes), bzip2, xz and zstandard, each from its Debian library.
//
// Decompress never produces more than `max_output` bytes: a block that would expand
// beyond it (a decompression bomb, or a block larger than the reader allows) is a
// kCorruption error, as is any malformed or truncated stream or a snappy CRC mismatch.
//
// Thread safety: the functions are stateless and may be called concurrently.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::avro {

enum class Codec { kNull, kDeflate, kSnappy, kBzip2, kXz, kZstandard };

// The name used in the "avro.codec" header entry ("null", "deflate", "snappy", "bzip2",
// "xz", "zstandard").
std::string_view CodecName(Codec codec);
// kNotSupported for an unknown name.
Result<Codec> CodecFromName(std::string_view name);

// Appends the compressed form of `input` to `out` (cleared first). `level` < 0 picks the
// codec's default.
Status Compress(Codec codec, std::string_view input, int level, std::string* out);

// Replaces `out` with the decompressed form of `input`.
Status Decompress(Codec codec, std::string_view input, size_t max_output, std::string* out);

}  // namespace atl::avro
