#include "atoll/iceberg/scan/puffin.h"

#include <algorithm>
#include <array>

#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/snapshot_id_json.h"

namespace atl::iceberg {
namespace {

constexpr std::string_view kPuffinMagic("PFA1", 4);
constexpr std::string_view kDvMagic("\xD1\xD3\x39\x64", 4);
constexpr uint32_t kCookieNoRuns = 12346;
constexpr uint32_t kCookieRuns = 12347;
constexpr uint32_t kNoOffsetThreshold = 4;

std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

uint32_t Le32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3])) << 24;
}
uint16_t Le16(std::string_view b, size_t at) {
  return static_cast<uint16_t>(static_cast<uint8_t>(b[at]) | static_cast<uint8_t>(b[at + 1]) << 8);
}
uint64_t Le64(std::string_view b, size_t at) {
  return static_cast<uint64_t>(Le32(b, at)) | static_cast<uint64_t>(Le32(b, at + 4)) << 32;
}
uint32_t Be32(std::string_view b, size_t at) {
  return static_cast<uint32_t>(static_cast<uint8_t>(b[at])) << 24 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 2])) << 8 |
         static_cast<uint32_t>(static_cast<uint8_t>(b[at + 3]));
}
void PutLe16(std::string* out, uint16_t v) {
  out->push_back(static_cast<char>(v & 0xff));
  out->push_back(static_cast<char>(v >> 8));
}
void PutLe32(std::string* out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutLe64(std::string* out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutBe32(std::string* out, uint32_t v) {
  for (int i = 3; i >= 0; --i) out->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}

Result<PuffinBlobMetadata> BlobFromJson(const Json& j, std::string_view ctx) {
  PuffinBlobMetadata b;
  ATOLL_ASSIGN_OR_RETURN(b.type, json::String(j, "type", ctx));
  ATOLL_ASSIGN_OR_RETURN(b.fields, json::Int32List(j, "fields", ctx));
  ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> sid, json::OptSnapshotId(j, "snapshot-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> seq, json::OptInt64(j, "sequence-number", ctx));
  b.snapshot_id = sid.value_or(-1);
  b.sequence_number = seq.value_or(-1);
  ATOLL_ASSIGN_OR_RETURN(b.offset, json::Int64(j, "offset", ctx));
  ATOLL_ASSIGN_OR_RETURN(b.length, json::Int64(j, "length", ctx));
  ATOLL_ASSIGN_OR_RETURN(b.compression_codec, json::OptString(j, "compression-codec", ctx));
  ATOLL_ASSIGN_OR_RETURN(b.properties, json::StringMap(j, "properties", ctx));
  return b;
}

// Decodes one 32-bit Roaring bitmap at `b[*pos]`, appending (high << 32 | value) to `out`.
Status DecodeRoaring32(std::string_view b, size_t* pos, uint64_t high, std::vector<int64_t>* out,
                       std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Corruption("deletion vector in '", name, "': ", what);
  };
  const size_t start = *pos;
  size_t p = start;
  if (b.size() - p < 4) return corrupt("truncated roaring cookie");
  uint32_t cookie = Le32(b, p);
  p += 4;
  uint32_t size = 0;
  std::string_view run_flags;
  bool has_offsets = true;
  if (cookie == kCookieNoRuns) {
    if (b.size() - p < 4) return corrupt("truncated container count");
    size = Le32(b, p);
    p += 4;
    if (size > 65536) return corrupt("more than 65536 containers");
  } else if ((cookie & 0xFFFF) == kCookieRuns) {
    size = (cookie >> 16) + 1;
    size_t flag_bytes = (size + 7) / 8;
    if (b.size() - p < flag_bytes) return corrupt("truncated run flags");
    run_flags = b.substr(p, flag_bytes);
    p += flag_bytes;
    has_offsets = size >= kNoOffsetThreshold;
  } else {
    return corrupt("bad roaring cookie " + std::to_string(cookie));
  }
  if (b.size() - p < static_cast<size_t>(size) * 4) return corrupt("truncated container headers");
  const size_t headers = p;
  p += static_cast<size_t>(size) * 4;
  if (has_offsets) {
    if (b.size() - p < static_cast<size_t>(size) * 4) return corrupt("truncated container offsets");
    p += static_cast<size_t>(size) * 4;  // offsets are implied by the sizes; not needed
  }
  int64_t prev_key = -1;
  for (uint32_t i = 0; i < size; ++i) {
    uint16_t key = Le16(b, headers + 4 * i);
    uint32_t card = static_cast<uint32_t>(Le16(b, headers + 4 * i + 2)) + 1;
    if (static_cast<int64_t>(key) <= prev_key) return corrupt("container keys out of order");
    prev_key = key;
    const uint64_t base = high << 32 | static_cast<uint64_t>(key) << 16;
    bool is_run = !run_flags.empty() && (static_cast<uint8_t>(run_flags[i / 8]) >> (i % 8)) & 1;
    if (is_run) {
      if (b.size() - p < 2) return corrupt("truncated run container");
      uint16_t runs = Le16(b, p);
      p += 2;
      if (b.size() - p < static_cast<size_t>(runs) * 4) return corrupt("truncated run container");
      uint64_t count = 0;
      for (uint16_t r = 0; r < runs; ++r) {
        uint32_t first = Le16(b, p + 4 * r);
        uint32_t len = static_cast<uint32_t>(Le16(b, p + 4 * r + 2)) + 1;
        if (first + len > 65536) return corrupt("run past the container end");
        for (uint32_t v = first; v < first + len; ++v)
          out->push_back(static_cast<int64_t>(base | v));
        count += len;
      }
      if (count != card) return corrupt("run container cardinality mismatch");
      p += static_cast<size_t>(runs) * 4;
    } else if (card <= 4096) {
      if (b.size() - p < static_cast<size_t>(card) * 2) return corrupt("truncated array container");
      for (uint32_t k = 0; k < card; ++k)
        out->push_back(static_cast<int64_t>(base | Le16(b, p + 2 * k)));
      p += static_cast<size_t>(card) * 2;
    } else {
      if (b.size() - p < 8192) return corrupt("truncated bitset container");
      uint32_t count = 0;
      for (uint32_t w = 0; w < 1024; ++w) {
        uint64_t word = Le64(b, p + 8 * w);
        while (word != 0) {
          int bit = __builtin_ctzll(word);
          out->push_back(static_cast<int64_t>(base | (w * 64 + bit)));
          word &= word - 1;
          ++count;
        }
      }
      if (count != card) return corrupt("bitset container cardinality mismatch");
      p += 8192;
    }
  }
  *pos = p;
  return Status::OK();
}

// One 32-bit Roaring bitmap of the sorted distinct 32-bit values `low`.
void EncodeRoaring32(const std::vector<uint32_t>& low, std::string* out) {
  struct Container {
    uint16_t key;
    std::vector<uint16_t> values;
    std::vector<std::pair<uint16_t, uint16_t>> runs;  // (start, length - 1)
    enum { kArray, kBitset, kRun } kind;
    size_t Bytes() const {
      return kind == kRun ? 2 + 4 * runs.size() : kind == kArray ? 2 * values.size() : 8192;
    }
  };
  std::vector<Container> containers;
  for (uint32_t v : low) {
    uint16_t key = static_cast<uint16_t>(v >> 16);
    if (containers.empty() || containers.back().key != key)
      containers.push_back({key, {}, {}, Container::kArray});
    containers.back().values.push_back(static_cast<uint16_t>(v & 0xFFFF));
  }
  bool any_run = false;
  for (Container& c : containers) {
    for (uint16_t v : c.values) {
      if (!c.runs.empty() &&
          static_cast<uint32_t>(c.runs.back().first) + c.runs.back().second + 1 == v) {
        ++c.runs.back().second;
      } else {
        c.runs.push_back({v, 0});
      }
    }
    size_t array_bytes = c.values.size() <= 4096 ? 2 * c.values.size() : SIZE_MAX;
    size_t run_bytes = 2 + 4 * c.runs.size();
    size_t best = std::min<size_t>(array_bytes, 8192);
    if (run_bytes < best) {
      c.kind = Container::kRun;
      any_run = true;
    } else {
      c.kind = c.values.size() <= 4096 ? Container::kArray : Container::kBitset;
    }
  }
  const uint32_t n = static_cast<uint32_t>(containers.size());
  const size_t begin = out->size();
  bool offsets = true;
  if (any_run) {
    PutLe32(out, kCookieRuns | ((n - 1) << 16));
    std::string flags((n + 7) / 8, '\0');
    for (uint32_t i = 0; i < n; ++i) {
      if (containers[i].kind == Container::kRun)
        flags[i / 8] = static_cast<char>(flags[i / 8] | (1 << (i % 8)));
    }
    out->append(flags);
    offsets = n >= kNoOffsetThreshold;
  } else {
    PutLe32(out, kCookieNoRuns);
    PutLe32(out, n);
  }
  for (const Container& c : containers) {
    PutLe16(out, c.key);
    PutLe16(out, static_cast<uint16_t>(c.values.size() - 1));
  }
  if (offsets) {
    uint32_t offset = static_cast<uint32_t>(out->size() - begin + 4 * n);
    for (const Container& c : containers) {
      PutLe32(out, offset);
      offset += static_cast<uint32_t>(c.Bytes());
    }
  }
  for (const Container& c : containers) {
    switch (c.kind) {
      case Container::kRun:
        PutLe16(out, static_cast<uint16_t>(c.runs.size()));
        for (auto [s, l] : c.runs) {
          PutLe16(out, s);
          PutLe16(out, l);
        }
        break;
      case Container::kArray:
        for (uint16_t v : c.values) PutLe16(out, v);
        break;
      case Container::kBitset: {
        std::vector<uint64_t> words(1024, 0);
        for (uint16_t v : c.values) words[v / 64] |= uint64_t{1} << (v % 64);
        for (uint64_t w : words) PutLe64(out, w);
        break;
      }
    }
  }
}

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  static const std::array<uint32_t, 256> table = MakeCrcTable();
  crc = ~crc;
  for (char ch : data) crc = table[(crc ^ static_cast<uint8_t>(ch)) & 0xff] ^ (crc >> 8);
  return ~crc;
}

Result<PuffinFileMetadata> ParsePuffinFooter(std::string_view tail, uint64_t file_size,
                                             std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Corruption("Puffin file '", name, "': ", what);
  };
  if (file_size < 4 + 4 + 12 || tail.size() < 12) return corrupt("too short for a Puffin file");
  if (tail.substr(tail.size() - 4) != kPuffinMagic) return corrupt("missing magic at the end");
  const int32_t payload_size = static_cast<int32_t>(Le32(tail, tail.size() - 12));
  const uint32_t flags = Le32(tail, tail.size() - 8);
  if (payload_size < 0) return corrupt("negative footer size");
  const uint64_t footer_size = 4 + static_cast<uint64_t>(payload_size) + 12;
  if (footer_size + 4 > file_size) return corrupt("footer larger than the file");
  if (footer_size > tail.size()) {
    return corrupt("footer of " + std::to_string(footer_size) +
                   " bytes is longer than the bytes given");
  }
  std::string_view footer = tail.substr(tail.size() - footer_size);
  if (footer.substr(0, 4) != kPuffinMagic) return corrupt("missing footer magic");
  if (flags & 1)
    return NotSupported("Puffin file '", name, "': LZ4-compressed footers are not supported");
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(footer.substr(4, payload_size), name));
  if (!j.is_object()) return corrupt("footer payload is not a JSON object");
  PuffinFileMetadata meta;
  std::string ctx = "Puffin footer of '" + std::string(name) + "'";
  ATOLL_ASSIGN_OR_RETURN(const Json* blobs, json::Member(j, "blobs", ctx));
  if (!blobs->is_array()) return corrupt("\"blobs\" is not a list");
  for (const Json& b : *blobs) {
    Result<PuffinBlobMetadata> blob = BlobFromJson(b, ctx);
    if (!blob.ok()) return Corruption(blob.status().message());
    if (blob->offset < 4 || blob->length < 0 ||
        static_cast<uint64_t>(blob->offset + blob->length) > file_size - footer_size) {
      return corrupt("blob outside the file's blob area");
    }
    meta.blobs.push_back(std::move(blob).value());
  }
  Result<std::map<std::string, std::string>> props = json::StringMap(j, "properties", ctx);
  if (!props.ok()) return Corruption(props.status().message());
  meta.properties = std::move(props).value();
  return meta;
}

