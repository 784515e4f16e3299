// Methods of strings, lists and dicts that templates call: "a".upper(), xs.append(1),
// d.items(), with Python's behaviour.
#include <algorithm>
#include <set>

#include "atoll/jinja/format.h"
#include "atoll/jinja/interp.h"
#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

const std::set<std::string>& StringMethods() {
  static const std::set<std::string> kNames = {
      "upper",   "lower",      "strip",     "lstrip",     "rstrip",    "split",    "rsplit",
      "replace", "startswith", "endswith",  "format",     "join",      "title",    "capitalize",
      "find",    "rfind",      "index",     "count",      "isdigit",   "isalpha",  "isalnum",
      "isupper", "islower",    "isspace",   "splitlines", "zfill",     "center",   "ljust",
      "rjust",   "casefold",   "partition", "rpartition", "isnumeric", "isdecimal"};
  return kNames;
}
const std::set<std::string>& ListMethods() {
  static const std::set<std::string> kNames = {"append", "extend", "insert", "pop",
                                               "remove", "index",  "count",  "reverse",
                                               "sort",   "copy",   "clear"};
  return kNames;
}
const std::set<std::string>& TupleMethods() {
  static const std::set<std::string> kNames = {"index", "count"};
  return kNames;
}
const std::set<std::string>& DictMethods() {
  static const std::set<std::string> kNames = {"items", "keys", "values",     "get",   "update",
                                               "pop",   "copy", "setdefault", "clear", "popitem"};
  return kNames;
}

Status ArgCount(const CallArgs& a, size_t min, size_t max, const std::string& name) {
  size_t n = a.positional.size() + a.keyword.size();
  if (n < min || n > max) {
    return InvalidArgument(name, "() takes ", min == max ? StrCat(min) : StrCat(min, " to ", max),
                           " argument(s) (", n, " given)");
  }
  return Status::OK();
}

Result<std::string> StrArg(const Value* v, const std::string& what) {
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument(what, " must be str, not ", v ? v->TypeName() : "nothing");
  }
  return v->as_string();
}

Result<int64_t> IntArg(const Value* v, int64_t dflt) {
  if (v == nullptr || v->is_none()) return dflt;
  if (!v->is_int() && !v->is_bool()) {
    return InvalidArgument("'", v->TypeName(), "' object cannot be interpreted as an integer");
  }
  return v->as_int();
}

Result<Value> Justify(Interp& in, const std::string& s, const CallArgs& a, char how) {
  ATOLL_ASSIGN_OR_RETURN(int64_t width, IntArg(Arg(a, 0, "width"), 0));
  std::string fill = " ";
  if (const Value* f = Arg(a, 1, "fillchar")) {
    ATOLL_ASSIGN_OR_RETURN(fill, StrArg(f, "fillchar"));
    if (text::Length(fill) != 1)
      return InvalidArgument("The fill character must be exactly one character long");
  }
  int64_t len = text::Length(s);
  if (width <= len) return Value::String(s);
  ATOLL_RETURN_NOT_OK(in.CheckSize(static_cast<size_t>(width) * fill.size()));
  int64_t pad = width - len, left = how == 'l' ? 0 : how == 'r' ? pad : pad / 2 + (pad & width & 1);
  std::string out;
  for (int64_t i = 0; i < left; ++i) out += fill;
  out += s;
  for (int64_t i = 0; i < pad - left; ++i) out += fill;
  return Value::String(std::move(out));
}

