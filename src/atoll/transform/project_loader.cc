// LoadProject: dbt_project.yml, the SQL/CSV files, configs and dependency resolution.
// Properties files are read by properties.cc, generic tests built by tests.cc.
#include <algorithm>
#include <regex>
#include <set>

#include "atoll/trail/hash.h"
#include "atoll/transform/graph.h"
#include "atoll/transform/loader.h"
#include "atoll/transform/loader_internal.h"
#include "atoll/transform/project_config.h"
#include "atoll/transform/static_parse.h"
#include "atoll/transform/yaml_util.h"

namespace atl::transform {

const char* ResourceTypeName(ResourceType type) {
  switch (type) {
    case ResourceType::kModel:
      return "model";
    case ResourceType::kSeed:
      return "seed";
    case ResourceType::kSnapshot:
      return "snapshot";
    case ResourceType::kTest:
      return "test";
    case ResourceType::kAnalysis:
      return "analysis";
    case ResourceType::kSource:
      return "source";
    case ResourceType::kMacro:
      return "macro";
  }
  return "?";
}

std::optional<ResourceType> ParseResourceType(std::string_view name) {
  for (ResourceType t :
       {ResourceType::kModel, ResourceType::kSeed, ResourceType::kSnapshot, ResourceType::kTest,
        ResourceType::kAnalysis, ResourceType::kSource, ResourceType::kMacro}) {
    if (name == ResourceTypeName(t)) return t;
  }
  return std::nullopt;
}

std::string SourceLocation::ToString() const { return line > 0 ? StrCat(file, ":", line) : file; }

std::vector<std::string> Node::tags() const {
  std::vector<std::string> out;
  auto it = config.find("tags");
  if (it == config.end()) return out;
  if (it->is_string()) out.push_back(it->get<std::string>());
  if (it->is_array()) {
    for (const auto& t : *it) {
      if (t.is_string()) out.push_back(t.get<std::string>());
    }
  }
  return out;
}

std::string Node::materialized() const {
  auto it = config.find("materialized");
  return it != config.end() && it->is_string() ? it->get<std::string>() : "";
}

const Node* Project::Find(const std::string& unique_id) const {
  if (auto it = nodes.find(unique_id); it != nodes.end()) return &it->second;
  if (auto it = sources.find(unique_id); it != sources.end()) return &it->second;
  return nullptr;
}

namespace internal {

std::string PatchKey(ResourceType type, const std::string& name) {
  return StrCat(ResourceTypeName(type), ":", name);
}

PathParts SplitPath(const std::string& path) {
  PathParts out;
  size_t start = 0;
  while (true) {
    const size_t slash = path.find('/', start);
    if (slash == std::string::npos) break;
    out.dirs.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  const std::string file = path.substr(start);
  const size_t dot = file.rfind('.');
  out.stem = dot == std::string::npos ? file : file.substr(0, dot);
  out.ext = dot == std::string::npos ? "" : file.substr(dot);
  return out;
}

std::string Sha256Hex(std::string_view data) { return trail::ToHex(trail::Sha256(data)); }

Status AddNode(LoadState& state, Node node) {
  Project& project = state.project;
  const bool refable = node.type == ResourceType::kModel || node.type == ResourceType::kSeed ||
                       node.type == ResourceType::kSnapshot;
  if (refable) {
    auto [it, added] = state.refable_names.emplace(node.name, node.unique_id);
    if (!added) {
      const Node& other = project.nodes.at(it->second);
      return InvalidArgument(node.location().ToString(), ": two resources are named '", node.name,
                             "' (", ResourceTypeName(node.type), " here, ",
                             ResourceTypeName(other.type), " in ", other.location().ToString(),
                             "); ref() could not tell them apart");
    }
  }
  if (const Node* other = project.Find(node.unique_id)) {
    return InvalidArgument(node.location().ToString(), ": '", node.unique_id,
                           "' is defined twice (also in ", other->location().ToString(), ")");
  }
  const std::string id = node.unique_id;
  project.nodes.emplace(id, std::move(node));
  return Status::OK();
}

}  // namespace internal

namespace {

using internal::LoadState;
using internal::PathParts;
using internal::SplitPath;

bool IsIdentifier(const std::string& s) {
  static const std::regex kId("[A-Za-z_][A-Za-z0-9_]*");
  return std::regex_match(s, kId);
}

// Why `name` cannot name a node, or "": it becomes part of unique ids and fqns (dotted)
// and of relation names.
std::string NodeNameProblem(const std::string& name) {
  if (name.empty()) return "is empty";
  if (name.size() > 255) return "is longer than 255 bytes";
  for (unsigned char c : name) {
    if (c == '.' || c == '/' || c == '"' || c == '\'' || c == '`' || c < 0x20 || c == 0x7f ||
        c == ' ') {
      return "must not hold dots, slashes, quotes, spaces or control characters";
    }
  }
  return "";
}

Status ReadPaths(const YAML::Node& root, const char* key, const std::string& file,
                 std::vector<std::string>& into) {
  const YAML::Node n = root[key];
  if (!n.IsDefined() || n.IsNull()) return Status::OK();
  ATOLL_ASSIGN_OR_RETURN(into, StringList(n, file, key));
  for (auto& p : into) {
    while (!p.empty() && p.back() == '/') p.pop_back();
    if (p.empty() || p[0] == '/' || p.find("..") != std::string::npos) {
      return YamlError(file, n, StrCat(key, ": '", p, "' must be a folder inside the project"));
    }
  }
  return Status::OK();
}

Status LoadProjectFile(LoadState& state) {
  const std::string file = "dbt_project.yml";
  Result<std::string> text = state.files.Read(file);
  if (!text.ok()) {
    if (text.status().code() == StatusCode::kNotFound) {
      return NotFound("no dbt_project.yml in ", state.files.description());
    }
    return text.status();
  }
  ATOLL_ASSIGN_OR_RETURN(YAML::Node root, ParseYaml(*text, file));
  if (!root.IsMap()) return YamlError(file, root, "dbt_project.yml must be a mapping");
  Project& p = state.project;
  if (!root["name"].IsDefined()) return InvalidArgument(file, ": 'name' is missing");
  ATOLL_ASSIGN_OR_RETURN(p.name, ScalarString(root["name"], file, "name"));
  if (!IsIdentifier(p.name)) {
    return YamlError(file, root["name"],
                     StrCat("project name '", p.name,
                            "' must be letters, digits and underscores, not starting with a "
                            "digit"));
  }
  if (root["version"].IsScalar()) p.version = root["version"].Scalar();
  if (root["profile"].IsScalar()) p.profile = root["profile"].Scalar();
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "model-paths", file, p.paths.models));
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "seed-paths", file, p.paths.seeds));
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "snapshot-paths", file, p.paths.snapshots));
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "test-paths", file, p.paths.tests));
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "macro-paths", file, p.paths.macros));
  ATOLL_RETURN_NOT_OK(ReadPaths(root, "analysis-paths", file, p.paths.analyses));
  if (root["vars"].IsDefined() && !root["vars"].IsNull()) {
    if (!root["vars"].IsMap()) return YamlError(file, root["vars"], "vars must be a mapping");
    ATOLL_ASSIGN_OR_RETURN(p.vars, YamlToJson(root["vars"], file));
  }
  for (const char* key :
       {"models", "seeds", "snapshots", "data_tests", "tests", "sources", "analyses"}) {
    const YAML::Node n = root[key];
    if (!n.IsDefined() || n.IsNull()) continue;
    if (!n.IsMap()) return YamlError(file, n, StrCat(key, " must be a mapping"));
    ATOLL_ASSIGN_OR_RETURN(Json tree, YamlToJson(n, file));
    // `tests:` is the older spelling of `data_tests:`.
    const std::string k = std::string(key) == "tests" ? "data_tests" : key;
    if (p.project_configs.contains(k)) {
      MergeConfig(p.project_configs[k], tree);
    } else {
      p.project_configs[k] = std::move(tree);
    }
  }
  return Status::OK();
}

