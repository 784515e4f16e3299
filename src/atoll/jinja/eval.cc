// Expressions of the evaluator: names, operators, attribute and item access, calls,
// filters and tests, with Python's semantics.
#include <cmath>
#include <limits>

#include "atoll/jinja/format.h"
#include "atoll/jinja/interp.h"
#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

using EK = Expr::Kind;

// A method bound to its object: `"a".upper` before the call.
class BoundMethod : public Callable {
 public:
  BoundMethod(Value self, std::string name) : self_(std::move(self)), name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  Result<Value> Call(const CallArgs& args, CallContext* context) const override {
    if (context == nullptr) return InvalidArgument("method called outside of a render");
    return CallMethod(*static_cast<Interp*>(context), self_, name_, args);
  }

 private:
  Value self_;
  std::string name_;
};

std::string TypeObject(const Value& v) { return "'" + v.TypeName() + " object'"; }

bool IsIntLike(const Value& v) { return v.is_int() || v.is_bool(); }

Status TypeError(const std::string& op, const Value& a, const Value& b) {
  return InvalidArgument("unsupported operand type(s) for ", op, ": '", a.TypeName(), "' and '",
                         b.TypeName(), "'");
}

// Python's slice.indices(): resolves start/stop/step against a sequence of `len`.
Status SliceIndices(const Value& start, const Value& stop, const Value& step, int64_t len,
                    int64_t* b, int64_t* e, int64_t* st) {
  auto get = [](const Value& v, int64_t dflt, int64_t* out) -> Status {
    if (v.is_none() || v.is_undefined()) {
      *out = dflt;
      return Status::OK();
    }
    if (!IsIntLike(v)) {
      return InvalidArgument("slice indices must be integers or None");
    }
    *out = v.as_int();
    return Status::OK();
  };
  ATOLL_RETURN_NOT_OK(get(step, 1, st));
  if (*st == 0) return InvalidArgument("slice step cannot be zero");
  if (*st == std::numeric_limits<int64_t>::min()) *st = -std::numeric_limits<int64_t>::max();
  int64_t lower = *st < 0 ? -1 : 0, upper = *st < 0 ? len - 1 : len;
  auto clamp = [&](int64_t v) {
    if (v < 0) {
      v += len;
      if (v < lower) v = lower;
    } else if (v > upper) {
      v = upper;
    }
    return v;
  };
  ATOLL_RETURN_NOT_OK(get(start, *st < 0 ? upper : lower, b));
  if (!start.is_none() && !start.is_undefined()) *b = clamp(*b);
  ATOLL_RETURN_NOT_OK(get(stop, *st < 0 ? lower : upper, e));
  if (!stop.is_none() && !stop.is_undefined()) *e = clamp(*e);
  return Status::OK();
}

}  // namespace

Result<Value> Interp::Lookup(const std::string& name, const std::shared_ptr<Frame>& frame) {
  if (const Value* v = frame->Find(name)) return *v;
  if (const Value* g = env_.FindGlobal(name)) return *g;
  if (name == "return" && env_.return_enabled()) return ReturnFunction();
  bool found = false;
  ATOLL_ASSIGN_OR_RETURN(Value b, BuiltinGlobal(*this, name, &found));
  if (found) return b;
  return Value::Undefined(StrCat("'", name, "' is undefined"));
}

Result<Value> Interp::Eval(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_RETURN_NOT_OK(CheckStack(e.line));
  auto r = EvalNode(e, frame);
  if (r.ok()) {
    if (r->is_string()) {
      Status s = Charge(r->as_string().size());
      if (!s.ok()) return Error(e.line, s.message());
    } else if (e.kind == EK::kList || e.kind == EK::kTuple || e.kind == EK::kDict) {
      Status s = ChargeItems(e.items.size());
      if (!s.ok()) return Error(e.line, s.message());
    }
  }
  return r;
}

