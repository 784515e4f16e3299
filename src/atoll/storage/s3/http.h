// A small HTTP/1.1 client over libcurl for the S3 store.
//
// HttpClient keeps a pool of curl easy handles; each handle keeps its connections
// open, so consecutive requests reuse them (keep-alive). A request body is streamed
// from a slice of an atl::storage::Body (no copy); the response body is collected into
// a string.
//
// Transport failures (no HTTP answer) are returned as errors:
//   kUnavailable     the request was never sent (DNS, connection refused/timed out);
//   kUnknownOutcome  it was (or may have been) sent and no complete answer came back
//                    (reset, stalled transfer): the server may have acted on it.
// Any HTTP status, 4xx and 5xx included, is a successful Send: the caller interprets it.
//
// curl 7.88 adds "Expect: 100-continue" to every upload. It is not among the signed
// headers (the server ignores it for signing). Header removals ("Expect:") are never
// sent; instead curl waits for "100 Continue" only before bodies over 1 MiB (so a
// refused upload stops before its body is sent) and sends small bodies at once (no
// extra round trip).
//
// Thread safety: Send may be called concurrently; each call uses its own handle.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/body.h"

namespace atl::storage::http {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Request {
  std::string method;  // GET, HEAD, PUT, POST, DELETE
  std::string url;     // already encoded
  HeaderList headers;  // sent as given
  // The body: body_length bytes of `body` from body_offset (nullptr = no body).
  const Body* body = nullptr;
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
};

struct Response {
  long status = 0;
  HeaderList headers;  // names lower-cased, in arrival order
  std::string body;

  bool ok() const { return status >= 200 && status < 300; }

  // The first header named `name` (lower case), or "".
  std::string Header(std::string_view name) const;
};

struct Timeouts {
  int64_t connect_ms = 10'000;
  int64_t stall_s = 60;  // abandon a transfer slower than 1 byte/s for this long
};

class HttpClient {
 public:
  explicit HttpClient(Timeouts timeouts);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Sends `request` and waits for the whole answer (see the file comment for errors).
  Result<Response> Send(const Request& request);

 private:
  void* Acquire();
  void Release(void* handle);

  Timeouts timeouts_;
  std::mutex mu_;
  std::vector<void*> idle_;  // CURL* handles not in use
};

}  // namespace atl::storage::http
