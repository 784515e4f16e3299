// Properties files (models/**.yml and the like): descriptions, columns, configs and
// generic tests of models, seeds, snapshots and analyses; sources; macro descriptions.
#include <set>

#include "atoll/transform/loader_internal.h"
#include "atoll/transform/project_config.h"
#include "atoll/transform/yaml_util.h"

namespace atl::transform::internal {

namespace {

struct FileContext {
  const std::string& file;
  std::vector<std::string> fqn_dirs;
};

bool IsTestConfigKey(const std::string& key) {
  static const char* kKeys[] = {
      "severity",          "where", "limit", "warn_if", "error_if", "fail_calc", "store_failures",
      "store_failures_as", "tags",  "meta",  "enabled", "alias",    "schema",    "database"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

Result<Json> MappingJson(const YAML::Node& n, const FileContext& ctx, std::string_view what) {
  if (!n.IsDefined() || n.IsNull()) return Json::object();
  if (!n.IsMap()) return YamlError(ctx.file, n, StrCat(what, " must be a mapping"));
  return YamlToJson(n, ctx.file);
}

Result<std::string> OptionalText(const YAML::Node& n, const FileContext& ctx,
                                 std::string_view what) {
  if (!n.IsDefined() || n.IsNull()) return std::string();
  return ScalarString(n, ctx.file, what);
}

Status ParseOneTest(const YAML::Node& item, const FileContext& ctx, const std::string& column,
                    std::vector<TestSpec>& out) {
  TestSpec spec;
  spec.file = ctx.file;
  spec.line = LineOf(item);
  spec.column = column;
  spec.fqn_dirs = ctx.fqn_dirs;
  YAML::Node body;
  if (item.IsScalar()) {
    spec.test_name = item.Scalar();
  } else if (item.IsMap() && item["test_name"].IsDefined()) {
    ATOLL_ASSIGN_OR_RETURN(spec.test_name, ScalarString(item["test_name"], ctx.file, "test_name"));
    body = item;
  } else if (item.IsMap() && item.size() == 1) {
    auto kv = item.begin();
    ATOLL_ASSIGN_OR_RETURN(spec.test_name, ScalarString(kv->first, ctx.file, "a test's name"));
    body = kv->second;
  } else {
    return YamlError(ctx.file, item,
                     "a test must be a name (- unique) or a mapping of one test name to its "
                     "arguments (- accepted_values: {values: [...]})");
  }
  if (const size_t dot = spec.test_name.find('.'); dot != std::string::npos) {
    spec.test_namespace = spec.test_name.substr(0, dot);
    spec.test_name = spec.test_name.substr(dot + 1);
  }
  if (body.IsDefined() && !body.IsNull()) {
    if (!body.IsMap()) {
      return YamlError(ctx.file, body,
                       StrCat("the arguments of test '", spec.test_name, "' must be a mapping"));
    }
    for (const auto& kv : body) {
      ATOLL_ASSIGN_OR_RETURN(std::string key, ScalarString(kv.first, ctx.file, "a test argument"));
      if (key == "test_name") continue;
      if (key == "name") {
        ATOLL_ASSIGN_OR_RETURN(spec.custom_name, ScalarString(kv.second, ctx.file, "name"));
      } else if (key == "config") {
        ATOLL_ASSIGN_OR_RETURN(Json c, MappingJson(kv.second, ctx, "config"));
        MergeConfig(spec.config, c);
      } else if (key == "arguments") {
        ATOLL_ASSIGN_OR_RETURN(Json a, MappingJson(kv.second, ctx, "arguments"));
        for (const auto& [k, v] : a.items()) spec.kwargs[k] = v;
      } else if (IsTestConfigKey(key)) {
        ATOLL_ASSIGN_OR_RETURN(Json v, YamlToJson(kv.second, ctx.file));
        MergeConfig(spec.config, Json{{key, v}});
      } else {
        ATOLL_ASSIGN_OR_RETURN(Json v, YamlToJson(kv.second, ctx.file));
        spec.kwargs[key] = std::move(v);
      }
    }
  }
  out.push_back(std::move(spec));
  return Status::OK();
}

Status ParseTests(const YAML::Node& entry, const FileContext& ctx, const std::string& column,
                  std::vector<TestSpec>& out) {
  for (const char* key : {"data_tests", "tests"}) {
    const YAML::Node list = entry[key];
    if (!list.IsDefined() || list.IsNull()) continue;
    if (!list.IsSequence()) return YamlError(ctx.file, list, StrCat(key, " must be a list"));
    for (const auto& item : list) ATOLL_RETURN_NOT_OK(ParseOneTest(item, ctx, column, out));
  }
  return Status::OK();
}

Status ParseColumns(const YAML::Node& entry, const FileContext& ctx, std::vector<Column>& columns,
                    std::vector<TestSpec>& tests) {
  const YAML::Node list = entry["columns"];
  if (!list.IsDefined() || list.IsNull()) return Status::OK();
  if (!list.IsSequence()) return YamlError(ctx.file, list, "columns must be a list");
  for (const auto& c : list) {
    if (!c.IsMap() || !c["name"].IsDefined()) {
      return YamlError(ctx.file, c, "a column must be a mapping with a name");
    }
    Column col;
    ATOLL_ASSIGN_OR_RETURN(col.name, ScalarString(c["name"], ctx.file, "a column's name"));
    for (const auto& other : columns) {
      if (other.name == col.name) {
        return YamlError(ctx.file, c, StrCat("column '", col.name, "' is listed twice"));
      }
    }
    ATOLL_ASSIGN_OR_RETURN(col.description, OptionalText(c["description"], ctx, "description"));
    if (c["data_type"].IsDefined() && !c["data_type"].IsNull()) {
      ATOLL_ASSIGN_OR_RETURN(col.data_type, ScalarString(c["data_type"], ctx.file, "data_type"));
    }
    ATOLL_ASSIGN_OR_RETURN(col.meta, MappingJson(c["meta"], ctx, "meta"));
    ATOLL_ASSIGN_OR_RETURN(col.tags, StringList(c["tags"], ctx.file, "tags"));
    ATOLL_RETURN_NOT_OK(ParseTests(c, ctx, col.name, tests));
    columns.push_back(std::move(col));
  }
  return Status::OK();
}

Status ParsePatches(LoadState& state, const YAML::Node& list, ResourceType type,
                    const FileContext& ctx) {
  if (!list.IsSequence()) {
    return YamlError(ctx.file, list, StrCat(ResourceTypeName(type), "s must be a list"));
  }
  for (const auto& entry : list) {
    if (!entry.IsMap() || !entry["name"].IsDefined()) {
      return YamlError(
          ctx.file, entry,
          StrCat("a ", ResourceTypeName(type), " entry must be a mapping with a name"));
    }
    Patch patch;
    patch.type = type;
    patch.file = ctx.file;
    patch.line = LineOf(entry);
    ATOLL_ASSIGN_OR_RETURN(patch.name, ScalarString(entry["name"], ctx.file, "name"));
    ATOLL_ASSIGN_OR_RETURN(patch.description,
                           OptionalText(entry["description"], ctx, "description"));
    ATOLL_ASSIGN_OR_RETURN(patch.config, MappingJson(entry["config"], ctx, "config"));
    ATOLL_ASSIGN_OR_RETURN(patch.meta, MappingJson(entry["meta"], ctx, "meta"));
    if (entry["versions"].IsDefined()) {
      state.project.warnings.push_back(StrCat(ctx.file, ":", LineOf(entry["versions"]),
                                              ": model versions are not supported; ignored"));
    }
    ATOLL_RETURN_NOT_OK(ParseColumns(entry, ctx, patch.columns, patch.tests));
    ATOLL_RETURN_NOT_OK(ParseTests(entry, ctx, "", patch.tests));
    const std::string key = PatchKey(type, patch.name);
    if (auto it = state.patches.find(key); it != state.patches.end()) {
      return YamlError(
          ctx.file, entry,
          StrCat(ResourceTypeName(type), " '", patch.name, "' is described twice (also in ",
                 it->second.file, ":", it->second.line, ")"));
    }
    state.patches.emplace(key, std::move(patch));
  }
  return Status::OK();
}

Status ParseSources(LoadState& state, const YAML::Node& list, const FileContext& ctx) {
  Project& p = state.project;
  if (!list.IsSequence()) return YamlError(ctx.file, list, "sources must be a list");
  for (const auto& src : list) {
    if (!src.IsMap() || !src["name"].IsDefined()) {
      return YamlError(ctx.file, src, "a source must be a mapping with a name");
    }
    ATOLL_ASSIGN_OR_RETURN(std::string source_name, ScalarString(src["name"], ctx.file, "name"));
    ATOLL_ASSIGN_OR_RETURN(std::string description,
                           OptionalText(src["description"], ctx, "description"));
    ATOLL_ASSIGN_OR_RETURN(std::string schema, OptionalText(src["schema"], ctx, "schema"));
    ATOLL_ASSIGN_OR_RETURN(std::string database, OptionalText(src["database"], ctx, "database"));
    ATOLL_ASSIGN_OR_RETURN(std::string loader, OptionalText(src["loader"], ctx, "loader"));
    ATOLL_ASSIGN_OR_RETURN(Json source_config, MappingJson(src["config"], ctx, "config"));
    ATOLL_ASSIGN_OR_RETURN(Json source_meta, MappingJson(src["meta"], ctx, "meta"));
    ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> source_tags,
                           StringList(src["tags"], ctx.file, "tags"));
    const YAML::Node tables = src["tables"];
    if (!tables.IsDefined() || tables.IsNull()) continue;
    if (!tables.IsSequence()) return YamlError(ctx.file, tables, "tables must be a list");
    for (const auto& t : tables) {
      if (!t.IsMap() || !t["name"].IsDefined()) {
        return YamlError(ctx.file, t, "a source table must be a mapping with a name");
      }
      Node n;
      n.type = ResourceType::kSource;
      n.package = p.name;
      ATOLL_ASSIGN_OR_RETURN(n.name, ScalarString(t["name"], ctx.file, "name"));
      n.source_name = source_name;
      n.source_description = description;
      n.loader = loader;
      n.unique_id = StrCat("source.", p.name, ".", source_name, ".", n.name);
      n.path = n.original_file_path = ctx.file;
      n.patch_path = "";
      n.line = LineOf(t);
      n.fqn.push_back(p.name);
      for (const auto& d : ctx.fqn_dirs) n.fqn.push_back(d);
      n.fqn.push_back(source_name);
      n.fqn.push_back(n.name);
      ATOLL_ASSIGN_OR_RETURN(n.identifier, OptionalText(t["identifier"], ctx, "identifier"));
      if (n.identifier.empty()) n.identifier = n.name;
      ATOLL_ASSIGN_OR_RETURN(n.description, OptionalText(t["description"], ctx, "description"));
      ATOLL_ASSIGN_OR_RETURN(Json table_config, MappingJson(t["config"], ctx, "config"));
      ATOLL_ASSIGN_OR_RETURN(n.meta, MappingJson(t["meta"], ctx, "meta"));
      ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> tags,
                             StringList(t["tags"], ctx.file, "tags"));
      Json config = DefaultConfig(ResourceType::kSource);
      auto tree = p.project_configs.find("sources");
      if (tree != p.project_configs.end()) MergeConfig(config, FolderConfig(*tree, n.fqn));
      MergeConfig(config, source_config);
      MergeConfig(config, table_config);
      Json all_tags = Json(source_tags);
      for (const auto& tag : tags) all_tags.push_back(tag);
      if (!all_tags.empty()) MergeConfig(config, Json{{"tags", all_tags}});
      n.config = std::move(config);
      n.source_schema = schema.empty() ? source_name : schema;
      n.schema = n.source_schema;
      n.database = database.empty() ? "stg" : database;
      n.alias = n.identifier;
      n.source_meta = source_meta;
      std::vector<TestSpec> tests;
      ATOLL_RETURN_NOT_OK(ParseColumns(t, ctx, n.columns, tests));
      ATOLL_RETURN_NOT_OK(ParseTests(t, ctx, "", tests));
      if (const Node* other = p.Find(n.unique_id)) {
        return YamlError(ctx.file, t,
                         StrCat("source table '", source_name, ".", n.name,
                                "' is defined twice (also in ", other->location().ToString(), ")"));
      }
      if (!tests.empty()) state.source_tests.push_back({n.unique_id, std::move(tests)});
      p.sources.emplace(n.unique_id, std::move(n));
    }
  }
  return Status::OK();
}

Status ParseMacroDocs(LoadState& state, const YAML::Node& list, const FileContext& ctx) {
  if (!list.IsSequence()) return YamlError(ctx.file, list, "macros must be a list");
  for (const auto& m : list) {
    if (!m.IsMap() || !m["name"].IsDefined()) {
      return YamlError(ctx.file, m, "a macro entry must be a mapping with a name");
    }
    ATOLL_ASSIGN_OR_RETURN(std::string name, ScalarString(m["name"], ctx.file, "name"));
    auto it = state.project.macros.find(StrCat("macro.", state.project.name, ".", name));
    if (it == state.project.macros.end()) {
      state.project.warnings.push_back(
          StrCat(ctx.file, ":", LineOf(m), ": macro '", name, "' is described but not defined"));
      continue;
    }
    ATOLL_ASSIGN_OR_RETURN(it->second.description,
                           OptionalText(m["description"], ctx, "description"));
  }
  return Status::OK();
}

Status LoadPropertyFile(LoadState& state, const std::string& dir, const std::string& file) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, state.files.Read(file));
  ATOLL_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(text, file));
  if (root.IsNull()) return Status::OK();
  if (!root.IsMap()) return YamlError(file, root, "a properties file must be a mapping");
  FileContext ctx{file, SplitPath(file.substr(dir.size() + 1)).dirs};
  try {
    for (const auto& kv : root) {
      ATOLL_ASSIGN_OR_RETURN(std::string key, ScalarString(kv.first, file, "a top-level key"));
      const YAML::Node& value = kv.second;
      if (value.IsNull() || key == "version") continue;
      if (key == "models") {
        ATOLL_RETURN_NOT_OK(ParsePatches(state, value, ResourceType::kModel, ctx));
      } else if (key == "seeds") {
        ATOLL_RETURN_NOT_OK(ParsePatches(state, value, ResourceType::kSeed, ctx));
      } else if (key == "snapshots") {
        ATOLL_RETURN_NOT_OK(ParsePatches(state, value, ResourceType::kSnapshot, ctx));
      } else if (key == "analyses") {
        ATOLL_RETURN_NOT_OK(ParsePatches(state, value, ResourceType::kAnalysis, ctx));
      } else if (key == "sources") {
        ATOLL_RETURN_NOT_OK(ParseSources(state, value, ctx));
      } else if (key == "macros") {
        ATOLL_RETURN_NOT_OK(ParseMacroDocs(state, value, ctx));
      } else {
        state.project.warnings.push_back(
            StrCat(file, ":", LineOf(kv.first), ": '", key, "' is not supported; ignored"));
      }
    }
  } catch (const YAML::Exception& e) {
    return InvalidArgument(file, ":", e.mark.line + 1, ": ", e.msg);
  }
  return Status::OK();
}

}  // namespace

Status LoadPropertyFiles(LoadState& state) {
  const ProjectPaths& paths = state.project.paths;
  std::vector<std::string> dirs;
  for (const auto* list :
       {&paths.models, &paths.seeds, &paths.snapshots, &paths.analyses, &paths.macros}) {
    dirs.insert(dirs.end(), list->begin(), list->end());
  }
  std::set<std::string> seen;
  for (const auto& dir : dirs) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> files, state.files.List(dir));
    for (const auto& file : files) {
      const std::string ext = SplitPath(file).ext;
      if (ext != ".yml" && ext != ".yaml") continue;
      if (!seen.insert(file).second) continue;
      ATOLL_RETURN_NOT_OK(LoadPropertyFile(state, dir, file));
    }
  }
  return Status::OK();
}

}  // namespace atl::transform::internal
