// The built-in filters, with jinja2 3.1's behaviour (jinja2/filters.py).
#include "atoll/jinja/filters.h"

#include <cmath>
#include <map>

#include "atoll/jinja/format.h"
#include "atoll/jinja/interp.h"
#include "atoll/jinja/json.h"
#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

using namespace filters;

using FilterImpl = Result<Value> (*)(Interp& in, const Value& v, const CallArgs& a);

Result<Value> Default(Interp&, const Value& v, const CallArgs& a) {
  const Value* dflt = Arg(a, 0, "default_value");
  bool boolean = BoolArg(a, 1, "boolean");
  if (v.is_undefined() || (boolean && !v.Truthy())) return dflt ? *dflt : Str("");
  return v;
}

Result<Value> Length(Interp&, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return Value::Int(0);
  if (v.is_string()) return Value::Int(text::Length(v.as_string()));
  if (v.is_list()) return Value::Int(static_cast<int64_t>(v.list()->items.size()));
  if (v.is_dict() && !v.is_namespace())
    return Value::Int(static_cast<int64_t>(v.dict()->entries.size()));
  return InvalidArgument("object of type '", v.TypeName(), "' has no len()");
}

Result<Value> Join(Interp& in, const Value& v, const CallArgs& a) {
  const Value* sep = Arg(a, 0, "d");
  const Value* attribute = Arg(a, 1, "attribute");
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  std::string d;
  if (sep) {
    ATOLL_ASSIGN_OR_RETURN(d, S(in, *sep));
  }
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    Value item = items[i];
    if (attribute && !attribute->is_none()) {
      ATOLL_ASSIGN_OR_RETURN(item, AttrPath(in, item, attribute->Str()));
    }
    if (i > 0) out += d;
    ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, item));
    out += s;
    ATOLL_RETURN_NOT_OK(in.CheckSize(out.size()));
  }
  return Str(std::move(out));
}

Result<Value> Replace(Interp& in, const Value& v, const CallArgs& a) {
  const Value* from = Arg(a, 0, "old");
  const Value* to = Arg(a, 1, "new");
  if (!from || !to) return InvalidArgument("replace() needs old and new");
  ATOLL_ASSIGN_OR_RETURN(int64_t count, IntArg(a, 2, "count", -1));
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  ATOLL_ASSIGN_OR_RETURN(std::string f, S(in, *from));
  ATOLL_ASSIGN_OR_RETURN(std::string t, S(in, *to));
  size_t estimate =
      f.empty() ? (s.size() + 1) * (t.size() + 1) : s.size() / f.size() * t.size() + s.size();
  ATOLL_RETURN_NOT_OK(in.CheckSize(estimate));
  return Str(text::Replace(s, f, t, count));
}

Result<Value> Trim(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  const Value* chars = Arg(a, 0, "chars");
  if (chars && !chars->is_none()) {
    std::string c = chars->Str();
    return Str(text::Strip(s, true, true, &c));
  }
  return Str(text::Strip(s, true, true, nullptr));
}

Result<Value> First(Interp& in, const Value& v, const CallArgs&) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  if (items.empty()) return Value::Undefined("No first item, sequence was empty.");
  return items.front();
}

Result<Value> Last(Interp& in, const Value& v, const CallArgs&) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  if (items.empty()) return Value::Undefined("No last item, sequence was empty.");
  return items.back();
}

