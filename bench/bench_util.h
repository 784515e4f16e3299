// Helpers for atoll's benchmark programs: timing, parallel loops, local files, running
// another program, and the comparison table.
//
// Thread safety: ParallelFor runs `fn` on several threads at once; everything else is
// meant for the benchmark's main thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <variant>
#include <vector>

#include "atoll/common/parallel.h"
#include "atoll/common/result.h"

namespace atl::bench {

// Seconds taken by `fn`, or its error.
Result<double> Time(const std::function<Status()>& fn);

// ParallelFor: atoll/common/parallel.h.

// Writes `data` to `path` (created or truncated).
Status WriteFile(const std::string& path, std::string_view data);

// OK when the files at `a` and `b` hold the same bytes; kCorruption naming the first
// difference (size or offset) otherwise.
Status SameFile(const std::string& a, const std::string& b);

// Runs `argv` (argv[0] a path) with this process's environment and stdout sent to
// /dev/null; stderr is inherited. OK when it exits with status 0.
Status RunProgram(const std::vector<std::string>& argv);

// One row of the comparison: the same work done by atoll and by the other client.
struct Comparison {
  std::string name;   // "PUT 1,000 x 64 KiB"
  double amount = 0;  // objects or MiB moved per run
  std::string unit;   // "objects/s" or "MiB/s"
  double goal = 0;    // required ratio atoll / other; 0: for information only
  double atoll_seconds = 0;
  double other_seconds = 0;
  double Ratio() const { return other_seconds / atoll_seconds; }
  bool GoalMet() const { return Ratio() >= goal; }
};

// The command-line flags of a benchmark program, each bound to a variable that Parse sets.
// Every program accepts --repeat N (scripts/bench.sh passes its arguments to all of them);
// one without a repeat of its own binds nothing and ignores it.
class Flags {
 public:
  explicit Flags(std::string program) : program_(std::move(program)) {}
  // A flag with a value ("--files N"): an integer that must be whole and not negative, or
  // any text. `name` includes the dashes.
  Flags& Add(std::string name, int* value);
  Flags& Add(std::string name, int64_t* value);
  Flags& Add(std::string name, std::string* value);
  // A switch without a value ("--check").
  Flags& Switch(std::string name, bool* value);
  // OK, or kInvalidArgument naming the unknown flag, the missing or bad value, and the usage.
  Status Parse(int argc, char** argv) const;
  // Parse, printing its error on stderr: false when main should exit with status 2.
  bool ParseOrComplain(int argc, char** argv) const;
  // "usage: <program> [--files N] [--dir TEXT] [--check] [--repeat N]".
  std::string Usage() const;

 private:
  struct Flag {
    std::string name;
    std::variant<int*, int64_t*, std::string*, bool*> target;
  };
  std::string program_;
  std::vector<Flag> flags_;
};

// Prints the rows as an aligned table on stdout, naming the other client `other`.
void PrintTable(const std::vector<Comparison>& rows, const std::string& other);

}  // namespace atl::bench
