// atoll transform: dbt projects on the lake (docs/transform.md). `ls` lists the selected
// nodes, `parse` writes target/manifest.json, `compile` renders the selected nodes' SQL
// into target/compiled/; the subcommands that run SQL (run, build, test, seed, snapshot,
// docs) are not implemented yet and say so (exit 2).
#include <nlohmann/json.hpp>
#include <set>

#include "atoll/cli/command.h"
#include "atoll/common/local_fs.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/storage/open_store.h"
#include "atoll/transform/artifacts.h"
#include "atoll/transform/compiler.h"
#include "atoll/transform/graph.h"
#include "atoll/transform/loader.h"
#include "atoll/transform/selector.h"

namespace atl::cli {

namespace {

namespace tf = atl::transform;

constexpr const char* kNotYet[] = {"run", "build", "test", "seed", "snapshot", "docs"};

// Where the project is: --project, else the current folder when it holds dbt_project.yml,
// else <lake>/<assets zone>/transform/.
Result<std::string> ProjectUri(const ParsedArgs& args) {
  if (auto p = args.Value("project")) return *p;
  if (LocalFileSize("dbt_project.yml").ok()) return std::string(".");
  if (args.positional().size() < 2) {
    return InvalidArgument(
        "no dbt_project.yml in the current folder: name the lake (its assets zone holds the "
        "project under transform/) or give --project PATH");
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[1]));
  std::string root = lake->root_uri();
  while (!root.empty() && root.back() == '/') root.pop_back();
  return StrCat(root, "/", lake->settings().zones.assets, "/transform/");
}

struct Loaded {
  std::unique_ptr<tf::ProjectFiles> files;
  tf::Project project;
  tf::Graph graph;
};

// What the dbt context sees: log()/print() go to stderr.
tf::DbtContextOptions ContextOptions(const ParsedArgs& args, Io& io) {
  tf::DbtContextOptions o;
  o.full_refresh = args.Has("full-refresh");
  o.threads = static_cast<int>(args.Int("threads", 1));
  std::ostream* err = &io.err;
  o.log = [err](const std::string& message) { *err << message << "\n"; };
  return o;
}

Result<Loaded> Load(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::string uri, ProjectUri(args));
  Loaded l;
  ATOLL_ASSIGN_OR_RETURN(l.files, tf::OpenProjectFiles(uri));
  tf::ProjectLoadOptions options;
  options.render_dependencies = tf::RenderDependenciesHook(ContextOptions(args, io));
  if (auto vars = args.Value("vars")) {
    ATOLL_ASSIGN_OR_RETURN(options.vars, tf::ParseVars(*vars));
  }
  ATOLL_ASSIGN_OR_RETURN(l.project, tf::LoadProject(*l.files, options));
  for (const auto& w : l.project.warnings) io.err << "atoll: warning: " << w << "\n";
  ATOLL_ASSIGN_OR_RETURN(l.graph, tf::Graph::Build(l.project));
  return l;
}

std::vector<std::string> Words(const std::optional<std::string>& value) {
  std::vector<std::string> out;
  if (value && !value->empty()) out.push_back(*value);
  return out;
}

std::string Selector(const tf::Node& n) {
  std::string s = n.type == tf::ResourceType::kSource ? "source:" : "";
  for (size_t i = 0; i < n.fqn.size(); ++i) s += (i ? "." : "") + n.fqn[i];
  return s;
}