// The files under each of `dirs` with extension `ext` (".sql"), as (root dir, path).
Result<std::vector<std::pair<std::string, std::string>>> FilesUnder(
    ProjectFiles& files, const std::vector<std::string>& dirs, std::string_view ext) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& dir : dirs) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> paths, files.List(dir));
    for (auto& path : paths) {
      if (path.size() >= ext.size() &&
          path.compare(path.size() - ext.size(), ext.size(), ext) == 0) {
        out.emplace_back(dir, std::move(path));
      }
    }
  }
  return out;
}

Node NewNode(const Project& p, ResourceType type, const std::string& name,
             const std::string& root_dir, const std::string& file) {
  Node n;
  n.type = type;
  n.name = name;
  n.package = p.name;
  n.original_file_path = file;
  n.path = file.substr(root_dir.size() + 1);
  n.unique_id = StrCat(ResourceTypeName(type), ".", p.name, ".", name);
  n.fqn.push_back(p.name);
  for (const auto& d : SplitPath(n.path).dirs) n.fqn.push_back(d);
  n.fqn.push_back(name);
  return n;
}

void ApplyParse(LoadState& state, Node& n, std::string_view sql, int first_line) {
  StaticParseResult r = ParseStatically(sql, first_line);
  n.parse = std::move(r.parse);
  state.calls[n.unique_id] = std::move(r.calls);
}

