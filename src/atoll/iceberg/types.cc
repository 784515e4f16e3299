#include "atoll/iceberg/types.h"

#include <cctype>
#include <cstdlib>

#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/literal.h"

namespace atl::iceberg {

namespace {

struct NameEntry {
  TypeId id;
  const char* name;
};
constexpr NameEntry kSimpleNames[] = {
    {TypeId::kUnknown, "unknown"},
    {TypeId::kBoolean, "boolean"},
    {TypeId::kInt, "int"},
    {TypeId::kLong, "long"},
    {TypeId::kFloat, "float"},
    {TypeId::kDouble, "double"},
    {TypeId::kDate, "date"},
    {TypeId::kTime, "time"},
    {TypeId::kTimestamp, "timestamp"},
    {TypeId::kTimestampTz, "timestamptz"},
    {TypeId::kTimestampNs, "timestamp_ns"},
    {TypeId::kTimestampTzNs, "timestamptz_ns"},
    {TypeId::kString, "string"},
    {TypeId::kUuid, "uuid"},
    {TypeId::kBinary, "binary"},
    {TypeId::kVariant, "variant"},
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  return std::string(s.substr(b, e - b));
}

// Parses a non-negative decimal integer that is the whole of `s` (after trimming).
std::optional<int64_t> ParseCount(std::string_view s) {
  std::string t = Trim(s);
  if (t.empty() || t.size() > 10) return std::nullopt;
  int64_t n = 0;
  for (char c : t) {
    if (c < '0' || c > '9') return std::nullopt;
    n = n * 10 + (c - '0');
  }
  return n;
}

// "name(args)" -> args, or nullopt when `s` does not have that shape.
std::optional<std::string> Args(std::string_view s, std::string_view name, char open, char close) {
  if (s.size() < name.size() + 2 || s.substr(0, name.size()) != name) return std::nullopt;
  std::string_view rest = s.substr(name.size());
  if (rest.front() != open || rest.back() != close) return std::nullopt;
  return std::string(rest.substr(1, rest.size() - 2));
}

Result<TypePtr> PrimitiveFromString(const std::string& s) {
  for (const auto& e : kSimpleNames) {
    if (s == e.name) return Type::Primitive(e.id);
  }
  if (auto args = Args(s, "decimal", '(', ')')) {
    size_t comma = args->find(',');
    std::optional<int64_t> p, sc;
    if (comma != std::string::npos) {
      p = ParseCount(std::string_view(*args).substr(0, comma));
      sc = ParseCount(std::string_view(*args).substr(comma + 1));
    }
    if (!p || !sc || *p < 1 || *p > 38 || *sc > *p) {
      return InvalidArgument("invalid decimal type '", s,
                             "': want decimal(P,S) with 1 <= P <= 38, S <= P");
    }
    return Type::Decimal(static_cast<int>(*p), static_cast<int>(*sc));
  }
  if (auto args = Args(s, "fixed", '[', ']')) {
    auto len = ParseCount(*args);
    if (!len || *len < 1 || *len > INT32_MAX)
      return InvalidArgument("invalid fixed type '", s, "'");
    return Type::Fixed(static_cast<int32_t>(*len));
  }
  if (s == "geometry") return Type::Geometry("");
  if (auto args = Args(s, "geometry", '(', ')')) return Type::Geometry(Trim(*args));
  if (s == "geography") return Type::Geography("", "");
  if (auto args = Args(s, "geography", '(', ')')) {
    size_t comma = args->find(',');
    if (comma == std::string::npos) return Type::Geography(Trim(*args), "");
    return Type::Geography(Trim(args->substr(0, comma)), Trim(args->substr(comma + 1)));
  }
  return InvalidArgument("unknown Iceberg type '", s, "'");
}

Status ValidateDefault(const NestedField& f, const Json& value, std::string_view which) {
  std::string ctx = StrCat("field ", f.id, " '", f.name, "' ", which);
  if (value.is_null()) return Status::OK();
  TypeId id = f.type->id();
  if (id == TypeId::kUnknown || id == TypeId::kVariant || id == TypeId::kGeometry ||
      id == TypeId::kGeography) {
    return InvalidArgument(ctx, ": a ", f.type->ToString(), " column must default to null");
  }
  if (id == TypeId::kStruct) {
    if (!value.is_object() || !value.empty()) {
      return InvalidArgument(ctx, ": a struct default must be null or an empty object {}");
    }
    return Status::OK();
  }
  if (id == TypeId::kList) {
    if (!value.is_array()) return InvalidArgument(ctx, ": a list default must be a JSON array");
    return Status::OK();
  }
  if (id == TypeId::kMap) {
    if (!value.is_object() || !value.contains("keys") || !value.contains("values")) {
      return InvalidArgument(ctx, ": a map default must be {\"keys\": [...], \"values\": [...]}");
    }
    return Status::OK();
  }
  return LiteralFromJson(f.type, value).status().WithContext(ctx);
}

}  // namespace

bool NestedField::operator==(const NestedField& o) const {
  return id == o.id && name == o.name && required == o.required && TypesEqual(type, o.type) &&
         doc == o.doc && initial_default == o.initial_default && write_default == o.write_default;
}

TypePtr Type::Primitive(TypeId id) {
  // Types are immutable, so parameterless primitives are shared: metadata and manifests
  // create one per value otherwise.
  constexpr int kShared = static_cast<int>(TypeId::kStruct);
  static const std::vector<TypePtr> shared = [] {
    std::vector<TypePtr> out;
    for (int i = 0; i < kShared; ++i) {
      auto t = std::shared_ptr<Type>(new Type());
      t->id_ = static_cast<TypeId>(i);
      out.push_back(std::move(t));
    }
    return out;
  }();
  const int index = static_cast<int>(id);
  if (index >= 0 && index < kShared && id != TypeId::kDecimal && id != TypeId::kFixed)
    return shared[index];
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = id;
  return t;
}

TypePtr Type::Decimal(int precision, int scale) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kDecimal;
  t->precision_ = precision;
  t->scale_ = scale;
  return t;
}

