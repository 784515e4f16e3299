#include "atoll/jinja/value.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

class NativeCallable : public Callable {
 public:
  NativeCallable(std::string name, NativeFunction fn)
      : name_(std::move(name)), fn_(std::move(fn)) {}
  const std::string& name() const override { return name_; }
  Result<Value> Call(const CallArgs& args, CallContext*) const override { return fn_(args); }

 private:
  std::string name_;
  NativeFunction fn_;
};

}  // namespace

const Value* CallArgs::Find(std::string_view name) const {
  for (const auto& [k, v] : keyword) {
    if (k == name) return &v;
  }
  return nullptr;
}

Value Value::Undefined(std::string name) {
  Value v;
  v.str_ = std::move(name);
  return v;
}
Value Value::None() {
  Value v;
  v.kind_ = Kind::kNone;
  return v;
}
Value Value::Bool(bool b) {
  Value v;
  v.kind_ = Kind::kBool;
  v.int_ = b ? 1 : 0;
  return v;
}
Value Value::Int(int64_t i) {
  Value v;
  v.kind_ = Kind::kInt;
  v.int_ = i;
  return v;
}
Value Value::Float(double d) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.float_ = d;
  return v;
}
Value Value::String(std::string s) {
  Value v;
  v.kind_ = Kind::kString;
  v.str_ = std::move(s);
  return v;
}
Value Value::List(std::vector<Value> items) {
  Value v;
  v.kind_ = Kind::kList;
  v.list_ = std::make_shared<ListObject>();
  v.list_->items = std::move(items);
  return v;
}
Value Value::Tuple(std::vector<Value> items) {
  Value v = List(std::move(items));
  v.list_->tuple = true;
  return v;
}
Value Value::Dict() {
  Value v;
  v.kind_ = Kind::kDict;
  v.dict_ = std::make_shared<DictObject>();
  return v;
}
Value Value::Namespace() {
  Value v = Dict();
  v.dict_->is_namespace = true;
  return v;
}
Value Value::Function(std::string name, NativeFunction fn) {
  return FromCallable(std::make_shared<NativeCallable>(std::move(name), std::move(fn)));
}
Value Value::FromCallable(std::shared_ptr<Callable> callable) {
  Value v;
  v.kind_ = Kind::kCallable;
  v.callable_ = std::move(callable);
  return v;
}

Value Value::FromObject(std::shared_ptr<const Object> object) {
  Value v;
  v.kind_ = Kind::kObject;
  v.object_ = std::move(object);
  return v;
}

bool Value::is_tuple() const { return kind_ == Kind::kList && list_->tuple; }
bool Value::is_namespace() const { return kind_ == Kind::kDict && dict_->is_namespace; }

double Value::as_double() const {
  return kind_ == Kind::kFloat ? float_ : static_cast<double>(int_);
}

Value Callable::GetAttr(const std::string&) const { return Value(); }

bool Value::Truthy() const {
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return false;
    case Kind::kBool:
    case Kind::kInt:
      return int_ != 0;
    case Kind::kFloat:
      return float_ != 0.0;
    case Kind::kString:
      return !str_.empty();
    case Kind::kList:
      return !list_->items.empty();
    case Kind::kDict:
      return dict_->is_namespace || !dict_->entries.empty();
    case Kind::kCallable:
    case Kind::kObject:
      return true;
  }
  return false;
}

std::string FloatRepr(double d) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (d == 0) return std::signbit(d) ? "-0.0" : "0.0";
  char buf[64];
  // Shortest round-trip digits in scientific form: [-]d[.ddd]e[+-]XX.
  auto res = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string sci(buf, res.ptr);
  bool neg = sci[0] == '-';
  if (neg) sci.erase(0, 1);
  size_t e = sci.find('e');
  std::string digits = sci.substr(0, e);
  int exp = std::stoi(sci.substr(e + 1));
  digits.erase(std::remove(digits.begin(), digits.end(), '.'), digits.end());
  int decpt = exp + 1;  // position of the decimal point relative to the digits
  std::string out = neg ? "-" : "";
  if (decpt <= -4 || decpt > 16) {  // Python's repr switches to exponent notation here
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    char eb[16];
    std::snprintf(eb, sizeof(eb), "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    out += eb;
  } else if (decpt <= 0) {
    out += "0." + std::string(-decpt, '0') + digits;
  } else if (decpt >= static_cast<int>(digits.size())) {
    out += digits + std::string(decpt - digits.size(), '0') + ".0";
  } else {
    out += digits.substr(0, decpt) + "." + digits.substr(decpt);
  }
  return out;
}

