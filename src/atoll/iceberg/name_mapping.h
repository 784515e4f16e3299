// NameMapping: the table property "schema.name-mapping.default" (spec "Column Projection",
// "Name Mapping Serialization"): fallback field ids for data files written without them.
// A name in `names` is literal (it may contain '.'); nested fields are looked up by a path of
// names. Immutable value; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/schema.h"

namespace atl::iceberg {

// The table property holding the default name mapping.
inline constexpr const char* kDefaultNameMappingProperty = "schema.name-mapping.default";

struct MappedField {
  std::vector<std::string> names;
  std::optional<int32_t> field_id;
  std::vector<MappedField> fields;

  bool operator==(const MappedField& o) const {
    return names == o.names && field_id == o.field_id && fields == o.fields;
  }
};

struct NameMapping {
  std::vector<MappedField> fields;

  // The mapping for a path of names (e.g. {"location", "lat"}), or nullptr.
  const MappedField* Find(const std::vector<std::string>& path) const;
  bool operator==(const NameMapping& o) const { return fields == o.fields; }

  Json ToJson() const;
  std::string ToJsonString() const;  // ToJson() as compact text
  static Result<NameMapping> FromJson(const Json& json);
  static Result<NameMapping> Parse(std::string_view text);
  // The mapping of a schema's current names (list element "element", map "key"/"value").
  static NameMapping FromSchema(const Schema& schema);
};

}  // namespace atl::iceberg
