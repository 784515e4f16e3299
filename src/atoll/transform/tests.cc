// Generic tests written in properties files become test nodes, named as dbt names them
// (NameTest): "<test>_<model>_<column>__<arg>…", "source_<test>_<source>_<table>_…".
#include <algorithm>

#include "atoll/transform/loader_internal.h"
#include "atoll/transform/project_config.h"
#include "atoll/transform/static_parse.h"

namespace atl::transform::internal {

namespace {

bool IsBuiltin(const std::string& name) {
  return name == "unique" || name == "not_null" || name == "accepted_values" ||
         name == "relationships";
}

// Runs of characters other than letters, digits and '_' become one '_' (dbt's rule).
std::string Sanitize(const std::string& s) {
  std::string out;
  bool in_run = false;
  for (char c : s) {
    const bool ok = std::isalnum(static_cast<unsigned char>(c)) || c == '_';
    if (ok) {
      out += c;
    } else if (!in_run) {
      out += '_';
    }
    in_run = !ok;
  }
  return out;
}

// A scalar argument as Python's str() writes it.
std::string ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "True" : "False";
  if (v.is_null()) return "None";
  return v.dump();
}

struct TestNaming {
  std::string name;
  std::string path;  // "<name>.sql", or hashed when the arguments are long
};

// dbt's naming: "<prefix>_<arg>__<arg>…" over the arguments sorted by name (model left
// out; lists and mappings contribute their items); the file name uses an MD5-like hash of
// the argument part when it is longer than 32 characters (we use SHA-256's first 32 hex).
TestNaming NameTest(const std::string& prefix, const Json& kwargs) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : kwargs.items()) {
    if (k != "model") keys.push_back(k);
  }
  std::sort(keys.begin(), keys.end());
  std::string unique;
  for (const auto& k : keys) {
    const Json& v = kwargs[k];
    std::vector<std::string> parts;
    if (v.is_array()) {
      for (const auto& item : v) parts.push_back(ScalarText(item));
    } else if (v.is_object()) {
      for (const auto& [ik, item] : v.items()) parts.push_back(ScalarText(item));
    } else {
      parts.push_back(ScalarText(v));
    }
    for (const auto& part : parts) unique += (unique.empty() ? "" : "__") + Sanitize(part);
  }
  TestNaming out;
  out.name = unique.empty() ? prefix : prefix + "_" + unique;
  const std::string label = unique.size() <= 32 ? unique : Sha256Hex(unique).substr(0, 32);
  out.path = (label.empty() ? prefix : prefix + "_" + label) + ".sql";
  return out;
}

Status CheckArguments(const TestSpec& spec) {
  auto require = [&](const char* arg) -> Status {
    if (!spec.kwargs.contains(arg)) {
      return InvalidArgument(spec.file, ":", spec.line, ": test '", spec.test_name,
                             "' needs the argument '", arg, "'");
    }
    return Status::OK();
  };
  if (spec.test_name == "accepted_values") {
    ATOLL_RETURN_NOT_OK(require("values"));
    if (!spec.kwargs["values"].is_array()) {
      return InvalidArgument(spec.file, ":", spec.line,
                             ": accepted_values: 'values' must be a list");
    }
  }
  if (spec.test_name == "relationships") {
    ATOLL_RETURN_NOT_OK(require("to"));
    ATOLL_RETURN_NOT_OK(require("field"));
  }
  if ((spec.test_name == "unique" || spec.test_name == "not_null" ||
       spec.test_name == "accepted_values" || spec.test_name == "relationships") &&
      spec.column.empty() && !spec.kwargs.contains("column_name")) {
    return InvalidArgument(spec.file, ":", spec.line, ": test '", spec.test_name,
                           "' needs a column (put it under a column, or give column_name)");
  }
  return Status::OK();
}