std::string StringRepr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char32_t c : text::Decode(s)) {
    if (c == static_cast<char32_t>(quote) || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) || (c >= 0xDC80 && c <= 0xDCFF)) {
      char buf[8];
      std::snprintf(buf, sizeof(buf), "\\x%02x",
                    static_cast<unsigned>(c >= 0xDC80 ? c - 0xDC00 : c));
      out += buf;
    } else {
      text::AppendCodePoint(out, c);
    }
  }
  out += quote;
  return out;
}

std::string Value::Str() const {
  std::string out;
  AppendStr(out, SIZE_MAX);
  return out;
}

std::string Value::Repr() const {
  std::string out;
  AppendRepr(out, SIZE_MAX);
  return out;
}

bool Value::AppendStr(std::string& out, size_t max_bytes) const {
  if (kind_ == Kind::kUndefined) return true;
  if (kind_ != Kind::kString) return AppendRepr(out, max_bytes);
  if (out.size() + str_.size() > max_bytes) return false;
  out += str_;
  return true;
}

bool Value::AppendRepr(std::string& out, size_t max_bytes, int depth) const {
  if (depth > 100) return false;
  switch (kind_) {
    case Kind::kUndefined:
      out += "Undefined";
      break;
    case Kind::kNone:
      out += "None";
      break;
    case Kind::kBool:
      out += int_ ? "True" : "False";
      break;
    case Kind::kInt:
      out += std::to_string(int_);
      break;
    case Kind::kFloat:
      out += FloatRepr(float_);
      break;
    case Kind::kString:
      if (out.size() + str_.size() > max_bytes) return false;
      out += StringRepr(str_);
      break;
    case Kind::kList: {
      out += list_->tuple ? "(" : "[";
      for (size_t i = 0; i < list_->items.size(); ++i) {
        if (i > 0) out += ", ";
        if (!list_->items[i].AppendRepr(out, max_bytes, depth + 1)) return false;
      }
      if (list_->tuple && list_->items.size() == 1) out += ",";
      out += list_->tuple ? ")" : "]";
      break;
    }
    case Kind::kDict: {
      out += dict_->is_namespace ? "<Namespace {" : "{";
      for (size_t i = 0; i < dict_->entries.size(); ++i) {
        if (i > 0) out += ", ";
        if (!dict_->entries[i].first.AppendRepr(out, max_bytes, depth + 1)) return false;
        out += ": ";
        if (!dict_->entries[i].second.AppendRepr(out, max_bytes, depth + 1)) return false;
      }
      out += dict_->is_namespace ? "}>" : "}";
      break;
    }
    case Kind::kObject:
      out += object_->Str();
      break;
    case Kind::kCallable:
      out += callable_->IsMacro() ? "<Macro '" + callable_->name() + "'>"
                                  : "<function " + callable_->name() + ">";
      break;
  }
  return out.size() <= max_bytes;
}

std::string Value::TypeName() const {
  switch (kind_) {
    case Kind::kUndefined:
      return "Undefined";
    case Kind::kNone:
      return "NoneType";
    case Kind::kBool:
      return "bool";
    case Kind::kInt:
      return "int";
    case Kind::kFloat:
      return "float";
    case Kind::kString:
      return "str";
    case Kind::kList:
      return list_->tuple ? "tuple" : "list";
    case Kind::kDict:
      return dict_->is_namespace ? "Namespace" : "dict";
    case Kind::kCallable:
      return callable_->IsMacro() ? "Macro" : "function";
    case Kind::kObject:
      return object_->TypeName();
  }
  return "";
}

