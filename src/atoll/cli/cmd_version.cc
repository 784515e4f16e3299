// atoll version: the version of atoll and how this binary was built.
#include <nlohmann/json.hpp>

#include "atoll/cli/command.h"
#include "atoll/common/version.h"

namespace atl::cli {

namespace {

Status RunVersion(const ParsedArgs& args, Io& io) {
  if (args.Has("json")) {
    nlohmann::json doc = {{"version", kVersion}, {"build_type", kBuildType}};
    io.out << doc.dump(2) << "\n";
  } else {
    io.out << "atoll " << kVersion << " (" << kBuildType << " build)\n";
  }
  return Status::OK();
}

}  // namespace

CommandSpec VersionCommand() {
  return {
      .name = "version",
      .summary = "Print the version of atoll and how it was built",
      .arguments = "",
      .description = "Also available as 'atoll --version'.\n",
      .options = {{"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"}},
      .min_positional = 0,
      .max_positional = 0,
      .run = RunVersion,
  };
}

}  // namespace atl::cli
