#include "atoll/iceberg/view_metadata.h"

#include <algorithm>
#include <set>

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg {

namespace {

bool SameDialect(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// Problems of one version's representations (empty when fine).
std::string RepresentationProblem(const ViewVersion& v) {
  if (v.representations.empty()) return StrCat("version ", v.version_id, " has no representations");
  for (size_t i = 0; i < v.representations.size(); ++i) {
    const ViewRepresentation& r = v.representations[i];
    if (r.type != "sql") continue;
    if (r.dialect.empty()) return StrCat("version ", v.version_id, " has a SQL without dialect");
    for (size_t k = 0; k < i; ++k) {
      const ViewRepresentation& other = v.representations[k];
      if (other.type == "sql" && SameDialect(other.dialect, r.dialect)) {
        return StrCat("version ", v.version_id, " has two SQL representations of dialect '",
                      r.dialect, "'");
      }
    }
  }
  return "";
}

Json RepresentationToJson(const ViewRepresentation& r) {
  if (r.type != "sql") {
    auto parsed = json::Parse(r.raw, "a view representation");
    if (parsed.ok()) return *parsed;
  }
  Json j = Json::object();
  j["type"] = r.type;
  j["sql"] = r.sql;
  j["dialect"] = r.dialect;
  return j;
}

Json VersionToJson(const ViewVersion& v) {
  Json j = Json::object();
  j["version-id"] = v.version_id;
  j["schema-id"] = v.schema_id;
  j["timestamp-ms"] = v.timestamp_ms;
  j["summary"] = Json(v.summary);
  Json reps = Json::array();
  for (const ViewRepresentation& r : v.representations) reps.push_back(RepresentationToJson(r));
  j["representations"] = std::move(reps);
  if (v.default_catalog) j["default-catalog"] = *v.default_catalog;
  j["default-namespace"] = Json(v.default_namespace);
  return j;
}

// Readers of the members; their errors are made kCorruption by Parse.
Result<ViewRepresentation> RepresentationFromJson(const Json& j, std::string_view ctx) {
  if (!j.is_object()) return InvalidArgument(ctx, ": a representation must be an object");
  ViewRepresentation r;
  ATOLL_ASSIGN_OR_RETURN(r.type, json::String(j, "type", ctx));
  if (r.type != "sql") {
    r.raw = j.dump();
    return r;
  }
  ATOLL_ASSIGN_OR_RETURN(r.sql, json::String(j, "sql", ctx));
  ATOLL_ASSIGN_OR_RETURN(r.dialect, json::String(j, "dialect", ctx));
  return r;
}

Result<ViewVersion> VersionFromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("a version must be an object");
  ViewVersion v;
  ATOLL_ASSIGN_OR_RETURN(v.version_id, json::Int32(j, "version-id", "a version"));
  const std::string ctx = StrCat("version ", v.version_id);
  ATOLL_ASSIGN_OR_RETURN(v.schema_id, json::Int32(j, "schema-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(v.timestamp_ms, json::Int64(j, "timestamp-ms", ctx));
  ATOLL_ASSIGN_OR_RETURN(const Json* summary, json::Member(j, "summary", ctx));
  if (!summary->is_object()) return InvalidArgument(ctx, ": 'summary' must be an object");
  ATOLL_ASSIGN_OR_RETURN(v.summary, json::StringMap(j, "summary", ctx));
  ATOLL_ASSIGN_OR_RETURN(const Json* reps, json::Member(j, "representations", ctx));
  if (!reps->is_array()) return InvalidArgument(ctx, ": 'representations' must be a list");
  for (const Json& r : *reps) {
    ATOLL_ASSIGN_OR_RETURN(ViewRepresentation rep, RepresentationFromJson(r, ctx));
    v.representations.push_back(std::move(rep));
  }
  ATOLL_ASSIGN_OR_RETURN(v.default_catalog, json::OptString(j, "default-catalog", ctx));
  ATOLL_ASSIGN_OR_RETURN(const Json* ns, json::Member(j, "default-namespace", ctx));
  if (!ns->is_array()) return InvalidArgument(ctx, ": 'default-namespace' must be a list");
  for (const Json& level : *ns) {
    if (!level.is_string()) return InvalidArgument(ctx, ": 'default-namespace' holds a non-string");
    v.default_namespace.push_back(level.get<std::string>());
  }
  return v;
}

Result<ViewMetadata> FromJson(const Json& j) {
  if (!j.is_object()) return InvalidArgument("view metadata must be a JSON object");
  constexpr std::string_view kCtx = "view metadata";
  ViewMetadata m;
  ATOLL_ASSIGN_OR_RETURN(m.format_version, json::Int32(j, "format-version", kCtx));
  if (m.format_version != ViewMetadata::kFormatVersion) {
    return InvalidArgument("view format-version ", m.format_version, " is not 1");
  }
  ATOLL_ASSIGN_OR_RETURN(m.view_uuid, json::String(j, "view-uuid", kCtx));
  ATOLL_ASSIGN_OR_RETURN(m.location, json::String(j, "location", kCtx));
  ATOLL_ASSIGN_OR_RETURN(m.current_version_id, json::Int32(j, "current-version-id", kCtx));
  ATOLL_ASSIGN_OR_RETURN(m.properties, json::StringMap(j, "properties", kCtx));
  ATOLL_ASSIGN_OR_RETURN(const Json* schemas, json::Member(j, "schemas", kCtx));
  if (!schemas->is_array()) return InvalidArgument("'schemas' must be a list");
  for (const Json& s : *schemas) {
    ATOLL_ASSIGN_OR_RETURN(Schema schema, Schema::FromJson(s));
    m.schemas.push_back(std::move(schema));
  }
  ATOLL_ASSIGN_OR_RETURN(const Json* versions, json::Member(j, "versions", kCtx));
  if (!versions->is_array()) return InvalidArgument("'versions' must be a list");
  for (const Json& v : *versions) {
    ATOLL_ASSIGN_OR_RETURN(ViewVersion version, VersionFromJson(v));
    m.versions.push_back(std::move(version));
  }
  ATOLL_ASSIGN_OR_RETURN(const Json* log, json::Member(j, "version-log", kCtx));
  if (!log->is_array()) return InvalidArgument("'version-log' must be a list");
  for (const Json& e : *log) {
    if (!e.is_object()) return InvalidArgument("a version-log entry must be an object");
    ViewLogEntry entry;
    ATOLL_ASSIGN_OR_RETURN(entry.timestamp_ms, json::Int64(e, "timestamp-ms", "version-log"));
    ATOLL_ASSIGN_OR_RETURN(entry.version_id, json::Int32(e, "version-id", "version-log"));
    m.version_log.push_back(entry);
  }
  return m;
}

int32_t HistoryEntries(const std::map<std::string, std::string>& properties, Status* st) {
  auto it = properties.find(std::string(ViewMetadata::kHistoryEntries));
  if (it == properties.end()) return 10;
  int32_t n = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9' || n > 100000) {
      n = 0;
      break;
    }
    n = n * 10 + (c - '0');
  }
  if (n < 1) {
    *st = InvalidArgument("view property ", ViewMetadata::kHistoryEntries,
                          " must be a positive integer, got '", it->second, "'");
  }
  return n;
}

// Drops the oldest versions beyond the history size, their log entries and unused schemas.
void Expire(ViewMetadata* m, int32_t keep) {
  if (static_cast<int32_t>(m->versions.size()) <= keep) return;
  std::vector<ViewVersion> sorted = m->versions;
  std::sort(sorted.begin(), sorted.end(),
            [](const ViewVersion& a, const ViewVersion& b) { return a.version_id > b.version_id; });
  std::set<int32_t> kept = {m->current_version_id};
  for (const ViewVersion& v : sorted) {
    if (static_cast<int32_t>(kept.size()) >= keep) break;
    kept.insert(v.version_id);
  }
  std::erase_if(m->versions, [&](const ViewVersion& v) { return !kept.count(v.version_id); });
  std::erase_if(m->version_log, [&](const ViewLogEntry& e) { return !kept.count(e.version_id); });
  std::set<int32_t> used;
  for (const ViewVersion& v : m->versions) used.insert(v.schema_id);
  std::erase_if(m->schemas, [&](const Schema& s) { return !used.count(s.schema_id()); });
}

Status CheckSpec(const ViewVersionSpec& spec) {
  ViewVersion probe;
  probe.representations = spec.representations;
  const std::string problem = RepresentationProblem(probe);
  if (!problem.empty()) return InvalidArgument("the new view ", problem);
  return Status::OK();
}

}  // namespace

const ViewRepresentation* ViewVersion::SqlFor(std::string_view dialect) const {
  for (const ViewRepresentation& r : representations) {
    if (r.type == "sql" && SameDialect(r.dialect, dialect)) return &r;
  }
  return nullptr;
}

const ViewVersion* ViewMetadata::VersionById(int32_t id) const {
  for (const ViewVersion& v : versions) {
    if (v.version_id == id) return &v;
  }
  return nullptr;
}

const Schema* ViewMetadata::SchemaById(int32_t id) const {
  for (const Schema& s : schemas) {
    if (s.schema_id() == id) return &s;
  }
  return nullptr;
}

const Schema* ViewMetadata::CurrentSchema() const {
  const ViewVersion* v = CurrentVersion();
  return v == nullptr ? nullptr : SchemaById(v->schema_id);
}

Status ViewMetadata::Validate(std::string_view what) const {
  auto bad = [&](auto&&... parts) { return Corruption(what, ": ", parts...); };
  if (format_version != kFormatVersion) return bad("view format-version ", format_version);
  if (view_uuid.empty()) return bad("empty view-uuid");
  if (location.empty()) return bad("empty location");
  std::set<int32_t> ids;
  for (const Schema& s : schemas) {
    if (!ids.insert(s.schema_id()).second) return bad("two schemas with id ", s.schema_id());
  }
  ids.clear();
  for (const ViewVersion& v : versions) {
    if (!ids.insert(v.version_id).second) return bad("two versions with id ", v.version_id);
    if (SchemaById(v.schema_id) == nullptr) {
      return bad("version ", v.version_id, " names schema ", v.schema_id, ", which is not listed");
    }
    const std::string problem = RepresentationProblem(v);
    if (!problem.empty()) return bad(problem);
  }
  if (CurrentVersion() == nullptr) {
    return bad("current-version-id ", current_version_id, " names no listed version");
  }
  for (const ViewLogEntry& e : version_log) {
    if (VersionById(e.version_id) == nullptr) {
      return bad("version-log names version ", e.version_id, ", which is not listed");
    }
  }
  return Status::OK();
}

Result<ViewMetadata> ViewMetadata::Parse(std::string_view text, std::string_view what) {
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(text, what));
  Result<ViewMetadata> m = FromJson(j);
  if (!m.ok()) return Corruption(what, ": ", m.status().message());
  ATOLL_RETURN_NOT_OK(m->Validate(what));
  return m;
}

