// Internal to the engine layer (includes duckdb.h): turns DuckDB result chunks into the
// text cells of engine.h. See ValueKind in engine.h for the text of each type.
#pragma once

#include <duckdb.h>

#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"

namespace atl::engine::internal {

// What is needed to render one (possibly nested) type, gathered once per column.
struct TypeNode {
  duckdb_type id = DUCKDB_TYPE_INVALID;
  std::string name;  // SQL type text
  ValueKind kind = ValueKind::kString;
  duckdb_type physical = DUCKDB_TYPE_INVALID;  // DECIMAL and ENUM storage type
  uint8_t scale = 0;                           // DECIMAL
  uint64_t array_size = 0;                     // ARRAY
  std::vector<std::string> enum_values;        // ENUM dictionary
  std::vector<std::string> child_names;        // STRUCT fields, UNION members
  // LIST/ARRAY: the element; STRUCT: fields; MAP: key, value; UNION: members.
  std::vector<TypeNode> children;
};

// The SQL name of a DuckDB type that has no parameters or children ("BIGINT",
// "TIMESTAMP WITH TIME ZONE"); nullptr for DECIMAL, ENUM, LIST, ARRAY, STRUCT, MAP, UNION
// and types atoll does not name. The one list of DuckDB's type names in the engine.
const char* SimpleTypeName(duckdb_type id);

// Describes `type` (not taken over). kNotSupported for types atoll cannot render
// (BIGNUM): the message suggests a CAST to VARCHAR.
Result<TypeNode> DescribeType(duckdb_logical_type type);

// The columns of `result` and their renderers.
Result<std::vector<TypeNode>> DescribeColumns(duckdb_result* result, std::vector<Column>* columns);

// Appends the rows of `chunk` to `rows`, one cell per column.
void AppendChunkRows(const std::vector<TypeNode>& types, duckdb_data_chunk chunk,
                     std::vector<Row>* rows);

}  // namespace atl::engine::internal
