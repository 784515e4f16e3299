#include "atoll/transform/static_parse.h"

#include <cctype>

namespace atl::transform {

namespace {

enum class TagKind { kExpression, kStatement };

struct Tag {
  TagKind kind;
  std::string content;  // without delimiters and whitespace-control marks
  size_t begin = 0;     // offset of "{{" / "{%"
  size_t end = 0;       // offset after "}}" / "%}"
  int line = 1;
};

struct Scan {
  std::vector<Tag> tags;
  std::string error;  // "line N: …" when the text could not be scanned to its end
};

int CountLines(std::string_view text, size_t from, size_t to) {
  int n = 0;
  for (size_t i = from; i < to && i < text.size(); ++i) n += text[i] == '\n';
  return n;
}

std::string Trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

std::string FirstWord(std::string_view content) {
  std::string t = Trim(content);
  size_t i = 0;
  while (i < t.size() && (std::isalnum(static_cast<unsigned char>(t[i])) || t[i] == '_')) ++i;
  return t.substr(0, i);
}

// Finds `close` from `pos`, skipping quoted strings. npos when absent.
size_t FindClose(std::string_view text, size_t pos, std::string_view close) {
  char quote = 0;
  for (size_t i = pos; i < text.size(); ++i) {
    const char c = text[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (text.compare(i, close.size(), close) == 0) {
      return i;
    }
  }
  return std::string_view::npos;
}

Scan ScanTags(std::string_view text, int first_line) {
  Scan scan;
  size_t pos = 0;
  int line = first_line;
  size_t line_pos = 0;  // offset up to which `line` is counted
  while (true) {
    const size_t open = text.find('{', pos);
    if (open == std::string_view::npos || open + 1 >= text.size()) break;
    const char k = text[open + 1];
    if (k != '{' && k != '%' && k != '#') {
      pos = open + 1;
      continue;
    }
    line += CountLines(text, line_pos, open);
    line_pos = open;
    if (k == '#') {
      const size_t close = text.find("#}", open + 2);
      if (close == std::string_view::npos) {
        scan.error = StrCat("line ", line, ": unterminated comment {#");
        return scan;
      }
      pos = close + 2;
      continue;
    }
    const std::string_view closer = k == '{' ? "}}" : "%}";
    const size_t close = FindClose(text, open + 2, closer);
    if (close == std::string_view::npos) {
      scan.error = StrCat("line ", line, ": unterminated ", k == '{' ? "{{" : "{%");
      return scan;
    }
    std::string_view inner = text.substr(open + 2, close - open - 2);
    if (!inner.empty() && (inner.front() == '-' || inner.front() == '+')) inner.remove_prefix(1);
    if (!inner.empty() && (inner.back() == '-' || inner.back() == '+')) inner.remove_suffix(1);
    Tag tag{k == '{' ? TagKind::kExpression : TagKind::kStatement, std::string(inner), open,
            close + 2, line};
    pos = close + 2;
    if (tag.kind == TagKind::kStatement && FirstWord(tag.content) == "raw") {
      // Skip to {% endraw %}.
      size_t search = pos;
      bool found = false;
      while (true) {
        const size_t o = text.find("{%", search);
        if (o == std::string_view::npos) break;
        const size_t c = text.find("%}", o + 2);
        if (c == std::string_view::npos) break;
        std::string_view in = text.substr(o + 2, c - o - 2);
        if (!in.empty() && (in.front() == '-' || in.front() == '+')) in.remove_prefix(1);
        if (FirstWord(in) == "endraw") {
          pos = c + 2;
          found = true;
          break;
        }
        search = c + 2;
      }
      if (!found) {
        scan.error = StrCat("line ", line, ": {% raw %} without {% endraw %}");
        return scan;
      }
      continue;
    }
    scan.tags.push_back(std::move(tag));
  }
  return scan;
}

// --- tokens and literals ---

enum class TokKind { kIdent, kString, kNumber, kPunct };

struct Tok {
  TokKind kind;
  std::string text;  // strings: the unescaped value
  int line = 0;
};

bool Tokenize(std::string_view s, int line, std::vector<Tok>& out) {
  size_t i = 0;
  while (i < s.size()) {
    const char c = s[i];
    if (c == '\n') {
      ++line;
      ++i;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      ++i;
    } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
      out.push_back({TokKind::kIdent, std::string(s.substr(i, j - i)), line});
      i = j;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      size_t j = i;
      while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '.')) ++j;
      out.push_back({TokKind::kNumber, std::string(s.substr(i, j - i)), line});
      i = j;
    } else if (c == '\'' || c == '"') {
      std::string value;
      size_t j = i + 1;
      while (j < s.size() && s[j] != c) {
        if (s[j] == '\\' && j + 1 < s.size()) {
          ++j;
          const char e = s[j];
          value += e == 'n' ? '\n' : e == 't' ? '\t' : e;
        } else {
          if (s[j] == '\n') ++line;
          value += s[j];
        }
        ++j;
      }
      if (j >= s.size()) return false;
      out.push_back({TokKind::kString, std::move(value), line});
      i = j + 1;
    } else {
      out.push_back({TokKind::kPunct, std::string(1, c), line});
      ++i;
    }
  }
  return true;
}

