// kafka_mock_server: a Kafka protocol endpoint for atoll's tests — librdkafka's mock
// cluster (rdkafka_mock.h) in a process of its own, on 127.0.0.1, until SIGTERM/SIGINT.
//
//   kafka_mock_server [--brokers N] [--topic NAME:PARTITIONS]... [--ready-file FILE]
//                     [--control DIR]
//
// Prints "BROKERS=host:port,..." on stdout once the cluster is up, and writes the same
// line to --ready-file (written to FILE.tmp, then renamed: a reader never sees half).
//
// Control channel (--control DIR, for fault tests): every 50 ms the server takes each file
// DIR/*.cmd (in name order), runs its one command line, writes the answer ("ok" or
// "error: ...") to DIR/<name>.out (via a temporary file and a rename) and deletes the
// .cmd. Commands:
//   topic NAME PARTITIONS          create a topic (replication factor 1)
//   errors APIKEY ERR[,ERR...]     the next requests of that API key fail with the codes
//                                  (Kafka protocol numbers; -195 = disconnect, librdkafka's
//                                  RD_KAFKA_RESP_ERR__TRANSPORT)
//   clear APIKEY                   drops the errors still queued for APIKEY
//   down BROKER_ID / up BROKER_ID  takes a broker's listener down or up again
//   rtt BROKER_ID MS               delays the broker's answers
// The mock cluster implements produce, fetch, list offsets, metadata, consumer groups
// (join/sync/heartbeat, offset commit and fetch); not the admin API.
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::atomic<bool> g_stop{false};
extern "C" void OnSignal(int) { g_stop.store(true); }

void WriteAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
  }
  std::rename(tmp.c_str(), path.c_str());
}

// Runs one control command; returns the answer.
std::string RunCommand(rd_kafka_mock_cluster_t* cluster, const std::string& line) {
  std::istringstream in(line);
  std::string verb;
  in >> verb;
  if (verb == "topic") {
    std::string name;
    int partitions = 0;
    in >> name >> partitions;
    if (name.empty() || partitions < 1) return "error: usage: topic NAME PARTITIONS";
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  if (verb == "errors") {
    int api_key = -1;
    std::string list;
    in >> api_key >> list;
    std::vector<rd_kafka_resp_err_t> errs;
    std::istringstream codes(list);
    std::string code;
    while (std::getline(codes, code, ',')) {
      if (!code.empty()) errs.push_back(static_cast<rd_kafka_resp_err_t>(std::stoi(code)));
    }
    if (api_key < 0 || errs.empty()) return "error: usage: errors APIKEY ERR[,ERR...]";
    rd_kafka_mock_push_request_errors_array(cluster, static_cast<int16_t>(api_key), errs.size(),
                                            errs.data());
    return "ok";
  }
  if (verb == "clear") {
    int api_key = -1;
    in >> api_key;
    if (api_key < 0) return "error: usage: clear APIKEY";
    rd_kafka_mock_clear_request_errors(cluster, static_cast<int16_t>(api_key));
    return "ok";
  }
  if (verb == "down" || verb == "up" || verb == "rtt") {
    int broker = 0, ms = 0;
    in >> broker;
    if (verb == "rtt") in >> ms;
    rd_kafka_resp_err_t err = verb == "down" ? rd_kafka_mock_broker_set_down(cluster, broker)
                              : verb == "up" ? rd_kafka_mock_broker_set_up(cluster, broker)
                                             : rd_kafka_mock_broker_set_rtt(cluster, broker, ms);
    return err ? std::string("error: ") + rd_kafka_err2str(err) : "ok";
  }
  return "error: unknown command '" + verb + "'";
}

void PollControl(rd_kafka_mock_cluster_t* cluster, const std::string& dir) {
  std::vector<std::filesystem::path> commands;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (entry.path().extension() == ".cmd") commands.push_back(entry.path());
  }
  std::sort(commands.begin(), commands.end());
  for (const std::filesystem::path& cmd : commands) {
    std::ifstream in(cmd);
    std::string line;
    std::getline(in, line);
    const std::string answer = RunCommand(cluster, line);
    std::filesystem::path out = cmd;
    out.replace_extension(".out");
    WriteAtomically(out.string(), answer + "\n");
    std::filesystem::remove(cmd, ec);
  }
}

int Usage() {
  std::cerr << "usage: kafka_mock_server [--brokers N] [--topic NAME:PARTITIONS]... "
               "[--ready-file FILE] [--control DIR]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int brokers = 3;
  std::vector<std::pair<std::string, int>> topics;
  std::string ready_file, control_dir;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i + 1 >= argc) return Usage();
    const std::string value = argv[++i];
    if (arg == "--brokers") {
      brokers = std::atoi(value.c_str());
    } else if (arg == "--topic") {
      const size_t colon = value.rfind(':');
      if (colon == std::string::npos) return Usage();
      topics.emplace_back(value.substr(0, colon), std::atoi(value.c_str() + colon + 1));
    } else if (arg == "--ready-file") {
      ready_file = value;
    } else if (arg == "--control") {
      control_dir = value;
    } else {
      return Usage();
    }
  }
  if (brokers < 1) return Usage();
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);

  char errstr[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // ATOLL_KAFKA_MOCK_DEBUG=mock (or any librdkafka debug contexts): the mock cluster's
  // trace, e.g. its consumer groups' state changes, on stderr (the server's log).
  if (const char* debug = std::getenv("ATOLL_KAFKA_MOCK_DEBUG"); debug != nullptr && *debug) {
    if (rd_kafka_conf_set(conf, "debug", debug, errstr, sizeof(errstr)) != RD_KAFKA_CONF_OK) {
      std::cerr << "kafka_mock_server: ATOLL_KAFKA_MOCK_DEBUG: " << errstr << "\n";
      return 1;
    }
  }
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (rk == nullptr) {
    std::cerr << "kafka_mock_server: " << errstr << "\n";
    return 1;
  }
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (cluster == nullptr) {
    std::cerr << "kafka_mock_server: could not create the mock cluster\n";
    rd_kafka_destroy(rk);
    return 1;
  }
  for (const auto& [name, partitions] : topics) {
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(cluster, name.c_str(), partitions, 1);
    if (err) {
      std::cerr << "kafka_mock_server: topic " << name << ": " << rd_kafka_err2str(err) << "\n";
      return 1;
    }
  }
  const std::string line = std::string("BROKERS=") + rd_kafka_mock_cluster_bootstraps(cluster);
  std::cout << line << std::endl;
  if (!control_dir.empty()) std::filesystem::create_directories(control_dir);
  if (!ready_file.empty()) WriteAtomically(ready_file, line + "\n");
  while (!g_stop.load()) {
    if (!control_dir.empty()) PollControl(cluster, control_dir);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(rk);
  return 0;
}
