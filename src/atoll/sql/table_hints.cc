#include "atoll/sql/table_hints.h"

#include <algorithm>
#include <utility>

#include "atoll/common/status.h"

namespace atl::lake {

namespace {

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerText(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$' || c == '"' || c == '.' || static_cast<unsigned char>(c) >= 0x80;
}

// The X of `<kind> with name X does not exist` or `Catalog "X" does not exist`.
std::string NamedInMessage(std::string_view message) {
  for (std::string_view kind : {"Table with name ", "Schema with name ", "View with name "}) {
    size_t at = message.find(kind);
    if (at == std::string_view::npos) continue;
    size_t start = at + kind.size();
    size_t end = message.find(" does not exist", start);
    if (end != std::string_view::npos) return std::string(message.substr(start, end - start));
  }
  size_t at = message.find("Catalog \"");
  if (at != std::string_view::npos) {
    size_t start = at + 9;
    size_t end = message.find("\" does not exist", start);
    if (end != std::string_view::npos) return std::string(message.substr(start, end - start));
  }
  return "";
}

std::vector<std::string> SplitDots(std::string_view name) {
  std::vector<std::string> parts;
  std::string cur;
  for (char c : name) {
    if (c == '"') continue;
    if (c == '.') {
      parts.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  parts.push_back(std::move(cur));
  return parts;
}

// The last `n` dot-separated parts of `name`, joined with '.'.
std::string LastParts(const std::vector<std::string>& parts, size_t n) {
  std::string out;
  for (size_t i = parts.size() > n ? parts.size() - n : 0; i < parts.size(); ++i) {
    out += out.empty() ? "" : ".";
    out += parts[i];
  }
  return out;
}

}  // namespace

size_t EditDistance(std::string_view a, std::string_view b) {
  const std::string x = LowerText(a), y = LowerText(b);
  std::vector<size_t> row(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x[i - 1] == y[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[y.size()];
}

std::string MissingName(std::string_view message, std::string_view statement) {
  const std::string named = NamedInMessage(message);
  if (named.empty()) return "";
  const std::string lower = LowerText(statement), word = LowerText(named);
  for (size_t at = lower.find(word); at != std::string::npos; at = lower.find(word, at + 1)) {
    const size_t end = at + word.size();
    if ((at > 0 && IsNameChar(lower[at - 1]) && lower[at - 1] != '.' && lower[at - 1] != '"') ||
        (end < lower.size() && IsNameChar(lower[end]) && lower[end] != '.' && lower[end] != '"')) {
      continue;  // part of a longer word
    }
    size_t start = at, stop = end;
    while (start > 0 && IsNameChar(statement[start - 1])) --start;
    while (stop < statement.size() && IsNameChar(statement[stop])) ++stop;
    std::string found(statement.substr(start, stop - start));
    while (!found.empty() && found.back() == '.') found.pop_back();
    std::string plain;
    for (char c : found) {
      if (c != '"') plain += c;
    }
    return plain;
  }
  return named;
}

std::vector<std::string> ClosestTables(std::string_view name,
                                       const std::vector<std::string>& tables, size_t n) {
  const std::vector<std::string> parts = SplitDots(name);
  const std::string wanted = LastParts(parts, parts.size());
  const size_t limit = std::max<size_t>(2, wanted.size() / 3);
  std::vector<std::pair<size_t, std::string>> scored;
  for (const std::string& table : tables) {
    const size_t d = EditDistance(wanted, LastParts(SplitDots(table), parts.size()));
    if (d <= limit) scored.emplace_back(d, table);
  }
  std::stable_sort(scored.begin(), scored.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> out;
  for (size_t i = 0; i < scored.size() && i < n; ++i) out.push_back(scored[i].second);
  return out;
}

std::string ExplainMissingTable(std::string_view message, std::string_view statement,
                                const std::vector<std::string>& tables) {
  const std::string name = MissingName(message, statement);
  if (name.empty()) return std::string(message);
  std::string text(message);
  // DuckDB's suggestion names its own catalog tables: drop that line.
  if (size_t at = text.find("\nDid you mean"); at != std::string::npos) {
    size_t end = text.find('\n', at + 1);
    text.erase(at, end == std::string::npos ? std::string::npos : end - at);
  }
  while (!text.empty() && text.back() == '\n') text.pop_back();
  std::string hint;
  constexpr size_t kListed = 10;
  if (tables.empty()) {
    hint = "the lake has no tables yet (copy files into prepare/<db>/<table>/, then atoll ingest)";
  } else if (std::vector<std::string> close = ClosestTables(name, tables, 3); !close.empty()) {
    hint = StrCat("closest: ", close[0]);
    for (size_t i = 1; i < close.size(); ++i) hint += StrCat(", ", close[i]);
  } else {
    hint = "its tables: ";
    for (size_t i = 0; i < tables.size() && i < kListed; ++i) {
      hint += StrCat(i ? ", " : "", tables[i]);
    }
    if (tables.size() > kListed) hint += StrCat(", … (", tables.size(), " in all: atoll tables)");
  }
  return StrCat(text, "\nno table '", name, "' in this lake; ", hint);
}

}  // namespace atl::lake
