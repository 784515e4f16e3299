#include "atoll/cli/shell.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
// clang-format off: libedit's readline.h needs stdio.h first
#include <editline/readline.h>
// clang-format on

#include <atomic>
#include <filesystem>
#include <memory>
#include <string_view>

#include "atoll/cli/log_echo.h"
#include "atoll/cli/query_output.h"
#include "atoll/engine/interrupt.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/sql/lake_sql.h"
#include "atoll/sql/sql_text.h"

namespace atl::cli {

namespace {

// What the SIGINT handler may touch: the engine's interrupter while a statement runs, and
// a flag telling the prompt loop that Ctrl-C (not end of input) ended a read.
std::atomic<const engine::Interrupter*> g_running{nullptr};
std::atomic<bool> g_interrupted{false};

extern "C" void OnShellInterrupt(int) {
  g_interrupted.store(true);
  if (const engine::Interrupter* running = g_running.load()) running->Interrupt();
}

// Installs the handler for the shell's lifetime, restoring the previous one after.
class SigintScope {
 public:
  SigintScope() {
    struct sigaction action {};
    action.sa_handler = OnShellInterrupt;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &previous_);
  }
  ~SigintScope() { sigaction(SIGINT, &previous_, nullptr); }

 private:
  struct sigaction previous_ {};
};

// $XDG_STATE_HOME/atoll/history, or ~/.local/state/atoll/history; "" without either.
std::string HistoryFile() {
  std::filesystem::path dir;
  if (const char* state = getenv("XDG_STATE_HOME"); state != nullptr && *state) {
    dir = state;
  } else if (const char* home = getenv("HOME"); home != nullptr && *home) {
    dir = std::filesystem::path(home) / ".local" / "state";
  } else {
    return "";
  }
  std::error_code ec;
  std::filesystem::create_directories(dir / "atoll", ec);
  return ec ? "" : (dir / "atoll" / "history").string();
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

constexpr std::string_view kHelp =
    "Statements end with ';'. Tables are <zone>.<db>.<table>.\n"
    "  .tables, \\dt           the lake's tables\n"
    "  \\d NAME, .schema NAME   the columns of a table\n"
    "  .help                  this text\n"
    "  .quit, \\q, Ctrl-D      leave\n"
    "Ctrl-C interrupts a running statement.\n";

class Shell {
 public:
  Shell(std::string lake, Io& io, ShellOptions options)
      : lake_(std::move(lake)), io_(io), options_(options) {}

  Status Run() {
    // "SHOW TABLES" as the session's script: a catalog listing puts every table in scope.
    ATOLL_ASSIGN_OR_RETURN(
        session_, lake::LakeSql::Open(
                      lake_, "SHOW TABLES",
                      {.command = "atoll query", .echo = &io_.err, .echo_level = EchoLevel(io_)}));
    const engine::Interrupter interrupter(session_->engine());
    interrupter_ = &interrupter;
    const std::string history = HistoryFile();
    using_history();
    stifle_history(1000);
    if (!history.empty()) read_history(history.c_str());
    io_.out << "atoll " << lake_ << " (.help for help, Ctrl-D to leave)\n";
    SigintScope sigint;
    std::string buffer;
    while (true) {
      io_.out.flush();
      io_.err.flush();
      g_interrupted.store(false);
      char* raw = readline(buffer.empty() ? "atoll> " : "   ...> ");
      if (raw == nullptr) {
        if (g_interrupted.exchange(false)) {  // Ctrl-C at the prompt: drop the line
          buffer.clear();
          io_.out << "\n";
          continue;
        }
        io_.out << "\n";
        break;
      }
      std::string line(raw);
      free(raw);
      if (g_interrupted.exchange(false)) buffer.clear();
      const std::string_view trimmed = Trim(line);
      if (buffer.empty() && trimmed.empty()) continue;
      if (buffer.empty() && (trimmed.starts_with('.') || trimmed.starts_with('\\'))) {
        add_history(std::string(trimmed).c_str());
        if (!Helper(trimmed)) break;
        continue;
      }
      buffer += buffer.empty() ? "" : "\n";
      buffer += line;
      if (!Trim(buffer).ends_with(';')) continue;
      add_history(buffer.c_str());
      RunText(buffer);
      buffer.clear();
    }
    if (!history.empty()) write_history(history.c_str());
    interrupter_ = nullptr;
    lake::RecordRunReport recorded = session_->Finish();
    for (const lake::RecordRunWarning& w : recorded.warnings) {
      io_.err << "atoll: warning: " << w.what << ": " << w.status.ToString() << "\n";
    }
    return Status::OK();
  }

 private:
  // Runs a dot or backslash helper; false to leave the shell.
  bool Helper(std::string_view command) {
    const size_t space = command.find_first_of(" \t");
    const std::string_view name = command.substr(0, space);
    const std::string_view rest =
        space == std::string_view::npos ? "" : Trim(command.substr(space + 1));
    if (name == ".quit" || name == ".exit" || name == "\\q") return false;
    if (name == ".help" || name == "\\?") {
      io_.out << kHelp;
    } else if (name == ".tables" || name == "\\dt" || (name == "\\d" && rest.empty())) {
      PrintError(ListTables());
    } else if ((name == "\\d" || name == ".schema") && !rest.empty()) {
      // sql-checked: the user's own text, run as the user's statement
      RunText(StrCat("DESCRIBE ", rest));
    } else {
      io_.err << "unknown command '" << name << "' (.help lists them)\n";
    }
    return true;
  }

  Status ListTables() {
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(lake_));
    ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
    ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
    for (const iceberg::TableIdentifier& id : ids) io_.out << id.ToString() << "\n";
    if (ids.empty())
      io_.out << "(no tables yet: copy files into prepare/<db>/<table>/, then atoll ingest)\n";
    return Status::OK();
  }

  // Runs the statements of `text` in order, printing each result; stops at an error.
  void RunText(std::string_view text) {
    Result<std::vector<std::string>> statements = lake::SplitStatements(text);
    if (!statements.ok()) {
      PrintError(statements.status());
      return;
    }
    for (const std::string& statement : *statements) {
      g_running.store(interrupter_);
      Status st = RunOne(statement);
      g_running.store(nullptr);
      if (!st.ok()) {
        PrintError(session_->ExplainError(statement, st));
        return;
      }
    }
  }

  Status RunOne(const std::string& statement) {
    ATOLL_ASSIGN_OR_RETURN(std::string sql, session_->Run(statement));
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryStream> rows,
                           session_->engine().Stream(sql));
    return PrintTableRows(*rows, options_.max_rows, io_.out);
  }

  void PrintError(const Status& st) {
    if (st.ok()) return;
    io_.out.flush();
    if (st.code() == StatusCode::kCancelled) {
      io_.err << "interrupted\n";
      return;
    }
    io_.err << "error: " << (st.message().empty() ? st.ToString() : st.message()) << "\n";
  }

  std::string lake_;
  Io& io_;
  ShellOptions options_;
  std::unique_ptr<lake::LakeSql> session_;
  const engine::Interrupter* interrupter_ = nullptr;
};

}  // namespace

Status RunShell(const std::string& lake, Io& io, const ShellOptions& options) {
  return Shell(lake, io, options).Run();
}

}  // namespace atl::cli
