#include "atoll/cli/command.h"

namespace atl::cli {

const std::vector<CommandSpec>& Commands() {
  static const std::vector<CommandSpec> kCommands = {
      CpCommand(),        InitCommand(),  IngestCommand(),   WatchCommand(),
      TablesCommand(),    LsCommand(),    MaintainCommand(), QueryCommand(),
      SnapshotCommand(),  StatsCommand(), StreamCommand(),   TrailCommand(),
      TransformCommand(), ServeCommand(), TokenCommand(),    VersionCommand(),
  };
  return kCommands;
}

const CommandSpec* FindCommand(std::string_view name) {
  for (const auto& c : Commands()) {
    if (c.name == name) return &c;
  }
  return nullptr;
}

}  // namespace atl::cli
