// SchemaUpdate: evolves a schema by field id (spec "Schema Evolution"): add optional
// columns (fresh ids, also for nested fields), rename, widen a primitive, make a column
// optional, delete. Changes are recorded and checked when Apply() builds the new schema,
// which gets schema id `base.schema_id() + 1` (TableMetadataBuilder::AddSchema may renumber).
//
// Errors are InvalidArgument naming the column and the rule broken ("cannot promote
// column 'price' from decimal(9,2) to decimal(9,3): the scale of a decimal cannot change").
//
// Not thread-safe (a builder); the produced Schema is an immutable value.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/schema.h"

namespace atl::iceberg {

struct SchemaUpdateResult {
  Schema schema;
  int32_t last_column_id;  // the table's new last-column-id
};

class SchemaUpdate {
 public:
  // `last_column_id` is the table's last-column-id (fresh ids start after it).
  SchemaUpdate(Schema base, int32_t last_column_id, int format_version = 2);

  // Adds a column under `parent` (dotted name of a struct column, "" = top level). Ids in
  // `type` are ignored and reassigned. Required columns need a non-null initial default
  // (v3 only); defaults use the JSON single-value form.
  SchemaUpdate& AddColumn(const std::string& parent, const std::string& name, TypePtr type,
                          std::optional<std::string> doc = std::nullopt, bool required = false,
                          std::optional<JsonValue> initial_default = std::nullopt);
  SchemaUpdate& RenameColumn(const std::string& name, const std::string& new_name);
  SchemaUpdate& UpdateColumnType(const std::string& name, TypePtr new_type);
  SchemaUpdate& MakeColumnOptional(const std::string& name);
  SchemaUpdate& DeleteColumn(const std::string& name);

  // Builds the new schema, or returns the first error found.
  Result<SchemaUpdateResult> Apply() const;

 private:
  struct Addition {
    std::string parent, name;
    TypePtr type;
    std::optional<std::string> doc;
    bool required;
    std::optional<JsonValue> initial_default;
  };
  // Resolves a dotted name in the base schema; records an error when absent.
  std::optional<int32_t> Resolve(const std::string& name, const char* op);
  Result<std::vector<NestedField>> Rebuild(const std::vector<NestedField>& fields,
                                           int32_t parent_id, int32_t* next_id) const;

  Schema base_;
  int32_t last_column_id_;
  int format_version_;
  std::vector<Addition> additions_;
  std::map<int32_t, std::string> renames_;
  std::map<int32_t, TypePtr> updates_;
  std::set<int32_t> make_optional_;
  std::set<int32_t> deletes_;
  std::vector<std::string> errors_;
};

// A copy of `type` with every nested field id replaced by ++*next_id (pre-order).
TypePtr AssignFreshIds(const TypePtr& type, int32_t* next_id);

}  // namespace atl::iceberg
