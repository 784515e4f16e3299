// Loading small in-memory projects: bad input fails with file and line, never a crash;
// config precedence; the Jinja engine's hook (transform/loader.h).
#include <gtest/gtest.h>

#include <map>

#include "atoll/storage/memory_store.h"
#include "atoll/transform/loader.h"
#include "testing/testing.h"

namespace atl::transform {
namespace {

const char kProjectYml[] = "name: p\nversion: '1'\n";

Result<Project> LoadFiles(const std::map<std::string, std::string>& files,
                          const ProjectLoadOptions& options = {}) {
  auto store = std::make_shared<storage::MemoryStore>("mem");
  for (const auto& [path, text] : files) {
    Result<storage::ObjectInfo> put = storage::PutString(*store, "proj/" + path, text);
    if (!put.ok()) return put.status();
  }
  ProjectFiles pf(store, "proj/", "mem://proj");
  return LoadProject(pf, options);
}

std::string ErrorOf(const std::map<std::string, std::string>& files) {
  Result<Project> r = LoadFiles(files);
  if (r.ok()) return "(loaded)";
  return r.status().message();
}

TEST(ProjectErrorsTest, MissingProjectFileIsNotFound) {
  Result<Project> r = LoadFiles({{"models/a.sql", "select 1"}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(r.status().message(), "no dbt_project.yml in mem://proj");
}

TEST(ProjectErrorsTest, MalformedYamlNamesFileAndLine) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", "name: p\nmodels:\n  p:\n   - a\n  b: [\n"}})
                .rfind("dbt_project.yml:", 0),
            0u);
  const std::string e = ErrorOf({{"dbt_project.yml", kProjectYml},
                                 {"models/a.sql", "select 1"},
                                 {"models/s.yml", "models:\n  - name: a\n    columns: [a, b\n"}});
  EXPECT_EQ(e.rfind("models/s.yml:", 0), 0u) << e;
  EXPECT_NE(e.find("invalid YAML"), std::string::npos) << e;
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml}, {"models/s.yml", "- just\n- a list\n"}}),
            "models/s.yml:1: a properties file must be a mapping");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/s.yml", "version: 2\nmodels:\n  - description: no name\n"}}),
            "models/s.yml:3: a model entry must be a mapping with a name");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", "version: 2\n"}}), "dbt_project.yml: 'name' is missing");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", "name: my-project\n"}}),
            "dbt_project.yml:1: project name 'my-project' must be letters, digits and "
            "underscores, not starting with a digit");
}

TEST(ProjectErrorsTest, DeeplyNestedYamlIsAnErrorNotACrash) {
  const std::string deep = "models: " + std::string(20000, '[') + std::string(20000, ']') + "\n";
  const std::string e = ErrorOf({{"dbt_project.yml", kProjectYml}, {"models/s.yml", deep}});
  EXPECT_EQ(e.rfind("models/s.yml", 0), 0u) << e;
}

TEST(ProjectErrorsTest, UnknownRefAndSourceNameFileAndLine) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select 1\nfrom {{ ref('nope') }}"}}),
            "models/a.sql:2: ref('nope') names no model, seed or snapshot of the project");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select * from {{ source('raw', 'x') }}"}}),
            "models/a.sql:1: source('raw', 'x') is not defined in any sources: block of a "
            "properties file");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select * from {{ ref('other_pkg', 'x') }}"}}),
            "models/a.sql:1: ref('other_pkg', 'x') names package 'other_pkg', which is not this "
            "project (packages are not supported yet)");
}

TEST(ProjectErrorsTest, CyclesAreNamed) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select * from {{ ref('b') }}"},
                     {"models/b.sql", "select * from {{ ref('c') }}"},
                     {"models/c.sql", "select * from {{ ref('a') }}"},
                     {"models/d.sql", "select * from {{ ref('a') }}"}}),
            "dependency cycle: model.p.c -> model.p.b -> model.p.a -> model.p.c (see "
            "models/a.sql)");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/self.sql", "select * from {{ ref('self') }}"}}),
            "dependency cycle: model.p.self -> model.p.self (see models/self.sql)");
}

TEST(ProjectErrorsTest, DuplicateNamesNameBothFiles) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/x/a.sql", "select 1"},
                     {"models/y/a.sql", "select 2"}}),
            "models/y/a.sql:1: two resources are named 'a' (model here, model in "
            "models/x/a.sql:1); ref() could not tell them apart");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select 1"},
                     {"seeds/a.csv", "x\n1\n"}}),
            "seeds/a.csv:1: two resources are named 'a' (seed here, model in models/a.sql:1); "
            "ref() could not tell them apart");
  EXPECT_EQ(
      ErrorOf({{"dbt_project.yml", kProjectYml},
               {"macros/m.sql", "{% macro m() %}1{% endmacro %}\n{% macro m() %}2{% endmacro %}"}}),
      "macros/m.sql:2: macro 'm' is defined twice (also in macros/m.sql:1)");
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "select 1"},
                     {"models/s.yml", "models:\n  - name: a\n"},
                     {"models/t.yml", "models:\n  - name: a\n"}}),
            "models/t.yml:2: model 'a' is described twice (also in models/s.yml:2)");
}

