# atoll_test(<name> SOURCES x_test.cc ... LIBS atoll::storage ... LABELS unit|integration|slow
#            [TIMEOUT seconds])
# The one way tests are registered: a GoogleTest binary whose test cases are found by
# CTest at run time and carry the given labels (select with `ctest -L unit`).
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
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
      ENVIRONMENT "ATOLL_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()
