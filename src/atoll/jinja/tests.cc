// The built-in tests (`x is defined`), the built-in globals (range, dict, namespace),
// iteration, and the dispatch of filters and tests to the environment's and the
// built-in ones.
#include <cmath>
#include <map>

#include "atoll/jinja/interp.h"
#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

using TestImpl = Result<bool> (*)(Interp& in, const Value& v, const CallArgs& a);

Result<const Value*> One(const CallArgs& a, const char* test) {
  if (a.positional.size() + a.keyword.size() != 1) {
    return InvalidArgument("test '", test, "' takes one argument");
  }
  return a.positional.empty() ? &a.keyword[0].second : &a.positional[0];
}

Result<bool> Cmp(const Value& v, const CallArgs& a, const char* op) {
  ATOLL_ASSIGN_OR_RETURN(const Value* other, One(a, op));
  std::string_view o = op;
  if (o == "==") return v.Equals(*other);
  if (o == "!=") return !v.Equals(*other);
  if (v.is_undefined()) return InvalidArgument(v.undefined_message());
  if (other->is_undefined()) return InvalidArgument(other->undefined_message());
  ATOLL_ASSIGN_OR_RETURN(int c, Compare(v, *other, op));
  if (o == "<") return c < 0;
  if (o == "<=") return c <= 0;
  if (o == ">") return c > 0;
  return c >= 0;
}

Result<bool> Parity(const Value& v, bool odd) {
  if (v.is_undefined()) return InvalidArgument(v.undefined_message());
  if (v.is_int() || v.is_bool()) return ((v.as_int() % 2) != 0) == odd;
  if (v.is_float()) return (std::fmod(std::fabs(v.as_double()), 2.0) == 1.0) == odd;
  return InvalidArgument("unsupported operand type(s) for %: '", v.TypeName(), "' and 'int'");
}

const std::map<std::string, TestImpl>& Tests() {
  static const std::map<std::string, TestImpl> kTests = {
      {"defined",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return !v.is_undefined(); }},
      {"undefined",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_undefined(); }},
      {"none",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_none(); }},
      {"boolean",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_bool(); }},
      {"true",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_bool() && v.as_bool();
       }},
      {"false",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_bool() && !v.as_bool();
       }},
      {"integer",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_int(); }},
      {"float",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_float(); }},
      {"number",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_number() || v.is_bool();
       }},
      {"string",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_string(); }},
      {"mapping",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_dict() && !v.is_namespace();
       }},
      {"iterable",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_string() || v.is_list() || (v.is_dict() && !v.is_namespace()) ||
                v.is_undefined();
       }},
      {"sequence",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_string() || v.is_list() || (v.is_dict() && !v.is_namespace()) ||
                v.is_undefined();
       }},
      {"callable",
       [](Interp&, const Value& v, const CallArgs&) -> Result<bool> { return v.is_callable(); }},
      {"escaped", [](Interp&, const Value&, const CallArgs&) -> Result<bool> { return false; }},
      {"lower",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<bool> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, in.ToStr(v));
         CallArgs none;
         ATOLL_ASSIGN_OR_RETURN(Value r, CallMethod(in, Value::String(s), "islower", none));
         return r.Truthy();
       }},
      {"upper",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<bool> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, in.ToStr(v));
         CallArgs none;
         ATOLL_ASSIGN_OR_RETURN(Value r, CallMethod(in, Value::String(s), "isupper", none));
         return r.Truthy();
       }},
      {"odd", [](Interp&, const Value& v, const CallArgs&) { return Parity(v, true); }},
      {"even", [](Interp&, const Value& v, const CallArgs&) { return Parity(v, false); }},
      {"divisibleby",
       [](Interp& in, const Value& v, const CallArgs& a) -> Result<bool> {
         ATOLL_ASSIGN_OR_RETURN(const Value* n, One(a, "divisibleby"));
         ATOLL_ASSIGN_OR_RETURN(Value r, in.Arith("%", v, *n, 0));
         return r.Equals(Value::Int(0));
       }},
      {"sameas",
       [](Interp&, const Value& v, const CallArgs& a) -> Result<bool> {
         ATOLL_ASSIGN_OR_RETURN(const Value* o, One(a, "sameas"));
         if (v.kind() != o->kind()) return false;
         if (v.is_none() || v.is_bool()) return v.Equals(*o);
         if (v.is_list()) return v.list() == o->list();
         if (v.is_dict()) return v.dict() == o->dict();
         if (v.is_callable()) return v.callable() == o->callable();
         return false;
       }},
      {"eq", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "=="); }},
      {"equalto", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "=="); }},
      {"==", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "=="); }},
      {"ne", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "!="); }},
      {"!=", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "!="); }},
      {"lt", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "<"); }},
      {"lessthan", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "<"); }},
      {"<", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "<"); }},
      {"le", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "<="); }},
      {"<=", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, "<="); }},
      {"gt", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, ">"); }},
      {"greaterthan", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, ">"); }},
      {">", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, ">"); }},
      {"ge", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, ">="); }},
      {">=", [](Interp&, const Value& v, const CallArgs& a) { return Cmp(v, a, ">="); }},
      {"in",
       [](Interp& in, const Value& v, const CallArgs& a) -> Result<bool> {
         ATOLL_ASSIGN_OR_RETURN(const Value* seq, One(a, "in"));
         return in.Contains(*seq, v, 0);
       }},
      {"filter",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_string() && in.env().HasFilter(v.as_string());
       }},
      {"test",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<bool> {
         return v.is_string() && in.env().HasTest(v.as_string());
       }},
  };
  return kTests;
}

