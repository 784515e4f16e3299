// Table macros through DuckDB's C++ API: a TableFunction whose bind_replace asks the
// callback for SQL and returns it parsed as a subquery. See table_function.h.
// Errors thrown here are DuckDB exceptions (they become the query's error); nothing throws
// out of RegisterTableMacro.
#include "atoll/engine/table_function.h"

#include <duckdb.h>

#include <cctype>
#include <utility>

#include "atoll/engine/result_text.h"
#include "duckdb.hpp"
#include "duckdb/catalog/catalog.hpp"
#include "duckdb/function/table_function.hpp"
#include "duckdb/main/capi/capi_internal.hpp"
#include "duckdb/parser/parsed_data/create_table_function_info.hpp"
#include "duckdb/parser/parser.hpp"
#include "duckdb/parser/statement/select_statement.hpp"
#include "duckdb/parser/tableref/subqueryref.hpp"

namespace atl::engine {

std::optional<std::string> TableMacroArgs::Text(size_t position) const {
  if (position >= positional.size()) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&positional[position])) return *s;
  return std::nullopt;
}

std::optional<std::string> TableMacroArgs::NamedText(const std::string& name) const {
  auto it = named.find(name);
  if (it == named.end()) return std::nullopt;
  if (const auto* s = std::get_if<std::string>(&it->second)) return *s;
  return std::nullopt;
}

std::optional<int64_t> TableMacroArgs::NamedInt(const std::string& name) const {
  auto it = named.find(name);
  if (it == named.end()) return std::nullopt;
  if (const auto* v = std::get_if<int64_t>(&it->second)) return *v;
  return std::nullopt;
}

namespace internal {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct TableMacroInfo : public duckdb::TableFunctionInfo {
  TableMacroInfo(TableMacro m, _duckdb_database* db) : macro(std::move(m)), database(db) {}
  TableMacro macro;
  _duckdb_database* database;  // for side connections; outlives every query
};

// Runs `sql` on a fresh connection to `database` and materializes the last result.
Result<QueryResult> SideQuery(_duckdb_database* database, std::string_view sql) {
  duckdb_connection conn = nullptr;
  if (duckdb_connect(database, &conn) != DuckDBSuccess) {
    return Internal("DuckDB refused a side connection");
  }
  std::string text(sql);
  duckdb_result result;
  Status failed;
  QueryResult out;
  if (duckdb_query(conn, text.c_str(), &result) != DuckDBSuccess) {
    const char* error = duckdb_result_error(&result);
    std::string message = error ? error : "unknown DuckDB error";
    StatusCode code = CodeInErrorText(message).value_or(StatusCode::kInvalidArgument);
    failed = Status(code, std::move(message));
  } else {
    Result<std::vector<TypeNode>> types = DescribeColumns(&result, &out.columns);
    if (!types.ok()) {
      failed = types.status();
    } else {
      while (true) {
        duckdb_data_chunk chunk = duckdb_fetch_chunk(result);
        if (chunk == nullptr) break;
        AppendChunkRows(*types, chunk, &out.rows);
        duckdb_destroy_data_chunk(&chunk);
      }
    }
  }
  duckdb_destroy_result(&result);
  duckdb_disconnect(&conn);
  if (!failed.ok()) return failed;
  return out;
}

// The error of the query for a callback's Status: its text keeps the StatusCode name so the
// engine can map it back (engine.cc, CodeInErrorText).
[[noreturn]] void ThrowStatus(const std::string& name, const Status& status) {
  std::string text = name + ": " + status.ToString();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
      throw duckdb::InvalidInputException(text);
    case StatusCode::kNotSupported:
      throw duckdb::NotImplementedException(text);
    default:
      throw duckdb::IOException(text);
  }
}

MacroValue Convert(const std::string& name, const duckdb::Value& value, MacroArgType type) {
  using duckdb::LogicalTypeId;
  if (value.IsNull()) return std::monostate{};
  switch (type) {
    case MacroArgType::kVarchar:
      return value.ToString();
    case MacroArgType::kBigint:
      return value.GetValue<int64_t>();
    case MacroArgType::kTimestampMs:
      break;
  }
  switch (value.type().id()) {
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::UINTEGER:
    case LogicalTypeId::UBIGINT:
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::DECIMAL:
      return value.GetValue<int64_t>();
    case LogicalTypeId::DATE:
    case LogicalTypeId::TIMESTAMP:
    case LogicalTypeId::TIMESTAMP_TZ:
    case LogicalTypeId::TIMESTAMP_SEC:
    case LogicalTypeId::TIMESTAMP_MS:
    case LogicalTypeId::TIMESTAMP_NS:
    case LogicalTypeId::VARCHAR: {
      duckdb::Value ts = value.DefaultCastAs(duckdb::LogicalType::TIMESTAMP);
      return duckdb::Timestamp::GetEpochMs(ts.GetValue<duckdb::timestamp_t>());
    }
    default:
      throw duckdb::InvalidInputException(
          "%s: parameter %s expects a TIMESTAMP or milliseconds since the epoch, got %s", name,
          "'timestamp'", value.type().ToString());
  }
}

