// libFuzzer target: arbitrary bytes as a Jinja template, rendered with a context, a
// template loader (that can include the template itself) and tight limits. The engine
// must render or return an error, never crash, hang, leak or allocate without bound.
// Built and run by scripts/fuzz.sh (clang, -fsanitize=fuzzer,address,undefined).
#include <cstddef>
#include <cstdint>
#include <string>

#include "atoll/jinja/environment.h"
#include "atoll/jinja/json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace atl::jinja;
  const std::string source(reinterpret_cast<const char*>(data), size);
  Environment env;
  RenderLimits limits;
  limits.max_steps = 200000;
  limits.max_output_bytes = 1 << 20;
  limits.max_alloc_bytes = 32 << 20;
  limits.max_call_depth = 40;
  env.SetLimits(limits);
  env.EnableReturn();
  env.SetLoader([&](const std::string& name) -> atl::Result<std::string> {
    if (name == "self") return source;
    if (name == "lib")
      return std::string("{% macro m(a, b=2) %}{{ a ~ b }}{{ caller() if caller }}{% endmacro %}");
    return atl::NotFound("no template ", name);
  });
  env.SetGlobal("ref", Value::Function("ref", [](const CallArgs& a) -> atl::Result<Value> {
                  if (a.positional.empty()) return atl::InvalidArgument("ref() needs a name");
                  return Value::String("prd." + a.positional[0].Str());
                }));
  static const Value* context = new Value(
      *ValueFromJson(R"({"cols": ["id", "name"], "n": 3, "d": {"a": [1, 2.5, null], "b": "x"},
                        "s": "héllo", "t": true})"));
  (void)env.Render(source, "fuzz.sql", *context);
  return 0;
}
