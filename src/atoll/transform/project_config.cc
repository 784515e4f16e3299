#include "atoll/transform/project_config.h"

namespace atl::transform {

namespace {

// Configs whose value is a mapping (so a mapping under such a key is not a subfolder).
bool IsDictConfig(std::string_view key) {
  static const char* kKeys[] = {
      "meta",      "docs",         "persist_docs", "grants",
      "quoting",   "column_types", "contract",     "snapshot_meta_column_names",
      "freshness", "labels"};
  for (const char* k : kKeys) {
    if (key == k) return true;
  }
  return false;
}

Json AsList(const Json& v) {
  if (v.is_null()) return Json::array();
  if (v.is_array()) return v;
  return Json::array({v});
}

// The configs written at one level of the tree (not its subfolders).
Json LevelConfigs(const Json& level) {
  Json out = Json::object();
  if (!level.is_object()) return out;
  for (const auto& [key, value] : level.items()) {
    if (!key.empty() && key[0] == '+') {
      out[key.substr(1)] = value;
    } else if (!value.is_object() || IsDictConfig(key)) {
      out[key] = value;
    }
  }
  return out;
}

}  // namespace

Json DefaultConfig(ResourceType type) {
  Json c = {{"enabled", true}, {"tags", Json::array()}, {"meta", Json::object()}};
  switch (type) {
    case ResourceType::kModel:
      c["materialized"] = "view";
      c["on_schema_change"] = "ignore";
      c["persist_docs"] = Json::object();
      c["full_refresh"] = nullptr;
      break;
    case ResourceType::kSeed:
      c["materialized"] = "seed";
      c["quote_columns"] = nullptr;
      c["column_types"] = Json::object();
      break;
    case ResourceType::kSnapshot:
      c["materialized"] = "snapshot";
      break;
    case ResourceType::kTest:
      c["materialized"] = "test";
      c["severity"] = "ERROR";
      c["warn_if"] = "!= 0";
      c["error_if"] = "!= 0";
      c["fail_calc"] = "count(*)";
      c["store_failures"] = nullptr;
      c["where"] = nullptr;
      c["limit"] = nullptr;
      break;
    case ResourceType::kAnalysis:
      c["materialized"] = "view";
      break;
    case ResourceType::kSource:
    case ResourceType::kMacro:
      c = {{"enabled", true}};
      break;
  }
  return c;
}

void MergeConfig(Json& into, const Json& from) {
  if (!from.is_object()) return;
  for (const auto& [key, value] : from.items()) {
    if (key == "tags") {
      Json merged = AsList(into.contains("tags") ? into["tags"] : Json());
      for (const auto& t : AsList(value)) {
        if (std::find(merged.begin(), merged.end(), t) == merged.end()) merged.push_back(t);
      }
      into["tags"] = merged;
    } else if ((key == "meta" || key == "grants" || key == "docs" || key == "persist_docs") &&
               value.is_object() && into.contains(key) && into[key].is_object()) {
      for (const auto& [k, v] : value.items()) into[key][k] = v;
    } else if ((key == "pre-hook" || key == "post-hook" || key == "pre_hook" ||
                key == "post_hook")) {
      const std::string canonical = key.rfind("pre", 0) == 0 ? "pre-hook" : "post-hook";
      Json merged = AsList(into.contains(canonical) ? into[canonical] : Json());
      for (const auto& h : AsList(value)) merged.push_back(h);
      into[canonical] = merged;
    } else {
      into[key] = value;
    }
  }
}

Json FolderConfig(const Json& tree, const std::vector<std::string>& fqn) {
  Json out = Json::object();
  const Json* level = &tree;
  MergeConfig(out, LevelConfigs(*level));
  for (const auto& part : fqn) {
    if (!level->is_object()) break;
    auto it = level->find(part);
    if (it == level->end() || !it->is_object() || IsDictConfig(part)) break;
    level = &*it;
    MergeConfig(out, LevelConfigs(*level));
  }
  return out;
}

std::string_view ProjectConfigKey(ResourceType type) {
  switch (type) {
    case ResourceType::kModel:
      return "models";
    case ResourceType::kSeed:
      return "seeds";
    case ResourceType::kSnapshot:
      return "snapshots";
    case ResourceType::kTest:
      return "data_tests";
    case ResourceType::kSource:
      return "sources";
    case ResourceType::kAnalysis:
      return "analyses";
    case ResourceType::kMacro:
      return "macros";
  }
  return "";
}

}  // namespace atl::transform