TypePtr Type::Fixed(int32_t length) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kFixed;
  t->length_ = length;
  return t;
}

TypePtr Type::Geometry(std::string crs) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kGeometry;
  t->crs_ = std::move(crs);
  return t;
}

TypePtr Type::Geography(std::string crs, std::string algorithm) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kGeography;
  t->crs_ = std::move(crs);
  t->algorithm_ = std::move(algorithm);
  return t;
}

TypePtr Type::Struct(std::vector<NestedField> fields) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kStruct;
  t->fields_ = std::move(fields);
  return t;
}

TypePtr Type::List(int32_t element_id, bool element_required, TypePtr element) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kList;
  t->fields_.push_back(
      NestedField{element_id, "element", element_required, std::move(element), {}, {}, {}});
  return t;
}

TypePtr Type::Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required,
                  TypePtr value) {
  auto t = std::shared_ptr<Type>(new Type());
  t->id_ = TypeId::kMap;
  t->fields_.push_back(NestedField{key_id, "key", true, std::move(key), {}, {}, {}});
  t->fields_.push_back(
      NestedField{value_id, "value", value_required, std::move(value), {}, {}, {}});
  return t;
}

std::string Type::ToString() const {
  for (const auto& e : kSimpleNames) {
    if (id_ == e.id) return e.name;
  }
  switch (id_) {
    case TypeId::kDecimal:
      return StrCat("decimal(", precision_, ",", scale_, ")");
    case TypeId::kFixed:
      return StrCat("fixed[", length_, "]");
    case TypeId::kGeometry:
      return crs_.empty() ? "geometry" : StrCat("geometry(", crs_, ")");
    case TypeId::kGeography:
      if (crs_.empty() && algorithm_.empty()) return "geography";
      if (algorithm_.empty()) return StrCat("geography(", crs_, ")");
      return StrCat("geography(", crs_.empty() ? "OGC:CRS84" : crs_, ",", algorithm_, ")");
    case TypeId::kStruct: {
      std::string s = "struct<";
      for (size_t i = 0; i < fields_.size(); ++i) {
        if (i) s += ", ";
        s += fields_[i].name + ": " + fields_[i].type->ToString();
      }
      return s + ">";
    }
    case TypeId::kList:
      return "list<" + fields_[0].type->ToString() + ">";
    case TypeId::kMap:
      return "map<" + fields_[0].type->ToString() + ", " + fields_[1].type->ToString() + ">";
    default:
      return "?";
  }
}

