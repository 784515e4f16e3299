#include "atoll/iceberg/table_metadata.h"

#include <algorithm>

#include "atoll/iceberg/snapshot_id_json.h"

namespace atl::iceberg {

namespace {

template <typename T, typename Id, typename F>
const T* FindBy(const std::vector<T>& items, Id id, F get_id) {
  for (const T& item : items) {
    if (get_id(item) == id) return &item;
  }
  return nullptr;
}

Result<Json> OptionalList(const Json& j, const char* key, std::string_view ctx) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Json::array();
  if (!it->is_array()) return InvalidArgument(ctx, ": '", key, "' must be a list");
  return *it;
}

// Appends to `out` each element of the optional list `key` of the table metadata `j`,
// read by `read` (a Result<T>(const Json&)).
template <typename T, typename Read>
Status ReadList(const Json& j, const char* key, Read read, std::vector<T>* out) {
  ATOLL_ASSIGN_OR_RETURN(Json list, OptionalList(j, key, "table metadata"));
  for (const Json& e : list) {
    ATOLL_ASSIGN_OR_RETURN(T item, read(e));
    out->push_back(std::move(item));
  }
  return Status::OK();
}

Status ReadSchemas(const Json& j, TableMetadata* m) {
  if (j.contains("schemas") && !j["schemas"].is_null()) {
    if (!j["schemas"].is_array()) return InvalidArgument("'schemas' must be a list");
    for (const Json& s : j["schemas"]) {
      ATOLL_ASSIGN_OR_RETURN(Schema schema, Schema::FromJson(s));
      m->schemas.push_back(std::move(schema));
    }
    ATOLL_ASSIGN_OR_RETURN(m->current_schema_id,
                           json::Int32(j, "current-schema-id", "table metadata"));
    return Status::OK();
  }
  if (m->format_version >= 2) return InvalidArgument("missing required field 'schemas'");
  ATOLL_ASSIGN_OR_RETURN(const Json* s, json::Member(j, "schema", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(Schema schema, Schema::FromJson(*s));
  m->current_schema_id = schema.schema_id();
  m->schemas.push_back(std::move(schema));
  return Status::OK();
}

Status ReadSpecs(const Json& j, TableMetadata* m) {
  if (j.contains("partition-specs") && !j["partition-specs"].is_null()) {
    if (!j["partition-specs"].is_array())
      return InvalidArgument("'partition-specs' must be a list");
    for (const Json& s : j["partition-specs"]) {
      ATOLL_ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpec::FromJson(s));
      m->specs.push_back(std::move(spec));
    }
    ATOLL_ASSIGN_OR_RETURN(m->default_spec_id, json::Int32(j, "default-spec-id", "table metadata"));
  } else {
    if (m->format_version >= 2) return InvalidArgument("missing required field 'partition-specs'");
    ATOLL_ASSIGN_OR_RETURN(const Json* fields, json::Member(j, "partition-spec", "table metadata"));
    ATOLL_ASSIGN_OR_RETURN(PartitionSpec spec, PartitionSpec::FromFieldsJson(*fields, 0));
    m->default_spec_id = 0;
    m->specs.push_back(std::move(spec));
  }
  ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> last,
                         json::OptInt32(j, "last-partition-id", "table metadata"));
  if (last) {
    m->last_partition_id = *last;
  } else {
    if (m->format_version >= 2)
      return InvalidArgument("missing required field 'last-partition-id'");
    for (const auto& s : m->specs)
      m->last_partition_id = std::max(m->last_partition_id, s.LastAssignedFieldId());
  }
  return Status::OK();
}

Status ReadSortOrders(const Json& j, TableMetadata* m) {
  ATOLL_ASSIGN_OR_RETURN(Json orders, OptionalList(j, "sort-orders", "table metadata"));
  if (orders.empty()) {
    if (m->format_version >= 2 && !j.contains("sort-orders")) {
      return InvalidArgument("missing required field 'sort-orders'");
    }
    m->sort_orders.push_back(UnsortedOrder());
    m->default_sort_order_id = 0;
    return Status::OK();
  }
  for (const Json& o : orders) {
    ATOLL_ASSIGN_OR_RETURN(SortOrder order, SortOrder::FromJson(o));
    m->sort_orders.push_back(std::move(order));
  }
  ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> id,
                         json::OptInt32(j, "default-sort-order-id", "table metadata"));
  if (!id && m->format_version >= 2)
    return InvalidArgument("missing required field 'default-sort-order-id'");
  m->default_sort_order_id = id.value_or(m->sort_orders.front().order_id);
  return Status::OK();
}

