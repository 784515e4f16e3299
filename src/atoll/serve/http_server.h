// HttpServer: the REST catalog's HTTP/1.1 server, on cpp-httplib (Debian's
// libcpp-httplib-dev; docs/serve.md says why): keep-alive, a thread pool, a bound on the
// request body, read and write time-outs, optional TLS (OpenSSL). Every request, whatever
// its method and path, goes to one handler; HEAD is answered without a body.
//
//   HttpServer server(options, [&](const HttpRequest& r) { return catalog.Handle(r); });
//   ATOLL_RETURN_NOT_OK(server.Bind());      // the port is taken now (port 0: any free one)
//   std::thread stopper([&] { WaitForSignal(); server.Stop(); });
//   ATOLL_RETURN_NOT_OK(server.Run());       // returns after Stop(), in-flight requests done
//
// Thread safety: the handler runs on the pool's threads, concurrently; Stop() may be
// called from any thread (also before Run()).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "atoll/common/result.h"
#include "atoll/serve/http.h"

namespace atl::serve {

struct HttpServerOptions {
  std::string host = "127.0.0.1";
  int port = 8181;       // 0: any free port (see port())
  std::string tls_cert;  // PEM files; both or neither
  std::string tls_key;
  size_t max_body_bytes = size_t{16} << 20;  // larger bodies are answered 413
  // Worker threads. cpp-httplib gives each connection a thread while it is open, idle
  // keep-alive connections too (up to keep_alive_timeout_s): this is how many clients
  // are served at once; more wait in the accept queue.
  int threads = 64;
  int read_timeout_s = 10;   // a client silent this long in the middle of a request, or
  int write_timeout_s = 10;  // not reading its answer, is dropped (slow clients)
  int keep_alive_timeout_s = 5;
  size_t keep_alive_max_requests = 10000;
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, HttpHandler handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Creates the listening socket. kInvalidArgument for unreadable TLS files, kUnavailable
  // when the address cannot be bound (in use, not local).
  Status Bind();
  // The bound port (after Bind).
  int port() const { return port_; }
  // Serves until Stop(); then waits for the requests being handled to finish.
  Status Run();
  // Stops accepting; Run() returns once in-flight requests are answered.
  void Stop();

 private:
  struct Impl;
  HttpServerOptions options_;
  HttpHandler handler_;
  std::unique_ptr<Impl> impl_;
  int port_ = 0;
};

}  // namespace atl::serve
