#include "atoll/jinja/parser.h"

#include <charconv>
#include <cstdlib>
#include <set>

#include "atoll/jinja/lexer.h"

namespace atl::jinja {

namespace {

using TK = Token::Kind;
using EK = Expr::Kind;
using SK = Stmt::Kind;

std::string Describe(const Token& t) {
  switch (t.kind) {
    case TK::kData:
      return "template data";
    case TK::kVarBegin:
      return "'{{'";
    case TK::kVarEnd:
      return "end of print statement";
    case TK::kBlockBegin:
      return "'{%'";
    case TK::kBlockEnd:
      return "end of statement block";
    case TK::kEof:
      return "end of template";
    default:
      return "'" + t.value + "'";
  }
}

class Parser {
 public:
  Parser(std::vector<Token> tokens, std::string_view file, const ParseOptions& options)
      : toks_(std::move(tokens)), file_(file), opt_(options) {}

  Result<std::shared_ptr<const Template>> Run() {
    auto tmpl = std::make_shared<Template>();
    tmpl->file = file_;
    std::string end;
    ATOLL_ASSIGN_OR_RETURN(tmpl->body, Subparse({}, &end));
    return std::shared_ptr<const Template>(std::move(tmpl));
  }

 private:
  const Token& Cur() const { return toks_[pos_]; }
  const Token& Peek(size_t n = 1) const { return toks_[std::min(pos_ + n, toks_.size() - 1)]; }
  void Next() {
    if (pos_ + 1 < toks_.size()) ++pos_;
  }
  bool IsOp(std::string_view op) const { return Cur().kind == TK::kOp && Cur().value == op; }
  bool IsName(std::string_view name) const {
    return Cur().kind == TK::kName && Cur().value == name;
  }
  bool SkipOp(std::string_view op) {
    if (!IsOp(op)) return false;
    Next();
    return true;
  }
  bool SkipName(std::string_view name) {
    if (!IsName(name)) return false;
    Next();
    return true;
  }

  Status Error(const std::string& what, int line = -1) const {
    return InvalidArgument(file_, ":", line < 0 ? Cur().line : line, ": ", what);
  }
  Status Expected(const std::string& what) const {
    return Error(StrCat("expected ", what, ", got ", Describe(Cur())));
  }
  Status ExpectOp(std::string_view op) {
    if (!SkipOp(op)) return Expected(StrCat("'", op, "'"));
    return Status::OK();
  }
  Status ExpectBlockEnd() {
    if (Cur().kind != TK::kBlockEnd) return Expected("end of statement block");
    Next();
    return Status::OK();
  }
  Result<std::string> ExpectName() {
    if (Cur().kind != TK::kName) return Expected("a name");
    std::string n = Cur().value;
    Next();
    return n;
  }

  // Guards recursion depth against hostile nesting like "((((((...".
  struct DepthGuard {
    explicit DepthGuard(int& d) : depth(d) { ++depth; }
    ~DepthGuard() { --depth; }
    int& depth;
  };
  Status CheckDepth() const {
    if (depth_ > opt_.max_nesting) {
      return Error(StrCat("template nested too deeply (more than ", opt_.max_nesting, " levels)"));
    }
    return Status::OK();
  }

  static std::shared_ptr<Expr> Make(EK kind, int line) {
    auto e = std::make_shared<Expr>();
    e->kind = kind;
    e->line = line;
    return e;
  }

  // ---- statements ----

  // Parses statements until `{% name %}` with name in `ends` (the name is consumed, the
  // rest of that tag is not) or the end of the template (only when `ends` is empty).
  Result<Body> Subparse(const std::set<std::string>& ends, std::string* end) {
    DepthGuard guard(depth_);
    ATOLL_RETURN_NOT_OK(CheckDepth());
    Body body;
    int start_line = Cur().line;
    while (true) {
      const Token& t = Cur();
      if (t.kind == TK::kEof) {
        if (!ends.empty()) {
          std::string names;
          for (const auto& n : ends) names += (names.empty() ? "'" : " or '") + n + "'";
          return Error(StrCat("unexpected end of template; the block opened on line ", start_line,
                              " needs ", names));
        }
        return body;
      }
      if (t.kind == TK::kData) {
        auto s = std::make_shared<Stmt>();
        s->kind = SK::kData;
        s->line = t.line;
        s->text = t.value;
        body.push_back(std::move(s));
        Next();
      } else if (t.kind == TK::kVarBegin) {
        Next();
        auto s = std::make_shared<Stmt>();
        s->kind = SK::kOutput;
        s->line = t.line;
        ATOLL_ASSIGN_OR_RETURN(s->expr, ParseTuple(true));
        if (Cur().kind != TK::kVarEnd) return Expected("end of print statement");
        Next();
        body.push_back(std::move(s));
      } else if (t.kind == TK::kBlockBegin) {
        Next();
        if (Cur().kind == TK::kName && ends.count(Cur().value)) {
          *end = Cur().value;
          Next();
          return body;
        }
        ATOLL_ASSIGN_OR_RETURN(StmtPtr s, ParseStatement());
        body.push_back(std::move(s));
      } else {
        return Error(StrCat("unexpected ", Describe(t)));
      }
    }
  }

