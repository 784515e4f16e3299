#include "atoll/iceberg/manifest/manifest_avro.h"

#include "atoll/iceberg/json_util.h"

namespace atl::iceberg::manifest_avro {

Result<int> ParseFormatVersion(const std::optional<std::string>& header, std::string_view what) {
  if (!header) return 1;
  if (*header == "1") return 1;
  if (*header == "2") return 2;
  if (*header == "3") return 3;
  return Corruption(what, ": unknown format-version '", *header, "'");
}

using avro::Json;
using avro::Node;
using avro::Type;
using avro::Value;

std::optional<Field> Get(const Node& record, const Value& value, int id) {
  int index = record.FieldIndexById(id);
  if (index < 0 || static_cast<size_t>(index) >= value.fields().size()) return std::nullopt;
  const Node* node = record.fields[index].type;
  const Value* v = &value.fields()[index];
  if (node->type == Type::kUnion && v->type() == Type::kUnion) {
    node = node->branches[v->branch()];
    v = &v->branch_value();
  }
  if (v->is_null()) return std::nullopt;
  return Field{node, v};
}

namespace {
Status WrongType(std::string_view what, int id, std::string_view want, const Value& v) {
  return Corruption(what, ": field id ", id, " should be ", want, " but is ",
                    avro::TypeName(v.type()));
}
}  // namespace

Result<std::optional<int64_t>> GetLong(const Node& record, const Value& value, int id,
                                       std::string_view what) {
  auto f = Get(record, value, id);
  if (!f) return std::optional<int64_t>();
  auto v = f->value->AsLong();
  if (!v) return WrongType(what, id, "int or long", *f->value);
  return std::optional<int64_t>(*v);
}

Result<std::optional<std::string>> GetBytes(const Node& record, const Value& value, int id,
                                            std::string_view what) {
  auto f = Get(record, value, id);
  if (!f) return std::optional<std::string>();
  Type t = f->value->type();
  if (t != Type::kBytes && t != Type::kString && t != Type::kFixed) {
    return WrongType(what, id, "bytes or string", *f->value);
  }
  return std::optional<std::string>(f->value->bytes());
}

Result<std::optional<bool>> GetBool(const Node& record, const Value& value, int id,
                                    std::string_view what) {
  auto f = Get(record, value, id);
  if (!f) return std::optional<bool>();
  if (f->value->type() != Type::kBoolean) return WrongType(what, id, "boolean", *f->value);
  return std::optional<bool>(f->value->boolean());
}

Result<int64_t> RequireLong(const Node& record, const Value& value, int id, std::string_view what) {
  ATOLL_ASSIGN_OR_RETURN(auto v, GetLong(record, value, id, what));
  if (!v) return Corruption(what, ": required field id ", id, " is missing or null");
  return *v;
}

Result<std::string> RequireString(const Node& record, const Value& value, int id,
                                  std::string_view what) {
  ATOLL_ASSIGN_OR_RETURN(auto v, GetBytes(record, value, id, what));
  if (!v) return Corruption(what, ": required field id ", id, " is missing or null");
  return std::move(*v);
}

namespace {
// Visits the key/value records of an int-keyed map stored as an array. Key and value are
// taken by position, each possibly wrapped in a union, and the array items may themselves be
// optional (BigQuery writes ["null", record] items and unions without field ids).
template <typename Fn>
Status ForEachPair(const Node& record, const Value& value, int id, std::string_view what, Fn fn) {
  auto f = Get(record, value, id);
  if (!f) return Status::OK();
  if (f->value->type() != Type::kArray) {
    return Corruption(what, ": field id ", id, " should be an array of key/value records");
  }
  for (const Value& wrapped : f->value->items()) {
    const Value& item = wrapped.Unwrapped();
    if (item.is_null()) continue;
    if (item.type() != Type::kRecord || item.fields().size() != 2) {
      return Corruption(what, ": field id ", id, ": map entry is not a key/value record");
    }
    auto key = item.fields()[0].Unwrapped().AsLong();
    if (!key) return Corruption(what, ": field id ", id, ": map key is not an int");
    const Value& v = item.fields()[1].Unwrapped();
    if (v.is_null()) continue;  // no statistic
    ATOLL_RETURN_NOT_OK(fn(static_cast<int32_t>(*key), v));
  }
  return Status::OK();
}
}  // namespace

Result<ColumnMap<int64_t>> GetIntLongMap(const Node& record, const Value& value, int id,
                                         std::string_view what) {
  ColumnMap<int64_t> out;
  ATOLL_RETURN_NOT_OK(
      ForEachPair(record, value, id, what, [&](int32_t k, const Value& v) -> Status {
        auto n = v.AsLong();
        if (!n) return Corruption(what, ": field id ", id, ": map value is not a long");
        out[k] = *n;
        return Status::OK();
      }));
  return out;
}

Result<ColumnMap<std::string>> GetIntBytesMap(const Node& record, const Value& value, int id,
                                              std::string_view what) {
  ColumnMap<std::string> out;
  ATOLL_RETURN_NOT_OK(
      ForEachPair(record, value, id, what, [&](int32_t k, const Value& v) -> Status {
        if (v.type() != Type::kBytes && v.type() != Type::kFixed) {
          return Corruption(what, ": field id ", id, ": map value is not bytes");
        }
        out[k] = v.bytes();
        return Status::OK();
      }));
  return out;
}

Result<std::vector<int64_t>> GetLongList(const Node& record, const Value& value, int id,
                                         std::string_view what) {
  std::vector<int64_t> out;
  auto f = Get(record, value, id);
  if (!f) return out;
  if (f->value->type() != Type::kArray) return WrongType(what, id, "array", *f->value);
  for (const Value& item : f->value->items()) {
    auto n = item.Unwrapped().AsLong();
    if (!n) return Corruption(what, ": field id ", id, ": list element is not an int or long");
    out.push_back(*n);
  }
  return out;
}

// ---- partition values ----

namespace {
using avro::LogicalType;

Result<TypePtr> TypeFromAvro(const Node& n) {
  switch (n.type) {
    case avro::Type::kBoolean:
      return iceberg::Type::Boolean();
    case avro::Type::kInt:
      return n.logical == LogicalType::kDate ? iceberg::Type::Date() : iceberg::Type::Int();
    case avro::Type::kLong: {
      bool utc = n.attributes->value("adjust-to-utc", false);
      switch (n.logical) {
        case LogicalType::kTimeMicros:
          return iceberg::Type::Time();
        case LogicalType::kTimestampMicros:
          return utc ? iceberg::Type::TimestampTz() : iceberg::Type::Timestamp();
        case LogicalType::kTimestampNanos:
          return iceberg::Type::Primitive(utc ? TypeId::kTimestampTzNs : TypeId::kTimestampNs);
        case LogicalType::kLocalTimestampMicros:
          return iceberg::Type::Timestamp();
        default:
          return iceberg::Type::Long();
      }
    }
    case avro::Type::kFloat:
      return iceberg::Type::Float();
    case avro::Type::kDouble:
      return iceberg::Type::Double();
    case avro::Type::kString:
      return n.logical == LogicalType::kUuid ? iceberg::Type::Uuid() : iceberg::Type::String();
    case avro::Type::kBytes:
      return n.logical == LogicalType::kDecimal ? iceberg::Type::Decimal(n.precision, n.scale)
                                                : iceberg::Type::Binary();
    case avro::Type::kFixed:
      if (n.logical == LogicalType::kDecimal) return iceberg::Type::Decimal(n.precision, n.scale);
      if (n.logical == LogicalType::kUuid) return iceberg::Type::Uuid();
      return iceberg::Type::Fixed(static_cast<int32_t>(n.fixed_size));
    default:
      return NotSupported("partition values of Avro type ", avro::TypeName(n.type));
  }
}

Result<Literal> LiteralFromAvro(const TypePtr& type, const Value& v) {
  switch (type->id()) {
    case TypeId::kBoolean:
      return Literal::Boolean(v.boolean());
    case TypeId::kInt:
    case TypeId::kDate:
      return Literal::Make(type, static_cast<int32_t>(*v.AsLong()));
    case TypeId::kFloat:
      return Literal::Float(v.float_value());
    case TypeId::kDouble:
      return Literal::Double(*v.AsDouble());
    case TypeId::kDecimal:
      return LiteralFromBytes(type, v.bytes());
    case TypeId::kUuid:
      if (v.type() == avro::Type::kString) {
        ATOLL_ASSIGN_OR_RETURN(std::string raw, UuidFromString(v.bytes()));
        return Literal::Uuid(std::move(raw));
      }
      return LiteralFromBytes(type, v.bytes());
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed:
      return Literal::Make(type, v.bytes());
    default:
      return Literal::Make(type, *v.AsLong());  // long, time, timestamps
  }
}

}  // namespace

Result<std::vector<Literal>> ReadPartition(const Node& rec, const Value& v, std::string_view what) {
  std::vector<Literal> out;
  if (rec.type != avro::Type::kRecord)
    return Corruption(what, ": partition (field id 102) is not a record");
  for (size_t i = 0; i < rec.fields.size(); ++i) {
    const Node* node = rec.fields[i].type;
    const Value* value = &v.fields()[i];
    if (node->type == avro::Type::kUnion) {
      int null_branch = node->NullBranch();
      if (null_branch < 0)
        return Corruption(what, ": partition field '", rec.fields[i].name, "' has a complex union");
      node = node->branches[null_branch == 0 ? 1 : 0];
      value = &value->branch_value();
    }
    auto type = TypeFromAvro(*node);
    if (!type.ok())
      return Corruption(what, ": partition field '", rec.fields[i].name,
                        "': ", type.status().message());
    if (value->is_null()) {
      out.push_back(Literal::Null(*type));
      continue;
    }
    auto lit = LiteralFromAvro(*type, *value);
    if (!lit.ok())
      return Corruption(what, ": partition field '", rec.fields[i].name,
                        "': ", lit.status().message());
    out.push_back(std::move(*lit));
  }
  return out;
}

Json Required(std::string_view name, Json type, int id) {
  return Json{{"name", name}, {"type", std::move(type)}, {"field-id", id}};
}

Json Optional(std::string_view name, Json type, int id) {
  return Json{{"name", name},
              {"type", Json::array({"null", std::move(type)})},
              {"default", nullptr},
              {"field-id", id}};
}

Json IntKeyMap(int key_id, int value_id, std::string_view value_type) {
  Json kv = {{"type", "record"},
             {"name", "k" + std::to_string(key_id) + "_v" + std::to_string(value_id)},
             {"fields", Json::array({Required("key", "int", key_id),
                                     Required("value", value_type, value_id)})}};
  return Json{{"type", "array"}, {"logicalType", "map"}, {"items", std::move(kv)}};
}

Json List(int element_id, std::string_view element_type) {
  return Json{{"type", "array"}, {"items", element_type}, {"element-id", element_id}};
}

RecordBuilder::RecordBuilder(const Node& node) : node_(node) {
  for (const avro::Field& f : node.fields) {
    fields_.push_back(f.type->type == Type::kUnion ? Value::Union(0, Value::Null())
                                                   : Value::Null());
  }
}

void RecordBuilder::Set(int id, Value value) {
  int index = node_.FieldIndexById(id);
  if (index < 0) return;
  const Node* t = node_.fields[index].type;
  if (t->type == Type::kUnion) {
    int null_branch = t->NullBranch();
    value = Value::Union(null_branch == 0 ? 1 : 0, std::move(value));
  }
  fields_[index] = std::move(value);
}

const Node* RecordBuilder::FieldNode(int id) const {
  int index = node_.FieldIndexById(id);
  if (index < 0) return nullptr;
  const Node* t = node_.fields[index].type;
  if (t->type == Type::kUnion) t = t->branches[t->NullBranch() == 0 ? 1 : 0];
  return t;
}

Value IntLongMapValue(const ColumnMap<int64_t>& map) {
  std::vector<Value> items;
  for (const auto& [k, v] : map) items.push_back(Value::Record({Value::Int(k), Value::Long(v)}));
  return Value::Array(std::move(items));
}

Value IntBytesMapValue(const ColumnMap<std::string>& map) {
  std::vector<Value> items;
  for (const auto& [k, v] : map) items.push_back(Value::Record({Value::Int(k), Value::Bytes(v)}));
  return Value::Array(std::move(items));
}

}  // namespace atl::iceberg::manifest_avro
