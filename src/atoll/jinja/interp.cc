// Statements, macros, includes and imports of the evaluator (expressions: eval.cc).
#include "atoll/jinja/interp.h"

#include <unordered_set>

namespace atl::jinja {

namespace {

using SK = Stmt::Kind;
using EK = Expr::Kind;

// A macro (or a call block's `caller`) bound to the frame it was defined in.
class MacroCallable : public Callable {
 public:
  MacroCallable(const Environment& env, std::shared_ptr<const MacroDef> def,
                std::shared_ptr<Frame> closure)
      : env_(env), def_(std::move(def)), closure_(std::move(closure)) {}
  const std::string& name() const override { return def_->name; }
  bool IsMacro() const override { return true; }
  Result<Value> Call(const CallArgs& args, CallContext* context) const override {
    if (context != nullptr) {
      return static_cast<Interp*>(context)->InvokeMacro(*def_, closure_, args);
    }
    Interp interp(env_);
    return interp.InvokeMacro(*def_, closure_, args);
  }

 private:
  const Environment& env_;
  std::shared_ptr<const MacroDef> def_;
  std::shared_ptr<Frame> closure_;
};

class ReturnCallable : public Callable {
 public:
  const std::string& name() const override {
    static const std::string kName = "return";
    return kName;
  }
  Result<Value> Call(const CallArgs&, CallContext*) const override {
    return InvalidArgument("return() called outside of a template");
  }
};

// `loop` inside a for loop; its attributes are computed when read.
class LoopObject : public Object {
 public:
  // The argument tuple of the last loop.changed() call of the loop (none yet: null).
  struct ChangedState {
    std::unique_ptr<Value> last;
  };
  LoopObject(std::shared_ptr<const std::vector<Value>> items, int64_t index,
             std::shared_ptr<ChangedState> changed)
      : items_(std::move(items)), i_(index), changed_(std::move(changed)) {}
  std::string TypeName() const override { return "LoopContext"; }
  std::string Str() const override {
    return StrCat("<LoopContext ", i_ + 1, "/", items_->size(), ">");
  }
  Value GetAttr(const std::string& name) const override {
    const int64_t n = static_cast<int64_t>(items_->size());
    if (name == "index") return Value::Int(i_ + 1);
    if (name == "index0") return Value::Int(i_);
    if (name == "revindex") return Value::Int(n - i_);
    if (name == "revindex0") return Value::Int(n - i_ - 1);
    if (name == "first") return Value::Bool(i_ == 0);
    if (name == "last") return Value::Bool(i_ == n - 1);
    if (name == "length") return Value::Int(n);
    if (name == "depth") return Value::Int(1);
    if (name == "depth0") return Value::Int(0);
    if (name == "previtem") {
      return i_ > 0 ? (*items_)[i_ - 1] : Value::Undefined("there is no previous item");
    }
    if (name == "nextitem") {
      return i_ + 1 < n ? (*items_)[i_ + 1] : Value::Undefined("there is no next item");
    }
    if (name == "cycle") {
      int64_t i = i_;
      return Value::Function("cycle", [i](const CallArgs& a) -> Result<Value> {
        if (a.positional.empty()) return InvalidArgument("no items for cycling given");
        return a.positional[static_cast<size_t>(i) % a.positional.size()];
      });
    }
    if (name == "changed") {
      auto state = changed_;
      return Value::Function("changed", [state](const CallArgs& a) -> Result<Value> {
        Value now = Value::Tuple(a.positional);
        if (state->last && state->last->Equals(now)) return Value::Bool(false);
        state->last = std::make_unique<Value>(std::move(now));
        return Value::Bool(true);
      });
    }
    return Value::Undefined(StrCat("'LoopContext object' has no attribute '", name, "'"));
  }

