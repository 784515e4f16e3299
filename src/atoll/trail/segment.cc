#include "atoll/trail/segment.h"

#include <cstring>

namespace atl::trail {
namespace {

constexpr char kMagic[4] = {'A', 'T', 'R', 'S'};
constexpr uint8_t kVersion = 1;

void PutLE(std::string& out, uint64_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint64_t GetLE(const char* p, int bytes) {
  uint64_t v = 0;
  for (int i = bytes - 1; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
Status Bad(size_t offset, std::string_view what) {
  return Corruption("record object: ", what, " at offset ", offset);
}

}  // namespace

std::string BuildSegment(uint64_t first_sequence, const std::vector<std::string>& records) {
  std::string out(kMagic, 4);
  out.push_back(static_cast<char>(kVersion));
  out.append(3, '\0');
  PutLE(out, first_sequence, 8);
  PutLE(out, records.size(), 4);
  size_t body = 0;
  for (const auto& r : records) {
    PutLE(out, r.size(), 4);
    out.append(AsView(LeafHash(r)));
    body += r.size();
  }
  out.append(AsView(Sha256(out)));
  out.reserve(out.size() + body);
  for (const auto& r : records) out.append(r);
  return out;
}

Result<std::pair<uint64_t, uint32_t>> ParseSegmentHeader(std::string_view b) {
  if (b.size() < kSegmentHeaderSize) return Bad(b.size(), "truncated header");
  if (std::memcmp(b.data(), kMagic, 4) != 0) return Bad(0, "bad magic");
  if (static_cast<uint8_t>(b[4]) != kVersion) {
    return Bad(4, StrCat("unsupported version ", static_cast<int>(static_cast<uint8_t>(b[4]))));
  }
  if (b[5] != 0 || b[6] != 0 || b[7] != 0) return Bad(5, "reserved bytes not zero");
  uint64_t first = GetLE(b.data() + 8, 8);
  auto count = static_cast<uint32_t>(GetLE(b.data() + 16, 4));
  if (count == 0) return Bad(16, "record count 0");
  if (first > UINT64_MAX - count) return Bad(8, "sequence numbers overflow");
  return std::make_pair(first, count);
}

Result<SegmentView> ParseSegment(std::string_view b) {
  ATOLL_ASSIGN_OR_RETURN(auto header, ParseSegmentHeader(b));
  auto [first, count] = header;
  uint64_t index_end = kSegmentHeaderSize + uint64_t{count} * kSegmentIndexEntrySize;
  if (index_end + 32 > b.size())
    return Bad(16, StrCat("record count ", count, " needs more bytes than the object has"));
  Hash stored{};
  std::memcpy(stored.data(), b.data() + index_end, 32);
  if (Sha256(b.substr(0, index_end)) != stored) return Bad(index_end, "header checksum differs");
  SegmentView view;
  view.first_sequence = first;
  view.records.reserve(count);
  view.leaf_hashes.resize(count);
  uint64_t pos = index_end + 32;
  for (uint32_t i = 0; i < count; ++i) {
    const char* entry = b.data() + kSegmentHeaderSize + size_t{i} * kSegmentIndexEntrySize;
    uint64_t len = GetLE(entry, 4);
    if (len > b.size() - pos) {
      return Bad(kSegmentHeaderSize + size_t{i} * kSegmentIndexEntrySize,
                 StrCat("length of record ", first + i, " leaves the object"));
    }
    view.records.push_back(b.substr(pos, len));
    std::memcpy(view.leaf_hashes[i].data(), entry + 4, 32);
    pos += len;
  }
  if (pos != b.size()) return Bad(pos, StrCat(b.size() - pos, " trailing bytes"));
  return view;
}

}  // namespace atl::trail
