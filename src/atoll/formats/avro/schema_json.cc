// Writing a Schema back to JSON, and the small Node/Field helpers (see schema.h).
#include <nlohmann/json.hpp>
#include <set>

#include "atoll/common/json_box_impl.h"
#include "atoll/formats/avro/schema.h"

namespace atl {
template class JsonBox<nlohmann::ordered_json>;
}  // namespace atl

namespace atl::avro {

JsonValue EmptyJsonObject() { return JsonValue(Json::object()); }

std::string Schema::ToString() const { return ToJson().dump(); }

std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kNull:
      return "null";
    case Type::kBoolean:
      return "boolean";
    case Type::kInt:
      return "int";
    case Type::kLong:
      return "long";
    case Type::kFloat:
      return "float";
    case Type::kDouble:
      return "double";
    case Type::kBytes:
      return "bytes";
    case Type::kString:
      return "string";
    case Type::kRecord:
      return "record";
    case Type::kEnum:
      return "enum";
    case Type::kArray:
      return "array";
    case Type::kMap:
      return "map";
    case Type::kUnion:
      return "union";
    case Type::kFixed:
      return "fixed";
  }
  return "?";
}

std::string_view LogicalTypeName(LogicalType type) {
  switch (type) {
    case LogicalType::kNone:
      return "";
    case LogicalType::kDecimal:
      return "decimal";
    case LogicalType::kUuid:
      return "uuid";
    case LogicalType::kDate:
      return "date";
    case LogicalType::kTimeMillis:
      return "time-millis";
    case LogicalType::kTimeMicros:
      return "time-micros";
    case LogicalType::kTimestampMillis:
      return "timestamp-millis";
    case LogicalType::kTimestampMicros:
      return "timestamp-micros";
    case LogicalType::kTimestampNanos:
      return "timestamp-nanos";
    case LogicalType::kLocalTimestampMillis:
      return "local-timestamp-millis";
    case LogicalType::kLocalTimestampMicros:
      return "local-timestamp-micros";
    case LogicalType::kLocalTimestampNanos:
      return "local-timestamp-nanos";
    case LogicalType::kDuration:
      return "duration";
  }
  return "";
}

namespace {

std::optional<int64_t> IntIn(const Json& attributes, std::string_view key) {
  auto it = attributes.find(key);
  if (it == attributes.end() || !it->is_number_integer()) return std::nullopt;
  return it->get<int64_t>();
}

class JsonWriter {
 public:
  Json Write(const Node& n, const std::string& ns) {
    if (n.is_named() && done_.count(&n)) {
      return n.name_space == ns ? std::string(n.short_name()) : n.full_name;
    }
    switch (n.type) {
      case Type::kUnion: {
        Json out = Json::array();
        for (const Node* b : n.branches) out.push_back(Write(*b, ns));
        return out;
      }
      case Type::kArray:
      case Type::kMap: {
        Json out = Json::object();
        out["type"] = TypeName(n.type);
        out[n.type == Type::kArray ? "items" : "values"] = Write(*n.items, ns);
        Append(n.attributes.get(), &out);
        return out;
      }
      case Type::kRecord:
      case Type::kEnum:
      case Type::kFixed:
        return WriteNamed(n, ns);
      default:
        if (n.attributes->empty()) return std::string(TypeName(n.type));
        Json out = Json::object();
        out["type"] = TypeName(n.type);
        Append(n.attributes.get(), &out);
        return out;
    }
  }

 private:
  Json WriteNamed(const Node& n, const std::string& ns) {
    done_.insert(&n);
    Json out = Json::object();
    out["type"] = TypeName(n.type);
    out["name"] = std::string(n.short_name());
    if (n.name_space != ns) out["namespace"] = n.name_space;
    if (n.type == Type::kRecord) {
      Json fields = Json::array();
      for (const Field& f : n.fields) {
        Json fj = Json::object();
        fj["name"] = f.name;
        fj["type"] = Write(*f.type, n.name_space);
        if (f.default_value) fj["default"] = f.default_value->get();
        Append(f.attributes.get(), &fj);
        fields.push_back(std::move(fj));
      }
      out["fields"] = std::move(fields);
    } else if (n.type == Type::kEnum) {
      out["symbols"] = n.symbols;
      if (n.enum_default) out["default"] = *n.enum_default;
    } else {
      out["size"] = n.fixed_size;
    }
    Append(n.attributes.get(), &out);
    return out;
  }

  static void Append(const Json& attributes, Json* out) {
    for (auto it = attributes.begin(); it != attributes.end(); ++it) (*out)[it.key()] = it.value();
  }

  std::set<const Node*> done_;
};

}  // namespace

std::optional<int64_t> Field::IntAttribute(std::string_view key) const {
  return IntIn(attributes.get(), key);
}
std::optional<int64_t> Node::IntAttribute(std::string_view key) const {
  return IntIn(attributes.get(), key);
}

std::string_view Node::short_name() const {
  std::string_view s = full_name;
  size_t dot = s.rfind('.');
  return dot == std::string_view::npos ? s : s.substr(dot + 1);
}

int Node::FieldIndex(std::string_view name) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].name == name) return static_cast<int>(i);
  }
  return -1;
}

int Node::FieldIndexById(int64_t field_id) const {
  for (size_t i = 0; i < fields.size(); ++i) {
    if (fields[i].IntAttribute("field-id") == field_id) return static_cast<int>(i);
  }
  return -1;
}

int Node::NullBranch() const {
  if (type != Type::kUnion || branches.size() != 2) return -1;
  if (branches[0]->type == Type::kNull) return 0;
  if (branches[1]->type == Type::kNull) return 1;
  return -1;
}

Json Schema::ToJson() const { return JsonWriter().Write(*root_, ""); }

const Node* Schema::FindNamed(std::string_view full_name) const {
  for (const Node* n : named_) {
    if (n->full_name == full_name) return n;
  }
  return nullptr;
}

}  // namespace atl::avro