Result<Value> Interp::EvalNode(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_RETURN_NOT_OK(Step());
  switch (e.kind) {
    case EK::kLiteral:
      return e.literal;
    case EK::kName:
      return Lookup(e.name, frame);
    case EK::kList:
    case EK::kTuple:
      return EvalList(e, frame);
    case EK::kDict:
      return EvalDict(e, frame);
    case EK::kUnary:
      return EvalUnary(e, frame);
    case EK::kBinary:
      return EvalBinary(e, frame);
    case EK::kAnd:
      return EvalAnd(e, frame);
    case EK::kOr:
      return EvalOr(e, frame);
    case EK::kCompare:
      return EvalCompare(e, frame);
    case EK::kCond:
      return EvalCond(e, frame);
    case EK::kGetAttr:
      return EvalGetAttr(e, frame);
    case EK::kGetItem:
      return EvalGetItem(e, frame);
    case EK::kSlice:
      return EvalSlice(e, frame);
    case EK::kCall:
      return EvalCall(e, frame, nullptr);
    case EK::kFilter:
      return EvalFilter(e, frame);
    case EK::kTest:
      return EvalTest(e, frame);
  }
  return Error(e.line, "unknown expression");
}

Result<Value> Interp::EvalList(const Expr& e, const std::shared_ptr<Frame>& frame) {
  std::vector<Value> items;
  items.reserve(e.items.size());
  for (const ExprPtr& item : e.items) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*item, frame));
    items.push_back(std::move(v));
  }
  return e.kind == EK::kList ? Value::List(std::move(items)) : Value::Tuple(std::move(items));
}

Result<Value> Interp::EvalDict(const Expr& e, const std::shared_ptr<Frame>& frame) {
  Value d = Value::Dict();
  for (size_t i = 0; i + 1 < e.items.size(); i += 2) {
    ATOLL_ASSIGN_OR_RETURN(Value k, Eval(*e.items[i], frame));
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*e.items[i + 1], frame));
    if (k.is_list() && !k.is_tuple()) return Error(e.line, "unhashable type: 'list'");
    if (k.is_dict()) return Error(e.line, "unhashable type: 'dict'");
    d.dict()->Set(std::move(k), std::move(v));
  }
  return d;
}

Result<Value> Interp::EvalUnary(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*e.items[0], frame));
  if (e.name == "not") return Value::Bool(!v.Truthy());
  if (v.is_undefined()) return Error(e.line, v.undefined_message());
  if (IsIntLike(v)) {
    if (e.name == "+") return Value::Int(v.as_int());
    if (v.as_int() == std::numeric_limits<int64_t>::min()) {
      return Error(e.line, "integer overflow");
    }
    return Value::Int(-v.as_int());
  }
  if (v.is_float()) return Value::Float(e.name == "-" ? -v.as_double() : v.as_double());
  return Error(e.line, StrCat("bad operand type for unary ", e.name, ": '", v.TypeName(), "'"));
}

Result<Value> Interp::EvalBinary(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value a, Eval(*e.items[0], frame));
  ATOLL_ASSIGN_OR_RETURN(Value b, Eval(*e.items[1], frame));
  return Arith(e.name, a, b, e.line);
}

Result<Value> Interp::EvalAnd(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value a, Eval(*e.items[0], frame));
  if (!a.Truthy()) return a;
  return Eval(*e.items[1], frame);
}

Result<Value> Interp::EvalOr(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value a, Eval(*e.items[0], frame));
  if (a.Truthy()) return a;
  return Eval(*e.items[1], frame);
}

