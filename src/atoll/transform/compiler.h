// Compiling a dbt project's nodes to SQL (docs/transform.md, "Compile"): each model,
// snapshot, test or analysis is rendered with the dbt context (dbt_context.h) and the
// ephemeral models it references are inlined as CTEs named __dbt__cte__<name>, in
// dependency order, as dbt does (`with __dbt__cte__a as (\n…\n)select …`, or added in
// front of the SQL's own `with`).
//
// Thread safety: one Compiler compiles one node at a time.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "atoll/transform/dbt_context.h"
#include "atoll/transform/project.h"

namespace atl::transform {

struct CompiledNode {
  std::string unique_id;
  std::string sql;                      // ephemeral CTEs included
  std::vector<std::string> ephemerals;  // unique ids of the inlined models, in CTE order
  std::string path;                     // where dbt writes it: "target/compiled/<project>/<file>"
};

class Compiler {
 public:
  // `project` must outlive the compiler.
  static Result<std::unique_ptr<Compiler>> Create(const Project& project,
                                                  DbtContextOptions options = {});

  // Compiles the node `unique_id` (not a seed or source): kInvalidArgument
  // "<file>:<line>: …" when its Jinja fails.
  Result<CompiledNode> Compile(const std::string& unique_id);

 private:
  explicit Compiler(const Project& project) : project_(project) {}
  // The node's SQL before CTEs are injected (memoised: ephemerals are shared).
  Result<const RenderedNode*> Rendered(const Node& node);
  // Appends, dependencies first, the ephemerals `ids` need to `order`.
  Status CollectEphemerals(const std::vector<std::string>& ids, std::vector<std::string>& order,
                           int depth);

  const Project& project_;
  std::unique_ptr<DbtContext> context_;
  std::map<std::string, RenderedNode> rendered_;
};

// Adds the CTEs (" __dbt__cte__x as (\n…\n)" each) to `sql` as dbt does: after its
// leading `with` (then followed by a comma), else behind a new `with` in front of its
// first word.
std::string InjectCtes(const std::string& sql, const std::vector<std::string>& ctes);

// "target/compiled/<project>/<original_file_path>" (generic tests:
// ".../<properties file>/<test name>.sql"), as dbt names compiled files.
std::string CompiledPath(const Project& project, const Node& node);

}  // namespace atl::transform
