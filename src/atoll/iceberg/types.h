// Iceberg data types (spec "Schemas and Data Types") and their JSON form (Appendix C).
//
// A Type is immutable and shared through TypePtr. Primitive types carry their parameters
// (decimal precision/scale, fixed length, geo CRS/algorithm); nested types (struct, list,
// map) carry NestedFields with their field ids. Two types are equal when their JSON forms
// would be equal (ids, names, requiredness, docs and defaults included).
//
// Thread safety: types are immutable values; share freely.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/json_fwd.h"

namespace atl::iceberg {

enum class TypeId {
  kUnknown,  // v3: always-null column
  kBoolean,
  kInt,
  kLong,
  kFloat,
  kDouble,
  kDecimal,
  kDate,
  kTime,
  kTimestamp,
  kTimestampTz,
  kTimestampNs,    // v3
  kTimestampTzNs,  // v3
  kString,
  kUuid,
  kFixed,
  kBinary,
  kVariant,    // v3, opaque here
  kGeometry,   // v3, opaque here
  kGeography,  // v3, opaque here
  kStruct,
  kList,
  kMap,
};

class Type;
using TypePtr = std::shared_ptr<const Type>;

// A field of a struct, or the element of a list, or the key/value of a map.
struct NestedField {
  int32_t id = 0;
  std::string name;
  bool required = false;
  TypePtr type;
  std::optional<std::string> doc;
  // Defaults in the JSON single-value form (Appendix D); validated against `type` on parse.
  std::optional<JsonValue> initial_default;
  std::optional<JsonValue> write_default;

  bool operator==(const NestedField& other) const;
};

class Type {
 public:
  // Primitive constructors.
  static TypePtr Primitive(TypeId id);  // any id without parameters
  static TypePtr Boolean() { return Primitive(TypeId::kBoolean); }
  static TypePtr Int() { return Primitive(TypeId::kInt); }
  static TypePtr Long() { return Primitive(TypeId::kLong); }
  static TypePtr Float() { return Primitive(TypeId::kFloat); }
  static TypePtr Double() { return Primitive(TypeId::kDouble); }
  static TypePtr Date() { return Primitive(TypeId::kDate); }
  static TypePtr Time() { return Primitive(TypeId::kTime); }
  static TypePtr Timestamp() { return Primitive(TypeId::kTimestamp); }
  static TypePtr TimestampTz() { return Primitive(TypeId::kTimestampTz); }
  static TypePtr String() { return Primitive(TypeId::kString); }
  static TypePtr Uuid() { return Primitive(TypeId::kUuid); }
  static TypePtr Binary() { return Primitive(TypeId::kBinary); }
  static TypePtr Decimal(int precision, int scale);
  static TypePtr Fixed(int32_t length);
  static TypePtr Geometry(std::string crs);                          // "" = default OGC:CRS84
  static TypePtr Geography(std::string crs, std::string algorithm);  // "" = defaults
  // Nested constructors.
  static TypePtr Struct(std::vector<NestedField> fields);
  static TypePtr List(int32_t element_id, bool element_required, TypePtr element);
  static TypePtr Map(int32_t key_id, TypePtr key, int32_t value_id, bool value_required,
                     TypePtr value);

  TypeId id() const { return id_; }
  bool is_primitive() const {
    return id_ != TypeId::kStruct && id_ != TypeId::kList && id_ != TypeId::kMap;
  }
  bool is_nested() const { return !is_primitive(); }
  int precision() const { return precision_; }                 // decimal
  int scale() const { return scale_; }                         // decimal
  int32_t length() const { return length_; }                   // fixed
  const std::string& crs() const { return crs_; }              // geometry/geography
  const std::string& algorithm() const { return algorithm_; }  // geography
  // struct: the fields; list: one field named "element"; map: "key" then "value".
  const std::vector<NestedField>& fields() const { return fields_; }

  // The JSON/type string of a primitive ("decimal(9,2)", "fixed[16]", "timestamptz").
  // Nested types return "struct<...>", "list<...>", "map<...>" for messages only.
  std::string ToString() const;

  bool operator==(const Type& other) const;
  bool operator!=(const Type& other) const { return !(*this == other); }

 private:
  Type() = default;
  TypeId id_ = TypeId::kUnknown;
  int precision_ = 0;
  int scale_ = 0;
  int32_t length_ = 0;
  std::string crs_;
  std::string algorithm_;
  std::vector<NestedField> fields_;
};

// Deep equality through pointers (null equals null).
bool TypesEqual(const TypePtr& a, const TypePtr& b);

// Appendix C JSON form. Parsing accepts "decimal(9, 2)" and "decimal(9,2)"; writing uses
// "decimal(9,2)". Unknown type names are InvalidArgument.
Json TypeToJson(const Type& type);
Result<TypePtr> TypeFromJson(const Json& json);
Json FieldToJson(const NestedField& field);
Result<NestedField> FieldFromJson(const Json& json);

// The spec's type promotion rules (schema evolution). `format_version` selects the v3
// additions (unknown -> any, date -> timestamp/timestamp_ns). Same type is always allowed.
bool CanPromote(const Type& from, const Type& to, int format_version);
// Like CanPromote, but the error says precisely why ("cannot promote decimal(9,2) to
// decimal(9,3): only the precision may widen").
Status CheckPromotion(const Type& from, const Type& to, int format_version);

// The format version that first allows `type` (1, or 3 for the v3 types), looking into
// nested types.
int MinFormatVersion(const Type& type);

}  // namespace atl::iceberg