// A reader of one entry of a metadata log (snapshot-log, metadata-log): its timestamp-ms
// and the member `member`, read from `key` by `read`; errors name `what`.
template <typename Entry, typename T>
auto LogEntryReader(T Entry::*member, const char* key,
                    Result<T> (*read)(const Json&, std::string_view, std::string_view),
                    const char* what) {
  return [=](const Json& e) -> Result<Entry> {
    Entry entry;
    ATOLL_ASSIGN_OR_RETURN(entry.timestamp_ms, json::Int64(e, "timestamp-ms", what));
    ATOLL_ASSIGN_OR_RETURN(entry.*member, read(e, key, what));
    return entry;
  };
}

Status ReadSnapshots(const Json& j, TableMetadata* m) {
  ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> current,
                         json::OptSnapshotId(j, "current-snapshot-id", "table metadata"));
  if (current && *current != -1) m->current_snapshot_id = current;
  ATOLL_RETURN_NOT_OK(ReadList(j, "snapshots", Snapshot::FromJson, &m->snapshots));
  ATOLL_RETURN_NOT_OK(ReadList(j, "snapshot-log",
                               LogEntryReader(&SnapshotLogEntry::snapshot_id, "snapshot-id",
                                              json::SnapshotId, "snapshot-log entry"),
                               &m->snapshot_log));
  ATOLL_RETURN_NOT_OK(ReadList(j, "metadata-log",
                               LogEntryReader(&MetadataLogEntry::metadata_file, "metadata-file",
                                              json::String, "metadata-log entry"),
                               &m->metadata_log));
  if (auto it = j.find("refs"); it != j.end() && !it->is_null()) {
    if (!it->is_object()) return InvalidArgument("'refs' must be an object");
    for (auto r = it->begin(); r != it->end(); ++r) {
      ATOLL_ASSIGN_OR_RETURN(SnapshotRef ref, SnapshotRef::FromJson(r.value(), r.key()));
      m->refs.emplace(r.key(), ref);
    }
  }
  // The main branch always exists when there is a current snapshot (implicit in v1).
  if (m->current_snapshot_id && !m->refs.count(kMainBranch)) {
    m->refs.emplace(kMainBranch,
                    SnapshotRef{*m->current_snapshot_id, RefType::kBranch, {}, {}, {}});
  }
  return Status::OK();
}

}  // namespace

const Schema* TableMetadata::SchemaById(int32_t id) const {
  return FindBy(schemas, id, [](const Schema& s) { return s.schema_id(); });
}
const PartitionSpec* TableMetadata::SpecById(int32_t id) const {
  return FindBy(specs, id, [](const PartitionSpec& s) { return s.spec_id; });
}
const SortOrder* TableMetadata::SortOrderById(int32_t id) const {
  return FindBy(sort_orders, id, [](const SortOrder& s) { return s.order_id; });
}
const Snapshot* TableMetadata::SnapshotById(int64_t id) const {
  return FindBy(snapshots, id, [](const Snapshot& s) { return s.snapshot_id; });
}
const Snapshot* TableMetadata::CurrentSnapshot() const {
  return current_snapshot_id ? SnapshotById(*current_snapshot_id) : nullptr;
}
const Snapshot* TableMetadata::SnapshotForRef(std::string_view name) const {
  auto it = refs.find(std::string(name));
  return it == refs.end() ? nullptr : SnapshotById(it->second.snapshot_id);
}

Result<const Snapshot*> TableMetadata::SnapshotAsOf(int64_t timestamp_ms) const {
  const SnapshotLogEntry* best = nullptr;
  for (const auto& e : snapshot_log) {
    if (e.timestamp_ms <= timestamp_ms && (best == nullptr || e.timestamp_ms >= best->timestamp_ms))
      best = &e;
  }
  if (best == nullptr) {
    if (snapshot_log.empty())
      return NotFound("table ", location, " has no snapshot log to travel back in time with");
    int64_t earliest = snapshot_log.front().timestamp_ms;
    for (const auto& e : snapshot_log) earliest = std::min(earliest, e.timestamp_ms);
    return NotFound("table ", location, " has no snapshot at or before ", timestamp_ms,
                    " ms; the earliest logged snapshot is from ", earliest, " ms");
  }
  const Snapshot* s = SnapshotById(best->snapshot_id);
  if (s == nullptr) {
    return NotFound("snapshot ", best->snapshot_id, " that was current at ", timestamp_ms,
                    " ms has expired from table ", location);
  }
  return s;
}

