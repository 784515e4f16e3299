// Node configs (internal to transform/): defaults, the folder-level `+config` tree of
// dbt_project.yml, and dbt's merge rules. Precedence, lowest first: defaults < the
// project's tree (outer folders before inner ones, down to the node's own name) <
// `config:` in a properties yml < `config(...)` in the SQL file.
#pragma once

#include <string_view>
#include <vector>

#include "atoll/transform/project.h"

namespace atl::transform {

// The defaults dbt writes for a node of `type` (materialized, enabled, tags, meta, …).
Json DefaultConfig(ResourceType type);

// Merges `from` into `into` as dbt does: `tags` are a union (a string counts as a list of
// one), `meta`, `grants`, `docs`, `persist_docs` are merged key by key, `pre-hook` and
// `post-hook` are appended, everything else is replaced.
void MergeConfig(Json& into, const Json& from);

// The configs the project tree `tree` (dbt_project.yml's `models:`, `seeds:`, … value)
// gives a node with `fqn` ([package, folders…, name]), merged from the outside in.
Json FolderConfig(const Json& tree, const std::vector<std::string>& fqn);

// The key of dbt_project.yml holding the folder configs of `type` ("models", "seeds",
// "snapshots", "data_tests", "sources", "analyses").
std::string_view ProjectConfigKey(ResourceType type);

}  // namespace atl::transform
