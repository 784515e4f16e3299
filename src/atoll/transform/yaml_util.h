// YAML for the project loader (internal to transform/: includes yaml-cpp). yaml-cpp
// throws; these helpers turn its exceptions and shape problems into Status messages
// "<file>:<line>: <what>".
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "atoll/common/result.h"
#include "atoll/transform/project.h"

namespace atl::transform {

// Parses one YAML document (an empty file is a null node). kInvalidArgument
// "<file>:<line>:<column>: invalid YAML: <problem>" on syntax errors.
Result<YAML::Node> ParseYaml(const std::string& text, const std::string& file);

// The 1-based line of a node (0 when yaml-cpp does not know it).
int LineOf(const YAML::Node& node);

// "<file>:<line>: " + message as kInvalidArgument.
Status YamlError(const std::string& file, const YAML::Node& at, std::string_view message);

// The node as JSON: plain scalars become null/bool/int/float as YAML 1.1 (PyYAML, which
// dbt uses) reads them; quoted scalars stay strings; mapping keys are strings. Deeper
// than 64 levels is an error.
Result<Json> YamlToJson(const YAML::Node& node, const std::string& file);

// A scalar as a string; an error naming `what` when the node is not a scalar.
Result<std::string> ScalarString(const YAML::Node& node, const std::string& file,
                                 std::string_view what);

// A scalar or a list of scalars as strings (dbt accepts "a" for ["a"] in paths and tags).
Result<std::vector<std::string>> StringList(const YAML::Node& node, const std::string& file,
                                            std::string_view what);

}  // namespace atl::transform