Result<Value> Interp::EvalCompare(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value left, Eval(*e.items[0], frame));
  for (size_t i = 0; i < e.ops.size(); ++i) {
    ATOLL_ASSIGN_OR_RETURN(Value right, Eval(*e.items[i + 1], frame));
    const std::string& op = e.ops[i];
    bool ok;
    if (op == "==") {
      ok = left.Equals(right);
    } else if (op == "!=") {
      ok = !left.Equals(right);
    } else if (op == "in" || op == "not in") {
      ATOLL_ASSIGN_OR_RETURN(ok, Contains(right, left, e.line));
      if (op == "not in") ok = !ok;
    } else {
      if (left.is_undefined()) return Error(e.line, left.undefined_message());
      if (right.is_undefined()) return Error(e.line, right.undefined_message());
      auto c = Compare(left, right, op);
      if (!c.ok()) return Error(e.line, c.status().message());
      ok = op == "<" ? *c < 0 : op == "<=" ? *c <= 0 : op == ">" ? *c > 0 : *c >= 0;
    }
    if (!ok) return Value::Bool(false);
    left = std::move(right);
  }
  return Value::Bool(true);
}

Result<Value> Interp::EvalCond(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value c, Eval(*e.items[1], frame));
  if (c.Truthy()) return Eval(*e.items[0], frame);
  if (e.items[2]) return Eval(*e.items[2], frame);
  return Value::Undefined(
      "the inline if-expression evaluated to false and no else section was defined.");
}

Result<Value> Interp::EvalGetAttr(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0], frame));
  if (obj.is_undefined()) return Error(e.line, obj.undefined_message());
  return GetAttr(obj, e.name);
}

Result<Value> Interp::EvalGetItem(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0], frame));
  ATOLL_ASSIGN_OR_RETURN(Value key, Eval(*e.items[1], frame));
  if (obj.is_undefined()) return Error(e.line, obj.undefined_message());
  return GetItem(obj, key);
}

Result<Value> Interp::EvalSlice(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value obj, Eval(*e.items[0], frame));
  Value parts[3] = {Value::None(), Value::None(), Value::None()};
  for (int i = 0; i < 3; ++i) {
    if (e.items[i + 1]) {
      ATOLL_ASSIGN_OR_RETURN(parts[i], Eval(*e.items[i + 1], frame));
    }
  }
  return Slice(obj, parts[0], parts[1], parts[2], e.line);
}

Result<Value> Interp::EvalFilter(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value input, Eval(*e.items[0], frame));
  ATOLL_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, frame));
  auto r = ApplyFilter(e.name, input, args);
  if (!r.ok() && !returning) return Error(e.line, r.status().message());
  return r;
}

Result<Value> Interp::EvalTest(const Expr& e, const std::shared_ptr<Frame>& frame) {
  ATOLL_ASSIGN_OR_RETURN(Value input, Eval(*e.items[0], frame));
  ATOLL_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, frame));
  auto r = ApplyTest(e.name, input, args);
  if (!r.ok()) return Error(e.line, r.status().message());
  return Value::Bool(*r != e.negate);
}

Result<Value> Interp::EvalFilterChain(const Expr& chain, const Value& input,
                                      const std::shared_ptr<Frame>& frame) {
  Value in = input;
  if (chain.items[0]) {
    ATOLL_ASSIGN_OR_RETURN(in, EvalFilterChain(*chain.items[0], input, frame));
  }
  ATOLL_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(chain, frame));
  auto r = ApplyFilter(chain.name, in, args);
  if (!r.ok()) return Error(chain.line, r.status().message());
  return r;
}

Result<CallArgs> Interp::EvalArgs(const Expr& e, const std::shared_ptr<Frame>& frame) {
  CallArgs args;
  for (const ExprPtr& a : e.args) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*a, frame));
    args.positional.push_back(std::move(v));
  }
  if (e.star_args) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*e.star_args, frame));
    auto items = Iterate(v);
    if (!items.ok()) return Error(e.line, items.status().message());
    for (Value& item : *items) args.positional.push_back(std::move(item));
  }
  for (const auto& [k, a] : e.kwargs) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*a, frame));
    args.keyword.emplace_back(k, std::move(v));
  }
  if (e.star_kwargs) {
    ATOLL_ASSIGN_OR_RETURN(Value v, Eval(*e.star_kwargs, frame));
    if (!v.is_dict()) return Error(e.line, "argument after ** must be a mapping");
    for (const auto& [k, val] : v.dict()->entries) {
      if (!k.is_string()) return Error(e.line, "keywords must be strings");
      args.keyword.emplace_back(k.as_string(), val);
    }
  }
  return args;
}

