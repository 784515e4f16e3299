#include "atoll/iceberg/name_mapping.h"

#include <algorithm>

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg {

namespace {

Json FieldsToJson(const std::vector<MappedField>& fields) {
  Json list = Json::array();
  for (const auto& f : fields) {
    Json j = {{"names", f.names}};
    if (f.field_id) j["field-id"] = *f.field_id;
    if (!f.fields.empty()) j["fields"] = FieldsToJson(f.fields);
    list.push_back(std::move(j));
  }
  return list;
}

Result<std::vector<MappedField>> FieldsFromJson(const Json& list) {
  if (!list.is_array()) return InvalidArgument("name mapping: expected a list of field mappings");
  std::vector<MappedField> out;
  for (const Json& j : list) {
    if (!j.is_object()) return InvalidArgument("name mapping: a field mapping must be an object");
    MappedField f;
    ATOLL_ASSIGN_OR_RETURN(const Json* names, json::Member(j, "names", "name mapping field"));
    if (!names->is_array())
      return InvalidArgument("name mapping: 'names' must be a list of strings");
    for (const Json& n : *names) {
      if (!n.is_string()) return InvalidArgument("name mapping: 'names' must be a list of strings");
      f.names.push_back(n.get<std::string>());
    }
    ATOLL_ASSIGN_OR_RETURN(f.field_id, json::OptInt32(j, "field-id", "name mapping field"));
    if (auto it = j.find("fields"); it != j.end() && !it->is_null()) {
      ATOLL_ASSIGN_OR_RETURN(f.fields, FieldsFromJson(*it));
    }
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<MappedField> FromFields(const std::vector<NestedField>& fields) {
  std::vector<MappedField> out;
  for (const auto& f : fields) {
    MappedField m{{f.name}, f.id, {}};
    if (f.type->is_nested()) m.fields = FromFields(f.type->fields());
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace

const MappedField* NameMapping::Find(const std::vector<std::string>& path) const {
  const std::vector<MappedField>* level = &fields;
  const MappedField* found = nullptr;
  for (const std::string& name : path) {
    found = nullptr;
    for (const auto& f : *level) {
      if (std::find(f.names.begin(), f.names.end(), name) != f.names.end()) {
        found = &f;
        break;
      }
    }
    if (found == nullptr) return nullptr;
    level = &found->fields;
  }
  return found;
}

Json NameMapping::ToJson() const { return FieldsToJson(fields); }

std::string NameMapping::ToJsonString() const { return ToJson().dump(); }

Result<NameMapping> NameMapping::FromJson(const Json& j) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<MappedField> f, FieldsFromJson(j));
  return NameMapping{std::move(f)};
}

Result<NameMapping> NameMapping::Parse(std::string_view text) {
  ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(text, kDefaultNameMappingProperty));
  return FromJson(j).WithContext(kDefaultNameMappingProperty);
}

NameMapping NameMapping::FromSchema(const Schema& schema) {
  return NameMapping{FromFields(schema.fields())};
}

}  // namespace atl::iceberg
