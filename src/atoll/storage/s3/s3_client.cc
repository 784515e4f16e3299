#include "atoll/storage/s3/s3_client.h"

#include <chrono>
#include <thread>

#include "atoll/storage/s3/s3_errors.h"
#include "atoll/storage/s3/s3_xml.h"

namespace atl::storage {
namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

void AddPutCondition(const PutOptions& options, S3Call& call) {
  if (options.condition == PutCondition::kIfAbsent) {
    call.headers.emplace_back("if-none-match", "*");
  } else if (options.condition == PutCondition::kIfMatch) {
    call.headers.emplace_back("if-match", "\"" + options.if_match + "\"");
  }
  if (options.condition != PutCondition::kNone) call.repeat_when_lost = false;
}

S3Client::S3Client(S3Config config)
    : config_(std::move(config)),
      http_(http::Timeouts{config_.connect_timeout_ms, config_.stall_timeout_s}) {
  if (config_.endpoint.empty()) {
    scheme_ = "https";
    host_ = "s3." + config_.region + ".amazonaws.com";
  } else {
    std::string_view ep = config_.endpoint;
    size_t sep = ep.find("://");
    scheme_ = sep == std::string_view::npos ? "https" : std::string(ep.substr(0, sep));
    host_ = std::string(sep == std::string_view::npos ? ep : ep.substr(sep + 3));
  }
}

std::string S3Client::Describe(std::string_view key) const {
  return key.empty() ? "s3://" + config_.bucket : StrCat("s3://", config_.bucket, "/", key);
}

Result<http::Response> S3Client::SendOnce(const S3Call& call, const std::string& payload_hash) {
  sigv4::Request req;
  req.method = call.method;
  if (config_.path_style) {
    req.host = host_;
    req.path = "/" + config_.bucket + (call.key.empty() ? "" : "/" + call.key);
  } else {
    req.host = config_.bucket + "." + host_;
    req.path = "/" + call.key;
  }
  req.query = call.query;
  req.headers = call.headers;
  req.payload_hash = payload_hash;
  sigv4::Signed s =
      sigv4::Sign(req, {config_.access_key_id, config_.secret_access_key, config_.session_token},
                  config_.region, "s3", NowSeconds());

  http::Request hr;
  hr.method = call.method;
  hr.url = scheme_ + "://" + req.host + s.canonical_uri;
  if (!s.canonical_query.empty()) hr.url += "?" + s.canonical_query;
  hr.headers = std::move(s.headers);
  hr.body = call.body;
  hr.body_offset = call.body_offset;
  hr.body_length = call.body_length;
  return http_.Send(hr);
}

Result<http::Response> S3Client::Send(const S3Call& call, std::string_view what) {
  std::string payload_hash = sigv4::Sha256Hex("");
  if (call.body != nullptr && call.body_length > 0) {
    if (call.body_length <= config_.max_signed_payload) {
      ATOLL_ASSIGN_OR_RETURN_CTX(std::string data,
                                 call.body->Slice(call.body_offset, call.body_length),
                                 StrCat(what, ": reading the body"));
      payload_hash = sigv4::Sha256Hex(data);
    } else {
      payload_hash = std::string(sigv4::kUnsignedPayload);
    }
  }
  const bool is_read = call.method == "GET" || call.method == "HEAD";
  const int attempts = std::max(1, config_.retry.max_attempts);
  for (int attempt = 1;; ++attempt) {
    Result<http::Response> r = SendOnce(call, payload_hash);
    Status error;
    if (!r.ok()) {
      error = r.status().WithContext(what);
      if (error.code() == StatusCode::kUnknownOutcome) {
        if (is_read)
          error = Unavailable(error.message());
        else if (!call.repeat_when_lost)
          return error;
      }
    } else {
      s3xml::ErrorBody body;
      if (r->status >= 400) body = s3xml::ParseError(r->body);
      if (r->status < 400 || !IsRetryableS3Error(r->status, body.code)) return r;
      error = S3ErrorToStatus(what, r->status, body);
    }
    if (attempt >= attempts) {
      return error.WithContext(StrCat("after ", static_cast<int64_t>(attempt), " attempts"));
    }
    if (config_.retry.on_retry) config_.retry.on_retry(attempt, error);
    std::this_thread::sleep_for(BackoffDelay(config_.retry, attempt));
  }
}

Status S3Client::ErrorOf(std::string_view what, const http::Response& response) const {
  return S3ErrorToStatus(what, response.status, s3xml::ParseError(response.body));
}

}  // namespace atl::storage
