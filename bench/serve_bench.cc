// serve_bench: `atoll serve` under load (docs/benchmarks.md, "REST catalog").
//   1. loadTable of one table with --clients keep-alive clients for --seconds, against
//      Debian's nginx serving the same table's metadata JSON as a static file (goal:
//      >= 0.5x nginx's requests per second, p99 <= 20 ms);
//   2. commits per second (set-properties, one client) through the server against the same
//      commits made in process by the CLI's code (Transaction::Commit + the trail record).
// The lake is made by the atoll binary (init, token create, ingest of a small CSV) in a
// temporary folder; `atoll serve` runs as a child on a free loopback port. nginx is
// --nginx, $ATOLL_NGINX or `nginx` on PATH; without it the comparison is skipped.
// Exit status 0 when the goals are met (or nginx is missing), 1 when not, 2 on errors.
//
//   serve_bench [--clients N] [--seconds N] [--commits N] [--atoll PATH] [--nginx PATH]
#include <arpa/inet.h>
#include <fmt/core.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "atoll/common/scratch_dir.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/lake_trail.h"
#include "bench_util.h"

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using atl::Status;

int Connect(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One HTTP/1.1 exchange on a kept-alive connection: the status, or -1 when the connection
// is gone. The body is read (Content-Length) and dropped; `body_bytes` gets its size.
int Exchange(int fd, const std::string& request, std::string* buf, size_t* body_bytes) {
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return -1;
    sent += static_cast<size_t>(n);
  }
  buf->clear();
  size_t header_end = std::string::npos;
  char chunk[65536];
  while ((header_end = buf->find("\r\n\r\n")) == std::string::npos) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return -1;
    buf->append(chunk, static_cast<size_t>(n));
  }
  std::string head = buf->substr(0, header_end);
  std::string lower = head;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  size_t length = 0;
  if (size_t at = lower.find("content-length:"); at != std::string::npos) {
    length = std::strtoull(head.c_str() + at + 15, nullptr, 10);
  }
  size_t have = buf->size() - header_end - 4;
  while (have < length) {
    ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return -1;
    have += static_cast<size_t>(n);
  }
  *body_bytes = length;
  return std::atoi(head.c_str() + 9);  // "HTTP/1.1 200 OK"
}

struct LoadResult {
  uint64_t requests = 0;
  uint64_t errors = 0;
  double seconds = 0;
  double p50_ms = 0, p99_ms = 0;
  size_t body_bytes = 0;
  double Rps() const { return requests / seconds; }
};

