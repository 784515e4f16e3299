#include "atoll/sql/sql_text.h"

#include <cctype>

namespace atl::lake {

namespace {

bool WordStart(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalpha(u) || c == '_' || u >= 0x80;
}
bool WordChar(char c) {
  const auto u = static_cast<unsigned char>(c);
  return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
}

// Reads the lexical unit at `i` that is not a plain character: a string, quoted
// identifier, dollar string or comment. Sets *end past it and returns true; false when
// none starts at i.
Result<bool> SkipSpecial(std::string_view s, size_t i, size_t* end) {
  const char c = s[i];
  auto closing = [&](size_t from, char quote, bool backslash) -> Result<size_t> {
    for (size_t k = from; k < s.size(); ++k) {
      if (backslash && s[k] == '\\') {
        ++k;
      } else if (s[k] == quote) {
        if (k + 1 < s.size() && s[k + 1] == quote) {
          ++k;
        } else {
          return k + 1;
        }
      }
    }
    return InvalidArgument(quote == '"' ? "unterminated quoted identifier" : "unterminated string",
                           " starting at byte ", i);
  };
  if (c == '\'' || c == '"') {
    ATOLL_ASSIGN_OR_RETURN(*end, closing(i + 1, c, false));
    return true;
  }
  if ((c == 'E' || c == 'e') && i + 1 < s.size() && s[i + 1] == '\'' &&
      (i == 0 || !WordChar(s[i - 1]))) {
    ATOLL_ASSIGN_OR_RETURN(*end, closing(i + 2, '\'', true));
    return true;
  }
  if (c == '-' && i + 1 < s.size() && s[i + 1] == '-') {
    size_t k = s.find('\n', i);
    *end = k == std::string_view::npos ? s.size() : k + 1;
    return true;
  }
  if (c == '/' && i + 1 < s.size() && s[i + 1] == '*') {
    int depth = 0;
    for (size_t k = i; k + 1 < s.size(); ++k) {
      if (s[k] == '/' && s[k + 1] == '*') {
        ++depth;
        ++k;
      } else if (s[k] == '*' && s[k + 1] == '/') {
        ++k;
        if (--depth == 0) {
          *end = k + 1;
          return true;
        }
      }
    }
    return InvalidArgument("unterminated comment starting at byte ", i);
  }
  if (c == '$' && (i == 0 || !WordChar(s[i - 1]))) {
    size_t k = i + 1;
    while (k < s.size() && (std::isalnum(static_cast<unsigned char>(s[k])) || s[k] == '_')) ++k;
    if (k < s.size() && s[k] == '$') {
      const std::string_view tag = s.substr(i, k - i + 1);
      size_t close = s.find(tag, k + 1);
      if (close == std::string_view::npos) {
        return InvalidArgument("unterminated dollar-quoted string starting at byte ", i);
      }
      *end = close + tag.size();
      return true;
    }
  }
  return false;
}

bool IsComment(std::string_view s, size_t i) {
  return i + 1 < s.size() && ((s[i] == '-' && s[i + 1] == '-') || (s[i] == '/' && s[i + 1] == '*'));
}

std::string_view Trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return s.substr(a, b - a);
}

}  // namespace

bool Token::Is(std::string_view keyword) const {
  if (kind != TokenKind::kWord || text.size() != keyword.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) !=
        std::tolower(static_cast<unsigned char>(keyword[i]))) {
      return false;
    }
  }
  return true;
}

Result<std::vector<std::string>> SplitStatements(std::string_view sql) {
  std::vector<std::string> out;
  size_t start = 0;
  bool has_code = false;  // the current statement holds more than blanks and comments
  auto finish = [&](size_t end) {
    if (has_code) out.emplace_back(Trim(sql.substr(start, end - start)));
    start = end + 1;
    has_code = false;
  };
  for (size_t i = 0; i < sql.size();) {
    size_t end = 0;
    ATOLL_ASSIGN_OR_RETURN(bool special, SkipSpecial(sql, i, &end));
    if (special) {
      if (!IsComment(sql, i)) has_code = true;
      i = end;
    } else if (sql[i] == ';') {
      finish(i);
      ++i;
    } else {
      if (!std::isspace(static_cast<unsigned char>(sql[i]))) has_code = true;
      ++i;
    }
  }
  finish(sql.size());
  return out;
}

Result<std::vector<Token>> Tokenize(std::string_view sql) {
  std::vector<Token> out;
  for (size_t i = 0; i < sql.size();) {
    const char c = sql[i];
    size_t end = 0;
    ATOLL_ASSIGN_OR_RETURN(bool special, SkipSpecial(sql, i, &end));
    if (special) {
      if (!IsComment(sql, i)) {
        Token t;
        t.offset = i;
        t.end = end;
        if (c == '"') {
          t.kind = TokenKind::kQuoted;
          for (size_t k = i + 1; k + 1 < end; ++k) {
            t.text += sql[k];
            if (sql[k] == '"') ++k;  // "" is one quote
          }
        } else if (c == '$') {
          t.kind = TokenKind::kString;
          const size_t tag = sql.find('$', i + 1) - i + 1;
          t.text = std::string(sql.substr(i + tag, end - i - 2 * tag));
        } else {
          t.kind = TokenKind::kString;
          const size_t from = c == '\'' ? i + 1 : i + 2;
          for (size_t k = from; k + 1 < end; ++k) {
            if (c != '\'' && sql[k] == '\\' && k + 2 < end) {
              t.text += sql[++k];
              continue;
            }
            t.text += sql[k];
            if (sql[k] == '\'') ++k;  // '' is one quote
          }
        }
        out.push_back(std::move(t));
      }
      i = end;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (WordStart(c)) {
      size_t k = i;
      while (k < sql.size() && WordChar(sql[k])) ++k;
      out.push_back({TokenKind::kWord, std::string(sql.substr(i, k - i)), i, k});
      i = k;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t k = i;
      while (k < sql.size() &&
             (std::isalnum(static_cast<unsigned char>(sql[k])) || sql[k] == '.' || sql[k] == '_'))
        ++k;
      out.push_back({TokenKind::kNumber, std::string(sql.substr(i, k - i)), i, k});
      i = k;
    } else {
      out.push_back({TokenKind::kSymbol, std::string(1, c), i, i + 1});
      ++i;
    }
  }
  return out;
}

}  // namespace atl::lake
