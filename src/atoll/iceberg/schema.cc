#include "atoll/iceberg/schema.h"

#include <algorithm>
#include <set>

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg {

Schema::Schema(int32_t schema_id, std::vector<NestedField> fields,
               std::vector<int32_t> identifier_field_ids)
    : schema_id_(schema_id),
      struct_(Type::Struct(std::move(fields))),
      identifier_field_ids_(std::move(identifier_field_ids)) {
  auto index = std::make_shared<Index>();
  IndexFields(struct_->fields(), "", std::nullopt, false, false, index.get());
  index_ = std::move(index);
}

void Schema::IndexFields(const std::vector<NestedField>& fields, const std::string& prefix,
                         std::optional<int32_t> parent, bool in_list_or_map, bool under_optional,
                         Index* index) {
  std::set<std::string> siblings;
  for (const NestedField& f : fields) {
    std::string name = prefix.empty() ? f.name : prefix + "." + f.name;
    if (!siblings.insert(f.name).second)
      index->problems.push_back("duplicate field name '" + name + "'");
    if (f.id <= 0)
      index->problems.push_back(StrCat("field '", name, "' has a non-positive id ", f.id));
    if (!index->by_id.emplace(f.id, Entry{&f, name, parent, in_list_or_map, under_optional})
             .second) {
      index->problems.push_back(StrCat("duplicate field id ", f.id, " ('", name, "')"));
    }
    index->by_name.emplace(name, f.id);
    index->highest = std::max(index->highest, f.id);
    const Type& t = *f.type;
    if (t.is_nested()) {
      bool child_in_list_or_map = in_list_or_map || t.id() != TypeId::kStruct;
      IndexFields(t.fields(), name, f.id, child_in_list_or_map, under_optional || !f.required,
                  index);
    }
  }
}

Result<Schema> Schema::Make(int32_t schema_id, std::vector<NestedField> fields,
                            std::vector<int32_t> identifier_field_ids) {
  Schema s(schema_id, std::move(fields), std::move(identifier_field_ids));
  std::string ctx = StrCat("schema ", schema_id);
  if (!s.index_->problems.empty()) return InvalidArgument(ctx, ": ", s.index_->problems.front());
  for (int32_t id : s.identifier_field_ids_) {
    auto it = s.index_->by_id.find(id);
    if (it == s.index_->by_id.end())
      return InvalidArgument(ctx, ": identifier field id ", id, " does not exist");
    const Entry& e = it->second;
    std::string what = StrCat(ctx, ": identifier field '", e.name, "'");
    if (!e.field->type->is_primitive()) return InvalidArgument(what, " must be a primitive");
    if (!e.field->required) return InvalidArgument(what, " must be required");
    TypeId tid = e.field->type->id();
    if (tid == TypeId::kFloat || tid == TypeId::kDouble)
      return InvalidArgument(what, " cannot be float or double");
    if (e.in_list_or_map) return InvalidArgument(what, " cannot be nested in a list or map");
    if (e.under_optional) return InvalidArgument(what, " cannot be nested in an optional struct");
  }
  return s;
}

const NestedField* Schema::FindFieldById(int32_t id) const {
  auto it = index_->by_id.find(id);
  return it == index_->by_id.end() ? nullptr : it->second.field;
}

const NestedField* Schema::FindFieldByName(std::string_view name) const {
  auto it = index_->by_name.find(std::string(name));
  return it == index_->by_name.end() ? nullptr : FindFieldById(it->second);
}

std::optional<std::string> Schema::FindColumnName(int32_t id) const {
  auto it = index_->by_id.find(id);
  if (it == index_->by_id.end()) return std::nullopt;
  return it->second.name;
}

std::optional<int32_t> Schema::ParentId(int32_t id) const {
  auto it = index_->by_id.find(id);
  return it == index_->by_id.end() ? std::nullopt : it->second.parent;
}

bool Schema::IsInListOrMap(int32_t id) const {
  auto it = index_->by_id.find(id);
  return it != index_->by_id.end() && it->second.in_list_or_map;
}

int32_t Schema::HighestFieldId() const { return index_->highest; }

Schema Schema::WithSchemaId(int32_t schema_id) const {
  Schema copy = *this;
  copy.schema_id_ = schema_id;
  return copy;
}

bool Schema::operator==(const Schema& o) const {
  return schema_id_ == o.schema_id_ && SameStructure(o);
}

bool Schema::SameStructure(const Schema& o) const {
  return *struct_ == *o.struct_ && identifier_field_ids_ == o.identifier_field_ids_;
}

Json Schema::ToJson() const {
  Json j = TypeToJson(*struct_);
  j["schema-id"] = schema_id_;
  if (!identifier_field_ids_.empty()) j["identifier-field-ids"] = identifier_field_ids_;
  return j;
}

Result<Schema> Schema::FromJson(const Json& j, int32_t default_schema_id) {
  ATOLL_ASSIGN_OR_RETURN(std::optional<int32_t> id, json::OptInt32(j, "schema-id", "schema"));
  int32_t schema_id = id.value_or(default_schema_id);
  std::string ctx = StrCat("schema ", schema_id);
  ATOLL_ASSIGN_OR_RETURN_CTX(TypePtr type, TypeFromJson(j), ctx);
  if (type->id() != TypeId::kStruct) return InvalidArgument(ctx, ": a schema must be a struct");
  ATOLL_ASSIGN_OR_RETURN(std::vector<int32_t> ids, json::Int32List(j, "identifier-field-ids", ctx));
  return Make(schema_id, type->fields(), std::move(ids));
}

}  // namespace atl::iceberg