Result<Value> Range(const CallArgs& a, int64_t max_items, Interp* in) {
  if (!a.keyword.empty()) return InvalidArgument("range() takes no keyword arguments");
  if (a.positional.empty() || a.positional.size() > 3) {
    return InvalidArgument("range expected 1 to 3 arguments, got ", a.positional.size());
  }
  for (const Value& v : a.positional) {
    if (!v.is_int() && !v.is_bool()) {
      return InvalidArgument("'", v.TypeName(), "' object cannot be interpreted as an integer");
    }
  }
  int64_t start = 0, stop, step = 1;
  if (a.positional.size() == 1) {
    stop = a.positional[0].as_int();
  } else {
    start = a.positional[0].as_int();
    stop = a.positional[1].as_int();
    if (a.positional.size() == 3) step = a.positional[2].as_int();
  }
  if (step == 0) return InvalidArgument("range() arg 3 must not be zero");
  __int128 count =
      step > 0 ? (stop > start ? (static_cast<__int128>(stop) - start + step - 1) / step : 0)
               : (stop < start ? (static_cast<__int128>(start) - stop - step - 1) / -step : 0);
  if (count > max_items) {
    return InvalidArgument("range() of ",
                           static_cast<int64_t>(count > INT64_MAX ? INT64_MAX : count),
                           " items exceeds the allocation budget (max_alloc_bytes)");
  }
  if (in != nullptr) ATOLL_RETURN_NOT_OK(in->ChargeItems(static_cast<size_t>(count)));
  std::vector<Value> items;
  items.reserve(static_cast<size_t>(count));
  for (__int128 i = 0; i < count; ++i)
    items.push_back(Value::Int(static_cast<int64_t>(start + i * step)));
  return Value::List(std::move(items));
}

// cycler(a, b, ...): .next() returns the current item and advances, .current, .reset().
class Cycler : public Object {
 public:
  explicit Cycler(std::vector<Value> items)
      : items_(std::make_shared<std::vector<Value>>(std::move(items))),
        pos_(std::make_shared<size_t>(0)) {}
  std::string TypeName() const override { return "Cycler"; }
  std::string Str() const override { return "<Cycler>"; }
  Value GetAttr(const std::string& name) const override {
    auto items = items_;
    auto pos = pos_;
    if (name == "current") return (*items)[*pos];
    if (name == "items") return Value::List(*items);
    if (name == "next") {
      return Value::Function("next", [items, pos](const CallArgs&) -> Result<Value> {
        Value v = (*items)[*pos];
        *pos = (*pos + 1) % items->size();
        return v;
      });
    }
    if (name == "reset") {
      return Value::Function("reset", [pos](const CallArgs&) -> Result<Value> {
        *pos = 0;
        return Value::None();
      });
    }
    return Value::Undefined(StrCat("'Cycler object' has no attribute '", name, "'"));
  }

 private:
  std::shared_ptr<std::vector<Value>> items_;
  std::shared_ptr<size_t> pos_;
};

// range(): its list is charged against the render's allocation budget.
class RangeCallable : public Callable {
 public:
  const std::string& name() const override {
    static const std::string kName = "range";
    return kName;
  }
  Result<Value> Call(const CallArgs& args, CallContext* context) const override {
    if (context == nullptr) return Range(args, 1'000'000, nullptr);
    Interp* in = static_cast<Interp*>(context);
    return Range(args, in->env().limits().max_alloc_bytes / sizeof(Value), in);
  }
};

}  // namespace

bool IsBuiltinTest(const std::string& name) { return Tests().count(name) > 0; }

