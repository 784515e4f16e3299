// librdkafka (Debian's librdkafka-dev) for the stream layer: handles that free themselves,
// configuration as Status, and the few calls shared by the consumer, the producer and
// `atoll stream status`. Only .cc files of src/atoll/stream include this header.
//
// Thread safety: librdkafka's (handles are thread-safe; a consumer is polled by one thread).
#pragma once

#include <librdkafka/rdkafka.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::stream {

struct KafkaDeleter {
  void operator()(rd_kafka_t* rk) const;
};
using KafkaHandle = std::unique_ptr<rd_kafka_t, KafkaDeleter>;

struct PartitionListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* list) const {
    rd_kafka_topic_partition_list_destroy(list);
  }
};
using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, PartitionListDeleter>;

using KafkaConfig = std::vector<std::pair<std::string, std::string>>;

// A client of `type` for `brokers` with `config` (librdkafka property names) applied in
// order; `setup` may set callbacks on the configuration before the client is made.
// kInvalidArgument naming a property librdkafka refuses.
Result<KafkaHandle> NewKafkaClient(rd_kafka_type_t type, const std::string& brokers,
                                   const KafkaConfig& config,
                                   void (*setup)(rd_kafka_conf_t*, void*) = nullptr,
                                   void* opaque = nullptr);

// A librdkafka error as a Status: transient errors are kUnavailable, the rest kIOError.
Status KafkaError(rd_kafka_resp_err_t err, std::string_view what);

// The partitions of `topic` (kNotFound when the brokers do not know it).
Result<std::vector<int32_t>> TopicPartitions(rd_kafka_t* rk, const std::string& topic,
                                             int timeout_ms);

}  // namespace atl::stream
