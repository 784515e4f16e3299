// A CommitTableRequest (requirements + updates, the REST spec's TableRequirement and
// TableUpdate) applied to table metadata with TableMetadataBuilder, the builder every
// commit of atoll uses. rest_tables.cc runs these inside CommitWithRetries (commit.h): the
// requirements are checked again on every attempt, so a commit that lost a race is
// retried only while the client's assumptions still hold, and is otherwise a 409.
//
// Requirements: assert-create, assert-table-uuid, assert-ref-snapshot-id,
// assert-last-assigned-field-id, assert-current-schema-id,
// assert-last-assigned-partition-id, assert-default-spec-id, assert-default-sort-order-id.
// A failed one is kCommitConflict; an unknown one kInvalidArgument.
//
// Updates: assign-uuid, upgrade-format-version, add-schema, set-current-schema, add-spec,
// set-default-spec, add-sort-order, set-default-sort-order, add-snapshot,
// set-snapshot-ref, remove-snapshot-ref, remove-snapshots, set-properties,
// remove-properties, set-location. Others (statistics, encryption keys) are
// kInvalidArgument naming the action. The builder's errors pass through (kInvalidArgument,
// kAlreadyExists for a snapshot id that is taken).
//
// Thread safety: pure functions.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::serve {

// `base` is null when the table does not exist (only assert-create holds then).
Status CheckRequirements(const nlohmann::json& requirements, const iceberg::TableMetadata* base);

// The fields of a partition spec of a request ({"fields": [{"source-id", "transform",
// "name", "field-id"?}]}); field ids are left to EvolveSpec.
Result<std::vector<iceberg::UnboundPartitionField>> PartitionFieldsFromJson(
    const nlohmann::json& spec);

// True when `requirements` holds assert-create.
bool AssertsCreate(const nlohmann::json& requirements);

// The metadata for a table created by updates alone (a staged create's commit): no
// schema yet, the unpartitioned spec and the unsorted order, format version 2.
iceberg::TableMetadata EmptyTableMetadata(std::string location);

struct UpdateContext {
  int64_t now_ms = 0;
  std::string previous_metadata_file;  // "" for a new table
  // Refuses a location the table may not move to (lake::CheckTableInLake).
  std::function<Status(const std::string& location)> check_location;
  std::function<std::string()> new_uuid;  // for tables without one
};

// The metadata after `updates`, built on `base`.
Result<iceberg::TableMetadata> ApplyUpdates(const nlohmann::json& updates,
                                            const iceberg::TableMetadata& base,
                                            const UpdateContext& context);

}  // namespace atl::serve
