// The example project tests/transform/projects/jaffle, loaded once per test binary.
#pragma once

#include <cstdlib>
#include <string>

#include "atoll/transform/loader.h"

namespace atl::transform::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("ATOLL_SOURCE_DIR");
  return env && *env ? env : ATOLL_SOURCE_ROOT;
}

inline std::string JaffleDir() { return SourceDir() + "/tests/transform/projects/jaffle"; }

}  // namespace atl::transform::testing