Result<std::string> ViewMetadata::ToJsonString() const {
  if (Status st = Validate("view metadata"); !st.ok()) return InvalidArgument(st.message());
  Json j = Json::object();
  j["format-version"] = format_version;
  j["view-uuid"] = view_uuid;
  j["location"] = location;
  j["current-version-id"] = current_version_id;
  if (!properties.empty()) j["properties"] = Json(properties);
  Json s = Json::array();
  for (const Schema& schema : schemas) s.push_back(schema.ToJson());
  j["schemas"] = std::move(s);
  Json v = Json::array();
  for (const ViewVersion& version : versions) v.push_back(VersionToJson(version));
  j["versions"] = std::move(v);
  Json log = Json::array();
  for (const ViewLogEntry& e : version_log) {
    Json entry = Json::object();
    entry["timestamp-ms"] = e.timestamp_ms;
    entry["version-id"] = e.version_id;
    log.push_back(std::move(entry));
  }
  j["version-log"] = std::move(log);
  return json::Dump(j);
}

bool ViewMetadata::operator==(const ViewMetadata& o) const {
  return format_version == o.format_version && view_uuid == o.view_uuid && location == o.location &&
         schemas == o.schemas && current_version_id == o.current_version_id &&
         versions == o.versions && version_log == o.version_log && properties == o.properties;
}