Status LoadMacros(LoadState& state) {
  std::vector<std::string> dirs = state.project.paths.macros;
  for (const auto& t : state.project.paths.tests) dirs.push_back(t + "/generic");
  ATOLL_ASSIGN_OR_RETURN(auto files, FilesUnder(state.files, dirs, ".sql"));
  for (const auto& [dir, file] : files) {
    ATOLL_ASSIGN_OR_RETURN(std::string text, state.files.Read(file));
    ATOLL_ASSIGN_OR_RETURN(auto blocks,
                           FindBlocks(text, file, {"macro", "test", "materialization"}));
    for (auto& b : blocks) {
      if (b.keyword == "materialization") {
        state.project.warnings.push_back(StrCat(file, ":", b.line, ": custom materialization '",
                                                b.name, "' is collected but not used"));
      }
      Macro m;
      m.name = b.keyword == "test"              ? "test_" + b.name
               : b.keyword == "materialization" ? "materialization_" + b.name
                                                : b.name;
      m.is_test = b.keyword == "test";
      m.package = state.project.name;
      m.unique_id = StrCat("macro.", m.package, ".", m.name);
      m.path = m.original_file_path = file;
      m.macro_sql = std::move(b.text);
      m.line = b.line;
      if (auto it = state.project.macros.find(m.unique_id); it != state.project.macros.end()) {
        return InvalidArgument(file, ":", b.line, ": macro '", m.name,
                               "' is defined twice (also in ", it->second.original_file_path, ":",
                               it->second.line, ")");
      }
      state.project.macros.emplace(m.unique_id, std::move(m));
    }
  }
  return Status::OK();
}

Status LoadSqlNodes(LoadState& state, ResourceType type, const std::vector<std::string>& dirs) {
  Project& p = state.project;
  ATOLL_ASSIGN_OR_RETURN(auto files, FilesUnder(state.files, dirs, ".sql"));
  for (const auto& [dir, file] : files) {
    if (type == ResourceType::kTest && file.rfind(dir + "/generic/", 0) == 0) continue;
    const PathParts parts = SplitPath(file);
    ATOLL_ASSIGN_OR_RETURN(std::string text, state.files.Read(file));
    Node n = NewNode(p, type, parts.stem, dir, file);
    if (const std::string problem = NodeNameProblem(n.name); !problem.empty()) {
      return InvalidArgument(file, ": the name '", n.name, "' (from the file name) ", problem);
    }
    n.checksum = internal::Sha256Hex(text);
    ApplyParse(state, n, text, 1);
    n.raw_code = std::move(text);
    ATOLL_RETURN_NOT_OK(internal::AddNode(state, std::move(n)));
  }
  if (type == ResourceType::kModel) {
    ATOLL_ASSIGN_OR_RETURN(auto py, FilesUnder(state.files, dirs, ".py"));
    for (const auto& [dir, file] : py) {
      p.warnings.push_back(StrCat(file, ": Python models are not supported; skipped"));
    }
  }
  return Status::OK();
}

Status LoadSnapshots(LoadState& state) {
  Project& p = state.project;
  ATOLL_ASSIGN_OR_RETURN(auto files, FilesUnder(state.files, p.paths.snapshots, ".sql"));
  for (const auto& [dir, file] : files) {
    ATOLL_ASSIGN_OR_RETURN(std::string text, state.files.Read(file));
    ATOLL_ASSIGN_OR_RETURN(auto blocks, FindBlocks(text, file, {"snapshot"}));
    if (blocks.empty()) {
      p.warnings.push_back(StrCat(file, ": no {% snapshot %} block; skipped"));
    }
    for (auto& b : blocks) {
      Node n = NewNode(p, ResourceType::kSnapshot, b.name, dir, file);
      // dbt's snapshot fqn holds the file's stem before the name.
      n.fqn.insert(n.fqn.end() - 1, SplitPath(n.path).stem);
      n.line = b.line;
      n.checksum = internal::Sha256Hex(b.text);
      ApplyParse(state, n, b.body, b.body_line);
      n.raw_code = std::move(b.body);
      ATOLL_RETURN_NOT_OK(internal::AddNode(state, std::move(n)));
    }
  }
  return Status::OK();
}