Status RunLsCommand(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Loaded l, Load(args, io));
  tf::SelectionOptions sel;
  sel.select = Words(args.Value("select"));
  sel.exclude = Words(args.Value("exclude"));
  const std::string indirect = args.Value("indirect-selection").value_or("eager");
  sel.indirect = indirect == "cautious"    ? tf::IndirectSelection::kCautious
                 : indirect == "buildable" ? tf::IndirectSelection::kBuildable
                 : indirect == "empty"     ? tf::IndirectSelection::kEmpty
                                           : tf::IndirectSelection::kEager;
  if (auto rt = args.Value("resource-type")) {
    size_t start = 0;
    while (start <= rt->size()) {
      const size_t comma = rt->find_first_of(", ", start);
      std::string part =
          rt->substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      if (!part.empty()) sel.resource_types.push_back(part);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> ids, tf::SelectNodes(l.project, l.graph, sel));
  const std::string output = args.Value("output").value_or("selector");
  for (const auto& id : ids) {
    const tf::Node& n = *l.project.Find(id);
    if (output == "name") {
      io.out << (n.type == tf::ResourceType::kSource ? n.source_name + "." + n.name : n.name)
             << "\n";
    } else if (output == "path") {
      io.out << n.original_file_path << "\n";
    } else if (output == "json") {
      nlohmann::json j = {{"name", n.name},
                          {"resource_type", tf::ResourceTypeName(n.type)},
                          {"package_name", n.package},
                          {"original_file_path", n.original_file_path},
                          {"unique_id", n.unique_id},
                          {"alias", n.alias},
                          {"config", n.config},
                          {"tags", n.tags()},
                          {"depends_on", {{"nodes", n.depends_on}}}};
      if (n.type == tf::ResourceType::kSource) j["source_name"] = n.source_name;
      io.out << j.dump() << "\n";
    } else {
      io.out << Selector(n) << "\n";
    }
  }
  if (ids.empty()) io.err << "atoll: warning: the selection matches no nodes\n";
  return Status::OK();
}

Status RunParse(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Loaded l, Load(args, io));
  const std::string manifest = tf::ManifestJson(l.project, l.graph).dump(1) + "\n";
  std::string where;
  if (auto target = args.Value("target-path")) {
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store, storage::OpenStore(*target));
    where = *target + "/manifest.json";
    ATOLL_RETURN_NOT_OK(storage::PutString(*store, "manifest.json", manifest)
                            .status()
                            .WithContext(StrCat("writing ", where)));
  } else {
    ATOLL_RETURN_NOT_OK(l.files->Write("target/manifest.json", manifest));
    where = l.files->Describe("target/manifest.json");
  }
  io.out << "wrote " << where << ": " << l.project.nodes.size() << " nodes, "
         << l.project.sources.size() << " sources, " << l.project.macros.size() << " macros\n";
  return Status::OK();
}

// Renders the selected models, snapshots, tests and analyses into
// target/compiled/<project>/… (or --target-path DIR/compiled/…); one node selected: prints
// its SQL, else the files written.
Status RunCompile(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(Loaded l, Load(args, io));
  tf::SelectionOptions sel;
  sel.select = Words(args.Value("select"));
  sel.exclude = Words(args.Value("exclude"));
  sel.default_select = {"fqn:*"};
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> ids, tf::SelectNodes(l.project, l.graph, sel));
  tf::DbtContextOptions context = ContextOptions(args, io);
  if (args.positional().size() >= 2) {  // is_incremental(): which relations exist in the lake
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake,
                           lake::Lake::Open(args.positional()[1]));
    ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
    ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
    auto names = std::make_shared<std::set<std::string>>();
    for (const auto& id : ids) names->insert(id.ToString());
    context.relation_exists = [names](const std::string& database, const std::string& schema,
                                      const std::string& identifier) {
      return names->count(StrCat(database, ".", schema, ".", identifier)) > 0;
    };
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<tf::Compiler> compiler,
                         tf::Compiler::Create(l.project, context));
  std::unique_ptr<storage::Store> target;
  if (auto dir = args.Value("target-path")) {
    ATOLL_ASSIGN_OR_RETURN(target, storage::OpenStore(*dir));
  }
  std::vector<tf::CompiledNode> compiled;
  for (const auto& id : ids) {
    const tf::Node& n = *l.project.Find(id);
    if (n.type == tf::ResourceType::kSeed || n.type == tf::ResourceType::kSource) continue;
    ATOLL_ASSIGN_OR_RETURN(tf::CompiledNode c, compiler->Compile(id));
    if (target) {
      const std::string key = c.path.substr(std::string("target/").size());
      ATOLL_RETURN_NOT_OK(
          storage::PutString(*target, key, c.sql)
              .status()
              .WithContext(StrCat("writing ", *args.Value("target-path"), "/", key)));
    } else {
      ATOLL_RETURN_NOT_OK(l.files->Write(c.path, c.sql));
    }
    compiled.push_back(std::move(c));
  }
  if (compiled.size() == 1) {
    io.out << compiled[0].sql << "\n";
    return Status::OK();
  }
  for (const auto& c : compiled) io.out << c.path << "\n";
  if (compiled.empty()) io.err << "atoll: warning: the selection matches no nodes to compile\n";
  return Status::OK();
}

