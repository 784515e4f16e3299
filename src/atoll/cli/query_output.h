// Shared by `atoll query` and `atoll stats`: opening an engine over a lake and printing
// SQL results.
//
//   OpenQueryEngine(lake, sql)  an engine where iceberg_scan() resolves relative locations
//                               under LAKE, s3:// is readable for S3 lakes, and (when LAKE
//                               is an atoll lake) the tables `sql` names are views
//                               <zone>.<db>.<table> (only those: a broken table fails only
//                               the queries naming it, with an error naming it)
//   PrintQuery(engine, sql, f)  runs `sql` and prints its rows in format f:
//     table  aligned columns, numbers to the right, NULL shown as NULL, then a row count;
//            column widths come from the first 1000 rows and the rest is streamed (a
//            later, wider cell shifts its line), so memory does not grow with the rows
//     csv    a header row, then RFC 4180 rows (NULL is an empty field)
//     json   one JSON array of objects, one object per line; numbers and booleans bare,
//            nested values as JSON, other values as strings
//
// Errors: the engine's (Status); kInvalidArgument for an unknown format or a bad LAKE.
// Thread safety: one thread (the engine's rule).
#pragma once

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

// `sql`: the SQL the engine is opened for (see above).
Result<std::unique_ptr<engine::Engine>> OpenQueryEngine(const std::string& lake,
                                                        std::string_view sql);

Status PrintQuery(engine::Engine& engine, std::string_view sql, OutputFormat format,
                  std::ostream& out);

}  // namespace atl::cli
