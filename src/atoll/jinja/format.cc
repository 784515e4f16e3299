#include "atoll/jinja/format.h"

#include <cmath>
#include <cstdio>

#include "atoll/jinja/interp.h"
#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

struct Spec {
  char fill = ' ';
  char align = 0;  // '<', '>', '^', '=' or 0 (default for the type)
  char sign = '-';
  bool alt = false;
  bool zero = false;
  bool comma = false;
  int width = -1;
  int precision = -1;
  char type = 0;
};

bool IsNum(const Value& v) { return v.is_number() || v.is_bool(); }

// Inserts thousands separators into the integer part of a digit string.
std::string Group(const std::string& digits) {
  size_t dot = digits.find_first_of(".eE");
  std::string ip = digits.substr(0, dot), rest = dot == std::string::npos ? "" : digits.substr(dot);
  std::string out;
  int n = 0;
  for (size_t i = ip.size(); i-- > 0;) {
    out.insert(out.begin(), ip[i]);
    if (++n % 3 == 0 && i > 0) out.insert(out.begin(), ',');
  }
  return out + rest;
}

std::string Pad(const std::string& body, const std::string& sign, const Spec& s, char dflt) {
  char align = s.align ? s.align : dflt;
  int64_t len = text::Length(body) + static_cast<int64_t>(sign.size());
  if (s.width < 0 || len >= s.width) return sign + body;
  size_t pad = static_cast<size_t>(s.width - len);
  std::string fill(pad, s.fill);
  if (align == '<') return sign + body + fill;
  if (align == '^')
    return std::string(pad / 2, s.fill) + sign + body + std::string(pad - pad / 2, s.fill);
  if (align == '=') return sign + fill + body;
  return fill + sign + body;
}

// Formats a number per `s` (types d x X o f F e E g G % and none).
Result<std::string> FormatNumber(const Value& v, Spec s) {
  std::string sign, body;
  char type = s.type;
  if (type == 0) type = v.is_float() ? 'r' : 'd';
  if (type == 'd' || type == 'x' || type == 'X' || type == 'o' || type == 'c') {
    if (v.is_float())
      return InvalidArgument("Unknown format code '", std::string(1, type),
                             "' for object of type 'float'");
    int64_t i = v.as_int();
    if (type == 'c')
      return Pad(text::Encode(std::u32string(1, static_cast<char32_t>(i))), "", s, '<');
    uint64_t u = i < 0 ? 0 - static_cast<uint64_t>(i) : static_cast<uint64_t>(i);
    char buf[64];
    std::snprintf(buf, sizeof(buf),
                  type == 'd'   ? "%llu"
                  : type == 'x' ? "%llx"
                  : type == 'X' ? "%llX"
                                : "%llo",
                  static_cast<unsigned long long>(u));
    body = buf;
    if (s.alt && type != 'd')
      body = std::string(type == 'o' ? "0o" : type == 'x' ? "0x" : "0X") + body;
    if (s.comma) body = Group(body);
    if (i < 0) sign = "-";
  } else {
    double d = v.as_double();
    if (std::signbit(d) && !std::isnan(d)) sign = "-";
    double a = std::fabs(d);
    int prec = s.precision < 0 ? 6 : s.precision;
    char buf[512];
    if (std::isinf(a) || std::isnan(a)) {
      body = std::isnan(a) ? "nan" : "inf";
      if (type == 'F' || type == 'E' || type == 'G') body = text::Upper(body);
    } else if (type == 'r') {
      body = s.precision < 0 ? FloatRepr(a) : "";
      if (s.precision >= 0) {
        std::snprintf(buf, sizeof(buf), "%.*g", std::max(prec, 1), a);
        body = buf;
      }
    } else if (type == '%') {
      std::snprintf(buf, sizeof(buf), "%.*f", std::min(prec, 100), a * 100);
      body = std::string(buf) + "%";
    } else if (type == 'f' || type == 'F' || type == 'e' || type == 'E' || type == 'g' ||
               type == 'G') {
      char f[8] = {'%', '.', '*', type, 0};
      if (s.alt) {
        f[1] = '#', f[2] = '.', f[3] = '*', f[4] = type;
      }
      if (a > 1e300 && (type == 'f' || type == 'F'))
        return InvalidArgument("number too large to format");
      std::snprintf(buf, sizeof(buf), f, std::min(prec, 100), a);
      body = buf;
    } else {
      return InvalidArgument("Unknown format code '", std::string(1, type), "' for a number");
    }
    if (s.comma) body = Group(body);
  }
  if (sign.empty() && s.sign == '+') sign = "+";
  if (sign.empty() && s.sign == ' ') sign = " ";
  if (s.zero && !s.align) {
    s.fill = '0';
    s.align = '=';
  }
  return Pad(body, sign, s, '>');
}

