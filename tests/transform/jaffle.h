// Where the example projects are: tests/transform/projects/<name>.
#pragma once

#include <cstdlib>
#include <string>

#include "atoll/transform/loader.h"

namespace atl::transform::testing {

inline std::string SourceDir() {
  const char* env = std::getenv("ATOLL_SOURCE_DIR");
  return env && *env ? env : ATOLL_SOURCE_ROOT;
}

inline std::string ProjectDir(const std::string& name) {
  return SourceDir() + "/tests/transform/projects/" + name;
}
inline std::string JaffleDir() { return ProjectDir("jaffle"); }

}  // namespace atl::transform::testing