// `target`: the model/seed/snapshot or source node the tests belong to.
Status AddTests(LoadState& state, const Node& target, const std::vector<TestSpec>& specs) {
  Project& p = state.project;
  const bool is_source = target.type == ResourceType::kSource;
  for (const TestSpec& spec : specs) {
    if (!spec.test_namespace.empty()) {
      p.warnings.push_back(StrCat(spec.file, ":", spec.line, ": generic test '",
                                  spec.test_namespace, ".", spec.test_name,
                                  "' comes from package '", spec.test_namespace,
                                  "'; packages are not supported yet, so it is skipped"));
      continue;
    }
    const std::string macro_id = StrCat("macro.", p.name, ".test_", spec.test_name);
    if (!IsBuiltin(spec.test_name) && !p.macros.count(macro_id)) {
      return InvalidArgument(spec.file, ":", spec.line, ": unknown generic test '", spec.test_name,
                             "' (neither a built-in test nor a {% test ", spec.test_name,
                             "(...) %} block of the project's macros)");
    }
    ATOLL_RETURN_NOT_OK(CheckArguments(spec));
    Node n;
    n.type = ResourceType::kTest;
    n.package = p.name;
    TestMetadata meta;
    meta.name = spec.test_name;
    meta.kwargs = spec.kwargs;
    if (!spec.column.empty()) meta.kwargs["column_name"] = spec.column;
    const std::string prefix =
        is_source ? StrCat("source_", spec.test_name, "_", target.source_name, "_", target.name)
                  : StrCat(spec.test_name, "_", target.name);
    const TestNaming naming = NameTest(prefix, meta.kwargs);
    n.name = spec.custom_name.empty() ? naming.name : spec.custom_name;
    const std::string target_call =
        is_source ? StrCat("source('", target.source_name, "', '", target.name, "')")
                  : StrCat("ref('", target.name, "')");
    meta.kwargs["model"] = StrCat("{{ get_where_subquery(", target_call, ") }}");
    const std::string identity = StrCat(n.name, "\n", target.unique_id, "\n", meta.kwargs.dump());
    n.unique_id = StrCat("test.", p.name, ".", n.name, ".", Sha256Hex(identity).substr(0, 10));
    n.original_file_path = spec.file;
    n.path = spec.custom_name.empty() ? naming.path : n.name + ".sql";
    n.line = spec.line;
    n.fqn.push_back(p.name);
    for (const auto& d : spec.fqn_dirs) n.fqn.push_back(d);
    n.fqn.push_back(n.name);
    n.checksum = Sha256Hex("");
    n.raw_code = StrCat("{{ test_", spec.test_name, "(**_dbt_generic_test_kwargs) }}");
    n.column_name = meta.kwargs.contains("column_name") && meta.kwargs["column_name"].is_string()
                        ? meta.kwargs["column_name"].get<std::string>()
                        : "";
    n.attached_node = target.unique_id;
    if (is_source) {
      n.parse.sources.push_back({target.source_name, target.name, spec.line});
    } else {
      n.parse.refs.push_back({"", target.name, std::nullopt, spec.line});
    }
    if (spec.test_name == "relationships") {
      const Json& to = spec.kwargs["to"];
      StaticParse to_parse;
      if (!to.is_string() || !ParseRefOrSourceExpression(to.get<std::string>(), to_parse)) {
        return InvalidArgument(spec.file, ":", spec.line,
                               ": relationships: 'to' must be ref('<model>') or "
                               "source('<source>', '<table>'), got ",
                               to.dump());
      }
      for (auto& r : to_parse.refs)
        n.parse.refs.push_back({r.package, r.name, r.version, spec.line});
      for (auto& s : to_parse.sources) n.parse.sources.push_back({s.source, s.table, spec.line});
    }
    n.test = std::move(meta);
    Json config = DefaultConfig(ResourceType::kTest);
    auto tree = p.project_configs.find("data_tests");
    if (tree != p.project_configs.end()) MergeConfig(config, FolderConfig(*tree, n.fqn));
    MergeConfig(config, spec.config);
    if (auto sev = config.find("severity"); sev != config.end()) {
      std::string v = sev->is_string() ? sev->get<std::string>() : "";
      for (char& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (v != "warn" && v != "error") {
        return InvalidArgument(spec.file, ":", spec.line, ": test '", n.name,
                               "': severity must be warn or error, got ", sev->dump());
      }
    }
    n.config = std::move(config);
    auto enabled = n.config.find("enabled");
    if (enabled != n.config.end() && enabled->is_boolean() && !enabled->get<bool>()) {
      p.disabled.emplace(n.unique_id, std::move(n));
      continue;
    }
    ATOLL_RETURN_NOT_OK(AddNode(state, std::move(n)));
  }
  return Status::OK();
}

}  // namespace

Status BuildGenericTests(LoadState& state) {
  Project& p = state.project;
  for (const auto& [key, patch] : state.patches) {
    if (patch.tests.empty()) continue;
    const std::string id = StrCat(ResourceTypeName(patch.type), ".", p.name, ".", patch.name);
    auto it = p.nodes.find(id);
    if (it == p.nodes.end()) continue;  // disabled or missing (warned in ResolveConfigs)
    const Node target = it->second;
    ATOLL_RETURN_NOT_OK(AddTests(state, target, patch.tests));
  }
  for (const auto& st : state.source_tests) {
    auto it = p.sources.find(st.source_unique_id);
    if (it == p.sources.end()) continue;
    const Node target = it->second;
    ATOLL_RETURN_NOT_OK(AddTests(state, target, st.tests));
  }
  return Status::OK();
}

}  // namespace atl::transform::internal
