#include "atoll/transform/dbt_context.h"

#include <cstdlib>
#include <mutex>
#include <set>

#include "atoll/common/clock.h"
#include "atoll/jinja/environment.h"
#include "atoll/jinja/json.h"
#include "atoll/transform/artifacts.h"
#include "atoll/transform/dbt_builtins.h"
#include "atoll/transform/dbt_datetime.h"
#include "atoll/transform/static_parse.h"
#include "atoll/transform/yaml_util.h"

namespace atl::transform {

using jinja::CallArgs;
using jinja::Value;

struct DbtContext::State {
  const Project* project = nullptr;
  DbtContextOptions options;
  const Node* node = nullptr;
  RenderPhase phase = RenderPhase::kParse;
  RenderedNode out;
  std::set<std::string> ephemeral_seen;
};

namespace {

// A relation as dbt hands it to templates: prints as its quoted three-part name (an
// ephemeral model as its CTE's name).
class Relation : public jinja::Object {
 public:
  Relation(std::string database, std::string schema, std::string identifier, bool cte = false)
      : database_(std::move(database)),
        schema_(std::move(schema)),
        identifier_(std::move(identifier)),
        cte_(cte) {}
  std::string TypeName() const override { return "Relation"; }
  std::string Str() const override {
    return cte_ ? identifier_ : QuotedRelation(database_, schema_, identifier_);
  }
  Value GetAttr(const std::string& name) const override {
    if (name == "database") return Value::String(database_);
    if (name == "schema") return Value::String(schema_);
    if (name == "identifier" || name == "name" || name == "table") {
      return Value::String(identifier_);
    }
    if (name == "is_cte") return Value::Bool(cte_);
    if (name == "render") {
      std::string s = Str();
      return Value::Function("render",
                             [s](const CallArgs&) -> Result<Value> { return Value::String(s); });
    }
    return Value::Undefined(StrCat("'Relation' object has no attribute '", name, "'"));
  }

 private:
  std::string database_, schema_, identifier_;
  bool cte_;
};

Value RelationOf(const Node& n) {
  const std::string& last = n.type == ResourceType::kSource ? n.identifier : n.alias;
  return Value::FromObject(std::make_shared<Relation>(n.database, n.schema, last));
}

Result<Value> FromJson(const Json& j) { return jinja::ValueFromJson(j.dump()); }

Result<Json> ToJson(const Value& v) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, jinja::ValueToJson(v));
  return Json::parse(text);
}

// The string argument `i` (or keyword `key`) of a call, or an error naming `fn`.
Result<std::string> TextArg(const CallArgs& a, size_t i, const char* key, const char* fn) {
  const Value* v = i < a.positional.size() ? &a.positional[i] : a.Find(key);
  if (v == nullptr || !v->is_string()) {
    return InvalidArgument(fn, "() expects the string argument '", key, "'");
  }
  return v->as_string();
}

// `config`: config(key=value, …) records at parse; config.get/require read the node's
// resolved config at compile.
class ConfigCallable : public jinja::Callable {
 public:
  explicit ConfigCallable(DbtContext::State* state) : state_(state) {}
  const std::string& name() const override { return name_; }
  Result<Value> Call(const CallArgs& args, jinja::CallContext*) const override {
    if (state_->phase != RenderPhase::kParse) return Value::String("");
    for (const auto& v : args.positional) {  // config({'k': v}) also works in dbt
      if (!v.is_dict()) return InvalidArgument("config() takes keyword arguments");
      ATOLL_ASSIGN_OR_RETURN(Json j, ToJson(v));
      for (const auto& [k, val] : j.items()) state_->out.found.config[k] = val;
    }
    for (const auto& [k, v] : args.keyword) {
      ATOLL_ASSIGN_OR_RETURN(state_->out.found.config[k], ToJson(v).WithContext("config()"));
    }
    return Value::String("");
  }
  Value GetAttr(const std::string& attr) const override {
    if (attr != "get" && attr != "require") return Value();
    DbtContext::State* s = state_;
    const bool require = attr == "require";
    return Value::Function(attr, [s, require](const CallArgs& a) -> Result<Value> {
      ATOLL_ASSIGN_OR_RETURN(std::string key, TextArg(a, 0, "name", "config.get"));
      const Json& config = s->node->config;
      if (s->phase == RenderPhase::kCompile && config.contains(key)) return FromJson(config[key]);
      if (require && s->phase == RenderPhase::kCompile) {
        return InvalidArgument("config.require(): '", key, "' is not configured for ",
                               s->node->unique_id);
      }
      const Value* def = a.positional.size() > 1 ? &a.positional[1] : a.Find("default");
      return def ? *def : Value::None();
    });
  }

