#include "atoll/cli/args.h"

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace atl::cli {

std::optional<std::string> ParsedArgs::Value(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

int64_t ParsedArgs::Int(std::string_view name, int64_t fallback) const {
  auto v = Value(name);
  if (!v) return fallback;
  return std::strtoll(v->c_str(), nullptr, 10);
}

namespace {

std::string Display(const OptionSpec& spec) { return StrCat("--", spec.name); }

Status CheckChoice(const OptionSpec& spec, const std::string& value) {
  std::string listed;
  for (std::string_view choice : spec.choices) {
    if (choice == value) return Status::OK();
    listed += listed.empty() ? "" : ", ";
    listed += choice;
  }
  return InvalidArgument("option '", Display(spec), "' expects one of ", listed, ", got '", value,
                         "'");
}

Status CheckValue(const OptionSpec& spec, const std::string& value) {
  if (spec.kind == OptionKind::kString && !spec.choices.empty()) return CheckChoice(spec, value);
  if (spec.kind != OptionKind::kInt) return Status::OK();
  errno = 0;
  char* end = nullptr;
  long long n = std::strtoll(value.c_str(), &end, 10);
  bool is_int = !value.empty() && end == value.c_str() + value.size() && errno == 0;
  if (!is_int || n < spec.min_value || n > spec.max_value) {
    std::string range;
    if (spec.min_value != INT64_MIN && spec.max_value != INT64_MAX) {
      range = StrCat(" from ", spec.min_value, " to ", spec.max_value);
    } else if (spec.min_value != INT64_MIN) {
      range = StrCat(" of at least ", spec.min_value);
    }
    return InvalidArgument("option '", Display(spec), "' expects an integer", range, ", got '",
                           value, "'");
  }
  return Status::OK();
}

const OptionSpec* FindLong(const std::vector<OptionSpec>& specs, std::string_view name) {
  for (const auto& s : specs) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const OptionSpec* FindShort(const std::vector<OptionSpec>& specs, char c) {
  for (const auto& s : specs) {
    if (s.short_name != 0 && s.short_name == c) return &s;
  }
  return nullptr;
}

}  // namespace

Result<ParsedArgs> ParseArgs(const std::vector<std::string>& args,
                             const std::vector<OptionSpec>& specs) {
  ParsedArgs out;
  // Takes the value of `spec` from `inline_value` or the next word.
  auto take_value = [&](const OptionSpec& spec, std::optional<std::string> inline_value,
                        size_t& i) -> Status {
    if (spec.kind == OptionKind::kFlag) {
      if (inline_value) return InvalidArgument("option '", Display(spec), "' takes no value");
      out.values_[std::string(spec.name)] = "";
      return Status::OK();
    }
    if (!inline_value) {
      if (i + 1 >= args.size()) {
        return InvalidArgument("option '", Display(spec), "' needs a value ", spec.value_name);
      }
      inline_value = args[++i];
    }
    ATOLL_RETURN_NOT_OK(CheckValue(spec, *inline_value));
    out.values_[std::string(spec.name)] = *inline_value;
    return Status::OK();
  };

  bool options_ended = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& word = args[i];
    if (options_ended || word == "-" || word.empty() || word[0] != '-') {
      out.positional_.push_back(word);
    } else if (word == "--") {
      options_ended = true;
    } else if (word.starts_with("--")) {
      std::string_view body = std::string_view(word).substr(2);
      std::optional<std::string> inline_value;
      if (size_t eq = body.find('='); eq != std::string_view::npos) {
        inline_value = std::string(body.substr(eq + 1));
        body = body.substr(0, eq);
      }
      const OptionSpec* spec = FindLong(specs, body);
      if (spec == nullptr) return InvalidArgument("unknown option '--", body, "'");
      ATOLL_RETURN_NOT_OK(take_value(*spec, std::move(inline_value), i));
    } else {
      // One or more short options: flags may be combined; a value-taking option takes
      // the rest of the word or the next word.
      for (size_t k = 1; k < word.size(); ++k) {
        const OptionSpec* spec = FindShort(specs, word[k]);
        if (spec == nullptr)
          return InvalidArgument("unknown option '-", std::string(1, word[k]), "'");
        if (spec->kind == OptionKind::kFlag) {
          ATOLL_RETURN_NOT_OK(take_value(*spec, std::nullopt, i));
          continue;
        }
        std::optional<std::string> rest;
        if (k + 1 < word.size()) rest = word.substr(k + 1);
        ATOLL_RETURN_NOT_OK(take_value(*spec, std::move(rest), i));
        break;
      }
    }
  }
  return out;
}

Result<std::string> ReadTextFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("cannot read ", path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace atl::cli