class LiteralReader {
 public:
  LiteralReader(const std::vector<Tok>& toks, size_t pos) : toks_(toks), pos_(pos) {}
  size_t pos() const { return pos_; }

  bool Punct(char c) const {
    return pos_ < toks_.size() && toks_[pos_].kind == TokKind::kPunct && toks_[pos_].text[0] == c;
  }

  // A literal at the current position; false (position undefined) when it is not one.
  bool Literal(Json& out, int depth = 0) {
    if (pos_ >= toks_.size() || depth > 32) return false;
    const Tok& t = toks_[pos_];
    if (t.kind == TokKind::kString) {
      std::string s = t.text;
      ++pos_;
      // Adjacent string literals concatenate, as in Python.
      while (pos_ < toks_.size() && toks_[pos_].kind == TokKind::kString) s += toks_[pos_++].text;
      out = s;
      return true;
    }
    if (t.kind == TokKind::kNumber) {
      ++pos_;
      if (t.text.find_first_not_of("0123456789") == std::string::npos) {
        out = std::stoll(t.text.size() > 18 ? t.text.substr(0, 18) : t.text);
      } else {
        char* end = nullptr;
        const double d = std::strtod(t.text.c_str(), &end);
        if (!end || *end != '\0') return false;
        out = d;
      }
      return true;
    }
    if (t.kind == TokKind::kPunct && t.text == "-" && pos_ + 1 < toks_.size() &&
        toks_[pos_ + 1].kind == TokKind::kNumber) {
      ++pos_;
      Json v;
      if (!Literal(v, depth + 1)) return false;
      out = v.is_number_integer() ? Json(-v.get<int64_t>()) : Json(-v.get<double>());
      return true;
    }
    if (t.kind == TokKind::kIdent) {
      if (t.text == "True" || t.text == "true")
        out = true;
      else if (t.text == "False" || t.text == "false")
        out = false;
      else if (t.text == "None" || t.text == "none")
        out = nullptr;
      else
        return false;
      ++pos_;
      return true;
    }
    if (Punct('[') || Punct('(')) {
      const char close = Punct('[') ? ']' : ')';
      ++pos_;
      out = Json::array();
      while (!Punct(close)) {
        Json v;
        if (!Literal(v, depth + 1)) return false;
        out.push_back(std::move(v));
        if (Punct(','))
          ++pos_;
        else if (!Punct(close))
          return false;
      }
      ++pos_;
      return true;
    }
    if (Punct('{')) {
      ++pos_;
      out = Json::object();
      while (!Punct('}')) {
        Json k;
        if (!Literal(k, depth + 1) || !k.is_string() || !Punct(':')) return false;
        ++pos_;
        Json v;
        if (!Literal(v, depth + 1)) return false;
        out[k.get<std::string>()] = std::move(v);
        if (Punct(','))
          ++pos_;
        else if (!Punct('}'))
          return false;
      }
      ++pos_;
      return true;
    }
    return false;
  }

 private:
  const std::vector<Tok>& toks_;
  size_t pos_;
};

struct CallArgs {
  std::vector<Json> positional;
  std::vector<std::pair<std::string, Json>> keywords;
  size_t end = 0;  // token after ')'
};

