// Schema: a table's columns as a struct of NestedFields with field ids, plus schema-id and
// identifier-field-ids (spec "Schemas"; JSON form in Appendix C).
//
// Lookups by id and by dotted name ("address.city", "tags.element", "attrs.key",
// "attrs.value") are answered from an index built once at construction. A Schema is an
// immutable value; copies share the field tree and index. Thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/types.h"

namespace atl::iceberg {

class Schema {
 public:
  // Does not validate; use Make for untrusted input.
  Schema(int32_t schema_id, std::vector<NestedField> fields,
         std::vector<int32_t> identifier_field_ids = {});
  // Validates: field ids unique and positive, sibling names unique, identifier fields exist
  // and are required primitives (not float/double) outside lists, maps and optional structs.
  static Result<Schema> Make(int32_t schema_id, std::vector<NestedField> fields,
                             std::vector<int32_t> identifier_field_ids = {});

  int32_t schema_id() const { return schema_id_; }
  const std::vector<NestedField>& fields() const { return struct_->fields(); }
  const std::vector<int32_t>& identifier_field_ids() const { return identifier_field_ids_; }
  const TypePtr& AsStruct() const { return struct_; }

  // nullptr when absent. Pointers stay valid as long as any copy of this Schema lives.
  const NestedField* FindFieldById(int32_t id) const;
  const NestedField* FindFieldByName(std::string_view dotted_name) const;
  // The full dotted name of a field id, or nullopt.
  std::optional<std::string> FindColumnName(int32_t id) const;
  // The id of the struct/list/map field that contains `id` (nullopt at the top level).
  std::optional<int32_t> ParentId(int32_t id) const;
  // True when the field sits (at any depth) inside a list element or map key/value.
  bool IsInListOrMap(int32_t id) const;
  // The highest field id anywhere in the schema (0 when empty).
  int32_t HighestFieldId() const;

  // The same fields under another schema id.
  Schema WithSchemaId(int32_t schema_id) const;

  // Equal when schema-id, fields and identifier ids are equal.
  bool operator==(const Schema& other) const;
  // True when only the schema ids may differ.
  bool SameStructure(const Schema& other) const;

  Json ToJson() const;
  // `default_schema_id` is used when "schema-id" is absent (v1 metadata).
  static Result<Schema> FromJson(const Json& json, int32_t default_schema_id = 0);

 private:
  struct Entry {
    const NestedField* field;
    std::string name;
    std::optional<int32_t> parent;
    bool in_list_or_map;
    bool under_optional;  // some enclosing struct field is optional
  };
  struct Index {
    std::unordered_map<int32_t, Entry> by_id;
    std::unordered_map<std::string, int32_t> by_name;
    int32_t highest = 0;
    std::vector<std::string> problems;  // duplicate ids/names found while indexing
  };
  static void IndexFields(const std::vector<NestedField>& fields, const std::string& prefix,
                          std::optional<int32_t> parent, bool in_list_or_map, bool under_optional,
                          Index* index);

  int32_t schema_id_;
  TypePtr struct_;
  std::vector<int32_t> identifier_field_ids_;
  std::shared_ptr<const Index> index_;
};

}  // namespace atl::iceberg