Result<bool> BuiltinTest(Interp& in, const std::string& name, const Value& input,
                         const CallArgs& args, bool* found) {
  auto it = Tests().find(name);
  *found = it != Tests().end();
  if (!*found) return false;
  return it->second(in, input, args);
}

Result<Value> BuiltinGlobal(Interp& in, const std::string& name, bool* found) {
  *found = true;
  if (name == "range") {
    static const Value* range = new Value(Value::FromCallable(std::make_shared<RangeCallable>()));
    return *range;
  }
  if (name == "joiner") {  // joiner(sep): "" on the first call, then sep
    return Value::Function("joiner", [](const CallArgs& a) -> Result<Value> {
      std::string sep = a.positional.empty() ? ", " : a.positional[0].Str();
      if (const Value* s = a.Find("sep")) sep = s->Str();
      auto used = std::make_shared<bool>(false);
      return Value::Function("joiner", [sep, used](const CallArgs&) -> Result<Value> {
        if (!*used) {
          *used = true;
          return Value::String("");
        }
        return Value::String(sep);
      });
    });
  }
  if (name == "cycler") {
    return Value::Function("cycler", [](const CallArgs& a) -> Result<Value> {
      if (a.positional.empty()) return InvalidArgument("at least one item has to be provided");
      return Value::FromObject(std::make_shared<Cycler>(a.positional));
    });
  }
  if (name == "dict") {
    return Value::Function("dict", [](const CallArgs& a) -> Result<Value> {
      Value d = Value::Dict();
      if (a.positional.size() > 1) return InvalidArgument("dict expected at most 1 argument");
      if (!a.positional.empty()) {
        if (!a.positional[0].is_dict())
          return InvalidArgument("dict() of a non-dict is not supported");
        d.dict()->entries = a.positional[0].dict()->entries;
      }
      for (const auto& [k, v] : a.keyword) d.dict()->Set(Value::String(k), v);
      return d;
    });
  }
  if (name == "namespace") {
    return Value::Function("namespace", [](const CallArgs& a) -> Result<Value> {
      Value ns = Value::Namespace();
      if (a.positional.size() > 1) return InvalidArgument("namespace expected at most 1 argument");
      if (!a.positional.empty()) {
        if (!a.positional[0].is_dict()) return InvalidArgument("namespace() expects a dict");
        for (const auto& [k, v] : a.positional[0].dict()->entries) {
          if (!k.is_string()) return InvalidArgument("namespace() keys must be strings");
          ns.dict()->Set(k, v);
        }
      }
      for (const auto& [k, v] : a.keyword) ns.dict()->Set(Value::String(k), v);
      return ns;
    });
  }
  *found = false;
  return Value();
}

Result<std::vector<Value>> Interp::Iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kUndefined:
      return std::vector<Value>();
    case Value::Kind::kList:
      ATOLL_RETURN_NOT_OK(ChargeItems(v.list()->items.size()));
      return v.list()->items;
    case Value::Kind::kDict: {
      if (v.is_namespace()) break;
      ATOLL_RETURN_NOT_OK(ChargeItems(v.dict()->entries.size()));
      std::vector<Value> keys;
      for (const auto& [k, val] : v.dict()->entries) keys.push_back(k);
      return keys;
    }
    case Value::Kind::kString: {
      ATOLL_RETURN_NOT_OK(ChargeItems(v.as_string().size()));
      std::vector<Value> chars;
      for (char32_t c : text::Decode(v.as_string())) {
        std::string s;
        text::AppendCodePoint(s, c);
        chars.push_back(Value::String(std::move(s)));
      }
      return chars;
    }
    default:
      break;
  }
  return InvalidArgument("'", v.TypeName(), "' object is not iterable");
}

Result<Value> Interp::ApplyFilter(const std::string& name, const Value& input,
                                  const CallArgs& args) {
  ATOLL_RETURN_NOT_OK(Step());
  if (const FilterFunction* f = env_.FindFilter(name)) return (*f)(input, args);
  bool found = false;
  auto r = BuiltinFilter(*this, name, input, args, &found);
  if (!found) return InvalidArgument("No filter named '", name, "'.");
  return r;
}

Result<bool> Interp::ApplyTest(const std::string& name, const Value& input, const CallArgs& args) {
  ATOLL_RETURN_NOT_OK(Step());
  if (const TestFunction* t = env_.FindTest(name)) return (*t)(input, args);
  bool found = false;
  auto r = BuiltinTest(*this, name, input, args, &found);
  if (!found) return InvalidArgument("No test named '", name, "'.");
  return r;
}

}  // namespace atl::jinja