TEST(ProjectErrorsTest, BadGenericTestsAreErrors) {
  auto with_tests = [](const std::string& tests) {
    return ErrorOf({{"dbt_project.yml", kProjectYml},
                    {"models/a.sql", "select 1 as id"},
                    {"models/s.yml",
                     "models:\n  - name: a\n    columns:\n      - name: id\n"
                     "        data_tests:\n" +
                         tests}});
  };
  EXPECT_EQ(with_tests("          - nope\n"),
            "models/s.yml:6: unknown generic test 'nope' (neither a built-in test nor a "
            "{% test nope(...) %} block of the project's macros)");
  EXPECT_EQ(with_tests("          - relationships:\n              to: ref('a')\n"),
            "models/s.yml:6: test 'relationships' needs the argument 'field'");
  EXPECT_EQ(
      with_tests("          - relationships:\n              to: a\n              field: id\n"),
      "models/s.yml:6: relationships: 'to' must be ref('<model>') or source('<source>', "
      "'<table>'), got \"a\"");
  EXPECT_EQ(with_tests("          - accepted_values:\n              values: x\n"),
            "models/s.yml:6: accepted_values: 'values' must be a list");
  EXPECT_EQ(with_tests("          - unique:\n              config:\n                severity: "
                       "fatal\n"),
            "models/s.yml:6: test 'unique_a_id': severity must be warn or error, got \"fatal\"");
  EXPECT_EQ(with_tests("          - relationships:\n              to: ref('missing')\n"
                       "              field: id\n"),
            "models/s.yml:6: ref('missing') names no model, seed or snapshot of the project");
}

TEST(ProjectErrorsTest, NodeNamesMayNotHoldDotsOrSpaces) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml}, {"models/a.b.sql", "select 1"}}),
            "models/a.b.sql: the name 'a.b' (from the file name) must not hold dots, slashes, "
            "quotes, spaces or control characters");
  ASSERT_OK_AND_ASSIGN(Project p, LoadFiles({{"dbt_project.yml", kProjectYml},
                                             {"models/stg-orders.sql", "select 1"},
                                             {"models/.a.sql", "{{"},
                                             {"models/.backup/x.sql", "select 1"}}));
  EXPECT_TRUE(p.nodes.count("model.p.stg-orders"));
  EXPECT_EQ(p.nodes.size(), 1u);  // hidden files are not read
}

TEST(ProjectErrorsTest, VarsArgumentIsYaml) {
  ASSERT_OK_AND_ASSIGN(Json vars, ParseVars("{start: '2024-01-01', days: 3, on: true}"));
  EXPECT_EQ(vars, Json({{"start", "2024-01-01"}, {"days", 3}, {"on", true}}));
  ASSERT_OK_AND_ASSIGN(Json json, ParseVars("{\"a\": [1, 2]}"));
  EXPECT_EQ(json, Json({{"a", {1, 2}}}));
  EXPECT_FALSE(ParseVars("[1, 2]").ok());
  EXPECT_FALSE(ParseVars("{a: [").ok());
}

TEST(ProjectErrorsTest, RefToADisabledModelIsAnError) {
  EXPECT_EQ(ErrorOf({{"dbt_project.yml", kProjectYml},
                     {"models/a.sql", "{{ config(enabled=false) }} select 1"},
                     {"models/b.sql", "select * from {{ ref('a') }}"}}),
            "models/b.sql:1: ref('a') names model.p.a, which is disabled (enabled: false)");
}

TEST(ProjectErrorsTest, FilesOverTheSizeLimitAreRefused) {
  const std::string e = ErrorOf({{"dbt_project.yml", kProjectYml},
                                 {"models/big.sql", std::string(kMaxProjectFileBytes + 1, ' ')}});
  EXPECT_NE(e.find("models/big.sql"), std::string::npos) << e;
  EXPECT_NE(e.find("limit"), std::string::npos) << e;
}

