// The Jinja parser's internals: one recursive-descent parser over the tokens, its
// statement half in parser.cc and its expression half in parser_expr.cc.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "atoll/jinja/lexer.h"
#include "atoll/jinja/parser.h"

namespace atl::jinja::parse_internal {

using TK = Token::Kind;
using EK = Expr::Kind;
using SK = Stmt::Kind;

inline std::string Describe(const Token& t) {
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
    ATOLL_RETURN_NOT_OK(CheckBody(tmpl->body, false));
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

  // ---- statements (parser.cc) ----
  // Unknown filters and tests outside "soft" (if / conditional) scopes are parse errors.
  Status CheckBody(const Body& body, bool soft) const;
  Status CheckExpr(const Expr* e, bool soft) const;
  // ---- statements ----
  // Parses statements until `{% name %}` with name in `ends` (the name is consumed, the
  // rest of that tag is not) or the end of the template (only when `ends` is empty).
  Result<Body> Subparse(const std::set<std::string>& ends, std::string* end);
  Result<StmtPtr> ParseStatement();
  void ParseContextModifier(bool* with_context);
  Status ParseSignature(MacroDef& def, bool);
  Status ParseMacroBody(MacroDef& def, const char* end_tag, int line);
  // A name, a tuple of names (for and set), or `ns.attr` (set only).
  Result<ExprPtr> ParseAssignTarget(bool with_namespace);
  Result<ExprPtr> ParseTargetList(int line, bool closing);

  // ---- expressions (parser_expr.cc) ----
  // ---- expressions ----
  // Comma-separated expressions: one expression, or a tuple when a comma appears.
  Result<ExprPtr> ParseTuple(bool with_condexpr, bool no_condexpr = false);
  Result<ExprPtr> ParseExpression();
  Result<ExprPtr> ParseOr();
  Result<ExprPtr> ParseAnd();
  Result<ExprPtr> ParseNot();
  Result<ExprPtr> ParseCompare();
  Result<ExprPtr> Binary(std::string op, ExprPtr left, ExprPtr right, int line);
  Result<ExprPtr> ParseMath1();
  Result<ExprPtr> ParseConcat();
  Result<ExprPtr> ParseMath2();
  Result<ExprPtr> ParsePow();
  Result<ExprPtr> ParseUnary(bool with_filter);
  Result<ExprPtr> ParsePrimary();
  Result<ExprPtr> ParsePostfix(ExprPtr node);
  Result<ExprPtr> ParseSubscript(ExprPtr node, int line);
  // Parses "(args)" into `e`'s args, kwargs, star_args, star_kwargs.
  Status ParseArgs(Expr& e);
  Result<ExprPtr> ParseCall(ExprPtr callee);
  Result<ExprPtr> ParseFilterExpr(ExprPtr node);
  // "| f(args) | g" (or, with start_inline, "f(args) | g" as in {% filter %}).
  Result<ExprPtr> ParseFilterChain(ExprPtr node, bool start_inline = false);
  Result<ExprPtr> ParseTest(ExprPtr node);

  std::vector<Token> toks_;
  size_t pos_ = 0;
  std::string file_;
  const ParseOptions& opt_;
  int depth_ = 0;
  int loop_depth_ = 0;
  std::vector<MacroDef*> macros_;
};

}  // namespace atl::jinja::parse_internal