bool Type::operator==(const Type& o) const {
  return id_ == o.id_ && precision_ == o.precision_ && scale_ == o.scale_ && length_ == o.length_ &&
         crs_ == o.crs_ && algorithm_ == o.algorithm_ && fields_ == o.fields_;
}

bool TypesEqual(const TypePtr& a, const TypePtr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return *a == *b;
}

Json FieldToJson(const NestedField& f) {
  Json j = Json::object();
  j["id"] = f.id;
  j["name"] = f.name;
  j["required"] = f.required;
  j["type"] = TypeToJson(*f.type);
  if (f.doc) j["doc"] = *f.doc;
  if (f.initial_default) j["initial-default"] = f.initial_default->get();
  if (f.write_default) j["write-default"] = f.write_default->get();
  return j;
}

Json TypeToJson(const Type& t) {
  switch (t.id()) {
    case TypeId::kStruct: {
      Json fields = Json::array();
      for (const auto& f : t.fields()) fields.push_back(FieldToJson(f));
      return Json{{"type", "struct"}, {"fields", std::move(fields)}};
    }
    case TypeId::kList: {
      const auto& e = t.fields()[0];
      return Json{{"type", "list"},
                  {"element-id", e.id},
                  {"element-required", e.required},
                  {"element", TypeToJson(*e.type)}};
    }
    case TypeId::kMap: {
      const auto& k = t.fields()[0];
      const auto& v = t.fields()[1];
      return Json{{"type", "map"},
                  {"key-id", k.id},
                  {"key", TypeToJson(*k.type)},
                  {"value-id", v.id},
                  {"value-required", v.required},
                  {"value", TypeToJson(*v.type)}};
    }
    default:
      return t.ToString();
  }
}

Result<NestedField> FieldFromJson(const Json& j) {
  NestedField f;
  ATOLL_ASSIGN_OR_RETURN(f.id, json::Int32(j, "id", "struct field"));
  std::string ctx = StrCat("struct field ", f.id);
  ATOLL_ASSIGN_OR_RETURN(f.name, json::String(j, "name", ctx));
  ctx += " '" + f.name + "'";
  ATOLL_ASSIGN_OR_RETURN(f.required, json::Bool(j, "required", ctx));
  ATOLL_ASSIGN_OR_RETURN(const Json* type, json::Member(j, "type", ctx));
  ATOLL_ASSIGN_OR_RETURN_CTX(f.type, TypeFromJson(*type), ctx);
  ATOLL_ASSIGN_OR_RETURN(f.doc, json::OptString(j, "doc", ctx));
  for (const char* key : {"initial-default", "write-default"}) {
    auto it = j.find(key);
    if (it == j.end()) continue;
    ATOLL_RETURN_NOT_OK(ValidateDefault(f, *it, key));
    (key[0] == 'i' ? f.initial_default : f.write_default) = *it;
  }
  return f;
}

