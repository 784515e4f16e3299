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

  // Parses `sql` into `out` (DuckDB's parser; nothing is bound or run) and returns the
  // number of statements. kInvalidArgument for a parse error or an empty text.
  Result<idx_t> Extract(std::string_view sql, Extracted* out) {
    const std::string text(sql);  // NUL-terminated for the C API
    idx_t count = duckdb_extract_statements(conn, text.c_str(), &out->stmts);
    if (count == 0) {
      const char* error = duckdb_extract_statements_error(out->stmts);
      if (error != nullptr) return DuckDbError(error);
      return InvalidArgument("no SQL statement to run");
    }
    return count;
  }

  // Prepares and runs statement `i` of `extracted`.
  Result<std::unique_ptr<ResultStream>> RunExtracted(Extracted& extracted, idx_t i,
                                                     bool streaming) {
    Prepared prepared;
    if (duckdb_prepare_extracted_statement(conn, extracted.stmts, i, &prepared.stmt) !=
        DuckDBSuccess) {
      return DuckDbError(duckdb_prepare_error(prepared.stmt));
    }
    duckdb_result result;
    duckdb_state state = streaming ? duckdb_execute_prepared_streaming(prepared.stmt, &result)
                                   : duckdb_execute_prepared(prepared.stmt, &result);
    if (state != DuckDBSuccess) {
      Status error = DuckDbError(duckdb_result_error(&result));
      duckdb_destroy_result(&result);
      return error;
    }
    auto stream = std::make_unique<ResultStream>();
    ATOLL_RETURN_NOT_OK(stream->Init(result));
    return stream;
  }

  // Runs `sql`, which must be exactly one statement.
  Result<std::unique_ptr<ResultStream>> RunOne(std::string_view sql, bool streaming) {
    Extracted extracted;
    ATOLL_ASSIGN_OR_RETURN(idx_t count, Extract(sql, &extracted));
    if (count != 1) {
      return InvalidArgument("the SQL text holds ", static_cast<uint64_t>(count),
                             " statements where one is expected");
    }
    return RunExtracted(extracted, 0, streaming);
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
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->RunOne(sql, /*streaming=*/false));
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
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->RunOne(sql, /*streaming=*/false));
  return Status::OK();
}

Result<std::unique_ptr<QueryStream>> Engine::Stream(std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->RunOne(sql, /*streaming=*/true));
  return std::unique_ptr<QueryStream>(std::move(stream));
}

Status Engine::ExecuteScript(std::string_view script) {
  Extracted extracted;
  ATOLL_ASSIGN_OR_RETURN(idx_t count, impl_->Extract(script, &extracted));
  for (idx_t i = 0; i < count; ++i) {
    ATOLL_RETURN_NOT_OK(impl_->RunExtracted(extracted, i, /*streaming=*/false).status());
  }
  return Status::OK();
}

Result<size_t> Engine::CountStatements(std::string_view sql) {
  Extracted extracted;
  ATOLL_ASSIGN_OR_RETURN(idx_t count, impl_->Extract(sql, &extracted));
  return static_cast<size_t>(count);
}

