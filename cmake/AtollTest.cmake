# atoll_test(<name> SOURCES x_test.cc ... LIBS atoll::storage ... LABELS unit|integration|slow
#            [TIMEOUT seconds])
# The one way tests are registered: a GoogleTest binary whose test cases are found by
# CTest at run time and carry the given labels (select with `ctest -L unit`).
#
# Every test binary compiles with one precompiled header (GoogleTest, gMock, nlohmann/json
# and the standard headers, built once by atoll_test_pch) unless ATOLL_PCH is OFF. Binaries
# labelled `unit` are collected for the target atoll_unit_tests (atoll_unit_tests_target()
# below), which make asan builds instead of everything.
option(ATOLL_PCH "Compile the tests with a precompiled header" ON)

if(ATOLL_PCH)
  file(WRITE ${CMAKE_BINARY_DIR}/atoll_test_pch.cc "// The source of the tests' precompiled header.\n")
  add_library(atoll_test_pch OBJECT ${CMAKE_BINARY_DIR}/atoll_test_pch.cc)
  target_link_libraries(atoll_test_pch PRIVATE atoll::common GTest::gmock GTest::gtest
    nlohmann_json::nlohmann_json)
  target_precompile_headers(atoll_test_pch PRIVATE
    <gmock/gmock.h> <gtest/gtest.h> <nlohmann/json.hpp>
    <algorithm> <chrono> <cstdint> <filesystem> <functional> <map> <memory> <mutex>
    <optional> <set> <string> <string_view> <thread> <vector>)
endif()

function(atoll_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;LIBS;LABELS" ${ARGN})
  if(NOT ARG_LABELS)
    message(FATAL_ERROR "atoll_test(${name}): LABELS is required (unit, integration or slow)")
  endif()
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_LIBS} atoll_testing GTest::gmock GTest::gtest_main)
  if(ATOLL_PCH)
    target_precompile_headers(${name} REUSE_FROM atoll_test_pch)
  endif()
  if("unit" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY ATOLL_UNIT_TESTS ${name})
  endif()
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "ATOLL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# atoll_unit_tests_target(): after every atoll_test, defines atoll_unit_tests, which builds
# the binaries labelled `unit` and what they link (not the integration tests or benchmarks).
# Test binaries that were not built show up in CTest as <name>_NOT_BUILT without labels, so
# `ctest -L unit` runs exactly the built ones.
function(atoll_unit_tests_target)
  get_property(unit_tests GLOBAL PROPERTY ATOLL_UNIT_TESTS)
  add_custom_target(atoll_unit_tests)
  add_dependencies(atoll_unit_tests ${unit_tests})
endfunction()
