#include "atoll/iceberg/partition_spec.h"

#include <algorithm>
#include <set>

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg {

bool PartitionField::operator==(const PartitionField& o) const {
  return source_ids == o.source_ids && field_id == o.field_id && name == o.name &&
         transform == o.transform;
}

int32_t PartitionSpec::LastAssignedFieldId() const {
  int32_t last = kPartitionDataIdStart - 1;
  for (const auto& f : fields) last = std::max(last, f.field_id);
  return last;
}

bool PartitionSpec::Equivalent(const PartitionSpec& o) const {
  if (fields.size() != o.fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i) {
    const auto& a = fields[i];
    const auto& b = o.fields[i];
    if (a.source_ids != b.source_ids || a.transform != b.transform || a.name != b.name)
      return false;
  }
  return true;
}

Status PartitionSpec::Validate(const Schema& schema) const {
  std::string ctx = StrCat("partition spec ", spec_id);
  std::set<std::string> names;
  std::set<int32_t> ids;
  for (const auto& f : fields) {
    std::string what = StrCat(ctx, ": field '", f.name, "'");
    if (f.name.empty()) return InvalidArgument(ctx, ": a partition field has an empty name");
    if (!names.insert(f.name).second) return InvalidArgument(what, " is defined twice");
    if (!ids.insert(f.field_id).second)
      return InvalidArgument(what, " reuses field id ", f.field_id);
    if (f.source_ids.empty()) return InvalidArgument(what, " has no source column");
    if (f.transform.kind() == TransformKind::kUnknown) continue;
    if (f.source_ids.size() != 1)
      return InvalidArgument(what, ": ", f.transform.ToString(), " takes one source column");
    const NestedField* src = schema.FindFieldById(f.source_id());
    if (src == nullptr)
      return InvalidArgument(what, ": source column id ", f.source_id(), " is not in the schema");
    if (!src->type->is_primitive())
      return InvalidArgument(what, ": source column '", src->name, "' is not a primitive");
    if (schema.IsInListOrMap(src->id)) {
      return InvalidArgument(what, ": source column '", src->name, "' is inside a list or map");
    }
    if (!f.transform.CanTransform(*src->type)) {
      return InvalidArgument(what, ": transform ", f.transform.ToString(), " cannot be applied to ",
                             src->type->ToString(), " column '", src->name, "'");
    }
    const NestedField* same_name = schema.FindFieldByName(f.name);
    if (same_name != nullptr &&
        !(f.transform.kind() == TransformKind::kIdentity && same_name->id == src->id) &&
        f.transform.kind() != TransformKind::kVoid) {
      return InvalidArgument(
          what, " has the name of a schema column; only an identity partition of that column may");
    }
  }
  return Status::OK();
}

Result<TypePtr> PartitionSpec::PartitionType(const Schema& schema) const {
  std::vector<NestedField> out;
  for (const auto& f : fields) {
    TypePtr result;
    const NestedField* src = schema.FindFieldById(f.source_id());
    if (f.transform.kind() == TransformKind::kUnknown) {
      result = Type::Primitive(TypeId::kUnknown);  // value kept as read; not used for filtering
    } else if (src == nullptr) {
      return InvalidArgument("partition field '", f.name, "': source column id ", f.source_id(),
                             " is not in schema ", schema.schema_id());
    } else {
      ATOLL_ASSIGN_OR_RETURN_CTX(result, f.transform.ResultType(src->type),
                                 StrCat("partition field '", f.name, "'"));
    }
    out.push_back(NestedField{f.field_id, f.name, false, result, {}, {}, {}});
  }
  return Type::Struct(std::move(out));
}

Result<std::string> PartitionSpec::PartitionPath(const std::vector<Literal>& values) const {
  if (values.size() != fields.size()) {
    return InvalidArgument("partition spec ", spec_id, " has ", fields.size(), " fields but ",
                           values.size(), " values were given");
  }
  std::string path;
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i) path += '/';
    path +=
        UrlEscape(fields[i].name) + "=" + UrlEscape(fields[i].transform.ToHumanString(values[i]));
  }
  return path;
}

Json PartitionSpec::ToJson() const {
  Json list = Json::array();
  for (const auto& f : fields) {
    Json j = {{"field-id", f.field_id}, {"name", f.name}, {"transform", f.transform.ToString()}};
    if (f.source_ids.size() == 1) {
      j["source-id"] = f.source_ids[0];
    } else {
      j["source-ids"] = f.source_ids;
    }
    list.push_back(std::move(j));
  }
  return Json{{"spec-id", spec_id}, {"fields", std::move(list)}};
}

Result<PartitionSpec> PartitionSpec::FromFieldsJson(const Json& list, int32_t spec_id) {
  std::string ctx = StrCat("partition spec ", spec_id);
  if (!list.is_array()) return InvalidArgument(ctx, ": 'fields' must be a list");
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int32_t next_id = kPartitionDataIdStart;
  for (const Json& j : list) {
    PartitionField f;
    ATOLL_ASSIGN_OR_RETURN(f.name, json::String(j, "name", ctx + " field"));
    std::string fctx = StrCat(ctx, " field '", f.name, "'");
    ATOLL_ASSIGN_OR_RETURN(std::string transform, json::String(j, "transform", fctx));
    ATOLL_ASSIGN_OR_RETURN_CTX(f.transform, Transform::Parse(transform), fctx);
    ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> source, json::OptInt32(j, "source-id", fctx));
    if (source) {
      f.source_ids = {*source};
    } else {
      ATOLL_ASSIGN_OR_RETURN(f.source_ids, json::Int32List(j, "source-ids", fctx));
      if (f.source_ids.empty()) return InvalidArgument(fctx, ": missing 'source-id'");
    }
    ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> id, json::OptInt32(j, "field-id", fctx));
    f.field_id = id.value_or(next_id);
    next_id = f.field_id + 1;
    spec.fields.push_back(std::move(f));
  }
  return spec;
}

Result<PartitionSpec> PartitionSpec::FromJson(const Json& j) {
  ATOLL_ASSIGN_OR_RETURN(int32_t id, json::Int32(j, "spec-id", "partition spec"));
  ATOLL_ASSIGN_OR_RETURN(const Json* fields,
                         json::Member(j, "fields", StrCat("partition spec ", id)));
  return FromFieldsJson(*fields, id);
}

PartitionSpec UnpartitionedSpec() { return PartitionSpec{}; }

Result<PartitionSpec> EvolveSpec(const std::vector<PartitionSpec>& existing, const Schema& schema,
                                 int32_t spec_id, const std::vector<UnboundPartitionField>& fields,
                                 int32_t* last_partition_id) {
  PartitionSpec spec;
  spec.spec_id = spec_id;
  int32_t last = *last_partition_id;
  for (const auto& u : fields) {
    std::optional<int32_t> reuse;
    for (const auto& old : existing) {
      for (const auto& of : old.fields) {
        if (of.source_ids == u.source_ids && of.transform == u.transform) reuse = of.field_id;
      }
    }
    int32_t id = reuse ? *reuse : ++last;
    spec.fields.push_back(PartitionField{u.source_ids, id, u.name, u.transform});
  }
  ATOLL_RETURN_NOT_OK(spec.Validate(schema));
  *last_partition_id = last;
  return spec;
}

std::string UrlEscape(std::string_view text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if ((u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') || u == '.' ||
        u == '-' || u == '*' || u == '_') {
      out.push_back(c);
    } else if (u == ' ') {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    }
  }
  return out;
}

}  // namespace atl::iceberg
