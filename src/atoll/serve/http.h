// The HTTP request and response of the REST catalog as plain values, apart from the
// server library (http_server.h is the only file that includes cpp-httplib), so that the
// handlers can be tested without sockets.
//
// Thread safety: plain values.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace atl::serve {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "POST", "DELETE", ...
  // The request target as sent, still percent-encoded: "/iceberg/v1/namespaces?parent=stg".
  // Routing splits it into segments before decoding, so "%2F" stays inside its segment.
  std::string target;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote;  // "127.0.0.1:53412"

  // The header `name` (lower case), or "".
  std::string Header(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::map<std::string, std::string> headers;  // e.g. {"ETag", "\"...\""}
  std::string body;
  std::string content_type = "application/json";
};

}  // namespace atl::serve
