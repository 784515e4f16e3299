// Helpers of the stream tests: the Kafka test server (scripts/servers/kafka.sh: its
// brokers, control folder and program), topics, producers (kcat and the project's own),
// atoll processes in the background, and queries through the atoll binary.
#pragma once

#include <sys/types.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "cli/run_atoll.h"
#include "testing/testing.h"

namespace atl::stream::testing {

struct KafkaServer {
  std::string brokers;  // host:port,...
  std::string control;  // control folder (kafka_mock_server.cc)
  std::string program;  // the server program, for private clusters
};

// From ATOLL_TEST_KAFKA_*; nullopt (with *why) when unset.
std::optional<KafkaServer> TestKafka(std::string* why);

// Sends one control command; returns the server's answer ("ok" or "error: ...").
std::string Control(const std::string& control_dir, const std::string& command);

// A topic name unique to this process and call ("<prefix>-<pid>-<n>").
std::string UniqueTopic(const std::string& prefix);

// A private mock cluster (own process), stopped when destroyed.
class PrivateKafka {
 public:
  PrivateKafka(const std::string& program, const std::string& dir, int brokers);
  ~PrivateKafka();
  const KafkaServer& server() const { return server_; }
  bool ok() const { return pid_ > 0 && !server_.brokers.empty(); }

 private:
  pid_t pid_ = -1;
  KafkaServer server_;
};

// `atoll args...` in the background, stdout/stderr to files in `dir`.
class Background {
 public:
  Background(const std::vector<std::string>& args, const std::string& out_prefix);
  ~Background();
  void Signal(int sig);
  int Wait();  // exit code, -1 when killed by a signal
  bool Running();
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_ = -1;
  std::string out_path_, err_path_;
  std::optional<int> exit_code_;
};

// Produces `values` with kcat to topic/partition (-1: kcat's partitioner). True on success.
bool ProduceWithKcat(const std::string& brokers, const std::string& topic, int partition,
                     const std::vector<std::string>& values);

// Runs a query on the lake and returns its CSV rows (header dropped), each split on ','.
std::vector<std::vector<std::string>> QueryCsv(const std::string& lake, const std::string& sql);
// The first cell of the first row as a number (-1 when the query failed).
int64_t QueryNumber(const std::string& lake, const std::string& sql);

}  // namespace atl::stream::testing

// In a test body: `var` is the Kafka test server, or the test ends (skipped; failed when
// the test command requires its servers).
#define ATOLL_REQUIRE_KAFKA(var)                                   \
  std::string var##_reason;                                        \
  auto var = ::atl::stream::testing::TestKafka(&var##_reason);     \
  if (!var) {                                                      \
    if (::atl::testing::ServersRequired()) FAIL() << var##_reason; \
    GTEST_SKIP() << var##_reason;                                  \
  }
