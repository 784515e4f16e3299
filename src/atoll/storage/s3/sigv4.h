// AWS Signature Version 4 for S3 requests: pure functions of the request, the
// credentials and the time, so that signatures can be checked against known vectors
// and against an independent signer (botocore) in tests.
//
// The caller builds the request from *raw* (unencoded) path and query values; this
// file encodes them once, the way S3 expects (RFC 3986 unreserved characters kept,
// '/' kept in the path, everything else %XX with upper-case hex). The URL that is sent
// must be built from the same encoded forms (Signed::canonical_uri / canonical_query),
// so that what the server canonicalises is exactly what was signed.
//
// Thread safety: every function is reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace atl::storage::sigv4 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

struct Request {
  std::string method;  // "GET", "PUT", ...
  std::string host;    // the Host header: "bucket.s3.eu-west-1.amazonaws.com", "127.0.0.1:9000"
  std::string path;    // raw path beginning with '/': "/bucket/my key+1"
  HeaderList query;    // raw name/value pairs; a flag like "uploads" has an empty value
  HeaderList headers;  // further headers to sign and send ("range", "if-none-match", ...)
  // Hex SHA-256 of the body, or "UNSIGNED-PAYLOAD".
  std::string payload_hash;
};

struct Signed {
  std::string canonical_uri;    // the encoded path, to be sent as is
  std::string canonical_query;  // the encoded, sorted query, to be sent as is
  std::string canonical_request;
  std::string string_to_sign;
  std::string authorization;  // value of the Authorization header
  // Every header to send: the request's headers plus host, x-amz-date,
  // x-amz-content-sha256, x-amz-security-token (when set) and authorization.
  HeaderList headers;
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";

// Percent-encodes `s` (bytes, UTF-8 for text) keeping A-Z a-z 0-9 - . _ ~ and, when
// `keep_slash`, '/'. Hex digits are upper case.
std::string UriEncode(std::string_view s, bool keep_slash);

// "name=value&..." with names and values encoded by UriEncode and pairs sorted by
// encoded name, then encoded value.
std::string CanonicalQuery(const HeaderList& query);

// Lower-case hex SHA-256 of `data`.
std::string Sha256Hex(std::string_view data);

// Raw (32-byte) HMAC-SHA256 of `data` under `key`.
std::string HmacSha256(std::string_view key, std::string_view data);

// "YYYYMMDDTHHMMSSZ" for a time in seconds since the Unix epoch (UTC).
std::string AmzDate(int64_t unix_seconds);

// Signs `request` for `region` and `service` ("s3") at time `unix_seconds`.
Signed Sign(const Request& request, const Credentials& credentials, std::string_view region,
            std::string_view service, int64_t unix_seconds);

}  // namespace atl::storage::sigv4
