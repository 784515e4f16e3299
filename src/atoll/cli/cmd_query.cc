// atoll query: runs SQL over a lake (a local directory or s3:// location) with DuckDB,
// iceberg_scan() resolving relative table locations under the lake; --save keeps the
// request, status and result under the lake's queries/ zone (lake/saved_queries.h) and
// --show prints a saved result.
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>

#include "atoll/cli/command.h"
#include "atoll/cli/log_echo.h"
#include "atoll/cli/query_output.h"
#include "atoll/cli/shell.h"
#include "atoll/common/scratch_dir.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/saved_queries.h"
#include "atoll/sql/lake_sql.h"
#include "atoll/sql/sql_text.h"

namespace atl::cli {

namespace {

std::string ReadLocalFileSql(const std::string& path) {
  const bool csv = path.size() > 4 && path.substr(path.size() - 4) == ".csv";
  return StrCat("SELECT * FROM ", csv ? "read_csv(" : "read_parquet(", engine::QuoteString(path),
                csv ? ", header = true)" : ")");
}

Status ShowSaved(const std::string& uri, const std::string& id, OutputFormat format, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  ATOLL_ASSIGN_OR_RETURN(lake::SavedQueryStatus status, lake::ReadSavedQueryStatus(*lake, id));
  if (status.state != "succeeded") {
    io.out << "query " << status.id << ": " << status.state;
    if (status.finished_ms) io.out << " after " << status.duration_ms << " ms";
    io.out << "\n";
    if (!status.error.empty()) io.out << "error: " << status.error << "\n";
    if (status.state == "failed")
      return InvalidArgument("saved query ", id, " failed: ", status.error);
    return Status::OK();
  }
  ATOLL_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Create("query"));
  ATOLL_ASSIGN_OR_RETURN(std::string local, lake::FetchSavedResult(*lake, status, dir.path()));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  return PrintQuery(*engine, ReadLocalFileSql(local), format, io.out);
}

Status RunSaved(const std::string& uri, const std::string& sql, const std::string& result_format,
                OutputFormat format, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, lake::OpenQueryEngine(uri, sql));
  // A saved query has one result: several statements are refused before anything runs.
  ATOLL_ASSIGN_OR_RETURN(size_t statements, engine->CountStatements(sql));
  if (statements != 1) {
    return InvalidArgument("--save takes one SQL statement; the SQL holds ", statements,
                           " (run them without --save, or save each one on its own)");
  }
  ATOLL_ASSIGN_OR_RETURN(ScratchDir dir, ScratchDir::Create("query"));
  ATOLL_ASSIGN_OR_RETURN(lake::SavedQueryRun run,
                         lake::RunSavedQuery(*lake, *engine, sql, result_format, dir.path()));
  io.err << "atoll: saved query " << run.status.id << " (" << run.status.state << ", "
         << run.status.rows << (run.status.rows == 1 ? " row, " : " rows, ")
         << run.status.duration_ms << " ms) under " << lake::SavedQueryPrefix(*lake, run.status.id)
         << "\n";
  if (run.status.state != "succeeded") return InvalidArgument(run.status.error);
  return PrintQuery(*engine, ReadLocalFileSql(run.local_parquet), format, io.out);
}

// SQL, an id (--show) or --file: exactly one of them.
Status CheckQueryArgs(const ParsedArgs& args) {
  const bool second = args.positional().size() == 2;
  if (args.Has("show")) {
    if (!second) return InvalidArgument("--show needs the id of a saved query");
    if (args.Value("file")) return InvalidArgument("--show and --file exclude each other");
    return Status::OK();
  }
  if (args.Value("file").has_value() && second) {
    return InvalidArgument("give the SQL either as the second argument or with --file");
  }
  return Status::OK();
}

// The SQL: the second argument, the file --file names, or else stdin.
Result<std::string> SqlText(const ParsedArgs& args) {
  std::optional<std::string> file = args.Value("file");
  if (!file && args.positional().size() == 2) return args.positional()[1];
  if (!file) {
    std::ostringstream text;
    text << std::cin.rdbuf();
    if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
      return InvalidArgument("no SQL given (as the second argument, with --file, or on stdin)");
    }
    return text.str();
  }
  std::ifstream in(*file, std::ios::binary);
  if (!in) return NotFound("cannot read SQL file '", *file, "'");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Each statement in turn: writes to lake tables by atoll, the rest by DuckDB.
Status RunStatements(const std::string& lake, const std::string& sql, OutputFormat format, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> statements, lake::SplitStatements(sql));
  if (statements.empty()) return InvalidArgument("the SQL holds no statement");
  ATOLL_ASSIGN_OR_RETURN(
      std::unique_ptr<lake::LakeSql> session,
      lake::LakeSql::Open(
          lake, sql, {.command = "atoll query", .echo = &io.err, .echo_level = EchoLevel(io)}));
  size_t current = 0;
  Status st = PrintStatements(
      session->engine(), statements.size(),
      [&](size_t i) {
        current = i;
        return session->Run(statements[i]);
      },
      format, io.out);
  st = session->ExplainError(statements[current], st);
  lake::RecordRunReport recorded = session->Finish();
  for (const lake::RecordRunWarning& w : recorded.warnings) {
    io.err << "atoll: warning: " << w.what << ": " << w.status.ToString() << "\n";
  }
  return st;
}