LoadResult Load(int port, const std::string& request, int clients, int seconds) {
  std::vector<std::vector<double>> latencies(clients);
  std::atomic<uint64_t> errors{0};
  std::atomic<size_t> body{0};
  const auto start = Clock::now();
  const auto end = start + std::chrono::seconds(seconds);
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::string buf;
      int fd = Connect(port);
      while (Clock::now() < end) {
        if (fd < 0) fd = Connect(port);
        const auto t = Clock::now();
        size_t bytes = 0;
        int status = fd < 0 ? -1 : Exchange(fd, request, &buf, &bytes);
        if (status < 0) {
          if (fd >= 0) ::close(fd);
          fd = -1;
          continue;
        }
        if (status != 200) ++errors;
        body = bytes;
        latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t).count());
      }
      if (fd >= 0) ::close(fd);
    });
  }
  for (auto& t : threads) t.join();
  LoadResult r;
  r.seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : latencies) all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  r.requests = all.size();
  r.errors = errors;
  r.body_bytes = body;
  if (!all.empty()) {
    r.p50_ms = all[all.size() / 2];
    r.p99_ms = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

// A child process with stderr to `log`; its pid.
pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = std::freopen(log.c_str(), "w", stderr);
    (void)f;
    std::vector<char*> args;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execve(args[0], args.data(), environ);
    ::_exit(127);
  }
  return pid;
}

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The output of `argv` (stdout), or an error.
atl::Result<std::string> Output(const std::vector<std::string>& argv, const std::string& dir) {
  const std::string out = dir + "/out.txt";
  std::string cmd;
  for (const std::string& a : argv) cmd += "'" + a + "' ";
  if (std::system((cmd + "> '" + out + "' 2>/dev/null").c_str()) != 0) {
    return atl::Internal("failed: ", cmd);
  }
  std::string text = ReadText(out);
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text;
}

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool WaitForPort(int port) {
  for (int i = 0; i < 100; ++i) {
    int fd = Connect(port);
    if (fd >= 0) {
      ::close(fd);
      return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::string FindNginx(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (const char* env = std::getenv("ATOLL_NGINX")) return env;
  for (const char* p : {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
    if (::access(p, X_OK) == 0) return p;
  }
  return "";
}

int Fail(const Status& st) {
  fmt::print(stderr, "serve_bench: {}\n", st.ToString());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  int clients = 16, seconds = 5, commits = 200;
  std::string atoll = ATOLL_BINARY, nginx_flag;
  atl::bench::Flags flags("serve_bench");
  flags.Add("--clients", &clients)
      .Add("--seconds", &seconds)
      .Add("--commits", &commits)
      .Add("--atoll", &atoll)
      .Add("--nginx", &nginx_flag);
  if (!flags.ParseOrComplain(argc, argv)) return 2;
  ::signal(SIGPIPE, SIG_IGN);
  atl::Result<atl::ScratchDir> scratch = atl::ScratchDir::Create("serve-bench");
  if (!scratch.ok()) return Fail(scratch.status());
  const std::string dir = scratch->path();
  const std::string lake = dir + "/lake";
  if (!atl::bench::RunProgram({atoll, "init", lake}).ok()) return Fail(atl::Internal("init"));
  fs::create_directories(lake + "/prepare/sales/items");
  std::ofstream(lake + "/prepare/sales/items/a.csv") << "id,name\n1,a\n2,b\n3,c\n";
  if (!atl::bench::RunProgram({atoll, "ingest", lake}).ok()) return Fail(atl::Internal("ingest"));
  atl::Result<std::string> secret =
      Output({atoll, "token", "create", lake, "--name", "bench", "--scope", "write"}, dir);
  if (!secret.ok()) return Fail(secret.status());

  // The metadata file the table points at, served by nginx as a static file.
  auto opened = atl::lake::Lake::Open(lake);
  auto tables = opened.ok() ? atl::lake::OpenLakeTables(**opened)
                            : atl::Result<atl::lake::LakeTables>(opened.status());
  if (!tables.ok()) return Fail(tables.status());
  auto location = tables->catalog->LoadMetadataLocation({{"stg", "sales"}, "items"});
  if (!location.ok()) return Fail(location.status());
  fs::create_directories(dir + "/www");
  fs::copy_file(*location, dir + "/www/metadata.json");
  const int port = FreePort();
  pid_t server = Spawn({atoll, "serve", lake, "--listen", "127.0.0.1:" + std::to_string(port)},
                       dir + "/serve.log");
  if (!WaitForPort(port))
    return Fail(atl::Internal("atoll serve did not start: ", ReadText(dir + "/serve.log")));
  const std::string path = "/iceberg/v1/namespaces/stg%1Fsales/tables/items";
  const std::string load_request = "GET " + path +
                                   " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " +
                                   *secret + "\r\n\r\n";
  LoadResult atoll_load = Load(port, load_request, clients, seconds);

  // Commits through the server: set-properties, one client.
  std::string buf;
  size_t bytes = 0;
  int fd = Connect(port);
  const auto commit_start = Clock::now();
  int commit_errors = 0;
  for (int i = 0; i < commits; ++i) {
    std::string body = fmt::format(
        R"({{"requirements":[],"updates":[{{"action":"set-properties","updates":{{"k":"{}"}}}}]}})",
        i);
    std::string req = fmt::format(
        "POST {} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {}\r\nContent-Type: "
        "application/json\r\nContent-Length: {}\r\n\r\n{}",
        path, *secret, body.size(), body);
    if (Exchange(fd, req, &buf, &bytes) != 200) ++commit_errors;
  }
  const double server_commit_s = std::chrono::duration<double>(Clock::now() - commit_start).count();
  ::close(fd);
  ::kill(server, SIGTERM);
  ::waitpid(server, nullptr, 0);

  // The same commits by the CLI's code, in process.
  double cli_commit_s = 0;
  {
    auto opened = atl::lake::Lake::Open(lake);
    if (!opened.ok()) return Fail(opened.status());
    auto tables = atl::lake::OpenLakeTables(**opened);
    if (!tables.ok()) return Fail(tables.status());
    auto trail = atl::lake::OpenLakeTrail(**opened);
    if (!trail.ok()) return Fail(trail.status());
    atl::iceberg::TableIdentifier id{{"stg", "sales"}, "items"};
    const auto start = Clock::now();
    for (int i = 0; i < commits; ++i) {
      auto table = atl::lake::LoadLakeTable(*tables, id);
      if (!table.ok()) return Fail(table.status());
      Status st =
          table->NewTransaction().SetProperties({{"k", "cli" + std::to_string(i)}}).Commit();
      if (!st.ok()) return Fail(st);
      auto change = atl::lake::DescribeCommit(*table, std::nullopt, "serve_bench",
                                              atl::trail::RecordKind::kPropertiesChange);
      if (!change.ok()) return Fail(change.status());
      auto recorded = atl::lake::RecordTableChange(**trail, *change);
      if (!recorded.ok()) return Fail(recorded.status());
    }
    cli_commit_s = std::chrono::duration<double>(Clock::now() - start).count();
  }

  fmt::print("loadTable, {} keep-alive clients, {} s:\n", clients, seconds);
  fmt::print(
      "  atoll serve  {:>9.0f} requests/s  p50 {:.2f} ms  p99 {:.2f} ms  ({} errors, {} B)\n",
      atoll_load.Rps(), atoll_load.p50_ms, atoll_load.p99_ms, atoll_load.errors,
      atoll_load.body_bytes);
  bool ok = atoll_load.errors == 0 && atoll_load.p99_ms <= 20;
  const std::string nginx = FindNginx(nginx_flag);
  if (nginx.empty()) {
    fmt::print("  nginx        (not found: --nginx or $ATOLL_NGINX; comparison skipped)\n");
  } else {
    const int nport = FreePort();
    std::ofstream(dir + "/nginx.conf") << fmt::format(
        "daemon off; worker_processes 2; error_log {0}/nginx.err; pid {0}/nginx.pid;\n"
        "events {{ worker_connections 1024; }}\n"
        "http {{ access_log off; keepalive_requests 1000000; client_body_temp_path {0}; "
        "proxy_temp_path {0}; fastcgi_temp_path {0}; uwsgi_temp_path {0}; scgi_temp_path {0};\n"
        "  server {{ listen 127.0.0.1:{1}; root {0}/www; default_type application/json; }} }}\n",
        dir, nport);
    pid_t np = Spawn({nginx, "-p", dir, "-c", dir + "/nginx.conf"}, dir + "/nginx.log");
    if (!WaitForPort(nport))
      return Fail(atl::Internal("nginx did not start: ", ReadText(dir + "/nginx.log")));
    LoadResult nginx_load =
        Load(nport, "GET /metadata.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", clients, seconds);
    ::kill(np, SIGQUIT);
    ::waitpid(np, nullptr, 0);
    fmt::print(
        "  nginx        {:>9.0f} requests/s  p50 {:.2f} ms  p99 {:.2f} ms  ({} errors, {} B)\n",
        nginx_load.Rps(), nginx_load.p50_ms, nginx_load.p99_ms, nginx_load.errors,
        nginx_load.body_bytes);
    const double ratio = atoll_load.Rps() / nginx_load.Rps();
    fmt::print("  ratio        {:.2f} (goal >= 0.5), p99 goal <= 20 ms\n", ratio);
    ok = ok && ratio >= 0.5;
  }
  fmt::print("commits (set-properties), one client, {}:\n", commits);
  fmt::print("  atoll serve  {:>7.1f} commits/s ({} errors)\n", commits / server_commit_s,
             commit_errors);
  fmt::print("  CLI code     {:>7.1f} commits/s\n", commits / cli_commit_s);
  return ok && commit_errors == 0 ? 0 : 1;
}
