#include "stream/stream_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace atl::stream::testing {

using ::atl::cli::testing::RunAtoll;
using ::atl::cli::testing::RunResult;

std::optional<KafkaServer> TestKafka(std::string* why) {
  KafkaServer s;
  auto brokers = ::atl::testing::Env("ATOLL_TEST_KAFKA_BROKERS");
  auto control = ::atl::testing::Env("ATOLL_TEST_KAFKA_CONTROL");
  auto program = ::atl::testing::Env("ATOLL_TEST_KAFKA_SERVER");
  if (!brokers || !control || !program) {
    *why =
        "ATOLL_TEST_KAFKA_BROKERS/CONTROL/SERVER are not set: start scripts/servers/kafka.sh "
        "(scripts/test.sh does)";
    return std::nullopt;
  }
  s.brokers = *brokers;
  s.control = *control;
  s.program = *program;
  return s;
}

std::string Control(const std::string& control_dir, const std::string& command) {
  static std::atomic<int> counter{0};
  const std::string name =
      control_dir + "/" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  {
    std::ofstream out(name + ".tmp");
    out << command << "\n";
  }
  std::rename((name + ".tmp").c_str(), (name + ".cmd").c_str());
  for (int i = 0; i < 200; ++i) {
    std::ifstream in(name + ".out");
    std::string answer;
    if (in && std::getline(in, answer)) {
      std::filesystem::remove(name + ".out");
      return answer;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  return "error: no answer from the Kafka test server";
}

std::string UniqueTopic(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1)) +
         "-" + std::to_string(std::chrono::steady_clock::now().time_since_epoch().count() % 100000);
}

namespace {

pid_t Spawn(const std::vector<std::string>& argv, const std::string& out, const std::string& err) {
  std::vector<std::string> words = argv;
  std::vector<char*> args;
  for (auto& w : words) args.push_back(w.data());
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);
    // A test that dies (a time-out, a crash) takes its servers and streams with it.
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int in = ::open("/dev/null", O_RDONLY);
    int o = ::open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int e = ::open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (in < 0 || o < 0 || e < 0) ::_exit(126);
    ::dup2(in, 0);
    ::dup2(o, 1);
    ::dup2(e, 2);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

}  // namespace

PrivateKafka::PrivateKafka(const std::string& program, const std::string& dir, int brokers) {
  server_.control = dir + "/control";
  const std::string ready = dir + "/ready";
  pid_ = Spawn({program, "--brokers", std::to_string(brokers), "--ready-file", ready, "--control",
                server_.control},
               dir + "/server.out", dir + "/server.err");
  for (int i = 0; i < 200 && pid_ > 0; ++i) {
    std::ifstream in(ready);
    std::string line;
    if (in && std::getline(in, line) && line.rfind("BROKERS=", 0) == 0) {
      server_.brokers = line.substr(8);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  server_.program = program;
}

PrivateKafka::~PrivateKafka() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (::waitpid(pid_, &status, WNOHANG) == pid_) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ::kill(pid_, SIGKILL);
  ::waitpid(pid_, &status, 0);
}

Background::Background(const std::vector<std::string>& args, const std::string& out_prefix)
    : out_path_(out_prefix + ".out"), err_path_(out_prefix + ".err") {
  std::vector<std::string> argv = {ATOLL_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  pid_ = Spawn(argv, out_path_, err_path_);
}

Background::~Background() {
  if (Running()) {
    Signal(SIGKILL);
    Wait();
  }
}

void Background::Signal(int sig) {
  if (pid_ > 0 && !exit_code_) ::kill(pid_, sig);
}

bool Background::Running() {
  if (pid_ <= 0 || exit_code_) return false;
  int status = 0;
  pid_t r = ::waitpid(pid_, &status, WNOHANG);
  if (r == pid_) {
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return false;
  }
  return r == 0;
}

int Background::Wait() {
  if (exit_code_) return *exit_code_;
  if (pid_ <= 0) return -1;
  int status = 0;
  if (::waitpid(pid_, &status, 0) != pid_) return -1;
  exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return *exit_code_;
}

std::string Background::out() const { return ::atl::testing::ReadFile(out_path_); }
std::string Background::err() const { return ::atl::testing::ReadFile(err_path_); }

bool ProduceWithKcat(const std::string& brokers, const std::string& topic, int partition,
                     const std::vector<std::string>& values) {
  ::atl::testing::TempDir dir;
  std::string data;
  for (const std::string& v : values) data += v + "\n";
  ::atl::testing::WriteFile(dir.Join("in"), data);
  std::vector<std::string> argv = {"/usr/bin/kcat", "-P", "-b",          brokers, "-t",
                                   topic,           "-l", dir.Join("in")};
  if (partition >= 0) {
    argv.push_back("-p");
    argv.push_back(std::to_string(partition));
  }
  RunResult r = ::atl::cli::testing::RunProgram(argv);
  return r.exit_code == 0;
}

std::vector<std::vector<std::string>> QueryCsv(const std::string& lake, const std::string& sql) {
  RunResult r = RunAtoll({"query", lake, sql, "--format", "csv"});
  std::vector<std::vector<std::string>> rows;
  if (r.exit_code != 0) return rows;
  std::istringstream in(r.out);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    std::vector<std::string> cells;
    std::istringstream cs(line);
    std::string cell;
    while (std::getline(cs, cell, ',')) cells.push_back(cell);
    rows.push_back(cells);
  }
  return rows;
}

int64_t QueryNumber(const std::string& lake, const std::string& sql) {
  auto rows = QueryCsv(lake, sql);
  if (rows.empty() || rows[0].empty()) return -1;
  return std::stoll(rows[0][0]);
}

}  // namespace atl::stream::testing
