// RestCatalog: the lake as an Iceberg REST catalog (docs/serve.md). Handle() answers one
// request of `rest-catalog-open-api.yaml` under /iceberg/v1/...: it routes on the raw
// target, authenticates the bearer token (tokens.h), checks the token's scope and
// namespace, runs the handler and appends an access event to the lake's event log (the
// `log` zone; committed by FlushAccessLog, which `atoll serve` calls on a timer and at
// stop). Changes are committed by the same code as the CLI's (iceberg/commit/) and
// recorded in the lake's trail with the token's name as the user.
//
// Thread safety: Handle may run on many threads at once; FlushAccessLog from one thread.
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/event_log.h"
#include "atoll/serve/http.h"
#include "atoll/serve/tokens.h"
#include "atoll/trail/log.h"

namespace atl::serve {

struct RestCatalogOptions {
  std::string command = "atoll serve";  // the trail's and the event log's command
  int64_t token_cache_ms = 1000;        // a revoked token works at most this long
  std::ostream* echo = nullptr;         // warnings (failed flushes); access lines are not echoed
  std::function<int64_t()> now_ms;      // default: the system clock
};

class RestCatalog {
 public:
  // Opens the lake's tables and trail. Errors: OpenLakeTables' and OpenLakeTrail's.
  static Result<std::unique_ptr<RestCatalog>> Open(std::shared_ptr<const lake::Lake> lake,
                                                   RestCatalogOptions options = {});
  ~RestCatalog();

  HttpResponse Handle(const HttpRequest& request);

  // Commits the pending access events (and their trail record). Warns on failure.
  void FlushAccessLog(engine::Engine& engine);
  bool AccessLogDue() const;

  struct State;  // shared with the handlers (rest_handlers.h)

 private:
  explicit RestCatalog(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace atl::serve
