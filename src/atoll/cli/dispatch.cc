#include <algorithm>
#include <string>

#include "atoll/cli/command.h"

namespace atl::cli {

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

const OptionSpec kHelpOption{"help", 'h', OptionKind::kFlag, "", "Show this help and exit"};
const OptionSpec kVerboseOption{"verbose", 'v', OptionKind::kFlag, "",
                                "Also print the log events of info level on stderr"};

void PrintMainHelp(std::ostream& out) {
  out << "atoll - a lakehouse in one object-storage bucket\n\n"
         "Usage: atoll <command> [options] [arguments]\n\n"
         "Commands:\n";
  size_t width = 0;
  for (const auto& c : Commands()) width = std::max(width, c.name.size());
  for (const auto& c : Commands()) {
    out << "  " << c.name << std::string(width - c.name.size() + 3, ' ') << c.summary << "\n";
  }
  out << "\nRun 'atoll <command> --help' for the options of a command.\n"
         "Locations are local paths (relative or absolute), file:///absolute/path or\n"
         "s3://bucket/key. S3 credentials, region and endpoint follow the AWS conventions\n"
         "(AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE).\n"
         "Exit status: 0 success, 1 failure, 2 usage error, 3 finished but some input rejected\n"
         "(atoll ingest: files moved to _rejected/).\n";
}

std::string OptionLabel(const OptionSpec& o) {
  std::string label = o.short_name ? StrCat("-", std::string(1, o.short_name), ", ") : "    ";
  label += StrCat("--", o.name);
  if (o.kind != OptionKind::kFlag) label += StrCat(" ", o.value_name);
  return label;
}

// "Usage: atoll cp [options] SRC DST"
std::string UsageLine(const CommandSpec& c) {
  std::string line = StrCat("Usage: atoll ", c.name, c.options.empty() ? "" : " [options]");
  if (!c.arguments.empty()) line += StrCat(" ", c.arguments);
  return line;
}

void PrintCommandHelp(const CommandSpec& c, std::ostream& out) {
  out << UsageLine(c) << "\n\n" << c.summary << "\n";
  if (!c.description.empty()) out << "\n" << c.description;
  if (!c.description.empty() && c.description.back() != '\n') out << "\n";
  std::vector<OptionSpec> options = c.options;
  options.push_back(kVerboseOption);
  options.push_back(kHelpOption);
  size_t width = 0;
  for (const auto& o : options) width = std::max(width, OptionLabel(o).size());
  out << "\nOptions:\n";
  for (const auto& o : options) {
    std::string label = OptionLabel(o);
    out << "  " << label << std::string(width - label.size() + 3, ' ') << o.help << "\n";
  }
}

// The error, then the command's usage line when there is a command.
int UsageError(Io& io, std::string_view message, std::string_view help_hint,
               const CommandSpec* command = nullptr) {
  io.err << "atoll: error: " << message << " (see '" << help_hint << "')\n";
  if (command != nullptr) io.err << UsageLine(*command) << "\n";
  return kExitUsage;
}

}  // namespace

std::function<void(std::string_view what, const Status& status)> PrintWarning(Io& io) {
  return [&io](std::string_view what, const Status& st) {
    io.err << "atoll: warning: " << what << ": "
           << (st.message().empty() ? st.ToString() : st.message()) << "\n";
  };
}

int Main(const std::vector<std::string>& argv, Io& io) {
  if (argv.empty()) {
    PrintMainHelp(io.err);
    io.err << "\natoll: error: no command given\n";
    return kExitUsage;
  }
  const std::string& first = argv[0];
  if (first == "--help" || first == "-h" || first == "help") {
    if (first == "help" && argv.size() > 1) {
      const CommandSpec* c = FindCommand(argv[1]);
      if (c == nullptr)
        return UsageError(io, StrCat("unknown command '", argv[1], "'"), "atoll --help");
      PrintCommandHelp(*c, io.out);
      return kExitOk;
    }
    PrintMainHelp(io.out);
    return kExitOk;
  }
  std::string command_name = first == "--version" ? "version" : first;
  const CommandSpec* command = FindCommand(command_name);
  if (command == nullptr) {
    if (!first.empty() && first[0] == '-') {
      return UsageError(io, StrCat("unknown option '", first, "' (expected a command)"),
                        "atoll --help");
    }
    return UsageError(io, StrCat("unknown command '", first, "'"), "atoll --help");
  }
  std::string hint = StrCat("atoll ", command->name, " --help");
  std::vector<OptionSpec> options = command->options;
  options.push_back(kVerboseOption);
  options.push_back(kHelpOption);
  Result<ParsedArgs> args = ParseArgs({argv.begin() + 1, argv.end()}, options);
  if (!args.ok()) return UsageError(io, args.status().message(), hint, command);
  if (args->Has("help")) {
    PrintCommandHelp(*command, io.out);
    return kExitOk;
  }
  size_t n = args->positional().size();
  if (n < command->min_positional) {
    return UsageError(io,
                      StrCat("'atoll ", command->name, "' needs ", command->arguments, " (got ", n,
                             " argument", n == 1 ? "" : "s", ")"),
                      hint, command);
  }
  if (n > command->max_positional) {
    return UsageError(io,
                      StrCat("unexpected argument '", args->positional()[command->max_positional],
                             "' for 'atoll ", command->name, "'"),
                      hint, command);
  }
  if (command->check_args != nullptr) {
    Status checked = command->check_args(*args);
    if (!checked.ok()) return UsageError(io, checked.message(), hint, command);
  }
  io.verbose = args->Has("verbose");
  Status st = command->run(*args, io);
  io.out.flush();
  if (!st.ok()) {
    io.err << "atoll: error: " << (st.message().empty() ? st.ToString() : st.message()) << "\n";
    return kExitFailure;
  }
  return io.exit_code;
}

}  // namespace atl::cli