Status TableMetadata::Validate() const {
  if (CurrentSchema() == nullptr)
    return InvalidArgument("current-schema-id ", current_schema_id, " is not among the schemas");
  if (DefaultSpec() == nullptr)
    return InvalidArgument("default-spec-id ", default_spec_id,
                           " is not among the partition specs");
  if (DefaultSortOrder() == nullptr) {
    return InvalidArgument("default-sort-order-id ", default_sort_order_id,
                           " is not among the sort orders");
  }
  if (current_snapshot_id && CurrentSnapshot() == nullptr) {
    return InvalidArgument("current-snapshot-id ", *current_snapshot_id,
                           " is not among the snapshots");
  }
  for (const auto& [name, ref] : refs) {
    if (SnapshotById(ref.snapshot_id) == nullptr) {
      return InvalidArgument("reference '", name, "' points at unknown snapshot ", ref.snapshot_id);
    }
  }
  for (const auto& s : schemas) {
    if (s.HighestFieldId() > last_column_id) {
      return InvalidArgument("schema ", s.schema_id(), " uses field id ", s.HighestFieldId(),
                             " above last-column-id ", last_column_id);
    }
  }
  for (const auto& s : specs) {
    if (format_version >= 2 && s.LastAssignedFieldId() > last_partition_id) {
      return InvalidArgument("partition spec ", s.spec_id, " uses field id ",
                             s.LastAssignedFieldId(), " above last-partition-id ",
                             last_partition_id);
    }
  }
  return Status::OK();
}

bool TableMetadata::operator==(const TableMetadata& o) const {
  return format_version == o.format_version && table_uuid == o.table_uuid &&
         location == o.location && last_sequence_number == o.last_sequence_number &&
         last_updated_ms == o.last_updated_ms && last_column_id == o.last_column_id &&
         schemas == o.schemas && current_schema_id == o.current_schema_id && specs == o.specs &&
         default_spec_id == o.default_spec_id && last_partition_id == o.last_partition_id &&
         properties == o.properties && current_snapshot_id == o.current_snapshot_id &&
         snapshots == o.snapshots && snapshot_log == o.snapshot_log &&
         metadata_log == o.metadata_log && sort_orders == o.sort_orders &&
         default_sort_order_id == o.default_sort_order_id && refs == o.refs &&
         statistics == o.statistics && partition_statistics == o.partition_statistics &&
         encryption_keys == o.encryption_keys && next_row_id == o.next_row_id;
}

Result<TableMetadata> TableMetadata::Parse(std::string_view text, std::string_view what) {
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(text, what));
  return FromJson(j).WithContext(what);
}