Status RunQuery(const ParsedArgs& args, Io& io) {
  const std::string& lake = args.positional()[0];
  ATOLL_ASSIGN_OR_RETURN(OutputFormat format,
                         ParseOutputFormat(args.Value("format").value_or("table")));
  if (args.Has("show")) {
    if (args.Has("save")) return InvalidArgument("--show and --save exclude each other");
    return ShowSaved(lake, args.positional()[1], format, io);
  }
  if (args.positional().size() == 1 && !args.Value("file") && isatty(STDIN_FILENO) == 1) {
    return RunShell(lake, io);
  }
  ATOLL_ASSIGN_OR_RETURN(std::string sql, SqlText(args));
  if (args.Has("save")) {
    return RunSaved(lake, sql, args.Value("result-format").value_or("parquet"), format, io);
  }
  if (args.Value("result-format")) return InvalidArgument("--result-format needs --save");
  return RunStatements(lake, sql, format, io);
}

}  // namespace

CommandSpec QueryCommand() {
  return {
      .name = "query",
      .summary = "Run SQL over a lake (iceberg_scan reads Iceberg tables)",
      .arguments = "LAKE [SQL|ID]",
      .description =
          "Runs SQL with the embedded DuckDB. LAKE is a local directory, file:///dir or\n"
          "s3://bucket[/prefix]; iceberg_scan('<table folder or metadata file>'\n"
          "[, snapshot_id => N] [, \"timestamp\" => TIMESTAMP or epoch ms] [, ref => 'branch'])\n"
          "reads an Iceberg table, relative locations resolving under LAKE. The tables of an\n"
          "atoll lake are also views named <zone>.<db>.<table>.\n"
          "Output (--format): table (default; aligned columns, numbers to the right, NULL shown\n"
          "as NULL, then a row count), csv (a header row, then RFC 4180 rows; NULL is an empty "
          "field) or json (one\n"
          "JSON array of objects, one object per line; numbers and booleans bare, nested\n"
          "values as JSON, other values as strings).\n"
          "SQL may hold several statements (separated by ';'): they run in order and each\n"
          "result is printed when its statement finishes, one after the other (table, csv:\n"
          "an empty line between them; json: one array holding each statement's array).\n"
          "Statements on lake tables <zone>.<db>.<table> (zones stg, tmp, prd) change them\n"
          "as Iceberg commits recorded in the trail: CREATE [OR REPLACE] TABLE [IF NOT\n"
          "EXISTS] ... [(cols)] [PARTITIONED BY (day(ts), bucket(16, id), ...)] [WITH\n"
          "(format_version = 2, 'write.delete.mode' = 'merge-on-read', ...)] [AS query],\n"
          "DROP TABLE [IF EXISTS] ... [PURGE], INSERT, DELETE, UPDATE and MERGE (DuckDB's\n"
          "grammar); each prints one row: statement, table, rows_inserted, rows_deleted,\n"
          "snapshot_id, mode (docs/sql.md). --file FILE reads the SQL from FILE.\n"
          "Without SQL or --file: on a terminal an interactive shell opens (line editing,\n"
          "history, .tables, \\d TABLE, .help; Ctrl-C interrupts a running statement);\n"
          "otherwise the SQL is read from stdin.\n"
          "--save keeps the query under queries/<id>/ of the lake: request.json, status.json\n"
          "(state succeeded or failed, times, duration, rows, error) and the result\n"
          "(result.parquet, or result.csv with --result-format csv); the id is printed on\n"
          "stderr. A failed query is saved with its error (exit status 1). --save takes one\n"
          "statement: SQL with several is refused (nothing runs, nothing is saved).\n"
          "With --show, the second argument is the id of a saved query: its result is printed\n"
          "(a failed query: its status and error, exit status 1).\n",
      .options = {OutputFormatOption(),
                  {"save", 0, OptionKind::kFlag, "",
                   "Save request, status and result under queries/"},
                  {"result-format",
                   0,
                   OptionKind::kString,
                   "FORMAT",
                   "Saved result format: parquet (default) or csv",
                   INT64_MIN,
                   INT64_MAX,
                   {"parquet", "csv"}},
                  {"show", 0, OptionKind::kFlag, "", "Print the saved query whose id is given"},
                  {"file", 0, OptionKind::kString, "FILE", "Read the SQL from FILE"}},
      .min_positional = 1,
      .max_positional = 2,
      .run = RunQuery,
      .check_args = CheckQueryArgs,
  };
}

}  // namespace atl::cli
