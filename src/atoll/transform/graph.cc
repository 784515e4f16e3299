#include "atoll/transform/graph.h"

#include <algorithm>
#include <deque>

namespace atl::transform {

namespace {

// A cycle among `stuck` (nodes Kahn's algorithm could not order), dependency first.
std::vector<std::string> FindCycle(const std::set<std::string>& stuck,
                                   const std::map<std::string, std::vector<std::string>>& parents) {
  // Walk parents inside `stuck` until a node repeats: every stuck node has a stuck parent.
  std::string at = *stuck.begin();
  std::vector<std::string> path;
  std::map<std::string, size_t> seen;
  while (!seen.count(at)) {
    seen[at] = path.size();
    path.push_back(at);
    std::string next;
    for (const auto& p : parents.at(at)) {
      if (stuck.count(p)) {
        next = p;
        break;
      }
    }
    if (next.empty()) break;
    at = next;
  }
  std::vector<std::string> cycle(path.begin() + seen[at], path.end());
  std::reverse(cycle.begin(), cycle.end());
  return cycle;
}

}  // namespace

Result<Graph> Graph::Build(const Project& project) {
  Graph g;
  for (const auto* map : {&project.nodes, &project.sources}) {
    for (const auto& [id, n] : *map) {
      g.ids_.push_back(id);
      g.parents_[id];
      g.children_[id];
    }
  }
  std::sort(g.ids_.begin(), g.ids_.end());
  for (const auto& [id, n] : project.nodes) {
    for (const auto& dep : n.depends_on) {
      if (!g.parents_.count(dep)) {
        return InvalidArgument(n.location().ToString(), ": ", id, " depends on unknown ", dep);
      }
      g.parents_[id].push_back(dep);
      g.children_[dep].push_back(id);
    }
  }
  for (auto& [id, c] : g.children_) std::sort(c.begin(), c.end());
  // Kahn's algorithm; the ready set is ordered so the order is deterministic.
  std::map<std::string, size_t> missing;
  std::set<std::string> ready;
  for (const auto& id : g.ids_) {
    missing[id] = g.parents_[id].size();
    if (missing[id] == 0) ready.insert(id);
  }
  while (!ready.empty()) {
    const std::string id = *ready.begin();
    ready.erase(ready.begin());
    g.order_.push_back(id);
    for (const auto& c : g.children_[id]) {
      if (--missing[c] == 0) ready.insert(c);
    }
  }
  if (g.order_.size() != g.ids_.size()) {
    std::set<std::string> stuck;
    for (const auto& [id, m] : missing) {
      if (m > 0) stuck.insert(id);
    }
    // Stuck nodes are on a cycle or below one: walking stuck parents reaches a cycle.
    const std::vector<std::string> cycle = FindCycle(stuck, g.parents_);
    std::string text;
    for (const auto& id : cycle) text += id + " -> ";
    text += cycle.front();
    const Node* last = project.Find(cycle.back());
    return InvalidArgument("dependency cycle: ", text,
                           last ? StrCat(" (see ", last->original_file_path, ")") : "");
  }
  return g;
}

const std::vector<std::string>& Graph::Parents(const std::string& id) const {
  static const std::vector<std::string> kNone;
  auto it = parents_.find(id);
  return it == parents_.end() ? kNone : it->second;
}

const std::vector<std::string>& Graph::Children(const std::string& id) const {
  static const std::vector<std::string> kNone;
  auto it = children_.find(id);
  return it == children_.end() ? kNone : it->second;
}

namespace {

std::set<std::string> Walk(const std::set<std::string>& from, int depth,
                           const std::map<std::string, std::vector<std::string>>& edges) {
  std::set<std::string> out;
  std::deque<std::pair<std::string, int>> queue;
  for (const auto& id : from) queue.emplace_back(id, 0);
  while (!queue.empty()) {
    auto [id, d] = queue.front();
    queue.pop_front();
    if (depth >= 0 && d >= depth) continue;
    auto it = edges.find(id);
    if (it == edges.end()) continue;
    for (const auto& next : it->second) {
      if (out.insert(next).second) queue.emplace_back(next, d + 1);
    }
  }
  return out;
}

}  // namespace

std::set<std::string> Graph::Ancestors(const std::set<std::string>& from, int depth) const {
  return Walk(from, depth, parents_);
}

std::set<std::string> Graph::Descendants(const std::set<std::string>& from, int depth) const {
  return Walk(from, depth, children_);
}

std::vector<std::vector<std::string>> Graph::Levels(const std::set<std::string>& selected) const {
  // reach[id]: the level the next selected node below `id` would get.
  std::map<std::string, size_t> reach;
  std::vector<std::vector<std::string>> levels;
  for (const auto& id : order_) {
    size_t level = 0;
    for (const auto& p : Parents(id)) level = std::max(level, reach[p]);
    if (selected.count(id)) {
      if (levels.size() <= level) levels.resize(level + 1);
      levels[level].push_back(id);
      reach[id] = level + 1;
    } else {
      reach[id] = level;
    }
  }
  for (auto& level : levels) std::sort(level.begin(), level.end());
  return levels;
}

}  // namespace atl::transform
