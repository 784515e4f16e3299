// Retries and error mapping of the S3 store, against a scripted HTTP listener on
// 127.0.0.1 that answers each request as told (status and body, or hang up).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "atoll/storage/s3/s3_store.h"
#include "testing/testing.h"

namespace atl::storage {
namespace {

using ::atl::testing::IsError;
using ::testing::HasSubstr;

struct Answer {
  Answer(int status_, std::string body_ = "", std::string extra_headers_ = "")
      : status(status_), body(std::move(body_)), extra_headers(std::move(extra_headers_)) {}
  int status;  // 0 = close the connection without answering
  std::string body;
  std::string extra_headers;  // "Name: value\r\n" lines
};

// Serves one connection at a time; every answer closes its connection.
class ScriptedServer {
 public:
  explicit ScriptedServer(std::vector<Answer> script) : script_(std::move(script)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    socklen_t len = sizeof(addr);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Run(); });
  }
  ~ScriptedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_.load(); }
  std::string last_request() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_request_;
  }

 private:
  void Run() {
    while (true) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string request = ReadRequest(c);
      int n = requests_.fetch_add(1);
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_request_ = request;
      }
      const Answer& a = script_[std::min<size_t>(n, script_.size() - 1)];
      if (a.status != 0) {
        std::string out = "HTTP/1.1 " + std::to_string(a.status) +
                          " X\r\nContent-Length: " + std::to_string(a.body.size()) +
                          "\r\nConnection: close\r\n" + a.extra_headers + "\r\n" + a.body;
        (void)!::write(c, out.data(), out.size());
      }
      ::close(c);
    }
  }
  static std::string ReadRequest(int c) {
    std::string data;
    char buf[4096];
    size_t need = std::string::npos;
    while (need == std::string::npos || data.size() < need) {
      ssize_t r = ::read(c, buf, sizeof(buf));
      if (r <= 0) break;
      data.append(buf, static_cast<size_t>(r));
      size_t end = data.find("\r\n\r\n");
      if (need == std::string::npos && end != std::string::npos) {
        size_t length = 0;
        size_t cl = data.find("ontent-Length: ");
        if (cl != std::string::npos && cl < end) length = std::stoul(data.substr(cl + 15));
        need = end + 4 + length;
      }
    }
    return data;
  }

  std::vector<Answer> script_;
  int fd_ = -1;
  int port_ = 0;
  std::thread thread_;
  std::atomic<int> requests_{0};
  std::mutex mu_;
  std::string last_request_;
};

std::unique_ptr<S3Store> StoreFor(const std::string& endpoint) {
  S3Config config;
  config.bucket = "bk";
  config.endpoint = endpoint;
  config.path_style = true;
  config.access_key_id = "AK";
  config.secret_access_key = "SK";
  config.retry.max_attempts = 3;
  config.retry.base_delay = std::chrono::milliseconds(1);
  return std::move(S3Store::Open(config).value());
}

const char kSlowDown[] = "<Error><Code>SlowDown</Code><Message>Reduce your rate</Message></Error>";

TEST(S3RetryTest, RetriesServerErrorsUntilSuccess) {
  ScriptedServer server({{503, kSlowDown}, {500, ""}, {200, "payload"}});
  auto store = StoreFor(server.endpoint());
  EXPECT_EQ(store->Get("a/key").value_or("?"), "payload");
  EXPECT_EQ(server.requests(), 3);
  const std::string request = server.last_request();
  EXPECT_THAT(request, HasSubstr("GET /bk/a/key HTTP/1.1"));
  EXPECT_THAT(request, HasSubstr("authorization: AWS4-HMAC-SHA256 Credential=AK/"));
  EXPECT_THAT(request, HasSubstr("x-amz-content-sha256: "));
}

TEST(S3RetryTest, GivesUpAfterMaxAttemptsWithAClearMessage) {
  ScriptedServer server({{503, kSlowDown}});
  auto store = StoreFor(server.endpoint());
  auto r = store->Get("a/key");
  ASSERT_THAT(r, IsError(StatusCode::kUnavailable));
  EXPECT_EQ(server.requests(), 3);
  EXPECT_THAT(r.status().message(), HasSubstr("HTTP 503 SlowDown"));
  EXPECT_THAT(r.status().message(), HasSubstr("s3://bk/a/key"));
  EXPECT_THAT(r.status().message(), HasSubstr("after 3 attempts"));
}

TEST(S3RetryTest, RetriesThrottlingAndRequestTimeout) {
  ScriptedServer server({{429, ""},
                         {400, "<Error><Code>RequestTimeout</Code></Error>"},
                         {200, "", "ETag: \"e1\"\r\n"}});
  auto store = StoreFor(server.endpoint());
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, PutString(*store, "k", "body"));
  EXPECT_EQ(info.etag, "e1");
  EXPECT_EQ(server.requests(), 3);
  EXPECT_THAT(server.last_request(), HasSubstr("\r\n\r\nbody"));
}

TEST(S3RetryTest, RepeatsAnUnconditionalPutWhoseAnswerWasLost) {
  ScriptedServer server({{0, ""}, {200, "", "ETag: \"e2\"\r\n"}});
  auto store = StoreFor(server.endpoint());
  ASSERT_OK_AND_ASSIGN(ObjectInfo info, PutString(*store, "k", "body"));
  EXPECT_EQ(info.etag, "e2");
  EXPECT_EQ(server.requests(), 2);
}