Result<PuffinFileMetadata> ReadPuffinMetadata(const FileIO& io, std::string_view location) {
  ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, io.Head(location));
  const uint64_t size = info.size;
  if (size < 20) return Corruption("Puffin file '", location, "': too short (", size, " bytes)");
  uint64_t want = std::min<uint64_t>(size, 64 * 1024);
  ATOLL_ASSIGN_OR_RETURN(std::string tail, io.ReadRange(location, size - want, want));
  if (tail.size() >= 12 && tail.substr(tail.size() - 4) == kPuffinMagic) {
    int32_t payload = static_cast<int32_t>(Le32(tail, tail.size() - 12));
    uint64_t footer = 16 + static_cast<uint64_t>(std::max(payload, 0));
    if (footer > tail.size() && footer <= size) {
      ATOLL_ASSIGN_OR_RETURN(tail, io.ReadRange(location, size - footer, footer));
    }
  }
  return ParsePuffinFooter(tail, size, location);
}

std::string BuildPuffinFile(std::vector<std::pair<PuffinBlobMetadata, std::string>> blobs,
                            const std::map<std::string, std::string>& properties) {
  std::string out(kPuffinMagic);
  Json list = Json::array();
  for (auto& [meta, bytes] : blobs) {
    meta.offset = static_cast<int64_t>(out.size());
    meta.length = static_cast<int64_t>(bytes.size());
    out += bytes;
    Json b = {{"type", meta.type},
              {"fields", meta.fields},
              {"snapshot-id", meta.snapshot_id},
              {"sequence-number", meta.sequence_number},
              {"offset", meta.offset},
              {"length", meta.length}};
    if (meta.compression_codec) b["compression-codec"] = *meta.compression_codec;
    if (!meta.properties.empty()) b["properties"] = meta.properties;
    list.push_back(std::move(b));
  }
  Json footer = {{"blobs", std::move(list)}};
  if (!properties.empty()) footer["properties"] = properties;
  std::string payload = footer.dump();
  out += kPuffinMagic;
  out += payload;
  PutLe32(&out, static_cast<uint32_t>(payload.size()));
  PutLe32(&out, 0);
  out += kPuffinMagic;
  return out;
}

