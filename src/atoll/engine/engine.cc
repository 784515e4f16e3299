// The engine through DuckDB's C API. Store access lives in store_file_system.cc, the
// rendering of result values in result_text.cc.
#include "atoll/engine/engine.h"

#include <duckdb.h>

#include <utility>

#include "atoll/engine/engine_access.h"
#include "atoll/engine/result_text.h"
#include "atoll/engine/store_file_system.h"
#include "atoll/engine/table_function.h"

namespace atl::engine {
namespace {

// DuckDB error texts start with "<Kind> Error: " (ExceptionTypeToString). The code is
// taken from that prefix, which works alike for prepare and execute errors.
StatusCode CodeForDuckDbError(std::string_view message) {
  struct Prefix {
    std::string_view text;
    StatusCode code;
  };
  static constexpr Prefix kPrefixes[] = {
      {"IO Error", StatusCode::kIOError},
      {"HTTP Error", StatusCode::kIOError},
      {"Network Error", StatusCode::kIOError},
      {"Not implemented Error", StatusCode::kNotSupported},
      {"Missing Extension Error", StatusCode::kNotSupported},
      {"Extension Autoloading Error", StatusCode::kNotSupported},
      {"TransactionContext Error", StatusCode::kCommitConflict},
      {"INTERRUPT Error", StatusCode::kCancelled},
      {"INTERNAL Error", StatusCode::kInternal},
      {"FATAL Error", StatusCode::kInternal},
      {"Out of Memory Error", StatusCode::kUnavailable},
      {"Permission Error", StatusCode::kPermissionDenied},
  };
  for (const auto& p : kPrefixes) {
    if (message.substr(0, p.text.size()) == p.text) {
      if (p.code != StatusCode::kIOError) return p.code;
      // Missing files and the codes the store reported (store_file_system.cc).
      if (message.find("No files found") != std::string_view::npos ||
          message.find("No such file") != std::string_view::npos ||
          message.find(": NotFound: ") != std::string_view::npos) {
        return StatusCode::kNotFound;
      }
      // The code a store or a table macro reported ("...: Unavailable: ...").
      return internal::CodeInErrorText(message).value_or(StatusCode::kIOError);
    }
  }
  // Parser, Binder, Catalog, Conversion, Constraint, Invalid Input, Out of Range, ...
  return StatusCode::kInvalidArgument;
}

Status DuckDbError(const char* message) {
  std::string text = message ? message : "unknown DuckDB error";
  StatusCode code = CodeForDuckDbError(text);
  return Status(code, std::move(text));
}

class Prepared {
 public:
  ~Prepared() { duckdb_destroy_prepare(&stmt); }
  duckdb_prepared_statement stmt = nullptr;
};

class Extracted {
 public:
  ~Extracted() { duckdb_destroy_extracted(&stmts); }
  duckdb_extracted_statements stmts = nullptr;
};

// One DuckDB result being read chunk by chunk; owns the duckdb_result.
class ResultStream final : public QueryStream {
 public:
  ResultStream() = default;
  ~ResultStream() override { duckdb_destroy_result(&result_); }

  // Takes over `result` (a successful execution).
  Status Init(duckdb_result result) {
    result_ = result;
    ATOLL_ASSIGN_OR_RETURN(types_, internal::DescribeColumns(&result_, &columns_));
    return Status::OK();
  }

  const std::vector<Column>& columns() const override { return columns_; }

  Result<std::vector<Row>> Next() override {
    std::vector<Row> rows;
    while (rows.empty()) {
      duckdb_data_chunk chunk = duckdb_fetch_chunk(result_);
      if (chunk == nullptr) {
        const char* error = duckdb_result_error(&result_);
        if (error != nullptr) return DuckDbError(error);
        break;
      }
      internal::AppendChunkRows(types_, chunk, &rows);
      duckdb_destroy_data_chunk(&chunk);
    }
    return rows;
  }

 private:
  duckdb_result result_{};
  std::vector<Column> columns_;
  std::vector<internal::TypeNode> types_;
};

}  // namespace

class Engine::Impl {
 public:
  ~Impl() {
    duckdb_disconnect(&conn);
    duckdb_close(&db);
  }