Result<Value> Round(Interp&, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(int64_t precision, IntArg(a, 0, "precision", 0));
  std::string method = Arg(a, 1, "method") ? Arg(a, 1, "method")->Str() : "common";
  if (method != "common" && method != "ceil" && method != "floor") {
    return InvalidArgument("method must be common, ceil or floor");
  }
  if (!v.is_number() && !v.is_bool())
    return InvalidArgument("type ", v.TypeName(), " doesn't define __round__ method");
  if (method == "common") {
    if (!v.is_float()) return Value::Int(v.as_int());
    double d = v.as_double();
    if (!std::isfinite(d)) return v;
    if (precision > 300 || precision < -300) return Value::Float(precision > 0 ? d : 0.0);
    if (precision < 0) {
      double p = std::pow(10.0, static_cast<double>(-precision));
      char buf[512];
      std::snprintf(buf, sizeof(buf), "%.0f", d / p);
      return Value::Float(std::strtod(buf, nullptr) * p);
    }
    char buf[700];
    std::snprintf(buf, sizeof(buf), "%.*f", static_cast<int>(precision), d);
    return Value::Float(std::strtod(buf, nullptr));
  }
  double p = std::pow(10.0, static_cast<double>(precision));
  double x = v.as_double() * p;
  x = method == "ceil" ? std::ceil(x) : std::floor(x);
  return Value::Float(x / p);
}

// Python's int(s, base) for a string: sign, digits of the base, single underscores
// between digits, surrounding whitespace; false when `s` is not such a number.
bool ParsePythonInt(const std::string& raw, int64_t base, int64_t* out) {
  std::string s = text::Strip(raw, true, true, nullptr);
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  if (base == 16 && i + 1 < s.size() && s[i] == '0' && (s[i + 1] == 'x' || s[i + 1] == 'X')) i += 2;
  if (i >= s.size()) return false;
  unsigned __int128 v = 0;
  bool prev_digit = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c == '_' && prev_digit && i + 1 < s.size()) {
      prev_digit = false;
      continue;
    }
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'z' ? c - 'a' + 10
            : c >= 'A' && c <= 'Z' ? c - 'A' + 10
                                   : 99;
    if (d >= base) return false;
    v = v * base + d;
    if (v > static_cast<unsigned __int128>(INT64_MAX) + 1) return false;
    prev_digit = true;
  }
  if (!prev_digit) return false;
  if (!neg && v > static_cast<unsigned __int128>(INT64_MAX)) return false;
  *out = neg ? static_cast<int64_t>(0 - static_cast<uint64_t>(v)) : static_cast<int64_t>(v);
  return true;
}

Result<Value> ToInt(Interp&, const Value& v, const CallArgs& a) {
  Value dflt = Arg(a, 0, "default") ? *Arg(a, 0, "default") : Value::Int(0);
  ATOLL_ASSIGN_OR_RETURN(int64_t base, IntArg(a, 1, "base", 10));
  if (v.is_int() || v.is_bool()) return Value::Int(v.as_int());
  if (v.is_float()) {
    double d = v.as_double();
    if (!std::isfinite(d) || std::fabs(d) >= 9.2e18)
      return InvalidArgument("cannot convert float to integer");
    return Value::Int(static_cast<int64_t>(d));
  }
  if (!v.is_string()) return dflt;
  int64_t i;
  if (base >= 2 && base <= 36 && ParsePythonInt(v.as_string(), base, &i)) return Value::Int(i);
  // jinja2 falls back to int(float(s)).
  std::string s = text::Strip(v.as_string(), true, true, nullptr);
  std::string low = text::Lower(s);
  char* end = nullptr;
  double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || !end || *end != 0 || low.find_first_of("xpn") != std::string::npos) return dflt;
  if (!std::isfinite(d) || std::fabs(d) >= 9.2e18)
    return InvalidArgument("cannot convert float to integer");
  return Value::Int(static_cast<int64_t>(d));
}

Result<Value> ToFloat(Interp&, const Value& v, const CallArgs& a) {
  Value dflt = Arg(a, 0, "default") ? *Arg(a, 0, "default") : Value::Float(0.0);
  if (v.is_number() || v.is_bool()) return Value::Float(v.as_double());
  if (!v.is_string()) return dflt;
  std::string s = text::Strip(v.as_string(), true, true, nullptr);
  std::string low = text::Lower(s);
  if (low == "inf" || low == "+inf" || low == "infinity") return Value::Float(INFINITY);
  if (low == "-inf" || low == "-infinity") return Value::Float(-INFINITY);
  if (low == "nan" || low == "+nan" || low == "-nan") return Value::Float(NAN);
  char* end = nullptr;
  double d = s.empty() ? 0 : std::strtod(s.c_str(), &end);
  if (s.empty() || !end || *end != 0 || low.find_first_of("xp") != std::string::npos) return dflt;
  return Value::Float(d);
}