TEST(S3RetryTest, ConditionalPutWhoseAnswerWasLostHasUnknownOutcome) {
  ScriptedServer server({{0, ""}, {200, ""}});
  auto store = StoreFor(server.endpoint());
  PutOptions options;
  options.condition = PutCondition::kIfAbsent;
  auto r = PutString(*store, "k", "body", options);
  ASSERT_THAT(r, IsError(StatusCode::kUnknownOutcome));
  EXPECT_EQ(server.requests(), 1) << "a conditional write must not be repeated blindly";
  EXPECT_THAT(r.status().message(), HasSubstr("s3://bk/k"));
}

TEST(S3RetryTest, ReadsWhoseAnswerWasLostAreUnavailable) {
  ScriptedServer server({{0, ""}});
  auto store = StoreFor(server.endpoint());
  EXPECT_THAT(store->Head("k"), IsError(StatusCode::kUnavailable));
  EXPECT_EQ(server.requests(), 3);
}

TEST(S3RetryTest, DoesNotRetryDefiniteAnswers) {
  ScriptedServer server({{404, "<Error><Code>NoSuchKey</Code><Message>gone</Message></Error>"}});
  auto store = StoreFor(server.endpoint());
  auto r = store->Get("missing");
  ASSERT_THAT(r, IsError(StatusCode::kNotFound));
  EXPECT_EQ(server.requests(), 1);
  EXPECT_THAT(r.status().message(), HasSubstr("GET s3://bk/missing: HTTP 404 NoSuchKey (gone)"));
}

TEST(S3RetryTest, MapsConditionalWriteAnswers) {
  PutOptions if_absent;
  if_absent.condition = PutCondition::kIfAbsent;
  PutOptions if_match;
  if_match.condition = PutCondition::kIfMatch;
  if_match.if_match = "abc";
  {
    ScriptedServer server({{412, "<Error><Code>PreconditionFailed</Code></Error>"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_THAT(PutString(*store, "k", "v", if_absent), IsError(StatusCode::kAlreadyExists));
    EXPECT_THAT(server.last_request(), HasSubstr("if-none-match: *"));
    EXPECT_THAT(PutString(*store, "k", "v", if_match), IsError(StatusCode::kPreconditionFailed));
    EXPECT_THAT(server.last_request(), HasSubstr("if-match: \"abc\""));
  }
  {
    ScriptedServer server({{404, "<Error><Code>NoSuchKey</Code></Error>"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_THAT(PutString(*store, "k", "v", if_match), IsError(StatusCode::kNotFound));
  }
  {
    ScriptedServer server({{501, "<Error><Code>NotImplemented</Code></Error>"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_THAT(PutString(*store, "k", "v", if_absent), IsError(StatusCode::kNotSupported));
  }
}

TEST(S3RetryTest, AuthenticationFailuresSayWhatToCheck) {
  ScriptedServer server(
      {{403, "<Error><Code>InvalidAccessKeyId</Code><Message>unknown key</Message></Error>"}});
  auto store = StoreFor(server.endpoint());
  auto r = store->Get("k");
  ASSERT_THAT(r, IsError(StatusCode::kPermissionDenied));
  EXPECT_THAT(r.status().message(), HasSubstr("HTTP 403 InvalidAccessKeyId (unknown key)"));
  EXPECT_THAT(r.status().message(), HasSubstr("authentication/authorization error"));
  EXPECT_EQ(server.requests(), 1);
}

TEST(S3RetryTest, RangePastTheEndIsEmpty) {
  ScriptedServer server({{416, "<Error><Code>InvalidRange</Code></Error>"}});
  auto store = StoreFor(server.endpoint());
  EXPECT_EQ(store->Get("k", ByteRange::Slice(10, 5)).value_or("?"), "");
  EXPECT_THAT(server.last_request(), HasSubstr("range: bytes=10-14"));
}

TEST(S3RetryTest, TrimsAnswersWiderThanTheRequestedRange) {
  {  // 206 covering more than asked (s3rver answers "bytes=0-0" with the whole object)
    ScriptedServer server({{206, "0123456789", "Content-Range: bytes 0-9/10\r\n"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_EQ(store->Get("k", ByteRange::Slice(0, 1)).value_or("?"), "0");
  }
  {  // 200: the server ignored the Range header
    ScriptedServer server({{200, "0123456789"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_EQ(store->Get("k", ByteRange::Slice(3, 4)).value_or("?"), "3456");
    EXPECT_EQ(store->Get("k", ByteRange::Slice(8, ByteRange::kToEnd)).value_or("?"), "89");
  }
  {  // 206 that does not start where asked is an error, not silently wrong data
    ScriptedServer server({{206, "456", "Content-Range: bytes 4-6/10\r\n"}});
    auto store = StoreFor(server.endpoint());
    EXPECT_THAT(store->Get("k", ByteRange::Slice(3, 3)), IsError(StatusCode::kIOError));
  }
}

TEST(S3RetryTest, UnreachableServerIsUnavailable) {
  int port;
  {
    ScriptedServer server({{200, ""}});
    port = std::stoi(server.endpoint().substr(17));
  }  // closed: nothing listens on the port now
  auto store = StoreFor("http://127.0.0.1:" + std::to_string(port));
  auto r = store->Get("k");
  ASSERT_THAT(r, IsError(StatusCode::kUnavailable));
  EXPECT_THAT(r.status().message(), HasSubstr("not sent"));
}

}  // namespace
}  // namespace atl::storage