 private:
  DbtContext::State* state_;
  std::string name_ = "config";
};

// The node a ref names, or an error.
Result<const Node*> FindRefTarget(const Project& p, const std::string& package,
                                  const std::string& name) {
  if (!package.empty() && package != p.name) {
    return InvalidArgument("ref('", package, "', '", name, "') names package '", package,
                           "', which is not this project (packages are not supported yet)");
  }
  for (ResourceType t : {ResourceType::kModel, ResourceType::kSeed, ResourceType::kSnapshot}) {
    const std::string id = StrCat(ResourceTypeName(t), ".", p.name, ".", name);
    if (const Node* n = p.Find(id)) return n;
    if (p.disabled.count(id)) {
      return InvalidArgument("ref('", name, "') names ", id,
                             ", which is disabled (enabled: false)");
    }
  }
  return InvalidArgument("ref('", name, "') names no model, seed or snapshot of the project");
}

Result<Value> Ref(DbtContext::State& s, const CallArgs& a) {
  if (a.positional.empty() || a.positional.size() > 2) {
    return InvalidArgument("ref() takes a name, or a package and a name");
  }
  for (const auto& v : a.positional) {
    if (!v.is_string()) return InvalidArgument("ref() expects strings, got ", v.Repr());
  }
  const bool two = a.positional.size() == 2;
  RefCall call;
  call.package = two ? a.positional[0].as_string() : "";
  call.name = a.positional[two ? 1 : 0].as_string();
  call.line = s.node->line;
  const Value* v = a.Find("v") ? a.Find("v") : a.Find("version");
  if (v && !v->is_none()) call.version = v->Str();
  ATOLL_ASSIGN_OR_RETURN(const Node* target, FindRefTarget(*s.project, call.package, call.name));
  s.out.found.refs.push_back(call);
  if (s.phase == RenderPhase::kParse) {  // relations are named after configs are resolved
    return Value::FromObject(
        std::make_shared<Relation>(target->database.empty() ? "prd" : target->database,
                                   target->schema.empty() ? s.project->name : target->schema,
                                   target->alias.empty() ? target->name : target->alias));
  }
  if (target->type == ResourceType::kModel && target->materialized() == "ephemeral") {
    if (s.ephemeral_seen.insert(target->unique_id).second) {
      s.out.ephemerals.push_back(target->unique_id);
    }
    return Value::FromObject(
        std::make_shared<Relation>("", "", StrCat("__dbt__cte__", target->name), true));
  }
  return RelationOf(*target);
}

Result<Value> Source(DbtContext::State& s, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string source, TextArg(a, 0, "source_name", "source"));
  ATOLL_ASSIGN_OR_RETURN(std::string table, TextArg(a, 1, "table_name", "source"));
  const std::string id = StrCat("source.", s.project->name, ".", source, ".", table);
  const Node* n = s.project->Find(id);
  if (n == nullptr) {
    return InvalidArgument("source('", source, "', '", table,
                           "') is not defined in any sources: block of a properties file");
  }
  s.out.found.sources.push_back({source, table, s.node->line});
  return RelationOf(*n);
}

