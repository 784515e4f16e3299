// The level from which a command echoes the log events of the lake (records/event_log.h)
// on stderr: warnings and errors, or with -v also info (Io::verbose).
#pragma once

#include "atoll/cli/command.h"
#include "atoll/records/event_log.h"

namespace atl::cli {

inline lake::LogLevel EchoLevel(const Io& io) {
  return io.verbose ? lake::LogLevel::kInfo : lake::LogLevel::kWarn;
}

}  // namespace atl::cli