Result<Value> StringMethod(Interp& in, const std::string& s, const std::string& m,
                           const CallArgs& a) {
  if (m == "upper") return Value::String(text::Upper(s));
  if (m == "lower" || m == "casefold") return Value::String(text::Lower(s));
  if (m == "title") return Value::String(text::Title(s));
  if (m == "capitalize") return Value::String(text::Capitalize(s));
  if (m == "strip" || m == "lstrip" || m == "rstrip") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 0, 1, m));
    const Value* chars = Arg(a, 0, "chars");
    std::string set;
    if (chars && !chars->is_none()) {
      ATOLL_ASSIGN_OR_RETURN(set, StrArg(chars, "chars"));
    }
    bool use = chars && !chars->is_none();
    return Value::String(text::Strip(s, m != "rstrip", m != "lstrip", use ? &set : nullptr));
  }
  if (m == "split" || m == "rsplit") {
    const Value* sep = Arg(a, 0, "sep");
    ATOLL_ASSIGN_OR_RETURN(int64_t maxsplit, IntArg(Arg(a, 1, "maxsplit"), -1));
    std::string sep_s;
    bool has_sep = sep && !sep->is_none();
    if (has_sep) {
      ATOLL_ASSIGN_OR_RETURN(sep_s, StrArg(sep, "sep"));
      if (sep_s.empty()) return InvalidArgument("empty separator");
    }
    std::vector<std::string> parts;
    if (m == "rsplit" && maxsplit >= 0) {
      // Split from the right: reverse, split, reverse back (byte-wise for ASCII separators).
      std::u32string r = text::Decode(s);
      std::reverse(r.begin(), r.end());
      std::u32string rs = text::Decode(sep_s);
      std::reverse(rs.begin(), rs.end());
      std::string rsep = text::Encode(rs);
      parts = text::Split(text::Encode(r), has_sep ? &rsep : nullptr, maxsplit);
      std::reverse(parts.begin(), parts.end());
      for (auto& p : parts) {
        std::u32string c = text::Decode(p);
        std::reverse(c.begin(), c.end());
        p = text::Encode(c);
      }
    } else {
      parts = text::Split(s, has_sep ? &sep_s : nullptr, maxsplit);
    }
    std::vector<Value> out;
    for (auto& p : parts) out.push_back(Value::String(std::move(p)));
    return Value::List(std::move(out));
  }
  if (m == "splitlines") {
    std::vector<Value> out;
    for (auto& p : text::SplitLines(s)) out.push_back(Value::String(std::move(p)));
    return Value::List(std::move(out));
  }
  if (m == "replace") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 2, 3, m));
    ATOLL_ASSIGN_OR_RETURN(std::string from, StrArg(Arg(a, 0, "old"), "replace() argument 1"));
    ATOLL_ASSIGN_OR_RETURN(std::string to, StrArg(Arg(a, 1, "new"), "replace() argument 2"));
    ATOLL_ASSIGN_OR_RETURN(int64_t count, IntArg(Arg(a, 2, "count"), -1));
    if (!from.empty() && to.size() > from.size()) {
      ATOLL_RETURN_NOT_OK(in.CheckSize(s.size() / from.size() * to.size() + s.size()));
    } else if (from.empty()) {
      ATOLL_RETURN_NOT_OK(in.CheckSize((s.size() + 1) * (to.size() + 1)));
    }
    return Value::String(text::Replace(s, from, to, count));
  }
  if (m == "startswith" || m == "endswith") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 1, m));
    const Value& p = a.positional.empty() ? a.keyword[0].second : a.positional[0];
    std::vector<Value> options = p.is_tuple() ? p.list()->items : std::vector<Value>{p};
    for (const Value& o : options) {
      if (!o.is_string()) {
        return InvalidArgument(m, " first arg must be str or a tuple of str, not ", o.TypeName());
      }
      const std::string& x = o.as_string();
      bool hit = x.size() <= s.size() &&
                 (m == "startswith" ? s.compare(0, x.size(), x) == 0
                                    : s.compare(s.size() - x.size(), x.size(), x) == 0);
      if (hit) return Value::Bool(true);
    }
    return Value::Bool(false);
  }
  if (m == "format") {
    ATOLL_ASSIGN_OR_RETURN(std::string out, BraceFormat(in, s, a));
    return Value::String(std::move(out));
  }
  if (m == "join") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 1, m));
    ATOLL_ASSIGN_OR_RETURN(
        std::vector<Value> items,
        in.Iterate(a.positional.empty() ? a.keyword[0].second : a.positional[0]));
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].is_string()) {
        return InvalidArgument("sequence item ", i, ": expected str instance, ",
                               items[i].TypeName(), " found");
      }
      if (i > 0) out += s;
      out += items[i].as_string();
      ATOLL_RETURN_NOT_OK(in.CheckSize(out.size()));
    }
    return Value::String(std::move(out));
  }
  if (m == "find" || m == "rfind" || m == "index" || m == "count") {
    ATOLL_ASSIGN_OR_RETURN(std::string sub, StrArg(Arg(a, 0, "sub"), m + "() argument"));
    std::u32string hay = text::Decode(s), needle = text::Decode(sub);
    if (m == "count") {
      if (needle.empty()) return Value::Int(static_cast<int64_t>(hay.size()) + 1);
      int64_t n = 0;
      for (size_t p = hay.find(needle); p != std::u32string::npos;
           p = hay.find(needle, p + needle.size()))
        ++n;
      return Value::Int(n);
    }
    size_t p = m == "rfind" ? hay.rfind(needle) : hay.find(needle);
    if (p == std::u32string::npos) {
      if (m == "index") return InvalidArgument("substring not found");
      return Value::Int(-1);
    }
    return Value::Int(static_cast<int64_t>(p));
  }
  if (m == "partition" || m == "rpartition") {
    ATOLL_ASSIGN_OR_RETURN(std::string sep, StrArg(Arg(a, 0, "sep"), "sep"));
    if (sep.empty()) return InvalidArgument("empty separator");
    size_t p = m == "partition" ? s.find(sep) : s.rfind(sep);
    if (p == std::string::npos) {
      return m == "partition"
                 ? Value::Tuple({Value::String(s), Value::String(""), Value::String("")})
                 : Value::Tuple({Value::String(""), Value::String(""), Value::String(s)});
    }
    return Value::Tuple({Value::String(s.substr(0, p)), Value::String(sep),
                         Value::String(s.substr(p + sep.size()))});
  }
  if (m.rfind("is", 0) == 0) {
    std::u32string cps = text::Decode(s);
    if (cps.empty()) return Value::Bool(false);
    bool any_cased = false, ok = true;
    for (char32_t c : cps) {
      bool digit = c >= '0' && c <= '9', lower = c >= 'a' && c <= 'z', upper = c >= 'A' && c <= 'Z';
      any_cased = any_cased || lower || upper;
      if (m == "isdigit" || m == "isnumeric" || m == "isdecimal") ok = ok && digit;
      if (m == "isalpha") ok = ok && (lower || upper);
      if (m == "isalnum") ok = ok && (lower || upper || digit);
      if (m == "isspace") ok = ok && text::IsSpace(c);
      if (m == "isupper") ok = ok && !lower;
      if (m == "islower") ok = ok && !upper;
    }
    if (m == "isupper" || m == "islower") ok = ok && any_cased;
    return Value::Bool(ok);
  }
  if (m == "zfill") {
    ATOLL_ASSIGN_OR_RETURN(int64_t width, IntArg(Arg(a, 0, "width"), 0));
    int64_t len = text::Length(s);
    if (width <= len) return Value::String(s);
    ATOLL_RETURN_NOT_OK(in.CheckSize(static_cast<size_t>(width)));
    size_t signlen = !s.empty() && (s[0] == '-' || s[0] == '+') ? 1 : 0;
    return Value::String(s.substr(0, signlen) + std::string(width - len, '0') + s.substr(signlen));
  }
  if (m == "center") return Justify(in, s, a, 'c');
  if (m == "ljust") return Justify(in, s, a, 'l');
  if (m == "rjust") return Justify(in, s, a, 'r');
  return InvalidArgument("'str' object has no attribute '", m, "'");
}