Result<Value> Var(DbtContext::State& s, const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string name, TextArg(a, 0, "name", "var"));
  const Json& vars = s.project->vars;
  if (vars.contains(name)) return FromJson(vars[name]);
  if (a.positional.size() > 1) return a.positional[1];
  if (const Value* d = a.Find("default")) return *d;
  return InvalidArgument("required var '", name,
                         "' not found (set it under vars: in dbt_project.yml or pass --vars)");
}

Result<Value> EnvVar(const CallArgs& a) {
  ATOLL_ASSIGN_OR_RETURN(std::string name, TextArg(a, 0, "var", "env_var"));
  if (const char* v = std::getenv(name.c_str())) return Value::String(v);
  if (a.positional.size() > 1) return Value::String(a.positional[1].Str());
  if (const Value* d = a.Find("default")) return Value::String(d->Str());
  return InvalidArgument("env var required but not provided: '", name, "'");
}

bool IsIncremental(const DbtContext::State& s) {
  if (s.phase != RenderPhase::kCompile || s.options.full_refresh) return false;
  if (s.node->type != ResourceType::kModel || s.node->materialized() != "incremental") return false;
  return s.options.relation_exists &&
         s.options.relation_exists(s.node->database, s.node->schema, s.node->alias);
}

Value Dict(std::vector<std::pair<std::string, Value>> entries) {
  Value d = Value::Dict();
  for (auto& [k, v] : entries) d.dict()->Set(Value::String(k), std::move(v));
  return d;
}

Value Fn(std::string name, jinja::NativeFunction fn) {
  return Value::Function(std::move(name), std::move(fn));
}

Value Logger(DbtContext::State* s, std::string name, std::string prefix) {
  return Fn(std::move(name), [s, prefix](const CallArgs& a) -> Result<Value> {
    if (s->options.log && !a.positional.empty()) s->options.log(prefix + a.positional[0].Str());
    return Value::String("");
  });
}

// The filters dbt adds: as_text, as_bool, as_number, as_native.
void AddFilters(jinja::Environment& env) {
  env.AddFilter("as_text", [](const Value& in, const CallArgs&) -> Result<Value> {
    return Value::String(in.Str());
  });
  env.AddFilter("as_bool", [](const Value& in, const CallArgs&) -> Result<Value> {
    if (in.is_string()) {
      const std::string& t = in.as_string();
      if (t == "True" || t == "true") return Value::Bool(true);
      if (t == "False" || t == "false") return Value::Bool(false);
    }
    return in;
  });
  auto native = [](const Value& in, const CallArgs&) -> Result<Value> {
    if (!in.is_string()) return in;
    const std::string& t = in.as_string();
    if (t == "True" || t == "False") return Value::Bool(t == "True");
    if (t == "None") return Value::None();
    auto parsed = jinja::ValueFromJson(t);
    return parsed.ok() ? *parsed : in;
  };
  env.AddFilter("as_native", native);
  env.AddFilter("as_number", [native](const Value& in, const CallArgs& a) -> Result<Value> {
    ATOLL_ASSIGN_OR_RETURN(Value v, native(in, a));
    return v.is_number() ? v : in;
  });
}