// Mutations of a small valid project (characters of Jinja and YAML syntax inserted,
// deleted or swapped): every load either succeeds or fails with a message naming a
// file — never a crash or an exception.
TEST(ProjectErrorsTest, MutatedProjectsFailCleanly) {
  const std::map<std::string, std::string> base = {
      {"dbt_project.yml",
       "name: p\nmodels:\n  p:\n    +materialized: table\n    sub:\n      +tags: [a]\n"},
      {"models/sub/a.sql", "{{ config(materialized='view') }}\nselect * from {{ ref('b') }}"},
      {"models/b.sql", "select * from {{ source('s', 't') }} {% if x %}1{% endif %}"},
      {"models/s.yml",
       "version: 2\nsources:\n  - name: s\n    tables:\n      - name: t\nmodels:\n"
       "  - name: a\n    columns:\n      - name: id\n        data_tests: [unique, "
       "{accepted_values: {values: [1, 2]}}]\n"},
      {"snapshots/x.sql", "{% snapshot x %}select * from {{ ref('a') }}{% endsnapshot %}"},
      {"macros/m.sql", "{% macro m(a) %}{{ a }}{% endmacro %}"}};
  ASSERT_OK(LoadFiles(base).status());
  const std::string alphabet = "{}%#[]:-'\"(),\n =+|*&!";
  uint64_t state = 42;
  auto next = [&](uint64_t n) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return (state >> 33) % n;
  };
  int failed = 0;
  for (int round = 0; round < 400; ++round) {
    std::map<std::string, std::string> files = base;
    for (int m = 0; m < 3; ++m) {
      auto it = files.begin();
      std::advance(it, next(files.size()));
      std::string& text = it->second;
      const size_t at = next(text.size() + 1);
      switch (next(3)) {
        case 0:
          text.insert(at, 1, alphabet[next(alphabet.size())]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1 + next(4));
          break;
        default:
          if (at < text.size()) text[at] = alphabet[next(alphabet.size())];
      }
    }
    Result<Project> r = LoadFiles(files);
    if (r.ok()) continue;
    ++failed;
    const std::string& msg = r.status().message();
    bool names_file = msg.find("dependency cycle") == 0;
    for (const auto& [path, text] : files)
      names_file = names_file || msg.find(path) != std::string::npos;
    EXPECT_TRUE(names_file) << "round " << round << ": " << msg;
  }
  EXPECT_GT(failed, 50);  // the mutations do break projects
}

TEST(ProjectErrorsTest, ConfigPrecedenceIsFolderThenPropertiesThenFile) {
  ASSERT_OK_AND_ASSIGN(
      Project p,
      LoadFiles({{"dbt_project.yml",
                  "name: p\nmodels:\n  +tags: [all]\n  p:\n    +materialized: table\n"
                  "    +meta: {owner: data, tier: 2}\n    sub:\n      +materialized: view\n"
                  "      +schema: inner\n      c:\n        +alias: see\n"},
                 {"models/sub/a.sql", "{{ config(materialized='incremental', tags='file') }} 1"},
                 {"models/sub/b.sql", "select 1"},
                 {"models/sub/c.sql", "select 1"},
                 {"models/top.sql", "select 1"},
                 {"models/s.yml",
                  "models:\n  - name: a\n    config:\n      materialized: ephemeral\n"
                  "      tags: [yml]\n      meta: {tier: 1}\n"
                  "  - name: b\n    config:\n      materialized: ephemeral\n"}}));
  const Node& a = p.nodes.at("model.p.a");
  EXPECT_EQ(a.config["materialized"], "incremental");                     // in-file config() wins
  EXPECT_EQ(a.tags(), (std::vector<std::string>{"all", "yml", "file"}));  // tags add up
  EXPECT_EQ(a.config["meta"], Json({{"owner", "data"}, {"tier", 1}}));    // meta merges
  EXPECT_EQ(a.schema, "inner");
  EXPECT_EQ(p.nodes.at("model.p.b").config["materialized"], "ephemeral");  // yml over folder
  EXPECT_EQ(p.nodes.at("model.p.c").config["materialized"], "view");       // inner folder
  EXPECT_EQ(p.nodes.at("model.p.c").alias, "see");  // config by the node's own name
  EXPECT_EQ(p.nodes.at("model.p.top").config["materialized"], "table");
  EXPECT_EQ(p.nodes.at("model.p.top").schema, "p");
  EXPECT_EQ(p.nodes.at("model.p.top").database, "prd");
}

TEST(ProjectErrorsTest, NodesNeedingRenderingGoThroughTheJinjaHook) {
  const std::map<std::string, std::string> files = {
      {"dbt_project.yml", kProjectYml},
      {"models/a.sql", "select 1"},
      {"models/b.sql", "select * from {{ ref(var('upstream')) }}"}};
  // Without the engine: the project loads with a warning naming the node and the line.
  ASSERT_OK_AND_ASSIGN(Project plain, LoadFiles(files));
  EXPECT_TRUE(plain.nodes.at("model.p.b").depends_on.empty());
  ASSERT_EQ(plain.warnings.size(), 1u);
  EXPECT_NE(plain.warnings[0].find("model.p.b"), std::string::npos) << plain.warnings[0];
  EXPECT_NE(plain.warnings[0].find("line 1"), std::string::npos) << plain.warnings[0];
  // With it: the rendered dependencies replace the static ones.
  ProjectLoadOptions options;
  std::vector<std::string> asked;
  options.render_dependencies = [&](const Node& n, const Project&) -> Result<StaticParse> {
    asked.push_back(n.unique_id);
    StaticParse rendered;
    rendered.refs.push_back({"", "a", std::nullopt, 1});
    rendered.config = {{"materialized", "table"}};
    return rendered;
  };
  ASSERT_OK_AND_ASSIGN(Project rendered, LoadFiles(files, options));
  EXPECT_EQ(asked, std::vector<std::string>{"model.p.b"});
  EXPECT_EQ(rendered.nodes.at("model.p.b").depends_on, std::vector<std::string>{"model.p.a"});
  EXPECT_EQ(rendered.nodes.at("model.p.b").config["materialized"], "table");
  EXPECT_TRUE(rendered.warnings.empty());
}

}  // namespace
}  // namespace atl::transform
