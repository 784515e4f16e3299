#include "atoll/sql/time_travel.h"

#include "atoll/engine/engine.h"
#include "atoll/sql/sql_text.h"

namespace atl::lake {

// sql-names: value
// (a number or a quoted literal from the statement's own tokens)

namespace {

// True when `t` starts an alias of the table reference before it (AS x, "x", or a word that
// is no clause keyword).
bool StartsAlias(const Token* t) {
  if (t == nullptr) return false;
  if (t->kind == TokenKind::kQuoted || t->Is("AS")) return true;
  if (t->kind != TokenKind::kWord) return false;
  for (const char* keyword :
       {"WHERE",  "GROUP",       "ORDER",  "LIMIT",   "OFFSET",  "FETCH",     "JOIN",
        "LEFT",   "RIGHT",       "INNER",  "FULL",    "CROSS",   "NATURAL",   "ANTI",
        "SEMI",   "POSITIONAL",  "ASOF",   "LATERAL", "ON",      "USING",     "UNION",
        "EXCEPT", "INTERSECT",   "WINDOW", "HAVING",  "QUALIFY", "RETURNING", "SET",
        "WHEN",   "TABLESAMPLE", "USING"}) {
    if (t->Is(keyword)) return false;
  }
  return true;
}

}  // namespace

Result<std::string> RewriteTimeTravel(std::string_view statement, const MetadataOf& metadata_of) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> t, Tokenize(statement));
  std::string out;
  size_t copied = 0;  // statement bytes already in `out`
  for (size_t i = 0; i + 9 <= t.size(); ++i) {
    // name . name . name FOR kind AS OF value
    const bool name = t[i].IsName() && t[i + 1].text == "." && t[i + 2].IsName() &&
                      t[i + 3].text == "." && t[i + 4].IsName();
    if (!name || !t[i + 5].Is("FOR")) continue;
    const Token& kind = t[i + 6];
    const bool version = kind.Is("VERSION") || kind.Is("SYSTEM_VERSION");
    const bool time = kind.Is("TIMESTAMP") || kind.Is("SYSTEM_TIME");
    if ((!version && !time) || !t[i + 7].Is("AS") || !t[i + 8].Is("OF")) continue;
    if (i + 9 >= t.size()) return InvalidArgument("FOR ", kind.text, " AS OF needs a value");
    size_t last = i + 9;
    std::string value;
    const Token& v = t[i + 9];
    if (version && v.kind == TokenKind::kNumber) {
      value = StrCat("snapshot_id => ", v.text);
    } else if (time && v.kind == TokenKind::kNumber) {
      value = StrCat("\"timestamp\" => ", v.text);
    } else if (time && v.kind == TokenKind::kString) {
      value = StrCat("\"timestamp\" => ", engine::QuoteString(v.text), "::TIMESTAMPTZ");
    } else if (time && v.Is("TIMESTAMP") && i + 10 < t.size() &&
               t[i + 10].kind == TokenKind::kString) {
      value = StrCat("\"timestamp\" => ", engine::QuoteString(t[i + 10].text), "::TIMESTAMPTZ");
      last = i + 10;
    } else {
      return InvalidArgument("FOR ", kind.text, " AS OF takes ",
                             version ? "a snapshot id" : "a timestamp or epoch milliseconds",
                             "; got '", v.text, "'");
    }
    ATOLL_ASSIGN_OR_RETURN(std::optional<std::string> metadata,
                           metadata_of({t[i].text, t[i + 2].text, t[i + 4].text}));
    if (!metadata) continue;
    out += statement.substr(copied, t[i].offset - copied);
    out += StrCat("iceberg_scan(", engine::QuoteString(*metadata), ", ", value, ")");
    if (!StartsAlias(last + 1 < t.size() ? &t[last + 1] : nullptr)) {
      out += StrCat(" AS ", engine::QuoteIdentifier(t[i + 4].text));
    }
    copied = t[last].end;
    i = last;
  }
  out += statement.substr(copied);
  return out;
}

}  // namespace atl::lake
