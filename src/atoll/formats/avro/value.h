// Value: a generic Avro datum (null, boolean, int, long, float, double, bytes, string,
// fixed, enum, array, map, union branch, record).
//
// A Value does not point at its schema; it is read and written together with the schema
// Node it conforms to (the decoder makes values that match the writer's schema; the
// encoder checks a value against the schema it writes). Records hold their fields in
// schema order; use Node::FieldIndex / FieldIndexById or the Get helpers below to find
// a field by name or Iceberg field id.
//
// Thread safety: a value type; distinct objects may be used concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "atoll/formats/avro/schema.h"

namespace atl::avro {

class Value {
 public:
  Value() = default;  // null
  static Value Null() { return Value(); }
  static Value Boolean(bool v) { return Scalar(Type::kBoolean, v ? 1 : 0); }
  static Value Int(int32_t v) { return Scalar(Type::kInt, v); }
  static Value Long(int64_t v) { return Scalar(Type::kLong, v); }
  static Value Float(float v);
  static Value Double(double v);
  static Value Bytes(std::string v) { return Text(Type::kBytes, std::move(v)); }
  static Value String(std::string v) { return Text(Type::kString, std::move(v)); }
  static Value Fixed(std::string v) { return Text(Type::kFixed, std::move(v)); }
  static Value Enum(int index) { return Scalar(Type::kEnum, index); }
  static Value Array(std::vector<Value> items);
  static Value Map(std::vector<std::pair<std::string, Value>> entries);
  static Value Record(std::vector<Value> fields);
  static Value Union(size_t branch, Value value);

  Type type() const { return type_; }
  bool is_null() const { return type_ == Type::kNull; }

  // Accessors; calling one for another type is a bug (checked: aborts).
  bool boolean() const { return Expect(Type::kBoolean), int_ != 0; }
  int32_t int_value() const { return Expect(Type::kInt), static_cast<int32_t>(int_); }
  int64_t long_value() const { return Expect(Type::kLong), int_; }
  float float_value() const { return Expect(Type::kFloat), static_cast<float>(double_); }
  double double_value() const { return Expect(Type::kDouble), double_; }
  int enum_index() const { return Expect(Type::kEnum), static_cast<int>(int_); }
  // The bytes of a bytes, string or fixed value.
  const std::string& bytes() const;
  std::string& mutable_bytes();
  // Array items or record fields.
  const std::vector<Value>& items() const;
  const std::vector<Value>& fields() const { return items(); }
  // Map entries, in the order they were read or given.
  const std::vector<std::string>& map_keys() const;
  const std::vector<Value>& map_values() const;
  // The union branch index and the value it holds.
  size_t branch() const { return Expect(Type::kUnion), static_cast<size_t>(int_); }
  const Value& branch_value() const;

  // Lenient numeric reads: int or long (or a union branch holding one) as int64;
  // int/long/float/double as double. nullopt when the value is of another type or null.
  std::optional<int64_t> AsLong() const;
  std::optional<double> AsDouble() const;
  // The value itself, or for a union the branch value (one level).
  const Value& Unwrapped() const { return type_ == Type::kUnion ? branch_value() : *this; }

  bool operator==(const Value& other) const;
  bool operator!=(const Value& other) const { return !(*this == other); }

 private:
  static Value Scalar(Type t, int64_t v) {
    Value out;
    out.type_ = t;
    out.int_ = v;
    return out;
  }
  static Value Text(Type t, std::string v) {
    Value out;
    out.type_ = t;
    out.text_ = std::move(v);
    return out;
  }
  void Expect(Type t) const;

  Type type_ = Type::kNull;
  int64_t int_ = 0;                // boolean, int, long, enum index, union branch
  double double_ = 0;              // float, double
  std::string text_;               // bytes, string, fixed
  std::vector<Value> children_;    // array items, record fields, map values, union value
  std::vector<std::string> keys_;  // map keys
};

// The field `name` of a record value (looked up in its schema `record`), or nullptr when
// the schema has no such field.
const Value* GetField(const Node& record, const Value& value, std::string_view name);
// The field carrying Iceberg "field-id" `id`, or nullptr.
const Value* GetFieldById(const Node& record, const Value& value, int64_t id);

// The Avro JSON encoding of `value` (unions as {"branch type name": value}; bytes and
// fixed as strings of code points U+0000..U+00FF; NaN/infinity as strings). Strings are
// copied as they are: dump the result with nlohmann::json::error_handler_t::replace,
// since a file may hold invalid UTF-8 (dump() would otherwise throw).
Json ToJson(const Node& node, const Value& value);

}  // namespace atl::avro
