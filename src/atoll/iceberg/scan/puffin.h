// Puffin files (Iceberg "Puffin file format": Magic Blob... Footer) and the
// "deletion-vector-v1" blob of v3 tables.
//
// Layout read and written here:
//   file   = "PFA1" blob* footer
//   footer = "PFA1" payload(JSON FileMetadata) payload_size(int32 LE) flags(4 bytes) "PFA1"
//   deletion-vector-v1 blob = length(uint32 BE, of magic + vector) D1 D3 39 64 vector
//                             crc32(uint32 BE, of magic + vector)
//   vector = portable 64-bit Roaring: count(uint64 LE), then per 32-bit key in ascending
//            order: key(uint32 LE) and a 32-bit Roaring bitmap (array, bitset and run
//            containers, with or without the run-container cookie).
// A compressed footer (flags bit 0, LZ4) is kNotSupported. Every malformed input is
// kCorruption naming `name`.
//
// Thread safety: free functions over values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"

namespace atl::iceberg {

inline constexpr const char* kDeletionVectorBlobType = "deletion-vector-v1";

struct PuffinBlobMetadata {
  std::string type;
  std::vector<int32_t> fields;
  int64_t snapshot_id = -1;
  int64_t sequence_number = -1;
  int64_t offset = 0;
  int64_t length = 0;
  std::optional<std::string> compression_codec;
  std::map<std::string, std::string> properties;
};

struct PuffinFileMetadata {
  std::vector<PuffinBlobMetadata> blobs;
  std::map<std::string, std::string> properties;
};

// Parses the footer at the end of `file_tail`, the last bytes of a file of `file_size` bytes
// (the whole file works too). A footer longer than the tail is kCorruption; use
// ReadPuffinMetadata to read from a FileIO.
Result<PuffinFileMetadata> ParsePuffinFooter(std::string_view file_tail, uint64_t file_size,
                                             std::string_view name);
// Reads the footer of the Puffin file at `location` (two ranged reads at most).
Result<PuffinFileMetadata> ReadPuffinMetadata(const FileIO& io, std::string_view location);

// A Puffin file holding `blobs` (metadata offsets/lengths are filled in; blobs stored
// uncompressed) with file properties `properties`.
std::string BuildPuffinFile(std::vector<std::pair<PuffinBlobMetadata, std::string>> blobs,
                            const std::map<std::string, std::string>& properties = {});

// The sorted, distinct row positions of a deletion-vector-v1 blob.
Result<std::vector<int64_t>> DecodeDeletionVector(std::string_view blob, std::string_view name);
// The deletion-vector-v1 blob of `positions` (any order; duplicates ignored; each must be
// >= 0). Picks the smallest of array, bitset and run containers, as Roaring writers do.
Result<std::string> EncodeDeletionVector(std::vector<int64_t> positions);

// CRC-32 (ISO-HDLC, as zlib's crc32) of `data`, continuing from `crc`.
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

}  // namespace atl::iceberg
