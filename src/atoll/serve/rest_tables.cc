// Tables of the REST catalog: list, create (staged too), load (snapshots=all|refs, ETag),
// commit, drop (purge), rename, register, and single-table transactions. Every change is
// committed by iceberg/commit (Table::Create, CommitWithRetries) and recorded in the
// lake's trail with the token's name as the user.
#include <set>

#include "atoll/iceberg/commit/commit.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/records/lake_trail.h"
#include "atoll/serve/rest_handlers.h"
#include "atoll/serve/table_commit.h"
#include "atoll/trail/hash.h"

namespace atl::serve {

namespace {

using nlohmann::json;

Status CheckTableNamespace(const iceberg::Namespace& ns) {
  if (ns.size() != 2) {
    return InvalidArgument("the tables of a lake are in namespaces [zone, db]; got ",
                           iceberg::NamespaceToString(ns));
  }
  return Status::OK();
}

Result<json> MetadataJson(const iceberg::TableMetadata& m) {
  ATOLL_ASSIGN_OR_RETURN(iceberg::Json j, m.ToJson());
  return j;
}

Result<HttpResponse> LoadResult(const iceberg::TableMetadata& m, const std::string& location) {
  ATOLL_ASSIGN_OR_RETURN(json metadata, MetadataJson(m));
  json body = {{"metadata", metadata}, {"config", json::object()}};
  if (!location.empty()) body["metadata-location"] = location;
  return JsonResponse(200, body);
}

// Records the commit that made `id`'s current metadata, with the token's name as the user.
// A failure is logged (the change is committed; `atoll trail reconcile` records it later).
void RecordCommit(Call& call, const iceberg::TableIdentifier& id, std::optional<int64_t> before,
                  std::optional<trail::RecordKind> kind, std::string_view operation) {
  RestCatalog::State& st = call.state;
  if (lake::IsTrailZoneTable(*st.lake, id)) return;
  auto record = [&]() -> Status {
    ATOLL_ASSIGN_OR_RETURN(iceberg::Table table,
                           iceberg::Table::Load(st.tables.catalog, st.tables.io, id));
    ATOLL_ASSIGN_OR_RETURN(
        lake::TableChange change,
        lake::DescribeCommit(table, before, StrCat(st.options.command, " ", operation), kind));
    change.user = call.token.name;
    return lake::RecordTableChange(*st.trail, change).status();
  };
  Status recorded = record();
  if (!recorded.ok()) {
    st.access_log->Error(id.ToString(), "committed but not recorded in the trail",
                         {{"error", recorded.message()}});
  }
}

Status RecordEvent(Call& call, const iceberg::TableIdentifier& id, trail::RecordKind kind,
                   std::string_view operation, const std::string& metadata_location,
                   std::optional<int64_t> snapshot,
                   std::vector<std::pair<std::string, std::string>> fields = {},
                   std::vector<trail::FileRef> files_removed = {}) {
  RestCatalog::State& st = call.state;
  lake::TableChange change;
  change.command = StrCat(st.options.command, " ", operation);
  change.user = call.token.name;
  change.table = id.ToString();
  change.operation = kind;
  change.snapshot_before = snapshot;
  change.metadata_location = metadata_location;
  change.fields = std::move(fields);
  change.files_removed = std::move(files_removed);
  return lake::RecordTableChange(*st.trail, change).status();
}

std::optional<int64_t> CurrentSnapshotId(const iceberg::TableMetadata& m) {
  if (const iceberg::Snapshot* s = m.CurrentSnapshot()) return s->snapshot_id;
  return std::nullopt;
}

std::map<std::string, std::string> Properties(const json& body) {
  std::map<std::string, std::string> out;
  if (body.contains("properties") && body["properties"].is_object()) {
    for (const auto& [k, v] : body["properties"].items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
  }
  return out;
}

// The trail's kind of a commit of `updates`: from the snapshot when one is added (nullopt:
// DescribeCommit derives it), else from the first kind of change in this order.
std::optional<trail::RecordKind> KindOfUpdates(const json& updates) {
  std::set<std::string> actions;
  for (const json& u : updates) {
    if (u.is_object()) actions.insert(u.value("action", ""));
  }
  using K = trail::RecordKind;
  if (actions.count("add-snapshot")) return std::nullopt;
  const std::pair<const char*, K> kinds[] = {
      {"add-schema", K::kSchemaChange},           {"set-current-schema", K::kSchemaChange},
      {"add-spec", K::kPartitionChange},          {"set-default-spec", K::kPartitionChange},
      {"add-sort-order", K::kSortOrderChange},    {"set-default-sort-order", K::kSortOrderChange},
      {"remove-snapshots", K::kExpire},           {"set-properties", K::kPropertiesChange},
      {"remove-properties", K::kPropertiesChange}};
  for (const auto& [action, kind] : kinds) {
    if (actions.count(action)) return kind;
  }
  return K::kOther;
}

// The commit of one CommitTableRequest (or a transaction's table change).
Result<iceberg::CommitOutcome> Commit(Call& call, const iceberg::TableIdentifier& id,
                                      const json& request) {
  RestCatalog::State& st = call.state;
  const json requirements = request.value("requirements", json::array());
  const json updates = request.value("updates", json::array());
  iceberg::Catalog& catalog = *st.tables.catalog;
  auto check_location = [&](const std::string& location) {
    return lake::CheckTableInLake(st.tables, id, location);
  };
  Result<std::string> pointer = catalog.LoadMetadataLocation(id);
  if (!pointer.ok() && pointer.status().code() == StatusCode::kNotFound &&
      AssertsCreate(requirements)) {
    // The commit of a staged create: the table is made from the updates.
    ATOLL_RETURN_NOT_OK(CheckRequirements(requirements, nullptr));
    ATOLL_ASSIGN_OR_RETURN(std::string location, catalog.DefaultTableLocation(id));
    UpdateContext context{st.Now(), "", check_location, iceberg::RandomUuid};
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                           ApplyUpdates(updates, EmptyTableMetadata(location), context));
    ATOLL_RETURN_NOT_OK(check_location(metadata.location));
    Result<iceberg::Table> table =
        iceberg::Table::CreateWithMetadata(st.tables.catalog, st.tables.io, id, metadata);
    if (!table.ok() && table.status().code() == StatusCode::kAlreadyExists) {
      return CommitConflict("requirement assert-create failed: ", table.status().message());
    }
    ATOLL_RETURN_NOT_OK(table.status());
    RecordCommit(call, id, std::nullopt, trail::RecordKind::kCreate, "create table (staged)");
    return iceberg::CommitOutcome{table->metadata(), table->metadata_location(), 1};
  }
  if (!pointer.ok() && pointer.status().code() == StatusCode::kNotFound) {
    return NotFound("table ", id.ToString(), " does not exist");
  }
  ATOLL_RETURN_NOT_OK(pointer.status());
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata base,
                         iceberg::ReadTableMetadata(*st.tables.io, *pointer));
  ATOLL_RETURN_NOT_OK(check_location(base.location));
  const std::optional<int64_t> before = CurrentSnapshotId(base);
  auto attempt = [&](const iceberg::TableMetadata& b, const std::string& b_location, int,
                     iceberg::WrittenFiles*) -> Result<iceberg::AttemptResult> {
    ATOLL_RETURN_NOT_OK(CheckRequirements(requirements, &b));
    UpdateContext context{st.Now(), b_location, check_location, nullptr};
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata next, ApplyUpdates(updates, b, context));
    return iceberg::AttemptResult{std::move(next), {}};
  };
  ATOLL_ASSIGN_OR_RETURN(iceberg::CommitOutcome outcome,
                         iceberg::CommitWithRetries(catalog, *st.tables.io, id, std::move(base),
                                                    *pointer, {}, attempt));
  RecordCommit(call, id, before, KindOfUpdates(updates), "commit table");
  return outcome;
}

