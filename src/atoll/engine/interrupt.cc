#include "atoll/engine/interrupt.h"

#include <duckdb.h>

#include "atoll/engine/engine_access.h"

namespace atl::engine {

Interrupter::Interrupter(Engine& engine)
    : connection_(internal::EngineAccess::Connection(engine)) {}

void Interrupter::Interrupt() const {
  duckdb_interrupt(static_cast<duckdb_connection>(connection_));
}

}  // namespace atl::engine
