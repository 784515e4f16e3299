// Command-line arguments of one atoll command, parsed against a table of options.
//
// Accepted forms: --name, --name=value, --name value, -x, -x value, combined short flags
// (-rv), and "--" to end the options (everything after it is positional; a lone "-" is
// positional too). Options may appear before, between or after positional arguments.
//
// No external library: the grammar above is all atoll needs, Debian's choices (getopt_long,
// Boost.Program_options, CLI11) would either add a dependency or a global-state C API,
// and the option table doubles as the source of each command's --help text.
//
// Thread safety: plain values; ParseArgs is a pure function.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::cli {

enum class OptionKind {
  kFlag,    // present or not
  kString,  // takes a value
  kInt,     // takes an integer value within [min_value, max_value]
};

struct OptionSpec {
  std::string_view name;  // long name without "--", e.g. "recursive"
  char short_name = 0;    // e.g. 'r'; 0 for none
  OptionKind kind = OptionKind::kFlag;
  std::string_view value_name;  // shown in help, e.g. "N"
  std::string_view help;        // one line
  int64_t min_value = INT64_MIN;
  int64_t max_value = INT64_MAX;
  // kString only: when not empty, the value must be one of these (else a usage error).
  std::vector<std::string_view> choices = {};
};

class ParsedArgs {
 public:
  const std::vector<std::string>& positional() const { return positional_; }
  // True when the flag (or any option) `name` was given.
  bool Has(std::string_view name) const { return values_.find(name) != values_.end(); }
  // The value of a kString/kInt option, if given (the last one wins).
  std::optional<std::string> Value(std::string_view name) const;
  // The value of a kInt option (validated by ParseArgs), or `fallback`.
  int64_t Int(std::string_view name, int64_t fallback) const;

 private:
  friend Result<ParsedArgs> ParseArgs(const std::vector<std::string>&,
                                      const std::vector<OptionSpec>&);
  std::vector<std::string> positional_;
  std::map<std::string, std::string, std::less<>> values_;  // flags map to ""
};

// Parses `args` (the words after the command name). kInvalidArgument with a message
// fit for the user ("unknown option '--foo'", "option '--parallel' needs a value N",
// "option '--parallel' expects an integer from 1 to 256, got 'x'") on any misuse.
Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs);

// The whole content of the local file an option names (a key, a SQL file); kNotFound
// "cannot read <path>" when it cannot be opened.
Result<std::string> ReadTextFile(const std::string& path);

}  // namespace atl::cli