HttpResponse NoContent() {
  HttpResponse res;
  res.status = 204;
  return res;
}

}  // namespace

Result<HttpResponse> ListTables(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, false));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids,
                         call.state.tables.catalog->ListTables(ns));
  return IdentifierPage(call, ids);
}

Result<HttpResponse> CreateTable(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  ATOLL_RETURN_NOT_OK(CheckTableNamespace(ns));
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  if (!body.contains("name") || !body["name"].is_string()) {
    return InvalidArgument("CreateTableRequest needs a name");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string name, ParseNameParam(body["name"].get<std::string>()));
  iceberg::TableIdentifier id{ns, name};
  call.subject = id.ToString();
  if (!body.contains("schema")) return InvalidArgument("CreateTableRequest needs a schema");
  RestCatalog::State& st = call.state;
  iceberg::CreateTableOptions options;
  ATOLL_ASSIGN_OR_RETURN(options.schema, iceberg::Schema::FromJson(body["schema"]));
  if (body.contains("partition-spec") && !body["partition-spec"].is_null()) {
    // The fields' source ids name columns of the request's schema (renumbered with it).
    ATOLL_ASSIGN_OR_RETURN(options.partition, PartitionFieldsFromJson(body["partition-spec"]));
  }
  if (body.contains("write-order") && !body["write-order"].is_null()) {
    json order = body["write-order"];
    if (!order.contains("order-id")) {
      order["order-id"] = order.value("fields", json::array()).empty() ? 0 : 1;
    }
    ATOLL_ASSIGN_OR_RETURN(options.sort_order, iceberg::SortOrder::FromJson(order));
  }
  options.properties = Properties(body);
  if (body.contains("location") && body["location"].is_string()) {
    std::string location = body["location"].get<std::string>();
    while (!location.empty() && location.back() == '/') location.pop_back();
    ATOLL_RETURN_NOT_OK(lake::CheckTableInLake(st.tables, id, location));
    options.location = location;
  }
  if (auto v = options.properties.find("format-version"); v != options.properties.end()) {
    if (v->second != "1" && v->second != "2" && v->second != "3") {
      return InvalidArgument("format-version must be 1, 2 or 3");
    }
    options.format_version = std::max(2, std::stoi(v->second));
    options.properties.erase(v);
  }
  if (body.value("stage-create", false)) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                           iceberg::Table::NewMetadata(*st.tables.catalog, id, options));
    return LoadResult(metadata, "");
  }
  ATOLL_RETURN_NOT_OK(lake::EnsureNamespace(*st.tables.catalog, {ns[0]}));
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table,
                         iceberg::Table::Create(st.tables.catalog, st.tables.io, id, options));
  RecordCommit(call, id, std::nullopt, trail::RecordKind::kCreate, "create table");
  return LoadResult(table.metadata(), table.metadata_location());
}

