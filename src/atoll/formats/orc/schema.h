// The type tree of an ORC file. ORC stores types as a flat list in pre-order; column
// id i is the i-th type, the root (usually a struct) is column 0. Each Type keeps its
// column id, kind, children (with field names for structs), decimal precision/scale,
// char/varchar length and the writer's key/value attributes (Iceberg writes
// "iceberg.id", "iceberg.required", ...).
//
// BuildSchema checks the flat list: kinds known, children of the right count, every
// child id after its parent and used once, nesting no deeper than a limit. Anything else
// is kCorruption (kNotSupported for an unknown type kind).
//
// Thread safety: a built Type tree is immutable and may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/orc/metadata.h"

namespace atl::orc {

enum class TypeKind : uint32_t {
  kBoolean = 0,
  kByte = 1,
  kShort = 2,
  kInt = 3,
  kLong = 4,
  kFloat = 5,
  kDouble = 6,
  kString = 7,
  kBinary = 8,
  kTimestamp = 9,
  kList = 10,
  kMap = 11,
  kStruct = 12,
  kUnion = 13,
  kDecimal = 14,
  kDate = 15,
  kVarchar = 16,
  kChar = 17,
  kTimestampInstant = 18,  // timestamp with local time zone (an instant, UTC based)
};

// The ORC type name: "boolean", "tinyint", ..., "timestamp with local time zone".
std::string_view TypeKindName(TypeKind kind);

class Type {
 public:
  TypeKind kind() const { return kind_; }
  uint32_t column_id() const { return column_id_; }
  // The largest column id in this subtree (itself when it has no children).
  uint32_t max_column_id() const { return max_column_id_; }

  size_t num_children() const { return children_.size(); }
  const Type& child(size_t i) const { return *children_[i]; }
  // Struct field names, one per child (empty for other kinds).
  const std::vector<std::string>& field_names() const { return field_names_; }
  // The child of a struct with this field name, or nullptr.
  const Type* Field(std::string_view name) const;

  // Decimal precision and scale. Files from Hive 0.11 store precision 0 ("unbounded");
  // the reader reports such decimals as decimal(38, hive11_decimal_scale).
  uint32_t precision() const { return precision_; }
  uint32_t scale() const { return scale_; }
  // char/varchar maximum length (0 when absent).
  uint32_t maximum_length() const { return maximum_length_; }

  const std::vector<std::pair<std::string, std::string>>& attributes() const { return attributes_; }
  std::optional<std::string> Attribute(std::string_view key) const;

  // Hive-style type string, e.g. "struct<a:int,b:array<string>,c:decimal(10,2)>".
  std::string ToString() const;

 private:
  friend Result<std::unique_ptr<Type>> BuildSchema(const std::vector<TypeProto>& types,
                                                   uint32_t hive11_scale);
  TypeKind kind_ = TypeKind::kStruct;
  uint32_t column_id_ = 0;
  uint32_t max_column_id_ = 0;
  std::vector<std::unique_ptr<Type>> children_;
  std::vector<std::string> field_names_;
  uint32_t precision_ = 0;
  uint32_t scale_ = 0;
  uint32_t maximum_length_ = 0;
  std::vector<std::pair<std::string, std::string>> attributes_;
};

// Builds the tree from the footer's flat type list (`hive11_scale` is the scale given to
// decimals stored without a precision).
Result<std::unique_ptr<Type>> BuildSchema(const std::vector<TypeProto>& types,
                                          uint32_t hive11_scale);

}  // namespace atl::orc
