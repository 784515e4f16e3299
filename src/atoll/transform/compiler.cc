#include "atoll/transform/compiler.h"

#include <algorithm>
#include <cctype>

namespace atl::transform {

namespace {

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Skips whitespace and SQL comments from `i`.
size_t SkipSpaceAndComments(const std::string& s, size_t i) {
  while (i < s.size()) {
    if (IsSpace(s[i])) {
      ++i;
    } else if (s.compare(i, 2, "--") == 0) {
      const size_t nl = s.find('\n', i);
      i = nl == std::string::npos ? s.size() : nl + 1;
    } else if (s.compare(i, 2, "/*") == 0) {
      const size_t end = s.find("*/", i + 2);
      i = end == std::string::npos ? s.size() : end + 2;
    } else {
      break;
    }
  }
  return i;
}

// True when the word at `i` is `word` (case-insensitive), not part of a longer name.
bool WordAt(const std::string& s, size_t i, std::string_view word) {
  if (i + word.size() > s.size()) return false;
  for (size_t k = 0; k < word.size(); ++k) {
    if (std::tolower(static_cast<unsigned char>(s[i + k])) != word[k]) return false;
  }
  const size_t end = i + word.size();
  return end == s.size() || !(std::isalnum(static_cast<unsigned char>(s[end])) || s[end] == '_');
}

}  // namespace

std::string InjectCtes(const std::string& sql, const std::vector<std::string>& ctes) {
  if (ctes.empty()) return sql;
  std::string joined;
  for (size_t i = 0; i < ctes.size(); ++i) joined += (i ? ", " : "") + ctes[i];
  size_t i = SkipSpaceAndComments(sql, 0);
  if (WordAt(sql, i, "with")) {
    size_t after = i + 4;
    const size_t next = SkipSpaceAndComments(sql, after);
    if (WordAt(sql, next, "recursive")) after = next + 9;
    return StrCat(sql.substr(0, after), joined, ",", sql.substr(after));
  }
  size_t first = 0;  // dbt puts `with` before the first token that is not whitespace
  while (first < sql.size() && IsSpace(sql[first])) ++first;
  return StrCat(sql.substr(0, first), "with", joined, sql.substr(first));
}

std::string CompiledPath(const Project& project, const Node& node) {
  std::string path = StrCat("target/compiled/", project.name, "/", node.original_file_path);
  if (node.test) path += "/" + node.path;
  return path;
}

Result<std::unique_ptr<Compiler>> Compiler::Create(const Project& project,
                                                   DbtContextOptions options) {
  std::unique_ptr<Compiler> c(new Compiler(project));
  ATOLL_ASSIGN_OR_RETURN(c->context_, DbtContext::Create(project, std::move(options)));
  return c;
}

Result<const RenderedNode*> Compiler::Rendered(const Node& node) {
  auto it = rendered_.find(node.unique_id);
  if (it == rendered_.end()) {
    ATOLL_ASSIGN_OR_RETURN(RenderedNode r, context_->Render(node, RenderPhase::kCompile));
    it = rendered_.emplace(node.unique_id, std::move(r)).first;
  }
  return &it->second;
}

Status Compiler::CollectEphemerals(const std::vector<std::string>& ids,
                                   std::vector<std::string>& order, int depth) {
  if (depth > 100) return InvalidArgument("ephemeral models nested deeper than 100");
  for (const auto& id : ids) {
    if (std::find(order.begin(), order.end(), id) != order.end()) continue;
    const Node* n = project_.Find(id);
    if (n == nullptr) return Internal("ephemeral model ", id, " is not in the project");
    ATOLL_ASSIGN_OR_RETURN(const RenderedNode* r, Rendered(*n));
    ATOLL_RETURN_NOT_OK(CollectEphemerals(r->ephemerals, order, depth + 1));
    order.push_back(id);
  }
  return Status::OK();
}

Result<CompiledNode> Compiler::Compile(const std::string& unique_id) {
  const Node* node = project_.Find(unique_id);
  if (node == nullptr || node->type == ResourceType::kSource || node->type == ResourceType::kSeed) {
    return InvalidArgument(unique_id, " is not a model, snapshot, test or analysis");
  }
  ATOLL_ASSIGN_OR_RETURN(const RenderedNode* r, Rendered(*node));
  CompiledNode out;
  out.unique_id = unique_id;
  out.path = CompiledPath(project_, *node);
  ATOLL_RETURN_NOT_OK(CollectEphemerals(r->ephemerals, out.ephemerals, 0));
  std::vector<std::string> ctes;
  for (const auto& id : out.ephemerals) {
    const Node& e = *project_.Find(id);
    ctes.push_back(StrCat(" __dbt__cte__", e.name, " as (\n", rendered_.at(id).sql, "\n)"));
  }
  out.sql = InjectCtes(r->sql, ctes);
  return out;
}

}  // namespace atl::transform
