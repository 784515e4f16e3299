// The dbt context of the Jinja engine on small in-memory projects: ref/source/var/
// env_var/config/this/target/is_incremental/adapter.dispatch/exceptions, the loader's
// render_dependencies hook, ephemeral CTEs, and errors with file and line.
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>

#include "atoll/storage/memory_store.h"
#include "atoll/transform/compiler.h"
#include "atoll/transform/loader.h"
#include "testing/testing.h"

namespace atl::transform {
namespace {

using ::testing::HasSubstr;

Result<Project> LoadFiles(std::map<std::string, std::string> files,
                          const DbtContextOptions& context = {}, Json vars = Json::object()) {
  auto store = std::make_shared<storage::MemoryStore>("mem");
  if (!files.count("dbt_project.yml")) {
    files["dbt_project.yml"] = "name: p\nvars:\n  day: '2024-01-01'\n  n: 3\n";
  }
  for (const auto& [path, text] : files) {
    Result<storage::ObjectInfo> put = storage::PutString(*store, "proj/" + path, text);
    if (!put.ok()) return put.status();
  }
  ProjectFiles pf(store, "proj/", "mem://proj");
  ProjectLoadOptions options;
  options.render_dependencies = RenderDependenciesHook(context);
  options.vars = std::move(vars);
  return LoadProject(pf, options);
}

// Compiles `id` of a project made of `files`; "ERROR: <message>" when it fails.
std::string CompileOne(const std::map<std::string, std::string>& files, const std::string& id,
                       const DbtContextOptions& context = {}, Json vars = Json::object()) {
  Result<Project> p = LoadFiles(files, context, vars);
  if (!p.ok()) return "ERROR: " + p.status().message();
  auto compiler = Compiler::Create(*p, context);
  if (!compiler.ok()) return "ERROR: " + compiler.status().message();
  auto c = (*compiler)->Compile(id);
  if (!c.ok()) return "ERROR: " + c.status().message();
  return c->sql;
}

TEST(DbtContextTest, RefAndSourceRenderTheLakeRelations) {
  std::map<std::string, std::string> files = {
      {"models/a.sql", "{{ config(schema='shop', alias='a_tbl', zone='tmp') }}select 1 as x"},
      {"models/b.sql",
       "select * from {{ ref('a') }} join {{ ref('p', 'a') }} using (x) "
       "join {{ source('raw', 'events') }} using (x) -- {{ ref('a', v=2) }}"},
      {"models/src.yml",
       "sources:\n  - name: raw\n    schema: landing\n    tables:\n      - name: events\n"
       "        identifier: ev\n"}};
  EXPECT_EQ(CompileOne(files, "model.p.b"),
            "select * from \"tmp\".\"shop\".\"a_tbl\" join \"tmp\".\"shop\".\"a_tbl\" using (x) "
            "join \"stg\".\"landing\".\"ev\" using (x) -- \"tmp\".\"shop\".\"a_tbl\"");
}

TEST(DbtContextTest, VarsComeFromTheProjectAndTheCommandLine) {
  std::map<std::string, std::string> files = {
      {"models/a.sql",
       "select '{{ var(\"day\") }}', {{ var('n') * 2 }}, '{{ var('none_such', 'fallback') }}'"}};
  EXPECT_EQ(CompileOne(files, "model.p.a"), "select '2024-01-01', 6, 'fallback'");
  EXPECT_EQ(CompileOne(files, "model.p.a", {}, Json{{"n", 10}}),
            "select '2024-01-01', 20, 'fallback'");
  files["models/a.sql"] = "select 1\n\n  , {{ var('missing') }}";
  EXPECT_EQ(CompileOne(files, "model.p.a"),
            "ERROR: models/a.sql:3: required var 'missing' not found (set it under vars: in "
            "dbt_project.yml or pass --vars)");
}

TEST(DbtContextTest, EnvVarReadsTheEnvironmentWithADefault) {
  ::setenv("ATOLL_DBT_CONTEXT_TEST", "from-env", 1);
  ::unsetenv("ATOLL_DBT_CONTEXT_TEST_UNSET");
  std::map<std::string, std::string> files = {
      {"models/a.sql",
       "select '{{ env_var('ATOLL_DBT_CONTEXT_TEST') }}', "
       "'{{ env_var('ATOLL_DBT_CONTEXT_TEST_UNSET', 'dflt') }}'"}};
  EXPECT_EQ(CompileOne(files, "model.p.a"), "select 'from-env', 'dflt'");
  files["models/a.sql"] = "select '{{ env_var('ATOLL_DBT_CONTEXT_TEST_UNSET') }}'";
  EXPECT_EQ(CompileOne(files, "model.p.a"),
            "ERROR: models/a.sql:1: env var required but not provided: "
            "'ATOLL_DBT_CONTEXT_TEST_UNSET'");
}

TEST(DbtContextTest, ThisTargetAndIsIncrementalFollowTheOptions) {
  std::map<std::string, std::string> files = {
      {"models/inc.sql",
       "{{ config(materialized='incremental') }}select * from {{ ref('v') }}"
       "{% if is_incremental() %} where t > (select max(t) from {{ this }}){% endif %}"
       " -- {{ target.name }} {{ target.type }} {{ target.schema }} {{ this.identifier }}"},
      {"models/v.sql", "select 1 as t -- {{ is_incremental() }} {{ this }}"}};
  const std::string plain = "select * from \"prd\".\"p\".\"v\" -- dev atoll p inc";
  EXPECT_EQ(CompileOne(files, "model.p.inc"), plain);
  DbtContextOptions exists;
  exists.relation_exists = [](const std::string&, const std::string&, const std::string&) {
    return true;
  };
  EXPECT_EQ(CompileOne(files, "model.p.inc", exists),
            "select * from \"prd\".\"p\".\"v\" where t > (select max(t) from "
            "\"prd\".\"p\".\"inc\") -- dev atoll p inc");
  EXPECT_EQ(CompileOne(files, "model.p.v", exists), "select 1 as t -- False \"prd\".\"p\".\"v\"");
  exists.full_refresh = true;
  EXPECT_EQ(CompileOne(files, "model.p.inc", exists), plain);
}

TEST(DbtContextTest, RenderingAtParseResolvesComputedRefsAndConfigs) {
  std::map<std::string, std::string> files = {
      {"models/a.sql", "select 1 as x"},
      {"models/b.sql",
       "{% set up = 'a' %}{% if var('n') > 2 %}{{ config(materialized='table', tags=['t' ~ "
       "var('n')]) }}{% endif %}select * from {{ ref(up) }}"}};
  ASSERT_OK_AND_ASSIGN(Project p, LoadFiles(files));
  const Node& b = p.nodes.at("model.p.b");
  EXPECT_EQ(b.depends_on, std::vector<std::string>{"model.p.a"});
  EXPECT_EQ(b.materialized(), "table");
  EXPECT_EQ(b.tags(), std::vector<std::string>{"t3"});
  EXPECT_TRUE(p.warnings.empty()) << p.warnings[0];
}

TEST(DbtContextTest, OneHookServesProjectsWithDifferentMacros) {
  auto hook = RenderDependenciesHook();
  auto load = [&hook](const std::string& macro) -> Result<Project> {
    auto store = std::make_shared<storage::MemoryStore>("mem");
    for (const auto& [path, text] : std::map<std::string, std::string>{
             {"dbt_project.yml", "name: p\n"},
             {"models/a.sql", "select 1"},
             {"models/b.sql", "select 2"},
             {"macros/up.sql", "{% macro up() %}" + macro + "{% endmacro %}"},
             {"models/c.sql", "select * from {{ ref(up()) }}"}}) {
      if (!storage::PutString(*store, "proj/" + path, text).ok()) return Internal("put");
    }
    ProjectFiles pf(store, "proj/", "mem://proj");
    ProjectLoadOptions options;
    options.render_dependencies = hook;
    return LoadProject(pf, options);
  };
  ASSERT_OK_AND_ASSIGN(Project first, load("a"));
  EXPECT_EQ(first.nodes.at("model.p.c").depends_on, std::vector<std::string>{"model.p.a"});
  ASSERT_OK_AND_ASSIGN(Project second, load("b"));
  EXPECT_EQ(second.nodes.at("model.p.c").depends_on, std::vector<std::string>{"model.p.b"});
}

TEST(DbtContextTest, AnUnknownRefFailsWithFileAndLine) {
  Result<Project> p =
      LoadFiles({{"models/a.sql", "{% set m = 'nope' %}\nselect 1\nfrom {{ ref(m) }}"}});
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(),
            "models/a.sql:3: ref('nope') names no model, seed or snapshot of the project");
  EXPECT_EQ(CompileOne({{"models/a.sql", "select 1"},
                        {"models/b.sql",
                         "{# c #}\n{{ ref('a') if execute else '' }}"
                         "{{ ref('zz') if execute else '' }}"}},
                       "model.p.b"),
            "ERROR: models/b.sql:2: ref('zz') names no model, seed or snapshot of the project");
}

TEST(DbtContextTest, AdapterDispatchPrefersAtollMacrosOverDefaults) {
  std::map<std::string, std::string> files = {
      {"macros/m.sql",
       "{% macro greet(x) %}{{ return(adapter.dispatch('greet', 'p')(x)) }}{% endmacro %}\n"
       "{% macro default__greet(x) %}default {{ x }}{% endmacro %}\n"
       "{% macro atoll__greet(x) %}atoll {{ x }}{% endmacro %}\n"
       "{% macro only(x) %}{{ adapter.dispatch('only')(x) }}{% endmacro %}\n"
       "{% macro default__only(x) %}only-default {{ x }}{% endmacro %}\n"
       "{% macro missing() %}{{ adapter.dispatch('nothing')() }}{% endmacro %}\n"},
      {"models/a.sql", "select '{{ greet(1) }}', '{{ only(2) }}', {{ adapter.quote('a\"b') }}"}};
  EXPECT_EQ(CompileOne(files, "model.p.a"), "select 'atoll 1', 'only-default 2', \"a\"\"b\"");
  files["models/a.sql"] = "select {{ missing() }}";  // fails at parse, as in dbt
  EXPECT_EQ(CompileOne(files, "model.p.a"),
            "ERROR: models/a.sql: macros/m.sql:6: adapter.dispatch('nothing'): no macro "
            "atoll__nothing or default__nothing in the project");
}

TEST(DbtContextTest, ExceptionsRaiseWithTheMacrosLineAndWarnLogs) {
  std::vector<std::string> logged;
  DbtContextOptions options;
  options.log = [&logged](const std::string& m) { logged.push_back(m); };
  std::map<std::string, std::string> files = {
      {"macros/check.sql",
       "{% macro check(n) %}\n{% if n < 0 %}\n{{ exceptions.raise_compiler_error('n is ' ~ n) "
       "}}\n{% endif %}{% do exceptions.warn('checked ' ~ n) %}{% do log('logged', info=True) "
       "%}{{ n }}{% endmacro %}"},
      {"models/a.sql", "select {{ check(1) }}{{ print('printed') }}"}};
  EXPECT_EQ(CompileOne(files, "model.p.a", options), "select \n1");
  // Rendered at parse and at compile, as dbt does.
  EXPECT_EQ(logged, (std::vector<std::string>{"warning: checked 1", "logged", "printed",
                                              "warning: checked 1", "logged", "printed"}));
  files["models/a.sql"] = "select {{ check(-1) }}";
  EXPECT_EQ(CompileOne(files, "model.p.a", options),
            "ERROR: models/a.sql: macros/check.sql:3: compilation error: n is -1");
}

TEST(DbtContextTest, ConfigGetReadsTheResolvedConfigAndFiltersConvert) {
  std::map<std::string, std::string> files = {
      {"dbt_project.yml", "name: p\nmodels:\n  p:\n    +materialized: table\n"},
      {"models/a.sql",
       "{{ config(unique_key='id') }}select '{{ config.get('materialized') }}', "
       "'{{ config.get('unique_key') }}', '{{ config.get('nope', 'dflt') }}', "
       "{{ '3' | as_number + 1 }}, {{ 'True' | as_bool }}, {{ ('[1, 2]' | as_native)[1] }}, "
       "{{ fromjson('{\"k\": [1]}')['k'][0] }}, {{ tojson({'b': 1, 'a': none}) }}, "
       "{{ fromyaml('a: [x, y]')['a'][1] }}, {{ 5 | as_text ~ 'x' }}"}};
  EXPECT_EQ(CompileOne(files, "model.p.a"),
            "select 'table', 'id', 'dflt', 4, True, 2, 1, {\"a\": null, \"b\": 1}, y, 5x");
}

TEST(DbtContextTest, DatetimeAndGetRelationAnswerFromTheOptions) {
  DbtContextOptions options;
  options.run_started_at_ms = 1733625289123;  // 2024-12-08 02:34:49.123 UTC
  options.relation_exists = [](const std::string& db, const std::string& schema,
                               const std::string& id) {
    return db == "prd" && schema == "p" && id == "there";
  };
  std::map<std::string, std::string> files = {
      {"models/a.sql",
       "select '{{ run_started_at }}', '{{ run_started_at.strftime('%Y%m%d') }}', "
       "{{ modules.datetime.datetime.now().year }}, '{{ modules.datetime.date.today() }}', "
       "'{{ run_started_at.isoformat() }}', {{ adapter.get_relation('prd', 'p', 'there') }}, "
       "{{ adapter.get_relation('prd', 'p', 'gone') is none }}"}};
  EXPECT_EQ(CompileOne(files, "model.p.a", options),
            "select '2024-12-08 02:34:49.123000', '20241208', 2024, '2024-12-08', "
            "'2024-12-08T02:34:49.123000', \"prd\".\"p\".\"there\", True");
}

TEST(DbtContextTest, RunQueryNeedsTheLakeAtCompileAndIsNoneAtParse) {
  std::map<std::string, std::string> files = {
      {"models/a.sql",
       "{% set r = run_query('select 1') %}select {{ 'parsed' if r is none else r }}"}};
  EXPECT_THAT(CompileOne(files, "model.p.a"),
              HasSubstr("models/a.sql:1: run_query() needs the lake"));
  DbtContextOptions options;
  options.run_query = [](const std::string& sql) -> Result<jinja::Value> {
    return jinja::Value::String("ran " + sql);
  };
  EXPECT_EQ(CompileOne(files, "model.p.a", options), "select ran select 1");
}

TEST(DbtContextTest, EphemeralModelsBecomeCtesInDependencyOrder) {
  std::map<std::string, std::string> files = {
      {"dbt_project.yml", "name: p\nmodels:\n  p:\n    eph:\n      +materialized: ephemeral\n"},
      {"models/eph/e1.sql", "select 1 as x -- {{ this }}"},
      {"models/eph/e2.sql", "select x from {{ ref('e1') }}"},
      {"models/m.sql", "\nselect * from {{ ref('e2') }} join {{ ref('e1') }} using (x)"},
      {"models/w.sql", "-- c\nWITH t as (select * from {{ ref('e1') }}) select * from t"}};
  EXPECT_EQ(CompileOne(files, "model.p.m"),
            "\nwith __dbt__cte__e1 as (\nselect 1 as x -- __dbt__cte__e1\n),  __dbt__cte__e2 as "
            "(\nselect x from "
            "__dbt__cte__e1\n)select * from __dbt__cte__e2 join __dbt__cte__e1 using (x)");
  EXPECT_EQ(
      CompileOne(files, "model.p.w"),
      "-- c\nWITH __dbt__cte__e1 as (\nselect 1 as x -- __dbt__cte__e1\n), t as (select * from "
      "__dbt__cte__e1) select * from t");
}

TEST(DbtContextTest, GenericTestsRenderTheirSql) {
  std::map<std::string, std::string> files = {
      {"models/a.sql", "select 1 as id, 'x' as s"},
      {"models/b.sql", "select 1 as a_id"},
      {"models/a.yml",
       "models:\n  - name: a\n    columns:\n      - name: id\n        data_tests: [unique, "
       "not_null]\n      - name: s\n        data_tests:\n          - accepted_values:\n"
       "              values: [x, \"it's\"]\n              config:\n                where: "
       "\"id > 0\"\n  - name: b\n    columns:\n      - name: a_id\n        data_tests:\n"
       "          - relationships:\n              to: ref('a')\n              field: id\n"}};
  ASSERT_OK_AND_ASSIGN(Project p, LoadFiles(files));
  ASSERT_OK_AND_ASSIGN(auto compiler, Compiler::Create(p));
  std::map<std::string, std::string> sql;
  for (const auto& [id, n] : p.nodes) {
    if (!n.test) continue;
    ASSERT_OK_AND_ASSIGN(CompiledNode c, compiler->Compile(id));
    sql[n.test->name] = c.sql;
    EXPECT_EQ(c.path, "target/compiled/p/models/a.yml/" + n.path);
  }
  EXPECT_EQ(sql["not_null"], "\nselect id\nfrom \"prd\".\"p\".\"a\"\nwhere id is null\n");
  EXPECT_EQ(sql["unique"],
            "\nselect id as unique_field, count(*) as n_records\nfrom \"prd\".\"p\".\"a\"\n"
            "where id is not null\ngroup by id\nhaving count(*) > 1\n");
  EXPECT_EQ(sql["accepted_values"],
            "\nselect s as value_field, count(*) as n_records\nfrom (select * from "
            "\"prd\".\"p\".\"a\" where id > 0) dbt_subquery\nwhere s not in ('x', 'it''s')\n"
            "group by s\n");
  EXPECT_EQ(sql["relationships"],
            "\nselect child.a_id as from_field\nfrom \"prd\".\"p\".\"b\" as child\nleft join "
            "\"prd\".\"p\".\"a\" as parent on child.a_id = parent.id\nwhere child.a_id is not "
            "null and parent.id is null\n");
}

}  // namespace
}  // namespace atl::transform