Result<Value> SortList(Interp& in, std::vector<Value>& items, bool reverse) {
  Status err;
  std::stable_sort(items.begin(), items.end(), [&](const Value& x, const Value& y) {
    if (!err.ok()) return false;
    auto c = Compare(x, y, "<");
    if (!c.ok()) {
      err = c.status();
      return false;
    }
    return reverse ? *c > 0 : *c < 0;
  });
  (void)in;
  if (!err.ok()) return err;
  return Value::None();
}

Result<Value> ListMethod(Interp& in, const Value& self, const std::string& m, const CallArgs& a) {
  std::vector<Value>& items = self.list()->items;
  if (m == "append") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 1, m));
    ATOLL_RETURN_NOT_OK(in.CheckSize(items.size() * 16));
    ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, a.positional[0]));
    items.push_back(a.positional[0]);
    return Value::None();
  }
  if (m == "extend") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 1, m));
    ATOLL_ASSIGN_OR_RETURN(std::vector<Value> more, in.Iterate(a.positional[0]));
    ATOLL_RETURN_NOT_OK(in.CheckSize((items.size() + more.size()) * 16));
    for (const Value& x : more) ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, x));
    items.insert(items.end(), more.begin(), more.end());
    return Value::None();
  }
  if (m == "insert") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 2, 2, m));
    ATOLL_ASSIGN_OR_RETURN(int64_t i, IntArg(&a.positional[0], 0));
    int64_t n = static_cast<int64_t>(items.size());
    if (i < 0) i = std::max<int64_t>(0, i + n);
    if (i > n) i = n;
    ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, a.positional[1]));
    items.insert(items.begin() + i, a.positional[1]);
    return Value::None();
  }
  if (m == "pop") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 0, 1, m));
    if (items.empty()) return InvalidArgument("pop from empty list");
    ATOLL_ASSIGN_OR_RETURN(int64_t i, IntArg(Arg(a, 0, "index"), -1));
    int64_t n = static_cast<int64_t>(items.size());
    if (i < 0) i += n;
    if (i < 0 || i >= n) return InvalidArgument("pop index out of range");
    Value v = items[i];
    items.erase(items.begin() + i);
    return v;
  }
  if (m == "remove" || m == "index" || m == "count") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 1, m));
    int64_t count = 0;
    for (size_t i = 0; i < items.size(); ++i) {
      if (!items[i].Equals(a.positional[0])) continue;
      if (m == "index") return Value::Int(static_cast<int64_t>(i));
      if (m == "remove") {
        items.erase(items.begin() + static_cast<int64_t>(i));
        return Value::None();
      }
      ++count;
    }
    if (m == "count") return Value::Int(count);
    return InvalidArgument(m == "index" ? "value is not in list" : "list.remove(x): x not in list");
  }
  if (m == "reverse") {
    std::reverse(items.begin(), items.end());
    return Value::None();
  }
  if (m == "sort") {
    const Value* rev = a.Find("reverse");
    return SortList(in, items, rev && rev->Truthy());
  }
  if (m == "copy") {
    ATOLL_RETURN_NOT_OK(in.ChargeItems(items.size()));
    return Value::List(items);
  }
  if (m == "clear") {
    items.clear();
    return Value::None();
  }
  return InvalidArgument("'list' object has no attribute '", m, "'");
}

