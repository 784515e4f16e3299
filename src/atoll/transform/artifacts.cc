#include "atoll/transform/artifacts.h"

#include <random>

#include "atoll/common/clock.h"
#include "atoll/common/version.h"

namespace atl::transform {

namespace {

std::string NewUuid(int64_t now_ms) {
  std::random_device rd;
  std::mt19937_64 gen(rd() ^ static_cast<uint64_t>(now_ms));
  const uint64_t a = gen();
  const uint64_t b = gen();
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffull));
  return buf;
}

Json MetadataJson(const ArtifactMetadata& meta, const char* schema, int64_t now_ms,
                  const std::string& invocation_id) {
  return {{"dbt_schema_version", schema},
          {"dbt_version", StrCat("atoll-", kVersion)},
          {"generated_at", DbtTimestamp(now_ms)},
          {"invocation_id", invocation_id},
          {"env", Json::object()}};
}

Json ColumnsJson(const std::vector<Column>& columns) {
  Json out = Json::object();
  for (const auto& c : columns) {
    out[c.name] = {{"name", c.name},
                   {"description", c.description},
                   {"meta", c.meta},
                   {"data_type", c.data_type ? Json(*c.data_type) : Json(nullptr)},
                   {"constraints", Json::array()},
                   {"quote", nullptr},
                   {"tags", c.tags}};
  }
  return out;
}

Json NodeJson(const Node& n, double created_at) {
  Json j = {{"database", n.database},
            {"schema", n.schema},
            {"name", n.name},
            {"resource_type", ResourceTypeName(n.type)},
            {"package_name", n.package},
            {"path", n.path},
            {"original_file_path", n.original_file_path},
            {"unique_id", n.unique_id},
            {"fqn", n.fqn},
            {"alias", n.alias},
            {"checksum", {{"name", "sha256"}, {"checksum", n.checksum}}},
            {"config", n.config},
            {"tags", n.tags()},
            {"description", n.description},
            {"columns", ColumnsJson(n.columns)},
            {"meta", n.meta},
            {"group", nullptr},
            {"docs", {{"show", true}, {"node_color", nullptr}}},
            {"patch_path", n.patch_path.empty() ? Json(nullptr) : Json(n.patch_path)},
            {"build_path", nullptr},
            {"unrendered_config", Json::object()},
            {"created_at", created_at},
            {"relation_name", RelationName(n)},
            {"raw_code", n.raw_code}};
  Json macros = n.depends_on_macros;
  if (n.type == ResourceType::kSeed) {
    j["root_path"] = nullptr;
    j["depends_on"] = {{"macros", macros}};
    return j;
  }
  j["language"] = "sql";
  Json refs = Json::array();
  for (const auto& r : n.parse.refs) {
    refs.push_back({{"name", r.name},
                    {"package", r.package.empty() ? Json(nullptr) : Json(r.package)},
                    {"version", r.version ? Json(*r.version) : Json(nullptr)}});
  }
  Json sources = Json::array();
  for (const auto& s : n.parse.sources) sources.push_back({s.source, s.table});
  j["refs"] = refs;
  j["sources"] = sources;
  j["metrics"] = Json::array();
  j["depends_on"] = {{"macros", macros}, {"nodes", n.depends_on}};
  j["compiled_path"] = nullptr;
  j["contract"] = {{"enforced", false}, {"alias_types", true}, {"checksum", nullptr}};
  if (n.type == ResourceType::kModel) {
    j["access"] = "protected";
    j["constraints"] = Json::array();
    j["version"] = nullptr;
    j["latest_version"] = nullptr;
    j["deprecation_date"] = nullptr;
    j["primary_key"] = Json::array();
  }
  if (n.type == ResourceType::kTest && n.test) {
    j["column_name"] = n.column_name.empty() ? Json(nullptr) : Json(n.column_name);
    j["file_key_name"] = nullptr;
    j["attached_node"] = n.attached_node.empty() ? Json(nullptr) : Json(n.attached_node);
    j["test_metadata"] = {
        {"name", n.test->name},
        {"kwargs", n.test->kwargs},
        {"namespace",
         n.test->test_namespace.empty() ? Json(nullptr) : Json(n.test->test_namespace)}};
  }
  return j;
}

Json SourceJson(const Node& n, double created_at) {
  return {{"database", n.database},
          {"schema", n.schema},
          {"name", n.name},
          {"resource_type", "source"},
          {"package_name", n.package},
          {"path", n.path},
          {"original_file_path", n.original_file_path},
          {"unique_id", n.unique_id},
          {"fqn", n.fqn},
          {"source_name", n.source_name},
          {"source_description", n.source_description},
          {"loader", n.loader},
          {"identifier", n.identifier},
          {"description", n.description},
          {"columns", ColumnsJson(n.columns)},
          {"meta", n.meta},
          {"source_meta", n.source_meta},
          {"tags", n.tags()},
          {"config", n.config},
          {"patch_path", nullptr},
          {"unrendered_config", Json::object()},
          {"relation_name", RelationName(n)},
          {"created_at", created_at}};
}

