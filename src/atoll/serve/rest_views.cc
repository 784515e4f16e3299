// Views of the REST catalog: the lake's Iceberg views (view_metadata.h), as `atoll query`'s
// CREATE VIEW makes them. Created, replaced and dropped through iceberg/commit/view_commit.h
// (the CLI's code) and recorded in the trail with the token's name as the user and the
// field object=view. Rename is a create of the new name, then a drop of the old one (the
// catalog has no view rename): a failure between the two leaves both names, never none.
#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/view_commit.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/trail_check.h"
#include "atoll/serve/rest_handlers.h"

namespace atl::serve {

namespace {

using nlohmann::json;

Result<HttpResponse> ViewResult(const iceberg::LoadedView& view) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, view.metadata.ToJsonString());
  return JsonResponse(200, {{"metadata-location", view.metadata_location},
                            {"metadata", json::parse(text)},
                            {"config", json::object()}});
}

void Record(Call& call, const iceberg::TableIdentifier& id, trail::RecordKind kind,
            std::string_view operation, const std::string& metadata_location,
            std::vector<std::pair<std::string, std::string>> fields = {}) {
  RestCatalog::State& st = call.state;
  lake::TableChange change;
  change.command = StrCat(st.options.command, " ", operation);
  change.user = call.token.name;
  change.table = id.ToString();
  change.operation = kind;
  change.metadata_location = metadata_location;
  change.fields = {{std::string(lake::kRecordObjectField), std::string(lake::kViewObject)}};
  for (auto& f : fields) change.fields.push_back(std::move(f));
  Status recorded = lake::RecordTableChange(*st.trail, change).status();
  if (!recorded.ok()) {
    st.access_log->Error(id.ToString(), "view changed but not recorded in the trail",
                         {{"error", recorded.message()}});
  }
}

// A ViewVersion of a request as what a new version says; its schema is `schema`.
Result<iceberg::ViewVersionSpec> VersionSpec(const json& v, iceberg::Schema schema) {
  if (!v.is_object()) return InvalidArgument("view-version must be an object");
  iceberg::ViewVersionSpec spec;
  spec.schema = std::move(schema);
  const json reps = v.value("representations", json::array());
  if (!reps.is_array() || reps.empty())
    return InvalidArgument("a view version needs representations");
  for (const json& r : reps) {
    if (!r.is_object() || r.value("type", "") != "sql" || !r.contains("sql") ||
        !r.contains("dialect")) {
      return InvalidArgument("a view representation is {type: sql, sql, dialect}");
    }
    spec.representations.push_back(iceberg::ViewRepresentation::Sql(
        r["sql"].get<std::string>(), r["dialect"].get<std::string>()));
  }
  if (v.contains("default-namespace")) {
    for (const json& level : v["default-namespace"])
      spec.default_namespace.push_back(level.get<std::string>());
  }
  if (v.contains("default-catalog") && v["default-catalog"].is_string()) {
    spec.default_catalog = v["default-catalog"].get<std::string>();
  }
  if (v.contains("summary") && v["summary"].is_object()) {
    for (const auto& [k, val] : v["summary"].items()) {
      if (val.is_string()) spec.summary[k] = val.get<std::string>();
    }
  }
  return spec;
}

std::map<std::string, std::string> StringMap(const json& j) {
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

// The view's new metadata after a CommitViewRequest's updates.
Result<iceberg::ViewMetadata> ApplyViewUpdates(
    const json& updates, const iceberg::ViewMetadata& base,
    const std::function<Status(const std::string&)>& check_location, int64_t now_ms) {
  if (!updates.is_array()) return InvalidArgument("updates must be an array");
  iceberg::ViewMetadata next = base;
  std::optional<iceberg::Schema> added_schema;
  for (const json& u : updates) {
    const std::string action = u.value("action", "");
    if (action == "assign-uuid") {
      if (u.value("uuid", "") != next.view_uuid)
        return InvalidArgument("a view's uuid cannot change");
    } else if (action == "upgrade-format-version") {
      if (u.value("format-version", 0) != iceberg::ViewMetadata::kFormatVersion) {
        return InvalidArgument("view format version ", iceberg::ViewMetadata::kFormatVersion,
                               " is the only one");
      }
    } else if (action == "add-schema") {
      ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema,
                             iceberg::Schema::FromJson(u.value("schema", json())));
      added_schema = std::move(schema);
    } else if (action == "add-view-version") {
      const json v = u.value("view-version", json());
      const int32_t schema_id = v.value("schema-id", -1);
      std::optional<iceberg::Schema> schema = added_schema;
      if (schema_id != -1 && (!added_schema || added_schema->schema_id() != schema_id)) {
        const iceberg::Schema* known = next.SchemaById(schema_id);
        if (known == nullptr)
          return InvalidArgument("view version names unknown schema ", schema_id);
        schema = *known;
      }
      if (!schema) return InvalidArgument("add-view-version without a schema");
      ATOLL_ASSIGN_OR_RETURN(iceberg::ViewVersionSpec spec, VersionSpec(v, *schema));
      ATOLL_ASSIGN_OR_RETURN(next, iceberg::ReplaceViewVersion(next, spec, now_ms));
    } else if (action == "set-current-view-version") {
      const int32_t id = u.value("view-version-id", -1);
      if (id != -1 && id != next.current_version_id) {
        if (next.VersionById(id) == nullptr) return InvalidArgument("no view version ", id);
        next.current_version_id = id;
        next.version_log.push_back({now_ms, id});
      }
    } else if (action == "set-properties") {
      for (const auto& [k, v] : StringMap(u.value("updates", json::object())))
        next.properties[k] = v;
    } else if (action == "remove-properties") {
      for (const json& k : u.value("removals", json::array())) {
        if (k.is_string()) next.properties.erase(k.get<std::string>());
      }
    } else if (action == "set-location") {
      const std::string location = u.value("location", "");
      ATOLL_RETURN_NOT_OK(check_location(location));
      next.location = location;
    } else {
      return InvalidArgument("view update '", action, "' is not supported by atoll serve");
    }
  }
  ATOLL_RETURN_NOT_OK(next.Validate("the committed view").WithContext("the view's updates"));
  return next;
}

}  // namespace

