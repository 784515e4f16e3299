// The expression half of the parser: jinja2's precedence from conditional expressions
// down to primaries, postfix access, calls, filters and tests.
#include <charconv>
#include <cstdlib>

#include "atoll/jinja/parser_impl.h"

namespace atl::jinja::parse_internal {

Result<ExprPtr> Parser::ParseTuple(bool with_condexpr, bool no_condexpr) {
  int line = Cur().line;
  std::vector<ExprPtr> items;
  bool comma = false;
  while (true) {
    if (!items.empty()) {
      if (!SkipOp(",")) break;
      comma = true;
      if (Cur().kind == TK::kVarEnd || Cur().kind == TK::kBlockEnd || IsOp(")") || IsName("if") ||
          IsName("in")) {
        break;
      }
    }
    ExprPtr e;
    if (no_condexpr) {
      ATOLL_ASSIGN_OR_RETURN(e, ParseOr());
    } else {
      ATOLL_ASSIGN_OR_RETURN(e, ParseExpression());
    }
    items.push_back(std::move(e));
    (void)with_condexpr;
  }
  if (!comma) return items[0];
  auto t = Make(EK::kTuple, line);
  t->items = std::move(items);
  return ExprPtr(std::move(t));
}

Result<ExprPtr> Parser::ParseExpression() {
  DepthGuard guard(depth_);
  ATOLL_RETURN_NOT_OK(CheckDepth());
  int line = Cur().line;
  ATOLL_ASSIGN_OR_RETURN(ExprPtr expr, ParseOr());
  while (SkipName("if")) {
    auto c = Make(EK::kCond, line);
    ATOLL_ASSIGN_OR_RETURN(ExprPtr cond, ParseOr());
    ExprPtr other;
    if (SkipName("else")) {
      ATOLL_ASSIGN_OR_RETURN(other, ParseExpression());
    }
    c->items = {expr, cond, other};
    expr = std::move(c);
  }
  return expr;
}

Result<ExprPtr> Parser::ParseOr() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseAnd());
  while (IsName("or")) {
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseAnd());
    auto e = Make(EK::kOr, line);
    e->items = {left, right};
    left = std::move(e);
  }
  return left;
}

Result<ExprPtr> Parser::ParseAnd() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseNot());
  while (IsName("and")) {
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseNot());
    auto e = Make(EK::kAnd, line);
    e->items = {left, right};
    left = std::move(e);
  }
  return left;
}

Result<ExprPtr> Parser::ParseNot() {
  DepthGuard guard(depth_);
  ATOLL_RETURN_NOT_OK(CheckDepth());
  if (IsName("not")) {
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr inner, ParseNot());
    auto e = Make(EK::kUnary, line);
    e->name = "not";
    e->items = {inner};
    return ExprPtr(std::move(e));
  }
  return ParseCompare();
}

Result<ExprPtr> Parser::ParseCompare() {
  int line = Cur().line;
  ATOLL_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
  std::shared_ptr<Expr> cmp;
  while (true) {
    std::string op;
    if (Cur().kind == TK::kOp &&
        (Cur().value == "==" || Cur().value == "!=" || Cur().value == "<" || Cur().value == "<=" ||
         Cur().value == ">" || Cur().value == ">=")) {
      op = Cur().value;
      Next();
    } else if (IsName("in")) {
      op = "in";
      Next();
    } else if (IsName("not") && Peek().kind == TK::kName && Peek().value == "in") {
      op = "not in";
      Next();
      Next();
    } else {
      break;
    }
    if (!cmp) {
      cmp = Make(EK::kCompare, line);
      cmp->items.push_back(first);
    }
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseMath1());
    cmp->ops.push_back(op);
    cmp->items.push_back(std::move(right));
  }
  if (cmp) return ExprPtr(std::move(cmp));
  return first;
}

Result<ExprPtr> Parser::Binary(std::string op, ExprPtr left, ExprPtr right, int line) {
  auto e = Make(EK::kBinary, line);
  e->name = std::move(op);
  e->items = {std::move(left), std::move(right)};
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseMath1() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseConcat());
  while (IsOp("+") || IsOp("-")) {
    std::string op = Cur().value;
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseConcat());
    ATOLL_ASSIGN_OR_RETURN(left, Binary(op, left, right, line));
  }
  return left;
}

Result<ExprPtr> Parser::ParseConcat() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseMath2());
  while (IsOp("~")) {
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseMath2());
    ATOLL_ASSIGN_OR_RETURN(left, Binary("~", left, right, line));
  }
  return left;
}

Result<ExprPtr> Parser::ParseMath2() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParsePow());
  while (IsOp("*") || IsOp("/") || IsOp("//") || IsOp("%")) {
    std::string op = Cur().value;
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParsePow());
    ATOLL_ASSIGN_OR_RETURN(left, Binary(op, left, right, line));
  }
  return left;
}

