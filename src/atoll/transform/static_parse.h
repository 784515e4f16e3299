// Dependencies of a model, snapshot, test or analysis without rendering its Jinja, as
// dbt's own static parser does: ref('m'), ref('pkg', 'm'), ref('m', v=2), source('s', 't')
// and config(key=literal, …) calls whose arguments are literals (strings, numbers,
// True/False/None, lists and dicts of them) are read from the {{ … }} and {% … %} blocks;
// comments {# … #} and {% raw %} blocks are skipped. The surrounding Jinja is tolerated:
// a call with a non-literal argument, or any other Jinja (if/for/set, var(), macros),
// sets StaticParse::needs_rendering with the reason, and the Jinja engine
// (ProjectLoadOptions::render_dependencies) decides. Calls are found in every branch, so
// a ref under an {% if %} counts (a superset of what rendering finds).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atoll/transform/project.h"

namespace atl::transform {

struct StaticParseResult {
  StaticParse parse;
  // Names of functions called in the Jinja blocks (not methods): candidates for macros.
  std::vector<std::string> calls;
};

// Parses `sql`; `first_line` is the line of sql[0] in its file (for blocks cut out of a
// file). Never fails: unparseable Jinja only makes needs_rendering true. An unterminated
// block is reported in `reason` the same way.
StaticParseResult ParseStatically(std::string_view sql, int first_line = 1);

// Parses one Jinja expression holding a ref(...) or source(...) call, as generic test
// arguments write it ("ref('customers')"). False when it is not such a literal call.
bool ParseRefOrSourceExpression(std::string_view expression, StaticParse& into);

// A Jinja block of a file: `{% <keyword> <name> ... %}` … `{% end<keyword> %}`.
struct JinjaBlock {
  std::string keyword;  // "macro", "test", "snapshot", "materialization", "docs"
  std::string name;
  std::string text;  // the whole block, tags included
  std::string body;  // between the tags
  int line = 1;      // of the opening tag
  int body_line = 1;
};

// The top-level blocks of `keywords` in `text` (nested blocks of other kinds are kept in
// the text). kInvalidArgument "<file>:<line>: …" for an unterminated block or a block
// without a name.
Result<std::vector<JinjaBlock>> FindBlocks(std::string_view text, const std::string& file,
                                           const std::vector<std::string>& keywords);

}  // namespace atl::transform
