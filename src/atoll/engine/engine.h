// Engine: the embedded DuckDB behind one small interface.
//
// The engine layer is the only code in atoll that includes DuckDB headers; this header
// does not, so layers above see only atoll types. An Engine owns one in-memory DuckDB
// database and one connection to it.
//
// Results come back as text cells with a kind per column, enough to render CSV or JSON
// (see ValueKind). DuckDB errors become a Status (see Engine::Query for the mapping); the
// message keeps DuckDB's own text, e.g. "Catalog Error: Table with name t does not exist!".
//
// Object stores: RegisterStores() makes "s3://bucket/key" (or another scheme) readable
// and writable from SQL (read_parquet, read_csv, globs, COPY ... TO) through
// atl::storage::Store objects (see store_file_system.h for how reads and writes map).
//
// Thread safety: an Engine is used by one thread at a time (one DuckDB connection; a
// query uses DuckDB's own worker threads internally). Use one Engine per thread. Every
// method may be called from any thread as long as calls do not overlap. A QueryStream
// borrows the engine: while one is open, make no other call on the same Engine, and
// destroy the stream before the Engine.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::engine {

namespace internal {
struct EngineAccess;  // engine-internal access to DuckDB handles (engine_access.h)
}  // namespace internal
struct TableMacro;  // table_function.h

struct EngineOptions {
  int threads = 0;             // DuckDB worker threads; 0 = DuckDB's default (all cores)
  std::string memory_limit;    // e.g. "2GB"; empty = DuckDB's default (80% of RAM)
  std::string temp_directory;  // where DuckDB spills; empty = DuckDB's default
  // Directory for the local files that buffer COPY ... TO 's3://...' until upload;
  // empty = $TMPDIR or /tmp.
  std::string upload_buffer_directory;
  // Further DuckDB settings by name ("preserve_insertion_order" -> "false"), applied at
  // open. Extension auto-install and auto-load are always off.
  std::vector<std::pair<std::string, std::string>> settings;
};

// How a column's text cells are to be written out.
enum class ValueKind {
  kBoolean,  // "true" / "false"
  kNumber,   // integers, DECIMAL, FLOAT, DOUBLE: a number literal ("-12", "3.50", "1e+20");
             // floats may also be "nan", "inf", "-inf"
  kString,   // VARCHAR, ENUM, UUID, BLOB (DuckDB's \xNN escaping), dates, times, timestamps
             // (ISO 8601 with a space, UTC for TIMESTAMPTZ: "2024-01-02 03:04:05.5+00"),
             // INTERVAL ("1 year 2 mons 3 days 04:05:06", as DuckDB writes it)
  kNested,   // LIST, ARRAY, STRUCT, MAP, UNION: the cell is JSON text
             // ([1,2], {"a":"x"}, a MAP as an object with its keys as strings)
};

struct Column {
  std::string name;
  std::string type;  // DuckDB's SQL type, e.g. "DECIMAL(18,3)", "STRUCT(a INTEGER)"
  ValueKind kind = ValueKind::kString;
};

using Cell = std::optional<std::string>;  // nullopt is SQL NULL
using Row = std::vector<Cell>;

struct QueryResult {
  std::vector<Column> columns;
  std::vector<Row> rows;
};

// Rows of one result, fetched a chunk (about 2,048 rows) at a time.
class QueryStream {
 public:
  virtual ~QueryStream() = default;
  virtual const std::vector<Column>& columns() const = 0;
  // The next rows; an empty vector once the result is exhausted. A DuckDB error while
  // producing them is returned as a Status (mapped as in Engine::Query).
  virtual Result<std::vector<Row>> Next() = 0;
};

// Maps a bucket name to the store holding it. Called once per bucket (the answer is
// cached by the engine); may be called from DuckDB's worker threads.
using StoreResolver =
    std::function<Result<std::shared_ptr<storage::Store>>(std::string_view bucket)>;

class Engine {
 public:
  // Opens an in-memory DuckDB with `options`. kInvalidArgument for a bad setting.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Runs `sql`, exactly one statement (a trailing ';' and comments are fine), and returns
  // its result, fully materialized. Text holding several statements is refused with
  // kInvalidArgument before anything runs: SQL that is not wholly atoll's own (a user's
  // query, text built from names or data) can never smuggle in a second statement. Scripts
  // atoll writes itself go through ExecuteScript; a user's script through ForEachStatement.
  // Errors:
  //   kInvalidArgument  parser, binder, catalog, conversion and other input errors; more
  //                     than one statement (or none)
  //   kNotFound         a file or object that does not exist ("No files found ...")
  //   kIOError          other IO failures (kUnavailable / kPermissionDenied when the
  //                     underlying store reported that)
  //   kNotSupported     DuckDB's "Not implemented" and missing extensions
  //   kCommitConflict   DuckDB transaction conflicts
  //   kCancelled        interrupted
  //   kUnavailable      DuckDB ran out of memory (may succeed later or with a higher limit)
  //   kInternal         DuckDB internal/fatal errors
  Result<QueryResult> Query(std::string_view sql);

  // Like Query (one statement), for statements whose result is not needed.
  Status Execute(std::string_view sql);

  // Like Query (one statement), but the rows are produced while they are read.
  Result<std::unique_ptr<QueryStream>> Stream(std::string_view sql);

  // Runs every statement of `script` in order, stopping at the first error (earlier
  // statements keep their effect). Only for text atoll writes whole, every name and value
  // in it quoted (QuoteIdentifier, QuoteString); never for text that is not ours.
  Status ExecuteScript(std::string_view script);

  // The number of statements in `sql`, split by DuckDB's own parser (nothing runs).
  // kInvalidArgument when it does not parse.
  Result<size_t> CountStatements(std::string_view sql);

  // Runs the statements of `sql` one at a time, in order. After each one has started,
  // `each` is called with its index and its rows (streamed; read them before returning:
  // the stream ends when `each` returns). Stops at the first error, of a statement or
  // returned by `each`; earlier statements keep their effect.
  Status ForEachStatement(std::string_view sql,
                          const std::function<Status(size_t index, QueryStream& rows)>& each);

  // Serves URIs "<scheme>bucket/key" (scheme like "s3://") from the stores `resolver`
  // returns: reads by ranged Get, globs by List, writes (COPY ... TO) by one Put when the
  // file is closed. kAlreadyExists when `scheme` is already registered on this engine.
  Status RegisterStores(std::string scheme, StoreResolver resolver);

  // Registers a SQL table function whose body is SQL produced by a C++ callback at bind
  // time (see table_function.h). kAlreadyExists when a function of that name exists.
  Status RegisterTableMacro(TableMacro macro);

  class Impl;

 private:
  friend struct internal::EngineAccess;
  explicit Engine(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// `name` as a SQL identifier: "my ""col""" (always quoted, so keywords are safe).
std::string QuoteIdentifier(std::string_view name);

// `text` as a SQL string literal: 'it''s'. NUL characters are not representable and
// are dropped.
std::string QuoteString(std::string_view text);

// True when `text` is a DuckDB type as DuckDB writes it ("BIGINT", "DECIMAL(18,3)",
// "TIMESTAMP WITH TIME ZONE", "STRUCT(a INTEGER, \"b c\" VARCHAR[])[]", "MAP(VARCHAR,
// INTEGER)"): a name, integer parameters, STRUCT/UNION fields and MAP types, array
// suffixes. Nothing else (no string literals, expressions or further clauses) passes, so a
// type that came from data or settings can be put into SQL as a type once it passes.
bool IsTypeName(std::string_view text);

}  // namespace atl::engine
