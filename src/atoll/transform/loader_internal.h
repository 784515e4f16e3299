// State shared by the loader's units (internal to transform/).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "atoll/transform/loader.h"
#include "atoll/transform/project.h"

namespace atl::transform::internal {

// A generic test written in a properties file, before it becomes a node.
struct TestSpec {
  std::string test_name;       // "unique", "accepted_values", "my_test"
  std::string test_namespace;  // "dbt_utils" for "dbt_utils.x"
  std::string custom_name;     // `name:` given in the yml
  Json kwargs = Json::object();
  Json config = Json::object();
  std::string column;  // "" for model-level tests
  std::string file;    // the yml
  int line = 0;
  std::vector<std::string> fqn_dirs;  // folders of the yml below its resource path
};

// What a properties file says about a model, seed, snapshot or analysis.
struct Patch {
  ResourceType type = ResourceType::kModel;
  std::string name;
  std::string file;
  int line = 0;
  std::string description;
  std::vector<Column> columns;
  Json config = Json::object();
  Json meta = Json::object();
  std::vector<TestSpec> tests;
};

// The tests of one source table.
struct SourceTests {
  std::string source_unique_id;
  std::vector<TestSpec> tests;
};

struct LoadState {
  ProjectFiles& files;
  Project project;
  std::map<std::string, Patch> patches;  // key: "<type>:<name>"
  std::vector<SourceTests> source_tests;
  std::map<std::string, std::vector<std::string>> calls;  // node unique id → called names
  std::map<std::string, std::string> refable_names;       // model/seed/snapshot name → unique id
};

std::string PatchKey(ResourceType type, const std::string& name);

// Reads every .yml/.yaml under the project's model, seed, snapshot, analysis and macro
// paths (properties.cc).
Status LoadPropertyFiles(LoadState& state);

// Turns the TestSpecs of patches and sources into test nodes (tests.cc).
Status BuildGenericTests(LoadState& state);

// "a/b/c.sql" → {"a", "b"} / "c" / ".sql".
struct PathParts {
  std::vector<std::string> dirs;
  std::string stem;
  std::string ext;
};
PathParts SplitPath(const std::string& path);

std::string Sha256Hex(std::string_view data);

// Adds `node` to the project; kInvalidArgument naming both files when its unique id, or
// for models/seeds/snapshots its name, is taken.
Status AddNode(LoadState& state, Node node);

}  // namespace atl::transform::internal