Result<ExprPtr> Parser::ParsePow() {
  ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary(true));
  while (IsOp("**")) {
    int line = Cur().line;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary(true));
    ATOLL_ASSIGN_OR_RETURN(left, Binary("**", left, right, line));
  }
  return left;
}

Result<ExprPtr> Parser::ParseUnary(bool with_filter) {
  DepthGuard guard(depth_);
  ATOLL_RETURN_NOT_OK(CheckDepth());
  int line = Cur().line;
  ExprPtr node;
  if (IsOp("-") || IsOp("+")) {
    std::string op = Cur().value;
    Next();
    ATOLL_ASSIGN_OR_RETURN(ExprPtr inner, ParseUnary(false));
    auto e = Make(EK::kUnary, line);
    e->name = op;
    e->items = {inner};
    node = std::move(e);
  } else {
    ATOLL_ASSIGN_OR_RETURN(node, ParsePrimary());
  }
  ATOLL_ASSIGN_OR_RETURN(node, ParsePostfix(node));
  if (with_filter) {
    ATOLL_ASSIGN_OR_RETURN(node, ParseFilterExpr(node));
  }
  return node;
}

Result<ExprPtr> Parser::ParsePrimary() {
  const Token& t = Cur();
  int line = t.line;
  if (t.kind == TK::kName) {
    auto e = Make(EK::kLiteral, line);
    if (t.value == "true" || t.value == "True") {
      e->literal = Value::Bool(true);
    } else if (t.value == "false" || t.value == "False") {
      e->literal = Value::Bool(false);
    } else if (t.value == "none" || t.value == "None") {
      e->literal = Value::None();
    } else {
      e->kind = EK::kName;
      e->name = t.value;
      for (MacroDef* m : macros_) {
        if (t.value == "varargs") m->uses_varargs = true;
        if (t.value == "kwargs") m->uses_kwargs = true;
        if (t.value == "caller") m->uses_caller = true;
      }
    }
    Next();
    return ExprPtr(std::move(e));
  }
  if (t.kind == TK::kString) {
    std::string s;
    while (Cur().kind == TK::kString) {
      s += Cur().value;
      Next();
    }
    auto e = Make(EK::kLiteral, line);
    e->literal = Value::String(std::move(s));
    return ExprPtr(std::move(e));
  }
  if (t.kind == TK::kInt) {
    int64_t v = 0;
    auto r = std::from_chars(t.value.data(), t.value.data() + t.value.size(), v);
    if (r.ec != std::errc()) return Error("integer literal too large");
    auto e = Make(EK::kLiteral, line);
    e->literal = Value::Int(v);
    Next();
    return ExprPtr(std::move(e));
  }
  if (t.kind == TK::kFloat) {
    auto e = Make(EK::kLiteral, line);
    e->literal = Value::Float(std::strtod(t.value.c_str(), nullptr));
    Next();
    return ExprPtr(std::move(e));
  }
  if (IsOp("(")) {
    Next();
    if (SkipOp(")")) {
      auto e = Make(EK::kTuple, line);
      return ExprPtr(std::move(e));
    }
    ATOLL_ASSIGN_OR_RETURN(ExprPtr inner, ParseTuple(true));
    ATOLL_RETURN_NOT_OK(ExpectOp(")"));
    return inner;
  }
  if (IsOp("[")) {
    Next();
    auto e = Make(EK::kList, line);
    while (!IsOp("]")) {
      if (!e->items.empty()) ATOLL_RETURN_NOT_OK(ExpectOp(","));
      if (IsOp("]")) break;
      ATOLL_ASSIGN_OR_RETURN(ExprPtr item, ParseExpression());
      e->items.push_back(std::move(item));
    }
    Next();
    return ExprPtr(std::move(e));
  }
  if (IsOp("{")) {
    Next();
    auto e = Make(EK::kDict, line);
    while (!IsOp("}")) {
      if (!e->items.empty()) ATOLL_RETURN_NOT_OK(ExpectOp(","));
      if (IsOp("}")) break;
      ATOLL_ASSIGN_OR_RETURN(ExprPtr key, ParseExpression());
      ATOLL_RETURN_NOT_OK(ExpectOp(":"));
      ATOLL_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      e->items.push_back(std::move(key));
      e->items.push_back(std::move(value));
    }
    Next();
    return ExprPtr(std::move(e));
  }
  return Error(StrCat("unexpected ", Describe(t)));
}