 private:
  std::shared_ptr<const std::vector<Value>> items_;
  int64_t i_;
  std::shared_ptr<ChangedState> changed_;
};

// The status that unwinds a macro after return(); never reaches the caller of Render.
const char kReturnMarker[] = "jinja return() in progress";

}  // namespace

const Value& ReturnFunction() {
  static const Value* fn = new Value(Value::FromCallable(std::make_shared<ReturnCallable>()));
  return *fn;
}

const Value* Frame::Find(std::string_view name) const {
  for (const Frame* f = this; f != nullptr; f = f->parent_.get()) {
    for (auto it = f->vars_.rbegin(); it != f->vars_.rend(); ++it) {
      if (it->first == name) return &it->second;
    }
  }
  return nullptr;
}

Value* Frame::FindLocal(std::string_view name) {
  for (auto& [k, v] : vars_) {
    if (k == name) return &v;
  }
  return nullptr;
}

void Frame::Set(const std::string& name, Value value) {
  if (Value* v = FindLocal(name)) {
    *v = std::move(value);
  } else {
    vars_.emplace_back(name, std::move(value));
  }
}

Interp::Interp(const Environment& env) : env_(env), file_(&top_file_) {}

Interp::~Interp() {
  if (!keep_frames_) {
    for (auto& f : macro_frames_) f->Clear();
  }
}

Status Interp::Error(int line, const std::string& message) const {
  return InvalidArgument(*file_, ":", line, ": ", message);
}

Status Interp::Step() {
  if (++steps_ > env_.limits().max_steps) {
    return InvalidArgument("template exceeds the evaluation budget of ", env_.limits().max_steps,
                           " steps (an endless or huge loop?)");
  }
  return Status::OK();
}

Status Interp::CheckStack(int line) {
  const uintptr_t here = reinterpret_cast<uintptr_t>(__builtin_frame_address(0));
  if (stack_base_ > here && stack_base_ - here > kMaxStackBytes) {
    return Error(line, "template nested too deeply at run time (macro calls within nested blocks)");
  }
  return Status::OK();
}

Status Interp::Charge(uint64_t bytes) {
  allocated_ += bytes;
  if (allocated_ > static_cast<uint64_t>(env_.limits().max_alloc_bytes)) {
    return InvalidArgument("template builds more than ", env_.limits().max_alloc_bytes,
                           " bytes of strings and lists (max_alloc_bytes)");
  }
  return Status::OK();
}

Status Interp::CheckNoCycle(const Value& container, const Value& item) {
  if (!item.is_list() && !item.is_dict()) return Status::OK();
  const void* target = container.is_list() ? static_cast<const void*>(container.list())
                                           : static_cast<const void*>(container.dict());
  std::vector<const Value*> stack = {&item};
  std::unordered_set<const void*> seen;
  while (!stack.empty()) {
    const Value* v = stack.back();
    stack.pop_back();
    const void* obj =
        v->is_list() ? static_cast<const void*>(v->list()) : static_cast<const void*>(v->dict());
    if (obj == target) return InvalidArgument("a list or dict cannot contain itself");
    if (!seen.insert(obj).second) continue;
    ATOLL_RETURN_NOT_OK(Step());
    if (v->is_list()) {
      for (const Value& x : v->list()->items) {
        if (x.is_list() || x.is_dict()) stack.push_back(&x);
      }
    } else {
      for (const auto& [k, x] : v->dict()->entries) {
        if (x.is_list() || x.is_dict()) stack.push_back(&x);
      }
    }
  }
  return Status::OK();
}

Status Interp::CheckSize(size_t bytes) const {
  if (bytes > static_cast<size_t>(env_.limits().max_output_bytes)) {
    return InvalidArgument("template output or value larger than ", env_.limits().max_output_bytes,
                           " bytes");
  }
  return Status::OK();
}

Result<std::string> Interp::ToStr(const Value& v) {
  std::string s;
  if (!v.AppendStr(s, static_cast<size_t>(env_.limits().max_output_bytes))) {
    ATOLL_RETURN_NOT_OK(CheckSize(SIZE_MAX));
    return InvalidArgument("value nested too deeply to print");
  }
  return s;
}

Status Interp::Append(std::string& out, const Value& v) {
  size_t before = out.size();
  if (!v.AppendStr(out, static_cast<size_t>(env_.limits().max_output_bytes))) {
    out.resize(before);
    return InvalidArgument("template output or value larger than ", env_.limits().max_output_bytes,
                           " bytes, or nested too deeply");
  }
  produced_ += static_cast<int64_t>(out.size() - before);
  if (produced_ > env_.limits().max_output_bytes) {
    return InvalidArgument("template output larger than ", env_.limits().max_output_bytes,
                           " bytes");
  }
  return Status::OK();
}

Status Interp::RenderTemplate(const Template& tmpl, const std::shared_ptr<Frame>& frame,
                              std::string& out) {
  MarkStackBase();
  const std::string* saved = file_;
  file_ = &tmpl.file;
  Status st = Exec(tmpl.body, frame, out);
  file_ = saved;
  if (!st.ok() && returning) {
    returning = false;
    return Error(0, "return() called outside of a macro");
  }
  return st;
}

Status Interp::Exec(const Body& body, const std::shared_ptr<Frame>& frame, std::string& out) {
  if (!body.empty()) ATOLL_RETURN_NOT_OK(CheckStack(body[0]->line));
  for (const StmtPtr& s : body) {
    ATOLL_RETURN_NOT_OK(ExecOne(*s, frame, out));
    if (flow_ != Flow::kNormal) break;
  }
  return Status::OK();
}

Value Interp::MakeMacro(std::shared_ptr<const MacroDef> def, std::shared_ptr<Frame> closure) {
  macro_frames_.push_back(closure);
  return Value::FromCallable(std::make_shared<MacroCallable>(env_, std::move(def), closure));
}

Status Interp::ExecOne(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  ATOLL_RETURN_NOT_OK(Step());
  switch (s.kind) {
    case SK::kData:
      return Append(out, Value::String(s.text));
    case SK::kOutput:
      return ExecOutput(s, frame, out);
    case SK::kIf:
      return ExecIf(s, frame, out);
    case SK::kFor:
      return ExecFor(s, frame, out);
    case SK::kSet:
      return ExecSet(s, frame, out);
    case SK::kSetBlock:
    case SK::kFilterBlock:
      return ExecBlockText(s, frame, out);
    case SK::kMacro:
      frame->Set(s.macro->name, MakeMacro(s.macro, frame));
      return Status::OK();
    case SK::kCallBlock:
      return ExecCallBlock(s, frame, out);
    case SK::kDo:
      return Eval(*s.expr, frame).status();
    case SK::kInclude:
      return ExecInclude(s, frame, out);
    case SK::kImport:
    case SK::kFromImport:
      return ExecImport(s, frame);
    case SK::kWith:
      return ExecWith(s, frame, out);
    case SK::kBreak:
      flow_ = Flow::kBreak;
      return Status::OK();
    case SK::kContinue:
      flow_ = Flow::kContinue;
      return Status::OK();
  }
  return Status::OK();
}

Status Interp::ExecOutput(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*s.expr, frame));
  return Append(out, v);
}

