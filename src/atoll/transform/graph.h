// The DAG of a project: nodes and sources, edges from each dependency to its dependents
// (a generic test is a child of the models it tests). Built once; Build fails on a cycle
// naming it ("dependency cycle: model.p.a -> model.p.b -> model.p.a").
//
// Thread safety: immutable after Build.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "atoll/transform/project.h"

namespace atl::transform {

class Graph {
 public:
  static Result<Graph> Build(const Project& project);

  // Every node and source id, sorted.
  const std::vector<std::string>& ids() const { return ids_; }
  const std::vector<std::string>& Parents(const std::string& id) const;
  const std::vector<std::string>& Children(const std::string& id) const;

  // Ancestors / descendants of `from` (not including them unless reached through a path),
  // up to `depth` edges (-1: unlimited).
  std::set<std::string> Ancestors(const std::set<std::string>& from, int depth = -1) const;
  std::set<std::string> Descendants(const std::set<std::string>& from, int depth = -1) const;

  // The ids in a topological order (parents first; ties by id).
  const std::vector<std::string>& TopologicalOrder() const { return order_; }

  // Execution levels of `selected`: level 0 has no selected ancestor; a node is one level
  // after the deepest selected node it depends on, directly or through unselected nodes.
  // Nodes of one level can run in parallel (--threads).
  std::vector<std::vector<std::string>> Levels(const std::set<std::string>& selected) const;

 private:
  std::vector<std::string> ids_;
  std::map<std::string, std::vector<std::string>> parents_;
  std::map<std::string, std::vector<std::string>> children_;
  std::vector<std::string> order_;
};

}  // namespace atl::transform