Status RunTransform(const ParsedArgs& args, Io& io) {
  const std::string& sub = args.positional()[0];
  if (sub == "ls" || sub == "list") return RunLsCommand(args, io);
  if (sub == "parse") return RunParse(args, io);
  if (sub == "compile") return RunCompile(args, io);
  return InvalidArgument("unknown transform subcommand '", sub, "'");
}

Status CheckTransformArgs(const ParsedArgs& args) {
  const std::string& sub = args.positional()[0];
  for (const char* s : kNotYet) {
    if (sub == s) {
      return NotSupported("'atoll transform ", sub,
                          "' is not yet implemented: only ls, parse and compile work so far "
                          "(docs/transform.md)");
    }
  }
  if (sub != "ls" && sub != "list" && sub != "parse" && sub != "compile") {
    return InvalidArgument("unknown transform subcommand '", sub,
                           "' (expected ls, parse, run, build, test, seed, snapshot, compile or "
                           "docs)");
  }
  return Status::OK();
}

}  // namespace

CommandSpec TransformCommand() {
  return {
      .name = "transform",
      .summary = "dbt projects on the lake: list nodes, write the manifest, compile SQL",
      .arguments = "SUBCOMMAND [LAKE]",
      .description =
          "Subcommands:\n"
          "  ls LAKE       list the selected nodes (--select, --exclude, --resource-type,\n"
          "                --output selector|name|path|json)\n"
          "  parse LAKE    load the project and write target/manifest.json (dbt's v12 schema)\n"
          "                into the project, or into --target-path DIR\n"
          "  compile LAKE  render the selected models, snapshots, tests and analyses into\n"
          "                target/compiled/<project>/ (or --target-path DIR); one node: print it\n"
          "  run, build, test, seed, snapshot, docs: not yet implemented (exit 2)\n"
          "The project is --project PATH (a local folder or a store URI), else the current\n"
          "folder when it holds dbt_project.yml, else <LAKE>/assets/transform/.\n"
          "Jinja is rendered with atoll's own engine and dbt's context (ref, source, var,\n"
          "env_var, config, this, target, is_incremental, adapter.dispatch, macros).\n",
      .options = {{"project", 0, OptionKind::kString, "PATH", "The dbt project folder or URI"},
                  {"select", 's', OptionKind::kString, "SPEC",
                   "Nodes to select (dbt syntax; several specs separated by spaces)"},
                  {"exclude", 0, OptionKind::kString, "SPEC", "Nodes to leave out"},
                  {"resource-type", 0, OptionKind::kString, "TYPE",
                   "ls: only these types (model, seed, snapshot, test, source, analysis)"},
                  {"indirect-selection",
                   0,
                   OptionKind::kString,
                   "MODE",
                   "ls: tests of selected nodes: eager (any tested node selected), cautious "
                   "(all), buildable, empty",
                   INT64_MIN,
                   INT64_MAX,
                   {"eager", "cautious", "buildable", "empty"}},
                  {"output",
                   'o',
                   OptionKind::kString,
                   "FORMAT",
                   "ls: selector, name, path or json",
                   INT64_MIN,
                   INT64_MAX,
                   {"selector", "name", "path", "json"}},
                  {"target-path", 0, OptionKind::kString, "DIR",
                   "parse, compile: write manifest.json / compiled/ into this folder"},
                  {"vars", 0, OptionKind::kString, "JSON", "Variables over the project's vars"},
                  {"threads", 0, OptionKind::kInt, "N", "Parallel nodes (run commands)", 1, 256},
                  {"full-refresh", 0, OptionKind::kFlag, "", "Rebuild incremental models"},
                  {"fail-fast", 0, OptionKind::kFlag, "", "Stop at the first failure"}},
      .min_positional = 1,
      .max_positional = 2,
      .run = RunTransform,
      .check_args = CheckTransformArgs,
  };
}

}  // namespace atl::cli