Status Interp::ExecIf(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  for (size_t i = 0; i < s.conds.size(); ++i) {
    ATOLL_ASSIGN_OR_RETURN(Value c, Eval(*s.conds[i], frame));
    if (c.Truthy()) return Exec(s.bodies[i], frame, out);
  }
  return Exec(s.else_body, frame, out);
}

Status Interp::ExecSet(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*s.expr, frame));
  return Assign(*s.target, v, frame, s.line);
}

Status Interp::ExecBlockText(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  std::string buf;
  ATOLL_RETURN_NOT_OK(Exec(s.body, frame, buf));
  Value v = Value::String(std::move(buf));
  if (s.expr) {
    ATOLL_ASSIGN_OR_RETURN(v, EvalFilterChain(*s.expr, v, frame));
  }
  if (s.kind == SK::kSetBlock) return Assign(*s.target, v, frame, s.line);
  return Append(out, v);
}

Status Interp::ExecCallBlock(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  Value caller = MakeMacro(s.macro, frame);
  ATOLL_ASSIGN_OR_RETURN(Value v, EvalCall(*s.expr, frame, &caller));
  return Append(out, v);
}

Status Interp::ExecWith(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  auto inner = std::make_shared<Frame>(frame);
  for (const auto& [target, value] : s.assignments) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*value, frame));
    ATOLL_RETURN_NOT_OK(Assign(*target, v, inner, s.line));
  }
  return Exec(s.body, inner, out);
}

Status Interp::Assign(const Expr& target, const Value& value, const std::shared_ptr<Frame>& frame,
                      int line) {
  if (target.kind == EK::kName) {
    frame->Set(target.name, value);
    return Status::OK();
  }
  if (target.kind == EK::kGetAttr) {
    const Value* ns = frame->Find(target.items[0]->name);
    if (ns == nullptr || !ns->is_namespace()) {
      return Error(line, "cannot assign attribute on non-namespace object");
    }
    Status cycle = CheckNoCycle(*ns, value);
    if (!cycle.ok()) return Error(line, cycle.message());
    ns->dict()->Set(Value::String(target.name), value);
    return Status::OK();
  }
  // A tuple of names: unpack like Python.
  auto items = Iterate(value);
  if (!items.ok()) return Error(line, items.status().message());
  if (items->size() != target.items.size()) {
    return Error(
        line, items->size() < target.items.size()
                  ? StrCat("not enough values to unpack (expected ", target.items.size(), ", got ",
                           items->size(), ")")
                  : StrCat("too many values to unpack (expected ", target.items.size(), ")"));
  }
  for (size_t i = 0; i < items->size(); ++i) {
    ATOLL_RETURN_NOT_OK(Assign(*target.items[i], (*items)[i], frame, line));
  }
  return Status::OK();
}