Status Engine::ForEachStatement(
    std::string_view sql, const std::function<Status(size_t index, QueryStream& rows)>& each) {
  Extracted extracted;
  ATOLL_ASSIGN_OR_RETURN(idx_t count, impl_->Extract(sql, &extracted));
  for (idx_t i = 0; i < count; ++i) {
    // Statement i is prepared only after statement i-1 ran (it may use what i-1 created).
    ATOLL_ASSIGN_OR_RETURN(auto stream, impl_->RunExtracted(extracted, i, /*streaming=*/true));
    ATOLL_RETURN_NOT_OK(each(static_cast<size_t>(i), *stream));
  }
  return Status::OK();
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

namespace {

// `text` between `quote`s, each `quote` inside doubled and NUL bytes dropped.
std::string Quote(std::string_view text, char quote) {
  std::string out(1, quote);
  for (char c : text) {
    if (c == '\0') continue;
    if (c == quote) out.push_back(quote);
    out.push_back(c);
  }
  out.push_back(quote);
  return out;
}

}  // namespace

std::string QuoteIdentifier(std::string_view name) { return Quote(name, '"'); }

std::string QuoteString(std::string_view text) { return Quote(text, '\''); }

namespace {

// A recursive-descent check of the type grammar IsTypeName documents.
class TypeNameParser {
 public:
  explicit TypeNameParser(std::string_view text) : text_(text) {}

  bool Parse() { return Type(0) && (Skip(), pos_ == text_.size()); }

 private:
  static constexpr int kMaxDepth = 32;

  void Skip() {
    while (pos_ < text_.size() && text_[pos_] == ' ') ++pos_;
  }
  bool Take(char c) {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  static bool WordChar(char c, bool first) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
           (!first && c >= '0' && c <= '9');
  }
  std::string_view Word() {
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && WordChar(text_[pos_], pos_ == start)) ++pos_;
    return text_.substr(start, pos_ - start);
  }
  bool Digits() {
    Skip();
    size_t start = pos_;
    while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
    return pos_ > start && pos_ - start <= 9;
  }
  static bool Is(std::string_view word, std::string_view upper) {
    if (word.size() != upper.size()) return false;
    for (size_t i = 0; i < word.size(); ++i) {
      char c = word[i];
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      if (c != upper[i]) return false;
    }
    return true;
  }
  // Continues a name with the words of one of the multi-word type names, if they follow.
  void MultiWord(std::string_view first) {
    static constexpr std::string_view kTails[][3] = {{"TIMESTAMP", "WITH", "TIME ZONE"},
                                                     {"TIME", "WITH", "TIME ZONE"},
                                                     {"DOUBLE", "PRECISION", ""}};
    for (const auto& tail : kTails) {
      if (!Is(first, tail[0])) continue;
      const size_t saved = pos_;
      bool all = true;
      for (std::string_view part : {tail[1], tail[2]}) {
        while (all && !part.empty()) {
          size_t space = part.find(' ');
          all = Is(Word(), part.substr(0, space));
          part = space == std::string_view::npos ? std::string_view() : part.substr(space + 1);
        }
      }
      if (all) return;
      pos_ = saved;
    }
  }
  // A STRUCT/UNION field name: a word or a "quoted" identifier ("" for a quote).
  bool FieldName() {
    Skip();
    if (pos_ < text_.size() && text_[pos_] == '"') {
      for (++pos_; pos_ < text_.size(); ++pos_) {
        if (text_[pos_] != '"') continue;
        if (pos_ + 1 < text_.size() && text_[pos_ + 1] == '"') {
          ++pos_;
          continue;
        }
        ++pos_;
        return true;
      }
      return false;
    }
    return !Word().empty();
  }
  bool Type(int depth) {
    if (depth > kMaxDepth) return false;
    std::string_view name = Word();
    if (name.empty()) return false;
    if (Is(name, "STRUCT") || Is(name, "UNION")) {
      if (!Take('(')) return false;
      do {
        if (!FieldName() || !Type(depth + 1)) return false;
      } while (Take(','));
      if (!Take(')')) return false;
    } else if (Is(name, "MAP")) {
      if (!Take('(') || !Type(depth + 1) || !Take(',') || !Type(depth + 1) || !Take(')'))
        return false;
    } else {
      MultiWord(name);
      if (Take('(')) {
        do {
          if (!Digits()) return false;
        } while (Take(','));
        if (!Take(')')) return false;
      }
    }
    while (Take('[')) {
      Skip();
      if (pos_ < text_.size() && text_[pos_] != ']' && !Digits()) return false;
      if (!Take(']')) return false;
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

bool IsTypeName(std::string_view text) { return TypeNameParser(text).Parse(); }

}  // namespace atl::engine