// The arguments of the call whose '(' is at `open`; false when one is not a literal.
bool ReadCallArgs(const std::vector<Tok>& toks, size_t open, CallArgs& out) {
  LiteralReader r(toks, open + 1);
  size_t pos = open + 1;
  while (true) {
    if (pos >= toks.size()) return false;
    if (toks[pos].kind == TokKind::kPunct && toks[pos].text == ")") {
      out.end = pos + 1;
      return true;
    }
    if (toks[pos].kind == TokKind::kIdent && pos + 1 < toks.size() &&
        toks[pos + 1].kind == TokKind::kPunct && toks[pos + 1].text == "=" &&
        !(pos + 2 < toks.size() && toks[pos + 2].text == "=")) {
      LiteralReader kr(toks, pos + 2);
      Json v;
      if (!kr.Literal(v)) return false;
      out.keywords.emplace_back(toks[pos].text, std::move(v));
      pos = kr.pos();
    } else {
      LiteralReader pr(toks, pos);
      Json v;
      if (!pr.Literal(v)) return false;
      out.positional.push_back(std::move(v));
      pos = pr.pos();
    }
    if (pos < toks.size() && toks[pos].kind == TokKind::kPunct && toks[pos].text == ",") ++pos;
  }
}

// Skips a balanced (...) starting at `open`; returns the position after ')'.
size_t SkipParens(const std::vector<Tok>& toks, size_t open) {
  int depth = 0;
  for (size_t i = open; i < toks.size(); ++i) {
    if (toks[i].kind != TokKind::kPunct) continue;
    if (toks[i].text == "(") ++depth;
    if (toks[i].text == ")" && --depth == 0) return i + 1;
  }
  return toks.size();
}

std::string JsonText(const Json& v) { return v.is_string() ? v.get<std::string>() : v.dump(); }

// The first call with non-literal arguments is the reason, over any other Jinja.
void NotLiteral(StaticParse& p, const Tok& t, std::string_view what) {
  if (p.deps_complete) {
    p.reason = StrCat("line ", t.line, ": ", what, "(...) has arguments that are not literals");
  }
  p.deps_complete = false;
  p.needs_rendering = true;
}

void OtherJinja(StaticParse& p, int line, std::string_view what) {
  p.needs_rendering = true;
  if (p.reason.empty()) p.reason = StrCat("line ", line, ": ", what, " needs rendering");
}

// Reads a ref/source/config call at `i` (an identifier followed by '('). Returns the
// position after the call.
size_t ReadKnownCall(const std::vector<Tok>& toks, size_t i, StaticParse& p) {
  const Tok& t = toks[i];
  CallArgs args;
  if (!ReadCallArgs(toks, i + 1, args)) {
    NotLiteral(p, t, t.text);
    return SkipParens(toks, i + 1);
  }
  if (t.text == "ref") {
    RefCall ref;
    ref.line = t.line;
    for (const auto& [k, v] : args.keywords) {
      if (k == "v" || k == "version") {
        ref.version = JsonText(v);
      } else if (k == "package") {
        if (!v.is_string()) return NotLiteral(p, t, "ref"), args.end;
        ref.package = v.get<std::string>();
      }
    }
    for (const auto& v : args.positional) {
      if (!v.is_string()) return NotLiteral(p, t, "ref"), args.end;
    }
    if (args.positional.size() == 1) {
      ref.name = args.positional[0].get<std::string>();
    } else if (args.positional.size() == 2) {
      ref.package = args.positional[0].get<std::string>();
      ref.name = args.positional[1].get<std::string>();
    } else {
      NotLiteral(p, t, "ref");
      return args.end;
    }
    p.refs.push_back(std::move(ref));
  } else if (t.text == "source") {
    if (args.positional.size() != 2 || !args.positional[0].is_string() ||
        !args.positional[1].is_string()) {
      NotLiteral(p, t, "source");
      return args.end;
    }
    p.sources.push_back(
        {args.positional[0].get<std::string>(), args.positional[1].get<std::string>(), t.line});
  } else {  // config
    for (const auto& v : args.positional) {
      if (!v.is_object()) return NotLiteral(p, t, "config"), args.end;
      for (const auto& [k, x] : v.items()) p.config[k] = x;
    }
    for (const auto& [k, v] : args.keywords) p.config[k] = v;
  }
  return args.end;
}

