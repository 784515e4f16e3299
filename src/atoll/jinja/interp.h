// The Jinja evaluator (internal): runs a parsed template against frames of variables,
// under the limits of one render. One Interp serves one render (or one Call from C++);
// macros created during it may outlive it and then run under the Interp that calls them.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atoll/jinja/ast.h"
#include "atoll/jinja/environment.h"
#include "atoll/jinja/value.h"

namespace atl::jinja {

class CallContext {
 public:
  virtual ~CallContext() = default;
};

// A scope of variables: the template's top level, a loop iteration, a macro call.
class Frame {
 public:
  explicit Frame(std::shared_ptr<Frame> parent) : parent_(std::move(parent)) {}
  // The variable `name` in this frame or an enclosing one, or null.
  const Value* Find(std::string_view name) const;
  Value* FindLocal(std::string_view name);
  void Set(const std::string& name, Value value);
  const std::vector<std::pair<std::string, Value>>& vars() const { return vars_; }
  void Clear() { vars_.clear(); }

 private:
  std::shared_ptr<Frame> parent_;
  std::vector<std::pair<std::string, Value>> vars_;
};

class Interp : public CallContext {
 public:
  explicit Interp(const Environment& env);
  // Clears the frames that macros of this render captured (they and their macros refer
  // to each other), unless TakeMacroFrames() took them.
  ~Interp() override;
  std::vector<std::shared_ptr<Frame>> TakeMacroFrames() {
    keep_frames_ = true;
    return std::move(macro_frames_);
  }

  // Runs `tmpl` in `frame`, appending to `out`.
  Status RenderTemplate(const Template& tmpl, const std::shared_ptr<Frame>& frame,
                        std::string& out);
  // Calls any callable (macro, native, bound method) with this Interp's limits.
  Result<Value> CallValue(const Value& callee, const CallArgs& args, int line);

  // ---- used by filters, tests and methods ----
  const Environment& env() const { return env_; }
  // Counts one step; an error once the budget is spent.
  Status Step();
  // Counts `bytes` against max_alloc_bytes; `items` list items count sizeof(Value) each.
  Status Charge(uint64_t bytes);
  // An error when adding `item` to `container` would make the container hold itself
  // (such a cycle would never be freed); visits count as steps.
  Status CheckNoCycle(const Value& container, const Value& item);
  Status ChargeItems(size_t items) { return Charge(static_cast<uint64_t>(items) * sizeof(Value)); }
  // An error when a string of `bytes` would exceed the output limit.
  Status CheckSize(size_t bytes) const;
  // str() of a value under the size limit.
  Result<std::string> ToStr(const Value& v);
  Result<Value> ApplyFilter(const std::string& name, const Value& input, const CallArgs& args);
  Result<bool> ApplyTest(const std::string& name, const Value& input, const CallArgs& args);
  // Python-style iteration: list items, dict keys, string characters; undefined is
  // empty; anything else an error.
  Result<std::vector<Value>> Iterate(const Value& v);
  // obj.name / obj[key] as jinja2 resolves them (undefined on a miss).
  Result<Value> GetAttr(const Value& obj, const std::string& name);
  Result<Value> GetItem(const Value& obj, const Value& key);

  // Macro invocation (used by the macro callable).
  Result<Value> InvokeMacro(const MacroDef& def, const std::shared_ptr<Frame>& closure,
                            const CallArgs& args);

