// The Jinja syntax tree (internal): expressions and statements as the parser builds
// them and the evaluator walks them. Nodes are immutable once parsed and shared by
// every render of a template (and by macros that outlive their render).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atoll/jinja/value.h"

namespace atl::jinja {

struct Expr;
struct Stmt;
using ExprPtr = std::shared_ptr<const Expr>;
using StmtPtr = std::shared_ptr<const Stmt>;
using Body = std::vector<StmtPtr>;

struct Expr {
  enum class Kind {
    kLiteral,  // literal
    kName,     // name
    kList,     // items
    kTuple,    // items
    kDict,     // items: key, value, key, value, ...
    kUnary,    // op ("-", "+", "not"), items[0]
    kBinary,   // op ("+", "-", "*", "/", "//", "%", "**", "~"), items[0], items[1]
    kAnd,      // items[0] and items[1]
    kOr,       // items[0] or items[1]
    kCompare,  // items[0] ops[0] items[1] ops[1] items[2] ... (chained like Python)
    kCond,     // items[0] if items[1] else items[2] (items[2] may be null)
    kGetAttr,  // items[0].name
    kGetItem,  // items[0][items[1]]
    kSlice,    // items[0][items[1]:items[2]:items[3]] (null parts omitted)
    kCall,     // items[0](args)
    kFilter,   // name(items[0], args); items[0] null inside {% filter %}
    kTest,     // items[0] is [not] name(args); `negate`
  };
  Kind kind;
  int line = 0;
  Value literal;
  std::string name;  // name, attribute, filter or test name, operator
  std::vector<std::string> ops;
  std::vector<ExprPtr> items;
  // Call / filter / test arguments.
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
  ExprPtr star_args, star_kwargs;  // *args, **kwargs
  bool negate = false;
};

struct MacroParam {
  std::string name;
  ExprPtr default_value;  // null: required
};

// A macro's signature and body (also the body of a `{% call %}` block).
struct MacroDef {
  std::string name;
  std::string file;
  int line = 0;
  std::vector<MacroParam> params;
  Body body;
  bool uses_varargs = false, uses_kwargs = false, uses_caller = false;
};

struct Stmt {
  enum class Kind {
    kData,         // text
    kOutput,       // {{ expr }}
    kIf,           // conds[i] -> bodies[i]; else_body
    kFor,          // for target in expr [if cond] body [else else_body]
    kSet,          // set target = expr
    kSetBlock,     // set target [| filters] body endset; filter (input null) in expr
    kMacro,        // macro
    kCallBlock,    // call(params) expr body endcall; macro holds params + body
    kFilterBlock,  // filter chain (expr, innermost input null) body
    kDo,           // do expr
    kInclude,      // include expr [ignore missing] [with/without context]
    kImport,       // import expr as target
    kFromImport,   // from expr import names
    kWith,         // with targets = values body
    kBreak,
    kContinue,
  };
  Kind kind;
  int line = 0;
  std::string text;
  ExprPtr expr;
  ExprPtr target;  // a Name, a Tuple of Names, or a GetAttr on a Name (namespace)
  ExprPtr cond;
  std::vector<ExprPtr> conds;
  std::vector<Body> bodies;
  Body body, else_body;
  std::shared_ptr<const MacroDef> macro;
  std::vector<std::pair<std::string, std::string>> names;  // from-import (name, alias)
  std::vector<std::pair<ExprPtr, ExprPtr>> assignments;    // with
  bool ignore_missing = false;
  bool with_context = false;
};

// A parsed template.
struct Template {
  std::string file;
  Body body;
};

}  // namespace atl::jinja