Result<ExprPtr> Parser::ParsePostfix(ExprPtr node) {
  while (true) {
    int line = Cur().line;
    if (IsOp(".")) {
      Next();
      if (Cur().kind == TK::kName) {
        auto e = Make(EK::kGetAttr, line);
        e->name = Cur().value;
        e->items = {node};
        node = std::move(e);
        Next();
      } else if (Cur().kind == TK::kInt) {
        auto e = Make(EK::kGetItem, line);
        auto idx = Make(EK::kLiteral, line);
        idx->literal = Value::Int(std::strtoll(Cur().value.c_str(), nullptr, 10));
        e->items = {node, idx};
        node = std::move(e);
        Next();
      } else {
        return Expected("name or number");
      }
    } else if (IsOp("[")) {
      Next();
      ATOLL_ASSIGN_OR_RETURN(node, ParseSubscript(node, line));
    } else if (IsOp("(")) {
      ATOLL_ASSIGN_OR_RETURN(node, ParseCall(node));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::ParseSubscript(ExprPtr node, int line) {
  ExprPtr parts[3];
  bool slice = false;
  for (int i = 0; i < 3; ++i) {
    if (!IsOp(":") && !IsOp("]")) {
      ATOLL_ASSIGN_OR_RETURN(parts[i], ParseExpression());
    }
    if (i < 2 && SkipOp(":")) {
      slice = true;
      continue;
    }
    break;
  }
  ATOLL_RETURN_NOT_OK(ExpectOp("]"));
  if (!slice) {
    if (!parts[0]) return Error("expected an index");
    auto e = Make(EK::kGetItem, line);
    e->items = {node, parts[0]};
    return ExprPtr(std::move(e));
  }
  auto e = Make(EK::kSlice, line);
  e->items = {node, parts[0], parts[1], parts[2]};
  return ExprPtr(std::move(e));
}

Status Parser::ParseArgs(Expr& e) {
  ATOLL_RETURN_NOT_OK(ExpectOp("("));
  bool first = true;
  while (!IsOp(")")) {
    if (!first) ATOLL_RETURN_NOT_OK(ExpectOp(","));
    first = false;
    if (IsOp(")")) break;
    if (SkipOp("**")) {
      ATOLL_ASSIGN_OR_RETURN(e.star_kwargs, ParseExpression());
    } else if (SkipOp("*")) {
      ATOLL_ASSIGN_OR_RETURN(e.star_args, ParseExpression());
    } else if (Cur().kind == TK::kName && Peek().kind == TK::kOp && Peek().value == "=") {
      std::string key = Cur().value;
      Next();
      Next();
      ATOLL_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      e.kwargs.emplace_back(std::move(key), std::move(value));
    } else {
      if (!e.kwargs.empty() || e.star_kwargs) {
        return Error("positional argument follows keyword argument");
      }
      ATOLL_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
      e.args.push_back(std::move(value));
    }
  }
  Next();
  return Status::OK();
}

Result<ExprPtr> Parser::ParseCall(ExprPtr callee) {
  auto e = Make(EK::kCall, Cur().line);
  e->items = {std::move(callee)};
  ATOLL_RETURN_NOT_OK(ParseArgs(*e));
  return ExprPtr(std::move(e));
}

Result<ExprPtr> Parser::ParseFilterExpr(ExprPtr node) {
  while (true) {
    if (IsOp("|")) {
      ATOLL_ASSIGN_OR_RETURN(node, ParseFilterChain(node));
    } else if (IsName("is")) {
      ATOLL_ASSIGN_OR_RETURN(node, ParseTest(node));
    } else if (IsOp("(")) {
      ATOLL_ASSIGN_OR_RETURN(node, ParseCall(node));
    } else {
      return node;
    }
  }
}

Result<ExprPtr> Parser::ParseFilterChain(ExprPtr node, bool start_inline) {
  while (IsOp("|") || start_inline) {
    if (!start_inline) Next();
    start_inline = false;
    int line = Cur().line;
    ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
    while (IsOp(".")) {
      Next();
      ATOLL_ASSIGN_OR_RETURN(std::string part, ExpectName());
      name += "." + part;
    }
    auto e = Make(EK::kFilter, line);
    e->name = name;
    e->items = {node};
    if (IsOp("(")) ATOLL_RETURN_NOT_OK(ParseArgs(*e));
    node = std::move(e);
  }
  return node;
}

Result<ExprPtr> Parser::ParseTest(ExprPtr node) {
  int line = Cur().line;
  Next();  // is
  bool negate = SkipName("not");
  ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
  auto e = Make(EK::kTest, line);
  e->name = name;
  e->negate = negate;
  e->items = {std::move(node)};
  if (IsOp("(")) {
    ATOLL_RETURN_NOT_OK(ParseArgs(*e));
  } else if ((Cur().kind == TK::kName && !IsName("else") && !IsName("or") && !IsName("and")) ||
             Cur().kind == TK::kString || Cur().kind == TK::kInt || Cur().kind == TK::kFloat ||
             IsOp("[") || IsOp("{")) {
    if (IsName("is")) return Error("You cannot chain multiple tests with is");
    ATOLL_ASSIGN_OR_RETURN(ExprPtr arg, ParsePrimary());
    ATOLL_ASSIGN_OR_RETURN(arg, ParsePostfix(arg));
    e->args.push_back(std::move(arg));
  }
  return ExprPtr(std::move(e));
}

}  // namespace atl::jinja::parse_internal
