// Runs the built atoll binary (ATOLL_BINARY, a compile definition) as a subprocess and
// captures its exit code, stdout and stderr.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace atl::cli::testing {

struct RunResult {
  int exit_code = -1;  // -1 when it did not exit normally
  std::string out;
  std::string err;
};

// Runs `atoll args...` in `cwd` (when non-empty) with the current environment plus `env`
// (a value "" removes the variable). Stdin is /dev/null.
RunResult RunAtoll(const std::vector<std::string>& args, const std::string& cwd = "",
                   const std::map<std::string, std::string>& env = {});

// The same for any program: `argv[0]` is its absolute path.
RunResult RunProgram(const std::vector<std::string>& argv, const std::string& cwd = "",
                     const std::map<std::string, std::string>& env = {});

}  // namespace atl::cli::testing