Status LoadSeeds(LoadState& state) {
  Project& p = state.project;
  ATOLL_ASSIGN_OR_RETURN(auto files, FilesUnder(state.files, p.paths.seeds, ".csv"));
  for (const auto& [dir, file] : files) {
    const PathParts parts = SplitPath(file);
    Node n = NewNode(p, ResourceType::kSeed, parts.stem, dir, file);
    if (const std::string problem = NodeNameProblem(n.name); !problem.empty()) {
      return InvalidArgument(file, ": the name '", n.name, "' (from the file name) ", problem);
    }
    ATOLL_ASSIGN_OR_RETURN(std::string text, state.files.Read(file));
    n.checksum = internal::Sha256Hex(text);
    ATOLL_RETURN_NOT_OK(internal::AddNode(state, std::move(n)));
  }
  return Status::OK();
}

// Configs in precedence order, patches applied, relations named, disabled nodes set apart.
Status ResolveConfigs(LoadState& state) {
  Project& p = state.project;
  std::set<std::string> used_patches;
  for (auto& [id, n] : p.nodes) {
    if (n.type == ResourceType::kTest && n.test) continue;  // generic tests: tests.cc
    Json config = DefaultConfig(n.type);
    auto tree = p.project_configs.find(std::string(ProjectConfigKey(n.type)));
    if (tree != p.project_configs.end()) MergeConfig(config, FolderConfig(*tree, n.fqn));
    auto patch = state.patches.find(internal::PatchKey(n.type, n.name));
    if (patch != state.patches.end()) {
      used_patches.insert(patch->first);
      const internal::Patch& pa = patch->second;
      n.patch_path = StrCat(p.name, "://", pa.file);
      n.description = pa.description;
      n.columns = pa.columns;
      n.meta = pa.meta;
      MergeConfig(config, pa.config);
    }
    MergeConfig(config, n.parse.config);
    n.config = std::move(config);
  }
  for (const auto& [key, patch] : state.patches) {
    if (!used_patches.count(key)) {
      p.warnings.push_back(StrCat(patch.file, ":", patch.line, ": ", ResourceTypeName(patch.type),
                                  " '", patch.name, "' is described but there is no such ",
                                  ResourceTypeName(patch.type)));
    }
  }
  return Status::OK();
}

void NameRelation(const Project& p, Node& n) {
  auto text = [&](const char* key, const std::string& fallback) {
    auto it = n.config.find(key);
    return it != n.config.end() && it->is_string() ? it->get<std::string>() : fallback;
  };
  const std::string default_zone = n.type == ResourceType::kSeed ? "stg" : "prd";
  n.database = text("zone", text("database", default_zone));
  n.schema = text("schema", p.name);
  n.alias = text("alias", n.name);
}

