# atoll_library(<layer> SOURCES a.cc b.cc DEPS atoll::common ...)
# Defines the static library atoll_<layer> with the alias atoll::<layer>. Includes are
# rooted at src/ ("atoll/<layer>/x.h"). Dependencies must only point down the layers.
function(atoll_library layer)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(atoll_${layer} STATIC ${ARG_SOURCES})
  add_library(atoll::${layer} ALIAS atoll_${layer})
  target_include_directories(atoll_${layer} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(atoll_${layer} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