void AddGlobals(jinja::Environment& env, DbtContext::State* s) {
  const Project& p = *s->project;
  auto with_state = [s](Result<Value> (*fn)(DbtContext::State&, const CallArgs&)) {
    return [s, fn](const CallArgs& a) { return fn(*s, a); };
  };
  env.SetGlobal("ref", Fn("ref", with_state(Ref)));
  env.SetGlobal("source", Fn("source", with_state(Source)));
  env.SetGlobal("var", Fn("var", with_state(Var)));
  env.SetGlobal("env_var", Fn("env_var", EnvVar));
  env.SetGlobal("config", Value::FromCallable(std::make_shared<ConfigCallable>(s)));
  env.SetGlobal("is_incremental", Fn("is_incremental", [s](const CallArgs&) -> Result<Value> {
                  return Value::Bool(IsIncremental(*s));
                }));
  env.SetGlobal("should_full_refresh", Fn("should_full_refresh", [s](const CallArgs&) {
                  return Result<Value>(Value::Bool(s->options.full_refresh));
                }));
  env.SetGlobal("log", Logger(s, "log", ""));
  env.SetGlobal("print", Logger(s, "print", ""));
  env.SetGlobal("target", Dict({{"name", Value::String(s->options.target_name)},
                                {"target_name", Value::String(s->options.target_name)},
                                {"schema", Value::String(p.name)},
                                {"database", Value::String("prd")},
                                {"type", Value::String("atoll")},
                                {"profile_name", Value::String(p.profile)},
                                {"threads", Value::Int(s->options.threads)}}));
  env.SetGlobal("project_name", Value::String(p.name));
  const int64_t started =
      s->options.run_started_at_ms ? s->options.run_started_at_ms : SystemNowMs();
  env.SetGlobal("run_started_at", DatetimeValue(started));
  env.SetGlobal("modules", Dict({{"datetime", DatetimeModule(s->options.run_started_at_ms)}}));
  env.SetGlobal("flags", Dict({{"FULL_REFRESH", Value::Bool(s->options.full_refresh)}}));
  env.SetGlobal(
      "exceptions",
      Dict({{"raise_compiler_error", Fn("raise_compiler_error",
                                        [](const CallArgs& a) -> Result<Value> {
                                          return InvalidArgument(
                                              "compilation error: ",
                                              a.positional.empty() ? "" : a.positional[0].Str());
                                        })},
            {"warn", Logger(s, "warn", "warning: ")}}));
  const jinja::Environment* e = &env;
  env.SetGlobal(
      "adapter",
      Dict({{"dispatch", Fn("dispatch",
                            [e](const CallArgs& a) -> Result<Value> {
                              ATOLL_ASSIGN_OR_RETURN(std::string name,
                                                     TextArg(a, 0, "macro_name", "dispatch"));
                              for (const char* prefix : {"atoll__", "default__"}) {
                                if (const Value* m = e->FindGlobal(prefix + name)) return *m;
                              }
                              return InvalidArgument("adapter.dispatch('", name,
                                                     "'): no macro atoll__", name, " or default__",
                                                     name, " in the project");
                            })},
            {"get_relation",
             Fn("get_relation",
                [s](const CallArgs& a) -> Result<Value> {
                  ATOLL_ASSIGN_OR_RETURN(std::string db, TextArg(a, 0, "database", "get_relation"));
                  ATOLL_ASSIGN_OR_RETURN(std::string schema,
                                         TextArg(a, 1, "schema", "get_relation"));
                  ATOLL_ASSIGN_OR_RETURN(std::string id,
                                         TextArg(a, 2, "identifier", "get_relation"));
                  if (s->phase != RenderPhase::kCompile || !s->options.relation_exists ||
                      !s->options.relation_exists(db, schema, id)) {
                    return Value::None();
                  }
                  return Value::FromObject(std::make_shared<Relation>(db, schema, id));
                })},
            {"quote", Fn("quote", [](const CallArgs& a) -> Result<Value> {
               ATOLL_ASSIGN_OR_RETURN(std::string id, TextArg(a, 0, "identifier", "quote"));
               return Value::String(DoubleQuoted(id));
             })}}));
  env.SetGlobal("run_query", Fn("run_query", [s](const CallArgs& a) -> Result<Value> {
                  ATOLL_ASSIGN_OR_RETURN(std::string sql, TextArg(a, 0, "sql", "run_query"));
                  if (s->phase == RenderPhase::kParse) return Value::None();
                  if (!s->options.run_query) {
                    return NotSupported(
                        "run_query() needs the lake: compiling without running SQL cannot "
                        "answer it (guard it with {% if execute %} or use atoll transform run)");
                  }
                  return s->options.run_query(sql);
                }));
  env.SetGlobal("fromjson", Fn("fromjson", [](const CallArgs& a) -> Result<Value> {
                  ATOLL_ASSIGN_OR_RETURN(std::string text, TextArg(a, 0, "string", "fromjson"));
                  auto v = jinja::ValueFromJson(text);
                  if (v.ok()) return v;
                  if (a.positional.size() > 1) return a.positional[1];
                  return v.status();
                }));
  env.SetGlobal("tojson", Fn("tojson", [](const CallArgs& a) -> Result<Value> {
                  if (a.positional.empty()) return InvalidArgument("tojson() takes a value");
                  ATOLL_ASSIGN_OR_RETURN(std::string text, jinja::ValueToJson(a.positional[0]));
                  return Value::String(std::move(text));
                }));
  env.SetGlobal("fromyaml", Fn("fromyaml", [](const CallArgs& a) -> Result<Value> {
                  ATOLL_ASSIGN_OR_RETURN(std::string text, TextArg(a, 0, "string", "fromyaml"));
                  ATOLL_ASSIGN_OR_RETURN(YAML::Node node, ParseYaml(text, "fromyaml()"));
                  ATOLL_ASSIGN_OR_RETURN(Json j, YamlToJson(node, "fromyaml()"));
                  return FromJson(j);
                }));
  // dbt's generic tests read their model through get_where_subquery(): the `where`
  // config becomes a subquery.
  env.SetGlobal(
      "get_where_subquery", Fn("get_where_subquery", [s](const CallArgs& a) {
        Result<Value> rel = a.positional.empty() ? Value::None() : a.positional[0];
        auto where = s->node->config.find("where");
        if (s->phase != RenderPhase::kCompile || where == s->node->config.end() ||
            !where->is_string()) {
          return rel;
        }
        return Result<Value>(Value::String(StrCat("(select * from ", rel->Str(), " where ",
                                                  where->get<std::string>(), ") dbt_subquery")));
      }));
}

