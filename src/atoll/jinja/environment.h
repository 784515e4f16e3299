// Environment: the Jinja engine's entry point, a small jinja2.Environment with the
// settings dbt uses (no autoescape, trim_blocks/lstrip_blocks/keep_trailing_newline
// false, the `do` and loop-control extensions).
//
//   jinja::Environment env;
//   env.SetGlobal("ref", Value::Function("ref", [](const CallArgs& a) -> Result<Value> {...}));
//   env.SetLoader([](const std::string& name) -> Result<std::string> {...});
//   ATOLL_RETURN_NOT_OK(env.LoadMacros(macro_file_text, "macros/cents.sql"));
//   ATOLL_ASSIGN_OR_RETURN(Value ctx, jinja::ValueFromJson(R"({"x": 1})"));
//   ATOLL_ASSIGN_OR_RETURN(std::string sql, env.Render(model_text, "models/a.sql", ctx));
//
// Errors carry "file:line: " in front of the message: syntax errors, unknown filters,
// undefined values and exceeded limits (the message names the limit) as InvalidArgument;
// a native function's error keeps its code. Errors inside macros name the macro's file
// and line.
//
// Every render is bounded (RenderLimits): hostile templates stop with an error instead
// of exhausting the stack, the memory or the time.
//
// Thread safety: configure (SetGlobal, AddFilter, LoadMacros, ...) before rendering;
// after that Render and Call may run concurrently on one Environment, provided the
// globals' lists and dicts are not mutated by templates (a global mutated by
// `.append()` is shared by every render).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/jinja/value.h"

namespace atl::jinja {

struct Template;
class Frame;

// Returns the source of the template `name` used by include / import / from-import;
// NotFound when there is none (`{% include ... ignore missing %}` then renders nothing).
using TemplateLoader = std::function<Result<std::string>(const std::string& name)>;

// A filter: `input | name(args)`; `input` is not part of `args`.
using FilterFunction = std::function<Result<Value>(const Value& input, const CallArgs& args)>;
// A test: `input is name(args)`.
using TestFunction = std::function<Result<bool>(const Value& input, const CallArgs& args)>;

struct RenderLimits {
  int64_t max_output_bytes = 64 << 20;  // any one string built, and all output of a render
  int64_t max_steps = 20'000'000;       // statements + expressions + loop iterations
  int max_call_depth = 100;             // nested macro calls, includes and imports
  int max_nesting = 100;                // syntax nesting (parentheses, blocks)
  // Bytes of strings and list items built or copied during a render, summed (a list
  // item counts sizeof(Value)): bounds the memory a template can make the engine use.
  int64_t max_alloc_bytes = int64_t{512} << 20;
};

class Environment {
 public:
  Environment();
  ~Environment();
  Environment(const Environment&) = delete;
  Environment& operator=(const Environment&) = delete;

  void SetGlobal(std::string name, Value value);
  // The global `name` (a value, native function or loaded macro), or null.
  const Value* FindGlobal(std::string_view name) const;
  // Adds or replaces a filter / test; built-in ones may be overridden.
  void AddFilter(std::string name, FilterFunction filter);
  void AddTest(std::string name, TestFunction test);
  void SetLoader(TemplateLoader loader);
  void SetLimits(const RenderLimits& limits) { limits_ = limits; }
  const RenderLimits& limits() const { return limits_; }
  // dbt's `{{ return(value) }}`: makes `return` a global that ends the running macro,
  // whose call then evaluates to `value` instead of the macro's text. Off by default
  // (jinja2 has no such function).
  void EnableReturn(bool on = true) { return_enabled_ = on; }
  bool return_enabled() const { return return_enabled_; }
  // dbt's block tags: `{% test not_null(model, column_name) %}…{% endtest %}` defines the
  // macro `test_not_null`, `{% docs orders %}…{% enddocs %}` the macro `docs_orders`
  // (dbt does the same). Off by default. `{% snapshot %}` and `{% materialization %}`
  // stay unsupported: the transform layer extracts snapshot blocks itself.
  void EnableDbtBlocks(bool on = true) { dbt_blocks_ = on; }

  // Renders `source` (named `file_name` in errors) with the variables of the dict
  // `context` (none or undefined: no variables).
  Result<std::string> Render(std::string_view source, std::string_view file_name,
                             const Value& context) const;

  // Runs a file of macro definitions (its text output is dropped) and makes each of
  // its top-level macros a global. Macros of one file see each other and the globals.
  Status LoadMacros(std::string_view source, std::string_view file_name);

  // Calls a macro or native function (e.g. a global) from C++, under the limits.
  Result<Value> Call(const Value& callable, const CallArgs& args) const;

  // Internal (used by the evaluator).
  const FilterFunction* FindFilter(const std::string& name) const;
  const TestFunction* FindTest(const std::string& name) const;
  bool HasFilter(const std::string& name) const;
  bool HasTest(const std::string& name) const;
  // Parses (and caches) the template `name` from the loader.
  Result<std::shared_ptr<const Template>> LoadTemplate(const std::string& name) const;
  Result<std::shared_ptr<const Template>> ParseSource(std::string_view source,
                                                      std::string_view file_name) const;

 private:
  std::map<std::string, Value, std::less<>> globals_;
  std::map<std::string, FilterFunction> filters_;
  std::map<std::string, TestFunction> tests_;
  TemplateLoader loader_;
  RenderLimits limits_;
  bool return_enabled_ = false;
  bool dbt_blocks_ = false;
  // Module frames of LoadMacros: kept alive for their macros, cleared on destruction
  // (a macro and the frame holding it refer to each other).
  std::vector<std::shared_ptr<Frame>> macro_frames_;
  mutable std::mutex cache_mu_;
  mutable std::map<std::string, std::shared_ptr<const Template>> cache_;
};

}  // namespace atl::jinja
