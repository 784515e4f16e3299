// Stopping the statement an engine runs, from another thread or a signal handler (the
// interactive shell's Ctrl-C, cli/shell.h).
//
//   const engine::Interrupter stop(engine);   // while `engine` lives
//   ... in a SIGINT handler: stop.Interrupt();
//
// The statement running at that moment (or the rows still to be read of a stream) ends
// with kCancelled ("INTERRUPT Error: Interrupted!"); the engine stays usable, and the next
// statement runs normally. With nothing running, the call has no lasting effect.
//
// Thread safety: Interrupt() only sets DuckDB's atomic flag of the connection, so it may be
// called from any thread and from a signal handler, while the engine lives.
#pragma once

#include "atoll/engine/engine.h"

namespace atl::engine {

class Interrupter {
 public:
  explicit Interrupter(Engine& engine);
  void Interrupt() const;

 private:
  void* connection_;  // the engine's duckdb_connection
};

}  // namespace atl::engine
