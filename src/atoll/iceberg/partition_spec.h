// PartitionSpec (spec "Partitioning", JSON in Appendix C): fields with source column id(s),
// partition field id (1000+), name and transform; the partition struct type; partition
// paths ("ts_day=2024-01-02/id_bucket=3", URL-escaped like Java's URLEncoder); and
// evolution helpers that keep field ids of equivalent fields across specs.
//
// Thread safety: immutable values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/schema.h"
#include "atoll/iceberg/transform.h"

namespace atl::iceberg {

// Partition field ids start here; an unpartitioned table's last-partition-id is 999.
constexpr int32_t kPartitionDataIdStart = 1000;

struct PartitionField {
  std::vector<int32_t> source_ids;  // one for single-argument transforms (JSON "source-id")
  int32_t field_id = 0;
  std::string name;
  Transform transform = Transform::Identity();

  int32_t source_id() const { return source_ids.empty() ? 0 : source_ids.front(); }
  bool operator==(const PartitionField& other) const;
};

struct PartitionSpec {
  int32_t spec_id = 0;
  std::vector<PartitionField> fields;

  // The highest field id, or 999 when there are none.
  int32_t LastAssignedFieldId() const;
  // Same number of fields with the same source ids, transforms and names (spec ids and
  // field ids may differ): the spec's "equivalent" partition specs.
  bool Equivalent(const PartitionSpec& other) const;
  bool operator==(const PartitionSpec& other) const {
    return spec_id == other.spec_id && fields == other.fields;
  }

  // Validates the spec against `schema`: sources exist, are primitive, not inside a list
  // or map, transforms apply to them; names unique and non-empty; field ids unique. Fields
  // with unknown transforms are accepted (they are ignored for filtering).
  Status Validate(const Schema& schema) const;
  // The partition tuple type: a struct of (field id, name, optional result type).
  Result<TypePtr> PartitionType(const Schema& schema) const;
  // The path of one partition tuple (one value per field, in order).
  Result<std::string> PartitionPath(const std::vector<Literal>& values) const;

  Json ToJson() const;
  // Parses the object form {"spec-id", "fields"}.
  static Result<PartitionSpec> FromJson(const Json& json);
  // Parses the v1 fields-only list; missing field ids are assigned 1000, 1001, ... in order.
  static Result<PartitionSpec> FromFieldsJson(const Json& fields, int32_t spec_id);
};

// The unpartitioned spec with id 0.
PartitionSpec UnpartitionedSpec();

// One field of a spec being built: ids are assigned by EvolveSpec.
struct UnboundPartitionField {
  std::vector<int32_t> source_ids;
  std::string name;
  Transform transform;
};

// Builds a spec with id `spec_id` from `fields`, reusing the field id of an equivalent field
// (same source ids and transform) in any of `existing`, else assigning ++*last_partition_id.
// Validates against `schema`.
Result<PartitionSpec> EvolveSpec(const std::vector<PartitionSpec>& existing, const Schema& schema,
                                 int32_t spec_id, const std::vector<UnboundPartitionField>& fields,
                                 int32_t* last_partition_id);

// Escapes like java.net.URLEncoder (UTF-8): [A-Za-z0-9.-*_] kept, space -> '+', other
// bytes -> %XX (uppercase hex).
std::string UrlEscape(std::string_view text);

}  // namespace atl::iceberg
