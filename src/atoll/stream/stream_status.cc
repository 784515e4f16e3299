#include "atoll/stream/stream_status.h"

#include <map>
#include <set>

#include "atoll/iceberg/catalog.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/stream/kafka.h"

namespace atl::stream {

namespace {

// The time of the newest snapshot in the ancestry that carries stream offsets.
int64_t LastCommitMs(const iceberg::TableMetadata& md) {
  int64_t newest = 0;
  for (const iceberg::Snapshot& s : md.snapshots) {
    if (s.summary.count(std::string(kOffsetsKey))) newest = std::max(newest, s.timestamp_ms);
  }
  return newest;
}

}  // namespace

Result<std::vector<TableStreamStatus>> StreamStatus(
    const lake::Lake& lake, const std::string& brokers,
    const std::vector<std::pair<std::string, std::string>>& kafka_config, int timeout_ms) {
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(lake));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
  std::vector<TableStreamStatus> out;
  KafkaHandle rk;
  if (!brokers.empty()) {
    ATOLL_ASSIGN_OR_RETURN(rk, NewKafkaClient(RD_KAFKA_PRODUCER, brokers, kafka_config));
  }
  for (const iceberg::TableIdentifier& id : ids) {
    Result<iceberg::Table> table = lake::LoadLakeTable(tables, id);
    if (!table.ok()) continue;  // `atoll tables` reports unreadable tables
    ATOLL_ASSIGN_OR_RETURN_CTX(OffsetMap offsets, TableOffsets(table->metadata()),
                               StrCat("reading the stream offsets of ", id.ToString()));
    if (offsets.empty()) continue;
    TableStreamStatus t;
    t.table = id.ToString();
    t.last_commit_ms = LastCommitMs(table->metadata());
    std::map<TopicPartition, PartitionStatus> parts;
    for (const auto& [tp, offset] : offsets) {
      parts[tp].tp = tp;
      parts[tp].committed = offset;
    }
    if (rk) {
      std::set<std::string> topics;
      for (const auto& [tp, offset] : offsets) topics.insert(tp.topic);
      for (const std::string& topic : topics) {
        ATOLL_ASSIGN_OR_RETURN(std::vector<int32_t> ps,
                               TopicPartitions(rk.get(), topic, timeout_ms));
        for (int32_t p : ps) parts[{topic, p}].tp = {topic, p};
      }
      for (auto& [tp, ps] : parts) {
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t err = rd_kafka_query_watermark_offsets(
            rk.get(), tp.topic.c_str(), tp.partition, &low, &high, timeout_ms);
        if (err) return KafkaError(err, StrCat("reading the offsets of ", tp.ToString()));
        ps.low_watermark = low;
        ps.high_watermark = high;
        ps.lag = std::max<int64_t>(0, high - std::max(low, ps.committed.value_or(low)));
      }
    }
    for (auto& [tp, ps] : parts) t.partitions.push_back(std::move(ps));
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace atl::stream
