#include "atoll/ingest/landing_schema.h"

#include <set>

#include "atoll/iceberg/commit/schema_update.h"
#include "atoll/ingest/field_ids.h"
#include "atoll/table/duckdb_types.h"

namespace atl::lake {

namespace {

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

// Placeholder ids, unique within one conversion.
struct Ids {
  int32_t next = 1;
  int32_t Take() { return next++; }
};

Result<TypePtr> Convert(const DuckType& duck, Ids* ids) {
  switch (duck.kind) {
    case DuckType::Kind::kLeaf:
      return table::IcebergLeafType(duck.text);
    case DuckType::Kind::kStruct: {
      std::vector<NestedField> fields;
      std::set<std::string> names;
      for (const auto& [name, child] : duck.children) {
        if (!names.insert(name).second)
          return InvalidArgument("struct field '", name, "' appears twice");
        ATOLL_ASSIGN_OR_RETURN(TypePtr type, Convert(child, ids));
        NestedField f;
        f.id = ids->Take();
        f.name = name;
        f.type = std::move(type);
        fields.push_back(std::move(f));
      }
      if (fields.empty()) return NotSupported("an empty STRUCT has no Iceberg equivalent");
      return Type::Struct(std::move(fields));
    }
    case DuckType::Kind::kList:
    case DuckType::Kind::kArray: {
      ATOLL_ASSIGN_OR_RETURN(TypePtr element, Convert(duck.children.at(0).second, ids));
      return Type::List(ids->Take(), false, std::move(element));
    }
    case DuckType::Kind::kMap: {
      ATOLL_ASSIGN_OR_RETURN(TypePtr key, Convert(duck.children.at(0).second, ids));
      ATOLL_ASSIGN_OR_RETURN(TypePtr value, Convert(duck.children.at(1).second, ids));
      int32_t key_id = ids->Take();
      return Type::Map(key_id, std::move(key), ids->Take(), false, std::move(value));
    }
    case DuckType::Kind::kUnion:
      return NotSupported("UNION columns have no Iceberg equivalent");
  }
  return Internal("unhandled DuckDB type kind");
}

// Whether values of `file` can be written into a column of type `table` as they are or by
// a widening cast; nested types must have the same shape.
bool FitsInto(const Type& file, const Type& table) {
  if (file.is_primitive() || table.is_primitive()) {
    if (file.is_primitive() != table.is_primitive()) return false;
    return file == table || iceberg::CanPromote(file, table, 2);
  }
  if (file.id() != table.id()) return false;
  const auto& ff = file.fields();
  const auto& tf = table.fields();
  if (ff.size() != tf.size()) return false;
  if (file.id() == TypeId::kStruct) {
    for (const NestedField& f : ff) {
      const NestedField* match = nullptr;
      for (const NestedField& t : tf) {
        if (t.name == f.name) match = &t;
      }
      if (match == nullptr || !FitsInto(*f.type, *match->type)) return false;
    }
    return true;
  }
  for (size_t i = 0; i < ff.size(); ++i) {
    if (!FitsInto(*ff[i].type, *tf[i].type)) return false;
  }
  return true;
}

}  // namespace

Result<TypePtr> IcebergTypeForDuckDb(std::string_view duckdb_type) {
  ATOLL_ASSIGN_OR_RETURN(DuckType parsed, ParseDuckType(duckdb_type));
  Ids ids;
  return Convert(parsed, &ids);
}

Result<iceberg::Schema> SchemaForColumns(const DuckColumns& columns) {
  Ids ids;
  std::vector<NestedField> fields;
  std::set<std::string> names;
  for (const auto& [name, type_text] : columns) {
    if (!names.insert(name).second) return InvalidArgument("column '", name, "' appears twice");
    ATOLL_ASSIGN_OR_RETURN(DuckType parsed, ParseDuckType(type_text));
    ATOLL_ASSIGN_OR_RETURN_CTX(TypePtr type, Convert(parsed, &ids), StrCat("column '", name, "'"));
    NestedField f;
    f.id = ids.Take();
    f.name = name;
    f.type = std::move(type);
    fields.push_back(std::move(f));
  }
  if (fields.empty()) return InvalidArgument("the file has no columns");
  return iceberg::Schema::Make(0, std::move(fields));
}

Result<SchemaMerge> PlanSchemaMerge(const iceberg::Schema& table, const iceberg::Schema& file) {
  SchemaMerge merge;
  for (const NestedField& f : file.fields()) {
    const NestedField* t = nullptr;
    for (const NestedField& candidate : table.fields()) {
      if (candidate.name == f.name) t = &candidate;
    }
    if (t == nullptr) {
      merge.add.emplace_back(f.name, f.type);
      continue;
    }
    if (FitsInto(*f.type, *t->type)) continue;
    if (t->type->is_primitive() && f.type->is_primitive() &&
        iceberg::CanPromote(*t->type, *f.type, 2)) {
      merge.widen.emplace_back(f.name, f.type);
      continue;
    }
    return InvalidArgument("column '", f.name, "' has type ", f.type->ToString(),
                           " in the file but ", t->type->ToString(),
                           " in the table, and neither widens to the other");
  }
  return merge;
}

Result<iceberg::Schema> ApplySchemaMerge(const iceberg::Schema& table, const SchemaMerge& merge) {
  if (merge.empty()) return table;
  iceberg::SchemaUpdate update(table, table.HighestFieldId());
  for (const auto& [name, type] : merge.add) update.AddColumn("", name, type);
  for (const auto& [name, type] : merge.widen) update.UpdateColumnType(name, type);
  ATOLL_ASSIGN_OR_RETURN(iceberg::SchemaUpdateResult result, update.Apply());
  return result.schema;
}

}  // namespace atl::lake
