#include "atoll/iceberg/commit/schema_update.h"

#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/literal.h"

namespace atl::iceberg {

TypePtr AssignFreshIds(const TypePtr& type, int32_t* next_id) {
  switch (type->id()) {
    case TypeId::kStruct: {
      std::vector<NestedField> fields = type->fields();
      for (auto& f : fields) f.id = ++*next_id;  // ids of one struct first, like the reference
      for (auto& f : fields) f.type = AssignFreshIds(f.type, next_id);
      return Type::Struct(std::move(fields));
    }
    case TypeId::kList: {
      const auto& e = type->fields()[0];
      int32_t id = ++*next_id;
      return Type::List(id, e.required, AssignFreshIds(e.type, next_id));
    }
    case TypeId::kMap: {
      const auto& k = type->fields()[0];
      const auto& v = type->fields()[1];
      int32_t kid = ++*next_id;
      int32_t vid = ++*next_id;
      TypePtr kt = AssignFreshIds(k.type, next_id);
      return Type::Map(kid, kt, vid, v.required, AssignFreshIds(v.type, next_id));
    }
    default:
      return type;
  }
}

SchemaUpdate::SchemaUpdate(Schema base, int32_t last_column_id, int format_version)
    : base_(std::move(base)), last_column_id_(last_column_id), format_version_(format_version) {}

std::optional<int32_t> SchemaUpdate::Resolve(const std::string& name, const char* op) {
  const NestedField* f = base_.FindFieldByName(name);
  if (f == nullptr) {
    errors_.push_back(StrCat("cannot ", op, " column '", name, "': no such column"));
    return std::nullopt;
  }
  return f->id;
}

SchemaUpdate& SchemaUpdate::AddColumn(const std::string& parent, const std::string& name,
                                      TypePtr type, std::optional<std::string> doc, bool required,
                                      std::optional<JsonValue> initial_default) {
  additions_.push_back(Addition{parent, name, std::move(type), std::move(doc), required,
                                std::move(initial_default)});
  return *this;
}

SchemaUpdate& SchemaUpdate::RenameColumn(const std::string& name, const std::string& new_name) {
  if (auto id = Resolve(name, "rename")) renames_[*id] = new_name;
  return *this;
}

SchemaUpdate& SchemaUpdate::UpdateColumnType(const std::string& name, TypePtr new_type) {
  if (auto id = Resolve(name, "update")) updates_[*id] = std::move(new_type);
  return *this;
}

SchemaUpdate& SchemaUpdate::MakeColumnOptional(const std::string& name) {
  if (auto id = Resolve(name, "make optional")) make_optional_.insert(*id);
  return *this;
}

SchemaUpdate& SchemaUpdate::DeleteColumn(const std::string& name) {
  if (auto id = Resolve(name, "delete")) deletes_.insert(*id);
  return *this;
}

Result<std::vector<NestedField>> SchemaUpdate::Rebuild(const std::vector<NestedField>& fields,
                                                       int32_t parent_id, int32_t* next_id) const {
  std::vector<NestedField> out;
  for (const NestedField& old : fields) {
    if (deletes_.count(old.id)) continue;
    NestedField f = old;
    std::string col = base_.FindColumnName(old.id).value_or(old.name);
    if (auto it = renames_.find(f.id); it != renames_.end()) f.name = it->second;
    if (make_optional_.count(f.id)) f.required = false;
    if (auto it = updates_.find(f.id); it != updates_.end()) {
      Status st = CheckPromotion(*old.type, *it->second, format_version_);
      if (!st.ok()) {
        return InvalidArgument("cannot change the type of column '", col, "': ", st.message());
      }
      f.type = it->second;
    }
    if (f.type->is_nested()) {
      ATOLL_ASSIGN_OR_RETURN(std::vector<NestedField> children,
                             Rebuild(f.type->fields(), f.id, next_id));
      if (f.type->id() == TypeId::kStruct) {
        f.type = Type::Struct(std::move(children));
      } else if (children.size() != f.type->fields().size()) {
        return InvalidArgument("cannot delete the element, key or value of column '", col, "'");
      } else if (f.type->id() == TypeId::kList) {
        f.type = Type::List(children[0].id, children[0].required, children[0].type);
      } else {
        if (children[0].required == false)
          return InvalidArgument("map keys of column '", col, "' must stay required");
        f.type = Type::Map(children[0].id, children[0].type, children[1].id, children[1].required,
                           children[1].type);
      }
    }
    out.push_back(std::move(f));
  }
  // Additions to this struct (parent_id 0 = top level).
  for (const Addition& a : additions_) {
    const NestedField* parent = a.parent.empty() ? nullptr : base_.FindFieldByName(a.parent);
    int32_t target = parent ? parent->id : 0;
    if (target != parent_id) continue;
    std::string col = a.parent.empty() ? a.name : a.parent + "." + a.name;
    for (const NestedField& existing : out) {
      if (existing.name == a.name)
        return InvalidArgument("cannot add column '", col, "': it already exists");
    }
    if (a.required && !(a.initial_default && !a.initial_default->get().is_null())) {
      return InvalidArgument("cannot add required column '", col,
                             "' without a non-null initial default");
    }
    if (a.initial_default && !a.initial_default->get().is_null() && format_version_ < 3) {
      return InvalidArgument("cannot add column '", col,
                             "' with a default value: defaults need format version 3");
    }
    NestedField f;
    f.id = ++*next_id;
    f.name = a.name;
    f.required = a.required;
    f.type = AssignFreshIds(a.type, next_id);
    f.doc = a.doc;
    if (a.initial_default) {
      if (f.type->is_primitive()) {
        Status st = LiteralFromJson(f.type, a.initial_default->get()).status();
        if (!st.ok())
          return InvalidArgument("cannot add column '", col, "': bad default: ", st.message());
      }
      f.initial_default = a.initial_default;
      f.write_default = a.initial_default;
    }
    out.push_back(std::move(f));
  }
  return out;
}

Result<SchemaUpdateResult> SchemaUpdate::Apply() const {
  if (!errors_.empty()) return InvalidArgument(errors_.front());
  for (const Addition& a : additions_) {
    if (a.parent.empty()) continue;
    const NestedField* p = base_.FindFieldByName(a.parent);
    if (p == nullptr)
      return InvalidArgument("cannot add column '", a.name, "': parent '", a.parent,
                             "' does not exist");
    if (p->type->id() != TypeId::kStruct) {
      return InvalidArgument("cannot add column '", a.name, "': parent '", a.parent,
                             "' is not a struct");
    }
    if (deletes_.count(p->id))
      return InvalidArgument("cannot add column '", a.name, "' to deleted '", a.parent, "'");
  }
  for (int32_t id : base_.identifier_field_ids()) {
    if (deletes_.count(id)) {
      return InvalidArgument("cannot delete column '", base_.FindColumnName(id).value_or("?"),
                             "': it is an identifier field");
    }
    if (make_optional_.count(id)) {
      return InvalidArgument("cannot make column '", base_.FindColumnName(id).value_or("?"),
                             "' optional: it is an identifier field");
    }
  }
  int32_t next_id = std::max(last_column_id_, base_.HighestFieldId());
  ATOLL_ASSIGN_OR_RETURN(std::vector<NestedField> fields, Rebuild(base_.fields(), 0, &next_id));
  ATOLL_ASSIGN_OR_RETURN(Schema schema, Schema::Make(base_.schema_id() + 1, std::move(fields),
                                                     base_.identifier_field_ids()));
  return SchemaUpdateResult{std::move(schema), next_id};
}

}  // namespace atl::iceberg
