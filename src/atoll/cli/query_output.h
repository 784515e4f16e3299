// Shared by `atoll query` and `atoll stats`: printing SQL results (the engine comes from
// lake::OpenQueryEngine, lake/query_session.h).
//
//   PrintQuery(engine, sql, f)  runs `sql` and prints its rows in format f:
//     table  aligned columns, numbers to the right, NULL shown as NULL, then a row count;
//            column widths come from the first 1000 rows and the rest is streamed (a
//            later, wider cell shifts its line), so memory does not grow with the rows
//     csv    a header row, then RFC 4180 rows (NULL is an empty field)
//     json   one JSON array of objects, one object per line; numbers and booleans bare,
//            nested values as JSON, other values as strings
//   `sql` may hold several statements: they run in order and each one's result is printed
//   as it finishes, one after the other (table and csv: separated by an empty line; json:
//   one array holding each statement's array). The first failing statement stops the run.
//
// Errors: the engine's (Status); kInvalidArgument for an unknown format.
// Thread safety: one thread (the engine's rule).
#pragma once

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <string_view>

#include "atoll/cli/args.h"
#include "atoll/common/result.h"
#include "atoll/engine/engine.h"

namespace atl::cli {

enum class OutputFormat { kCsv, kJson, kTable };

// "table", "csv" or "json".
Result<OutputFormat> ParseOutputFormat(std::string_view text);

// The --format/-f option of the commands that print query results.
OptionSpec OutputFormatOption();

Status PrintQuery(engine::Engine& engine, std::string_view sql, OutputFormat format,
                  std::ostream& out);

// The rows of `stream` in the table format, at most `max_rows` of them (0: all); when
// there are more, they are left unread and a line says so instead of the row count (the
// interactive shell's pager-less cap).
Status PrintTableRows(engine::QueryStream& stream, uint64_t max_rows, std::ostream& out);

// Like PrintQuery for `count` statements given one at a time: `statement(i)` runs
// statement i as it must (e.g. a write done by atoll) and returns the SQL of one statement
// whose rows are its result, printed as PrintQuery prints statement i.
Status PrintStatements(engine::Engine& engine, size_t count,
                       const std::function<Result<std::string>(size_t index)>& statement,
                       OutputFormat format, std::ostream& out);

}  // namespace atl::cli
