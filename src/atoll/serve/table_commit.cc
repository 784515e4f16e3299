#include "atoll/serve/table_commit.h"

#include <optional>
#include <set>

#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/iceberg/json_util.h"

namespace atl::serve {

namespace {

using nlohmann::json;

Result<int64_t> IntField(const json& j, const char* name, std::string_view what) {
  if (!j.contains(name) || !j[name].is_number_integer()) {
    return InvalidArgument(what, " needs the integer field '", name, "'");
  }
  return j[name].get<int64_t>();
}

Result<std::string> StringField(const json& j, const char* name, std::string_view what) {
  if (!j.contains(name) || !j[name].is_string()) {
    return InvalidArgument(what, " needs the string field '", name, "'");
  }
  return j[name].get<std::string>();
}

Status Expect(bool holds, std::string_view what, int64_t expected, int64_t actual) {
  if (holds) return Status::OK();
  return CommitConflict("requirement ", what, " failed: expected ", expected, ", the table has ",
                        actual);
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

}  // namespace

Result<std::vector<iceberg::UnboundPartitionField>> PartitionFieldsFromJson(const json& spec) {
  if (!spec.is_object() || !spec.contains("fields") || !spec["fields"].is_array()) {
    return InvalidArgument("a partition spec needs 'fields'");
  }
  std::vector<iceberg::UnboundPartitionField> out;
  for (const json& f : spec["fields"]) {
    std::vector<int32_t> source_ids;
    if (f.contains("source-ids") && f["source-ids"].is_array()) {
      for (const json& id : f["source-ids"]) source_ids.push_back(id.get<int32_t>());
    } else {
      ATOLL_ASSIGN_OR_RETURN(int64_t id, IntField(f, "source-id", "a partition field"));
      source_ids.push_back(static_cast<int32_t>(id));
    }
    ATOLL_ASSIGN_OR_RETURN(std::string transform, StringField(f, "transform", "a partition field"));
    ATOLL_ASSIGN_OR_RETURN(iceberg::Transform t, iceberg::Transform::Parse(transform));
    ATOLL_ASSIGN_OR_RETURN(std::string name, StringField(f, "name", "a partition field"));
    out.push_back(iceberg::UnboundPartitionField{std::move(source_ids), std::move(name), t});
  }
  return out;
}

bool AssertsCreate(const json& requirements) {
  if (!requirements.is_array()) return false;
  for (const json& r : requirements) {
    if (r.is_object() && r.value("type", "") == "assert-create") return true;
  }
  return false;
}

iceberg::TableMetadata EmptyTableMetadata(std::string location) {
  iceberg::TableMetadata m;
  m.location = std::move(location);
  m.specs = {iceberg::UnpartitionedSpec()};
  m.sort_orders = {iceberg::UnsortedOrder()};
  m.current_schema_id = -1;
  return m;
}

Status CheckRequirements(const json& requirements, const iceberg::TableMetadata* base) {
  if (requirements.is_null()) return Status::OK();
  if (!requirements.is_array()) return InvalidArgument("requirements must be an array");
  for (const json& r : requirements) {
    if (!r.is_object()) return InvalidArgument("a requirement must be an object");
    const std::string type = r.value("type", "");
    if (type == "assert-create") {
      if (base != nullptr)
        return CommitConflict("requirement assert-create failed: the table exists");
      continue;
    }
    if (base == nullptr) {
      return CommitConflict("requirement ", type, " failed: the table does not exist");
    }
    const iceberg::TableMetadata& m = *base;
    if (type == "assert-table-uuid") {
      ATOLL_ASSIGN_OR_RETURN(std::string uuid, StringField(r, "uuid", type));
      if (uuid != m.table_uuid) {
        return CommitConflict("requirement assert-table-uuid failed: the table's uuid is ",
                              m.table_uuid);
      }
    } else if (type == "assert-ref-snapshot-id") {
      ATOLL_ASSIGN_OR_RETURN(std::string ref, StringField(r, "ref", type));
      auto it = m.refs.find(ref);
      const bool expect_none = !r.contains("snapshot-id") || r["snapshot-id"].is_null();
      if (expect_none) {
        if (it != m.refs.end()) {
          return CommitConflict("requirement assert-ref-snapshot-id failed: ref '", ref,
                                "' exists (snapshot ", it->second.snapshot_id, ")");
        }
      } else {
        ATOLL_ASSIGN_OR_RETURN(int64_t id, IntField(r, "snapshot-id", type));
        if (it == m.refs.end()) {
          return CommitConflict("requirement assert-ref-snapshot-id failed: ref '", ref,
                                "' does not exist");
        }
        ATOLL_RETURN_NOT_OK(Expect(it->second.snapshot_id == id, "assert-ref-snapshot-id", id,
                                   it->second.snapshot_id));
      }
    } else if (type == "assert-last-assigned-field-id") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(r, "last-assigned-field-id", type));
      ATOLL_RETURN_NOT_OK(Expect(v == m.last_column_id, type, v, m.last_column_id));
    } else if (type == "assert-current-schema-id") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(r, "current-schema-id", type));
      ATOLL_RETURN_NOT_OK(Expect(v == m.current_schema_id, type, v, m.current_schema_id));
    } else if (type == "assert-last-assigned-partition-id") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(r, "last-assigned-partition-id", type));
      ATOLL_RETURN_NOT_OK(Expect(v == m.last_partition_id, type, v, m.last_partition_id));
    } else if (type == "assert-default-spec-id") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(r, "default-spec-id", type));
      ATOLL_RETURN_NOT_OK(Expect(v == m.default_spec_id, type, v, m.default_spec_id));
    } else if (type == "assert-default-sort-order-id") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(r, "default-sort-order-id", type));
      ATOLL_RETURN_NOT_OK(Expect(v == m.default_sort_order_id, type, v, m.default_sort_order_id));
    } else {
      return InvalidArgument("unknown requirement '", type, "'");
    }
  }
  return Status::OK();
}