Result<HttpResponse> LoadTable(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, false));
  const std::string mode = call.Query("snapshots").value_or("all");
  if (mode != "all" && mode != "refs") {
    return InvalidArgument("snapshots must be all or refs, got '", mode, "'");
  }
  RestCatalog::State& st = call.state;
  ATOLL_ASSIGN_OR_RETURN(std::string location, st.tables.catalog->LoadMetadataLocation(id));
  const std::string etag =
      "\"" + trail::ToHex(trail::Sha256(location + "|" + mode)).substr(0, 40) + "\"";
  if (call.request.Header("if-none-match") == etag) {
    HttpResponse res;
    res.status = 304;
    res.headers["ETag"] = etag;
    return res;
  }
  const std::string key = location + "|" + mode;
  std::shared_ptr<const std::string> body;
  {
    std::lock_guard<std::mutex> lock(st.load_cache_mu);
    if (auto it = st.load_cache.find(key); it != st.load_cache.end()) body = it->second;
  }
  if (body == nullptr) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                           iceberg::ReadTableMetadata(*st.tables.io, location));
    ATOLL_RETURN_NOT_OK(lake::CheckTableInLake(st.tables, id, metadata.location));
    if (mode == "refs") {
      std::set<int64_t> referenced;
      for (const auto& [name, ref] : metadata.refs) referenced.insert(ref.snapshot_id);
      std::erase_if(metadata.snapshots, [&](const iceberg::Snapshot& s) {
        return referenced.count(s.snapshot_id) == 0;
      });
    }
    ATOLL_ASSIGN_OR_RETURN(HttpResponse made, LoadResult(metadata, location));
    body = std::make_shared<const std::string>(std::move(made.body));
    std::lock_guard<std::mutex> lock(st.load_cache_mu);
    if (st.load_cache.size() >= RestCatalog::State::kLoadCacheEntries) st.load_cache.clear();
    st.load_cache.emplace(key, body);
  }
  HttpResponse res;
  res.body = *body;
  res.headers["ETag"] = etag;
  return res;
}

