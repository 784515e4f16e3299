#include "atoll/iceberg/sort_order.h"

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg {

Status SortOrder::Validate(const Schema& schema) const {
  std::string ctx = StrCat("sort order ", order_id);
  if (order_id == 0 && !fields.empty())
    return InvalidArgument(ctx, ": order id 0 is reserved for the unsorted order");
  for (const auto& f : fields) {
    if (f.transform.kind() == TransformKind::kUnknown) continue;
    if (f.source_ids.size() != 1)
      return InvalidArgument(ctx, ": ", f.transform.ToString(), " takes one source column");
    const NestedField* src = schema.FindFieldById(f.source_ids[0]);
    if (src == nullptr)
      return InvalidArgument(ctx, ": source column id ", f.source_ids[0], " is not in the schema");
    if (!f.transform.CanTransform(*src->type)) {
      return InvalidArgument(ctx, ": transform ", f.transform.ToString(),
                             " cannot be applied to column '", src->name, "' of type ",
                             src->type->ToString());
    }
  }
  return Status::OK();
}

Json SortOrder::ToJson() const {
  Json list = Json::array();
  for (const auto& f : fields) {
    Json j = {
        {"transform", f.transform.ToString()},
        {"direction", f.direction == SortDirection::kAsc ? "asc" : "desc"},
        {"null-order", f.null_order == NullOrder::kNullsFirst ? "nulls-first" : "nulls-last"}};
    if (f.source_ids.size() == 1) {
      j["source-id"] = f.source_ids[0];
    } else {
      j["source-ids"] = f.source_ids;
    }
    list.push_back(std::move(j));
  }
  return Json{{"order-id", order_id}, {"fields", std::move(list)}};
}

Result<SortOrder> SortOrder::FromJson(const Json& j) {
  SortOrder order;
  ATOLL_ASSIGN_OR_RETURN(order.order_id, json::Int32(j, "order-id", "sort order"));
  std::string ctx = StrCat("sort order ", order.order_id);
  ATOLL_ASSIGN_OR_RETURN(const Json* fields, json::Member(j, "fields", ctx));
  if (!fields->is_array()) return InvalidArgument(ctx, ": 'fields' must be a list");
  for (const Json& fj : *fields) {
    SortField f;
    ATOLL_ASSIGN_OR_RETURN(std::string transform, json::String(fj, "transform", ctx));
    ATOLL_ASSIGN_OR_RETURN_CTX(f.transform, Transform::Parse(transform), ctx);
    ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> source, json::OptInt32(fj, "source-id", ctx));
    if (source) {
      f.source_ids = {*source};
    } else {
      ATOLL_ASSIGN_OR_RETURN(f.source_ids, json::Int32List(fj, "source-ids", ctx));
      if (f.source_ids.empty()) return InvalidArgument(ctx, ": a sort field lacks 'source-id'");
    }
    ATOLL_ASSIGN_OR_RETURN(std::string dir, json::String(fj, "direction", ctx));
    ATOLL_ASSIGN_OR_RETURN(std::string nulls, json::String(fj, "null-order", ctx));
    if (dir != "asc" && dir != "desc")
      return InvalidArgument(ctx, ": direction '", dir, "' is not asc or desc");
    if (nulls != "nulls-first" && nulls != "nulls-last") {
      return InvalidArgument(ctx, ": null-order '", nulls, "' is not nulls-first or nulls-last");
    }
    f.direction = dir == "asc" ? SortDirection::kAsc : SortDirection::kDesc;
    f.null_order = nulls == "nulls-first" ? NullOrder::kNullsFirst : NullOrder::kNullsLast;
    order.fields.push_back(std::move(f));
  }
  return order;
}

SortOrder UnsortedOrder() { return SortOrder{}; }

}  // namespace atl::iceberg
