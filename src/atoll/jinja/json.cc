#include "atoll/jinja/json.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "atoll/jinja/text.h"

namespace atl::jinja {

namespace {

Result<Value> FromJson(const nlohmann::ordered_json& j, int depth) {
  if (depth > 200) return InvalidArgument("JSON nested deeper than 200 levels");
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null:
      return Value::None();
    case nlohmann::ordered_json::value_t::boolean:
      return Value::Bool(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer:
      return Value::Int(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned: {
      uint64_t u = j.get<uint64_t>();
      if (u <= static_cast<uint64_t>(INT64_MAX)) return Value::Int(static_cast<int64_t>(u));
      return Value::Float(static_cast<double>(u));
    }
    case nlohmann::ordered_json::value_t::number_float:
      return Value::Float(j.get<double>());
    case nlohmann::ordered_json::value_t::string:
      return Value::String(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      std::vector<Value> items;
      items.reserve(j.size());
      for (const auto& e : j) {
        ATOLL_ASSIGN_OR_RETURN(Value item, FromJson(e, depth + 1));
        items.push_back(std::move(item));
      }
      return Value::List(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Value d = Value::Dict();
      for (const auto& [k, v] : j.items()) {
        ATOLL_ASSIGN_OR_RETURN(Value item, FromJson(v, depth + 1));
        d.dict()->entries.emplace_back(Value::String(k), std::move(item));
      }
      return d;
    }
    default:
      return Value::None();
  }
}

void QuoteJson(std::string& out, std::string_view s) {
  out += '"';
  for (char32_t c : text::Decode(s)) {
    char buf[16];
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      default:
        if (c >= 0x20 && c < 0x7f) {
          out += static_cast<char>(c);
        } else if (c < 0x10000) {
          std::snprintf(buf, sizeof(buf), "\\u%04x", static_cast<unsigned>(c));
          out += buf;
        } else {
          char32_t v = c - 0x10000;
          std::snprintf(buf, sizeof(buf), "\\u%04x\\u%04x",
                        static_cast<unsigned>(0xD800 + (v >> 10)),
                        static_cast<unsigned>(0xDC00 + (v & 0x3ff)));
          out += buf;
        }
    }
  }
  out += '"';
}

class Writer {
 public:
  Writer(int indent, size_t max_bytes) : indent_(indent), max_(max_bytes) {}

  Status Write(const Value& v, int depth) {
    if (depth > 100) return InvalidArgument("tojson: containers nested too deeply");
    if (out.size() > max_) return InvalidArgument("tojson: output larger than ", max_, " bytes");
    switch (v.kind()) {
      case Value::Kind::kNone:
        out += "null";
        break;
      case Value::Kind::kBool:
        out += v.as_bool() ? "true" : "false";
        break;
      case Value::Kind::kInt:
        out += std::to_string(v.as_int());
        break;
      case Value::Kind::kFloat: {
        double d = v.as_double();
        out += std::isnan(d)   ? "NaN"
               : std::isinf(d) ? (d > 0 ? "Infinity" : "-Infinity")
                               : FloatRepr(d);
        break;
      }
      case Value::Kind::kString:
        QuoteJson(out, v.as_string());
        break;
      case Value::Kind::kList: {
        const auto& items = v.list()->items;
        if (items.empty()) {
          out += "[]";
          break;
        }
        out += '[';
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) out += indent_ < 0 ? ", " : ",";
          NewLine(depth + 1);
          ATOLL_RETURN_NOT_OK(Write(items[i], depth + 1));
        }
        NewLine(depth);
        out += ']';
        break;
      }
      case Value::Kind::kDict: {
        if (v.is_namespace())
          return InvalidArgument("Object of type Namespace is not JSON serializable");
        std::vector<std::pair<std::string, const Value*>> entries;
        bool any_string = false, any_other = false;
        for (const auto& [k, val] : v.dict()->entries) {
          std::string key;
          if (k.is_string()) {
            key = k.as_string();
            any_string = true;
          } else if (k.is_int() || k.is_float()) {
            key = k.Repr();
            any_other = true;
          } else if (k.is_bool()) {
            key = k.as_bool() ? "true" : "false";
            any_other = true;
          } else if (k.is_none()) {
            key = "null";
            any_other = true;
          } else {
            return InvalidArgument("keys must be str, int, float, bool or None, not ",
                                   k.TypeName());
          }
          entries.emplace_back(std::move(key), &val);
        }
        if (any_string && any_other)
          return InvalidArgument("tojson: cannot sort keys of mixed types");
        std::stable_sort(entries.begin(), entries.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        if (entries.empty()) {
          out += "{}";
          break;
        }
        out += '{';
        for (size_t i = 0; i < entries.size(); ++i) {
          if (i > 0) out += indent_ < 0 ? ", " : ",";
          NewLine(depth + 1);
          QuoteJson(out, entries[i].first);
          out += ": ";
          ATOLL_RETURN_NOT_OK(Write(*entries[i].second, depth + 1));
        }
        NewLine(depth);
        out += '}';
        break;
      }
      default:
        return InvalidArgument("Object of type ", v.TypeName(), " is not JSON serializable");
    }
    return Status::OK();
  }

  std::string out;

 private:
  void NewLine(int depth) {
    if (indent_ < 0) return;
    out += '\n';
    out.append(static_cast<size_t>(indent_) * depth, ' ');
  }
  int indent_;
  size_t max_;
};

}  // namespace

Result<Value> ValueFromJson(std::string_view json_text) {
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(json_text, nullptr, false);
  if (j.is_discarded()) return InvalidArgument("invalid JSON");
  return FromJson(j, 0);
}

Result<std::string> ValueToJson(const Value& value, int indent, size_t max_bytes) {
  Writer w(indent, max_bytes);
  ATOLL_RETURN_NOT_OK(w.Write(value, 0));
  if (w.out.size() > max_bytes)
    return InvalidArgument("tojson: output larger than ", max_bytes, " bytes");
  return std::move(w.out);
}

}  // namespace atl::jinja
