// A dbt project as loaded by atoll transform (docs/transform.md): its settings, nodes
// (models, seeds, snapshots, tests, analyses), sources and macros, with dependencies
// found without rendering Jinja (static_parse.h).
//
// Identifiers follow dbt's manifest: "model.<package>.<name>", "seed.…", "snapshot.…",
// "analysis.…", "test.<package>.<name>[.<hash>]", "source.<package>.<source>.<table>",
// "macro.<package>.<name>".
//
// Thread safety: plain values.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"

namespace atl::transform {

using Json = nlohmann::json;

enum class ResourceType { kModel, kSeed, kSnapshot, kTest, kAnalysis, kSource, kMacro };

// "model", "seed", "snapshot", "test", "analysis", "source", "macro".
const char* ResourceTypeName(ResourceType type);
std::optional<ResourceType> ParseResourceType(std::string_view name);

// A place in a project file, for messages: "models/a.sql:12".
struct SourceLocation {
  std::string file;  // relative to the project root
  int line = 0;      // 1-based; 0 when unknown
  std::string ToString() const;
};

// ref('m'), ref('pkg', 'm'), ref('m', v=2).
struct RefCall {
  std::string package;  // "" when not given
  std::string name;
  std::optional<std::string> version;  // v= / version=, as text
  int line = 0;
};

// source('s', 't').
struct SourceCall {
  std::string source;
  std::string table;
  int line = 0;
};

// What static_parse.h found in a model/snapshot/test's SQL. `needs_rendering` is true when
// a ref/source/config call had an argument that is not a literal, or the SQL holds other
// Jinja that only rendering resolves (if/for/set/macros, var(), …); then `refs` and
// `sources` are what could be read literally and `reason` says what was not.
struct StaticParse {
  std::vector<RefCall> refs;
  std::vector<SourceCall> sources;
  Json config = Json::object();  // merged literal config(...) arguments, in call order
  bool deps_complete = true;     // every ref/source/config call had literal arguments
  bool needs_rendering = false;  // !deps_complete, or any other Jinja is present
  std::string reason;            // why, with a line: "line 3: ref(var('x')) is not literal"
};

struct Column {
  std::string name;
  std::string description;
  std::optional<std::string> data_type;
  Json meta = Json::object();
  std::vector<std::string> tags;
};

// A generic test's identity (test_metadata in the manifest).
struct TestMetadata {
  std::string name;              // "unique", "not_null", "accepted_values", "relationships", …
  std::string test_namespace;    // "" or a package ("dbt_utils")
  Json kwargs = Json::object();  // column_name, model, values, to, field, …
};

struct Node {
  ResourceType type = ResourceType::kModel;
  std::string unique_id;
  std::string name;
  std::string package;
  std::string path;                // relative to its resource folder ("staging/a.sql")
  std::string original_file_path;  // relative to the project root ("models/staging/a.sql")
  std::string patch_path;          // the properties yml describing it, or ""
  std::vector<std::string> fqn;
  std::string raw_code;  // the SQL (for seeds: "")
  std::string checksum;  // sha256 of the file (of the block for snapshots)
  std::string description;
  std::vector<Column> columns;  // in the order of the properties file
  Json meta = Json::object();
  Json config = Json::object();  // resolved: defaults < dbt_project.yml < yml < config()
  StaticParse parse;
  int line = 1;                                // where the node starts in its file
  std::vector<std::string> depends_on;         // unique ids (nodes and sources), resolved, sorted
  std::vector<std::string> depends_on_macros;  // macro unique ids called in the SQL

  // Sources only.
  std::string source_name;
  std::string source_description;
  std::string identifier;
  std::string loader;
  std::string source_schema;
  Json source_meta = Json::object();

  // Tests only.
  std::optional<TestMetadata> test;  // set for generic tests
  std::string column_name;
  std::string attached_node;  // the model (or source) a generic test belongs to

  // The relation the node builds (docs/transform.md): database = zone, schema, alias.
  std::string database;
  std::string schema;
  std::string alias;

  std::vector<std::string> tags() const;
  std::string materialized() const;
  SourceLocation location() const { return {original_file_path, line}; }
};

struct Macro {
  std::string unique_id;
  std::string name;
  std::string package;
  std::string path;  // == original_file_path
  std::string original_file_path;
  std::string macro_sql;
  std::string description;
  bool is_test = false;  // a {% test name(...) %} block: the generic test `name`
  int line = 1;
};

struct ProjectPaths {
  std::vector<std::string> models = {"models"};
  std::vector<std::string> seeds = {"seeds"};
  std::vector<std::string> snapshots = {"snapshots"};
  std::vector<std::string> tests = {"tests"};
  std::vector<std::string> macros = {"macros"};
  std::vector<std::string> analyses = {"analyses"};
};

struct Project {
  std::string name;
  std::string version;
  std::string profile;
  std::string root;  // where it was read from, for messages ("/x/proj", "s3://b/assets/…")
  ProjectPaths paths;
  Json vars = Json::object();
  // Folder-level configs of dbt_project.yml, as written: "models", "seeds", "snapshots",
  // "tests", "sources" → tree.
  Json project_configs = Json::object();

  std::map<std::string, Node> nodes;    // models, seeds, snapshots, tests, analyses
  std::map<std::string, Node> sources;  // source tables
  std::map<std::string, Macro> macros;
  std::map<std::string, Node> disabled;  // nodes with enabled: false
  std::vector<std::string> warnings;     // "file:line: …" for things dbt would warn about

  // The node or source with that unique id, or nullptr.
  const Node* Find(const std::string& unique_id) const;
};

}  // namespace atl::transform