Result<HttpResponse> CommitTable(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, true));
  ATOLL_RETURN_NOT_OK(CheckTableNamespace(id.ns));
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  if (body.contains("identifier")) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier named, IdentifierFromJson(body["identifier"]));
    if (!(named == id)) return InvalidArgument("the identifier in the body is not the path's");
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::CommitOutcome outcome, Commit(call, id, body));
  ATOLL_ASSIGN_OR_RETURN(json metadata, MetadataJson(outcome.metadata));
  return JsonResponse(200,
                      {{"metadata-location", outcome.metadata_location}, {"metadata", metadata}});
}

Result<HttpResponse> DropTable(Call& call, const iceberg::TableIdentifier& id) {
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, true));
  RestCatalog::State& st = call.state;
  const bool purge = call.Query("purgeRequested").value_or("false") == "true";
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, lake::LoadLakeTable(st.tables, id));
  ATOLL_RETURN_NOT_OK(st.tables.catalog->DropTable(id));
  // A purge deletes the metadata files the trail names: the drop's record lists them as
  // removed, under the field "maintenance" (the rule of lake_trail.h for missing files).
  std::vector<storage::ObjectInfo> files;
  std::vector<trail::FileRef> removed;
  std::vector<std::pair<std::string, std::string>> fields = {{"purge", purge ? "true" : "false"}};
  if (purge) {
    ATOLL_ASSIGN_OR_RETURN(files, st.tables.io->List(table.location() + "/"));
    std::set<std::string> metadata_files = {table.metadata_location()};
    for (const iceberg::MetadataLogEntry& e : table.metadata().metadata_log) {
      metadata_files.insert(e.metadata_file);
    }
    for (const std::string& f : metadata_files) removed.push_back({f, 0, ""});
    fields.emplace_back(lake::kMaintenanceField, "purge");
  }
  Status recorded =
      RecordEvent(call, id, trail::RecordKind::kDrop, "drop table", table.metadata_location(),
                  CurrentSnapshotId(table.metadata()), std::move(fields), std::move(removed));
  if (!recorded.ok()) {
    st.access_log->Error(id.ToString(), "dropped but not recorded in the trail",
                         {{"error", recorded.message()}});
  }
  if (purge) {
    std::vector<std::string> keys;
    for (const storage::ObjectInfo& f : files) keys.push_back(f.key);
    ATOLL_RETURN_NOT_OK(
        st.tables.io->Delete(keys).WithContext(StrCat("purging the files of ", id.ToString())));
  }
  return NoContent();
}