Result<Value> Abs(Interp&, const Value& v, const CallArgs&) {
  if (v.is_int() || v.is_bool()) {
    if (v.as_int() == INT64_MIN) return InvalidArgument("integer overflow");
    return Value::Int(std::llabs(v.as_int()));
  }
  if (v.is_float()) return Value::Float(std::fabs(v.as_double()));
  return InvalidArgument("bad operand type for abs(): '", v.TypeName(), "'");
}

Result<Value> ToJsonFilter(Interp& in, const Value& v, const CallArgs& a) {
  const Value* indent = Arg(a, 0, "indent");
  int ind =
      indent && !indent->is_none() ? static_cast<int>(std::min<int64_t>(indent->as_int(), 64)) : -1;
  ATOLL_ASSIGN_OR_RETURN(
      std::string json,
      ValueToJson(v, ind, static_cast<size_t>(in.env().limits().max_output_bytes)));
  std::string out;
  for (char c : json) {  // jinja2's htmlsafe_json_dumps
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else if (c == '\'')
      out += "\\u0027";
    else
      out += c;
  }
  return Str(std::move(out));
}

Result<Value> Indent(Interp& in, const Value& v, const CallArgs& a) {
  const Value* width = Arg(a, 0, "width");
  std::string indention;
  if (width && width->is_string()) {
    indention = width->as_string();
  } else {
    ATOLL_ASSIGN_OR_RETURN(int64_t w, IntArg(a, 0, "width", 4));
    if (w > 1000) return InvalidArgument("indent width too large");
    indention = std::string(std::max<int64_t>(w, 0), ' ');
  }
  bool first = BoolArg(a, 1, "first"), blank = BoolArg(a, 2, "blank");
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  s += "\n";
  std::vector<std::string> lines = text::SplitLines(s);
  ATOLL_RETURN_NOT_OK(in.CheckSize(s.size() + lines.size() * indention.size()));
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i > 0) rv += "\n" + indention;
      rv += lines[i];
    }
  } else {
    rv = lines.empty() ? "" : lines[0];
    for (size_t i = 1; i < lines.size(); ++i) {
      rv += "\n";
      if (!lines[i].empty()) rv += indention;
      rv += lines[i];
    }
  }
  if (first) rv = indention + rv;
  return Str(std::move(rv));
}

Result<Value> TitleFilter(Interp& in, const Value& v, const CallArgs&) {
  // jinja2: words start after runs of '-', whitespace, '(', '{', '[' or '<'.
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  std::string out;
  bool start = true;
  for (char c : s) {
    bool sep = c == '-' || c == '(' || c == '{' || c == '[' || c == '<' ||
               text::IsSpace(static_cast<unsigned char>(c));
    if (sep) {
      out += c;
      start = true;
      continue;
    }
    out += start ? text::Upper(std::string(1, c)) : text::Lower(std::string(1, c));
    start = false;
  }
  return Str(std::move(out));
}

Result<Value> WordCount(Interp& in, const Value& v, const CallArgs&) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  int64_t n = 0;
  bool in_word = false;
  for (char32_t c : text::Decode(s)) {
    bool w =
        (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
        (c >= 0xc0 && !text::IsSpace(c) && c != 0xd7 && c != 0xf7 && !(c >= 0x2000 && c <= 0x2bff));
    if (w && !in_word) ++n;
    in_word = w;
  }
  return Value::Int(n);
}

