// ParseExpression: a small recursive-descent parser for SQL-like row filters.
//
//   expr      := and ( OR and )*
//   and       := not ( AND not )*
//   not       := NOT not | '(' expr ')' | TRUE | FALSE | predicate
//   predicate := column cmp literal | literal cmp column | column IS [NOT] NULL
//              | column IS [NOT] NAN | column [NOT] IN '(' literal, ... ')'
//              | column [NOT] LIKE 'prefix%' | column [NOT] BETWEEN literal AND literal
//   column    := name ( '.' name )*        name: [A-Za-z_][A-Za-z0-9_]* or "quoted"
//   literal   := [-]number | 'text' | DATE 'd' | TIME 't' | TIMESTAMP 'ts' | TIMESTAMPTZ 'ts'
//              | X'hex' | TRUE | FALSE
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/scan/expression_internal.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

using Op = Expression::Op;

Result<Literal> ParseTimestampLiteral(std::string_view text) {
  std::string t(text);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
  if (t.size() == 10) {  // a date: midnight
    ATOLL_ASSIGN_OR_RETURN(int32_t days, temporal::ParseDate(t));
    return Literal::TimestampNs(static_cast<int64_t>(days) * temporal::kMicrosPerDay * 1000);
  }
  if (t.size() > 10 && t[10] == ' ') t[10] = 'T';
  // A zone suffix: Z, +hh:mm, -hh:mm (also " UTC"/"+00" forms are not accepted).
  bool zone = false;
  if (!t.empty() && (t.back() == 'Z' || t.back() == 'z')) {
    zone = true;
  } else if (t.size() > 19) {
    size_t pos = t.find_last_of("+-");
    zone = pos != std::string::npos && pos > 10;
  }
  ATOLL_ASSIGN_OR_RETURN(int64_t nanos, temporal::ParseTimestamp(t, 9, zone));
  return zone ? Literal::TimestampTzNs(nanos) : Literal::TimestampNs(nanos);
}

Result<Literal> ParseNumberLiteral(std::string_view text) {
  std::string_view t = text;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  bool neg = !t.empty() && (t.front() == '-' || t.front() == '+');
  std::string_view body = neg ? t.substr(1) : t;
  bool negative = !t.empty() && t.front() == '-';
  if (body.empty()) return InvalidArgument("'", text, "' is not a number");
  if (body.find_first_of("eE") != std::string_view::npos || body == "inf" || body == "Infinity") {
    std::string s(t);
    char* end = nullptr;
    double d = std::strtod(s.c_str(), &end);
    if (end != s.c_str() + s.size()) return InvalidArgument("'", text, "' is not a number");
    return Literal::Double(d);
  }
  size_t dot = body.find('.');
  std::string digits(body.substr(0, dot));
  std::string frac = dot == std::string_view::npos ? "" : std::string(body.substr(dot + 1));
  if ((digits.empty() && frac.empty()) ||
      digits.find_first_not_of("0123456789") != std::string::npos ||
      frac.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("'", text, "' is not a number");
  }
  std::string all = digits + frac;
  size_t nz = all.find_first_not_of('0');
  if (nz != std::string::npos && all.size() - nz > 38) {
    return InvalidArgument("'", text, "' has more than 38 digits");
  }
  int128_t v = 0;
  for (char c : all) v = v * 10 + (c - '0');
  if (negative) v = -v;
  if (frac.empty() && v >= std::numeric_limits<int64_t>::min() &&
      v <= std::numeric_limits<int64_t>::max()) {
    return Literal::Long(static_cast<int64_t>(v));
  }
  return Literal::Decimal(v, 38, static_cast<int>(frac.size()));
}

namespace {

enum class Tok {
  kIdent,
  kQuotedIdent,
  kString,
  kNumber,
  kOp,
  kLParen,
  kRParen,
  kComma,
  kDot,
  kMinus,
  kEnd
};

struct Token {
  Tok kind;
  std::string text;
  size_t pos;
};

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Result<Expression> Parse() {
    ATOLL_RETURN_NOT_OK(Tokenize());
    ATOLL_ASSIGN_OR_RETURN(Expression e, ParseOr());
    if (Peek().kind != Tok::kEnd) return Error("unexpected '" + Peek().text + "'");
    return e;
  }