  Result<StmtPtr> ParseStatement() {
    if (Cur().kind != TK::kName) return Error("tag name expected");
    std::string tag = Cur().value;
    int line = Cur().line;
    Next();
    auto s = std::make_shared<Stmt>();
    s->line = line;
    if (tag == "if") {
      s->kind = SK::kIf;
      while (true) {
        ATOLL_ASSIGN_OR_RETURN(ExprPtr cond, ParseTuple(false));
        ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
        std::string end;
        ATOLL_ASSIGN_OR_RETURN(Body body, Subparse({"elif", "else", "endif"}, &end));
        s->conds.push_back(std::move(cond));
        s->bodies.push_back(std::move(body));
        if (end == "elif") continue;
        if (end == "else") {
          ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
          ATOLL_ASSIGN_OR_RETURN(s->else_body, Subparse({"endif"}, &end));
        }
        break;
      }
    } else if (tag == "for") {
      s->kind = SK::kFor;
      ATOLL_ASSIGN_OR_RETURN(s->target, ParseAssignTarget(false));
      if (!SkipName("in")) return Expected("'in'");
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseTuple(false, /*no_condexpr=*/true));
      if (SkipName("if")) {
        ATOLL_ASSIGN_OR_RETURN(s->cond, ParseExpression());
      }
      if (IsName("recursive")) return Error("recursive for loops are not supported");
      ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
      ++loop_depth_;
      std::string end;
      ATOLL_ASSIGN_OR_RETURN(s->body, Subparse({"endfor", "else"}, &end));
      --loop_depth_;
      if (end == "else") {
        ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
        ATOLL_ASSIGN_OR_RETURN(s->else_body, Subparse({"endfor"}, &end));
      }
    } else if (tag == "set") {
      ATOLL_ASSIGN_OR_RETURN(s->target, ParseAssignTarget(true));
      if (SkipOp("=")) {
        s->kind = SK::kSet;
        ATOLL_ASSIGN_OR_RETURN(s->expr, ParseTuple(true));
      } else {
        s->kind = SK::kSetBlock;
        if (s->target->kind != EK::kName) return Error("a block set assigns to one name");
        if (IsOp("|")) {
          ATOLL_ASSIGN_OR_RETURN(s->expr, ParseFilterChain(nullptr));
        }
        ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
        std::string end;
        ATOLL_ASSIGN_OR_RETURN(s->body, Subparse({"endset"}, &end));
      }
    } else if (tag == "macro") {
      s->kind = SK::kMacro;
      auto def = std::make_shared<MacroDef>();
      ATOLL_ASSIGN_OR_RETURN(def->name, ExpectName());
      ATOLL_RETURN_NOT_OK(ParseSignature(*def, /*required=*/true));
      ATOLL_RETURN_NOT_OK(ParseMacroBody(*def, "endmacro", line));
      s->macro = std::move(def);
    } else if (tag == "call") {
      s->kind = SK::kCallBlock;
      auto def = std::make_shared<MacroDef>();
      def->name = "caller";
      if (IsOp("(")) {
        ATOLL_RETURN_NOT_OK(ParseSignature(*def, true));
      }
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseExpression());
      if (s->expr->kind != EK::kCall) return Error("expected a call after 'call'");
      ATOLL_RETURN_NOT_OK(ParseMacroBody(*def, "endcall", line));
      s->macro = std::move(def);
    } else if (tag == "filter") {
      s->kind = SK::kFilterBlock;
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseFilterChain(nullptr, /*start_inline=*/true));
      ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
      std::string end;
      ATOLL_ASSIGN_OR_RETURN(s->body, Subparse({"endfilter"}, &end));
    } else if (tag == "do") {
      s->kind = SK::kDo;
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseTuple(true));
    } else if (tag == "include") {
      s->kind = SK::kInclude;
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseExpression());
      if (IsName("ignore") && Peek().kind == TK::kName && Peek().value == "missing") {
        Next();
        Next();
        s->ignore_missing = true;
      }
      s->with_context = true;
      ParseContextModifier(&s->with_context);
    } else if (tag == "import") {
      s->kind = SK::kImport;
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseExpression());
      if (!SkipName("as")) return Expected("'as'");
      ATOLL_ASSIGN_OR_RETURN(std::string alias, ExpectName());
      s->names.emplace_back(alias, alias);
      ParseContextModifier(&s->with_context);
    } else if (tag == "from") {
      s->kind = SK::kFromImport;
      ATOLL_ASSIGN_OR_RETURN(s->expr, ParseExpression());
      if (!SkipName("import")) return Expected("'import'");
      while (true) {
        if (IsName("with") || IsName("without")) {
          if (Peek().kind == TK::kName && Peek().value == "context") break;
        }
        ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
        if (!name.empty() && name[0] == '_') {
          return Error("names starting with an underline can not be imported");
        }
        std::string alias = name;
        if (SkipName("as")) {
          ATOLL_ASSIGN_OR_RETURN(alias, ExpectName());
        }
        s->names.emplace_back(name, alias);
        if (!SkipOp(",")) break;
      }
      ParseContextModifier(&s->with_context);
    } else if (tag == "with") {
      s->kind = SK::kWith;
      while (Cur().kind != TK::kBlockEnd) {
        if (!s->assignments.empty()) ATOLL_RETURN_NOT_OK(ExpectOp(","));
        ATOLL_ASSIGN_OR_RETURN(ExprPtr target, ParseAssignTarget(false));
        ATOLL_RETURN_NOT_OK(ExpectOp("="));
        ATOLL_ASSIGN_OR_RETURN(ExprPtr value, ParseExpression());
        s->assignments.emplace_back(std::move(target), std::move(value));
      }
      ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
      std::string end;
      ATOLL_ASSIGN_OR_RETURN(s->body, Subparse({"endwith"}, &end));
    } else if (tag == "break" || tag == "continue") {
      if (loop_depth_ == 0) return Error(StrCat("'", tag, "' outside of a loop"), line);
      s->kind = tag == "break" ? SK::kBreak : SK::kContinue;
    } else if (tag == "extends" || tag == "block" || tag == "autoescape" || tag == "trans") {
      return Error(StrCat("the '", tag, "' tag is not supported by atoll's Jinja engine"), line);
    } else {
      return Error(StrCat("Encountered unknown tag '", tag, "'."), line);
    }
    // Every statement ends with "%}" (block statements: the one of their end tag).
    ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
    return StmtPtr(std::move(s));
  }

  void ParseContextModifier(bool* with_context) {
    if ((IsName("with") || IsName("without")) && Peek().kind == TK::kName &&
        Peek().value == "context") {
      *with_context = IsName("with");
      Next();
      Next();
    }
  }

  Status ParseSignature(MacroDef& def, bool) {
    ATOLL_RETURN_NOT_OK(ExpectOp("("));
    while (!IsOp(")")) {
      if (!def.params.empty()) ATOLL_RETURN_NOT_OK(ExpectOp(","));
      if (IsOp(")")) break;
      MacroParam p;
      ATOLL_ASSIGN_OR_RETURN(p.name, ExpectName());
      if (SkipOp("=")) {
        ATOLL_ASSIGN_OR_RETURN(p.default_value, ParseExpression());
      } else if (!def.params.empty() && def.params.back().default_value) {
        return Error("non-default argument follows default argument");
      }
      def.params.push_back(std::move(p));
    }
    Next();
    return Status::OK();
  }

  Status ParseMacroBody(MacroDef& def, const char* end_tag, int line) {
    ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
    def.file = file_;
    def.line = line;
    macros_.push_back(&def);
    int saved_loops = loop_depth_;
    loop_depth_ = 0;
    std::string end;
    auto body = Subparse({end_tag}, &end);
    loop_depth_ = saved_loops;
    macros_.pop_back();
    if (!body.ok()) return body.status();
    def.body = std::move(*body);
    if (IsName(def.name) && std::string(end_tag) == "endmacro") Next();  // endmacro name
    return Status::OK();
  }

  // A name, a tuple of names (for and set), or `ns.attr` (set only).
  Result<ExprPtr> ParseAssignTarget(bool with_namespace) {
    int line = Cur().line;
    std::vector<ExprPtr> names;
    bool paren = SkipOp("(");
    while (true) {
      ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
      if (name == "true" || name == "false" || name == "none" || name == "True" ||
          name == "False" || name == "None") {
        return Error(StrCat("can't assign to '", name, "'"), line);
      }
      auto n = Make(EK::kName, line);
      n->name = name;
      if (with_namespace && names.empty() && IsOp(".") && !paren) {
        Next();
        auto attr = Make(EK::kGetAttr, line);
        ATOLL_ASSIGN_OR_RETURN(attr->name, ExpectName());
        attr->items.push_back(std::move(n));
        return ExprPtr(std::move(attr));
      }
      names.push_back(std::move(n));
      if (!SkipOp(",")) break;
      if (Cur().kind != TK::kName) break;
    }
    if (paren) ATOLL_RETURN_NOT_OK(ExpectOp(")"));
    if (names.size() == 1 && !paren) return names[0];
    auto t = Make(EK::kTuple, line);
    t->items = std::move(names);
    return ExprPtr(std::move(t));
  }

  // ---- expressions ----

  // Comma-separated expressions: one expression, or a tuple when a comma appears.
  Result<ExprPtr> ParseTuple(bool with_condexpr, bool no_condexpr = false) {
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

  Result<ExprPtr> ParseExpression() {
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

  Result<ExprPtr> ParseOr() {
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

  Result<ExprPtr> ParseAnd() {
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

  Result<ExprPtr> ParseNot() {
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

  Result<ExprPtr> ParseCompare() {
    int line = Cur().line;
    ATOLL_ASSIGN_OR_RETURN(ExprPtr first, ParseMath1());
    std::shared_ptr<Expr> cmp;
    while (true) {
      std::string op;
      if (Cur().kind == TK::kOp &&
          (Cur().value == "==" || Cur().value == "!=" || Cur().value == "<" ||
           Cur().value == "<=" || Cur().value == ">" || Cur().value == ">=")) {
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

  Result<ExprPtr> Binary(std::string op, ExprPtr left, ExprPtr right, int line) {
    auto e = Make(EK::kBinary, line);
    e->name = std::move(op);
    e->items = {std::move(left), std::move(right)};
    return ExprPtr(std::move(e));
  }

  Result<ExprPtr> ParseMath1() {
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

  Result<ExprPtr> ParseConcat() {
    ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseMath2());
    while (IsOp("~")) {
      int line = Cur().line;
      Next();
      ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseMath2());
      ATOLL_ASSIGN_OR_RETURN(left, Binary("~", left, right, line));
    }
    return left;
  }

  Result<ExprPtr> ParseMath2() {
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

  Result<ExprPtr> ParsePow() {
    ATOLL_ASSIGN_OR_RETURN(ExprPtr left, ParseUnary(true));
    while (IsOp("**")) {
      int line = Cur().line;
      Next();
      ATOLL_ASSIGN_OR_RETURN(ExprPtr right, ParseUnary(true));
      ATOLL_ASSIGN_OR_RETURN(left, Binary("**", left, right, line));
    }
    return left;
  }

  Result<ExprPtr> ParseUnary(bool with_filter) {
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

  Result<ExprPtr> ParsePrimary() {
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

  Result<ExprPtr> ParsePostfix(ExprPtr node) {
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

  Result<ExprPtr> ParseSubscript(ExprPtr node, int line) {
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

  // Parses "(args)" into `e`'s args, kwargs, star_args, star_kwargs.
  Status ParseArgs(Expr& e) {
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

  Result<ExprPtr> ParseCall(ExprPtr callee) {
    auto e = Make(EK::kCall, Cur().line);
    e->items = {std::move(callee)};
    ATOLL_RETURN_NOT_OK(ParseArgs(*e));
    return ExprPtr(std::move(e));
  }

  Result<ExprPtr> ParseFilterExpr(ExprPtr node) {
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

  // "| f(args) | g" (or, with start_inline, "f(args) | g" as in {% filter %}).
  Result<ExprPtr> ParseFilterChain(ExprPtr node, bool start_inline = false) {
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
      if (opt_.has_filter && !opt_.has_filter(name)) {
        return Error(StrCat("No filter named '", name, "'."), line);
      }
      auto e = Make(EK::kFilter, line);
      e->name = name;
      e->items = {node};
      if (IsOp("(")) ATOLL_RETURN_NOT_OK(ParseArgs(*e));
      node = std::move(e);
    }
    return node;
  }

  Result<ExprPtr> ParseTest(ExprPtr node) {
    int line = Cur().line;
    Next();  // is
    bool negate = SkipName("not");
    ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
    if (opt_.has_test && !opt_.has_test(name)) {
      return Error(StrCat("No test named '", name, "'."), line);
    }
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

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::string file_;
  const ParseOptions& opt_;
  int depth_ = 0;
  int loop_depth_ = 0;
  std::vector<MacroDef*> macros_;
};

}  // namespace

Result<std::shared_ptr<const Template>> Parse(std::string_view source, std::string_view file_name,
                                              const ParseOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source, file_name));
  return Parser(std::move(tokens), file_name, options).Run();
}

}  // namespace atl::jinja