Result<ViewMetadata> NewViewMetadata(std::string location, const ViewVersionSpec& version,
                                     std::map<std::string, std::string> properties,
                                     std::string view_uuid, int64_t now_ms) {
  if (location.empty()) return InvalidArgument("a new view needs a location");
  if (view_uuid.empty()) return InvalidArgument("a new view needs a uuid");
  ATOLL_RETURN_NOT_OK(CheckSpec(version));
  Status st;
  HistoryEntries(properties, &st);
  ATOLL_RETURN_NOT_OK(st);
  while (location.size() > 1 && location.back() == '/') location.pop_back();
  ViewMetadata m;
  m.view_uuid = std::move(view_uuid);
  m.location = std::move(location);
  m.properties = std::move(properties);
  m.schemas.push_back(version.schema.WithSchemaId(0));
  ViewVersion v{.version_id = 1,
                .schema_id = 0,
                .timestamp_ms = now_ms,
                .summary = version.summary,
                .representations = version.representations,
                .default_catalog = version.default_catalog,
                .default_namespace = version.default_namespace};
  m.versions.push_back(std::move(v));
  m.current_version_id = 1;
  m.version_log.push_back({now_ms, 1});
  return m;
}

Result<ViewMetadata> ReplaceViewVersion(const ViewMetadata& base, const ViewVersionSpec& version,
                                        int64_t now_ms) {
  ATOLL_RETURN_NOT_OK(CheckSpec(version));
  Status st;
  const int32_t keep = HistoryEntries(base.properties, &st);
  ATOLL_RETURN_NOT_OK(st);
  ViewMetadata m = base;
  std::optional<int32_t> schema_id;
  int32_t highest_schema = -1, highest_version = 0;
  for (const Schema& s : m.schemas) {
    highest_schema = std::max(highest_schema, s.schema_id());
    if (!schema_id && s.SameStructure(version.schema)) schema_id = s.schema_id();
  }
  if (!schema_id) {
    schema_id = highest_schema + 1;
    m.schemas.push_back(version.schema.WithSchemaId(*schema_id));
  }
  for (const ViewVersion& v : m.versions) highest_version = std::max(highest_version, v.version_id);
  ViewVersion v{.version_id = highest_version + 1,
                .schema_id = *schema_id,
                .timestamp_ms = now_ms,
                .summary = version.summary,
                .representations = version.representations,
                .default_catalog = version.default_catalog,
                .default_namespace = version.default_namespace};
  m.current_version_id = v.version_id;
  m.versions.push_back(std::move(v));
  m.version_log.push_back({now_ms, m.current_version_id});
  Expire(&m, keep);
  return m;
}

}  // namespace atl::iceberg