Result<Value> Interp::EvalCall(const Expr& e, const std::shared_ptr<Frame>& frame,
                               const Value* caller) {
  ATOLL_ASSIGN_OR_RETURN(Value callee, Eval(*e.items[0], frame));
  ATOLL_ASSIGN_OR_RETURN(CallArgs args, EvalArgs(e, frame));
  if (caller != nullptr) args.keyword.emplace_back("caller", *caller);
  return CallValue(callee, args, e.line);
}

Result<Value> Interp::GetAttr(const Value& obj, const std::string& name) {
  if (obj.is_dict() && !obj.is_namespace()) {
    if (HasMethod(obj, name)) return Value::FromCallable(std::make_shared<BoundMethod>(obj, name));
    if (const Value* v = obj.dict()->FindString(name)) return *v;
  } else if (obj.is_namespace()) {
    if (const Value* v = obj.dict()->FindString(name)) return *v;
  } else if (HasMethod(obj, name)) {
    return Value::FromCallable(std::make_shared<BoundMethod>(obj, name));
  } else if (obj.is_list() && obj.list()->group && (name == "grouper" || name == "list")) {
    return obj.list()->items[name == "grouper" ? 0 : 1];
  } else if (obj.is_object()) {
    Value v = obj.object()->GetAttr(name);
    if (!v.is_undefined() || !v.undefined_message().empty()) return v;
  } else if (obj.is_callable() && obj.callable()->IsMacro() && name == "name") {
    return Value::String(obj.callable()->name());
  } else if (obj.is_callable()) {
    Value v = obj.callable()->GetAttr(name);
    if (!v.is_undefined() || !v.undefined_message().empty()) return v;
  }
  return Value::Undefined(StrCat(TypeObject(obj), " has no attribute '", name, "'"));
}

Result<Value> Interp::GetItem(const Value& obj, const Value& key) {
  if (obj.is_dict() && !obj.is_namespace()) {
    if (const Value* v = obj.dict()->Find(key)) return *v;
  } else if ((obj.is_list() || obj.is_string()) && IsIntLike(key)) {
    int64_t i = key.as_int();
    if (obj.is_list()) {
      int64_t n = static_cast<int64_t>(obj.list()->items.size());
      if (i < 0) i += n;
      if (i >= 0 && i < n) return obj.list()->items[i];
    } else {
      std::u32string cps = text::Decode(obj.as_string());
      int64_t n = static_cast<int64_t>(cps.size());
      if (i < 0) i += n;
      if (i >= 0 && i < n) return Value::String(text::Encode(cps.substr(i, 1)));
    }
  }
  if (key.is_string()) {  // jinja2 falls back to the attribute of that name
    ATOLL_ASSIGN_OR_RETURN(Value attr, GetAttr(obj, key.as_string()));
    if (!attr.is_undefined()) return attr;
  }
  return Value::Undefined(StrCat(TypeObject(obj), " has no element ", key.Repr()));
}

