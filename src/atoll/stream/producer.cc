#include "atoll/stream/producer.h"

#include <atomic>
#include <mutex>

#include "atoll/stream/kafka.h"

namespace atl::stream {

struct Producer::State {
  KafkaHandle rk;
  std::atomic<int64_t> delivered{0};
  std::mutex mu;
  std::string first_error;  // of a delivery report
};

namespace {

extern "C" void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
  auto* state = static_cast<Producer::State*>(opaque);
  if (msg->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
    state->delivered.fetch_add(1);
    return;
  }
  std::lock_guard<std::mutex> lock(state->mu);
  if (state->first_error.empty()) {
    state->first_error = StrCat("delivering a record to ", rd_kafka_topic_name(msg->rkt), "/",
                                msg->partition, ": ", rd_kafka_err2str(msg->err));
  }
}

void SetDeliveryCallback(rd_kafka_conf_t* conf, void*) {
  rd_kafka_conf_set_dr_msg_cb(conf, OnDelivery);
}

}  // namespace

Result<std::unique_ptr<Producer>> Producer::Open(
    const std::string& brokers, const std::vector<std::pair<std::string, std::string>>& config) {
  std::unique_ptr<Producer> p(new Producer());
  p->state_ = std::make_unique<State>();
  KafkaConfig all = {{"enable.idempotence", "true"}, {"linger.ms", "5"}};
  all.insert(all.end(), config.begin(), config.end());
  ATOLL_ASSIGN_OR_RETURN(p->state_->rk, NewKafkaClient(RD_KAFKA_PRODUCER, brokers, all,
                                                       SetDeliveryCallback, p->state_.get()));
  return p;
}

Producer::~Producer() {
  if (state_ && state_->rk) rd_kafka_flush(state_->rk.get(), 10000);
}

Status Producer::Send(const std::string& topic, int32_t partition, std::string_view key,
                      std::string_view value) {
  for (;;) {
    rd_kafka_resp_err_t err = rd_kafka_producev(
        state_->rk.get(), RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_PARTITION(partition),
        RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
        RD_KAFKA_V_KEY(key.empty() ? nullptr : const_cast<char*>(key.data()), key.size()),
        RD_KAFKA_V_END);
    if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
      rd_kafka_poll(state_->rk.get(), 100);  // serves delivery reports, frees the queue
      continue;
    }
    if (err) return KafkaError(err, StrCat("producing to ", topic));
    rd_kafka_poll(state_->rk.get(), 0);
    return Status::OK();
  }
}

Status Producer::Flush(int timeout_ms) {
  rd_kafka_resp_err_t err = rd_kafka_flush(state_->rk.get(), timeout_ms);
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    if (!state_->first_error.empty()) return IOError(state_->first_error);
  }
  if (err) return KafkaError(err, "waiting for the records to be delivered");
  return Status::OK();
}

int64_t Producer::delivered() const { return state_->delivered.load(); }

}  // namespace atl::stream