Result<Value> DictMethod(Interp& in, const Value& self, const std::string& m, const CallArgs& a) {
  DictObject& d = *self.dict();
  if (m == "items" || m == "keys" || m == "values") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 0, 0, m));
    ATOLL_RETURN_NOT_OK(in.ChargeItems(d.entries.size() * (m == "items" ? 3 : 1)));
    std::vector<Value> out;
    for (const auto& [k, v] : d.entries) {
      out.push_back(m == "items" ? Value::Tuple({k, v}) : m == "keys" ? k : v);
    }
    return Value::List(std::move(out));
  }
  if (m == "get") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 2, m));
    if (!a.keyword.empty()) return InvalidArgument("get() takes no keyword arguments");
    if (const Value* v = d.Find(a.positional[0])) return *v;
    return a.positional.size() > 1 ? a.positional[1] : Value::None();
  }
  if (m == "setdefault") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 2, m));
    if (const Value* v = d.Find(a.positional[0])) return *v;
    Value dflt = a.positional.size() > 1 ? a.positional[1] : Value::None();
    ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, dflt));
    d.Set(a.positional[0], dflt);
    return dflt;
  }
  if (m == "pop") {
    ATOLL_RETURN_NOT_OK(ArgCount(a, 1, 2, m));
    if (const Value* v = d.Find(a.positional[0])) {
      Value out = *v;
      d.Erase(a.positional[0]);
      return out;
    }
    if (a.positional.size() > 1) return a.positional[1];
    return InvalidArgument("KeyError: ", a.positional[0].Repr());
  }
  if (m == "popitem") {
    if (d.entries.empty()) return InvalidArgument("KeyError: 'popitem(): dictionary is empty'");
    auto e = d.entries.back();
    d.entries.pop_back();
    return Value::Tuple({e.first, e.second});
  }
  if (m == "update") {
    if (a.positional.size() > 1) return InvalidArgument("update expected at most 1 argument");
    if (!a.positional.empty()) {
      const Value& src = a.positional[0];
      if (src.is_dict()) {
        auto entries = src.dict()->entries;
        for (auto& [k, v] : entries) {
          ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, v));
          d.Set(k, v);
        }
      } else {
        ATOLL_ASSIGN_OR_RETURN(std::vector<Value> pairs, in.Iterate(src));
        for (const Value& p : pairs) {
          if (!p.is_list() || p.list()->items.size() != 2) {
            return InvalidArgument("dictionary update sequence element has wrong length");
          }
          ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, p.list()->items[1]));
          d.Set(p.list()->items[0], p.list()->items[1]);
        }
      }
    }
    for (const auto& [k, v] : a.keyword) {
      ATOLL_RETURN_NOT_OK(in.CheckNoCycle(self, v));
      d.Set(Value::String(k), v);
    }
    ATOLL_RETURN_NOT_OK(in.CheckSize(d.entries.size() * 32));
    return Value::None();
  }
  if (m == "copy") {
    ATOLL_RETURN_NOT_OK(in.ChargeItems(d.entries.size() * 2));
    Value out = Value::Dict();
    out.dict()->entries = d.entries;
    return out;
  }
  if (m == "clear") {
    d.entries.clear();
    return Value::None();
  }
  return InvalidArgument("'dict' object has no attribute '", m, "'");
}

}  // namespace

const Value* Arg(const CallArgs& args, size_t index, std::string_view name) {
  if (index < args.positional.size()) return &args.positional[index];
  return args.Find(name);
}

bool HasMethod(const Value& self, const std::string& name) {
  if (self.is_string()) return StringMethods().count(name) > 0;
  if (self.is_tuple()) return TupleMethods().count(name) > 0;
  if (self.is_list()) return ListMethods().count(name) > 0;
  if (self.is_dict() && !self.is_namespace()) return DictMethods().count(name) > 0;
  return false;
}

Result<Value> CallMethod(Interp& in, const Value& self, const std::string& name,
                         const CallArgs& args) {
  ATOLL_RETURN_NOT_OK(in.Step());
  if (self.is_string()) return StringMethod(in, self.as_string(), name, args);
  if (self.is_list()) return ListMethod(in, self, name, args);
  if (self.is_dict()) return DictMethod(in, self, name, args);
  return InvalidArgument("'", self.TypeName(), "' object has no attribute '", name, "'");
}

}  // namespace atl::jinja