duckdb::LogicalType DuckType(MacroArgType type) {
  switch (type) {
    case MacroArgType::kVarchar:
      return duckdb::LogicalType::VARCHAR;
    case MacroArgType::kBigint:
      return duckdb::LogicalType::BIGINT;
    case MacroArgType::kTimestampMs:
      return duckdb::LogicalType::ANY;
  }
  return duckdb::LogicalType::ANY;
}

duckdb::unique_ptr<duckdb::TableRef> BindReplace(duckdb::ClientContext& context,
                                                 duckdb::TableFunctionBindInput& input) {
  auto& info = input.info->Cast<TableMacroInfo>();
  const TableMacro& macro = info.macro;
  TableMacroArgs args;
  for (size_t i = 0; i < input.inputs.size() && i < macro.positional.size(); ++i) {
    args.positional.push_back(Convert(macro.name, input.inputs[i], macro.positional[i]));
  }
  for (const auto& [given, value] : input.named_parameters) {
    std::string name = Lower(given);
    for (const MacroParam& p : macro.named) {
      if (p.name == name) args.named[name] = Convert(macro.name, value, p.type);
    }
  }
  _duckdb_database* database = info.database;
  args.query = [database](std::string_view sql) { return SideQuery(database, sql); };

  Result<std::string> sql = macro.callback(args);
  if (!sql.ok()) ThrowStatus(macro.name, sql.status());

  duckdb::Parser parser(context.GetParserOptions());
  parser.ParseQuery(*sql);
  if (parser.statements.size() != 1 ||
      parser.statements[0]->type != duckdb::StatementType::SELECT_STATEMENT) {
    throw duckdb::InvalidInputException("%s: the generated SQL is not one SELECT statement",
                                        macro.name);
  }
  auto select = duckdb::unique_ptr_cast<duckdb::SQLStatement, duckdb::SelectStatement>(
      std::move(parser.statements[0]));
  return duckdb::make_uniq<duckdb::SubqueryRef>(std::move(select));
}

// Never called: bind_replace always replaces the call.
void NoScan(duckdb::ClientContext&, duckdb::TableFunctionInput&, duckdb::DataChunk&) {
  throw duckdb::InternalException("table macro scanned without replacement");
}

}  // namespace

std::optional<StatusCode> CodeInErrorText(std::string_view message) {
  std::optional<StatusCode> best;
  size_t best_at = std::string_view::npos;
  for (int c = static_cast<int>(StatusCode::kInvalidArgument);
       c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto code = static_cast<StatusCode>(c);
    std::string needle = StrCat(": ", StatusCodeName(code), ": ");
    size_t at = message.find(needle);
    if (at < best_at) best_at = at, best = code;
  }
  return best;
}

Status RegisterTableMacro(_duckdb_database* database, TableMacro macro) {
  if (macro.name.empty() || !macro.callback) {
    return InvalidArgument("a table macro needs a name and a callback");
  }
  const std::string name = macro.name;
  try {
    auto* wrapper = reinterpret_cast<duckdb::DatabaseWrapper*>(database);
    duckdb::vector<duckdb::LogicalType> arguments;
    for (MacroArgType t : macro.positional) arguments.push_back(DuckType(t));
    duckdb::TableFunction function(name, arguments, NoScan);
    for (const MacroParam& p : macro.named) function.named_parameters[p.name] = DuckType(p.type);
    function.bind_replace = BindReplace;
    function.function_info = duckdb::make_shared_ptr<TableMacroInfo>(std::move(macro), database);

    duckdb::Connection conn(*wrapper->database);
    bool exists = false;
    conn.context->RunFunctionInTransaction([&]() {
      auto& catalog = duckdb::Catalog::GetSystemCatalog(*conn.context);
      duckdb::CreateTableFunctionInfo info(function);
      info.on_conflict = duckdb::OnCreateConflict::IGNORE_ON_CONFLICT;
      exists = catalog.CreateTableFunction(*conn.context, info) == nullptr;
    });
    if (exists) return AlreadyExists("a table function named ", name, " already exists");
    return Status::OK();
  } catch (const std::exception& e) {
    return Internal("registering table function ", name, " with DuckDB: ", e.what());
  }
}

}  // namespace internal
}  // namespace atl::engine