Json MacroJson(const Macro& m, double created_at) {
  return {{"name", m.name},
          {"resource_type", "macro"},
          {"package_name", m.package},
          {"path", m.path},
          {"original_file_path", m.original_file_path},
          {"unique_id", m.unique_id},
          {"macro_sql", m.macro_sql},
          {"depends_on", {{"macros", Json::array()}}},
          {"description", m.description},
          {"meta", Json::object()},
          {"docs", {{"show", true}, {"node_color", nullptr}}},
          {"patch_path", nullptr},
          {"arguments", Json::array()},
          {"created_at", created_at},
          {"supported_languages", nullptr}};
}

}  // namespace

std::string DbtTimestamp(int64_t ms) {
  std::string iso = IsoTimeMs(ms);  // "2026-12-04T20:00:00.000Z"
  if (!iso.empty() && iso.back() == 'Z') iso.insert(iso.size() - 1, "000");
  return iso;
}

std::string DoubleQuoted(const std::string& name) {
  std::string out = "\"";
  for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string QuotedRelation(const std::string& database, const std::string& schema,
                           const std::string& identifier) {
  return StrCat(DoubleQuoted(database), ".", DoubleQuoted(schema), ".", DoubleQuoted(identifier));
}

std::string RelationName(const Node& n) {
  return QuotedRelation(n.database, n.schema,
                        n.type == ResourceType::kSource ? n.identifier : n.alias);
}

Json ManifestJson(const Project& project, const Graph& graph, const ArtifactMetadata& meta) {
  const int64_t now = meta.generated_at_ms ? meta.generated_at_ms : SystemNowMs();
  const std::string invocation = meta.invocation_id.empty() ? NewUuid(now) : meta.invocation_id;
  const double created_at = static_cast<double>(now) / 1000.0;
  Json metadata = MetadataJson(meta, kManifestSchema, now, invocation);
  metadata["project_name"] = project.name;
  metadata["adapter_type"] = "atoll";
  Json nodes = Json::object();
  for (const auto& [id, n] : project.nodes) nodes[id] = NodeJson(n, created_at);
  Json sources = Json::object();
  for (const auto& [id, n] : project.sources) sources[id] = SourceJson(n, created_at);
  Json macros = Json::object();
  for (const auto& [id, m] : project.macros) macros[id] = MacroJson(m, created_at);
  Json disabled = Json::object();
  for (const auto& [id, n] : project.disabled) {
    disabled[id] = Json::array(
        {n.type == ResourceType::kSource ? SourceJson(n, created_at) : NodeJson(n, created_at)});
  }
  Json parent_map = Json::object();
  Json child_map = Json::object();
  for (const auto& id : graph.ids()) {
    parent_map[id] = graph.Parents(id);
    child_map[id] = graph.Children(id);
  }
  return {{"metadata", metadata},
          {"nodes", nodes},
          {"sources", sources},
          {"macros", macros},
          {"docs", Json::object()},
          {"exposures", Json::object()},
          {"metrics", Json::object()},
          {"groups", Json::object()},
          {"selectors", Json::object()},
          {"disabled", disabled},
          {"parent_map", parent_map},
          {"child_map", child_map},
          {"group_map", Json::object()},
          {"saved_queries", Json::object()},
          {"semantic_models", Json::object()},
          {"unit_tests", Json::object()}};
}

Result<Json> RunResultsJson(const RunResults& run) {
  static const char* kStatuses[] = {"success", "error", "skipped", "partial success", "no-op",
                                    "pass",    "fail",  "warn",    "runtime error"};
  const int64_t now = run.metadata.generated_at_ms ? run.metadata.generated_at_ms : SystemNowMs();
  const std::string invocation =
      run.metadata.invocation_id.empty() ? NewUuid(now) : run.metadata.invocation_id;
  Json results = Json::array();
  for (const auto& r : run.results) {
    bool known = false;
    for (const char* s : kStatuses) known = known || r.status == s;
    if (!known)
      return InvalidArgument("run result of ", r.unique_id, ": unknown status '", r.status, "'");
    Json timing = Json::array();
    for (const auto& t : r.timing) {
      timing.push_back({{"name", t.name},
                        {"started_at", DbtTimestamp(t.started_at_ms)},
                        {"completed_at", DbtTimestamp(t.completed_at_ms)}});
    }
    results.push_back(
        {{"status", r.status},
         {"timing", timing},
         {"thread_id", r.thread_id},
         {"execution_time", r.execution_time},
         {"adapter_response", r.adapter_response},
         {"message", r.message ? Json(*r.message) : Json(nullptr)},
         {"failures", r.failures ? Json(*r.failures) : Json(nullptr)},
         {"unique_id", r.unique_id},
         {"compiled", r.compiled_code.has_value()},
         {"compiled_code", r.compiled_code ? Json(*r.compiled_code) : Json(nullptr)},
         {"relation_name", r.relation_name ? Json(*r.relation_name) : Json(nullptr)}});
  }
  return Json{{"metadata", MetadataJson(run.metadata, kRunResultsSchema, now, invocation)},
              {"results", results},
              {"elapsed_time", run.elapsed_time},
              {"args", run.args}};
}

}  // namespace atl::transform