  // ---- statements (interp.cc) and expressions (eval.cc) ----
  Status Exec(const Body& body, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecOne(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecFor(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  // One function per kind of statement, so that the recursion's stack frames stay small.
  Status ExecOutput(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecIf(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecSet(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecBlockText(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecCallBlock(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecWith(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecInclude(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out);
  Status ExecImport(const Stmt& s, const std::shared_ptr<Frame>& frame);
  Status Assign(const Expr& target, const Value& value, const std::shared_ptr<Frame>& frame,
                int line);
  Status Append(std::string& out, const Value& v);
  Value MakeMacro(std::shared_ptr<const MacroDef> def, std::shared_ptr<Frame> closure);
  // Renders template `name` as a module (its macros and top-level variables).
  Result<Value> LoadModule(const Value& name, const std::shared_ptr<Frame>& parent, int line);
  // Applies a filter chain whose innermost input is null ({% filter %}, block set) to `input`.
  Result<Value> EvalFilterChain(const Expr& chain, const Value& input,
                                const std::shared_ptr<Frame>& frame);
  // Evaluates a call; `caller` (a call block's body) is passed as keyword `caller`.
  Result<Value> EvalCall(const Expr& call, const std::shared_ptr<Frame>& frame,
                         const Value* caller);
  Result<CallArgs> EvalArgs(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> Lookup(const std::string& name, const std::shared_ptr<Frame>& frame);
  Result<Value> Arith(const std::string& op, const Value& a, const Value& b, int line);
  Result<bool> Contains(const Value& container, const Value& item, int line);
  Result<Value> Slice(const Value& obj, const Value& start, const Value& stop, const Value& step,
                      int line);

  // Evaluates `e`; strings it yields are charged (each copy is an allocation).
  Result<Value> Eval(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalNode(const Expr& e, const std::shared_ptr<Frame>& frame);
  // One function per kind of node, so that the recursion's stack frames stay small.
  Result<Value> EvalList(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalDict(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalUnary(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalBinary(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalAnd(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalOr(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalCompare(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalCond(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalGetAttr(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalGetItem(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalSlice(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalFilter(const Expr& e, const std::shared_ptr<Frame>& frame);
  Result<Value> EvalTest(const Expr& e, const std::shared_ptr<Frame>& frame);
  Status Error(int line, const std::string& message) const;
  const std::string& file() const { return *file_; }

  // dbt's return(): set by the `return` global, caught by the enclosing macro call.
  bool returning = false;
  Value return_value;

 private:
  enum class Flow { kNormal, kBreak, kContinue };
  const Environment& env_;
  const std::string* file_;
  std::string top_file_;
  Flow flow_ = Flow::kNormal;
  int64_t steps_ = 0;
  int64_t produced_ = 0;
  uint64_t allocated_ = 0;
  int call_depth_ = 0;
  // The C++ stack a render may use (measured from the frame that started it): macro
  // calls times nested blocks times nested expressions could otherwise exhaust it, whatever
  // the other limits allow. Threads that render need a few MiB more than this.
  static constexpr uintptr_t kMaxStackBytes = 2 << 20;
  uintptr_t stack_base_ = 0;
  // Records the stack base on the way in (the first entry of a render or call).
  void MarkStackBase() {
    if (stack_base_ == 0) stack_base_ = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  }
  // An error once the render has used kMaxStackBytes of stack below its base.
  Status CheckStack(int line);
  bool keep_frames_ = false;
  std::vector<std::shared_ptr<Frame>> macro_frames_;
};

// The `return` global's callable, compared by identity.
const Value& ReturnFunction();

// Built-in filters and tests (filters.cc, tests.cc); `found` false when `name` is not
// built in.
Result<Value> BuiltinFilter(Interp& in, const std::string& name, const Value& input,
                            const CallArgs& args, bool* found);
Result<bool> BuiltinTest(Interp& in, const std::string& name, const Value& input,
                         const CallArgs& args, bool* found);
bool IsBuiltinFilter(const std::string& name);
bool IsBuiltinTest(const std::string& name);
// Methods of strings, lists and dicts (methods.cc): `"a".upper()`, `d.items()`.
bool HasMethod(const Value& self, const std::string& name);
Result<Value> CallMethod(Interp& in, const Value& self, const std::string& name,
                         const CallArgs& args);
// Globals every template sees: range, dict, namespace, cycler-free jinja2 basics.
Result<Value> BuiltinGlobal(Interp& in, const std::string& name, bool* found);

// Argument helpers for filters and methods.
// The argument at position `index` or keyword `name`, or null.
const Value* Arg(const CallArgs& args, size_t index, std::string_view name);

}  // namespace atl::jinja
