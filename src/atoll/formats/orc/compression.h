// ORC compression framing: a compressed stream (and the footer, metadata and stripe
// footers) is a sequence of chunks, each with a 3-byte little-endian header holding
// (chunk length << 1) | original, where "original" chunks are stored uncompressed.
// Compressed chunks use the file's codec: ZLIB (raw RFC 1951 deflate), SNAPPY (raw
// block), LZO (lzo1x), LZ4 (raw block) or ZSTD (frame).
//
// DecompressStream never lets one chunk expand beyond `block_size` bytes nor the whole
// stream beyond `max_output` bytes: either is a kCorruption error (corrupt data or a
// decompression bomb), as is a truncated chunk or malformed codec data. An unknown
// compression kind is kNotSupported.
//
// Thread safety: stateless; may be called concurrently.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/formats/orc/metadata.h"

namespace atl::orc {

// kNotSupported for compression kinds this reader does not know.
Result<CompressionKind> CheckCompression(uint32_t kind);

// Replaces `out` with the decompressed bytes of `input` (`what` names it in errors).
Status DecompressStream(CompressionKind kind, std::string_view input, uint64_t block_size,
                        size_t max_output, std::string_view what, std::string* out);

}  // namespace atl::orc
