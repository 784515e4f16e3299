// Unit tests of the Jinja engine: rendering, the public API (globals, native functions,
// filters, tests, loader, macros, return()), error messages with file and line, and the
// limits that stop hostile templates.
#include <map>

#include "atoll/jinja/environment.h"
#include "atoll/jinja/json.h"
#include "testing/testing.h"

namespace atl::jinja {
namespace {

using ::testing::HasSubstr;

std::string Render(const Environment& env, std::string_view source, std::string_view ctx = "{}") {
  auto context = ValueFromJson(ctx);
  EXPECT_TRUE(context.ok());
  auto r = env.Render(source, "t.sql", *context);
  if (!r.ok()) return "ERROR: " + r.status().message();
  return *r;
}

std::string Render(std::string_view source, std::string_view ctx = "{}") {
  Environment env;
  return Render(env, source, ctx);
}

TEST(JinjaTest, RendersTextExpressionsAndStatements) {
  EXPECT_EQ(Render("select {{ a + 1 }} from {{ t }}", R"({"a": 1, "t": "x"})"), "select 2 from x");
  EXPECT_EQ(Render("{% for c in cols %}{{ c }}{% if not loop.last %}, {% endif %}{% endfor %}",
                   R"({"cols": ["a", "b", "c"]})"),
            "a, b, c");
  EXPECT_EQ(Render("{% set x %}in{{ 1 }}{% endset %}[{{ x }}]"), "[in1]");
  EXPECT_EQ(Render("{{ [1, 'a', none, true, 1.5, {'k': (1,)}] }}"),
            "[1, 'a', None, True, 1.5, {'k': (1,)}]");
  EXPECT_EQ(Render("a\n{{- ' b ' -}}\nc\n"), "a b c");
}

TEST(JinjaTest, FollowsPythonArithmetic) {
  EXPECT_EQ(Render("{{ 7 // 2 }} {{ -7 // 2 }} {{ -7 % 3 }} {{ 7 / 2 }} {{ 2 ** 10 }} {{ 1e16 }}"),
            "3 -4 2 3.5 1024 1e+16");
  EXPECT_EQ(Render("{{ 0.1 + 0.2 }}"), "0.30000000000000004");
  EXPECT_THAT(Render("{{ 1 / 0 }}"), HasSubstr("t.sql:1: division by zero"));
  EXPECT_THAT(Render("{{ 1 + 'a' }}"),
              HasSubstr("unsupported operand type(s) for +: 'int' and 'str'"));
}

TEST(JinjaTest, UndefinedPrintsEmptyButItsAttributeIsAnError) {
  EXPECT_EQ(Render("[{{ missing }}]{% if missing %}x{% endif %}"), "[]");
  EXPECT_EQ(Render("{{ missing | default('d') }} {{ d.nope is defined }}", R"({"d": {}})"),
            "d False");
  EXPECT_EQ(Render("line1\n{{ missing.attr }}"), "ERROR: t.sql:2: 'missing' is undefined");
  EXPECT_EQ(Render("{{ missing() }}"), "ERROR: t.sql:1: 'missing' is undefined");
}

TEST(JinjaTest, NativeFunctionsGetPositionalAndKeywordArguments) {
  Environment env;
  env.SetGlobal("ref", Value::Function("ref", [](const CallArgs& a) -> Result<Value> {
                  if (a.positional.size() != 1) return InvalidArgument("ref() takes one name");
                  std::string schema = a.Find("schema") ? a.Find("schema")->Str() : "prd";
                  return Value::String(schema + "." + a.positional[0].Str());
                }));
  EXPECT_EQ(Render(env, "{{ ref('orders') }} {{ ref('x', schema='tmp') }}"), "prd.orders tmp.x");
  EXPECT_EQ(Render(env, "\n\n{{ ref() }}"), "ERROR: t.sql:3: ref() takes one name");
}

// A relation as dbt hands it to templates: prints as its quoted name, has attributes.
class Relation : public Object {
 public:
  Relation(std::string schema, std::string name)
      : schema_(std::move(schema)), name_(std::move(name)) {}
  std::string TypeName() const override { return "Relation"; }
  std::string Str() const override { return "\"" + schema_ + "\".\"" + name_ + "\""; }
  Value GetAttr(const std::string& attr) const override {
    if (attr == "schema") return Value::String(schema_);
    if (attr == "identifier") return Value::String(name_);
    return Value::Undefined("'Relation' has no attribute '" + attr + "'");
  }