void ParseTag(const Tag& tag, StaticParseResult& out) {
  StaticParse& p = out.parse;
  std::vector<Tok> toks;
  if (!Tokenize(tag.content, tag.line, toks)) {
    OtherJinja(p, tag.line, "an unterminated string");
    return;
  }
  if (tag.kind == TagKind::kStatement) {
    const std::string word = toks.empty() ? "" : toks[0].text;
    if (word != "snapshot" && word != "endsnapshot") {
      OtherJinja(p, tag.line, StrCat("{% ", word, " %}"));
    }
  }
  bool only_known_call = false;
  for (size_t i = 0; i < toks.size();) {
    const Tok& t = toks[i];
    const bool is_call = t.kind == TokKind::kIdent && i + 1 < toks.size() &&
                         toks[i + 1].kind == TokKind::kPunct && toks[i + 1].text == "(";
    const bool is_method = i > 0 && toks[i - 1].kind == TokKind::kPunct && toks[i - 1].text == ".";
    if (is_call && !is_method) {
      if (t.text == "ref" || t.text == "source" || t.text == "config") {
        const size_t end = ReadKnownCall(toks, i, p);
        only_known_call = tag.kind == TagKind::kExpression && i == 0 && end == toks.size();
        i = end;
        continue;
      }
      out.calls.push_back(t.text);
    }
    ++i;
  }
  if (tag.kind == TagKind::kExpression && !only_known_call) {
    OtherJinja(p, tag.line, StrCat("{{", tag.content, "}}"));
  }
}

}  // namespace

StaticParseResult ParseStatically(std::string_view sql, int first_line) {
  StaticParseResult out;
  Scan scan = ScanTags(sql, first_line);
  for (const Tag& tag : scan.tags) ParseTag(tag, out);
  if (!scan.error.empty()) {
    out.parse.needs_rendering = true;
    out.parse.deps_complete = false;
    out.parse.reason = scan.error;
  }
  return out;
}

bool ParseRefOrSourceExpression(std::string_view expression, StaticParse& into) {
  std::vector<Tok> toks;
  if (!Tokenize(expression, 0, toks) || toks.size() < 3) return false;
  if (toks[0].kind != TokKind::kIdent || (toks[0].text != "ref" && toks[0].text != "source") ||
      toks[1].text != "(") {
    return false;
  }
  StaticParse p;
  const size_t end = ReadKnownCall(toks, 0, p);
  if (!p.deps_complete || end != toks.size()) return false;
  for (auto& r : p.refs) into.refs.push_back(std::move(r));
  for (auto& s : p.sources) into.sources.push_back(std::move(s));
  return true;
}

Result<std::vector<JinjaBlock>> FindBlocks(std::string_view text, const std::string& file,
                                           const std::vector<std::string>& keywords) {
  Scan scan = ScanTags(text, 1);
  if (!scan.error.empty()) return InvalidArgument(file, ": ", scan.error);
  std::vector<JinjaBlock> out;
  const Tag* open = nullptr;
  std::string open_keyword;
  for (const Tag& tag : scan.tags) {
    if (tag.kind != TagKind::kStatement) continue;
    const std::string word = FirstWord(tag.content);
    if (!open) {
      bool wanted = false;
      for (const auto& k : keywords) wanted = wanted || k == word;
      if (!wanted) continue;
      open = &tag;
      open_keyword = word;
      continue;
    }
    if (word == open_keyword) {
      return InvalidArgument(file, ":", tag.line, ": {% ", word, " %} inside {% ", open_keyword,
                             " %} (opened at line ", open->line, ")");
    }
    if (word != "end" + open_keyword) continue;
    JinjaBlock b;
    b.keyword = open_keyword;
    b.line = open->line;
    std::string rest = Trim(Trim(open->content).substr(open_keyword.size()));
    size_t n = 0;
    while (n < rest.size() &&
           (std::isalnum(static_cast<unsigned char>(rest[n])) || rest[n] == '_')) {
      ++n;
    }
    b.name = rest.substr(0, n);
    if (b.name.empty()) {
      return InvalidArgument(file, ":", open->line, ": {% ", open_keyword, " %} without a name");
    }
    b.text = std::string(text.substr(open->begin, tag.end - open->begin));
    b.body = std::string(text.substr(open->end, tag.begin - open->end));
    b.body_line = open->line + CountLines(text, open->begin, open->end);
    out.push_back(std::move(b));
    open = nullptr;
  }
  if (open) {
    return InvalidArgument(file, ":", open->line, ": {% ", open_keyword, " %} without {% end",
                           open_keyword, " %}");
  }
  return out;
}

}  // namespace atl::transform
