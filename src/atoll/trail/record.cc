#include "atoll/trail/record.h"

#include <array>
#include <cstring>

#include "atoll/common/clock.h"

namespace atl::trail {
namespace {

// Field tags (docs/trail.md). Stored on disk: never renumber.
enum Tag : uint8_t {
  kTagSequence = 1,
  kTagKind = 2,
  kTagTime = 3,
  kTagCommand = 4,
  kTagUser = 5,
  kTagHost = 6,
  kTagTable = 7,
  kTagSnapshotBefore = 8,
  kTagSnapshotAfter = 9,
  kTagMetadataLocation = 10,
  kTagMetadataSha256 = 11,
  kTagFileAdded = 12,
  kTagFileRemoved = 13,
  kTagField = 14,
};
constexpr uint8_t kMaxTag = kTagField;

bool Repeatable(uint8_t tag) {
  return tag == kTagFileAdded || tag == kTagFileRemoved || tag == kTagField;
}

constexpr std::array<std::string_view, kMaxRecordKind + 1> kKindNames = {"unknown",
                                                                         "create",
                                                                         "append",
                                                                         "overwrite",
                                                                         "delete",
                                                                         "schema_change",
                                                                         "partition_change",
                                                                         "expire",
                                                                         "compaction",
                                                                         "ingest_batch",
                                                                         "transform_run",
                                                                         "drop",
                                                                         "rollback",
                                                                         "properties_change",
                                                                         "sort_order_change",
                                                                         "rename",
                                                                         "other"};

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
void PutU64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
uint32_t GetU32(const char* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
uint64_t GetU64(const char* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

class Encoder {
 public:
  Status Field(uint8_t tag, std::string_view value) {
    if (value.size() > kMaxFieldLength) {
      return InvalidArgument("trail record: field ", static_cast<int>(tag),
                             " is longer than 64 MiB");
    }
    body_.push_back(static_cast<char>(tag));
    PutU32(body_, static_cast<uint32_t>(value.size()));
    body_.append(value);
    return Status::OK();
  }
  Status String(uint8_t tag, const std::string& value) {
    return value.empty() ? Status::OK() : Field(tag, value);
  }
  Status U64(uint8_t tag, uint64_t v) {
    std::string s;
    PutU64(s, v);
    return Field(tag, s);
  }
  Status File(uint8_t tag, const FileRef& f) {
    if (f.location.empty()) return InvalidArgument("trail record: a file needs a location");
    if (f.location.size() > kMaxFieldLength || f.checksum.size() > kMaxFieldLength) {
      return InvalidArgument("trail record: file location or checksum longer than 64 MiB");
    }
    std::string v;
    PutU32(v, static_cast<uint32_t>(f.location.size()));
    v.append(f.location);
    PutU64(v, f.size);
    PutU32(v, static_cast<uint32_t>(f.checksum.size()));
    v.append(f.checksum);
    return Field(tag, v);
  }
  std::string Finish() && {
    std::string out(kRecordMagic, sizeof(kRecordMagic));
    out.push_back(static_cast<char>(kRecordVersion));
    PutU32(out, static_cast<uint32_t>(body_.size()));
    out.append(body_);
    return out;
  }
  size_t size() const { return body_.size(); }

 private:
  std::string body_;
};

Status Bad(size_t offset, std::string_view what) {
  return Corruption("trail record: ", what, " at offset ", offset);
}

// Reads a u32-length-prefixed string from value [pos, end); `base` is the value's
// offset in the record, for messages.
Status TakeString(std::string_view v, size_t& pos, size_t base, std::string& out, bool allow_empty,
                  std::string_view what) {
  if (v.size() - pos < 4) return Bad(base + pos, StrCat("truncated length of ", what));
  uint32_t len = GetU32(v.data() + pos);
  pos += 4;
  if (len > v.size() - pos)
    return Bad(base + pos - 4, StrCat("length of ", what, " leaves its field"));
  if (len == 0 && !allow_empty) return Bad(base + pos - 4, StrCat("empty ", what));
  out.assign(v.data() + pos, len);
  pos += len;
  return Status::OK();
}

Result<FileRef> DecodeFile(std::string_view v, size_t base) {
  FileRef f;
  size_t pos = 0;
  ATOLL_RETURN_NOT_OK(TakeString(v, pos, base, f.location, false, "file location"));
  if (v.size() - pos < 8) return Bad(base + pos, "truncated file size");
  f.size = GetU64(v.data() + pos);
  pos += 8;
  ATOLL_RETURN_NOT_OK(TakeString(v, pos, base, f.checksum, true, "file checksum"));
  if (pos != v.size()) return Bad(base + pos, "trailing bytes in a file field");
  return f;
}

}  // namespace

std::string_view RecordKindName(RecordKind kind) {
  auto v = static_cast<uint8_t>(kind);
  return v <= kMaxRecordKind ? kKindNames[v] : kKindNames[0];
}

Result<RecordKind> RecordKindFromName(std::string_view name) {
  for (uint8_t v = 1; v <= kMaxRecordKind; ++v) {
    if (kKindNames[v] == name) return static_cast<RecordKind>(v);
  }
  return InvalidArgument("unknown trail record kind '", name, "'");
}

Result<std::string> EncodeRecord(const Record& r) {
  auto kind = static_cast<uint8_t>(r.kind);
  if (kind == 0 || kind > kMaxRecordKind) {
    return InvalidArgument("trail record: unknown kind ", static_cast<int>(kind));
  }
  Encoder e;
  ATOLL_RETURN_NOT_OK(e.U64(kTagSequence, r.sequence));
  ATOLL_RETURN_NOT_OK(e.Field(kTagKind, std::string(1, static_cast<char>(kind))));
  ATOLL_RETURN_NOT_OK(e.U64(kTagTime, static_cast<uint64_t>(r.time_ms)));
  ATOLL_RETURN_NOT_OK(e.String(kTagCommand, r.command));
  ATOLL_RETURN_NOT_OK(e.String(kTagUser, r.user));
  ATOLL_RETURN_NOT_OK(e.String(kTagHost, r.host));
  ATOLL_RETURN_NOT_OK(e.String(kTagTable, r.table));
  if (r.snapshot_before)
    ATOLL_RETURN_NOT_OK(e.U64(kTagSnapshotBefore, static_cast<uint64_t>(*r.snapshot_before)));
  if (r.snapshot_after)
    ATOLL_RETURN_NOT_OK(e.U64(kTagSnapshotAfter, static_cast<uint64_t>(*r.snapshot_after)));
  ATOLL_RETURN_NOT_OK(e.String(kTagMetadataLocation, r.metadata_location));
  if (r.metadata_sha256)
    ATOLL_RETURN_NOT_OK(e.Field(kTagMetadataSha256, AsView(*r.metadata_sha256)));
  for (const auto& f : r.files_added) ATOLL_RETURN_NOT_OK(e.File(kTagFileAdded, f));
  for (const auto& f : r.files_removed) ATOLL_RETURN_NOT_OK(e.File(kTagFileRemoved, f));
  for (const auto& [k, v] : r.fields) {
    if (k.empty()) return InvalidArgument("trail record: a field needs a non-empty key");
    if (k.size() > kMaxFieldLength)
      return InvalidArgument("trail record: field key longer than 64 MiB");
    std::string value;
    PutU32(value, static_cast<uint32_t>(k.size()));
    value.append(k);
    value.append(v);
    ATOLL_RETURN_NOT_OK(e.Field(kTagField, value));
  }
  if (e.size() > UINT32_MAX - kRecordHeaderSize)
    return InvalidArgument("trail record: larger than 4 GiB");
  return std::move(e).Finish();
}

Result<Record> DecodeRecord(std::string_view bytes) {
  if (bytes.size() < kRecordHeaderSize) return Bad(bytes.size(), "truncated header");
  if (std::memcmp(bytes.data(), kRecordMagic, 4) != 0) return Bad(0, "bad magic");
  auto version = static_cast<uint8_t>(bytes[4]);
  if (version == 0) return Bad(4, "version 0");
  if (version > kRecordVersion) {
    return NotSupported("trail record: format version ", static_cast<int>(version),
                        " is newer than this build reads (", static_cast<int>(kRecordVersion), ")");
  }
  uint32_t body_len = GetU32(bytes.data() + 5);
  if (body_len != bytes.size() - kRecordHeaderSize) {
    return Bad(5, StrCat("body length ", body_len, " differs from the ",
                         bytes.size() - kRecordHeaderSize, " bytes present"));
  }
  Record r;
  bool seen[kMaxTag + 1] = {};
  uint8_t last_tag = 0;
  size_t pos = kRecordHeaderSize;
  while (pos < bytes.size()) {
    size_t field_at = pos;
    if (bytes.size() - pos < 5) return Bad(pos, "truncated field header");
    auto tag = static_cast<uint8_t>(bytes[pos]);
    uint32_t len = GetU32(bytes.data() + pos + 1);
    pos += 5;
    if (tag == 0 || tag > kMaxTag)
      return Bad(field_at, StrCat("unknown field tag ", static_cast<int>(tag)));
    if (tag < last_tag)
      return Bad(field_at, StrCat("field tag ", static_cast<int>(tag), " out of order"));
    if (seen[tag] && !Repeatable(tag))
      return Bad(field_at, StrCat("repeated field tag ", static_cast<int>(tag)));
    if (len > bytes.size() - pos)
      return Bad(field_at + 1,
                 StrCat("length of field ", static_cast<int>(tag), " leaves the record"));
    if (len > kMaxFieldLength) return Bad(field_at + 1, "field longer than 64 MiB");
    seen[tag] = true;
    last_tag = tag;
    std::string_view v = bytes.substr(pos, len);
    auto need = [&](size_t n) -> Status {
      if (len != n)
        return Bad(field_at + 1,
                   StrCat("field ", static_cast<int>(tag), " must be ", n, " bytes, is ", len));
      return Status::OK();
    };
    auto str = [&](std::string& out) -> Status {
      if (len == 0)
        return Bad(field_at + 1, StrCat("empty string in field ", static_cast<int>(tag)));
      out.assign(v);
      return Status::OK();
    };
    switch (tag) {
      case kTagSequence:
        ATOLL_RETURN_NOT_OK(need(8));
        r.sequence = GetU64(v.data());
        break;
      case kTagKind: {
        ATOLL_RETURN_NOT_OK(need(1));
        auto k = static_cast<uint8_t>(v[0]);
        if (k == 0 || k > kMaxRecordKind)
          return Bad(pos, StrCat("unknown kind ", static_cast<int>(k)));
        r.kind = static_cast<RecordKind>(k);
        break;
      }
      case kTagTime:
        ATOLL_RETURN_NOT_OK(need(8));
        r.time_ms = static_cast<int64_t>(GetU64(v.data()));
        break;
      case kTagCommand:
        ATOLL_RETURN_NOT_OK(str(r.command));
        break;
      case kTagUser:
        ATOLL_RETURN_NOT_OK(str(r.user));
        break;
      case kTagHost:
        ATOLL_RETURN_NOT_OK(str(r.host));
        break;
      case kTagTable:
        ATOLL_RETURN_NOT_OK(str(r.table));
        break;
      case kTagSnapshotBefore:
        ATOLL_RETURN_NOT_OK(need(8));
        r.snapshot_before = static_cast<int64_t>(GetU64(v.data()));
        break;
      case kTagSnapshotAfter:
        ATOLL_RETURN_NOT_OK(need(8));
        r.snapshot_after = static_cast<int64_t>(GetU64(v.data()));
        break;
      case kTagMetadataLocation:
        ATOLL_RETURN_NOT_OK(str(r.metadata_location));
        break;
      case kTagMetadataSha256: {
        ATOLL_RETURN_NOT_OK(need(32));
        Hash h{};
        std::memcpy(h.data(), v.data(), 32);
        r.metadata_sha256 = h;
        break;
      }
      case kTagFileAdded:
      case kTagFileRemoved: {
        ATOLL_ASSIGN_OR_RETURN(FileRef f, DecodeFile(v, pos));
        (tag == kTagFileAdded ? r.files_added : r.files_removed).push_back(std::move(f));
        break;
      }
      case kTagField: {
        std::string key;
        size_t p = 0;
        ATOLL_RETURN_NOT_OK(TakeString(v, p, pos, key, false, "field key"));
        r.fields.emplace_back(std::move(key), std::string(v.substr(p)));
        break;
      }
    }
    pos += len;
  }
  if (!seen[kTagSequence]) return Bad(pos, "missing sequence field");
  if (!seen[kTagKind]) return Bad(pos, "missing kind field");
  if (!seen[kTagTime]) return Bad(pos, "missing time field");
  return r;
}

std::string DescribeRecord(const Record& r) {
  std::string out = StrCat("#", r.sequence, " ", IsoTimeMs(r.time_ms), " ", RecordKindName(r.kind));
  if (!r.table.empty()) out += StrCat(" ", r.table);
  if (!r.user.empty()) out += StrCat(" by ", r.user);
  if (!r.host.empty()) out += StrCat("@", r.host);
  if (r.snapshot_before || r.snapshot_after) {
    out += StrCat(" snapshot ", r.snapshot_before ? std::to_string(*r.snapshot_before) : "-",
                  " -> ", r.snapshot_after ? std::to_string(*r.snapshot_after) : "-");
  }
  if (!r.files_added.empty()) out += StrCat(" +", r.files_added.size(), " files");
  if (!r.files_removed.empty()) out += StrCat(" -", r.files_removed.size(), " files");
  if (!r.command.empty()) out += StrCat(" `", r.command, "`");
  return out;
}

}  // namespace atl::trail
