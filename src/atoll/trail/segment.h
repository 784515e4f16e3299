// Segment: the bytes of one record object, trail/records/<20-digit first sequence>.rec.
// It carries one or more consecutive encoded records and an index of their lengths and
// leaf hashes (docs/trail.md, "Record objects"):
//
//   0   4   magic "ATRS"
//   4   1   version (1)
//   5   3   zero
//   8   8   first sequence number (u64 LE)
//   16  4   record count n >= 1 (u32 LE)
//   20  36n index: per record, u32 LE length + 32-byte leaf hash SHA-256(0x00 || record)
//   ..  32  SHA-256 of bytes [0, 20 + 36n): the header checksum
//   ..      the n records, concatenated
//
// ParseSegment checks the structure and the header checksum only; the caller checks each
// record's leaf hash and content (Verify reports which record differs).
//
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/trail/hash.h"

namespace atl::trail {

inline constexpr size_t kSegmentHeaderSize = 20;
inline constexpr size_t kSegmentIndexEntrySize = 36;

struct SegmentView {
  uint64_t first_sequence = 0;
  std::vector<std::string_view> records;  // views into the parsed bytes
  std::vector<Hash> leaf_hashes;          // as stored in the index
};

// Builds a segment of `records` (encoded records, at least one).
std::string BuildSegment(uint64_t first_sequence, const std::vector<std::string>& records);

// Parses `bytes`; kCorruption with the offset on any structural problem.
Result<SegmentView> ParseSegment(std::string_view bytes);

// Reads only the first sequence and count from the first 20 bytes (for Append's
// discovery of the log's end); kCorruption when they do not parse.
Result<std::pair<uint64_t, uint32_t>> ParseSegmentHeader(std::string_view header);

}  // namespace atl::trail