Result<HttpResponse> RenameTable(Call& call) {
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier from,
                         IdentifierFromJson(body.value("source", json())));
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier to,
                         IdentifierFromJson(body.value("destination", json())));
  call.subject = from.ToString();
  ATOLL_RETURN_NOT_OK(Authorize(call, from.ns, true));
  ATOLL_RETURN_NOT_OK(Authorize(call, to.ns, true));
  ATOLL_RETURN_NOT_OK(CheckTableNamespace(to.ns));
  RestCatalog::State& st = call.state;
  ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, lake::LoadLakeTable(st.tables, from));
  // The files stay where they are: the table keeps its location under the old name.
  ATOLL_RETURN_NOT_OK(st.tables.catalog->RenameTable(from, to));
  // Two records: the old name's last (so the trail knows it is gone) and the new name's
  // first (so its history starts at the metadata file it now points at).
  Status recorded =
      RecordEvent(call, from, trail::RecordKind::kRename, "rename table", table.metadata_location(),
                  CurrentSnapshotId(table.metadata()), {{"renamed_to", to.ToString()}});
  if (recorded.ok()) {
    recorded =
        RecordEvent(call, to, trail::RecordKind::kRename, "rename table", table.metadata_location(),
                    CurrentSnapshotId(table.metadata()), {{"renamed_from", from.ToString()}});
  }
  if (!recorded.ok()) {
    st.access_log->Error(to.ToString(), "renamed but not recorded in the trail",
                         {{"error", recorded.message()}});
  }
  return NoContent();
}

Result<HttpResponse> RegisterTable(Call& call, const iceberg::Namespace& ns) {
  ATOLL_RETURN_NOT_OK(Authorize(call, ns, true));
  ATOLL_RETURN_NOT_OK(CheckTableNamespace(ns));
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  if (!body.contains("name") || !body["name"].is_string() || !body.contains("metadata-location") ||
      !body["metadata-location"].is_string()) {
    return InvalidArgument("RegisterTableRequest needs name and metadata-location");
  }
  if (body.value("overwrite", false)) {
    return InvalidArgument("register with overwrite is not supported: drop the table first");
  }
  ATOLL_ASSIGN_OR_RETURN(std::string name, ParseNameParam(body["name"].get<std::string>()));
  iceberg::TableIdentifier id{ns, name};
  call.subject = id.ToString();
  const std::string location = body["metadata-location"].get<std::string>();
  RestCatalog::State& st = call.state;
  ATOLL_RETURN_NOT_OK(lake::CheckTableInLake(st.tables, id, location));
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableMetadata metadata,
                         iceberg::ReadTableMetadata(*st.tables.io, location));
  ATOLL_RETURN_NOT_OK(lake::CheckTableInLake(st.tables, id, metadata.location));
  ATOLL_RETURN_NOT_OK(lake::EnsureNamespace(*st.tables.catalog, {ns[0]}));
  ATOLL_RETURN_NOT_OK(st.tables.catalog->CreateTable(id, location));
  RecordCommit(call, id, std::nullopt, trail::RecordKind::kCreate, "register table");
  return LoadResult(metadata, location);
}

Result<HttpResponse> CommitTransaction(Call& call) {
  ATOLL_ASSIGN_OR_RETURN(json body, ParseBody(call));
  const json changes = body.value("table-changes", json());
  if (!changes.is_array() || changes.empty()) {
    return InvalidArgument("CommitTransactionRequest needs table-changes");
  }
  if (changes.size() > 1) {
    return InvalidArgument(
        "atoll serve commits one table at a time: a transaction over ", changes.size(),
        " tables cannot be made atomic by the lake's catalog, so it is refused (nothing was "
        "changed); commit each table on its own");
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id,
                         IdentifierFromJson(changes[0].value("identifier", json())));
  call.subject = id.ToString();
  ATOLL_RETURN_NOT_OK(Authorize(call, id.ns, true));
  ATOLL_RETURN_NOT_OK(CheckTableNamespace(id.ns));
  ATOLL_RETURN_NOT_OK(Commit(call, id, changes[0]).status());
  return NoContent();
}

}  // namespace atl::serve
