// Parquet field ids for converted files: DuckDB column types (as SQL text) are parsed
// into a tree, and ids 1..n are assigned depth-first in pre-order (a column, then its
// nested fields, list elements, map keys and values, then the next column), as the
// FIELD_IDS option of DuckDB's COPY ... (FORMAT parquet) expects them.
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::lake {

// One parsed DuckDB type: a leaf ("BIGINT", "DECIMAL(18,3)", "TIMESTAMP WITH TIME ZONE"),
// STRUCT(name type, ...), a LIST (T[]), a fixed ARRAY (T[n]), MAP(K, V) or UNION(...).
struct DuckType {
  enum class Kind { kLeaf, kStruct, kList, kArray, kMap, kUnion };
  Kind kind = Kind::kLeaf;
  std::string text;                                        // the leaf's type text
  std::vector<std::pair<std::string, DuckType>> children;  // struct/union members; list/array:
                                                           // one "element"; map: "key", "value"
};

// Parses DuckDB's rendering of a type. kInvalidArgument on malformed text.
Result<DuckType> ParseDuckType(std::string_view text);

// The value of FIELD_IDS for columns (name, DuckDB type text): "{'a': 1, 's': {
// '__duckdb_field_id': 2, 'x': 3}, 'l': {'__duckdb_field_id': 4, 'element': 5}}".
// `count` receives the number of ids assigned.
Result<std::string> FieldIdsOption(const std::vector<std::pair<std::string, std::string>>& columns,
                                   int* count);

}  // namespace atl::lake
