// The version of atoll and how this binary was built.
//
// Both come from CMake (the project() version and CMAKE_BUILD_TYPE) as compile
// definitions of atoll::common (see src/atoll/common/CMakeLists.txt), so a version bump
// needs no edit here. Thread safety: constants only.
#pragma once

#include <string_view>

#ifndef ATOLL_VERSION_STRING
#error "ATOLL_VERSION_STRING is defined by src/atoll/common/CMakeLists.txt; link atoll::common"
#endif
#ifndef ATOLL_BUILD_TYPE_STRING
#define ATOLL_BUILD_TYPE_STRING "unknown"
#endif

namespace atl {

// "0.1.0"
inline constexpr std::string_view kVersion = ATOLL_VERSION_STRING;
// "RelWithDebInfo", "Debug", ...
inline constexpr std::string_view kBuildType = ATOLL_BUILD_TYPE_STRING;

}  // namespace atl