Result<TableMetadata> TableMetadata::FromJson(const Json& j) {
  TableMetadata m;
  if (!j.is_object()) return InvalidArgument("table metadata must be a JSON object");
  ATOLL_ASSIGN_OR_RETURN(m.format_version, json::Int32(j, "format-version", "table metadata"));
  if (m.format_version < 1) return InvalidArgument("invalid format-version ", m.format_version);
  if (m.format_version > kMaxFormatVersion) {
    return NotSupported("format-version ", m.format_version, " is newer than the supported ",
                        kMaxFormatVersion);
  }
  const bool v2 = m.format_version >= 2;
  ATOLL_ASSIGN_OR_RETURN(std::optional<std::string> uuid,
                         json::OptString(j, "table-uuid", "table metadata"));
  if (!uuid && v2) return InvalidArgument("missing required field 'table-uuid'");
  m.table_uuid = uuid.value_or("");
  ATOLL_ASSIGN_OR_RETURN(m.location, json::String(j, "location", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> seq,
                         json::OptInt64(j, "last-sequence-number", "table metadata"));
  if (!seq && v2) return InvalidArgument("missing required field 'last-sequence-number'");
  m.last_sequence_number = seq.value_or(0);
  ATOLL_ASSIGN_OR_RETURN(m.last_updated_ms, json::Int64(j, "last-updated-ms", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(m.last_column_id, json::Int32(j, "last-column-id", "table metadata"));
  ATOLL_RETURN_NOT_OK(ReadSchemas(j, &m));
  ATOLL_RETURN_NOT_OK(ReadSpecs(j, &m));
  ATOLL_RETURN_NOT_OK(ReadSortOrders(j, &m));
  ATOLL_ASSIGN_OR_RETURN(m.properties, json::StringMap(j, "properties", "table metadata"));
  ATOLL_RETURN_NOT_OK(ReadSnapshots(j, &m));
  ATOLL_ASSIGN_OR_RETURN(m.statistics, OptionalList(j, "statistics", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(m.partition_statistics,
                         OptionalList(j, "partition-statistics", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(m.encryption_keys, OptionalList(j, "encryption-keys", "table metadata"));
  ATOLL_ASSIGN_OR_RETURN(m.next_row_id, json::OptInt64(j, "next-row-id", "table metadata"));
  // v3 metadata written before row lineage was settled (Java's row-lineage flag era) has no
  // next-row-id; Java then starts at 0, and so does atoll.
  if (!m.next_row_id && m.format_version >= 3) m.next_row_id = 0;
  ATOLL_RETURN_NOT_OK(m.Validate());
  return m;
}

Result<Json> TableMetadata::ToJson(int version) const {
  if (version == 0) version = std::max(2, format_version);
  if (version < 2 || version > kMaxFormatVersion)
    return InvalidArgument("atoll writes format version 2 or 3, not ", version);
  if (version < format_version) {
    return InvalidArgument("cannot write a format-version ", format_version, " table as version ",
                           version);
  }
  if (table_uuid.empty())
    return InvalidArgument("cannot write table metadata without a table-uuid");
  Json j = Json::object();
  j["format-version"] = version;
  j["table-uuid"] = table_uuid;
  j["location"] = location;
  j["last-sequence-number"] = last_sequence_number;
  j["last-updated-ms"] = last_updated_ms;
  j["last-column-id"] = last_column_id;
  j["schemas"] = Json::array();
  for (const auto& s : schemas) j["schemas"].push_back(s.ToJson());
  j["current-schema-id"] = current_schema_id;
  j["partition-specs"] = Json::array();
  for (const auto& s : specs) j["partition-specs"].push_back(s.ToJson());
  j["default-spec-id"] = default_spec_id;
  j["last-partition-id"] = last_partition_id;
  j["properties"] = properties;
  // v2 readers (Java) expect -1 for "no snapshot"; v3 uses null.
  if (current_snapshot_id) {
    j["current-snapshot-id"] = *current_snapshot_id;
  } else {
    j["current-snapshot-id"] = version >= 3 ? Json(nullptr) : Json(-1);
  }
  j["snapshots"] = Json::array();
  for (const auto& s : snapshots) j["snapshots"].push_back(s.ToJson(version));
  j["snapshot-log"] = Json::array();
  for (const auto& e : snapshot_log) {
    j["snapshot-log"].push_back({{"timestamp-ms", e.timestamp_ms}, {"snapshot-id", e.snapshot_id}});
  }
  j["metadata-log"] = Json::array();
  for (const auto& e : metadata_log) {
    j["metadata-log"].push_back(
        {{"timestamp-ms", e.timestamp_ms}, {"metadata-file", e.metadata_file}});
  }
  j["sort-orders"] = Json::array();
  for (const auto& o : sort_orders) j["sort-orders"].push_back(o.ToJson());
  j["default-sort-order-id"] = default_sort_order_id;
  j["refs"] = Json::object();
  for (const auto& [name, ref] : refs) j["refs"][name] = ref.ToJson();
  if (!statistics->empty()) j["statistics"] = statistics.get();
  if (!partition_statistics->empty()) j["partition-statistics"] = partition_statistics.get();
  if (!encryption_keys->empty()) j["encryption-keys"] = encryption_keys.get();
  if (version >= 3) j["next-row-id"] = next_row_id.value_or(0);
  return j;
}

Result<std::string> TableMetadata::ToJsonString(int version) const {
  ATOLL_ASSIGN_OR_RETURN(Json j, ToJson(version));
  return j.dump();
}

}  // namespace atl::iceberg
