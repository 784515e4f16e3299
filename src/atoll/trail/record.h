// Record: one entry of the trail — what changed, when, by whom, in which table, and the
// files involved. Encoded as a versioned, length-prefixed binary record whose bytes are
// the Merkle leaf (docs/trail.md describes the format byte by byte).
//
// The encoding is canonical: Decode accepts exactly the bytes Encode produces (fields in
// tag order, empty strings omitted, no unknown tags, no trailing bytes), so one record
// has one encoding and one leaf hash.
//
// Errors: DecodeRecord returns kCorruption with the byte offset of the problem;
// kNotSupported for a newer format version. EncodeRecord returns kInvalidArgument for
// values the format cannot hold (an unknown kind, a string over 64 MiB).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/trail/hash.h"

namespace atl::trail {

// What happened. Values are stored on disk: never renumber, only add.
enum class RecordKind : uint8_t {
  kCreate = 1,
  kAppend = 2,
  kOverwrite = 3,
  kDelete = 4,
  kSchemaChange = 5,
  kPartitionChange = 6,
  kExpire = 7,
  kCompaction = 8,
  kIngestBatch = 9,
  kTransformRun = 10,
  kDrop = 11,
  kRollback = 12,
  kPropertiesChange = 13,
  kSortOrderChange = 14,
  kRename = 15,
  kOther = 16,
};
inline constexpr uint8_t kMaxRecordKind = 16;

// "create", "append", ..., "schema_change"; "unknown" for values out of range.
std::string_view RecordKindName(RecordKind kind);
// The kind named `name` (as RecordKindName prints it); kInvalidArgument otherwise.
Result<RecordKind> RecordKindFromName(std::string_view name);

struct FileRef {
  std::string location;  // where the file is (as the table metadata names it)
  uint64_t size = 0;     // bytes
  std::string checksum;  // free text, e.g. "sha256:<hex>" or an etag; may be empty
  bool operator==(const FileRef&) const = default;
};

struct Record {
  uint64_t sequence = 0;  // position in the log (0-based); set by Trail::Append
  RecordKind kind = RecordKind::kOther;
  int64_t time_ms = 0;  // when, ms since the Unix epoch
  std::string command;  // the command line or API call that made the change
  std::string user;
  std::string host;
  std::string table;                       // table identifier, e.g. "stg.shop.orders"; may be empty
  std::optional<int64_t> snapshot_before;  // current snapshot id before the change
  std::optional<int64_t> snapshot_after;   // and after it
  std::string metadata_location;           // the new metadata file; may be empty
  std::optional<Hash> metadata_sha256;     // SHA-256 of that file's bytes
  std::vector<FileRef> files_added;
  std::vector<FileRef> files_removed;
  std::vector<std::pair<std::string, std::string>> fields;  // free key/value pairs (keys non-empty)

  bool operator==(const Record&) const = default;
};

inline constexpr char kRecordMagic[4] = {'A', 'T', 'R', 'C'};
inline constexpr uint8_t kRecordVersion = 1;
inline constexpr size_t kRecordHeaderSize = 9;  // magic, version, u32 body length
inline constexpr uint32_t kMaxFieldLength = 64u << 20;

Result<std::string> EncodeRecord(const Record& record);
Result<Record> DecodeRecord(std::string_view bytes);

// A one-line human description ("#17 2026-11-22T07:56:15.123Z append stg.shop.orders by ...").
std::string DescribeRecord(const Record& record);

}  // namespace atl::trail
