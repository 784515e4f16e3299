// SortOrder (spec "Sorting", JSON in Appendix C): order id (0 = unsorted) and sort fields
// with transform, source column id(s), direction and null order. Immutable values.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/schema.h"
#include "atoll/iceberg/transform.h"

namespace atl::iceberg {

enum class SortDirection { kAsc, kDesc };
enum class NullOrder { kNullsFirst, kNullsLast };

struct SortField {
  Transform transform = Transform::Identity();
  std::vector<int32_t> source_ids;
  SortDirection direction = SortDirection::kAsc;
  NullOrder null_order = NullOrder::kNullsFirst;

  bool operator==(const SortField& other) const {
    return transform == other.transform && source_ids == other.source_ids &&
           direction == other.direction && null_order == other.null_order;
  }
};

struct SortOrder {
  int32_t order_id = 0;
  std::vector<SortField> fields;

  bool is_unsorted() const { return fields.empty(); }
  // Same fields (order ids may differ).
  bool SameOrder(const SortOrder& other) const { return fields == other.fields; }
  bool operator==(const SortOrder& other) const {
    return order_id == other.order_id && fields == other.fields;
  }

  // Sources exist and the transforms apply to them; a sorted order must not use id 0.
  Status Validate(const Schema& schema) const;

  Json ToJson() const;
  static Result<SortOrder> FromJson(const Json& json);
};

// The unsorted order, id 0.
SortOrder UnsortedOrder();

}  // namespace atl::iceberg
