// Namespaces of the REST catalog: [zone, db] (docs/serve.md). The zones are the top level;
// namespaces are created as [zone, db] in the zones of tables only.
#include <set>

#include "atoll/serve/rest_handlers.h"

namespace atl::serve {

Result<HttpResponse> ListNamespaces(Call& call) {
  iceberg::Namespace parent;
  if (auto p = call.Query("parent"); p && !p->empty()) {
    ATOLL_ASSIGN_OR_RETURN(parent, SplitLevels(*p));
    if (!TokenSees(call.token, parent)) ATOLL_RETURN_NOT_OK(Authorize(call, parent, false));
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::Namespace> all,
                         call.state.tables.catalog->ListNamespaces(parent));
  std::vector<iceberg::Namespace> visible;
  for (iceberg::Namespace& ns : all) {
    if (TokenSees(call.token, ns)) visible.push_back(std::move(ns));
  }
  ATOLL_ASSIGN_OR_RETURN(Page page, PageOf(call, visible.size()));
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = page.begin; i < page.end; ++i) list.push_back(NamespaceJson(visible[i]));
  nlohmann::json body = {{"namespaces", list}};
  if (!page.next_token.empty()) body["next-page-token"] = page.next_token;
  return JsonResponse(200, body);
}

Result<HttpResponse> CreateNamespace(Call& call) {
  ATOLL_ASSIGN_OR_RETURN(nlohmann::json body, ParseBody(call));
  ATOLL_ASSIGN_OR_RETURN(iceberg::Namespace ns,
                         NamespaceFromJson(body.value("namespace", nlohmann::json())));
  call.subject = iceberg::NamespaceToString(ns);
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  if (ns.size() != 2) {
    return InvalidArgument("the namespaces of a lake are [zone, db]; got ",
                           iceberg::NamespaceToString(ns));
  }
  std::map<std::string, std::string> properties;
  if (body.contains("properties") && !body["properties"].is_null()) {
    if (!body["properties"].is_object()) return InvalidArgument("properties must be an object");
    for (const auto& [k, v] : body["properties"].items()) {
      if (!v.is_string()) return InvalidArgument("property '", k, "' is not a string");
      properties[k] = v.get<std::string>();
    }
  }
  iceberg::Catalog& catalog = *call.state.tables.catalog;
  ATOLL_RETURN_NOT_OK(lake::EnsureNamespace(catalog, {ns[0]}));
  Status created = catalog.CreateNamespace(ns, properties);
  if (created.code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("namespace ", iceberg::NamespaceToString(ns), " exists");
  }
  ATOLL_RETURN_NOT_OK(created);
  return JsonResponse(200, {{"namespace", NamespaceJson(ns)}, {"properties", properties}});
}

Result<HttpResponse> LoadNamespace(Call& call, const iceberg::Namespace& ns) {
  if (!TokenSees(call.token, ns)) ATOLL_RETURN_NOT_OK(Authorize(call, ns, false));
  ATOLL_ASSIGN_OR_RETURN(auto properties, call.state.tables.catalog->LoadNamespaceProperties(ns));
  return JsonResponse(200, {{"namespace", NamespaceJson(ns)}, {"properties", properties}});
}

Result<HttpResponse> DropNamespace(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  Status dropped = call.state.tables.catalog->DropNamespace(ns);
  if (dropped.code() == StatusCode::kPreconditionFailed) {
    return PreconditionFailed("namespace ", iceberg::NamespaceToString(ns),
                              " is not empty: ", dropped.message());
  }
  ATOLL_RETURN_NOT_OK(dropped);
  HttpResponse res;
  res.status = 204;
  return res;
}

Result<HttpResponse> UpdateNamespaceProperties(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  ATOLL_ASSIGN_OR_RETURN(nlohmann::json body, ParseBody(call));
  std::map<std::string, std::string> updates;
  std::set<std::string> removals;
  if (body.contains("updates") && !body["updates"].is_null()) {
    if (!body["updates"].is_object()) return InvalidArgument("updates must be an object");
    for (const auto& [k, v] : body["updates"].items()) {
      if (!v.is_string()) return InvalidArgument("property '", k, "' is not a string");
      updates[k] = v.get<std::string>();
    }
  }
  if (body.contains("removals") && !body["removals"].is_null()) {
    if (!body["removals"].is_array()) return InvalidArgument("removals must be an array");
    for (const auto& k : body["removals"]) {
      if (!k.is_string()) return InvalidArgument("removals must be strings");
      removals.insert(k.get<std::string>());
    }
  }
  for (const std::string& k : removals) {
    if (updates.count(k)) return InvalidArgument("property '", k, "' is both updated and removed");
  }
  iceberg::Catalog& catalog = *call.state.tables.catalog;
  ATOLL_ASSIGN_OR_RETURN(auto before, catalog.LoadNamespaceProperties(ns));
  ATOLL_RETURN_NOT_OK(catalog.UpdateNamespaceProperties(ns, updates, removals));
  nlohmann::json updated = nlohmann::json::array(), removed = nlohmann::json::array(),
                 missing = nlohmann::json::array();
  for (const auto& [k, v] : updates) updated.push_back(k);
  for (const std::string& k : removals) (before.count(k) ? removed : missing).push_back(k);
  return JsonResponse(200, {{"updated", updated}, {"removed", removed}, {"missing", missing}});
}

}  // namespace atl::serve
