// The dbt context of the Jinja engine (docs/transform.md, "Compile"): what a model,
// snapshot, test or analysis sees when it is rendered — ref(), source(), var(),
// env_var(), config(), this, target, is_incremental(), execute, log(), print(), return(),
// exceptions.raise_compiler_error/warn, adapter.dispatch/quote/get_relation, run_query(),
// flags, model, modules.datetime, run_started_at, the filters as_text/as_bool/as_number/as_native
// and fromjson/tojson — plus the project's macros (macros/*.sql, {% test %} blocks) and the
// built-in generic tests (unique, not_null, accepted_values, relationships) written as our own
// macros.
//
// Two phases, as dbt: at parse (RenderPhase::kParse, `execute` false) ref/source/config
// are recorded (the loader's render_dependencies hook), config.get() returns defaults
// and run_query() returns none; at compile (`execute` true) ref/source return the lake
// relations ("prd"."jaffle"."orders"; an ephemeral model prints as
// __dbt__cte__<name> and is reported for inlining) and config() is ignored.
//
// Errors read "<file>:<line>: <message>" (the node's file, or the macro's).
//
// Thread safety: one DbtContext renders one node at a time (the node's values are
// globals of its engine, as dbt's macros see them); make one per thread.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "atoll/jinja/value.h"
#include "atoll/transform/loader.h"
#include "atoll/transform/project.h"

namespace atl::jinja {
class Environment;
}

namespace atl::transform {

enum class RenderPhase { kParse, kCompile };

struct DbtContextOptions {
  std::string target_name = "dev";  // target.name
  int threads = 1;                  // target.threads
  bool full_refresh = false;        // --full-refresh: is_incremental() is false
  // True when the relation "database"."schema"."identifier" exists in the lake
  // (is_incremental() and adapter.get_relation() ask); unset: nothing exists.
  std::function<bool(const std::string& database, const std::string& schema,
                     const std::string& identifier)>
      relation_exists;
  // run_started_at (ms since the epoch, UTC); 0: when the context is created.
  int64_t run_started_at_ms = 0;
  // run_query(sql) at compile time; unset: run_query is an error naming the need of a lake.
  std::function<Result<jinja::Value>(const std::string& sql)> run_query;
  // Where log(), print() and exceptions.warn() write; unset: dropped.
  std::function<void(const std::string& message)> log;
};

// What rendering one node gave.
struct RenderedNode {
  std::string sql;
  StaticParse found;  // ref/source calls and merged config() arguments, in call order
  // Ephemeral models the SQL references (unique ids, in first-reference order).
  std::vector<std::string> ephemerals;
};

class DbtContext {
 public:
  // Loads the built-in generic tests and then the project's macros (a project macro of
  // the same name wins). `project` must outlive the context.
  static Result<std::unique_ptr<DbtContext>> Create(const Project& project,
                                                    DbtContextOptions options = {});
  ~DbtContext();

  // Renders `node`'s raw_code (a generic test: its test macro with its arguments).
  Result<RenderedNode> Render(const Node& node, RenderPhase phase);

  // Points the context at `project`, a copy of the one it was made for with the same
  // name and macros (the loader's hook: the project is still being built).
  void Rebind(const Project& project);

  // Renders `text` as if it were part of `node` (named `file` in errors).
  Result<std::string> RenderText(const Node& node, RenderPhase phase, const std::string& text,
                                 const std::string& file);

  struct State;  // the node being rendered (internal)

 private:
  DbtContext() = default;
  std::unique_ptr<jinja::Environment> env_;
  std::unique_ptr<State> state_;
};

// The loader's render_dependencies hook: renders a node at parse time and returns what it
// referenced (an unknown ref fails with the node's file and line). The hook keeps one
// context while the project's name and macros stay the same; calls are serialised.
std::function<Result<StaticParse>(const Node&, const Project&)> RenderDependenciesHook(
    DbtContextOptions options = {});

}  // namespace atl::transform