 private:
  std::string schema_, name_;
};

TEST(JinjaTest, ObjectsPrintThemselvesAndExposeAttributes) {
  Environment env;
  env.SetGlobal("this", Value::FromObject(std::make_shared<Relation>("prd", "orders")));
  EXPECT_EQ(
      Render(env, "select * from {{ this }} -- {{ this.identifier | upper }} {{ this['schema'] }}"),
      "select * from \"prd\".\"orders\" -- ORDERS prd");
  EXPECT_EQ(Render(env, "{{ this.nope is defined }} {{ this == this }} {{ 'yes' if this }}"),
            "False True yes");
  EXPECT_THAT(Render(env, "{{ this.nope.x }}"), HasSubstr("'Relation' has no attribute 'nope'"));
}

TEST(JinjaTest, CustomFiltersAndTestsAndUnknownOnes) {
  Environment env;
  env.AddFilter("double", [](const Value& v, const CallArgs&) -> Result<Value> {
    return Value::Int(v.as_int() * 2);
  });
  env.AddTest("big",
              [](const Value& v, const CallArgs&) -> Result<bool> { return v.as_int() > 10; });
  EXPECT_EQ(Render(env, "{{ 4 | double }} {{ 40 is big }}"), "8 True");
  // Like jinja2 3.x: unknown outside `if` is a parse error, inside one an error when run.
  EXPECT_EQ(Render(env, "{% for x in [] %}\n{{ 1 | nope }}{% endfor %}"),
            "ERROR: t.sql:2: No filter named 'nope'.");
  EXPECT_EQ(Render(env, "{% if false %}{{ 1 | nope }}{% endif %}ok"), "ok");
  EXPECT_EQ(Render(env, "{% if true %}{{ 1 | nope }}{% endif %}ok"),
            "ERROR: t.sql:1: No filter named 'nope'.");
  EXPECT_EQ(Render(env, "{{ 1 is nope }}"), "ERROR: t.sql:1: No test named 'nope'.");
}

TEST(JinjaTest, MacrosWithDefaultsVarargsKwargsAndCaller) {
  EXPECT_EQ(Render("{% macro m(a, b=2) %}{{ a }}-{{ b }}-{{ varargs }}-{{ kwargs }}{% endmacro %}"
                   "{{ m(1) }}|{{ m(1, 3, 4) }}|{{ m(a=5, z=6) }}"),
            "1-2-()-{}|1-3-(4,)-{}|5-2-()-{'z': 6}");
  EXPECT_EQ(Render("{% macro w() %}<{{ caller(1) }}>{% endmacro %}"
                   "{% call(x) w() %}body{{ x }}{% endcall %}"),
            "<body1>");
  EXPECT_THAT(Render("{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}"),
              HasSubstr("macro 'm' takes not more than 1 argument(s)"));
}

TEST(JinjaTest, LoadedMacrosBecomeGlobalsAndReturnGivesValues) {
  Environment env;
  env.EnableReturn();
  ASSERT_OK(
      env.LoadMacros("{% macro cents(c) %}({{ c }} / 100){% endmacro %}\n"
                     "{% macro cols() %}{{ return(['a', 'b']) }}{% endmacro %}\n"
                     "{% macro both() %}{{ cents('x') }}{{ cols() | length }}{% endmacro %}",
                     "macros/m.sql"));
  ASSERT_NE(env.FindGlobal("cents"), nullptr);
  EXPECT_EQ(Render(env, "{{ cents('amount') }} {{ cols() | join(',') }} {{ both() }}"),
            "(amount / 100) a,b (x / 100)2");
  CallArgs args;
  args.positional.push_back(Value::String("y"));
  auto r = env.Call(*env.FindGlobal("cents"), args);
  ASSERT_OK(r);
  EXPECT_EQ(r->Str(), "(y / 100)");
}

TEST(JinjaTest, OneEnvironmentRendersFromManyThreads) {
  Environment env;
  env.SetLoader([](const std::string& name) -> Result<std::string> {
    if (name != "lib.sql") return NotFound("no ", name);
    return std::string("{% macro twice(x) %}{{ x }}{{ x }}{% endmacro %}");
  });
  ASSERT_OK(env.LoadMacros("{% macro col(c) %}\"{{ c | upper }}\"{% endmacro %}", "m.sql"));
  const std::string tmpl =
      "{% from 'lib.sql' import twice %}{% for c in cols %}{{ col(c) }}{{ twice(loop.index) }}"
      "{% endfor %}";
  std::vector<std::string> results(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        Value ctx = Value::Dict();
        ctx.dict()->Set(Value::String("cols"),
                        Value::List({Value::String("a"), Value::String("b")}));
        auto r = env.Render(tmpl, "t.sql", ctx);
        std::string got = r.ok() ? *r : r.status().ToString();
        if (i == 0 || got != results[t]) results[t] += (i == 0 ? "" : "|") + got;
      }
    });
  }
  for (auto& th : threads) th.join();
  for (const auto& r : results) EXPECT_EQ(r, "\"A\"11\"B\"22");
}

