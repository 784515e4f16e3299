// The command registry of the atoll binary.
//
// Each command is one CommandSpec: its name, help texts, options, how many positional
// arguments it takes, and the function that runs it. Adding a command = one file that
// defines `CommandSpec XxxCommand()` plus one line in the table in commands.cc.
//
// Exit codes (the same for every command):
//   0  success
//   1  failure (the command ran and something went wrong: missing object, I/O, S3 error)
//   2  usage error (unknown command or option, bad option value, wrong argument count)
//   3  finished, but some input was rejected (atoll ingest: files moved to _rejected/);
//      set by the command through Io::exit_code, so scripts can tell it from a failure
// Errors are printed on stderr as one line: "atoll: error: <message>".
//
// Thread safety: the registry is immutable after first use; commands run on the caller's
// thread (they may start their own workers).
#pragma once

#include <functional>
#include <ostream>
#include <string_view>
#include <vector>

#include "atoll/cli/args.h"
#include "atoll/common/status.h"

namespace atl::cli {

// Where a command writes: `out` carries its result (text or one JSON document), `err`
// diagnostics. Progress bars go straight to the stderr file descriptor when it is a TTY.
struct Io {
  std::ostream& out;
  std::ostream& err;
  // The exit code of a command that returns OK: 0, or kExitRejected. A failing command
  // exits with 1 whatever this says.
  int exit_code = 0;
  // -v/--verbose (every command): log events of info level are echoed on `err` too;
  // without it only warnings and errors are (the results are the command's own output).
  bool verbose = false;
};

inline constexpr int kExitRejected = 3;

// Prints "atoll: warning: <what>: <message>" on io.err (for the library's warning
// callbacks, e.g. lake::RecordRunOptions::on_warning).
std::function<void(std::string_view what, const Status& status)> PrintWarning(Io& io);

struct CommandSpec {
  std::string_view name;            // "cp"
  std::string_view summary;         // one line for `atoll --help`
  std::string_view arguments;       // positional arguments for the usage line: "SRC DST"
  std::string_view description;     // the body of `atoll <name> --help`
  std::vector<OptionSpec> options;  // --help/-h is added for every command
  size_t min_positional = 0;
  size_t max_positional = 0;
  // Runs the command with validated arguments. A non-OK status exits with 1.
  Status (*run)(const ParsedArgs& args, Io& io) = nullptr;
  // Checks of the arguments the counts above cannot express (e.g. "SQL or --file"); a
  // non-OK status is a usage error (exit 2). May be null.
  Status (*check_args)(const ParsedArgs& args) = nullptr;
};

// Every command, in the order `atoll --help` lists them.
const std::vector<CommandSpec>& Commands();

// The command named `name`, or nullptr.
const CommandSpec* FindCommand(std::string_view name);

// The definitions, one per command file.
CommandSpec CpCommand();
CommandSpec InitCommand();
CommandSpec IngestCommand();
CommandSpec WatchCommand();
CommandSpec TablesCommand();
CommandSpec LsCommand();
CommandSpec MaintainCommand();
CommandSpec QueryCommand();
CommandSpec SnapshotCommand();
CommandSpec StatsCommand();
CommandSpec StreamCommand();
CommandSpec TrailCommand();
CommandSpec TransformCommand();
CommandSpec ServeCommand();
CommandSpec TokenCommand();
CommandSpec VersionCommand();

// Runs the binary: `argv` without the program name. Returns the exit code.
int Main(const std::vector<std::string>& argv, Io& io);

}  // namespace atl::cli
