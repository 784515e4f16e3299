// Avro schemas (specification 1.11): parsed from JSON, kept with every attribute the
// specification does not interpret, and written back to JSON.
//
// A Schema owns a graph of Nodes. Named types (record, enum, fixed) appear once and are
// referenced by pointer wherever the JSON refers to them by name, so recursive schemas
// (a linked list record) are graphs, not trees. Node pointers stay valid for the life of
// the Schema; share a schema with std::shared_ptr<const Schema>.
//
// Extra attributes — Iceberg's "field-id" on record fields, "element-id" on arrays,
// "key-id"/"value-id" on maps, "logicalType": "map" on arrays, "doc", "aliases",
// "order", ... — are kept verbatim (in the order they were read) in `attributes` and
// written back by ToJson(). Logical types are interpreted (LogicalType below) and their
// attributes are also kept, so a schema round-trips unchanged. A logical type that is
// unknown or invalid for its base type is ignored, as the specification asks: the node is
// read as its base type.
//
// Building a schema in code: write its JSON (nlohmann::ordered_json) and call FromJson.
//
// Thread safety: a Schema is immutable after parsing; share it freely across threads.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/json_box.h"
#include "atoll/common/result.h"

namespace atl::avro {

// Json is incomplete here (json_fwd.hpp): a .cc that builds or reads Json values includes
// <nlohmann/json.hpp>. JsonValue holds the JSON members of Field and Node.
using Json = nlohmann::ordered_json;
using JsonValue = JsonBox<Json>;
// An empty JSON object, the default of `attributes`.
JsonValue EmptyJsonObject();

enum class Type {
  kNull,
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kBytes,
  kString,
  kRecord,
  kEnum,
  kArray,
  kMap,
  kUnion,
  kFixed,
};
std::string_view TypeName(Type type);

enum class LogicalType {
  kNone,
  kDecimal,
  kUuid,
  kDate,
  kTimeMillis,
  kTimeMicros,
  kTimestampMillis,
  kTimestampMicros,
  kTimestampNanos,
  kLocalTimestampMillis,
  kLocalTimestampMicros,
  kLocalTimestampNanos,
  kDuration,
};
std::string_view LogicalTypeName(LogicalType type);  // "decimal", ...; "" for kNone

struct Node;

struct Field {
  std::string name;
  const Node* type = nullptr;
  std::optional<JsonValue> default_value;    // the JSON "default", when present
  JsonValue attributes = EmptyJsonObject();  // everything else but name/type/default

  // The integer attribute `key` (e.g. "field-id"), if present and an integer.
  std::optional<int64_t> IntAttribute(std::string_view key) const;
};

struct Node {
  Type type = Type::kNull;

  // Named types: full name ("ns.Name") and aliases as written (resolution not applied).
  std::string full_name;
  std::string name_space;  // "" for the null namespace

  LogicalType logical = LogicalType::kNone;
  int precision = 0;  // decimal
  int scale = 0;      // decimal

  std::vector<Field> fields;         // record
  std::vector<std::string> symbols;  // enum
  std::optional<std::string> enum_default;
  const Node* items = nullptr;        // array items, map values
  std::vector<const Node*> branches;  // union
  size_t fixed_size = 0;              // fixed

  // Attributes the specification does not define for the type, plus the logical-type
  // attributes (logicalType, precision, scale) and doc/aliases. Not for primitives
  // written as a bare string ("long"), which have none.
  JsonValue attributes = EmptyJsonObject();

  bool is_named() const {
    return type == Type::kRecord || type == Type::kEnum || type == Type::kFixed;
  }
  std::string_view short_name() const;

  // Record fields by name; -1 when absent.
  int FieldIndex(std::string_view name) const;
  // Record fields by the Iceberg "field-id" attribute; -1 when absent.
  int FieldIndexById(int64_t field_id) const;
  std::optional<int64_t> IntAttribute(std::string_view key) const;

  // For a union of null and one other type (["null", T] or [T, "null"]): the index of the
  // null branch, else -1.
  int NullBranch() const;
};

class Schema {
 public:
  // Parses Avro schema JSON text. kInvalidArgument naming what is wrong and where
  // (e.g. "field 'a' of record 'r': unknown type 'lng'").
  static Result<std::shared_ptr<const Schema>> Parse(std::string_view json_text);
  static Result<std::shared_ptr<const Schema>> FromJson(const Json& json);

  const Node& root() const { return *root_; }

  // The schema as JSON, with every kept attribute; each named type is defined at its
  // first occurrence and referenced by full name afterwards.
  Json ToJson() const;
  std::string ToString() const;  // ToJson() as compact text

  // A named type by full name, or nullptr.
  const Node* FindNamed(std::string_view full_name) const;

 private:
  std::vector<std::unique_ptr<Node>> nodes_;
  std::vector<const Node*> named_;
  const Node* root_ = nullptr;
  friend class SchemaParser;
};

using SchemaPtr = std::shared_ptr<const Schema>;

}  // namespace atl::avro

namespace atl {
extern template class JsonBox<nlohmann::ordered_json>;  // instantiated in avro/schema_json.cc
}  // namespace atl