TEST(JinjaTest, DbtTestAndDocsBlocksBecomeMacrosWhenEnabled) {
  const std::string source =
      "{% test not_null(model, column_name) %}select * from {{ model }} where {{ column_name }} "
      "is null{% endtest %}{% docs orders %}One row per order.{% enddocs %}";
  Environment plain;
  EXPECT_EQ(Render(plain, source), "ERROR: t.sql:1: Encountered unknown tag 'test'.");
  Environment env;
  env.EnableDbtBlocks();
  ASSERT_OK(env.LoadMacros(source, "macros/generic.sql"));
  EXPECT_EQ(Render(env, "{{ test_not_null('prd.shop.orders', 'id') }} -- {{ docs_orders() }}"),
            "select * from prd.shop.orders where id is null -- One row per order.");
  EXPECT_EQ(Render(env, "{% snapshot s %}x{% endsnapshot %}"),
            "ERROR: t.sql:1: the 'snapshot' tag is not supported by atoll's Jinja engine");
}

TEST(JinjaTest, ErrorsInsideMacrosNameTheMacroFile) {
  Environment env;
  ASSERT_OK(env.LoadMacros("{% macro bad() %}\n\n{{ x.y }}{% endmacro %}", "macros/bad.sql"));
  EXPECT_EQ(Render(env, "{{ bad() }}"), "ERROR: macros/bad.sql:3: 'x' is undefined");
}

TEST(JinjaTest, IncludeAndImportUseTheLoader) {
  Environment env;
  std::map<std::string, std::string> files = {
      {"part.sql", "part {{ x }}"},
      {"lib.sql",
       "{% macro hi(n) %}hi {{ n }}{% endmacro %}{% set _private = 1 %}{% set pub = 2 %}"}};
  env.SetLoader([&](const std::string& name) -> Result<std::string> {
    auto it = files.find(name);
    if (it == files.end()) return NotFound("no ", name);
    return it->second;
  });
  EXPECT_EQ(Render(env, "{% include 'part.sql' %}", R"({"x": 1})"), "part 1");
  EXPECT_EQ(Render(env, "{% include 'nope.sql' ignore missing %}."), ".");
  EXPECT_EQ(Render(env, "{% include 'nope.sql' %}"),
            "ERROR: t.sql:1: template 'nope.sql' not found");
  EXPECT_EQ(
      Render(env,
             "{% import 'lib.sql' as l %}{{ l.hi(1) }} {{ l.pub }} {{ l._private is defined }}"),
      "hi 1 2 False");
  EXPECT_EQ(Render(env, "{% from 'lib.sql' import hi as h %}{{ h('x') }}"), "hi x");
}

TEST(JinjaTest, UnsupportedConstructsFailWithFileAndLine) {
  EXPECT_EQ(Render("a\n{% extends 'base.sql' %}"),
            "ERROR: t.sql:2: the 'extends' tag is not supported by atoll's Jinja engine");
  EXPECT_EQ(Render("{% for x in y %}"),
            "ERROR: t.sql:1: unexpected end of template; the block opened on line 1 needs 'else' "
            "or 'endfor'");
  EXPECT_EQ(Render("{{ 1 +* 2 }}"), "ERROR: t.sql:1: unexpected '*'");
  EXPECT_EQ(Render("{% frobnicate %}"), "ERROR: t.sql:1: Encountered unknown tag 'frobnicate'.");
}

TEST(JinjaTest, HostileTemplatesHitLimitsInsteadOfCrashing) {
  Environment env;
  RenderLimits limits;
  limits.max_steps = 100000;
  limits.max_output_bytes = 1 << 20;
  env.SetLimits(limits);
  EXPECT_THAT(Render(env, "{% for i in range(1000000) %}{% endfor %}"), HasSubstr("budget"));
  EXPECT_THAT(
      Render(env, "{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"),
      HasSubstr("evaluation budget"));
  EXPECT_THAT(Render(env, "{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}"),
              HasSubstr("nested deeper than 100"));
  EXPECT_THAT(Render(env, "{{ 'x' * 100000000 }}"), HasSubstr("larger than"));
  EXPECT_THAT(Render(env,
                     "{% set ns = namespace(s='ab') %}{% for i in range(40) %}"
                     "{% set ns.s = ns.s ~ ns.s %}{% endfor %}"),
              HasSubstr("larger than"));
  EXPECT_THAT(Render(env, "{{ " + std::string(5000, '(') + "1" + std::string(5000, ')') + " }}"),
              HasSubstr("nested too deeply"));
  EXPECT_THAT(Render(env, "{% set x = [] %}{% do x.append(x) %}"),
              HasSubstr("cannot contain itself"));
  EXPECT_THAT(Render(env,
                     "{% set ns = namespace() %}{% set ns.me = [ns] %}{% set d = {} %}"
                     "{% do d.update(k=[[d]]) %}"),
              HasSubstr("cannot contain itself"));
  EXPECT_THAT(Render(env,
                     "{% set ns = namespace(x=[]) %}{% for i in range(120) %}"
                     "{% set ns.x = [ns.x] %}{% endfor %}{{ ns.x }}"),
              HasSubstr("nested too deeply"));
  EXPECT_THAT(Render(env,
                     "{% set ns = namespace(x=[], y=[]) %}{% for i in range(120) %}"
                     "{% set ns.x = [ns.x] %}{% set ns.y = [ns.y] %}{% endfor %}{{ ns.x < ns.y }}"),
              "False");
  EXPECT_THAT(Render(env, "{{ 2 ** 64 }}"), HasSubstr("integer overflow"));
}

