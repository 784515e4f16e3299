// Snapshot ids in Iceberg JSON (table metadata: snapshots, parents, refs, the snapshot log,
// current-snapshot-id; Puffin blob metadata), read as Java reads them.
//
// Iceberg's Java JsonUtil.getLong hands the JSON number to Jackson's JsonNode.asLong(). A
// number above 2^63-1 is a BigIntegerNode there, and asLong() keeps its low 64 bits
// (BigInteger.longValue): 18446744073709551615 is read as -1, 2^63 as -2^63. Iceberg before
// 1.0 read snapshot ids that way; 1.0 and later refuse them (canConvertToLong). atoll reads
// them like the former, for every snapshot id alike, so that a parent, a ref or a log entry
// written the same way names the same snapshot, and the ids agree with the signed 64-bit
// longs that the Avro manifests and manifest lists hold for the same snapshot.
//
// Unsigned numbers up to 2^64-1 are covered (nlohmann keeps them as uint64); larger or
// non-integral numbers are InvalidArgument, as for any other integer field.
//
// Header-only, internal to the iceberg library's JSON parsing. Pure and thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg::json {

inline Result<int64_t> SnapshotIdValue(const Json& v, std::string_view ctx) {
  if (v.is_number_unsigned())
    return static_cast<int64_t>(v.get<uint64_t>());  // two's complement wrap
  return AsInt64(v, ctx);
}

// Required member `key`: InvalidArgument when absent, null or not an integer.
inline Result<int64_t> SnapshotId(const Json& obj, std::string_view key, std::string_view ctx) {
  ATOLL_ASSIGN_OR_RETURN(const Json* v, Member(obj, key, ctx));
  return SnapshotIdValue(*v, StrCat(ctx, ": field '", key, "'"));
}

// Optional member `key`: nullopt when absent or null.
inline Result<std::optional<int64_t>> OptSnapshotId(const Json& obj, std::string_view key,
                                                    std::string_view ctx) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return std::optional<int64_t>();
  ATOLL_ASSIGN_OR_RETURN(int64_t id, SnapshotIdValue(*it, StrCat(ctx, ": field '", key, "'")));
  return std::optional<int64_t>(id);
}

}  // namespace atl::iceberg::json
