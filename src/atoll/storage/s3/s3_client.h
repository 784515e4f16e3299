// S3Client: turns one S3 operation (method, key, query, headers, body) into a signed
// HTTP request to the configured endpoint and sends it, retrying transient failures.
//
// Addressing: virtual-hosted ("https://bucket.s3.region.amazonaws.com/key") or
// path-style ("http://127.0.0.1:9000/bucket/key"), from S3Config::path_style.
//
// Retries (S3Config::retry: attempts, exponential backoff with full jitter) on
// connection failures, time-outs, 5xx (but 501), 429, SlowDown and RequestTimeout.
// A request whose answer was lost after it was sent is retried only when the caller
// says repeating it is harmless; otherwise Send returns kUnknownOutcome at once.
//
// Thread safety: Send may be called concurrently.
#pragma once

#include <string>

#include "atoll/storage/body.h"
#include "atoll/storage/s3/http.h"
#include "atoll/storage/s3/s3_config.h"
#include "atoll/storage/s3/sigv4.h"
#include "atoll/storage/store.h"

namespace atl::storage {

struct S3Call {
  S3Call(std::string method_, std::string key_, sigv4::HeaderList query_ = {})
      : method(std::move(method_)), key(std::move(key_)), query(std::move(query_)) {}
  // Sends `length` bytes of `b` from `offset` as the body; `b` must outlive the call.
  void SetBody(const Body& b, uint64_t offset, uint64_t length) {
    body = &b;
    body_offset = offset;
    body_length = length;
  }

  std::string method;
  std::string key;             // raw object key; empty for a bucket-level request
  sigv4::HeaderList query;     // raw names/values
  sigv4::HeaderList headers;   // signed and sent (lower-case names)
  const Body* body = nullptr;  // optional: body_length bytes from body_offset
  uint64_t body_offset = 0;
  uint64_t body_length = 0;
  // Whether repeating the request after a lost answer is harmless (true for reads,
  // unconditional writes and deletes; false for conditional writes).
  bool repeat_when_lost = true;
};

// Adds If-None-Match / If-Match for a conditional write, which then is not repeated
// after a lost answer (a repeat could fail on the write's own success).
void AddPutCondition(const PutOptions& options, S3Call& call);

class S3Client {
 public:
  explicit S3Client(S3Config config);

  const S3Config& config() const { return config_; }

  // "s3://bucket/key" (or "s3://bucket" for an empty key), for messages.
  std::string Describe(std::string_view key) const;

  // Sends `call` with retries. Returns the final answer for any non-retryable HTTP
  // status (2xx, 3xx and most 4xx: the caller interprets them); a transient failure
  // that outlasted the retries is returned as its error Status. `what` names the
  // operation for messages ("PUT s3://b/k").
  Result<http::Response> Send(const S3Call& call, std::string_view what);

  // The Status for a non-2xx answer (parses its XML error body).
  Status ErrorOf(std::string_view what, const http::Response& response) const;

 private:
  Result<http::Response> SendOnce(const S3Call& call, const std::string& payload_hash);

  S3Config config_;
  std::string scheme_;  // "https" or "http"
  std::string host_;    // host[:port] of the service endpoint (without the bucket)
  http::HttpClient http_;
};

}  // namespace atl::storage