Result<Value> Interp::Slice(const Value& obj, const Value& start, const Value& stop,
                            const Value& step, int line) {
  if (obj.is_undefined()) return Error(line, obj.undefined_message());
  std::u32string cps;
  int64_t len;
  if (obj.is_string()) {
    cps = text::Decode(obj.as_string());
    len = static_cast<int64_t>(cps.size());
  } else if (obj.is_list()) {
    len = static_cast<int64_t>(obj.list()->items.size());
  } else {
    return Value::Undefined(StrCat(TypeObject(obj), " is not subscriptable"));
  }
  int64_t b = 0, e = 0, st = 1;
  Status s = SliceIndices(start, stop, step, len, &b, &e, &st);
  if (!s.ok()) return Error(line, s.message());
  std::u32string out_s;
  std::vector<Value> out_l;
  for (int64_t i = b; st > 0 ? i < e : i > e; i += st) {
    if (obj.is_string()) {
      out_s.push_back(cps[i]);
    } else {
      out_l.push_back(obj.list()->items[i]);
    }
    if (st > 0 && i > std::numeric_limits<int64_t>::max() - st) break;
    if (st < 0 && i < std::numeric_limits<int64_t>::min() - st) break;
  }
  if (obj.is_string()) return Value::String(text::Encode(out_s));
  return obj.is_tuple() ? Value::Tuple(std::move(out_l)) : Value::List(std::move(out_l));
}

Result<bool> Interp::Contains(const Value& container, const Value& item, int line) {
  if (container.is_undefined()) return false;
  if (container.is_string()) {
    if (item.is_undefined()) return Error(line, item.undefined_message());
    if (!item.is_string()) {
      return Error(line,
                   StrCat("'in <string>' requires string as left operand, not ", item.TypeName()));
    }
    return container.as_string().find(item.as_string()) != std::string::npos;
  }
  if (container.is_list()) {
    for (const Value& v : container.list()->items) {
      if (v.Equals(item)) return true;
    }
    return false;
  }
  if (container.is_dict() && !container.is_namespace()) {
    return container.dict()->Find(item) != nullptr;
  }
  return Error(line, StrCat("argument of type '", container.TypeName(), "' is not iterable"));
}

