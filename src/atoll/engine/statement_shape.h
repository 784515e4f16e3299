// The shape of one SQL statement as DuckDB's own parser reads it: which kind it is, which
// table it changes and the SQL text of its parts, for code that runs a statement's write
// somewhere else (lake tables are Iceberg tables, not DuckDB tables).
//
//   ATOLL_ASSIGN_OR_RETURN(StatementShape shape, DescribeStatement("DELETE FROM a.b.c WHERE x >
//   1"));
//   // shape.kind == kDelete, shape.target == {"a", "b", "c"}, shape.condition_sql == "(x > 1)"
//
// Texts are DuckDB's own rendering of the parsed parts (ParsedExpression::ToString), which
// DuckDB parses back to the same expression; names are as written (case kept, unquoted).
//
// Errors: kInvalidArgument with DuckDB's parser message for text DuckDB cannot parse, and
// for text holding no statement or more than one.
// Thread safety: a pure function.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::engine {

enum class StatementKind { kSelect, kInsert, kDelete, kUpdate, kMerge, kOther };

struct StatementShape {
  StatementKind kind = StatementKind::kOther;
  // The table written by INSERT / DELETE / UPDATE / MERGE: [catalog, schema,] table as
  // written; empty for other kinds and for targets that are not a plain table name.
  std::vector<std::string> target;
  std::string target_alias;  // "t" in "UPDATE a.b.c AS t", else empty
  // DELETE / UPDATE: the WHERE condition ("" when none). MERGE: the ON condition ("" for
  // USING (cols)).
  std::string condition_sql;
  // UPDATE ... FROM, DELETE ... USING, MERGE's source: other tables take part in choosing
  // the changed rows.
  bool joins_other_tables = false;
  // MERGE: the source as SQL (a table name or a parenthesized query, with its alias), and
  // whether a WHEN NOT MATCHED BY SOURCE clause exists (rows outside the join change too).
  std::string merge_source_sql;
  bool merge_by_source = false;
  bool has_ctes = false;       // WITH ... before the statement
  bool has_returning = false;  // RETURNING ...
};

Result<StatementShape> DescribeStatement(std::string_view sql);

// The INSERT / DELETE / UPDATE / MERGE statement `sql` rendered again by DuckDB with its
// target table replaced by `target` ([catalog, schema,] table; its alias kept), every
// other part as parsed: the same statement writing into another table. kInvalidArgument
// for other statements, targets that are not a plain table name, and as DescribeStatement.
Result<std::string> RetargetStatement(std::string_view sql, const std::vector<std::string>& target);

}  // namespace atl::engine
