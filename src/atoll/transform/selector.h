// Node selection as dbt does it (docs/transform.md, "Selection"): --select/--exclude
// values are unions of space-separated specs; a spec is an intersection of
// comma-separated criteria; a criterion is `[@][N+]method:value[+N]` or a bare value
// (a path when it holds '/', a file name when it ends in .sql/.csv/.py/.yml, else fqn).
// Methods: fqn, path, file, tag, config.<key>[.<key>…], resource_type, source, package,
// test_type, test_name; Unix wildcards (* ? [abc]) where dbt allows them. Graph
// operators: +m (ancestors), m+ (descendants), N+m / m+N (N levels), @m (descendants and
// all their ancestors). Tests are selected indirectly as dbt's default "eager" mode does:
// a test is selected when any node it tests is.
//
// Thread safety: pure functions.
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/transform/graph.h"
#include "atoll/transform/project.h"

namespace atl::transform {

enum class IndirectSelection { kEager, kCautious, kBuildable, kEmpty };

struct SelectionOptions {
  std::vector<std::string> select;  // each value may hold several specs separated by spaces
  std::vector<std::string> exclude;
  // --resource-type: keep only these ("model", "test", …); empty or "all" keeps all.
  std::vector<std::string> resource_types;
  IndirectSelection indirect = IndirectSelection::kEager;
  // What an empty `select` means: dbt ls lists every node and source, run every node.
  std::vector<std::string> default_select = {"fqn:*", "source:*"};
};

// The selected node and source ids, sorted. kInvalidArgument for a malformed spec, an
// unknown method or resource type ("unknown selector method 'foo' in 'foo:bar'").
Result<std::vector<std::string>> SelectNodes(const Project& project, const Graph& graph,
                                             const SelectionOptions& options);

// Unix shell wildcards as Python's fnmatch (case-sensitive): * ? [abc] [a-z] [!x].
bool GlobMatch(std::string_view pattern, std::string_view text);

}  // namespace atl::transform
