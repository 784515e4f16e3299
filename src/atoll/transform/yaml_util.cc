#include "atoll/transform/yaml_util.h"

#include <cerrno>
#include <cstdlib>

namespace atl::transform {

namespace {

constexpr int kMaxDepth = 64;

bool IsNullText(const std::string& s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

std::optional<bool> BoolText(const std::string& s) {
  static const char* kTrue[] = {"true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON"};
  static const char* kFalse[] = {"false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF"};
  for (const char* t : kTrue) {
    if (s == t) return true;
  }
  for (const char* f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<Json> NumberText(const std::string& s) {
  if (s.empty()) return std::nullopt;
  size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  bool digits = true;
  for (size_t j = i; j < s.size(); ++j) digits = digits && s[j] >= '0' && s[j] <= '9';
  if (digits) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') return Json(v);
    return std::nullopt;
  }
  // A float: digits, one '.', optional exponent.
  bool seen_digit = false;
  bool seen_dot = false;
  size_t j = i;
  for (; j < s.size(); ++j) {
    if (s[j] >= '0' && s[j] <= '9') {
      seen_digit = true;
    } else if (s[j] == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!seen_digit || !seen_dot) return std::nullopt;
  if (j < s.size()) {
    if (s[j] != 'e' && s[j] != 'E') return std::nullopt;
    ++j;
    if (j < s.size() && (s[j] == '-' || s[j] == '+')) ++j;
    if (j == s.size()) return std::nullopt;
    for (; j < s.size(); ++j) {
      if (s[j] < '0' || s[j] > '9') return std::nullopt;
    }
  }
  return Json(std::strtod(s.c_str(), nullptr));
}

Result<Json> Convert(const YAML::Node& node, const std::string& file, int depth) {
  if (depth > kMaxDepth) return YamlError(file, node, "nested more than 64 levels deep");
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return Json(nullptr);
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return Json(s);  // quoted
      if (IsNullText(s)) return Json(nullptr);
      if (auto b = BoolText(s)) return Json(*b);
      if (auto n = NumberText(s)) return *n;
      return Json(s);
    }
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) {
        ATOLL_ASSIGN_OR_RETURN(Json v, Convert(item, file, depth + 1));
        out.push_back(std::move(v));
      }
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) return YamlError(file, kv.first, "a mapping key must be text");
        ATOLL_ASSIGN_OR_RETURN(Json v, Convert(kv.second, file, depth + 1));
        out[kv.first.Scalar()] = std::move(v);
      }
      return out;
    }
  }
  return Json(nullptr);
}

}  // namespace

Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file) {
  try {
    return YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file, ":", e.mark.line + 1, ":", e.mark.column + 1,
                           ": invalid YAML: ", e.msg);
  } catch (const std::exception& e) {
    return InvalidArgument(file, ": invalid YAML: ", e.what());
  }
}

int LineOf(const YAML::Node& node) {
  if (!node.IsDefined()) return 0;
  const YAML::Mark m = node.Mark();
  return m.line < 0 ? 0 : m.line + 1;
}

Status YamlError(const std::string& file, const YAML::Node& at, std::string_view message) {
  const int line = LineOf(at);
  if (line == 0) return InvalidArgument(file, ": ", message);
  return InvalidArgument(file, ":", line, ": ", message);
}

Result<Json> YamlToJson(const YAML::Node& node, const std::string& file) {
  try {
    return Convert(node, file, 0);
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file, ":", e.mark.line + 1, ": ", e.msg);
  }
}

Result<std::string> ScalarString(const YAML::Node& node, const std::string& file,
                                 std::string_view what) {
  if (!node.IsScalar()) return YamlError(file, node, StrCat(what, " must be text"));
  return node.Scalar();
}

Result<std::vector<std::string>> StringList(const YAML::Node& node, const std::string& file,
                                            std::string_view what) {
  std::vector<std::string> out;
  if (!node.IsDefined() || node.IsNull()) return out;
  if (node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) return YamlError(file, node, StrCat(what, " must be a list of text"));
  for (const auto& item : node) {
    ATOLL_ASSIGN_OR_RETURN(std::string s, ScalarString(item, file, what));
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace atl::transform
