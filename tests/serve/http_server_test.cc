// HttpServer on loopback: a request in flight when Stop() is called is answered before Run()
// returns (graceful stop); a client that sends half a request is dropped after the read
// time-out while others are served; bodies over the limit are answered 413 unseen by the
// handler.
#include "atoll/serve/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "testing/testing.h"

namespace atl::serve {
namespace {

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
  return fd;
}

void Send(int fd, const std::string& text) {
  size_t sent = 0;
  while (sent < text.size()) {
    ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<size_t>(n);
  }
}

// Everything the server sends until it closes the connection.
std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

std::string Get(int port, const std::string& path) {
  int fd = Connect(port);
  if (fd < 0) return "";
  Send(fd, "GET " + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string out = ReadAll(fd);
  ::close(fd);
  return out;
}

struct Running {
  HttpServer server;
  std::thread thread;
  Status ran;
  Running(HttpServerOptions options, HttpHandler handler)
      : server(std::move(options), std::move(handler)) {}
  Status Start() {
    ATOLL_RETURN_NOT_OK(server.Bind());
    thread = std::thread([this] { ran = server.Run(); });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    return Status::OK();
  }
  ~Running() {
    server.Stop();
    if (thread.joinable()) thread.join();
  }
};

HttpServerOptions Loopback() {
  HttpServerOptions options;
  options.port = 0;
  options.threads = 4;
  return options;
}

TEST(HttpServerTest, StopLetsTheRequestInFlightFinish) {
  std::atomic<bool> started{false};
  Running r(Loopback(), [&](const HttpRequest&) {
    started = true;
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    HttpResponse res;
    res.body = R"({"done":true})";
    return res;
  });
  ASSERT_OK(r.Start());
  std::string answer;
  std::thread client([&] { answer = Get(r.server.port(), "/slow"); });
  while (!started) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  const auto stop_at = std::chrono::steady_clock::now();
  r.server.Stop();
  r.thread.join();
  client.join();
  EXPECT_GE(std::chrono::steady_clock::now() - stop_at, std::chrono::milliseconds(500));
  EXPECT_NE(answer.find("200 OK"), std::string::npos) << answer;
  EXPECT_NE(answer.find(R"({"done":true})"), std::string::npos) << answer;
  ASSERT_OK(r.ran);
  EXPECT_EQ(Get(r.server.port(), "/after"), "");  // no longer listening
}

TEST(HttpServerTest, SlowClientsAreDroppedAndOthersServed) {
  HttpServerOptions options = Loopback();
  options.read_timeout_s = 1;
  options.keep_alive_timeout_s = 1;
  Running r(options, [](const HttpRequest& req) {
    HttpResponse res;
    res.body = "{\"path\":\"" + req.target + "\"}";
    return res;
  });
  ASSERT_OK(r.Start());
  int slow = Connect(r.server.port());
  ASSERT_GE(slow, 0);
  Send(slow, "GET /iceberg/v1/config HTTP/1.1\r\nHost: x\r\n");  // never finished
  EXPECT_NE(Get(r.server.port(), "/fast").find(R"({"path":"/fast"})"), std::string::npos);
  const auto start = std::chrono::steady_clock::now();
  std::string dropped = ReadAll(slow);  // returns when the server closes the connection
  ::close(slow);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  EXPECT_EQ(dropped.find("200 OK"), std::string::npos) << dropped;
  EXPECT_NE(Get(r.server.port(), "/still").find(R"({"path":"/still"})"), std::string::npos);
}

TEST(HttpServerTest, OversizedBodiesAre413AndNeverReachTheHandler) {
  HttpServerOptions options = Loopback();
  options.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  Running r(options, [&](const HttpRequest& req) {
    ++calls;
    HttpResponse res;
    res.body = std::to_string(req.body.size());
    return res;
  });
  ASSERT_OK(r.Start());
  auto post = [&](size_t n) {
    int fd = Connect(r.server.port());
    Send(fd, "POST /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: " +
                 std::to_string(n) + "\r\n\r\n" + std::string(n, 'a'));
    std::string out = ReadAll(fd);
    ::close(fd);
    return out;
  };
  EXPECT_NE(post(1000).find("200 OK"), std::string::npos);
  EXPECT_NE(post(5000).find("413"), std::string::npos);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace atl::serve
