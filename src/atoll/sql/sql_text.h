// Reading the text of SQL that people write, as far as atoll needs before DuckDB sees it:
// where statements end, and the tokens of the statements atoll runs itself (CREATE TABLE
// with Iceberg partitioning, DROP TABLE, views, ALTER TABLE on lake tables).
//
//   SplitStatements("SELECT ';'; -- c;\nSELECT 2")  ->  {"SELECT ';'", "-- c;\nSELECT 2"}
//   Tokenize("CREATE TABLE \"a b\".c (x INT)")     ->  CREATE, TABLE, "a b" (quoted), ., c, (, ...
//
// Both know '...' strings ('' inside), "..." identifiers ("" inside), E'...' strings with
// backslash escapes, $tag$...$tag$ strings, -- line and /* block */ comments (nested, as
// DuckDB allows). Statements are split at ';' outside those; empty statements (only blanks
// and comments) are dropped; the text of each is kept as written, trimmed.
//
// Errors: kInvalidArgument for an unterminated string, identifier or comment.
// Thread safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::lake {

Result<std::vector<std::string>> SplitStatements(std::string_view sql);

enum class TokenKind { kWord, kQuoted, kString, kNumber, kSymbol };

struct Token {
  TokenKind kind = TokenKind::kSymbol;
  std::string text;   // words as written; quoted identifiers and strings unquoted
  size_t offset = 0;  // where the token starts in the text
  size_t end = 0;     // one past its last byte

  // A word equal to `keyword` ignoring ASCII case (never a quoted identifier).
  bool Is(std::string_view keyword) const;
  // A word or quoted identifier: a name.
  bool IsName() const { return kind == TokenKind::kWord || kind == TokenKind::kQuoted; }
};

// The tokens of one statement, comments dropped. Symbols are single characters.
Result<std::vector<Token>> Tokenize(std::string_view sql);

}  // namespace atl::lake