Status Interp::ExecFor(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  ATOLL_ASSIGN_OR_RETURN(Value seq, Eval(*s.expr, frame));
  auto iterated = Iterate(seq);
  if (!iterated.ok()) return Error(s.line, iterated.status().message());
  std::vector<Value> items = std::move(*iterated);
  if (s.cond) {  // `for x in xs if cond`: the loop sees only the items that pass
    std::vector<Value> kept;
    for (Value& item : items) {
      ATOLL_RETURN_NOT_OK(Step());
      auto probe = std::make_shared<Frame>(frame);
      ATOLL_RETURN_NOT_OK(Assign(*s.target, item, probe, s.line));
      ATOLL_ASSIGN_OR_RETURN(Value c, Eval(*s.cond, probe));
      if (c.Truthy()) kept.push_back(std::move(item));
    }
    items = std::move(kept);
  }
  if (items.empty()) {
    auto inner = std::make_shared<Frame>(frame);
    return Exec(s.else_body, inner, out);
  }
  const int64_t n = static_cast<int64_t>(items.size());
  auto items_shared = std::make_shared<const std::vector<Value>>(std::move(items));
  auto changed = std::make_shared<LoopObject::ChangedState>();
  for (int64_t i = 0; i < n; ++i) {
    ATOLL_RETURN_NOT_OK(Step());
    auto inner = std::make_shared<Frame>(frame);
    ATOLL_RETURN_NOT_OK(Assign(*s.target, (*items_shared)[i], inner, s.line));
    Value loop = Value::FromObject(std::make_shared<LoopObject>(items_shared, i, changed));
    inner->Set("loop", std::move(loop));
    ATOLL_RETURN_NOT_OK(Exec(s.body, inner, out));
    if (flow_ == Flow::kBreak) {
      flow_ = Flow::kNormal;
      break;
    }
    flow_ = Flow::kNormal;
  }
  return Status::OK();
}

Status Interp::ExecInclude(const Stmt& s, const std::shared_ptr<Frame>& frame, std::string& out) {
  ATOLL_ASSIGN_OR_RETURN(Value name, Eval(*s.expr, frame));
  std::vector<Value> names;
  if (name.is_list()) {
    names = name.list()->items;
  } else {
    names.push_back(name);
  }
  for (const Value& n : names) {
    if (!n.is_string()) return Error(s.line, "include expects a template name (a string)");
    auto tmpl = env_.LoadTemplate(n.as_string());
    if (!tmpl.ok() && tmpl.status().code() == StatusCode::kNotFound) continue;
    if (!tmpl.ok()) return tmpl.status().WithContext(StrCat(*file_, ":", s.line));
    if (++call_depth_ > env_.limits().max_call_depth) {
      return Error(s.line, StrCat("includes and macro calls nested deeper than ",
                                  env_.limits().max_call_depth));
    }
    auto inner = std::make_shared<Frame>(s.with_context ? frame : nullptr);
    Status st = RenderTemplate(**tmpl, inner, out);
    --call_depth_;
    return st;
  }
  if (s.ignore_missing) return Status::OK();
  return Error(s.line, StrCat("template ", name.Repr(), " not found"));
}

Result<Value> Interp::LoadModule(const Value& name, const std::shared_ptr<Frame>& parent,
                                 int line) {
  if (!name.is_string()) return Error(line, "import expects a template name (a string)");
  auto tmpl = env_.LoadTemplate(name.as_string());
  if (!tmpl.ok() && tmpl.status().code() == StatusCode::kNotFound) {
    return Error(line, StrCat("template ", name.Repr(), " not found"));
  }
  if (!tmpl.ok()) return tmpl.status().WithContext(StrCat(*file_, ":", line));
  if (++call_depth_ > env_.limits().max_call_depth) {
    return Error(
        line, StrCat("imports and macro calls nested deeper than ", env_.limits().max_call_depth));
  }
  auto module_frame = std::make_shared<Frame>(parent);
  std::string discarded;
  Status st = RenderTemplate(**tmpl, module_frame, discarded);
  --call_depth_;
  ATOLL_RETURN_NOT_OK(st);
  Value module = Value::Dict();
  for (const auto& [k, v] : module_frame->vars()) {
    if (!k.empty() && k[0] != '_') module.dict()->Set(Value::String(k), v);
  }
  return module;
}

