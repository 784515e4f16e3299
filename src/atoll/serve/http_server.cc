#include "atoll/serve/http_server.h"

#include <httplib.h>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <utility>

namespace atl::serve {

std::string HttpRequest::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? "" : it->second;
}

struct HttpServer::Impl {
  std::unique_ptr<httplib::Server> server;
  std::atomic<bool> stopping{false};
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler)
    : options_(std::move(options)), handler_(std::move(handler)), impl_(std::make_unique<Impl>()) {}

HttpServer::~HttpServer() = default;

namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// The one adapter between cpp-httplib and the catalog: copies the request, runs the
// handler, copies the response. Nothing thrown escapes (the handler returns errors as
// responses; an exception here would be a bug, answered 500).
void Serve(const HttpHandler& handler, const httplib::Request& in, httplib::Response& out) {
  HttpRequest req;
  req.method = in.method;
  req.target = in.target;
  for (const auto& [name, value] : in.headers) req.headers[Lower(name)] = value;
  req.body = in.body;
  req.remote = in.remote_addr + ":" + std::to_string(in.remote_port);
  HttpResponse res;
  try {
    res = handler(req);
  } catch (const std::exception& e) {
    res.status = 500;
    res.body = R"({"error":{"message":"internal error","type":"InternalServerError","code":500}})";
  }
  out.status = res.status;
  for (const auto& [name, value] : res.headers) out.set_header(name, value);
  if (!res.body.empty()) out.set_content(res.body, res.content_type.c_str());
}

}  // namespace

Status HttpServer::Bind() {
  if (options_.tls_cert.empty() != options_.tls_key.empty()) {
    return InvalidArgument("--tls-cert and --tls-key go together");
  }
  if (!options_.tls_cert.empty()) {
    for (const std::string& f : {options_.tls_cert, options_.tls_key}) {
      std::error_code ec;
      if (!std::filesystem::is_regular_file(f, ec)) return InvalidArgument("cannot read ", f);
    }
    auto ssl =
        std::make_unique<httplib::SSLServer>(options_.tls_cert.c_str(), options_.tls_key.c_str());
    if (!ssl->is_valid()) {
      return InvalidArgument("cannot use the TLS certificate ", options_.tls_cert, " and key ",
                             options_.tls_key);
    }
    impl_->server = std::move(ssl);
  } else {
    impl_->server = std::make_unique<httplib::Server>();
  }
  httplib::Server& s = *impl_->server;
  const int threads = options_.threads;
  s.new_task_queue = [threads] { return new httplib::ThreadPool(static_cast<size_t>(threads)); };
  // cpp-httplib writes the headers and the body apart: without TCP_NODELAY, Nagle's
  // algorithm and the client's delayed ACK hold every answer back ~40 ms.
  s.set_tcp_nodelay(true);
  s.set_payload_max_length(options_.max_body_bytes);
  s.set_read_timeout(options_.read_timeout_s, 0);
  s.set_write_timeout(options_.write_timeout_s, 0);
  s.set_keep_alive_timeout(options_.keep_alive_timeout_s);
  s.set_keep_alive_max_count(options_.keep_alive_max_requests);
  auto handle = [this](const httplib::Request& in, httplib::Response& out) {
    Serve(handler_, in, out);
  };
  // Every path of every method: the catalog routes on the raw target itself.
  s.Get(".*", handle);  // GET and HEAD
  s.Post(".*", handle);
  s.Put(".*", handle);
  s.Delete(".*", handle);
  s.Patch(".*", handle);
  s.Options(".*", handle);
  if (options_.port == 0) {
    port_ = s.bind_to_any_port(options_.host);
    if (port_ <= 0) return Unavailable("cannot listen on ", options_.host, " (any port)");
  } else {
    if (!s.bind_to_port(options_.host, options_.port)) {
      return Unavailable("cannot listen on ", options_.host, ":", options_.port,
                         " (address in use or not of this host)");
    }
    port_ = options_.port;
  }
  return Status::OK();
}

Status HttpServer::Run() {
  if (!impl_->server) return Internal("HttpServer::Run before Bind");
  if (impl_->stopping) return Status::OK();
  // listen_after_bind returns after stop(); the pool's destructor (in listen) joins the
  // workers, so the requests being handled are answered first.
  impl_->server->listen_after_bind();
  return Status::OK();
}

void HttpServer::Stop() {
  impl_->stopping = true;
  if (impl_->server) impl_->server->stop();
}

}  // namespace atl::serve
