#include <charconv>
#include <cstdlib>

#include "atoll/jinja/parser_impl.h"

namespace atl::jinja {
namespace parse_internal {

Result<Body> Parser::Subparse(const std::set<std::string>& ends, std::string* end) {
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

Result<StmtPtr> Parser::ParseStatement() {
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
  } else if (opt_.dbt_blocks && (tag == "test" || tag == "docs")) {
    // dbt's blocks: `{% test name(args) %}` defines the macro test_<name>, `{% docs name %}`
    // the macro docs_<name> (no arguments) that renders the documentation text.
    s->kind = SK::kMacro;
    auto def = std::make_shared<MacroDef>();
    ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
    def->name = tag + "_" + name;
    if (tag == "test") ATOLL_RETURN_NOT_OK(ParseSignature(*def, true));
    ATOLL_RETURN_NOT_OK(ParseMacroBody(*def, tag == "test" ? "endtest" : "enddocs", line));
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
  } else if (tag == "extends" || tag == "block" || tag == "autoescape" || tag == "trans" ||
             tag == "materialization" || tag == "snapshot") {
    return Error(StrCat("the '", tag, "' tag is not supported by atoll's Jinja engine"), line);
  } else {
    return Error(StrCat("Encountered unknown tag '", tag, "'."), line);
  }
  // Every statement ends with "%}" (block statements: the one of their end tag).
  ATOLL_RETURN_NOT_OK(ExpectBlockEnd());
  return StmtPtr(std::move(s));
}

void Parser::ParseContextModifier(bool* with_context) {
  if ((IsName("with") || IsName("without")) && Peek().kind == TK::kName &&
      Peek().value == "context") {
    *with_context = IsName("with");
    Next();
    Next();
  }
}

Status Parser::ParseSignature(MacroDef& def, bool) {
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

Status Parser::ParseMacroBody(MacroDef& def, const char* end_tag, int line) {
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
  return Status::OK();
}

Result<ExprPtr> Parser::ParseAssignTarget(bool with_namespace) {
  int line = Cur().line;
  if (with_namespace && Cur().kind == TK::kName && Peek().kind == TK::kOp && Peek().value == ".") {
    auto n = Make(EK::kName, line);
    n->name = Cur().value;
    Next();
    Next();
    auto attr = Make(EK::kGetAttr, line);
    ATOLL_ASSIGN_OR_RETURN(attr->name, ExpectName());
    attr->items.push_back(std::move(n));
    return ExprPtr(std::move(attr));
  }
  return ParseTargetList(line, /*closing=*/false);
}

// Targets separated by commas ("a, (b, c)"), inside parentheses when `closing`; one
// target without a comma is itself, not a tuple.
Result<ExprPtr> Parser::ParseTargetList(int line, bool closing) {
  DepthGuard guard(depth_);
  ATOLL_RETURN_NOT_OK(CheckDepth());
  std::vector<ExprPtr> items;
  bool comma = false;
  while (true) {
    if (SkipOp("(")) {
      ATOLL_ASSIGN_OR_RETURN(ExprPtr inner, ParseTargetList(Cur().line, true));
      items.push_back(std::move(inner));
    } else {
      int name_line = Cur().line;
      ATOLL_ASSIGN_OR_RETURN(std::string name, ExpectName());
      if (name == "true" || name == "false" || name == "none" || name == "True" ||
          name == "False" || name == "None") {
        return Error(StrCat("can't assign to '", name, "'"), name_line);
      }
      auto n = Make(EK::kName, name_line);
      n->name = name;
      items.push_back(std::move(n));
    }
    if (!SkipOp(",")) break;
    comma = true;
    if (Cur().kind != TK::kName && !IsOp("(")) break;
  }
  if (closing) ATOLL_RETURN_NOT_OK(ExpectOp(")"));
  if (!comma) return items[0];
  auto t = Make(EK::kTuple, line);
  t->items = std::move(items);
  return ExprPtr(std::move(t));
}

// jinja2 3.x reports an unknown filter or test when compiling, unless it sits in an `if`
// statement or a conditional expression of the same scope ("soft" frames): there the
// error waits until it runs. Loops, macros, call/filter/set blocks and `with` open a new
// scope that is not soft.
Status Parser::CheckExpr(const Expr* e, bool soft) const {
  if (e == nullptr) return Status::OK();
  if (e->kind == EK::kCond) soft = true;
  if (!soft && e->kind == EK::kFilter && opt_.has_filter && !opt_.has_filter(e->name)) {
    return Error(StrCat("No filter named '", e->name, "'."), e->line);
  }
  if (!soft && e->kind == EK::kTest && opt_.has_test && !opt_.has_test(e->name)) {
    return Error(StrCat("No test named '", e->name, "'."), e->line);
  }
  for (const ExprPtr& x : e->items) ATOLL_RETURN_NOT_OK(CheckExpr(x.get(), soft));
  for (const ExprPtr& x : e->args) ATOLL_RETURN_NOT_OK(CheckExpr(x.get(), soft));
  for (const auto& [k, x] : e->kwargs) ATOLL_RETURN_NOT_OK(CheckExpr(x.get(), soft));
  ATOLL_RETURN_NOT_OK(CheckExpr(e->star_args.get(), soft));
  return CheckExpr(e->star_kwargs.get(), soft);
}

Status Parser::CheckBody(const Body& body, bool soft) const {
  for (const StmtPtr& s : body) {
    bool inner = soft;
    switch (s->kind) {
      case SK::kIf:
        inner = true;
        break;
      case SK::kFor:
      case SK::kMacro:
      case SK::kCallBlock:
      case SK::kFilterBlock:
      case SK::kSetBlock:
      case SK::kWith:
        inner = false;
        break;
      default:
        break;
    }
    // A loop's sequence and a call block's call belong to the enclosing scope.
    bool head = (s->kind == SK::kFor || s->kind == SK::kCallBlock) ? soft : inner;
    ATOLL_RETURN_NOT_OK(CheckExpr(s->expr.get(), head));
    ATOLL_RETURN_NOT_OK(CheckExpr(s->cond.get(), inner));
    for (const ExprPtr& c : s->conds) ATOLL_RETURN_NOT_OK(CheckExpr(c.get(), inner));
    for (const auto& [t, v] : s->assignments) ATOLL_RETURN_NOT_OK(CheckExpr(v.get(), soft));
    for (const Body& b : s->bodies) ATOLL_RETURN_NOT_OK(CheckBody(b, inner));
    ATOLL_RETURN_NOT_OK(CheckBody(s->body, inner));
    ATOLL_RETURN_NOT_OK(CheckBody(s->else_body, s->kind == SK::kFor ? soft : inner));
    if (s->macro) {
      for (const MacroParam& p : s->macro->params)
        ATOLL_RETURN_NOT_OK(CheckExpr(p.default_value.get(), false));
      ATOLL_RETURN_NOT_OK(CheckBody(s->macro->body, false));
    }
  }
  return Status::OK();
}

}  // namespace parse_internal

Result<std::shared_ptr<const Template>> Parse(std::string_view source, std::string_view file_name,
                                              const ParseOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(source, file_name));
  return parse_internal::Parser(std::move(tokens), file_name, options).Run();
}

}  // namespace atl::jinja