Status Interp::ExecImport(const Stmt& s, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value name, Eval(*s.expr, frame));
  ATOLL_ASSIGN_OR_RETURN(Value module, LoadModule(name, s.with_context ? frame : nullptr, s.line));
  if (s.kind == SK::kImport) {
    frame->Set(s.names[0].second, module);
    return Status::OK();
  }
  for (const auto& [n, alias] : s.names) {
    const Value* v = module.dict()->FindString(n);
    frame->Set(alias,
               v ? *v
                 : Value::Undefined(StrCat("the template ", name.Repr(),
                                           " does not export the requested name '", n, "'")));
  }
  return Status::OK();
}

Result<Value> Interp::InvokeMacro(const MacroDef& def, const std::shared_ptr<Frame>& closure,
                                  const CallArgs& args) {
  MarkStackBase();
  const std::string* saved_file = file_;
  if (call_depth_ + 1 > env_.limits().max_call_depth) {
    return InvalidArgument(def.file, ":", def.line, ": macro '", def.name,
                           "' calls nested deeper than ", env_.limits().max_call_depth);
  }
  file_ = &def.file;
  auto frame = std::make_shared<Frame>(closure);
  auto fail = [&](const std::string& msg) {
    file_ = saved_file;
    return InvalidArgument(def.file, ":", def.line, ": macro '", def.name, "' ", msg);
  };
  const size_t nparams = def.params.size();
  if (args.positional.size() > nparams && !def.uses_varargs) {
    return fail(StrCat("takes not more than ", nparams, " argument(s)"));
  }
  std::vector<bool> given(nparams, false);
  for (size_t i = 0; i < nparams && i < args.positional.size(); ++i) {
    frame->Set(def.params[i].name, args.positional[i]);
    given[i] = true;
  }
  Value kwargs = Value::Dict();
  bool caller_given = false;
  for (const auto& [k, v] : args.keyword) {
    size_t idx = nparams;
    for (size_t i = 0; i < nparams; ++i) {
      if (def.params[i].name == k) idx = i;
    }
    if (idx < nparams) {
      if (given[idx]) return fail(StrCat("got multiple values for argument '", k, "'"));
      frame->Set(k, v);
      given[idx] = true;
    } else if (k == "caller" && def.uses_caller) {
      frame->Set("caller", v);
      caller_given = true;
    } else if (def.uses_kwargs) {
      kwargs.dict()->Set(Value::String(k), v);
    } else {
      return fail(StrCat("takes no keyword argument '", k, "'"));
    }
  }
  for (size_t i = 0; i < nparams; ++i) {
    if (given[i]) continue;
    if (def.params[i].default_value) {
      auto v = Eval(*def.params[i].default_value, frame);
      if (!v.ok()) {
        file_ = saved_file;
        return v.status();
      }
      frame->Set(def.params[i].name, *v);
    } else {
      frame->Set(def.params[i].name,
                 Value::Undefined(StrCat("parameter '", def.params[i].name, "' was not provided")));
    }
  }
  if (def.uses_varargs) {
    std::vector<Value> rest;
    for (size_t i = nparams; i < args.positional.size(); ++i) rest.push_back(args.positional[i]);
    frame->Set("varargs", Value::Tuple(std::move(rest)));
  }
  if (def.uses_kwargs) frame->Set("kwargs", kwargs);
  if (def.uses_caller && !caller_given) {
    frame->Set("caller", Value::Undefined("No caller defined"));
  }
  ++call_depth_;
  std::string out;
  Status st = Exec(def.body, frame, out);
  --call_depth_;
  flow_ = Flow::kNormal;
  file_ = saved_file;
  if (!st.ok()) {
    if (returning) {  // return() unwound the body (its status may carry context)
      returning = false;
      return std::move(return_value);
    }
    return st;
  }
  return Value::String(std::move(out));
}

Result<Value> Interp::CallValue(const Value& callee, const CallArgs& args, int line) {
  MarkStackBase();
  if (callee.is_undefined()) return Error(line, callee.undefined_message());
  if (!callee.is_callable()) {
    return Error(line, StrCat("'", callee.TypeName(), "' object is not callable"));
  }
  if (callee.callable() == ReturnFunction().callable()) {
    if (call_depth_ == 0) return Error(line, "return() called outside of a macro");
    returning = true;
    return_value = args.positional.empty() ? Value::None() : args.positional[0];
    return Status(StatusCode::kCancelled, kReturnMarker);
  }
  auto r = callee.callable()->Call(args, this);
  if (r.ok() || callee.callable()->IsMacro() || returning) return r;
  return r.status().WithContext(StrCat(*file_, ":", line));
}

}  // namespace atl::jinja