Result<Value> Interp::Arith(const std::string& op, const Value& a, const Value& b, int line) {
  if (op == "~") {
    ATOLL_ASSIGN_OR_RETURN(std::string x, ToStr(a));
    ATOLL_ASSIGN_OR_RETURN(std::string y, ToStr(b));
    Status s = CheckSize(x.size() + y.size());
    if (!s.ok()) return Error(line, s.message());
    return Value::String(x + y);
  }
  if (a.is_undefined()) return Error(line, a.undefined_message());
  if (b.is_undefined()) return Error(line, b.undefined_message());
  auto fail = [&]() { return Error(line, TypeError(op, a, b).message()); };
  bool nums = (a.is_number() || a.is_bool()) && (b.is_number() || b.is_bool());
  bool ints = IsIntLike(a) && IsIntLike(b);
  if (op == "+") {
    if (ints) {
      int64_t r;
      if (__builtin_add_overflow(a.as_int(), b.as_int(), &r))
        return Error(line, "integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() + b.as_double());
    if (a.is_string() && b.is_string()) {
      Status s = CheckSize(a.as_string().size() + b.as_string().size());
      if (!s.ok()) return Error(line, s.message());
      return Value::String(a.as_string() + b.as_string());
    }
    if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
      Status s = ChargeItems(a.list()->items.size() + b.list()->items.size());
      if (!s.ok()) return Error(line, s.message());
      std::vector<Value> items = a.list()->items;
      items.insert(items.end(), b.list()->items.begin(), b.list()->items.end());
      return a.is_tuple() ? Value::Tuple(std::move(items)) : Value::List(std::move(items));
    }
    return fail();
  }
  if (op == "-") {
    if (ints) {
      int64_t r;
      if (__builtin_sub_overflow(a.as_int(), b.as_int(), &r))
        return Error(line, "integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() - b.as_double());
    return fail();
  }
  if (op == "*") {
    if (ints) {
      int64_t r;
      if (__builtin_mul_overflow(a.as_int(), b.as_int(), &r))
        return Error(line, "integer overflow");
      return Value::Int(r);
    }
    if (nums) return Value::Float(a.as_double() * b.as_double());
    const Value* seq = IsIntLike(b) ? &a : IsIntLike(a) ? &b : nullptr;
    const Value* count = seq == &a ? &b : &a;
    if (seq == nullptr || !(seq->is_string() || seq->is_list())) return fail();
    int64_t n = std::max<int64_t>(0, count->as_int());
    size_t unit = seq->is_string() ? seq->as_string().size() : seq->list()->items.size() * 16;
    if (unit > 0 &&
        static_cast<uint64_t>(n) > static_cast<uint64_t>(env_.limits().max_output_bytes) / unit) {
      return Error(line, CheckSize(SIZE_MAX).message());
    }
    if (seq->is_string()) {
      std::string out;
      out.reserve(unit * n);
      for (int64_t i = 0; i < n; ++i) out += seq->as_string();
      return Value::String(std::move(out));
    }
    Status charged = ChargeItems(seq->list()->items.size() * static_cast<size_t>(n));
    if (!charged.ok()) return Error(line, charged.message());
    std::vector<Value> items;
    for (int64_t i = 0; i < n; ++i) {
      items.insert(items.end(), seq->list()->items.begin(), seq->list()->items.end());
    }
    return seq->is_tuple() ? Value::Tuple(std::move(items)) : Value::List(std::move(items));
  }
  if (op == "/") {
    if (!nums) return fail();
    if (b.as_double() == 0) return Error(line, "division by zero");
    return Value::Float(a.as_double() / b.as_double());
  }
  if (op == "//" || op == "%") {
    if (op == "%" && a.is_string()) {
      auto r = PercentFormat(*this, a.as_string(), b);
      if (!r.ok()) return Error(line, r.status().message());
      return Value::String(std::move(*r));
    }
    if (!nums) return fail();
    if (ints) {
      int64_t x = a.as_int(), y = b.as_int();
      if (y == 0)
        return Error(line,
                     op == "%" ? "integer modulo by zero" : "integer division or modulo by zero");
      if (x == std::numeric_limits<int64_t>::min() && y == -1) {
        if (op == "%") return Value::Int(0);
        return Error(line, "integer overflow");
      }
      int64_t q = x / y, r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        --q;
        r += y;
      }
      return Value::Int(op == "//" ? q : r);
    }
    // CPython's float_divmod.
    double x = a.as_double(), y = b.as_double();
    if (y == 0) return Error(line, op == "%" ? "float modulo" : "float divmod()");
    double mod = std::fmod(x, y);
    double div = (x - mod) / y;
    if (mod != 0) {
      if ((y < 0) != (mod < 0)) {
        mod += y;
        div -= 1.0;
      }
    } else {
      mod = std::copysign(0.0, y);
    }
    if (op == "%") return Value::Float(mod);
    double floordiv;
    if (div != 0) {
      floordiv = std::floor(div);
      if (div - floordiv > 0.5) floordiv += 1.0;
    } else {
      floordiv = std::copysign(0.0, x / y);
    }
    return Value::Float(floordiv);
  }
  if (op == "**") {
    if (!nums) return fail();
    if (ints && b.as_int() >= 0) {
      int64_t base = a.as_int(), exp = b.as_int(), r = 1;
      while (exp > 0) {
        if (exp & 1) {
          if (__builtin_mul_overflow(r, base, &r)) return Error(line, "integer overflow");
        }
        exp >>= 1;
        if (exp > 0 && __builtin_mul_overflow(base, base, &base))
          return Error(line, "integer overflow");
      }
      return Value::Int(r);
    }
    if (a.as_double() == 0 && b.as_double() < 0) {
      return Error(line, "0.0 cannot be raised to a negative power");
    }
    double r = std::pow(a.as_double(), b.as_double());
    if (std::isnan(r) && !std::isnan(a.as_double()))
      return Error(line, "math domain error (complex result)");
    return Value::Float(r);
  }
  return Error(line, StrCat("unknown operator ", op));
}

}  // namespace atl::jinja
