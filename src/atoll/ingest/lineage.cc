#include "atoll/ingest/lineage.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "atoll/ingest/source_check.h"

namespace atl::lake {

std::string BatchHash(const std::vector<SourceFile>& sources) {
  uint64_t a = 0xcbf29ce484222325ull, b = 0x84222325cbf29ce4ull;
  auto mix = [&](std::string_view s) {
    for (unsigned char c : s) {
      a = (a ^ c) * 0x100000001b3ull;
      b = (b ^ c) * 0x100000001b3ull + 0x9e3779b97f4a7c15ull;
    }
    a = (a ^ 0xff) * 0x100000001b3ull;
    b = (b ^ 0xfe) * 0x100000001b3ull;
  };
  for (const SourceFile& s : sources) {
    mix(s.key);
    mix(std::to_string(s.size));
    mix(s.etag);
  }
  char out[33];
  std::snprintf(out, sizeof(out), "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return out;
}

std::string LineageJson(const std::vector<SourceFile>& sources) {
  nlohmann::json list = nlohmann::json::array();
  for (const SourceFile& s : sources)
    list.push_back({{"key", s.key}, {"size", s.size}, {"etag", s.etag}});
  return nlohmann::json{{"sources", list}}.dump(-1, ' ', false,
                                                nlohmann::json::error_handler_t::replace);
}

std::vector<SourceFile> ConvertedSources(engine::Engine& engine, const std::string& root_uri,
                                         const std::vector<storage::ObjectInfo>& loads,
                                         const std::vector<storage::ObjectInfo>& raw) {
  std::map<std::string, const storage::ObjectInfo*> raw_by_key;
  for (const storage::ObjectInfo& o : raw) raw_by_key[o.key] = &o;
  std::vector<SourceFile> converted;
  for (const storage::ObjectInfo& o : loads) {
    const std::string name = o.key.substr(o.key.rfind('/') + 1);
    if (name.rfind("prepared-", 0) != 0 || !GlobReason(o.key).empty()) continue;
    Result<engine::QueryResult> kv =
        engine.Query(StrCat("SELECT decode(value) FROM parquet_kv_metadata(",
                            engine::QuoteString(StrCat(root_uri, "/", o.key)),
                            ") WHERE decode(key) = ", engine::QuoteString(kLineageMetadataKey)));
    if (!kv.ok() || kv->rows.empty() || !kv->rows[0][0]) continue;
    nlohmann::json lineage = nlohmann::json::parse(*kv->rows[0][0], nullptr, false);
    if (!lineage.is_object() || !lineage.contains("sources")) continue;
    for (const nlohmann::json& s : lineage["sources"]) {
      auto it = raw_by_key.find(s.value("key", ""));
      if (it != raw_by_key.end() && it->second->etag == s.value("etag", "") &&
          it->second->size == s.value("size", uint64_t{0})) {
        converted.push_back({it->second->key, it->second->size, it->second->etag});
      }
    }
  }
  return converted;
}

}  // namespace atl::lake