Result<Value> Reverse(Interp& in, const Value& v, const CallArgs&) {
  if (v.is_string()) {
    std::u32string cps = text::Decode(v.as_string());
    std::reverse(cps.begin(), cps.end());
    return Str(text::Encode(cps));
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
  std::reverse(items.begin(), items.end());
  return Value::List(std::move(items));
}

Result<Value> Items(Interp&, const Value& v, const CallArgs&) {
  if (v.is_undefined()) return Value::List();
  if (!v.is_dict() || v.is_namespace())
    return InvalidArgument("Can only get item pairs from a mapping.");
  std::vector<Value> out;
  for (const auto& [k, val] : v.dict()->entries) out.push_back(Value::Tuple({k, val}));
  return Value::List(std::move(out));
}

Result<Value> FormatFilter(Interp& in, const Value& v, const CallArgs& a) {
  if (!a.positional.empty() && !a.keyword.empty()) {
    return InvalidArgument("can't handle positional and keyword arguments at the same time");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string fmt, S(in, v));
  Value args;
  if (!a.keyword.empty()) {
    args = Value::Dict();
    for (const auto& [k, val] : a.keyword) args.dict()->Set(Str(k), val);
  } else {
    args = Value::Tuple(a.positional);
  }
  ATOLL_ASSIGN_OR_RETURN(std::string out, PercentFormat(in, fmt, args));
  return Str(std::move(out));
}

Result<Value> StripTags(Interp& in, const Value& v, const CallArgs&) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  std::string no_tags;
  for (size_t i = 0; i < s.size();) {
    if (s.compare(i, 4, "<!--") == 0) {
      size_t e = s.find("-->", i + 4);
      if (e != std::string::npos) {
        i = e + 3;
        continue;
      }
    }
    if (s[i] == '<') {
      size_t e = s.find('>', i + 1);
      if (e != std::string::npos && e > i + 1) {
        i = e + 1;
        continue;
      }
    }
    no_tags += s[i++];
  }
  std::string joined;
  for (const std::string& w : text::Split(no_tags, nullptr, -1))
    joined += (joined.empty() ? "" : " ") + w;
  static const std::pair<const char*, const char*> kEntities[] = {{"&amp;", "&"}, {"&lt;", "<"},
                                                                  {"&gt;", ">"},  {"&quot;", "\""},
                                                                  {"&#39;", "'"}, {"&#34;", "\""}};
  std::string out;
  for (size_t i = 0; i < joined.size();) {
    bool hit = false;
    for (const auto& [e, r] : kEntities) {
      if (joined.compare(i, std::char_traits<char>::length(e), e) == 0) {
        out += r;
        i += std::char_traits<char>::length(e);
        hit = true;
        break;
      }
    }
    if (!hit) out += joined[i++];
  }
  return Str(std::move(out));
}

Result<Value> Truncate(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  ATOLL_ASSIGN_OR_RETURN(int64_t length, IntArg(a, 0, "length", 255));
  bool killwords = BoolArg(a, 1, "killwords");
  std::string end = Arg(a, 2, "end") ? Arg(a, 2, "end")->Str() : "...";
  ATOLL_ASSIGN_OR_RETURN(int64_t leeway, IntArg(a, 3, "leeway", 5));
  const Value* lw = Arg(a, 3, "leeway");
  if (lw && lw->is_none()) leeway = 5;
  int64_t end_len = text::Length(end);
  if (length < end_len) return InvalidArgument("expected length >= ", end_len, ", got ", length);
  if (leeway < 0) return InvalidArgument("expected leeway >= 0, got ", leeway);
  std::u32string cps = text::Decode(s);
  if (static_cast<int64_t>(cps.size()) <= length + leeway) return Str(s);
  std::string head = text::Encode(cps.substr(0, static_cast<size_t>(length - end_len)));
  if (killwords) return Str(head + end);
  size_t sp = head.rfind(' ');
  if (sp != std::string::npos) head = head.substr(0, sp);
  return Str(head + end);
}