Result<TypePtr> TypeFromJson(const Json& j) {
  if (j.is_string()) return PrimitiveFromString(Trim(j.get<std::string>()));
  if (!j.is_object())
    return InvalidArgument("a type must be a string or an object, found ", j.type_name());
  ATOLL_ASSIGN_OR_RETURN(std::string kind, json::String(j, "type", "nested type"));
  if (kind == "struct") {
    ATOLL_ASSIGN_OR_RETURN(const Json* fields, json::Member(j, "fields", "struct type"));
    if (!fields->is_array()) return InvalidArgument("struct type: 'fields' must be a list");
    std::vector<NestedField> out;
    for (const Json& fj : *fields) {
      ATOLL_ASSIGN_OR_RETURN(NestedField f, FieldFromJson(fj));
      out.push_back(std::move(f));
    }
    return Type::Struct(std::move(out));
  }
  if (kind == "list") {
    ATOLL_ASSIGN_OR_RETURN(int32_t id, json::Int32(j, "element-id", "list type"));
    ATOLL_ASSIGN_OR_RETURN(bool req, json::Bool(j, "element-required", "list type"));
    ATOLL_ASSIGN_OR_RETURN(const Json* e, json::Member(j, "element", "list type"));
    ATOLL_ASSIGN_OR_RETURN_CTX(TypePtr et, TypeFromJson(*e), "list element");
    return Type::List(id, req, std::move(et));
  }
  if (kind == "map") {
    ATOLL_ASSIGN_OR_RETURN(int32_t kid, json::Int32(j, "key-id", "map type"));
    ATOLL_ASSIGN_OR_RETURN(int32_t vid, json::Int32(j, "value-id", "map type"));
    ATOLL_ASSIGN_OR_RETURN(bool req, json::Bool(j, "value-required", "map type"));
    ATOLL_ASSIGN_OR_RETURN(const Json* k, json::Member(j, "key", "map type"));
    ATOLL_ASSIGN_OR_RETURN(const Json* v, json::Member(j, "value", "map type"));
    ATOLL_ASSIGN_OR_RETURN_CTX(TypePtr kt, TypeFromJson(*k), "map key");
    ATOLL_ASSIGN_OR_RETURN_CTX(TypePtr vt, TypeFromJson(*v), "map value");
    return Type::Map(kid, std::move(kt), vid, req, std::move(vt));
  }
  return InvalidArgument("unknown nested type '", kind, "'");
}

Status CheckPromotion(const Type& from, const Type& to, int format_version) {
  if (from == to) return Status::OK();
  std::string what = StrCat("cannot promote ", from.ToString(), " to ", to.ToString());
  if (from.is_nested() || to.is_nested()) {
    return InvalidArgument(
        what, ": nested types cannot change kind, and primitives cannot become nested");
  }
  if (from.id() == TypeId::kUnknown) {
    if (format_version >= 3) return Status::OK();
    return InvalidArgument(what, ": promoting unknown requires format version 3");
  }
  switch (from.id()) {
    case TypeId::kInt:
      if (to.id() == TypeId::kLong) return Status::OK();
      return InvalidArgument(what, ": int may only be promoted to long");
    case TypeId::kFloat:
      if (to.id() == TypeId::kDouble) return Status::OK();
      return InvalidArgument(what, ": float may only be promoted to double");
    case TypeId::kDecimal:
      if (to.id() != TypeId::kDecimal) return InvalidArgument(what, ": a decimal stays a decimal");
      if (to.scale() != from.scale())
        return InvalidArgument(what, ": the scale of a decimal cannot change");
      if (to.precision() < from.precision())
        return InvalidArgument(what, ": decimal precision can only widen");
      return Status::OK();
    case TypeId::kDate:
      if (to.id() == TypeId::kTimestamp || to.id() == TypeId::kTimestampNs) {
        if (format_version >= 3) return Status::OK();
        return InvalidArgument(what, ": date to timestamp promotion requires format version 3");
      }
      return InvalidArgument(what, ": date may only be promoted to timestamp or timestamp_ns (v3)");
    default:
      return InvalidArgument(what, ": ", from.ToString(), " cannot be promoted");
  }
}

bool CanPromote(const Type& from, const Type& to, int format_version) {
  return CheckPromotion(from, to, format_version).ok();
}

int MinFormatVersion(const Type& t) {
  switch (t.id()) {
    case TypeId::kUnknown:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
    case TypeId::kVariant:
    case TypeId::kGeometry:
    case TypeId::kGeography:
      return 3;
    default:
      break;
  }
  int v = 1;
  for (const auto& f : t.fields()) {
    v = std::max(v, MinFormatVersion(*f.type));
    if (f.initial_default && !f.initial_default->get().is_null()) v = 3;
  }
  return v;
}

}  // namespace atl::iceberg
