// Engine-internal: the DuckDB handles behind an Engine, for other engine-layer code
// (appender.cc) that talks to DuckDB's C API. Not for use outside src/atoll/engine.
//
// The handles are owned by the Engine and valid while it lives; using the connection
// follows the Engine's threading rule (one thread at a time).
#pragma once

#include <duckdb.h>

#include "atoll/common/status.h"
#include "atoll/engine/engine.h"

namespace atl::engine::internal {

struct EngineAccess {
  static duckdb_connection Connection(Engine& engine);
  static duckdb_database Database(Engine& engine);
};

// A DuckDB error message as a Status, with the code mapping of Engine::Query.
Status StatusFromDuckDbError(const char* message);

}  // namespace atl::engine::internal
