// Kafka offsets kept in a table's snapshots: what makes `atoll stream` exactly once.
//
// Every stream commit (one Iceberg snapshot) stores in its summary
//   atoll.stream.offsets    "topic:partition=next;..." the offset after the last record
//                           of each topic-partition the commit covers
//   atoll.stream.from       the same partitions' committed offsets the batch started from
//                           ("-" when the table had none for it)
//   atoll.stream.commit-id  a random id, to find out whether a commit of unknown outcome
//                           landed
// The committed offset of a topic-partition is the `offsets` entry of the newest snapshot
// in the current snapshot's ancestry that covers it (a commit covers only the partitions it
// read; other snapshots, such as schema changes or compactions, cover none). A commit is
// valid only when, on the base it lands on, each partition it covers is still at its
// `from` offset (CheckFrom): two consumers that both read a partition (a rebalance, a
// restarted process) cannot both commit the same records.
//
// Topic names are Kafka's ([a-zA-Z0-9._-], at most 249 bytes), so ':', '=' and ';' never
// occur in them. Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "atoll/common/result.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::stream {

inline constexpr std::string_view kOffsetsKey = "atoll.stream.offsets";
inline constexpr std::string_view kFromKey = "atoll.stream.from";
inline constexpr std::string_view kCommitIdKey = "atoll.stream.commit-id";

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
  std::string ToString() const;  // "topic/3"
};

// Offsets by topic-partition; std::nullopt = no committed offset (start at the beginning).
using OffsetMap = std::map<TopicPartition, int64_t>;
using FromMap = std::map<TopicPartition, std::optional<int64_t>>;

// "topic:partition=offset;..." ("-" for nullopt in a FromMap).
std::string FormatOffsets(const OffsetMap& offsets);
std::string FormatFrom(const FromMap& from);
// Their inverses; kCorruption for text that is not in the format.
Result<OffsetMap> ParseOffsets(std::string_view text);
Result<FromMap> ParseFrom(std::string_view text);

// The committed offset of every topic-partition some snapshot of the current ancestry
// covers (see above). A snapshot whose offsets do not parse is kCorruption.
Result<OffsetMap> TableOffsets(const iceberg::TableMetadata& metadata);

// OK when every partition of `from` is at that offset in `metadata` (absent for nullopt);
// otherwise kAlreadyExists naming the first partition another commit moved on.
Status CheckFrom(const iceberg::TableMetadata& metadata, const FromMap& from);

// True when a snapshot of `metadata` (any, not only the ancestry) has commit id `id`.
bool HasCommit(const iceberg::TableMetadata& metadata, std::string_view id);

}  // namespace atl::stream
