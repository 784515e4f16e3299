#include "atoll/jinja/lexer.h"

#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

// Newlines of any style become "\n"; one trailing newline goes (keep_trailing_newline
// false), as jinja2's lexer does before tokenizing.
std::string Normalise(std::string_view source) {
  std::string out;
  out.reserve(source.size());
  for (size_t i = 0; i < source.size(); ++i) {
    if (source[i] == '\r') {
      if (i + 1 < source.size() && source[i + 1] == '\n') ++i;
      out.push_back('\n');
    } else {
      out.push_back(source[i]);
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

bool IsNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  Lexer(std::string source, std::string_view file_name)
      : src_(std::move(source)), file_(file_name) {}

  Result<std::vector<Token>> Run() {
    while (pos_ < src_.size()) {
      size_t next = FindTagStart(pos_);
      std::string data = src_.substr(pos_, next - pos_);
      int data_line = line_;
      CountLines(pos_, next);
      if (strip_next_) data = text::Strip(data, true, false, nullptr);
      strip_next_ = false;
      if (next == src_.size()) {
        AddData(std::move(data), data_line);
        pos_ = next;
        break;
      }
      bool minus = next + 2 < src_.size() && src_[next + 2] == '-';
      if (minus) data = text::Strip(data, false, true, nullptr);
      AddData(std::move(data), data_line);
      pos_ = next;
      char kind = src_[next + 1];
      size_t body =
          next + 2 + ((minus || (next + 2 < src_.size() && src_[next + 2] == '+')) ? 1 : 0);
      if (kind == '#') {
        ATOLL_RETURN_NOT_OK(Comment(body));
      } else if (kind == '%' && IsRaw(body)) {
        ATOLL_RETURN_NOT_OK(Raw());
      } else {
        ATOLL_RETURN_NOT_OK(Tag(kind == '{', body));
      }
    }
    tokens_.push_back({Token::Kind::kEof, "", line_});
    return std::move(tokens_);
  }

 private:
  Status Error(const std::string& what) const {
    return InvalidArgument(file_, ":", line_, ": ", what);
  }

  void AddData(std::string data, int line) {
    if (!data.empty()) tokens_.push_back({Token::Kind::kData, std::move(data), line});
  }
  // Counts the newlines of the source consumed in [from, to).
  void CountLines(size_t from, size_t to) {
    for (size_t i = from; i < to && i < src_.size(); ++i) {
      if (src_[i] == '\n') ++line_;
    }
  }

  size_t FindTagStart(size_t from) const {
    for (size_t i = from; i + 1 < src_.size(); ++i) {
      if (src_[i] == '{' && (src_[i + 1] == '{' || src_[i + 1] == '%' || src_[i + 1] == '#')) {
        return i;
      }
    }
    return src_.size();
  }

  // True when the block starting at `body` (after "{%" and an optional "-") is "raw".
  bool IsRaw(size_t body) const {
    size_t i = body;
    while (i < src_.size() && text::IsSpace(static_cast<unsigned char>(src_[i]))) ++i;
    if (src_.compare(i, 3, "raw") != 0) return false;
    i += 3;
    while (i < src_.size() && text::IsSpace(static_cast<unsigned char>(src_[i]))) ++i;
    return src_.compare(i, 2, "%}") == 0 || src_.compare(i, 3, "-%}") == 0;
  }

  Status Comment(size_t body) {
    size_t end = src_.find("#}", body);
    if (end == std::string::npos) return Error("Missing end of comment tag");
    strip_next_ = end > body && src_[end - 1] == '-';
    CountLines(pos_, end + 2);
    pos_ = end + 2;
    return Status::OK();
  }

  Status Raw() {
    size_t open_end = src_.find("%}", pos_) + 2;
    bool strip_body_left = src_[open_end - 3] == '-';
    // Find "{% endraw %}" with optional "-" on either side.
    size_t search = open_end;
    while (true) {
      size_t tag = src_.find("{%", search);
      if (tag == std::string::npos) {
        CountLines(pos_, src_.size());
        return Error("Missing end of raw directive");
      }
      size_t i = tag + 2;
      bool minus_left = i < src_.size() && src_[i] == '-';
      if (minus_left || (i < src_.size() && src_[i] == '+')) ++i;
      while (i < src_.size() && text::IsSpace(static_cast<unsigned char>(src_[i]))) ++i;
      if (src_.compare(i, 6, "endraw") == 0) {
        size_t j = i + 6;
        while (j < src_.size() && text::IsSpace(static_cast<unsigned char>(src_[j]))) ++j;
        bool minus_right = src_.compare(j, 3, "-%}") == 0;
        if (minus_right || src_.compare(j, 2, "%}") == 0) {
          std::string body = src_.substr(open_end, tag - open_end);
          if (strip_body_left) body = text::Strip(body, true, false, nullptr);
          if (minus_left) body = text::Strip(body, false, true, nullptr);
          if (!body.empty()) tokens_.push_back({Token::Kind::kData, body, line_});
          size_t end = j + (minus_right ? 3 : 2);
          CountLines(pos_, end);
          pos_ = end;
          strip_next_ = minus_right;
          return Status::OK();
        }
      }
      search = tag + 2;
    }
  }

  Status Tag(bool variable, size_t body) {
    int start_line = line_;
    tokens_.push_back({variable ? Token::Kind::kVarBegin : Token::Kind::kBlockBegin, "", line_});
    size_t i = body;
    int depth = 0;  // open brackets: "}}" inside {'a': {'b': 1}} does not end the tag
    const char close = variable ? '}' : '%';
    while (true) {
      while (i < src_.size() && text::IsSpace(static_cast<unsigned char>(src_[i]))) {
        if (src_[i] == '\n') ++line_;
        ++i;
      }
      if (i >= src_.size()) {
        line_ = start_line;
        return Error(variable ? "unexpected end of template, expected '}}'"
                              : "unexpected end of template, expected '%}'");
      }
      if (depth == 0) {
        if (src_[i] == '-' && i + 2 < src_.size() && src_[i + 1] == close && src_[i + 2] == '}') {
          tokens_.push_back({variable ? Token::Kind::kVarEnd : Token::Kind::kBlockEnd, "", line_});
          pos_ = i + 3;
          strip_next_ = true;
          return Status::OK();
        }
        if (src_[i] == close && i + 1 < src_.size() && src_[i + 1] == '}') {
          tokens_.push_back({variable ? Token::Kind::kVarEnd : Token::Kind::kBlockEnd, "", line_});
          pos_ = i + 2;
          return Status::OK();
        }
      }
      char c = src_[i];
      if (IsNameStart(c)) {
        size_t j = i;
        while (j < src_.size() && (IsNameStart(src_[j]) || IsDigit(src_[j]))) ++j;
        tokens_.push_back({Token::Kind::kName, src_.substr(i, j - i), line_});
        i = j;
      } else if (IsDigit(c)) {
        ATOLL_RETURN_NOT_OK(Number(i));
      } else if (c == '\'' || c == '"') {
        ATOLL_RETURN_NOT_OK(String(i));
      } else {
        static const char* kOps[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*",
                                     "/",  "%",  "~",  "<",  ">",  "=",  ".", ",", ":",
                                     "|",  "(",  ")",  "[",  "]",  "{",  "}", ";"};
        std::string op;
        for (const char* candidate : kOps) {
          if (src_.compare(i, std::char_traits<char>::length(candidate), candidate) == 0) {
            op = candidate;
            break;
          }
        }
        if (op.empty()) return Error(StrCat("unexpected char '", std::string(1, c), "'"));
        if (op == "(" || op == "[" || op == "{") ++depth;
        if ((op == ")" || op == "]" || op == "}") && depth > 0) --depth;
        tokens_.push_back({Token::Kind::kOp, op, line_});
        i += op.size();
      }
    }
  }

  Status Number(size_t& i) {
    auto digits = [&](size_t j) {
      while (j < src_.size() && (IsDigit(src_[j]) ||
                                 (src_[j] == '_' && j + 1 < src_.size() && IsDigit(src_[j + 1])))) {
        ++j;
      }
      return j;
    };
    size_t j = digits(i);
    bool is_float = false;
    bool after_dot = i > 0 && src_[i - 1] == '.';
    if (!after_dot && j + 1 < src_.size() && src_[j] == '.' && IsDigit(src_[j + 1])) {
      j = digits(j + 1);
      is_float = true;
    }
    if (!after_dot && j < src_.size() && (src_[j] == 'e' || src_[j] == 'E')) {
      size_t k = j + 1;
      if (k < src_.size() && (src_[k] == '+' || src_[k] == '-')) ++k;
      if (k < src_.size() && IsDigit(src_[k])) {
        j = digits(k);
        is_float = true;
      }
    }
    std::string value;
    for (size_t k = i; k < j; ++k) {
      if (src_[k] != '_') value.push_back(src_[k]);
    }
    tokens_.push_back({is_float ? Token::Kind::kFloat : Token::Kind::kInt, value, line_});
    i = j;
    return Status::OK();
  }

  Status String(size_t& i) {
    char quote = src_[i];
    std::string out;
    size_t j = i + 1;
    int start_line = line_;
    while (true) {
      if (j >= src_.size()) {
        line_ = start_line;
        return Error("unexpected end of string literal");
      }
      char c = src_[j];
      if (c == quote) break;
      if (c == '\n') ++line_;
      if (c != '\\' || j + 1 >= src_.size()) {
        out.push_back(c);
        ++j;
        continue;
      }
      char e = src_[j + 1];
      j += 2;
      switch (e) {
        case 'n':
          out.push_back('\n');
          break;
        case 't':
          out.push_back('\t');
          break;
        case 'r':
          out.push_back('\r');
          break;
        case '0':
          out.push_back('\0');
          break;
        case 'a':
          out.push_back('\a');
          break;
        case 'b':
          out.push_back('\b');
          break;
        case 'f':
          out.push_back('\f');
          break;
        case 'v':
          out.push_back('\v');
          break;
        case '\\':
          out.push_back('\\');
          break;
        case '\'':
          out.push_back('\'');
          break;
        case '"':
          out.push_back('"');
          break;
        case '\n':
          ++line_;
          break;
        case 'x':
        case 'u':
        case 'U': {
          size_t n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
          if (j + n > src_.size()) return Error("truncated \\" + std::string(1, e) + " escape");
          char32_t cp = 0;
          for (size_t k = 0; k < n; ++k) {
            char h = src_[j + k];
            int d = IsDigit(h)               ? h - '0'
                    : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                    : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                             : -1;
            if (d < 0) return Error("truncated \\" + std::string(1, e) + " escape");
            cp = cp * 16 + d;
          }
          if (cp > 0x10FFFF) return Error("illegal Unicode character");
          text::AppendCodePoint(out, cp);
          j += n;
          break;
        }
        default:
          out.push_back('\\');
          out.push_back(e);
      }
    }
    tokens_.push_back({Token::Kind::kString, out, start_line});
    i = j + 1;
    return Status::OK();
  }

  std::string src_;
  std::string file_;
  size_t pos_ = 0;
  int line_ = 1;
  bool strip_next_ = false;
  std::vector<Token> tokens_;
};

}  // namespace

Result<std::vector<Token>> Tokenize(std::string_view source, std::string_view file_name) {
  return Lexer(Normalise(source), file_name).Run();
}

}  // namespace atl::jinja
