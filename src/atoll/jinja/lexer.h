// The Jinja lexer (internal): template source -> tokens, with jinja2's default
// delimiters and the settings dbt uses (trim_blocks, lstrip_blocks and
// keep_trailing_newline all false): newlines are normalised to "\n", one trailing
// newline of the source is dropped, `-` in a delimiter strips the whitespace beside it,
// `{# #}` comments vanish and `{% raw %}` bodies become data.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::jinja {

struct Token {
  enum class Kind {
    kData,        // template text (value)
    kVarBegin,    // {{
    kVarEnd,      // }}
    kBlockBegin,  // {%
    kBlockEnd,    // %}
    kName,        // identifier or keyword (value)
    kString,      // string literal, escapes decoded (value)
    kInt,         // integer literal, underscores removed (value)
    kFloat,       // float literal (value)
    kOp,          // operator or punctuation (value: "+", "//", "(", ...)
    kEof,
  };
  Kind kind;
  std::string value;
  int line;
};

// Splits `source` into tokens; errors name `file_name` and the line.
Result<std::vector<Token>> Tokenize(std::string_view source, std::string_view file_name);

}  // namespace atl::jinja