Result<iceberg::TableMetadata> ApplyUpdates(const json& updates, const iceberg::TableMetadata& base,
                                            const UpdateContext& context) {
  if (!updates.is_array()) return InvalidArgument("updates must be an array");
  iceberg::TableMetadataBuilder b(base);
  std::set<int64_t> removed_snapshots;
  std::string uuid = base.table_uuid;
  // The current specs, for field ids of added specs (EvolveSpec reuses equivalent ones).
  std::vector<iceberg::PartitionSpec> specs = base.specs;
  int32_t last_partition_id = base.last_partition_id;
  iceberg::TableMetadata staged = base;  // schemas as added so far, for add-spec
  for (const json& u : updates) {
    if (!u.is_object()) return InvalidArgument("an update must be an object");
    const std::string action = u.value("action", "");
    if (action == "assign-uuid") {
      ATOLL_ASSIGN_OR_RETURN(std::string id, StringField(u, "uuid", action));
      if (!uuid.empty() && id != uuid) {
        return InvalidArgument("assign-uuid cannot change the table's uuid ", uuid);
      }
      uuid = id;
    } else if (action == "upgrade-format-version") {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, IntField(u, "format-version", action));
      b.UpgradeFormatVersion(static_cast<int>(v));
    } else if (action == "add-schema") {
      if (!u.contains("schema")) return InvalidArgument("add-schema needs 'schema'");
      ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, iceberg::Schema::FromJson(u["schema"]));
      int32_t last = u.contains("last-column-id") && u["last-column-id"].is_number_integer()
                         ? u["last-column-id"].get<int32_t>()
                         : 0;
      b.AddSchema(schema, last);
      staged.schemas.push_back(schema.WithSchemaId(b.last_added_schema_id()));
    } else if (action == "set-current-schema") {
      ATOLL_ASSIGN_OR_RETURN(int64_t id, IntField(u, "schema-id", action));
      b.SetCurrentSchema(static_cast<int32_t>(id));
      staged.current_schema_id = id == -1 ? b.last_added_schema_id() : static_cast<int32_t>(id);
    } else if (action == "add-spec") {
      ATOLL_ASSIGN_OR_RETURN(auto fields, PartitionFieldsFromJson(u.value("spec", json())));
      const iceberg::Schema* schema = staged.CurrentSchema();
      if (schema == nullptr) return InvalidArgument("add-spec before the table has a schema");
      ATOLL_ASSIGN_OR_RETURN(iceberg::PartitionSpec spec,
                             iceberg::EvolveSpec(specs, *schema, 0, fields, &last_partition_id));
      specs.push_back(spec);
      b.AddPartitionSpec(spec);
    } else if (action == "set-default-spec") {
      ATOLL_ASSIGN_OR_RETURN(int64_t id, IntField(u, "spec-id", action));
      b.SetDefaultSpec(static_cast<int32_t>(id));
    } else if (action == "add-sort-order") {
      if (!u.contains("sort-order")) return InvalidArgument("add-sort-order needs 'sort-order'");
      ATOLL_ASSIGN_OR_RETURN(iceberg::SortOrder order,
                             iceberg::SortOrder::FromJson(u["sort-order"]));
      b.AddSortOrder(order);
    } else if (action == "set-default-sort-order") {
      ATOLL_ASSIGN_OR_RETURN(int64_t id, IntField(u, "sort-order-id", action));
      b.SetDefaultSortOrder(static_cast<int32_t>(id));
    } else if (action == "add-snapshot") {
      if (!u.contains("snapshot")) return InvalidArgument("add-snapshot needs 'snapshot'");
      ATOLL_ASSIGN_OR_RETURN(iceberg::Snapshot s, iceberg::Snapshot::FromJson(u["snapshot"]));
      b.AddSnapshot(s);
    } else if (action == "set-snapshot-ref") {
      ATOLL_ASSIGN_OR_RETURN(std::string name, StringField(u, "ref-name", action));
      ATOLL_ASSIGN_OR_RETURN(iceberg::SnapshotRef ref, iceberg::SnapshotRef::FromJson(u, name));
      b.SetRef(name, ref);
    } else if (action == "remove-snapshot-ref") {
      ATOLL_ASSIGN_OR_RETURN(std::string name, StringField(u, "ref-name", action));
      b.RemoveRef(name);
    } else if (action == "remove-snapshots") {
      if (!u.contains("snapshot-ids") || !u["snapshot-ids"].is_array()) {
        return InvalidArgument("remove-snapshots needs 'snapshot-ids'");
      }
      for (const json& id : u["snapshot-ids"]) removed_snapshots.insert(id.get<int64_t>());
    } else if (action == "set-properties") {
      b.SetProperties(StringMap(u.value("updates", json::object())));
    } else if (action == "remove-properties") {
      std::set<std::string> keys;
      for (const json& k : u.value("removals", json::array())) {
        if (k.is_string()) keys.insert(k.get<std::string>());
      }
      b.RemoveProperties(keys);
    } else if (action == "set-location") {
      ATOLL_ASSIGN_OR_RETURN(std::string location, StringField(u, "location", action));
      if (context.check_location) ATOLL_RETURN_NOT_OK(context.check_location(location));
      b.SetLocation(location);
    } else {
      return InvalidArgument("update '", action, "' is not supported by atoll serve");
    }
  }
  ATOLL_ASSIGN_OR_RETURN(
      iceberg::TableMetadata m,
      b.Build(context.now_ms, context.previous_metadata_file, iceberg::MaxMetadataLog(base)));
  if (uuid.empty() && context.new_uuid) uuid = context.new_uuid();
  m.table_uuid = uuid;
  if (!removed_snapshots.empty()) {
    for (const auto& [name, ref] : m.refs) {
      if (removed_snapshots.count(ref.snapshot_id)) {
        return InvalidArgument("remove-snapshots: snapshot ", ref.snapshot_id,
                               " is referenced by '", name, "'");
      }
    }
    std::erase_if(m.snapshots, [&](const iceberg::Snapshot& s) {
      return removed_snapshots.count(s.snapshot_id) > 0;
    });
    std::erase_if(m.snapshot_log, [&](const iceberg::SnapshotLogEntry& e) {
      return removed_snapshots.count(e.snapshot_id) > 0;
    });
  }
  ATOLL_RETURN_NOT_OK(m.Validate());
  return m;
}

}  // namespace atl::serve
