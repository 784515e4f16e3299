#include "atoll/stream/kafka.h"

namespace atl::stream {

void KafkaDeleter::operator()(rd_kafka_t* rk) const {
  if (rk == nullptr) return;
  if (rd_kafka_type(rk) == RD_KAFKA_CONSUMER && !rd_kafka_consumer_closed(rk))
    rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
}

Result<KafkaHandle> NewKafkaClient(rd_kafka_type_t type, const std::string& brokers,
                                   const KafkaConfig& config,
                                   void (*setup)(rd_kafka_conf_t*, void*), void* opaque) {
  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto set = [&](const std::string& name, const std::string& value) -> Status {
    if (rd_kafka_conf_set(conf, name.c_str(), value.c_str(), errstr, sizeof(errstr)) !=
        RD_KAFKA_CONF_OK) {
      return InvalidArgument("Kafka setting ", name, "=", value, ": ", errstr);
    }
    return Status::OK();
  };
  Status st = set("bootstrap.servers", brokers);
  for (const auto& [name, value] : config) {
    if (st.ok()) st = set(name, value);
  }
  if (!st.ok()) {
    rd_kafka_conf_destroy(conf);
    return st;
  }
  if (setup != nullptr) setup(conf, opaque);
  if (opaque != nullptr) rd_kafka_conf_set_opaque(conf, opaque);
  rd_kafka_t* rk = rd_kafka_new(type, conf, errstr, sizeof(errstr));  // owns conf on success
  if (rk == nullptr) {
    rd_kafka_conf_destroy(conf);
    return InvalidArgument("creating the Kafka client: ", errstr);
  }
  return KafkaHandle(rk);
}

Status KafkaError(rd_kafka_resp_err_t err, std::string_view what) {
  const std::string text =
      StrCat(what, ": ", rd_kafka_err2str(err), " (", rd_kafka_err2name(err), ")");
  switch (err) {
    case RD_KAFKA_RESP_ERR__TRANSPORT:
    case RD_KAFKA_RESP_ERR__ALL_BROKERS_DOWN:
    case RD_KAFKA_RESP_ERR__TIMED_OUT:
    case RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT:
    case RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION:
    case RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_NOT_COORDINATOR:
    case RD_KAFKA_RESP_ERR_COORDINATOR_NOT_AVAILABLE:
    case RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS:
    case RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS:
      return Unavailable(text);
    case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
    case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
    case RD_KAFKA_RESP_ERR__UNKNOWN_PARTITION:
      return NotFound(text);
    default:
      return IOError(text);
  }
}

Result<std::vector<int32_t>> TopicPartitions(rd_kafka_t* rk, const std::string& topic,
                                             int timeout_ms) {
  rd_kafka_topic_t* handle = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (handle == nullptr) return InvalidArgument("bad topic name '", topic, "'");
  const rd_kafka_metadata_t* md = nullptr;
  rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, handle, &md, timeout_ms);
  rd_kafka_topic_destroy(handle);
  if (err) return KafkaError(err, StrCat("reading the metadata of topic ", topic));
  std::vector<int32_t> out;
  Status st;
  for (int i = 0; i < md->topic_cnt; ++i) {
    if (md->topics[i].err) {
      st = KafkaError(md->topics[i].err, StrCat("topic ", topic));
      continue;
    }
    for (int p = 0; p < md->topics[i].partition_cnt; ++p)
      out.push_back(md->topics[i].partitions[p].id);
  }
  rd_kafka_metadata_destroy(md);
  if (!st.ok()) return st;
  if (out.empty()) return NotFound("topic ", topic, " has no partitions");
  return out;
}

}  // namespace atl::stream
