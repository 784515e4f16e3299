// atoll serve LAKE: the lake as an Iceberg REST catalog (docs/serve.md) until SIGTERM or
// SIGINT, which stop accepting, let the requests in flight (commits) finish, commit the
// access log and exit 0.
#include <pthread.h>
#include <signal.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "atoll/cli/command.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/work_session.h"
#include "atoll/serve/http_server.h"
#include "atoll/serve/rest_catalog.h"

namespace atl::cli {

namespace {

// "HOST:PORT" or "[V6]:PORT".
Status ParseListen(const std::string& text, serve::HttpServerOptions* options) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon + 1 == text.size()) {
    return InvalidArgument("--listen wants HOST:PORT, got '", text, "'");
  }
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  int port = 0;
  for (char c : text.substr(colon + 1)) {
    if (c < '0' || c > '9' || port > 65535) return InvalidArgument("bad port in '", text, "'");
    port = port * 10 + (c - '0');
  }
  if (port > 65535 || host.empty()) return InvalidArgument("bad --listen '", text, "'");
  options->host = host;
  options->port = port;
  return Status::OK();
}

bool IsLoopback(const std::string& host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

Status RunServe(const ParsedArgs& args, Io& io) {
  serve::HttpServerOptions options;
  ATOLL_RETURN_NOT_OK(ParseListen(args.Value("listen").value_or("127.0.0.1:8181"), &options));
  options.tls_cert = args.Value("tls-cert").value_or("");
  options.tls_key = args.Value("tls-key").value_or("");
  options.max_body_bytes = static_cast<size_t>(args.Int("max-body-bytes", 16 << 20));
  options.threads = static_cast<int>(args.Int("threads", 64));
  if (!IsLoopback(options.host) && options.tls_cert.empty() && !args.Has("insecure")) {
    return InvalidArgument("refusing to serve on ", options.host,
                           " without TLS: bearer tokens would cross the network in clear text; "
                           "give --tls-cert and --tls-key (or --insecure)");
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> opened,
                         lake::Lake::Open(args.positional()[0]));
  std::shared_ptr<const lake::Lake> lake = std::move(opened);
  serve::RestCatalogOptions catalog_options;
  catalog_options.echo = &io.err;
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<serve::RestCatalog> catalog,
                         serve::RestCatalog::Open(lake, catalog_options));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::WorkSession> session,
                         lake::WorkSession::Open(*lake, "", 1, "serve"));

  // The signals are taken by the waiting thread below only: block them everywhere first
  // (threads started later inherit the mask).
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  serve::HttpServer server(options,
                           [&](const serve::HttpRequest& r) { return catalog->Handle(r); });
  ATOLL_RETURN_NOT_OK(server.Bind());
  const std::string scheme = options.tls_cert.empty() ? "http" : "https";
  io.err << "atoll serve: listening on " << scheme << "://" << options.host << ":" << server.port()
         << "/iceberg" << std::endl;

  std::atomic<bool> stopped{false};
  std::thread waiter([&] {
    // Flushes the access log when due; stops on a signal.
    while (!stopped) {
      timespec tick{1, 0};
      int sig = sigtimedwait(&signals, nullptr, &tick);
      if (sig == SIGTERM || sig == SIGINT) {
        server.Stop();
        return;
      }
      if (catalog->AccessLogDue()) catalog->FlushAccessLog(session->engine());
    }
  });
  Status ran = server.Run();
  stopped = true;
  waiter.join();
  catalog->FlushAccessLog(session->engine());
  io.err << "atoll serve: stopped" << std::endl;
  return ran;
}

}  // namespace

CommandSpec ServeCommand() {
  return {
      .name = "serve",
      .summary = "Serve the lake as an Iceberg REST catalog (docs/serve.md)",
      .arguments = "LAKE",
      .description =
          "Serves the Iceberg REST catalog protocol at http://HOST:PORT/iceberg until\n"
          "SIGTERM or SIGINT (requests in flight finish first). Every request needs a bearer\n"
          "token made by 'atoll token create'. A non-loopback address needs --tls-cert and\n"
          "--tls-key, or --insecure. Port 0 picks a free port (printed on stderr).\n",
      .options = {{"listen", 0, OptionKind::kString, "HOST:PORT",
                   "Address to listen on (default 127.0.0.1:8181)"},
                  {"tls-cert", 0, OptionKind::kString, "FILE", "TLS certificate (PEM)"},
                  {"tls-key", 0, OptionKind::kString, "FILE", "TLS private key (PEM)"},
                  {"insecure", 0, OptionKind::kFlag, "", "Allow plain HTTP off loopback"},
                  {"max-body-bytes", 0, OptionKind::kInt, "N",
                   "Largest request body (default 16 MiB; larger: 413)", 1024, 1 << 30},
                  {"threads", 0, OptionKind::kInt, "N",
                   "Worker threads: connections served at once (default 64)", 1, 256}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunServe,
  };
}

}  // namespace atl::cli
