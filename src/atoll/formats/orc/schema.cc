#include "atoll/formats/orc/schema.h"

#include <functional>

namespace atl::orc {

std::string_view TypeKindName(TypeKind kind) {
  switch (kind) {
    case TypeKind::kBoolean:
      return "boolean";
    case TypeKind::kByte:
      return "tinyint";
    case TypeKind::kShort:
      return "smallint";
    case TypeKind::kInt:
      return "int";
    case TypeKind::kLong:
      return "bigint";
    case TypeKind::kFloat:
      return "float";
    case TypeKind::kDouble:
      return "double";
    case TypeKind::kString:
      return "string";
    case TypeKind::kBinary:
      return "binary";
    case TypeKind::kTimestamp:
      return "timestamp";
    case TypeKind::kList:
      return "array";
    case TypeKind::kMap:
      return "map";
    case TypeKind::kStruct:
      return "struct";
    case TypeKind::kUnion:
      return "uniontype";
    case TypeKind::kDecimal:
      return "decimal";
    case TypeKind::kDate:
      return "date";
    case TypeKind::kVarchar:
      return "varchar";
    case TypeKind::kChar:
      return "char";
    case TypeKind::kTimestampInstant:
      return "timestamp with local time zone";
  }
  return "?";
}

const Type* Type::Field(std::string_view name) const {
  for (size_t i = 0; i < field_names_.size(); ++i) {
    if (field_names_[i] == name) return children_[i].get();
  }
  return nullptr;
}

std::optional<std::string> Type::Attribute(std::string_view key) const {
  for (const auto& [k, v] : attributes_) {
    if (k == key) return v;
  }
  return std::nullopt;
}

std::string Type::ToString() const {
  std::string out(TypeKindName(kind_));
  switch (kind_) {
    case TypeKind::kDecimal:
      return StrCat(out, "(", precision_, ",", scale_, ")");
    case TypeKind::kVarchar:
    case TypeKind::kChar:
      return StrCat(out, "(", maximum_length_, ")");
    case TypeKind::kList:
    case TypeKind::kMap:
    case TypeKind::kUnion:
    case TypeKind::kStruct: {
      out += "<";
      for (size_t i = 0; i < children_.size(); ++i) {
        if (i > 0) out += ",";
        if (kind_ == TypeKind::kStruct) out += field_names_[i] + ":";
        out += children_[i]->ToString();
      }
      return out + ">";
    }
    default:
      return out;
  }
}

Result<std::unique_ptr<Type>> BuildSchema(const std::vector<TypeProto>& types,
                                          uint32_t hive11_scale) {
  constexpr int kMaxDepth = 200;
  if (types.empty()) return Corruption("footer has no types");
  std::vector<bool> used(types.size(), false);
  std::function<Result<std::unique_ptr<Type>>(uint32_t, int)> build =
      [&](uint32_t id, int depth) -> Result<std::unique_ptr<Type>> {
    if (depth > kMaxDepth) return Corruption("type tree nested deeper than ", kMaxDepth);
    if (used[id]) return Corruption("type ", id, " is used twice in the type tree");
    used[id] = true;
    const TypeProto& p = types[id];
    if (p.kind > static_cast<uint32_t>(TypeKind::kTimestampInstant)) {
      return NotSupported("type ", id, " has unknown kind ", p.kind);
    }
    auto t = std::make_unique<Type>();
    t->kind_ = static_cast<TypeKind>(p.kind);
    t->column_id_ = id;
    t->max_column_id_ = id;
    t->attributes_ = p.attributes;
    t->maximum_length_ = p.maximum_length;
    size_t want;
    switch (t->kind_) {
      case TypeKind::kList:
        want = 1;
        break;
      case TypeKind::kMap:
        want = 2;
        break;
      case TypeKind::kStruct:
        want = p.subtypes.size();
        break;
      case TypeKind::kUnion:
        want = p.subtypes.size();
        if (want == 0 || want > 256)
          return Corruption("union type ", id, " has ", want, " variants");
        break;
      default:
        want = 0;
    }
    if (p.subtypes.size() != want) {
      return Corruption(TypeKindName(t->kind_), " type ", id, " has ", p.subtypes.size(),
                        " children, expected ", want);
    }
    if (t->kind_ == TypeKind::kStruct) {
      if (p.field_names.size() != want) {
        return Corruption("struct type ", id, " has ", want, " children but ", p.field_names.size(),
                          " field names");
      }
      t->field_names_ = p.field_names;
    }
    if (t->kind_ == TypeKind::kDecimal) {
      if (!p.has_precision || p.precision == 0) {
        t->precision_ = 38;
        t->scale_ = hive11_scale;
      } else {
        if (p.precision > 38 || p.scale > p.precision) {
          return Corruption("decimal type ", id, " has precision ", p.precision, " and scale ",
                            p.scale);
        }
        t->precision_ = p.precision;
        t->scale_ = p.scale;
      }
    }
    for (uint64_t sub : p.subtypes) {
      if (sub <= id || sub >= types.size()) {
        return Corruption("type ", id, " refers to child type ", sub, " (", types.size(),
                          " types)");
      }
      ATOLL_ASSIGN_OR_RETURN(auto child, build(static_cast<uint32_t>(sub), depth + 1));
      t->max_column_id_ = std::max(t->max_column_id_, child->max_column_id_);
      t->children_.push_back(std::move(child));
    }
    return t;
  };
  ATOLL_ASSIGN_OR_RETURN(auto root, build(0, 0));
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i]) return Corruption("type ", i, " is not part of the type tree");
  }
  return root;
}

}  // namespace atl::orc
