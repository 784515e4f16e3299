// The interactive SQL shell: `atoll query LAKE` with no SQL while stdin is a terminal.
//
// A prompt with line editing and history (libedit; the history file is
// $XDG_STATE_HOME/atoll/history, or ~/.local/state/atoll/history). Every table of the lake
// is in scope as <zone>.<db>.<table>, through the same session as `atoll query`
// (sql/lake_sql.h), so writes are Iceberg commits recorded in the trail. A statement runs
// when its line ends with ';'; results print like --format table, at most
// ShellOptions::max_rows rows each. Helpers at the start of a line:
//   .tables, \dt          the lake's tables
//   \d NAME, .schema NAME  the columns of a table (DESCRIBE)
//   .help                 these lines;  .quit, \q (or Ctrl-D)  leave
// Ctrl-C while a statement runs interrupts it (DuckDB's interrupt, engine/interrupt.h) and
// the prompt comes back; at the prompt it drops the line being typed.
//
// Thread safety: one shell per process (it owns the SIGINT handler while it runs).
#pragma once

#include <cstdint>
#include <string>

#include "atoll/cli/command.h"

namespace atl::cli {

struct ShellOptions {
  uint64_t max_rows = 1000;
};

Status RunShell(const std::string& lake, Io& io, const ShellOptions& options = {});

}  // namespace atl::cli
