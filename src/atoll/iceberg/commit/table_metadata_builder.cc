#include "atoll/iceberg/commit/table_metadata_builder.h"

#include <algorithm>
#include <cstdlib>

namespace atl::iceberg {
namespace {

// The id (`id_of`) of the first of `items` that `same` accepts, or nullopt.
template <typename T, typename Same, typename IdOf>
std::optional<int32_t> FindId(const std::vector<T>& items, Same same, IdOf id_of) {
  for (const T& item : items) {
    if (same(item)) return id_of(item);
  }
  return std::nullopt;
}

// One above the largest id of `items`, and at least `first`.
template <typename T, typename IdOf>
int32_t NextId(const std::vector<T>& items, int32_t first, IdOf id_of) {
  int32_t id = first;
  for (const T& item : items) id = std::max(id, id_of(item) + 1);
  return id;
}

// `id` (-1: `last_added`) when `exists(id)`; otherwise kInvalidArgument
// "cannot set <what>: <item> <id> does not exist".
template <typename Exists>
Result<int32_t> ExistingId(int32_t id, int32_t last_added, Exists exists, std::string_view what,
                           std::string_view item) {
  if (id == -1) id = last_added;
  if (!exists(id))
    return InvalidArgument("cannot set ", what, ": ", item, " ", id, " does not exist");
  return id;
}

// `item.Validate(schema)` (a partition spec or sort order) against `m`'s current schema.
template <typename T>
Status ValidateForCurrentSchema(const T& item, const TableMetadata& m) {
  const Schema* schema = m.CurrentSchema();
  return schema ? item.Validate(*schema) : InvalidArgument("the table has no current schema");
}

}  // namespace

Result<TableMetadata> TableMetadataBuilder::NewTable(
    const Schema& schema, const std::vector<UnboundPartitionField>& partition,
    const SortOrder& sort_order, std::string location,
    std::map<std::string, std::string> properties, std::string table_uuid, int64_t now_ms,
    int format_version) {
  if (format_version < 1 || format_version > kMaxFormatVersion) {
    return InvalidArgument("cannot create a table with format version ", format_version);
  }
  TableMetadata m;
  m.format_version = format_version;
  m.table_uuid = std::move(table_uuid);
  m.location = std::move(location);
  m.last_updated_ms = now_ms;
  Schema s = schema.WithSchemaId(0);
  m.last_column_id = s.HighestFieldId();
  m.schemas = {s};
  m.current_schema_id = 0;
  int32_t last_partition_id = kPartitionDataIdStart - 1;
  ATOLL_ASSIGN_OR_RETURN(PartitionSpec spec, EvolveSpec({}, s, 0, partition, &last_partition_id));
  m.specs = {spec};
  m.last_partition_id = last_partition_id;
  SortOrder order = sort_order;
  order.order_id = order.is_unsorted() ? 0 : 1;
  ATOLL_RETURN_NOT_OK(order.Validate(s));
  m.sort_orders = {order};
  m.default_sort_order_id = order.order_id;
  m.properties = std::move(properties);
  if (format_version >= 3) m.next_row_id = 0;
  ATOLL_RETURN_NOT_OK(m.Validate());
  return m;
}

TableMetadataBuilder::TableMetadataBuilder(TableMetadata base)
    : base_(base), meta_(std::move(base)) {}

TableMetadataBuilder& TableMetadataBuilder::UpgradeFormatVersion(int v) {
  if (failed()) return *this;
  if (v < meta_.format_version) {
    Fail(InvalidArgument("cannot downgrade format version ", meta_.format_version, " to ", v));
  } else if (v > kMaxFormatVersion) {
    Fail(NotSupported("format version ", v, " is not supported"));
  } else {
    if (v >= 3 && !meta_.next_row_id) meta_.next_row_id = 0;
    meta_.format_version = v;
  }
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::AddSchema(const Schema& schema,
                                                      int32_t last_column_id) {
  if (failed()) return *this;
  int32_t new_last = std::max({meta_.last_column_id, last_column_id, schema.HighestFieldId()});
  auto id_of = [](const Schema& s) { return s.schema_id(); };
  if (auto same = FindId(
          meta_.schemas, [&](const Schema& s) { return s.SameStructure(schema); }, id_of)) {
    last_added_schema_id_ = *same;
    meta_.last_column_id = new_last;
    return *this;
  }
  int32_t id = NextId(meta_.schemas, 0, id_of);
  meta_.schemas.push_back(schema.WithSchemaId(id));
  meta_.last_column_id = new_last;
  last_added_schema_id_ = id;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetCurrentSchema(int32_t id) {
  if (failed()) return *this;
  Result<int32_t> found = ExistingId(
      id, last_added_schema_id_, [&](int32_t i) { return meta_.SchemaById(i) != nullptr; },
      "current schema", "schema");
  if (!found.ok()) return Fail(found.status()), *this;
  meta_.current_schema_id = *found;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::AddPartitionSpec(const PartitionSpec& spec) {
  if (failed()) return *this;
  auto id_of = [](const PartitionSpec& s) { return s.spec_id; };
  if (auto same = FindId(
          meta_.specs, [&](const PartitionSpec& s) { return s.Equivalent(spec); }, id_of)) {
    last_added_spec_id_ = *same;
    return *this;
  }
  int32_t id = NextId(meta_.specs, 0, id_of);
  PartitionSpec copy = spec;
  copy.spec_id = id;
  Status st = ValidateForCurrentSchema(copy, meta_);
  if (!st.ok()) return Fail(st), *this;
  meta_.last_partition_id = std::max(meta_.last_partition_id, copy.LastAssignedFieldId());
  meta_.specs.push_back(std::move(copy));
  last_added_spec_id_ = id;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetDefaultSpec(int32_t id) {
  if (failed()) return *this;
  Result<int32_t> found = ExistingId(
      id, last_added_spec_id_, [&](int32_t i) { return meta_.SpecById(i) != nullptr; },
      "default spec", "partition spec");
  if (!found.ok()) return Fail(found.status()), *this;
  meta_.default_spec_id = *found;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::AddSortOrder(const SortOrder& order) {
  if (failed()) return *this;
  auto id_of = [](const SortOrder& o) { return o.order_id; };
  if (auto same = FindId(
          meta_.sort_orders, [&](const SortOrder& o) { return o.SameOrder(order); }, id_of)) {
    last_added_order_id_ = *same;
    return *this;
  }
  int32_t id = NextId(meta_.sort_orders, 1, id_of);
  SortOrder copy = order;
  copy.order_id = order.is_unsorted() ? 0 : id;
  Status st = ValidateForCurrentSchema(copy, meta_);
  if (!st.ok()) return Fail(st), *this;
  meta_.sort_orders.push_back(copy);
  last_added_order_id_ = copy.order_id;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetDefaultSortOrder(int32_t id) {
  if (failed()) return *this;
  Result<int32_t> found = ExistingId(
      id, last_added_order_id_, [&](int32_t i) { return meta_.SortOrderById(i) != nullptr; },
      "default sort order", "order");
  if (!found.ok()) return Fail(found.status()), *this;
  meta_.default_sort_order_id = *found;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::AddSnapshot(const Snapshot& s) {
  if (failed()) return *this;
  std::string ctx = StrCat("cannot add snapshot ", s.snapshot_id);
  if (meta_.SnapshotById(s.snapshot_id) != nullptr)
    return Fail(AlreadyExists(ctx, ": the id is taken")), *this;
  if (meta_.format_version >= 2 && s.sequence_number <= meta_.last_sequence_number &&
      !meta_.snapshots.empty()) {
    return Fail(InvalidArgument(ctx, ": sequence number ", s.sequence_number,
                                " is not above the table's last-sequence-number ",
                                meta_.last_sequence_number)),
           *this;
  }
  if (s.schema_id && meta_.SchemaById(*s.schema_id) == nullptr) {
    return Fail(InvalidArgument(ctx, ": schema ", *s.schema_id, " does not exist")), *this;
  }
  if (s.manifest_list.empty() && meta_.format_version >= 2) {
    return Fail(InvalidArgument(ctx, ": a manifest-list is required")), *this;
  }
  if (meta_.format_version >= 3) {
    if (!s.first_row_id || !s.added_rows) {
      return Fail(InvalidArgument(ctx, ": v3 snapshots need first-row-id and added-rows")), *this;
    }
    if (*s.first_row_id < meta_.next_row_id.value_or(0)) {
      return Fail(InvalidArgument(ctx, ": first-row-id ", *s.first_row_id,
                                  " is below the table's next-row-id ",
                                  meta_.next_row_id.value_or(0))),
             *this;
    }
    meta_.next_row_id = *s.first_row_id + *s.added_rows;
  }
  meta_.snapshots.push_back(s);
  meta_.last_sequence_number = std::max(meta_.last_sequence_number, s.sequence_number);
  added_snapshots_.insert(s.snapshot_id);
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetRef(const std::string& name,
                                                   const SnapshotRef& ref) {
  if (failed()) return *this;
  const Snapshot* snap = meta_.SnapshotById(ref.snapshot_id);
  if (snap == nullptr) {
    return Fail(InvalidArgument("cannot set reference '", name, "': snapshot ", ref.snapshot_id,
                                " does not exist")),
           *this;
  }
  if (name == kMainBranch && !ref.is_branch())
    return Fail(InvalidArgument("'main' must be a branch")), *this;
  auto old = meta_.refs.find(name);
  bool changed = old == meta_.refs.end() || old->second.snapshot_id != ref.snapshot_id;
  meta_.refs[name] = ref;
  if (name == kMainBranch && changed) {
    meta_.current_snapshot_id = ref.snapshot_id;
    std::optional<int64_t> when;
    if (added_snapshots_.count(ref.snapshot_id)) when = snap->timestamp_ms;
    pending_log_.emplace_back(ref.snapshot_id, when);
  }
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetCurrentSnapshot(int64_t snapshot_id) {
  SnapshotRef ref{snapshot_id, RefType::kBranch, {}, {}, {}};
  if (auto it = meta_.refs.find(kMainBranch); it != meta_.refs.end()) {
    ref = it->second;  // keep the branch's retention settings
    ref.snapshot_id = snapshot_id;
  }
  return SetRef(kMainBranch, ref);
}

TableMetadataBuilder& TableMetadataBuilder::RemoveRef(const std::string& name) {
  if (failed()) return *this;
  meta_.refs.erase(name);
  if (name == kMainBranch) meta_.current_snapshot_id.reset();
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetProperties(
    const std::map<std::string, std::string>& updates) {
  for (const auto& [k, v] : updates) meta_.properties[k] = v;
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::RemoveProperties(const std::set<std::string>& keys) {
  for (const auto& k : keys) meta_.properties.erase(k);
  return *this;
}

TableMetadataBuilder& TableMetadataBuilder::SetLocation(std::string location) {
  meta_.location = std::move(location);
  return *this;
}

Result<TableMetadata> TableMetadataBuilder::Build(int64_t now_ms,
                                                  const std::string& previous_metadata_file,
                                                  size_t max_metadata_log) const {
  if (failed()) return error_;
  TableMetadata m = meta_;
  m.last_updated_ms = now_ms;
  for (const auto& [id, when] : pending_log_)
    m.snapshot_log.push_back(SnapshotLogEntry{when.value_or(now_ms), id});
  if (!previous_metadata_file.empty()) {
    m.metadata_log.push_back(MetadataLogEntry{base_.last_updated_ms, previous_metadata_file});
    if (m.metadata_log.size() > max_metadata_log) {
      m.metadata_log.erase(
          m.metadata_log.begin(),
          m.metadata_log.begin() + static_cast<long>(m.metadata_log.size() - max_metadata_log));
    }
  }
  ATOLL_RETURN_NOT_OK(m.Validate());
  return m;
}

size_t MaxMetadataLog(const TableMetadata& m) {
  auto it = m.properties.find("write.metadata.previous-versions-max");
  if (it == m.properties.end()) return 100;
  char* end = nullptr;
  long long v = std::strtoll(it->second.c_str(), &end, 10);
  return (it->second.empty() || *end != '\0' || v < 1) ? 100 : static_cast<size_t>(v);
}

}  // namespace atl::iceberg