Result<HttpResponse> ListViews(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, false));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids,
                         call.state.tables.catalog->ListViews(ns));
  return IdentifierPage(call, ids);
}

Result<HttpResponse> CreateView(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  if (ns.size() != 2) return InvalidArgument("the views of a lake are in namespaces [zone, db]");
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  if (!body.contains("name") || !body["name"].is_string()) {
    return InvalidArgument("CreateViewRequest needs a name");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string name, ParseNameParam(body["name"].get<std::string>()));
  iceberg::TableIdentifier id{ns, name};
  call.subject = id.ToString();
  RestCatalog::State& st = call.state;
  ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema,
                         iceberg::Schema::FromJson(body.value("schema", json())));
  ATOLL_ASSIGN_OR_RETURN(iceberg::ViewVersionSpec spec,
                         VersionSpec(body.value("view-version", json()), schema));
  std::string location;
  if (body.contains("location") && body["location"].is_string()) {
    location = body["location"].get<std::string>();
    ATOLL_RETURN_NOT_OK(lake::CheckTableInLake(st.tables, id, location));
  } else {
    ATOLL_ASSIGN_OR_RETURN(location, st.tables.catalog->DefaultTableLocation(id));
  }
  ATOLL_ASSIGN_OR_RETURN(
      iceberg::ViewMetadata metadata,
      iceberg::NewViewMetadata(location, spec, StringMap(body.value("properties", json::object())),
                               iceberg::RandomUuid(), st.Now()));
  ATOLL_RETURN_NOT_OK(lake::EnsureNamespace(*st.tables.catalog, {ns[0]}));
  ATOLL_ASSIGN_OR_RETURN(
      iceberg::LoadedView view,
      iceberg::CreateIcebergView(*st.tables.catalog, *st.tables.io, id, std::move(metadata)));
  Record(call, id, trail::RecordKind::kCreate, "create view", view.metadata_location);
  return ViewResult(view);
}

Result<HttpResponse> LoadView(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, false));
  ATOLL_ASSIGN_OR_RETURN(
      iceberg::LoadedView view,
      iceberg::LoadIcebergView(*call.state.tables.catalog, *call.state.tables.io, id));
  return ViewResult(view);
}

Result<HttpResponse> ReplaceView(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, true));
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  RestCatalog::State& st = call.state;
  ATOLL_ASSIGN_OR_RETURN(iceberg::LoadedView base,
                         iceberg::LoadIcebergView(*st.tables.catalog, *st.tables.io, id));
  for (const json& r : body.value("requirements", json::array())) {
    if (r.value("type", "") != "assert-view-uuid") {
      return InvalidArgument("unknown view requirement '", r.value("type", ""), "'");
    }
    if (r.value("uuid", "") != base.metadata.view_uuid) {
      return CommitConflict("requirement assert-view-uuid failed: the view's uuid is ",
                            base.metadata.view_uuid);
    }
  }
  auto check_location = [&](const std::string& location) {
    return lake::CheckTableInLake(st.tables, id, location);
  };
  ATOLL_ASSIGN_OR_RETURN(iceberg::ViewMetadata next,
                         ApplyViewUpdates(body.value("updates", json::array()), base.metadata,
                                          check_location, st.Now()));
  ATOLL_ASSIGN_OR_RETURN(
      iceberg::LoadedView done,
      iceberg::CommitIcebergView(*st.tables.catalog, *st.tables.io, id, base, std::move(next)));
  Record(call, id, trail::RecordKind::kOther, "replace view", done.metadata_location);
  return ViewResult(done);
}

Result<HttpResponse> DropView(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, true));
  iceberg::Catalog& catalog = *call.state.tables.catalog;
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.LoadViewMetadataLocation(id));
  ATOLL_RETURN_NOT_OK(catalog.DropView(id));
  Record(call, id, trail::RecordKind::kDrop, "drop view", location);
  HttpResponse res;
  res.status = 204;
  return res;
}

Result<HttpResponse> RenameView(Call& call) {
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier from,
                         IdentifierFromJson(body.value("source", json())));
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier to,
                         IdentifierFromJson(body.value("destination", json())));
  call.subject = from.ToString();
  ATOLL_RETURN_NOT_OK(Authorize(call, from.ns, true));
  ATOLL_RETURN_NOT_OK(Authorize(call, to.ns, true));
  if (to.ns.size() != 2) return InvalidArgument("the views of a lake are in namespaces [zone, db]");
  iceberg::Catalog& catalog = *call.state.tables.catalog;
  ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.LoadViewMetadataLocation(from));
  ATOLL_RETURN_NOT_OK(catalog.CreateView(to, location));
  ATOLL_RETURN_NOT_OK(catalog.DropView(from).WithContext(
      StrCat("view ", to.ToString(), " was made, but ", from.ToString(), " could not be dropped")));
  Record(call, from, trail::RecordKind::kRename, "rename view", location,
         {{"renamed_to", to.ToString()}});
  Record(call, to, trail::RecordKind::kRename, "rename view", location,
         {{"renamed_from", from.ToString()}});
  HttpResponse res;
  res.status = 204;
  return res;
}

}  // namespace atl::serve
