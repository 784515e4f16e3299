// The macros atoll provides to every dbt project: the generic tests unique, not_null,
// accepted_values and relationships (our own SQL; a project's {% test %} block of the
// same name replaces one). Each selects the failing rows.
#pragma once

#include <string_view>

namespace atl::transform {

// A macro file ({% test %} blocks) for DbtContext to load before the project's macros.
std::string_view BuiltinTestMacros();

}  // namespace atl::transform
