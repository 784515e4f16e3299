// The Jinja parser (internal): tokens -> syntax tree, following jinja2's grammar and
// operator precedence. Unknown filters and tests are errors at parse time, as in
// jinja2 ("No filter named 'x'."); so are constructs the engine does not support
// (`extends`, `block`, ...). Every error names the file and line.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/jinja/ast.h"

namespace atl::jinja {

struct ParseOptions {
  std::function<bool(const std::string&)> has_filter;
  std::function<bool(const std::string&)> has_test;
  int max_nesting = 100;    // expression and block nesting (hostile input guard)
  bool dbt_blocks = false;  // dbt's {% test %} and {% docs %} blocks (as macros)
};

Result<std::shared_ptr<const Template>> Parse(std::string_view source, std::string_view file_name,
                                              const ParseOptions& options);

}  // namespace atl::jinja