Result<std::string> FormatValue(Interp& in, const Value& v, const Spec& s) {
  if (IsNum(v) && !(v.is_bool() && s.type == 0 && s.width < 0)) {
    if (v.is_bool() && s.type == 0) return Pad(v.Repr(), "", s, '<');
    if (s.type == 's')
      return InvalidArgument("Unknown format code 's' for object of type '", v.TypeName(), "'");
    return FormatNumber(v, s);
  }
  if (s.type != 0 && s.type != 's') {
    return InvalidArgument("Unknown format code '", std::string(1, s.type),
                           "' for object of type '", v.TypeName(), "'");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string str, in.ToStr(v));
  if (s.precision >= 0) {
    std::u32string cps = text::Decode(str);
    if (cps.size() > static_cast<size_t>(s.precision))
      str = text::Encode(cps.substr(0, s.precision));
  }
  return Pad(str, "", s, '<');
}

Result<int> ParseInt(std::string_view f, size_t& i) {
  int n = 0;
  while (i < f.size() && f[i] >= '0' && f[i] <= '9') {
    n = n * 10 + (f[i] - '0');
    if (n > 100000) return InvalidArgument("format width too large");
    ++i;
  }
  return n;
}

}  // namespace

Result<std::string> PercentFormat(Interp& in, std::string_view fmt, const Value& args) {
  std::vector<Value> positional;
  const Value* mapping = nullptr;
  if (args.is_tuple()) {
    positional = args.list()->items;
  } else {
    positional.push_back(args);
    if (args.is_dict()) mapping = &args;
  }
  size_t next = 0;
  bool used_mapping = false;
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    ATOLL_RETURN_NOT_OK(in.CheckSize(out.size()));
    if (fmt[i] != '%') {
      out.push_back(fmt[i]);
      continue;
    }
    if (++i >= fmt.size()) return InvalidArgument("incomplete format");
    const Value* arg = nullptr;
    if (fmt[i] == '(') {
      size_t close = fmt.find(')', i);
      if (close == std::string_view::npos) return InvalidArgument("incomplete format key");
      if (mapping == nullptr) return InvalidArgument("format requires a mapping");
      arg = mapping->dict()->FindString(fmt.substr(i + 1, close - i - 1));
      if (arg == nullptr)
        return InvalidArgument("KeyError: '", std::string(fmt.substr(i + 1, close - i - 1)), "'");
      used_mapping = true;
      i = close + 1;
    }
    Spec s;
    s.align = '>';
    for (; i < fmt.size(); ++i) {
      char c = fmt[i];
      if (c == '-')
        s.align = '<';
      else if (c == '+')
        s.sign = '+';
      else if (c == ' ') {
        if (s.sign != '+') s.sign = ' ';
      } else if (c == '0')
        s.zero = true;
      else if (c == '#')
        s.alt = true;
      else
        break;
    }
    ATOLL_ASSIGN_OR_RETURN(s.width, ParseInt(fmt, i));
    if (s.width == 0 && !(i > 0 && fmt[i - 1] == '0')) s.width = -1;
    if (i < fmt.size() && fmt[i] == '.') {
      ++i;
      ATOLL_ASSIGN_OR_RETURN(s.precision, ParseInt(fmt, i));
    }
    if (i >= fmt.size()) return InvalidArgument("incomplete format");
    char type = fmt[i];
    if (type == '%') {
      out.push_back('%');
      continue;
    }
    if (arg == nullptr) {
      if (next >= positional.size())
        return InvalidArgument("not enough arguments for format string");
      arg = &positional[next++];
    }
    if (s.zero && s.align == '>') {
      s.align = 0;
    } else {
      s.zero = false;
    }
    std::string piece;
    if (type == 's' || type == 'r' || type == 'a') {
      s.type = 0;
      Value text = Value::String(type == 's' ? arg->Str() : arg->Repr());
      s.zero = false;
      if (s.align == 0) s.align = '>';
      ATOLL_ASSIGN_OR_RETURN(piece, FormatValue(in, text, s));
    } else if (type == 'd' || type == 'i' || type == 'u' || type == 'x' || type == 'X' ||
               type == 'o') {
      if (!IsNum(*arg))
        return InvalidArgument("%", std::string(1, type),
                               " format: a real number is required, not ", arg->TypeName());
      s.type = (type == 'i' || type == 'u') ? 'd' : type;
      Value n = arg->is_float() ? Value::Int(static_cast<int64_t>(arg->as_double()))
                                : Value::Int(arg->as_int());
      if (s.precision >= 0) s.precision = -1;
      ATOLL_ASSIGN_OR_RETURN(piece, FormatNumber(n, s));
    } else if (type == 'f' || type == 'F' || type == 'e' || type == 'E' || type == 'g' ||
               type == 'G') {
      if (!IsNum(*arg)) return InvalidArgument("must be real number, not ", arg->TypeName());
      s.type = type;
      ATOLL_ASSIGN_OR_RETURN(piece, FormatNumber(Value::Float(arg->as_double()), s));
    } else if (type == 'c') {
      s.type = 'c';
      if (arg->is_string()) {
        piece = arg->as_string();
      } else {
        ATOLL_ASSIGN_OR_RETURN(piece, FormatNumber(*arg, s));
      }
    } else {
      return InvalidArgument("unsupported format character '", std::string(1, type), "'");
    }
    out += piece;
  }
  if (!used_mapping && mapping == nullptr && next < positional.size()) {
    return InvalidArgument("not all arguments converted during string formatting");
  }
  return out;
}