bool Value::Equals(const Value& other, int depth) const {
  if (depth > 100) return false;
  bool num_a = is_number() || is_bool(), num_b = other.is_number() || other.is_bool();
  if (num_a && num_b) {
    if (kind_ != Kind::kFloat && other.kind_ != Kind::kFloat) return int_ == other.int_;
    return as_double() == other.as_double();
  }
  if (kind_ != other.kind_) return false;
  switch (kind_) {
    case Kind::kUndefined:
    case Kind::kNone:
      return true;
    case Kind::kString:
      return str_ == other.str_;
    case Kind::kList: {
      if (list_ == other.list_) return true;
      if (list_->tuple != other.list_->tuple) return false;
      const auto &a = list_->items, &b = other.list_->items;
      if (a.size() != b.size()) return false;
      for (size_t i = 0; i < a.size(); ++i) {
        if (!a[i].Equals(b[i], depth + 1)) return false;
      }
      return true;
    }
    case Kind::kDict: {
      if (dict_ == other.dict_) return true;
      if (dict_->is_namespace || other.dict_->is_namespace) return false;
      if (dict_->entries.size() != other.dict_->entries.size()) return false;
      for (const auto& [k, v] : dict_->entries) {
        const Value* o = other.dict_->Find(k);
        if (o == nullptr || !o->Equals(v, depth + 1)) return false;
      }
      return true;
    }
    case Kind::kCallable:
      return callable_ == other.callable_;
    case Kind::kObject:
      return object_ == other.object_;
    default:
      return false;
  }
}

namespace {

// Destroys `pending` and everything only it owns, depth first, with an explicit stack.
void ReleaseIteratively(std::vector<Value>& pending) {
  while (!pending.empty()) {
    Value v = std::move(pending.back());
    pending.pop_back();
    if (!v.owns_container()) continue;
    if (v.is_list()) {
      for (Value& item : v.list()->items) pending.push_back(std::move(item));
      v.list()->items.clear();
    } else if (v.is_dict()) {
      for (auto& [k, item] : v.dict()->entries) {
        pending.push_back(std::move(k));
        pending.push_back(std::move(item));
      }
      v.dict()->entries.clear();
    }
  }
}

}  // namespace

ListObject::~ListObject() { ReleaseIteratively(items); }

DictObject::~DictObject() {
  std::vector<Value> pending;
  pending.reserve(entries.size() * 2);
  for (auto& [k, v] : entries) {
    pending.push_back(std::move(k));
    pending.push_back(std::move(v));
  }
  entries.clear();
  ReleaseIteratively(pending);
}

const Value* DictObject::Find(const Value& key) const {
  for (const auto& [k, v] : entries) {
    if (k.Equals(key)) return &v;
  }
  return nullptr;
}

const Value* DictObject::FindString(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if (k.is_string() && k.as_string() == key) return &v;
  }
  return nullptr;
}

void DictObject::Set(Value key, Value value) {
  for (auto& [k, v] : entries) {
    if (k.Equals(key)) {
      v = std::move(value);
      return;
    }
  }
  entries.emplace_back(std::move(key), std::move(value));
}

bool DictObject::Erase(const Value& key) {
  for (auto it = entries.begin(); it != entries.end(); ++it) {
    if (it->first.Equals(key)) {
      entries.erase(it);
      return true;
    }
  }
  return false;
}

namespace {

Result<int> CompareAt(const Value& a, const Value& b, std::string_view op, int depth) {
  if (depth > 100) return InvalidArgument("values nested too deeply to compare");
  bool num_a = a.is_number() || a.is_bool(), num_b = b.is_number() || b.is_bool();
  if (num_a && num_b) {
    if (!a.is_float() && !b.is_float()) {
      return a.as_int() < b.as_int() ? -1 : a.as_int() > b.as_int() ? 1 : 0;
    }
    double x = a.as_double(), y = b.as_double();
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (a.is_string() && b.is_string()) {
    int c = a.as_string().compare(b.as_string());
    return c < 0 ? -1 : c > 0 ? 1 : 0;
  }
  if (a.is_list() && b.is_list() && a.is_tuple() == b.is_tuple()) {
    const auto &x = a.list()->items, &y = b.list()->items;
    for (size_t i = 0; i < x.size() && i < y.size(); ++i) {
      if (x[i].Equals(y[i])) continue;
      return CompareAt(x[i], y[i], op, depth + 1);
    }
    return x.size() < y.size() ? -1 : x.size() > y.size() ? 1 : 0;
  }
  return InvalidArgument("'", op, "' not supported between instances of '", a.TypeName(), "' and '",
                         b.TypeName(), "'");
}

}  // namespace

Result<int> Compare(const Value& a, const Value& b, std::string_view op) {
  return CompareAt(a, b, op, 0);
}

}  // namespace atl::jinja