Value ModelValue(const Node& n) {
  Value config = FromJson(n.config).value_or(Value::Dict());
  return Dict({{"name", Value::String(n.name)},
               {"unique_id", Value::String(n.unique_id)},
               {"resource_type", Value::String(ResourceTypeName(n.type))},
               {"package_name", Value::String(n.package)},
               {"original_file_path", Value::String(n.original_file_path)},
               {"path", Value::String(n.path)},
               {"alias", Value::String(n.alias)},
               {"schema", Value::String(n.schema)},
               {"database", Value::String(n.database)},
               {"config", config}});
}

// The text of a node's file before its raw_code, as newlines: errors then name the
// line in the file.
std::string LinePadding(const Node& n) { return std::string(n.line > 1 ? n.line - 1 : 0, '\n'); }

std::string StripPadding(std::string out, size_t padding) {
  size_t k = 0;
  while (k < padding && k < out.size() && out[k] == '\n') ++k;
  return out.erase(0, k);
}

}  // namespace

DbtContext::~DbtContext() = default;

void DbtContext::Rebind(const Project& project) { state_->project = &project; }

Result<std::unique_ptr<DbtContext>> DbtContext::Create(const Project& project,
                                                       DbtContextOptions options) {
  std::unique_ptr<DbtContext> c(new DbtContext());
  c->env_ = std::make_unique<jinja::Environment>();
  c->state_ = std::make_unique<State>();
  c->state_->project = &project;
  c->state_->options = std::move(options);
  c->env_->EnableReturn();
  c->env_->EnableDbtBlocks();
  AddFilters(*c->env_);
  AddGlobals(*c->env_, c->state_.get());
  ATOLL_RETURN_NOT_OK(c->env_->LoadMacros(BuiltinTestMacros(), "<atoll built-in tests>"));
  for (const auto& [id, m] : project.macros) {
    std::string text = std::string(m.line > 1 ? m.line - 1 : 0, '\n') + m.macro_sql;
    ATOLL_RETURN_NOT_OK(c->env_->LoadMacros(text, m.original_file_path));
  }
  return c;
}

Result<std::string> DbtContext::RenderText(const Node& node, RenderPhase phase,
                                           const std::string& text, const std::string& file) {
  state_->node = &node;
  state_->phase = phase;
  const std::string padding = LinePadding(node);
  ATOLL_ASSIGN_OR_RETURN(std::string out, env_->Render(padding + text, file, Value::Dict()));
  return StripPadding(std::move(out), padding.size());
}