Result<std::string> BraceFormat(Interp& in, std::string_view fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    ATOLL_RETURN_NOT_OK(in.CheckSize(out.size()));
    char c = fmt[i];
    if (c == '}') {
      if (i + 1 < fmt.size() && fmt[i + 1] == '}') {
        out.push_back('}');
        ++i;
        continue;
      }
      return InvalidArgument("Single '}' encountered in format string");
    }
    if (c != '{') {
      out.push_back(c);
      continue;
    }
    if (i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out.push_back('{');
      ++i;
      continue;
    }
    size_t close = fmt.find('}', i);
    if (close == std::string_view::npos)
      return InvalidArgument("Single '{' encountered in format string");
    std::string_view field = fmt.substr(i + 1, close - i - 1);
    i = close;
    std::string_view spec_text;
    char conv = 0;
    if (size_t colon = field.find(':'); colon != std::string_view::npos) {
      spec_text = field.substr(colon + 1);
      field = field.substr(0, colon);
    }
    if (size_t bang = field.find('!'); bang != std::string_view::npos) {
      if (bang + 2 != field.size())
        return InvalidArgument("expected ':' after conversion specifier");
      conv = field[bang + 1];
      field = field.substr(0, bang);
    }
    size_t end_name = field.find_first_of(".[");
    std::string_view name = field.substr(0, end_name);
    Value v;
    if (name.empty()) {
      if (auto_index >= args.positional.size())
        return InvalidArgument("Replacement index ", auto_index,
                               " out of range for positional args tuple");
      v = args.positional[auto_index++];
    } else if (name[0] >= '0' && name[0] <= '9') {
      size_t idx = 0;
      auto n = ParseInt(name, idx);
      if (!n.ok() || idx != name.size()) return InvalidArgument("bad format field");
      if (static_cast<size_t>(*n) >= args.positional.size())
        return InvalidArgument("Replacement index ", *n, " out of range for positional args tuple");
      v = args.positional[*n];
    } else {
      const Value* kw = args.Find(name);
      if (kw == nullptr) return InvalidArgument("KeyError: '", std::string(name), "'");
      v = *kw;
    }
    std::string_view rest = end_name == std::string_view::npos ? "" : field.substr(end_name);
    while (!rest.empty()) {
      if (rest[0] == '.') {
        size_t e = rest.find_first_of(".[", 1);
        ATOLL_ASSIGN_OR_RETURN(
            v,
            in.GetAttr(v, std::string(rest.substr(
                              1, e == std::string_view::npos ? std::string_view::npos : e - 1))));
        rest = e == std::string_view::npos ? "" : rest.substr(e);
      } else {
        size_t e = rest.find(']');
        if (e == std::string_view::npos) return InvalidArgument("Missing ']' in format string");
        std::string key(rest.substr(1, e - 1));
        Value k = Value::String(key);
        if (!key.empty() && key.find_first_not_of("0123456789") == std::string::npos)
          k = Value::Int(std::stoll(key.substr(0, 18)));
        ATOLL_ASSIGN_OR_RETURN(v, in.GetItem(v, k));
        rest = rest.substr(e + 1);
      }
      if (v.is_undefined()) return InvalidArgument(v.undefined_message());
    }
    if (conv == 'r' || conv == 'a')
      v = Value::String(v.Repr());
    else if (conv == 's')
      v = Value::String(v.Str());
    else if (conv != 0)
      return InvalidArgument("Unknown conversion specifier ", std::string(1, conv));
    Spec s;
    size_t j = 0;
    auto is_align = [](char ch) { return ch == '<' || ch == '>' || ch == '^' || ch == '='; };
    if (spec_text.size() >= 2 && is_align(spec_text[1])) {
      s.fill = spec_text[0];
      s.align = spec_text[1];
      j = 2;
    } else if (!spec_text.empty() && is_align(spec_text[0])) {
      s.align = spec_text[0];
      j = 1;
    }
    if (j < spec_text.size() && (spec_text[j] == '+' || spec_text[j] == '-' || spec_text[j] == ' '))
      s.sign = spec_text[j++];
    if (j < spec_text.size() && spec_text[j] == '#') {
      s.alt = true;
      ++j;
    }
    if (j < spec_text.size() && spec_text[j] == '0') {
      s.zero = true;
      ++j;
    }
    size_t wstart = j;
    ATOLL_ASSIGN_OR_RETURN(int w, ParseInt(spec_text, j));
    if (j > wstart) s.width = w;
    if (j < spec_text.size() && spec_text[j] == ',') {
      s.comma = true;
      ++j;
    }
    if (j < spec_text.size() && spec_text[j] == '.') {
      ++j;
      ATOLL_ASSIGN_OR_RETURN(s.precision, ParseInt(spec_text, j));
    }
    if (j < spec_text.size()) s.type = spec_text[j++];
    if (j != spec_text.size()) return InvalidArgument("Invalid format specifier");
    if (s.zero && !IsNum(v) && s.align == 0) {
      s.fill = '0';
      s.align = '=';
    }
    if (s.zero && IsNum(v) && s.align != 0) s.zero = false;
    if (s.zero && IsNum(v)) {
      s.zero = false;
      s.fill = '0';
      s.align = '=';
    }
    ATOLL_ASSIGN_OR_RETURN(std::string piece, FormatValue(in, v, s));
    out += piece;
  }
  return out;
}

}  // namespace atl::jinja
