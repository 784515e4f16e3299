// Table macros: SQL table functions whose body is SQL text produced by a C++ callback when
// a query is bound.
//
//   SELECT * FROM iceberg_scan('t1', snapshot_id => 42)
//
// calls the registered callback with the call's arguments; the callback returns one SELECT
// statement (text), which DuckDB parses and binds in place of the call (a subquery, so an
// alias on the call applies to it). The callback runs on the thread executing the query,
// once per occurrence of the function in the query, before any row is read.
//
// Arguments: positional arguments are required and typed (see MacroArgType); named
// parameters (`name => value`) are optional. DuckDB casts constants to VARCHAR/BIGINT;
// kTimestampMs accepts TIMESTAMP, TIMESTAMPTZ, DATE, a timestamp string (UTC unless it
// carries an offset) or an integer (milliseconds since the epoch) and hands the callback
// milliseconds since the epoch. A NULL argument arrives as std::monostate.
//
// Errors: a callback error becomes the query's error "<name>: <Code>: <message>"; the
// engine maps it back to the callback's StatusCode (Engine::Query then returns that code).
// SQL text that does not parse as one SELECT is an error of the query (kInvalidArgument).
//
// Side queries: TableMacroArgs::query runs SQL on a separate connection to the same
// database (e.g. to read Parquet footers while planning); it must not refer to the macro's
// own temporary objects and must not call the macro recursively with the same arguments.
//
// Thread safety: the callback may be called from any thread that runs queries on the
// engine (one at a time per Engine); it must not call the Engine it is registered on.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"

struct _duckdb_database;  // the C API's opaque database handle (duckdb.h)

namespace atl::engine {

enum class MacroArgType {
  kVarchar,
  kBigint,
  kTimestampMs,  // see above: arrives as int64_t milliseconds since 1970-01-01 UTC
};

// NULL, a BIGINT / timestamp in ms, or VARCHAR text.
using MacroValue = std::variant<std::monostate, int64_t, std::string>;

struct MacroParam {
  std::string name;  // lower case; matched case-insensitively
  MacroArgType type = MacroArgType::kVarchar;
};

struct TableMacroArgs {
  std::vector<MacroValue> positional;       // one per declared positional argument
  std::map<std::string, MacroValue> named;  // the named parameters given (lower-case names)
  // Runs `sql` on a side connection (see the header comment); never null.
  std::function<Result<QueryResult>(std::string_view sql)> query;

  // Convenience accessors: nullopt when absent or NULL.
  std::optional<std::string> Text(size_t position) const;
  std::optional<std::string> NamedText(const std::string& name) const;
  std::optional<int64_t> NamedInt(const std::string& name) const;
};

using TableMacroCallback = std::function<Result<std::string>(const TableMacroArgs& args)>;

struct TableMacro {
  std::string name;                      // the SQL function name, e.g. "iceberg_scan"
  std::vector<MacroArgType> positional;  // required positional arguments
  std::vector<MacroParam> named;         // optional named parameters
  TableMacroCallback callback;
};

namespace internal {
// Registers `macro` on the database behind the C API handle. kAlreadyExists when a
// function of that name exists; kInvalidArgument for an empty name or callback.
Status RegisterTableMacro(_duckdb_database* database, TableMacro macro);
// The StatusCode named in a DuckDB error text produced by a table macro (or by store
// errors, which use the same "<Code>: " form after ": "), if any.
std::optional<StatusCode> CodeInErrorText(std::string_view message);
}  // namespace internal

}  // namespace atl::engine
