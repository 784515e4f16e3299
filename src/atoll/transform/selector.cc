#include "atoll/transform/selector.h"

#include <algorithm>
#include <cctype>

namespace atl::transform {

namespace {

using IdSet = std::set<std::string>;

// Whether the one-character pattern at p[pi] ('?', a [class] or a literal) matches `c`;
// `next` is set to the position after it.
bool MatchOne(std::string_view p, size_t pi, char c, size_t& next) {
  if (p[pi] == '?') {
    next = pi + 1;
    return true;
  }
  if (p[pi] == '[') {
    const size_t close = p.find(']', pi + 2);
    if (close != std::string_view::npos) {
      std::string_view set = p.substr(pi + 1, close - pi - 1);
      const bool negate = !set.empty() && set[0] == '!';
      if (negate) set.remove_prefix(1);
      bool hit = false;
      for (size_t k = 0; k < set.size(); ++k) {
        if (k + 2 < set.size() && set[k + 1] == '-') {
          hit = hit || (c >= set[k] && c <= set[k + 2]);
          k += 2;
        } else {
          hit = hit || c == set[k];
        }
      }
      next = close + 1;
      return hit != negate;
    }
  }
  next = pi + 1;
  return p[pi] == c;
}

// Iterative matching with backtracking to the last '*' only: linear in practice, never
// exponential, whatever the pattern.
bool GlobMatchImpl(std::string_view p, std::string_view t) {
  size_t pi = 0;
  size_t ti = 0;
  size_t star = std::string_view::npos;
  size_t star_t = 0;
  while (ti < t.size()) {
    size_t next = 0;
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      star_t = ti;
    } else if (pi < p.size() && MatchOne(p, pi, t[ti], next)) {
      pi = next;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++star_t;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

bool HasWildcard(std::string_view s) { return s.find_first_of("*?[]") != std::string_view::npos; }

std::vector<std::string> Split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    const size_t at = s.find(sep, start);
    out.emplace_back(
        s.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return out;
}

// dbt's fqn matching: the leaf name, or a dotted prefix of the fqn whose first wildcard
// part matches the rest of the fqn as one glob.
bool FqnSelected(const std::vector<std::string>& fqn, const std::string& selector) {
  if (fqn.empty()) return false;
  if (fqn.back() == selector) return true;
  std::vector<std::string> flat;
  for (const auto& part : fqn) {
    for (auto& piece : Split(part, '.')) flat.push_back(std::move(piece));
  }
  const std::vector<std::string> parts = Split(selector, '.');
  if (flat.size() < parts.size()) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (HasWildcard(parts[i])) {
      std::string rest_fqn;
      std::string rest_sel;
      for (size_t k = i; k < flat.size(); ++k) rest_fqn += (k > i ? "." : "") + flat[k];
      for (size_t k = i; k < parts.size(); ++k) rest_sel += (k > i ? "." : "") + parts[k];
      return GlobMatch(rest_sel, rest_fqn);
    }
    if (flat[i] != parts[i]) return false;
  }
  return true;
}

std::string Normalize(std::string path) {
  while (path.rfind("./", 0) == 0) path = path.substr(2);
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

// The path method: the node's file, its properties file, or a folder above its file.
bool PathSelected(const Node& n, const std::string& selector) {
  const std::string sel = Normalize(selector);
  // Path.glob: '*' does not cross '/': compare segment by segment.
  auto match = [&](const std::string& path) {
    const auto a = Split(sel, '/');
    const auto b = Split(path, '/');
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!GlobMatch(a[i], b[i])) return false;
    }
    return true;
  };
  if (match(n.original_file_path)) return true;
  if (!n.patch_path.empty()) {
    const size_t scheme = n.patch_path.find("://");
    if (scheme != std::string::npos && match(n.patch_path.substr(scheme + 3))) return true;
  }
  std::string dir = n.original_file_path;
  while (true) {
    const size_t slash = dir.rfind('/');
    if (slash == std::string::npos) break;
    dir.resize(slash);
    if (match(dir)) return true;
  }
  return false;
}

bool FileSelected(const Node& n, const std::string& selector) {
  const size_t slash = n.original_file_path.rfind('/');
  const std::string name =
      slash == std::string::npos ? n.original_file_path : n.original_file_path.substr(slash + 1);
  const size_t dot = name.rfind('.');
  return GlobMatch(selector, name) ||
         (dot != std::string::npos && GlobMatch(selector, name.substr(0, dot)));
}

bool ConfigSelected(const Node& n, const std::vector<std::string>& keys, const std::string& value) {
  const Json* v = &n.config;
  for (const auto& k : keys) {
    if (!v->is_object()) return false;
    auto it = v->find(k);
    if (it == v->end()) return false;
    v = &*it;
  }
  std::string lower = value;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto equal = [&](const Json& x) {
    if (x.is_string()) {
      std::string s = x.get<std::string>();
      if (keys.size() == 1 && keys[0] == "severity") {
        std::string a = s;
        std::string b = value;
        for (char& c : a) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        for (char& c : b) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        return a == b;
      }
      return s == value;
    }
    if (x.is_boolean())
      return (lower == "true" && x.get<bool>()) || (lower == "false" && !x.get<bool>());
    return false;
  };
  if (v->is_array()) {
    for (const auto& item : *v) {
      if (equal(item)) return true;
    }
    return false;
  }
  return equal(*v);
}

struct Criterion {
  bool childrens_parents = false;
  int parents = 0;  // 0: none; -1: all
  int children = 0;
  std::string method;                    // "fqn", "config", …
  std::vector<std::string> method_args;  // config.a.b → {"a", "b"}
  std::string value;
  std::string raw;
};

Result<Criterion> ParseCriterion(const std::string& raw) {
  Criterion c;
  c.raw = raw;
  std::string s = raw;
  if (!s.empty() && s[0] == '@') {
    c.childrens_parents = true;
    s = s.substr(1);
  }
  size_t i = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
  if (i < s.size() && s[i] == '+') {
    c.parents = i == 0 ? -1 : std::stoi(s.substr(0, std::min<size_t>(i, 6)));
    s = s.substr(i + 1);
  }
  size_t j = s.size();
  while (j > 0 && std::isdigit(static_cast<unsigned char>(s[j - 1]))) --j;
  if (j > 0 && s[j - 1] == '+') {
    c.children = j == s.size() ? -1 : std::stoi(s.substr(j, 6));
    s = s.substr(0, j - 1);
  }
  if (c.childrens_parents && (c.parents != 0 || c.children != 0)) {
    return InvalidArgument("selector '", raw, "': '@' cannot be combined with '+'");
  }
  if (s.empty()) return InvalidArgument("selector '", raw, "' selects nothing");
  const size_t colon = s.find(':');
  if (colon != std::string::npos) {
    auto parts = Split(s.substr(0, colon), '.');
    c.method = parts[0];
    c.method_args.assign(parts.begin() + 1, parts.end());
    c.value = s.substr(colon + 1);
  } else {
    c.value = s;
    auto ends = [&](std::string_view e) {
      return s.size() > e.size() && s.compare(s.size() - e.size(), e.size(), e) == 0;
    };
    if (s.find('/') != std::string::npos || s.find('\\') != std::string::npos) {
      c.method = "path";
    } else if (ends(".sql") || ends(".csv") || ends(".py") || ends(".yml") || ends(".yaml")) {
      c.method = "file";
    } else {
      c.method = "fqn";
    }
  }
  static const char* kMethods[] = {"fqn",           "path",   "file",    "tag",       "config",
                                   "resource_type", "source", "package", "test_type", "test_name"};
  bool known = false;
  for (const char* m : kMethods) known = known || c.method == m;
  if (!known) {
    return InvalidArgument("unknown selector method '", c.method, "' in '", raw,
                           "' (supported: fqn, path, file, tag, config.<key>, resource_type, "
                           "source, package, test_type, test_name)");
  }
  if (c.method == "config" && c.method_args.empty()) {
    return InvalidArgument("selector '", raw, "': config needs a key (config.materialized:…)");
  }
  return c;
}

Result<IdSet> Search(const Project& project, const Criterion& c) {
  IdSet out;
  const bool parsed_only = c.method == "fqn" || c.method == "test_type" || c.method == "test_name";
  if (c.method == "resource_type" && !ParseResourceType(c.value)) {
    return InvalidArgument("selector '", c.raw, "': unknown resource type '", c.value, "'");
  }
  if (c.method == "test_type" && c.value != "generic" && c.value != "schema" &&
      c.value != "singular" && c.value != "data" && c.value != "unit") {
    return InvalidArgument("selector '", c.raw, "': test_type must be generic or singular, got '",
                           c.value, "'");
  }
  std::vector<std::string> source_parts;
  if (c.method == "source") {
    source_parts = Split(c.value, '.');
    if (source_parts.size() > 3) {
      return InvalidArgument("selector '", c.raw,
                             "': a source is source:<source>[.<table>] or "
                             "source:<package>.<source>.<table>");
    }
  }
  for (const auto* map : {&project.nodes, &project.sources}) {
    const bool sources = map == &project.sources;
    if (sources && parsed_only) continue;
    for (const auto& [id, n] : *map) {
      bool hit = false;
      if (c.method == "fqn") {
        hit = FqnSelected(n.fqn, c.value) ||
              FqnSelected(std::vector<std::string>(n.fqn.begin() + 1, n.fqn.end()), c.value);
      } else if (c.method == "path") {
        hit = PathSelected(n, c.value);
      } else if (c.method == "file") {
        hit = FileSelected(n, c.value);
      } else if (c.method == "tag") {
        for (const auto& t : n.tags()) hit = hit || GlobMatch(c.value, t);
      } else if (c.method == "config") {
        hit = ConfigSelected(n, c.method_args, c.value);
      } else if (c.method == "resource_type") {
        hit = c.value == ResourceTypeName(n.type);
      } else if (c.method == "package") {
        hit = GlobMatch(c.value, n.package);
      } else if (c.method == "source") {
        if (!sources) continue;
        std::string package = "*";
        std::string source = source_parts[0];
        std::string table = "*";
        if (source_parts.size() == 2) table = source_parts[1];
        if (source_parts.size() == 3) {
          package = source_parts[0];
          source = source_parts[1];
          table = source_parts[2];
        }
        hit = GlobMatch(package, n.package) && GlobMatch(source, n.source_name) &&
              GlobMatch(table, n.name);
      } else if (c.method == "test_type") {
        if (n.type != ResourceType::kTest) continue;
        const bool generic = n.test.has_value();
        hit = ((c.value == "generic" || c.value == "schema") && generic) ||
              ((c.value == "singular" || c.value == "data") && !generic);
      } else if (c.method == "test_name") {
        hit = n.test && GlobMatch(c.value, n.test->name);
      }
      if (hit) out.insert(id);
    }
  }
  return out;
}

struct Selection {
  IdSet direct;
  IdSet indirect;
};

bool IsTest(const Project& project, const std::string& id) {
  auto it = project.nodes.find(id);
  return it != project.nodes.end() && it->second.type == ResourceType::kTest;
}

bool AllParentsIn(const Graph& graph, const std::string& id, const IdSet& set) {
  for (const auto& p : graph.Parents(id)) {
    if (!set.count(p)) return false;
  }
  return true;
}

// dbt's expand_selection: tests that are children of selected nodes.
Selection ExpandTests(const Project& project, const Graph& graph, const IdSet& selected,
                      IndirectSelection mode) {
  Selection s{selected, {}};
  if (mode == IndirectSelection::kEmpty) return s;
  IdSet buildable;
  if (mode == IndirectSelection::kBuildable) {
    buildable = graph.Ancestors(selected);
    buildable.insert(selected.begin(), selected.end());
    for (const auto& [id, src] : project.sources) buildable.insert(id);
  }
  for (const auto& child : graph.Descendants(selected, 1)) {
    if (!IsTest(project, child)) continue;
    if (mode == IndirectSelection::kEager || AllParentsIn(graph, child, selected)) {
      s.direct.insert(child);
    } else if (mode == IndirectSelection::kBuildable && AllParentsIn(graph, child, buildable)) {
      s.direct.insert(child);
    } else {
      s.indirect.insert(child);
    }
  }
  return s;
}

IdSet Incorporate(const Project& project, const Graph& graph, const IdSet& direct,
                  const IdSet& indirect, IndirectSelection mode) {
  if (direct == indirect || mode == IndirectSelection::kEager) return direct;
  IdSet out = direct;
  if (mode == IndirectSelection::kCautious || mode == IndirectSelection::kBuildable) {
    for (const auto& id : indirect) {
      if (IsTest(project, id) && AllParentsIn(graph, id, direct)) out.insert(id);
    }
  }
  return out;
}

Result<Selection> SelectCriterion(const Project& project, const Graph& graph,
                                  const std::string& raw, IndirectSelection mode) {
  ATOLL_ASSIGN_OR_RETURN(Criterion c, ParseCriterion(raw));
  ATOLL_ASSIGN_OR_RETURN(IdSet found, Search(project, c));
  IdSet all = found;
  if (c.childrens_parents) {
    IdSet below = graph.Descendants(found);
    below.insert(found.begin(), found.end());
    IdSet above = graph.Ancestors(below);
    all.insert(below.begin(), below.end());
    all.insert(above.begin(), above.end());
  }
  if (c.parents != 0) {
    IdSet up = graph.Ancestors(found, c.parents);
    all.insert(up.begin(), up.end());
  }
  if (c.children != 0) {
    IdSet down = graph.Descendants(found, c.children);
    all.insert(down.begin(), down.end());
  }
  return ExpandTests(project, graph, all, mode);
}

IdSet Intersect(const IdSet& a, const IdSet& b) {
  IdSet out;
  std::set_intersection(a.begin(), a.end(), b.begin(), b.end(), std::inserter(out, out.end()));
  return out;
}

// The union of the specs of `values` (each split on spaces).
Result<Selection> SelectUnion(const Project& project, const Graph& graph,
                              const std::vector<std::string>& values, IndirectSelection mode) {
  Selection total;
  IdSet total_all;
  for (const auto& value : values) {
    for (const auto& spec : Split(value, ' ')) {
      if (spec.empty()) continue;
      Selection inter;
      IdSet inter_all;
      bool first = true;
      for (const auto& raw : Split(spec, ',')) {
        if (raw.empty()) return InvalidArgument("selector '", spec, "' has an empty criterion");
        ATOLL_ASSIGN_OR_RETURN(Selection s, SelectCriterion(project, graph, raw, mode));
        IdSet s_all = s.direct;
        s_all.insert(s.indirect.begin(), s.indirect.end());
        if (first) {
          inter.direct = s.direct;
          inter_all = s_all;
          first = false;
        } else {
          inter.direct = Intersect(inter.direct, s.direct);
          inter_all = Intersect(inter_all, s_all);
        }
      }
      inter.direct = Incorporate(project, graph, inter.direct, inter_all, mode);
      total.direct.insert(inter.direct.begin(), inter.direct.end());
      total_all.insert(inter_all.begin(), inter_all.end());
    }
  }
  total.indirect = total_all;
  total.direct = Incorporate(project, graph, total.direct, total_all, mode);
  return total;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  return GlobMatchImpl(pattern, text);
}

Result<std::vector<std::string>> SelectNodes(const Project& project, const Graph& graph,
                                             const SelectionOptions& options) {
  const std::vector<std::string>& select =
      options.select.empty() ? options.default_select : options.select;
  ATOLL_ASSIGN_OR_RETURN(Selection chosen, SelectUnion(project, graph, select, options.indirect));
  IdSet result = chosen.direct;
  if (!options.exclude.empty()) {
    ATOLL_ASSIGN_OR_RETURN(Selection excluded,
                           SelectUnion(project, graph, options.exclude, options.indirect));
    for (const auto& id : excluded.direct) result.erase(id);
  }
  std::set<ResourceType> types;
  for (const auto& t : options.resource_types) {
    if (t == "all" || t == "default") {
      types.clear();
      break;
    }
    auto rt = ParseResourceType(t);
    if (!rt) return InvalidArgument("unknown resource type '", t, "'");
    types.insert(*rt);
  }
  std::vector<std::string> out;
  for (const auto& id : result) {
    const Node* n = project.Find(id);
    if (!n) continue;
    if (!types.empty() && !types.count(n->type)) continue;
    out.push_back(id);
  }
  return out;
}

}  // namespace atl::transform