TEST(JinjaTest, DeepMacroRecursionInsideDeepBlocksStopsBeforeTheStackEnds) {
  // 80 nested ifs and a 90-deep expression in a macro that recurses 99 times: within
  // every limit, but 99 × (80 + 90) evaluations deep would end the C++ stack; the
  // run-time depth bound stops it.
  std::string ifs, endifs, expr = "n";
  for (int i = 0; i < 80; ++i) {
    ifs += "{% if true %}";
    endifs += "{% endif %}";
  }
  for (int i = 0; i < 90; ++i) expr += " + 0";
  const std::string tmpl = "{% macro r(n) %}" + ifs + "{% if " + expr + " < 99 %}{{ r(" + expr +
                           " + 1) }}{% endif %}" + endifs + "{% endmacro %}{{ r(0) }}";
  Environment env;
  EXPECT_THAT(Render(env, tmpl), HasSubstr("nested too deeply at run time"));
  // The same shape less deep renders.
  Environment shallow;
  const std::string ok =
      "{% macro r(n) %}{% if true %}{% if n < 5 %}{{ r(n + 0 + 1) }}"
      "{% endif %}{% endif %}{{ n }}{% endmacro %}{{ r(0) }}";
  EXPECT_EQ(Render(shallow, ok), "543210");
}

TEST(JinjaTest, MemoryBuiltUpByATemplateIsBounded) {
  Environment env;
  RenderLimits limits;
  limits.max_alloc_bytes = 16 << 20;
  env.SetLimits(limits);
  // Each string is small enough, but together they would take 1 GB.
  EXPECT_THAT(Render(env,
                     "{% set l = [] %}{% for i in range(1000) %}"
                     "{% do l.append('x' * 1000000) %}{% endfor %}"),
              HasSubstr("max_alloc_bytes"));
  EXPECT_THAT(Render(env,
                     "{% set l = [] %}{% for i in range(100) %}"
                     "{% do l.append(range(100000)) %}{% endfor %}"),
              HasSubstr("max_alloc_bytes"));
  EXPECT_THAT(Render(env, "{{ range(100000000) | length }}"), HasSubstr("max_alloc_bytes"));
  EXPECT_EQ(Render(env, "{{ range(1000) | sum }}"), "499500");
}

TEST(JinjaTest, DeeplyNestedValuesAreFreedWithoutRecursion) {
  Value root = Value::List();
  Value cur = root;
  for (int i = 0; i < 1000000; ++i) {
    Value next = i % 2 ? Value::List() : Value::Dict();
    if (cur.is_list()) {
      cur.list()->items.push_back(next);
    } else {
      cur.dict()->Set(Value::String("k"), next);
    }
    cur = next;
  }
  cur = Value();
  root = Value();  // would overflow the stack with recursive destructors
  SUCCEED();
}

TEST(JinjaTest, ValuesPrintLikePython) {
  EXPECT_EQ(Value::Float(1e-5).Repr(), "1e-05");
  EXPECT_EQ(Value::Float(123456789.0).Repr(), "123456789.0");
  EXPECT_EQ(Value::String("it's").Repr(), "\"it's\"");
  EXPECT_EQ(Value::String("a\nb\\").Repr(), "'a\\nb\\\\'");
  EXPECT_EQ(Value::Tuple({}).Repr(), "()");
  ASSERT_OK_AND_ASSIGN(Value v, ValueFromJson(R"({"b": 1, "a": [true, null, "é<"]})"));
  EXPECT_EQ(v.Repr(), "{'b': 1, 'a': [True, None, 'é<']}");
  ASSERT_OK_AND_ASSIGN(std::string json, ValueToJson(v));
  EXPECT_EQ(json, R"({"a": [true, null, "\u00e9<"], "b": 1})");
}

}  // namespace
}  // namespace atl::jinja
