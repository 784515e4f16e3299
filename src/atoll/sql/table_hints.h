// Errors that point the way when SQL names a table the lake does not have: DuckDB's own
// suggestion comes from its system catalog (`Did you mean "pg_catalog.pg_enum"?`), which
// helps nobody querying a lake. These helpers find the name the statement used and the
// lake's tables closest to it.
//
//   MissingName(message, statement)   the (possibly qualified) name a "does not exist"
//                                     error of DuckDB is about, as the statement wrote it
//   ClosestTables(name, tables, n)    up to n lake tables by edit distance
//   ExplainMissingTable(message, statement, tables)
//                                     DuckDB's message without its catalog suggestion,
//                                     plus ours; the message unchanged for other errors
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace atl::lake {

// Levenshtein distance of the ASCII-lower-cased texts.
size_t EditDistance(std::string_view a, std::string_view b);

// "" when `message` is no "Table/Catalog/Schema with name X does not exist" error of
// DuckDB; otherwise the dotted name around X in `statement` ("stg.shop.ordrs"), or X.
std::string MissingName(std::string_view message, std::string_view statement);

// The names of `tables` ("zone.db.table") closest to `name`, comparing as many trailing
// parts as `name` has (a bare "ordrs" is compared with table names), nearest first, at most
// `n`, only those within a distance of max(2, a third of the name's length).
std::vector<std::string> ClosestTables(std::string_view name,
                                       const std::vector<std::string>& tables, size_t n);

// `message` for the user: when it is a missing-table error, DuckDB's "Did you mean" line
// is replaced by "no table 'X' in this lake; closest: a, b" (or the lake's tables, or that
// it has none yet). Other messages are returned unchanged.
std::string ExplainMissingTable(std::string_view message, std::string_view statement,
                                const std::vector<std::string>& tables);

}  // namespace atl::lake
