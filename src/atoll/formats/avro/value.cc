#include "atoll/formats/avro/value.h"

#include <cmath>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>

namespace atl::avro {

Value Value::Float(float v) {
  Value out;
  out.type_ = Type::kFloat;
  out.double_ = v;
  return out;
}

Value Value::Double(double v) {
  Value out;
  out.type_ = Type::kDouble;
  out.double_ = v;
  return out;
}

Value Value::Array(std::vector<Value> items) {
  Value out;
  out.type_ = Type::kArray;
  out.children_ = std::move(items);
  return out;
}

Value Value::Map(std::vector<std::pair<std::string, Value>> entries) {
  Value out;
  out.type_ = Type::kMap;
  out.keys_.reserve(entries.size());
  out.children_.reserve(entries.size());
  for (auto& [k, v] : entries) {
    out.keys_.push_back(std::move(k));
    out.children_.push_back(std::move(v));
  }
  return out;
}

Value Value::Record(std::vector<Value> fields) {
  Value out = Array(std::move(fields));
  out.type_ = Type::kRecord;
  return out;
}

Value Value::Union(size_t branch, Value value) {
  Value out;
  out.type_ = Type::kUnion;
  out.int_ = static_cast<int64_t>(branch);
  out.children_.push_back(std::move(value));
  return out;
}

void Value::Expect(Type t) const {
  if (type_ != t) std::abort();
}

const std::string& Value::bytes() const {
  if (type_ != Type::kBytes && type_ != Type::kString && type_ != Type::kFixed) std::abort();
  return text_;
}

std::string& Value::mutable_bytes() {
  if (type_ != Type::kBytes && type_ != Type::kString && type_ != Type::kFixed) std::abort();
  return text_;
}

const std::vector<Value>& Value::items() const {
  if (type_ != Type::kArray && type_ != Type::kRecord) std::abort();
  return children_;
}

const std::vector<std::string>& Value::map_keys() const {
  Expect(Type::kMap);
  return keys_;
}

const std::vector<Value>& Value::map_values() const {
  Expect(Type::kMap);
  return children_;
}

const Value& Value::branch_value() const {
  Expect(Type::kUnion);
  return children_[0];
}

std::optional<int64_t> Value::AsLong() const {
  const Value& v = Unwrapped();
  if (v.type_ == Type::kInt || v.type_ == Type::kLong) return v.int_;
  return std::nullopt;
}

std::optional<double> Value::AsDouble() const {
  const Value& v = Unwrapped();
  if (v.type_ == Type::kInt || v.type_ == Type::kLong) return static_cast<double>(v.int_);
  if (v.type_ == Type::kFloat || v.type_ == Type::kDouble) return v.double_;
  return std::nullopt;
}

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_ || int_ != o.int_) return false;
  // Floating values compare bit for bit, so that NaN round trips compare equal.
  if (std::memcmp(&double_, &o.double_, sizeof(double)) != 0) return false;
  return text_ == o.text_ && children_ == o.children_ && keys_ == o.keys_;
}

const Value* GetField(const Node& record, const Value& value, std::string_view name) {
  int i = record.FieldIndex(name);
  if (i < 0 || value.type() != Type::kRecord || static_cast<size_t>(i) >= value.fields().size())
    return nullptr;
  return &value.fields()[i];
}

const Value* GetFieldById(const Node& record, const Value& value, int64_t id) {
  int i = record.FieldIndexById(id);
  if (i < 0 || value.type() != Type::kRecord || static_cast<size_t>(i) >= value.fields().size())
    return nullptr;
  return &value.fields()[i];
}

namespace {

Json BytesToJson(const std::string& bytes) {
  std::string utf8;
  for (unsigned char c : bytes) {
    if (c < 0x80) {
      utf8.push_back(static_cast<char>(c));
    } else {
      utf8.push_back(static_cast<char>(0xC0 | (c >> 6)));
      utf8.push_back(static_cast<char>(0x80 | (c & 0x3F)));
    }
  }
  return utf8;
}

Json FloatToJson(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "Infinity" : "-Infinity";
  return d;
}

std::string BranchName(const Node& n) {
  return n.is_named() ? n.full_name : std::string(TypeName(n.type));
}

}  // namespace

Json ToJson(const Node& node, const Value& value) {
  if (node.type != value.type()) return nullptr;  // callers validate first
  switch (node.type) {
    case Type::kNull:
      return nullptr;
    case Type::kBoolean:
      return value.boolean();
    case Type::kInt:
      return value.int_value();
    case Type::kLong:
      return value.long_value();
    case Type::kFloat:
      return FloatToJson(value.float_value());
    case Type::kDouble:
      return FloatToJson(value.double_value());
    case Type::kString:
      return value.bytes();
    case Type::kBytes:
    case Type::kFixed:
      return BytesToJson(value.bytes());
    case Type::kEnum: {
      size_t i = static_cast<size_t>(value.enum_index());
      return i < node.symbols.size() ? Json(node.symbols[i]) : Json(nullptr);
    }
    case Type::kUnion: {
      if (value.branch() >= node.branches.size()) return nullptr;
      const Node& b = *node.branches[value.branch()];
      if (b.type == Type::kNull) return nullptr;
      Json out = Json::object();
      out[BranchName(b)] = ToJson(b, value.branch_value());
      return out;
    }
    case Type::kArray: {
      Json out = Json::array();
      for (const Value& v : value.items()) out.push_back(ToJson(*node.items, v));
      return out;
    }
    case Type::kMap: {
      Json out = Json::object();
      for (size_t i = 0; i < value.map_keys().size(); ++i) {
        out[value.map_keys()[i]] = ToJson(*node.items, value.map_values()[i]);
      }
      return out;
    }
    case Type::kRecord: {
      Json out = Json::object();
      for (size_t i = 0; i < node.fields.size() && i < value.fields().size(); ++i) {
        out[node.fields[i].name] = ToJson(*node.fields[i].type, value.fields()[i]);
      }
      return out;
    }
  }
  return nullptr;
}

}  // namespace atl::avro
