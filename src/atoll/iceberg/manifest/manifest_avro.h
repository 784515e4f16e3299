// Internal helpers shared by manifest.cc and manifest_list.cc: reading Avro records by
// Iceberg field id (through ["null", T] unions) and building records in schema order.
// Not a public API. Thread safety: stateless functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/avro/value.h"
#include "atoll/iceberg/column_map.h"
#include "atoll/iceberg/literal.h"

namespace atl::iceberg::manifest_avro {

// A field value resolved through a union: the node and value of the non-null branch.
struct Field {
  const avro::Node* node = nullptr;
  const avro::Value* value = nullptr;
};

// The field with Iceberg field id `id` of `record`; nullopt when absent from the schema or null.
std::optional<Field> Get(const avro::Node& record, const avro::Value& value, int id);

// Typed reads: nullopt when absent or null; Corruption when present with another type.
// `what` names the record for messages.
// The "format-version" header value of a manifest or manifest list: 1 when absent,
// kCorruption naming `what` when it is not 1, 2 or 3.
Result<int> ParseFormatVersion(const std::optional<std::string>& header, std::string_view what);

Result<std::optional<int64_t>> GetLong(const avro::Node& record, const avro::Value& value, int id,
                                       std::string_view what);
Result<std::optional<std::string>> GetBytes(const avro::Node& record, const avro::Value& value,
                                            int id, std::string_view what);
Result<std::optional<bool>> GetBool(const avro::Node& record, const avro::Value& value, int id,
                                    std::string_view what);
// A required long: Corruption when absent or null.
Result<int64_t> RequireLong(const avro::Node& record, const avro::Value& value, int id,
                            std::string_view what);
Result<std::string> RequireString(const avro::Node& record, const avro::Value& value, int id,
                                  std::string_view what);

// An Iceberg map<int, long> or map<int, binary> stored as an Avro array of key/value
// records ("logicalType": "map"). Empty when absent.
Result<ColumnMap<int64_t>> GetIntLongMap(const avro::Node& record, const avro::Value& value, int id,
                                         std::string_view what);
Result<ColumnMap<std::string>> GetIntBytesMap(const avro::Node& record, const avro::Value& value,
                                              int id, std::string_view what);
// A list of int or long. Empty when absent.
Result<std::vector<int64_t>> GetLongList(const avro::Node& record, const avro::Value& value, int id,
                                         std::string_view what);

// The partition tuple of a data file: `rec` is the partition record's schema, `v` its value;
// one Literal per field, typed from the Avro type (null when the value is null).
// kCorruption naming `what` for unions of several types or unsupported Avro types.
Result<std::vector<Literal>> ReadPartition(const avro::Node& rec, const avro::Value& v,
                                           std::string_view what);

// Schema JSON builders.
avro::Json Required(std::string_view name, avro::Json type, int id);
avro::Json Optional(std::string_view name, avro::Json type, int id);
// {"type":"array","logicalType":"map","items":{"type":"record","name":"k<key>_v<value>",...}}
avro::Json IntKeyMap(int key_id, int value_id, std::string_view value_type);
avro::Json List(int element_id, std::string_view element_type);

// Builds a record value for `node` field by field id; fields never set are null (or the
// null branch of an optional union).
class RecordBuilder {
 public:
  explicit RecordBuilder(const avro::Node& node);
  // Sets the field `id`; for an optional field, wraps `value` in the non-null branch.
  void Set(int id, avro::Value value);
  void SetOptionalLong(int id, const std::optional<int64_t>& v) {
    if (v) Set(id, avro::Value::Long(*v));
  }
  avro::Value Build() && { return avro::Value::Record(std::move(fields_)); }
  // The node of field `id` after unwrapping an optional union (for nested records).
  const avro::Node* FieldNode(int id) const;

 private:
  const avro::Node& node_;
  std::vector<avro::Value> fields_;
};

avro::Value IntLongMapValue(const ColumnMap<int64_t>& map);
avro::Value IntBytesMapValue(const ColumnMap<std::string>& map);

}  // namespace atl::iceberg::manifest_avro
