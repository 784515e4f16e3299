// A Kafka producer (librdkafka): the project's own way to write records to a topic, used by
// the stream tests and sweeps (kcat is the other one) and the stream benchmark.
//
//   ATOLL_ASSIGN_OR_RETURN(auto producer, Producer::Open("127.0.0.1:9092"));
//   ATOLL_RETURN_NOT_OK(producer->Send("events", 2, "", R"({"n": 1})"));
//   ATOLL_RETURN_NOT_OK(producer->Flush(30000));
//
// Send queues the record (librdkafka retries on its own); Flush waits until every queued
// record is acknowledged by its leader and fails (kIOError naming the first error) when
// one could not be delivered. Idempotent production (enable.idempotence) is on, so a
// retried send is not written twice. Thread safety: one thread per Producer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::stream {

class Producer {
 public:
  // `config`: extra librdkafka properties (name, value).
  static Result<std::unique_ptr<Producer>> Open(
      const std::string& brokers,
      const std::vector<std::pair<std::string, std::string>>& config = {});
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues `value` (key may be empty) for `topic`, `partition` (-1: librdkafka's
  // partitioner). Waits while librdkafka's queue is full.
  Status Send(const std::string& topic, int32_t partition, std::string_view key,
              std::string_view value);
  // Waits up to timeout_ms for every queued record to be delivered.
  Status Flush(int timeout_ms);
  int64_t delivered() const;

  struct State;

 private:
  Producer() = default;
  std::unique_ptr<State> state_;
};

}  // namespace atl::stream