void SetAsideDisabled(Project& p) {
  for (auto it = p.nodes.begin(); it != p.nodes.end();) {
    auto e = it->second.config.find("enabled");
    if (e != it->second.config.end() && e->is_boolean() && !e->get<bool>()) {
      p.disabled.insert(*it);
      it = p.nodes.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = p.sources.begin(); it != p.sources.end();) {
    auto e = it->second.config.find("enabled");
    if (e != it->second.config.end() && e->is_boolean() && !e->get<bool>()) {
      p.disabled.insert(*it);
      it = p.sources.erase(it);
    } else {
      ++it;
    }
  }
}

// The unique id `ref` names, or an error at `where`.
Result<std::string> ResolveRef(const Project& p, const RefCall& ref, const SourceLocation& where) {
  if (!ref.package.empty() && ref.package != p.name) {
    return InvalidArgument(where.file, ":", ref.line, ": ref('", ref.package, "', '", ref.name,
                           "') names package '", ref.package,
                           "', which is not this project (packages are not supported yet)");
  }
  for (ResourceType t : {ResourceType::kModel, ResourceType::kSeed, ResourceType::kSnapshot}) {
    const std::string id = StrCat(ResourceTypeName(t), ".", p.name, ".", ref.name);
    if (p.nodes.count(id)) return id;
    if (p.disabled.count(id)) {
      return InvalidArgument(where.file, ":", ref.line, ": ref('", ref.name, "') names ", id,
                             ", which is disabled (enabled: false)");
    }
  }
  return InvalidArgument(where.file, ":", ref.line, ": ref('", ref.name,
                         "') names no model, seed or snapshot of the project");
}

Result<std::string> ResolveSource(const Project& p, const SourceCall& s,
                                  const SourceLocation& where) {
  const std::string id = StrCat("source.", p.name, ".", s.source, ".", s.table);
  if (p.sources.count(id)) return id;
  if (p.disabled.count(id)) {
    return InvalidArgument(where.file, ":", s.line, ": source('", s.source, "', '", s.table,
                           "') is disabled");
  }
  return InvalidArgument(where.file, ":", s.line, ": source('", s.source, "', '", s.table,
                         "') is not defined in any sources: block of a properties file");
}

// Hands the nodes whose Jinja needs rendering to the engine's hook, before configs are
// resolved (its config() calls count as the file's).
Status RenderNodes(LoadState& state, const ProjectLoadOptions& options) {
  if (!options.render_dependencies) return Status::OK();
  Project& p = state.project;
  for (auto& [id, n] : p.nodes) {
    if (!n.parse.needs_rendering) continue;
    Result<StaticParse> rendered = options.render_dependencies(n, p);
    if (!rendered.ok()) {  // the engine's errors usually name the file already
      const Status& st = rendered.status();
      if (st.message().rfind(n.original_file_path + ":", 0) == 0) return st;
      return st.WithContext(n.original_file_path);
    }
    n.parse = std::move(*rendered);
  }
  return Status::OK();
}

Status ResolveDependencies(LoadState& state) {
  Project& p = state.project;
  for (auto& [id, n] : p.nodes) {
    if (!n.parse.deps_complete) {
      p.warnings.push_back(StrCat(n.original_file_path, ": dependencies of ", n.unique_id,
                                  " are not all known without rendering (", n.parse.reason, ")"));
    }
    std::set<std::string> deps;
    const SourceLocation where = n.location();
    for (const auto& ref : n.parse.refs) {
      ATOLL_ASSIGN_OR_RETURN(std::string dep, ResolveRef(p, ref, where));
      deps.insert(dep);
    }
    for (const auto& s : n.parse.sources) {
      ATOLL_ASSIGN_OR_RETURN(std::string dep, ResolveSource(p, s, where));
      deps.insert(dep);
    }
    n.depends_on.assign(deps.begin(), deps.end());
    std::set<std::string> macros;
    for (const auto& call : state.calls[id]) {
      const std::string mid = StrCat("macro.", p.name, ".", call);
      if (p.macros.count(mid)) macros.insert(mid);
    }
    if (n.test) {
      const std::string mid = StrCat("macro.", p.name, ".test_", n.test->name);
      macros.insert(p.macros.count(mid) ? mid : StrCat("macro.dbt.test_", n.test->name));
    }
    n.depends_on_macros.assign(macros.begin(), macros.end());
  }
  return Status::OK();
}

}  // namespace

Result<Project> LoadProject(ProjectFiles& files, const ProjectLoadOptions& options) {
  LoadState state{files, Project{}, {}, {}, {}, {}};
  state.project.root = files.description();
  ATOLL_RETURN_NOT_OK(LoadProjectFile(state));
  if (options.vars.is_object()) {
    for (const auto& [k, v] : options.vars.items()) state.project.vars[k] = v;
  }
  const ProjectPaths& paths = state.project.paths;
  ATOLL_RETURN_NOT_OK(LoadMacros(state));
  ATOLL_RETURN_NOT_OK(LoadSqlNodes(state, ResourceType::kModel, paths.models));
  ATOLL_RETURN_NOT_OK(LoadSeeds(state));
  ATOLL_RETURN_NOT_OK(LoadSnapshots(state));
  ATOLL_RETURN_NOT_OK(LoadSqlNodes(state, ResourceType::kTest, paths.tests));
  ATOLL_RETURN_NOT_OK(LoadSqlNodes(state, ResourceType::kAnalysis, paths.analyses));
  ATOLL_RETURN_NOT_OK(internal::LoadPropertyFiles(state));
  ATOLL_RETURN_NOT_OK(RenderNodes(state, options));
  ATOLL_RETURN_NOT_OK(ResolveConfigs(state));
  SetAsideDisabled(state.project);
  ATOLL_RETURN_NOT_OK(internal::BuildGenericTests(state));
  for (auto& [id, n] : state.project.nodes) NameRelation(state.project, n);
  ATOLL_RETURN_NOT_OK(ResolveDependencies(state));
  ATOLL_RETURN_NOT_OK(Graph::Build(state.project).status());
  return std::move(state.project);
}

Result<Json> ParseVars(const std::string& text) {
  ATOLL_ASSIGN_OR_RETURN(YAML::Node node, ParseYaml(text, "--vars"));
  if (!node.IsMap()) return InvalidArgument("--vars must be a mapping, got '", text, "'");
  return YamlToJson(node, "--vars");
}

Result<Project> LoadProject(const std::string& uri, const ProjectLoadOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ProjectFiles> files, OpenProjectFiles(uri));
  return LoadProject(*files, options);
}

}  // namespace atl::transform