Result<std::vector<int64_t>> DecodeDeletionVector(std::string_view blob, std::string_view name) {
  auto corrupt = [&](std::string_view what) {
    return Corruption("deletion vector in '", name, "': ", what);
  };
  if (blob.size() < 4 + 4 + 8 + 4)
    return corrupt("blob of " + std::to_string(blob.size()) + " bytes is too short");
  const uint32_t length = Be32(blob, 0);
  if (static_cast<uint64_t>(length) + 8 != blob.size()) {
    return corrupt("length field " + std::to_string(length) + " does not match the blob size " +
                   std::to_string(blob.size()));
  }
  if (blob.substr(4, 4) != kDvMagic) return corrupt("bad magic (expected D1 D3 39 64)");
  const std::string_view body = blob.substr(4, length);
  const uint32_t crc = Be32(blob, 4 + length);
  if (Crc32(body) != crc) return corrupt("CRC-32 mismatch");
  std::string_view vec = body.substr(4);
  const uint64_t count = Le64(vec, 0);
  if (count > vec.size() / 8) return corrupt("impossible bitmap count");
  size_t pos = 8;
  std::vector<int64_t> out;
  int64_t prev_key = -1;
  for (uint64_t i = 0; i < count; ++i) {
    if (vec.size() - pos < 4) return corrupt("truncated bitmap key");
    uint32_t key = Le32(vec, pos);
    pos += 4;
    if (key & 0x80000000u) return corrupt("negative position (key " + std::to_string(key) + ")");
    if (static_cast<int64_t>(key) <= prev_key) return corrupt("bitmap keys out of order");
    prev_key = key;
    ATOLL_RETURN_NOT_OK(DecodeRoaring32(vec, &pos, key, &out, name));
  }
  if (pos != vec.size()) return corrupt("trailing bytes after the bitmaps");
  return out;
}

Result<std::string> EncodeDeletionVector(std::vector<int64_t> positions) {
  std::sort(positions.begin(), positions.end());
  positions.erase(std::unique(positions.begin(), positions.end()), positions.end());
  if (!positions.empty() && positions.front() < 0) {
    return InvalidArgument("deletion vector position ", positions.front(), " is negative");
  }
  std::string vec;
  // Group by the high 32 bits.
  std::vector<std::pair<uint32_t, std::vector<uint32_t>>> groups;
  for (int64_t p : positions) {
    uint32_t key = static_cast<uint32_t>(static_cast<uint64_t>(p) >> 32);
    if (groups.empty() || groups.back().first != key) groups.push_back({key, {}});
    groups.back().second.push_back(static_cast<uint32_t>(p & 0xFFFFFFFF));
  }
  PutLe64(&vec, groups.size());
  for (const auto& [key, low] : groups) {
    PutLe32(&vec, key);
    EncodeRoaring32(low, &vec);
  }
  std::string body(kDvMagic);
  body += vec;
  std::string out;
  PutBe32(&out, static_cast<uint32_t>(body.size()));
  out += body;
  PutBe32(&out, Crc32(body));
  return out;
}

}  // namespace atl::iceberg
