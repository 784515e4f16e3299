// TableMetadata: the contents of a <n>.metadata.json file (spec "Table Metadata", Appendix C),
// read from format versions 1, 2 and 3 and written as v2 (or v3 when asked / when the table
// is v3). Reading normalizes v1 forms: "schema" -> schemas, "partition-spec" -> specs (field
// ids from 1000), missing sort orders -> unsorted, implicit "main" ref, current-snapshot-id
// -1 -> none, missing sequence numbers -> 0. Writing is deterministic (sorted keys).
//
// Use TableMetadataBuilder (table_metadata_builder.h) to derive new metadata.
// Thread safety: a plain value; const access is safe from many threads.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/schema.h"
#include "atoll/iceberg/snapshot.h"
#include "atoll/iceberg/sort_order.h"

namespace atl::iceberg {

// The highest format version atoll reads.
constexpr int kMaxFormatVersion = 3;

struct TableMetadata {
  int format_version = 2;
  std::string table_uuid;
  std::string location;
  int64_t last_sequence_number = 0;
  int64_t last_updated_ms = 0;
  int32_t last_column_id = 0;
  std::vector<Schema> schemas;
  int32_t current_schema_id = 0;
  std::vector<PartitionSpec> specs;
  int32_t default_spec_id = 0;
  int32_t last_partition_id = kPartitionDataIdStart - 1;
  std::map<std::string, std::string> properties;
  std::optional<int64_t> current_snapshot_id;  // none when the table has no data yet
  std::vector<Snapshot> snapshots;
  std::vector<SnapshotLogEntry> snapshot_log;
  std::vector<MetadataLogEntry> metadata_log;
  std::vector<SortOrder> sort_orders;
  int32_t default_sort_order_id = 0;
  std::map<std::string, SnapshotRef> refs;
  // Kept as read (lists of objects); written back unchanged when non-empty.
  JsonValue statistics = EmptyJsonArray();
  JsonValue partition_statistics = EmptyJsonArray();
  JsonValue encryption_keys = EmptyJsonArray();
  std::optional<int64_t> next_row_id;  // v3 row lineage

  // Lookups; nullptr when absent.
  const Schema* CurrentSchema() const { return SchemaById(current_schema_id); }
  const Schema* SchemaById(int32_t id) const;
  const PartitionSpec* DefaultSpec() const { return SpecById(default_spec_id); }
  const PartitionSpec* SpecById(int32_t id) const;
  const SortOrder* DefaultSortOrder() const { return SortOrderById(default_sort_order_id); }
  const SortOrder* SortOrderById(int32_t id) const;
  const Snapshot* CurrentSnapshot() const;
  const Snapshot* SnapshotById(int64_t id) const;
  // The snapshot a branch or tag points at.
  const Snapshot* SnapshotForRef(std::string_view name) const;

  // Time travel (spec Appendix F): the snapshot that was current at `timestamp_ms`, from the
  // snapshot log (the last entry at or before the time). NotFound, with the earliest known
  // time, when the log has nothing that early or is empty.
  Result<const Snapshot*> SnapshotAsOf(int64_t timestamp_ms) const;

  // Checks cross-references: current schema/spec/sort order exist, the current snapshot and
  // refs point at known snapshots, last-column-id and last-partition-id cover the ids used.
  Status Validate() const;

  bool operator==(const TableMetadata& other) const;

  // Parses metadata JSON text; `what` names the file in errors. Corruption for bad JSON,
  // InvalidArgument for missing/ill-typed fields, NotSupported for format versions > 3.
  static Result<TableMetadata> Parse(std::string_view text,
                                     std::string_view what = "table metadata");
  static Result<TableMetadata> FromJson(const Json& json);

  // Serializes as `format_version` (0 = max(2, this table's version)). Writing an older
  // version than the table's, or v2+ without a table-uuid, is InvalidArgument.
  Result<Json> ToJson(int format_version = 0) const;
  Result<std::string> ToJsonString(int format_version = 0) const;
};

}  // namespace atl::iceberg