Result<RenderedNode> DbtContext::Render(const Node& node, RenderPhase phase) {
  state_->out = RenderedNode{};
  state_->ephemeral_seen.clear();
  state_->node = &node;
  state_->phase = phase;
  env_->SetGlobal("execute", Value::Bool(phase == RenderPhase::kCompile));
  env_->SetGlobal("model", ModelValue(node));
  Value self;
  if (phase == RenderPhase::kParse && node.database.empty()) {  // not named yet
    self = Value::FromObject(std::make_shared<Relation>("prd", state_->project->name, node.name));
  } else if (node.type == ResourceType::kModel && node.materialized() == "ephemeral") {
    self = Value::FromObject(
        std::make_shared<Relation>("", "", StrCat("__dbt__cte__", node.name), true));
  } else {
    self = RelationOf(node);
  }
  env_->SetGlobal("this", self);
  Value context = Value::Dict();
  if (node.test) {  // a generic test: its macro's arguments
    Value kwargs = Value::Dict();
    for (const auto& [k, v] : node.test->kwargs.items()) {
      Value value;
      StaticParse call;
      if (v.is_string() && v.get<std::string>().find("{{") != std::string::npos) {
        ATOLL_ASSIGN_OR_RETURN(std::string text, RenderText(node, phase, v.get<std::string>(),
                                                            node.original_file_path));
        value = Value::String(std::move(text));
      } else if (v.is_string() && ParseRefOrSourceExpression(v.get<std::string>(), call)) {
        ATOLL_ASSIGN_OR_RETURN(std::string text,
                               RenderText(node, phase, StrCat("{{ ", v.get<std::string>(), " }}"),
                                          node.original_file_path));
        value = Value::String(std::move(text));
      } else {
        ATOLL_ASSIGN_OR_RETURN(value, FromJson(v));
      }
      kwargs.dict()->Set(Value::String(k), std::move(value));
    }
    context.dict()->Set(Value::String("_dbt_generic_test_kwargs"), kwargs);
  }
  const std::string padding = LinePadding(node);
  ATOLL_ASSIGN_OR_RETURN(std::string sql,
                         env_->Render(padding + node.raw_code, node.original_file_path, context));
  state_->out.sql = StripPadding(std::move(sql), padding.size());
  state_->out.found.deps_complete = true;
  state_->out.found.needs_rendering = true;
  RenderedNode out = std::move(state_->out);
  state_->out = RenderedNode{};
  return out;
}

std::function<Result<StaticParse>(const Node&, const Project&)> RenderDependenciesHook(
    DbtContextOptions options) {
  // One context per project being loaded, made again when the macros (or the project's
  // name) differ from the last call's: parsing every macro for every node costs.
  struct Holder {
    std::mutex mu;
    size_t key = 0;
    std::unique_ptr<DbtContext> context;
  };
  auto holder = std::make_shared<Holder>();
  return [holder, options](const Node& node, const Project& project) -> Result<StaticParse> {
    std::string fingerprint = StrCat(project.name, "\n", project.profile, "\n");
    for (const auto& [id, m] : project.macros) {
      fingerprint += StrCat(id, "\n", m.line, "\n", m.original_file_path, "\n", m.macro_sql, "\n");
    }
    const size_t key = std::hash<std::string>()(fingerprint);
    std::lock_guard<std::mutex> lock(holder->mu);
    if (!holder->context || holder->key != key) {
      holder->context.reset();
      ATOLL_ASSIGN_OR_RETURN(holder->context, DbtContext::Create(project, options));
      holder->key = key;
    }
    holder->context->Rebind(project);
    ATOLL_ASSIGN_OR_RETURN(RenderedNode r, holder->context->Render(node, RenderPhase::kParse));
    return std::move(r.found);
  };
}

}  // namespace atl::transform
