// TableMetadataBuilder: derives new, immutable TableMetadata from a base (or creates a new
// table), following the spec's rules:
//   - schemas/specs/sort orders equal to an existing one are reused, else get id max+1;
//   - snapshots need a unique id and, from v2, a sequence number above last-sequence-number;
//     in v3 first-row-id must be >= next-row-id and next-row-id advances by added-rows;
//   - setting the "main" branch sets current-snapshot-id and appends to the snapshot log;
//   - Build stamps last-updated-ms and appends the previous metadata file to metadata-log.
// The first failing call's error is returned by Build (calls after it are ignored).
//
// Not thread-safe (a builder); results are values.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "atoll/common/result.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

class TableMetadataBuilder {
 public:
  // Metadata for a new table: the schema, spec and sort order get fresh ids (schema id 0,
  // spec id 0 with partition field ids from 1000, order id 1 when sorted).
  static Result<TableMetadata> NewTable(const Schema& schema,
                                        const std::vector<UnboundPartitionField>& partition,
                                        const SortOrder& sort_order, std::string location,
                                        std::map<std::string, std::string> properties,
                                        std::string table_uuid, int64_t now_ms,
                                        int format_version = 2);

  explicit TableMetadataBuilder(TableMetadata base);

  TableMetadataBuilder& UpgradeFormatVersion(int format_version);
  // Adds `schema` (its id is replaced) and raises last-column-id to at least `last_column_id`.
  TableMetadataBuilder& AddSchema(const Schema& schema, int32_t last_column_id);
  TableMetadataBuilder& SetCurrentSchema(int32_t schema_id);  // -1 = the last added
  // Adds a spec (its spec id is replaced); field ids must already be assigned (EvolveSpec).
  TableMetadataBuilder& AddPartitionSpec(const PartitionSpec& spec);
  TableMetadataBuilder& SetDefaultSpec(int32_t spec_id);  // -1 = the last added
  TableMetadataBuilder& AddSortOrder(const SortOrder& order);
  TableMetadataBuilder& SetDefaultSortOrder(int32_t order_id);  // -1 = the last added
  TableMetadataBuilder& AddSnapshot(const Snapshot& snapshot);
  // Points branch or tag `name` at a known snapshot ("main" also sets the current snapshot).
  TableMetadataBuilder& SetRef(const std::string& name, const SnapshotRef& ref);
  TableMetadataBuilder& SetCurrentSnapshot(int64_t snapshot_id);  // = main branch
  TableMetadataBuilder& RemoveRef(const std::string& name);
  TableMetadataBuilder& SetProperties(const std::map<std::string, std::string>& updates);
  TableMetadataBuilder& RemoveProperties(const std::set<std::string>& keys);
  TableMetadataBuilder& SetLocation(std::string location);

  // Ids given to the last added schema / spec / sort order (-1 before any).
  int32_t last_added_schema_id() const { return last_added_schema_id_; }
  int32_t last_added_spec_id() const { return last_added_spec_id_; }
  int32_t last_added_order_id() const { return last_added_order_id_; }

  // Produces the new metadata with last-updated-ms = now_ms. When `previous_metadata_file`
  // is given, it is appended to metadata-log (with the base's last-updated-ms) and the log is
  // trimmed to the newest `max_metadata_log` entries.
  Result<TableMetadata> Build(int64_t now_ms, const std::string& previous_metadata_file = "",
                              size_t max_metadata_log = 100) const;

 private:
  bool failed() const { return !error_.ok(); }
  void Fail(Status status) {
    if (error_.ok()) error_ = std::move(status);
  }

  TableMetadata base_;
  TableMetadata meta_;
  Status error_;
  int32_t last_added_schema_id_ = -1;
  int32_t last_added_spec_id_ = -1;
  int32_t last_added_order_id_ = -1;
  std::set<int64_t> added_snapshots_;
  // Snapshot-log entries to add at Build: snapshot id and, if known, the time.
  std::vector<std::pair<int64_t, std::optional<int64_t>>> pending_log_;
};

// The metadata-log length `m`'s properties allow (write.metadata.previous-versions-max):
// 100 when the property is absent or not a whole number >= 1. For Build's max_metadata_log.
size_t MaxMetadataLog(const TableMetadata& m);

}  // namespace atl::iceberg