Result<Value> Center(Interp& in, const Value& v, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  ATOLL_ASSIGN_OR_RETURN(int64_t width, IntArg(a, 0, "width", 80));
  CallArgs args;
  args.positional.push_back(Value::Int(width));
  return CallMethod(in, Str(s), "center", args);
}

Result<Value> Attr(Interp& in, const Value& v, const CallArgs& a) {
  const Value* name = Arg(a, 0, "name");
  if (!name) return InvalidArgument("attr() needs a name");
  // Attributes only (a dict's keys are items, not attributes).
  if (v.is_dict() && !v.is_namespace() && !HasMethod(v, name->Str())) {
    return Value::Undefined(StrCat("'dict object' has no attribute '", name->Str(), "'"));
  }
  return in.GetAttr(v, name->Str());
}

Result<Value> Escape(Interp& in, const Value& v, const CallArgs&) {
  ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return Str(std::move(out));
}

const std::map<std::string, FilterImpl>& Filters() {
  static const std::map<std::string, FilterImpl> kFilters = {
      {"default", Default},
      {"d", Default},
      {"lower",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<Value> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
         return Str(text::Lower(s));
       }},
      {"upper",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<Value> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
         return Str(text::Upper(s));
       }},
      {"capitalize",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<Value> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
         return Str(text::Capitalize(s));
       }},
      {"string",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<Value> {
         ATOLL_ASSIGN_OR_RETURN(std::string s, S(in, v));
         return Str(std::move(s));
       }},
      {"list",
       [](Interp& in, const Value& v, const CallArgs&) -> Result<Value> {
         ATOLL_ASSIGN_OR_RETURN(std::vector<Value> items, in.Iterate(v));
         return Value::List(std::move(items));
       }},
      {"safe", [](Interp&, const Value& v, const CallArgs&) -> Result<Value> { return v; }},
      {"min",
       [](Interp& in, const Value& v, const CallArgs& a) { return MinMax(in, v, a, false); }},
      {"max", [](Interp& in, const Value& v, const CallArgs& a) { return MinMax(in, v, a, true); }},
      {"select",
       [](Interp& in, const Value& v, const CallArgs& a) { return Select(in, v, a, false, true); }},
      {"reject", [](Interp& in, const Value& v,
                    const CallArgs& a) { return Select(in, v, a, false, false); }},
      {"selectattr",
       [](Interp& in, const Value& v, const CallArgs& a) { return Select(in, v, a, true, true); }},
      {"rejectattr",
       [](Interp& in, const Value& v, const CallArgs& a) { return Select(in, v, a, true, false); }},
      {"trim", Trim},
      {"replace", Replace},
      {"join", Join},
      {"length", Length},
      {"count", Length},
      {"first", First},
      {"last", Last},
      {"sort", Sort},
      {"unique", Unique},
      {"map", MapFilter},
      {"round", Round},
      {"int", ToInt},
      {"float", ToFloat},
      {"abs", Abs},
      {"tojson", ToJsonFilter},
      {"indent", Indent},
      {"title", TitleFilter},
      {"wordcount", WordCount},
      {"reverse", Reverse},
      {"batch", Batch},
      {"slice", Slice},
      {"dictsort", DictSort},
      {"groupby", GroupBy},
      {"items", Items},
      {"sum", Sum},
      {"format", FormatFilter},
      {"striptags", StripTags},
      {"truncate", Truncate},
      {"center", Center},
      {"attr", Attr},
      {"escape", Escape},
      {"e", Escape},
  };
  return kFilters;
}

}  // namespace

bool IsBuiltinFilter(const std::string& name) { return Filters().count(name) > 0; }

Result<Value> BuiltinFilter(Interp& in, const std::string& name, const Value& input,
                            const CallArgs& args, bool* found) {
  auto it = Filters().find(name);
  *found = it != Filters().end();
  if (!*found) return Value();
  // Filters other than default-like ones refuse undefined input where jinja2 would fail.
  return it->second(in, input, args);
}

}  // namespace atl::jinja