 private:
  Status Error(const std::string& what) const { return ErrorAt(what, Peek().pos); }
  Status ErrorAt(const std::string& what, size_t pos) const {
    return InvalidArgument("filter: ", what, " at position ", pos + 1, " in '", text_, "'");
  }

  Status Tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) {
        ++i;
        continue;
      }
      size_t start = i;
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        while (i < text_.size() &&
               (std::isalnum(static_cast<unsigned char>(text_[i])) || text_[i] == '_'))
          ++i;
        tokens_.push_back({Tok::kIdent, std::string(text_.substr(start, i - start)), start});
      } else if (std::isdigit(static_cast<unsigned char>(c)) ||
                 (c == '.' && i + 1 < text_.size() &&
                  std::isdigit(static_cast<unsigned char>(text_[i + 1])))) {
        while (i < text_.size() &&
               (std::isdigit(static_cast<unsigned char>(text_[i])) || text_[i] == '.'))
          ++i;
        if (i < text_.size() && (text_[i] == 'e' || text_[i] == 'E')) {
          ++i;
          if (i < text_.size() && (text_[i] == '+' || text_[i] == '-')) ++i;
          while (i < text_.size() && std::isdigit(static_cast<unsigned char>(text_[i]))) ++i;
        }
        tokens_.push_back({Tok::kNumber, std::string(text_.substr(start, i - start)), start});
      } else if (c == '\'' || c == '"') {
        std::string s;
        ++i;
        while (true) {
          if (i >= text_.size()) return ErrorAt("unterminated quote", start);
          if (text_[i] == c) {
            if (i + 1 < text_.size() && text_[i + 1] == c) {
              s += c;
              i += 2;
              continue;
            }
            ++i;
            break;
          }
          s += text_[i++];
        }
        tokens_.push_back({c == '\'' ? Tok::kString : Tok::kQuotedIdent, std::move(s), start});
      } else if (c == '(' || c == ')' || c == ',' || c == '.' || c == '-') {
        Tok k = c == '('   ? Tok::kLParen
                : c == ')' ? Tok::kRParen
                : c == ',' ? Tok::kComma
                : c == '.' ? Tok::kDot
                           : Tok::kMinus;
        tokens_.push_back({k, std::string(1, c), start});
        ++i;
      } else if (c == '=' || c == '<' || c == '>' || c == '!') {
        std::string op(1, c);
        size_t len = 1;
        if (i + 1 < text_.size() && (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
          op += text_[i + 1];
          len = 2;
        }
        if (op == "!") return ErrorAt("unexpected '!'", start);
        if (op == "==") op = "=";
        i += len;
        tokens_.push_back({Tok::kOp, op, start});
      } else {
        return ErrorAt(std::string("unexpected character '") + c + "'", start);
      }
    }
    tokens_.push_back({Tok::kEnd, "end of text", text_.size()});
    return Status::OK();
  }

  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)];
  }
  Token Next() { return tokens_[pos_ < tokens_.size() - 1 ? pos_++ : pos_]; }

  static bool IsKeyword(const Token& t, std::string_view kw) {
    if (t.kind != Tok::kIdent || t.text.size() != kw.size()) return false;
    for (size_t i = 0; i < kw.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(t.text[i])) != kw[i]) return false;
    }
    return true;
  }
  bool Accept(std::string_view kw) {
    if (!IsKeyword(Peek(), kw)) return false;
    ++pos_;
    return true;
  }
  Status Expect(Tok kind, std::string_view what) {
    if (Peek().kind != kind) return Error("expected " + std::string(what));
    ++pos_;
    return Status::OK();
  }

  Result<Expression> ParseOr() {
    ATOLL_ASSIGN_OR_RETURN(Expression left, ParseAnd());
    while (Accept("OR")) {
      ATOLL_ASSIGN_OR_RETURN(Expression right, ParseAnd());
      left = Expression::Or(std::move(left), std::move(right));
    }
    return left;
  }

  Result<Expression> ParseAnd() {
    ATOLL_ASSIGN_OR_RETURN(Expression left, ParseNot());
    while (Accept("AND")) {
      ATOLL_ASSIGN_OR_RETURN(Expression right, ParseNot());
      left = Expression::And(std::move(left), std::move(right));
    }
    return left;
  }

  Result<Expression> ParseNot() {
    if (Accept("NOT")) {
      ATOLL_ASSIGN_OR_RETURN(Expression e, ParseNot());
      return Expression::Not(std::move(e));
    }
    if (Peek().kind == Tok::kLParen) {
      ++pos_;
      ATOLL_ASSIGN_OR_RETURN(Expression e, ParseOr());
      ATOLL_RETURN_NOT_OK(Expect(Tok::kRParen, "')'"));
      return e;
    }
    if ((IsKeyword(Peek(), "TRUE") || IsKeyword(Peek(), "FALSE")) && Peek(1).kind != Tok::kOp) {
      return Next().text.size() == 4 ? Expression::True() : Expression::False();
    }
    return ParsePredicate();
  }

  bool AtLiteral() const {
    const Token& t = Peek();
    if (t.kind == Tok::kNumber || t.kind == Tok::kString || t.kind == Tok::kMinus) return true;
    if (IsKeyword(t, "TRUE") || IsKeyword(t, "FALSE")) return true;
    return (IsKeyword(t, "DATE") || IsKeyword(t, "TIME") || IsKeyword(t, "TIMESTAMP") ||
            IsKeyword(t, "TIMESTAMPTZ") || IsKeyword(t, "X")) &&
           Peek(1).kind == Tok::kString;
  }

  Result<Literal> ParseLiteral() {
    size_t at = Peek().pos;
    auto wrap = [&](Result<Literal> r) -> Result<Literal> {
      if (r.ok()) return r;
      return ErrorAt(r.status().message(), at);
    };
    if (Peek().kind == Tok::kMinus) {
      ++pos_;
      if (Peek().kind != Tok::kNumber) return Error("expected a number after '-'");
      return wrap(ParseNumberLiteral("-" + Next().text));
    }
    if (Peek().kind == Tok::kNumber) return wrap(ParseNumberLiteral(Next().text));
    if (Peek().kind == Tok::kString) return Literal::String(Next().text);
    if (Accept("TRUE")) return Literal::Boolean(true);
    if (Accept("FALSE")) return Literal::Boolean(false);
    if (Accept("DATE")) {
      std::string s = Next().text;
      Result<int32_t> d = temporal::ParseDate(s);
      if (!d.ok()) return ErrorAt(d.status().message(), at);
      return Literal::Date(*d);
    }
    if (Accept("TIME")) {
      Result<int64_t> t = temporal::ParseTime(Next().text, 6);
      if (!t.ok()) return ErrorAt(t.status().message(), at);
      return Literal::Time(*t);
    }
    if (Accept("TIMESTAMP") || Accept("TIMESTAMPTZ"))
      return wrap(ParseTimestampLiteral(Next().text));
    if (Accept("X")) {
      Result<std::string> bytes = FromHex(Next().text);
      if (!bytes.ok()) return ErrorAt(bytes.status().message(), at);
      return Literal::Binary(std::move(bytes).value());
    }
    return Error("expected a literal");
  }

  Result<std::string> ParseColumn() {
    std::string name;
    while (true) {
      if (Peek().kind != Tok::kIdent && Peek().kind != Tok::kQuotedIdent)
        return Error("expected a column name");
      name += Next().text;
      if (Peek().kind != Tok::kDot) break;
      ++pos_;
      name += '.';
    }
    return name;
  }

  static Op CompareOp(const std::string& text) {
    if (text == "=") return Op::kEq;
    if (text == "!=" || text == "<>") return Op::kNotEq;
    if (text == "<") return Op::kLt;
    if (text == "<=") return Op::kLtEq;
    if (text == ">") return Op::kGt;
    return Op::kGtEq;
  }
  static Op Flip(Op op) {
    switch (op) {
      case Op::kLt:
        return Op::kGt;
      case Op::kLtEq:
        return Op::kGtEq;
      case Op::kGt:
        return Op::kLt;
      case Op::kGtEq:
        return Op::kLtEq;
      default:
        return op;
    }
  }

  Result<Expression> ParsePredicate() {
    if (AtLiteral()) {  // literal cmp column
      ATOLL_ASSIGN_OR_RETURN(Literal v, ParseLiteral());
      if (Peek().kind != Tok::kOp) return Error("expected a comparison operator");
      Op op = Flip(CompareOp(Next().text));
      ATOLL_ASSIGN_OR_RETURN(std::string column, ParseColumn());
      return Expression::Predicate(op, std::move(column), {std::move(v)});
    }
    ATOLL_ASSIGN_OR_RETURN(std::string column, ParseColumn());
    if (Peek().kind == Tok::kOp) {
      Op op = CompareOp(Next().text);
      if (IsKeyword(Peek(), "NULL"))
        return Error("comparison with NULL is never true (use IS NULL)");
      ATOLL_ASSIGN_OR_RETURN(Literal v, ParseLiteral());
      return Expression::Predicate(op, std::move(column), {std::move(v)});
    }
    if (Accept("IS")) {
      bool negated = Accept("NOT");
      if (Accept("NULL"))
        return Expression::Predicate(negated ? Op::kNotNull : Op::kIsNull, std::move(column));
      if (Accept("NAN"))
        return Expression::Predicate(negated ? Op::kNotNaN : Op::kIsNaN, std::move(column));
      return Error("expected NULL or NAN after IS");
    }
    bool negated = Accept("NOT");
    if (Accept("IN")) {
      ATOLL_RETURN_NOT_OK(Expect(Tok::kLParen, "'(' after IN"));
      std::vector<Literal> values;
      while (true) {
        ATOLL_ASSIGN_OR_RETURN(Literal v, ParseLiteral());
        values.push_back(std::move(v));
        if (Peek().kind == Tok::kComma) {
          ++pos_;
          continue;
        }
        ATOLL_RETURN_NOT_OK(Expect(Tok::kRParen, "',' or ')'"));
        break;
      }
      return Expression::Predicate(negated ? Op::kNotIn : Op::kIn, std::move(column),
                                   std::move(values));
    }
    if (Accept("LIKE")) {
      size_t at = Peek().pos;
      if (Peek().kind != Tok::kString) return Error("expected a 'pattern' after LIKE");
      std::string pattern = Next().text;
      std::string prefix;
      bool wildcard_end = false;
      for (size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        if (c == '\\' && i + 1 < pattern.size()) {
          prefix += pattern[++i];
        } else if (c == '%' && i + 1 == pattern.size()) {
          wildcard_end = true;
        } else if (c == '%' || c == '_') {
          return ErrorAt("only prefix patterns ('abc%') are supported by LIKE", at);
        } else {
          prefix += c;
        }
      }
      Expression e =
          wildcard_end
              ? Expression::Predicate(Op::kStartsWith, std::move(column), {Literal::String(prefix)})
              : Expression::Predicate(Op::kEq, std::move(column), {Literal::String(prefix)});
      return negated ? Expression::Not(std::move(e)) : e;
    }
    if (Accept("BETWEEN")) {
      ATOLL_ASSIGN_OR_RETURN(Literal lo, ParseLiteral());
      if (!Accept("AND")) return Error("expected AND in BETWEEN");
      ATOLL_ASSIGN_OR_RETURN(Literal hi, ParseLiteral());
      Expression e = Expression::And(Expression::Predicate(Op::kGtEq, column, {std::move(lo)}),
                                     Expression::Predicate(Op::kLtEq, column, {std::move(hi)}));
      return negated ? Expression::Not(std::move(e)) : e;
    }
    return Error(negated ? "expected IN, LIKE or BETWEEN after NOT"
                         : "expected an operator after '" + column + "'");
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

}  // namespace

Result<Expression> ParseExpression(std::string_view text) { return Parser(text).Parse(); }

}  // namespace atl::iceberg