  // Runs every statement of `sql`; the last one's result is returned (streaming or not).
  Result<std::unique_ptr<ResultStream>> Run(std::string_view sql, bool streaming) {
    std::string text(sql);
    Extracted extracted;
    idx_t count = duckdb_extract_statements(conn, text.c_str(), &extracted.stmts);
    if (count == 0) {
      const char* error = duckdb_extract_statements_error(extracted.stmts);
      if (error != nullptr) return DuckDbError(error);
      return InvalidArgument("no SQL statement to run");
    }
    for (idx_t i = 0; i < count; ++i) {
      Prepared prepared;
      if (duckdb_prepare_extracted_statement(conn, extracted.stmts, i, &prepared.stmt) !=
          DuckDBSuccess) {
        return DuckDbError(duckdb_prepare_error(prepared.stmt));
      }
      bool last = i + 1 == count;
      duckdb_result result;
      duckdb_state state = last && streaming
                               ? duckdb_execute_prepared_streaming(prepared.stmt, &result)
                               : duckdb_execute_prepared(prepared.stmt, &result);
      if (state != DuckDBSuccess) {
        Status error = DuckDbError(duckdb_result_error(&result));
        duckdb_destroy_result(&result);
        return error;
      }
      if (!last) {
        duckdb_destroy_result(&result);
        continue;
      }
      auto stream = std::make_unique<ResultStream>();
      ATOLL_RETURN_NOT_OK(stream->Init(result));
      return stream;
    }
    return Internal("unreachable: statement loop ended without a result");
  }

  duckdb_database db = nullptr;
  duckdb_connection conn = nullptr;
  std::string upload_buffer_directory;
};

Engine::Engine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Engine::~Engine() = default;

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options) {
  std::vector<std::pair<std::string, std::string>> settings = {
      {"autoinstall_known_extensions", "false"},
      {"autoload_known_extensions", "false"},
  };
  if (options.threads > 0) settings.emplace_back("threads", std::to_string(options.threads));
  if (!options.memory_limit.empty()) settings.emplace_back("memory_limit", options.memory_limit);
  if (!options.temp_directory.empty()) {
    settings.emplace_back("temp_directory", options.temp_directory);
  }
  settings.insert(settings.end(), options.settings.begin(), options.settings.end());

  duckdb_config config = nullptr;
  if (duckdb_create_config(&config) != DuckDBSuccess) {
    duckdb_destroy_config(&config);
    return Internal("DuckDB could not create a configuration");
  }
  for (const auto& [name, value] : settings) {
    if (duckdb_set_config(config, name.c_str(), value.c_str()) != DuckDBSuccess) {
      duckdb_destroy_config(&config);
      return InvalidArgument("DuckDB setting ", name, " = '", value, "' is not accepted");
    }
  }
  auto impl = std::make_unique<Impl>();
  impl->upload_buffer_directory = options.upload_buffer_directory;
  char* error = nullptr;
  duckdb_state state = duckdb_open_ext(nullptr, &impl->db, config, &error);
  duckdb_destroy_config(&config);
  if (state != DuckDBSuccess) {
    Status st = InvalidArgument("opening DuckDB: ", error ? error : "unknown error");
    duckdb_free(error);
    return st;
  }
  if (duckdb_connect(impl->db, &impl->conn) != DuckDBSuccess) {
    return Internal("DuckDB refused a connection to its own in-memory database");
  }
  return std::unique_ptr<Engine>(new Engine(std::move(impl)));
}

Result<QueryResult> Engine::Query(std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->Run(sql, /*streaming=*/false));
  QueryResult result;
  result.columns = stream->columns();
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream->Next());
    if (rows.empty()) break;
    if (result.rows.empty()) {
      result.rows = std::move(rows);
    } else {
      result.rows.insert(result.rows.end(), std::make_move_iterator(rows.begin()),
                         std::make_move_iterator(rows.end()));
    }
  }
  return result;
}

Status Engine::Execute(std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->Run(sql, /*streaming=*/false));
  return Status::OK();
}

Result<std::unique_ptr<QueryStream>> Engine::Stream(std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->Run(sql, /*streaming=*/true));
  return std::unique_ptr<QueryStream>(std::move(stream));
}

Status Engine::RegisterStores(std::string scheme, StoreResolver resolver) {
  internal::StoreFileSystemOptions options;
  options.scheme = std::move(scheme);
  options.resolver = std::move(resolver);
  options.upload_buffer_directory = impl_->upload_buffer_directory;
  return internal::RegisterStoreFileSystem(impl_->db, std::move(options));
}

namespace internal {
duckdb_connection EngineAccess::Connection(Engine& engine) { return engine.impl_->conn; }
duckdb_database EngineAccess::Database(Engine& engine) { return engine.impl_->db; }
Status StatusFromDuckDbError(const char* message) { return DuckDbError(message); }
}  // namespace internal

Status Engine::RegisterTableMacro(TableMacro macro) {
  return internal::RegisterTableMacro(impl_->db, std::move(macro));
}

std::string QuoteIdentifier(std::string_view name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '\0') continue;
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

std::string QuoteString(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\0') continue;
    if (c == '\'') out.push_back('\'');
    out.push_back(c);
  }
  out.push_back('\'');
  return out;
}

}  // namespace atl::engine
