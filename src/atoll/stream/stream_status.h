// `atoll stream status`: per table that streams have committed to, per topic-partition, the
// committed offset (offsets.h, from the table), the broker's high-water mark and the lag.
//
// Without brokers only the committed offsets are given. With them, every partition of the
// tables' topics is listed (a partition no commit covers yet: committed none, lag = the
// records the broker holds). Errors: the lake's; a broker that cannot be reached is
// kUnavailable. Thread safety: one call at a time per lake object.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/lake/lake.h"
#include "atoll/stream/offsets.h"

namespace atl::stream {

struct PartitionStatus {
  TopicPartition tp;
  std::optional<int64_t> committed;       // next offset to read, per the table
  std::optional<int64_t> low_watermark;   // the broker's first offset
  std::optional<int64_t> high_watermark;  // the broker's next offset
  std::optional<int64_t> lag;             // records on the broker not in the table
};

struct TableStreamStatus {
  std::string table;  // "stg.db.t"
  int64_t last_commit_ms = 0;
  std::vector<PartitionStatus> partitions;
};

Result<std::vector<TableStreamStatus>> StreamStatus(
    const lake::Lake& lake, const std::string& brokers,
    const std::vector<std::pair<std::string, std::string>>& kafka_config = {},
    int timeout_ms = 10000);

}  // namespace atl::stream
