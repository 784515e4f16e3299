// atoll ingest / watch / tables: files dropped into a lake become Iceberg tables
// (src/atoll/lake/ingest.h does the work; this file parses options and prints).
#include <signal.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "atoll/cli/command.h"
#include "atoll/cli/dir_watch.h"
#include "atoll/cli/io_progress.h"
#include "atoll/cli/log_echo.h"
#include "atoll/common/clock.h"
#include "atoll/common/progress.h"
#include "atoll/ingest/ingest.h"
#include "atoll/ingest/landing_check.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/event_log.h"
#include "atoll/records/record_run.h"

namespace atl::cli {

namespace {

using nlohmann::json;

json ReportJson(const lake::IngestReport& report, double seconds) {
  json tables = json::array();
  for (const lake::TableIngestReport& t : report.tables) {
    json rejected = json::array();
    auto add_rejects = [&rejected](const std::vector<lake::RejectedFile>& files) {
      for (const lake::RejectedFile& r : files) {
        rejected.push_back({{"source", r.source.key},
                            {"moved_to", r.rejected_key},
                            {"stage", r.stage},
                            {"reason", r.reason}});
      }
    };
    add_rejects(t.prepared.rejected);
    add_rejects(t.rejected);
    json skipped = json::array();
    for (const lake::UnusableFile& f : t.skipped) {
      skipped.push_back({{"source", f.key}, {"reason", f.reason}});
    }
    json entry = {{"table", t.table_name},
                  {"created", t.created},
                  {"files_prepared", t.prepared.prepared.size()},
                  {"files_loaded", t.files_loaded},
                  {"rows", t.rows},
                  {"source_bytes", t.source_bytes},
                  {"data_files", t.data_files},
                  {"snapshots", t.snapshot_ids},
                  {"recovered_files", t.recovered_files},
                  {"files_left", t.left.size() + t.prepared.left.size()},
                  {"rejected", rejected},
                  {"left_in_place", skipped},
                  {"busy", t.busy}};
    if (!t.error.empty()) entry["error"] = t.error;
    tables.push_back(std::move(entry));
  }
  return {{"tables", tables},
          {"files_loaded", report.files_loaded()},
          {"files_rejected", report.files_rejected()},
          {"files_left_in_place", report.files_skipped()},
          {"rows", report.rows()},
          {"source_bytes", report.source_bytes()},
          {"seconds", seconds}};
}

void PrintSummary(const lake::IngestReport& report, double seconds, std::ostream& out) {
  if (report.tables.empty()) {
    out << "nothing to ingest\n";
    return;
  }
  for (const lake::TableIngestReport& t : report.tables) {
    out << t.table_name << ": ";
    if (t.busy) {
      out << "skipped (another process is ingesting it)\n";
      continue;
    }
    out << t.files_loaded << (t.files_loaded == 1 ? " file, " : " files, ") << t.rows
        << (t.rows == 1 ? " row, " : " rows, ") << FormatBytes(t.source_bytes);
    if (t.created) out << " (table created)";
    size_t rejected = t.rejected.size() + t.prepared.rejected.size();
    if (rejected > 0) out << ", " << rejected << " rejected";
    if (!t.skipped.empty()) out << ", " << t.skipped.size() << " left in place";
    if (t.recovered_files > 0)
      out << ", " << t.recovered_files << " finished from an interrupted run";
    if (size_t left = t.left.size() + t.prepared.left.size(); left > 0)
      out << ", " << left << " left for the next run (being written or replaced)";
    out << "\n";
    for (const auto* list : {&t.prepared.rejected, &t.rejected}) {
      for (const lake::RejectedFile& r : *list) {
        // Names may hold control characters (a terminal would obey an ESC): escaped.
        out << "  rejected " << lake::PrintableName(r.source.key) << " -> "
            << lake::PrintableName(r.rejected_key) << ": " << lake::PrintableName(r.reason) << "\n";
      }
    }
    for (const lake::UnusableFile& f : t.skipped) {
      out << "  left in place " << f.key << ": " << f.reason << " (rename it)\n";
    }
    if (!t.error.empty()) out << "  error: " << lake::PrintableName(t.error) << "\n";
  }
  out << "total: " << report.files_loaded() << " files, " << report.rows() << " rows, "
      << FormatBytes(report.source_bytes()) << ", " << report.files_rejected() << " rejected in "
      << FormatDuration(seconds) << "\n";
}

lake::IngestOptions OptionsFromArgs(const ParsedArgs& args) {
  lake::IngestOptions options;
  if (auto list = args.Value("table")) {
    std::stringstream ss(*list);
    std::string t;
    while (std::getline(ss, t, ',')) {
      if (!t.empty()) options.tables.push_back(t);
    }
  }
  options.run_prepare = !args.Has("no-prepare");
  if (auto threads = args.Value("threads")) options.threads = std::stoi(*threads);
  return options;
}

// The run's events: one per table (ingested, busy or failed) and one per rejected file.
void LogReport(const lake::IngestReport& report, lake::EventLog& log) {
  for (const lake::TableIngestReport& t : report.tables) {
    if (t.busy) {
      log.Info(t.table_name, "skipped: another process is ingesting it");
      continue;
    }
    for (const auto* list : {&t.prepared.rejected, &t.rejected}) {
      for (const lake::RejectedFile& r : *list) {
        log.Warn(t.table_name, "rejected " + r.source.key,
                 {{"source", r.source.key},
                  {"moved_to", r.rejected_key},
                  {"stage", r.stage},
                  {"reason", r.reason},
                  {"size", static_cast<int64_t>(r.source.size)}});
      }
    }
    for (const lake::UnusableFile& f : t.skipped) {
      log.Warn(t.table_name, "left in place " + f.key, {{"source", f.key}, {"reason", f.reason}});
    }
    if (!t.error.empty()) log.Error(t.table_name, "ingestion stopped: " + t.error);
    if (t.files_loaded > 0 || t.created) {
      std::string snapshots;
      for (int64_t id : t.snapshot_ids)
        snapshots += (snapshots.empty() ? "" : ",") + std::to_string(id);
      log.Info(t.table_name, "ingested",
               {{"files", static_cast<int64_t>(t.files_loaded)},
                {"rows", t.rows},
                {"source_bytes", static_cast<int64_t>(t.source_bytes)},
                {"data_files", static_cast<int64_t>(t.data_files)},
                {"snapshots", snapshots},
                {"created", t.created}});
    }
  }
}

// One warning per file of prepare/ that no run will take (lake/landing_check.h), once per
// process (`atoll watch` would repeat them every poll otherwise).
void WarnIgnoredLandingFiles(const lake::Lake& lake, lake::EventLog& log) {
  static std::set<std::string> warned;
  Result<std::vector<lake::IgnoredLandingFile>> ignored = lake::FindIgnoredLandingFiles(lake);
  if (!ignored.ok()) return;  // the run itself reports store trouble
  for (const lake::IgnoredLandingFile& f : *ignored) {
    if (!warned.insert(f.key).second) continue;
    log.Warn("", "ignored " + f.key + ": " + f.reason, {{"source", f.key}, {"reason", f.reason}});
  }
}

// The stored size of the files waiting in prepare/ and load/ (0 when they cannot be listed:
// the bar then shows bytes without a total).
uint64_t BytesWaiting(lake::Lake& lake) {
  uint64_t total = 0;
  for (const std::string* zone : {&lake.settings().zones.prepare, &lake.settings().zones.load}) {
    Result<std::vector<lake::TableFolder>> folders = lake::ScanTableFolders(lake.store(), *zone);
    if (!folders.ok()) return 0;
    for (const lake::TableFolder& f : *folders) {
      for (const storage::ObjectInfo& o : f.files) total += o.size;
    }
  }
  return total;
}

// One ingest pass, its summary printed and its events logged. `*rejected` (when given)
// receives the number of files the pass moved to _rejected/.
Status RunIngestOnce(lake::Lake& lake, lake::IngestOptions options, bool as_json, Io& io,
                     lake::EventLog& log, bool final_flush, size_t* rejected = nullptr) {
  WarnIgnoredLandingFiles(lake, log);
  ProgressBar bar = ProgressBar::ForStderr("ingesting");
  IoProgress io_progress(bar, bar.enabled() ? BytesWaiting(lake) : 0);
  options.progress = [&io_progress](const lake::IngestProgress& p) {
    io_progress.SetObjects(p.files_done, p.files_total);
  };
  auto start = std::chrono::steady_clock::now();
  Result<lake::IngestReport> ran = lake::Ingest(lake, options);
  bar.Finish();
  if (!ran.ok()) {
    log.Error("", "ingest failed: " + ran.status().message());
    lake::RecordRun(lake, log,
                    {.command = options.command,
                     .flush_log = final_flush || log.FlushDue(SystemNowMs()),
                     .on_warning = PrintWarning(io)});
    return ran.status();
  }
  const lake::IngestReport& report = *ran;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (as_json) {
    io.out << ReportJson(report, seconds).dump() << "\n";
  } else {
    PrintSummary(report, seconds, io.out);
  }
  LogReport(report, log);
  if (!report.tables.empty()) {
    log.Info("", "ingest run finished",
             {{"tables", static_cast<int64_t>(report.tables.size())},
              {"files", static_cast<int64_t>(report.files_loaded())},
              {"rejected", static_cast<int64_t>(report.files_rejected())},
              {"rows", report.rows()},
              {"seconds", seconds}});
  }
  lake::RecordRun(lake, log,
                  {.command = options.command,
                   .flush_log = final_flush || log.FlushDue(SystemNowMs()),
                   .on_warning = PrintWarning(io)});
  if (rejected != nullptr) *rejected = report.files_rejected();
  // Every table ran; those that stopped on an error make the run fail, naming them all.
  std::string failed;
  size_t failures = 0;
  for (const lake::TableIngestReport& t : report.tables) {
    if (t.error.empty()) continue;
    failed += StrCat(failures++ ? "; " : "", t.table_name, ": ", t.error);
  }
  if (failures == 1) return IOError("ingesting ", failed);
  if (failures > 1) return IOError(failures, " tables stopped on errors: ", failed);
  return Status::OK();
}

Status RunIngest(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[0]));
  lake::EventLog log({.command = "atoll ingest", .echo = &io.err, .echo_level = EchoLevel(io)});
  size_t rejected = 0;
  ATOLL_RETURN_NOT_OK(
      RunIngestOnce(*lake, OptionsFromArgs(args), args.Has("json"), io, log, true, &rejected));
  if (rejected > 0) {
    // Finished, but not everything loaded: a distinct exit status (3), so that scripts
    // notice files waiting for a person in _rejected/ and can tell them from a failure.
    io.err << "atoll: " << rejected << (rejected == 1 ? " file" : " files")
           << " rejected (moved to _rejected/ with the reason beside; exit status 3)\n";
    io.exit_code = kExitRejected;
  }
  return Status::OK();
}

std::atomic<bool> g_stop{false};
extern "C" void OnStopSignal(int) { g_stop.store(true); }

Status RunWatch(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[0]));
  const int interval_s = args.Value("interval") ? std::stoi(*args.Value("interval")) : 10;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  g_stop.store(false);
  // A local lake is watched with inotify (a file is taken within a second of its
  // arrival); polling every --interval seconds stays as the fallback, and is all on S3.
  std::unique_ptr<DirectoryWatch> files;
  if (lake->root_uri().starts_with("/")) {
    std::vector<std::string> zones;
    for (const std::string* zone :
         {&lake->settings().zones.prepare, &lake->settings().zones.load}) {
      ATOLL_RETURN_NOT_OK(lake::KeepFolder(lake->store(), *zone));
      zones.push_back(StrCat(lake->root_uri(), "/", *zone));
    }
    Result<std::unique_ptr<DirectoryWatch>> opened = DirectoryWatch::Open(zones);
    if (opened.ok()) {
      files = std::move(opened).value();
    } else {
      io.err << "atoll: warning: " << opened.status().message() << " (polling only)\n";
    }
  }
  io.err << "atoll: watching " << lake->root_uri() << (files ? " (file events, and" : " (")
         << " every " << interval_s << " s; stop with Ctrl-C)\n";
  lake::IngestOptions watch_options = OptionsFromArgs(args);
  watch_options.command = "atoll watch";
  lake::EventLog log({.command = "atoll watch",
                      .echo = &io.err,
                      .echo_level = EchoLevel(io),
                      .flush_every_events = static_cast<size_t>(args.Int("log-every-events", 1000)),
                      .flush_every_ms = args.Int("log-every-seconds", 60) * 1000});
  while (!g_stop.load()) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> waiting, lake::TablesWithFilesWaiting(*lake));
    if (!waiting.empty()) {
      Status st = RunIngestOnce(*lake, watch_options, args.Has("json"), io, log, false);
      io.out.flush();
      if (!st.ok()) io.err << "atoll: error: " << st.message() << " (will retry)\n";
    } else if (log.FlushDue(SystemNowMs())) {
      lake::RecordRun(*lake, log, {.command = "atoll watch", .on_warning = PrintWarning(io)});
    }
    if (files) {
      files->Wait(interval_s * 1000, g_stop);
      continue;
    }
    for (int i = 0; i < interval_s * 10 && !g_stop.load(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  if (log.pending() > 0)
    lake::RecordRun(*lake, log, {.command = "atoll watch", .on_warning = PrintWarning(io)});
  io.err << "atoll: stopped watching\n";
  return Status::OK();
}

Status RunTables(const ParsedArgs& args, Io& io) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(args.positional()[0]));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
  json out = json::array();
  for (const iceberg::TableIdentifier& id : ids) {
    Result<iceberg::Table> loaded = lake::LoadLakeTable(tables, id);
    if (!loaded.ok()) {  // one unreadable table does not hide the others
      io.err << "atoll: warning: table " << id.ToString()
             << " cannot be read: " << loaded.status().message() << "\n";
      out.push_back({{"table", id.ToString()}, {"error", loaded.status().message()}});
      continue;
    }
    const iceberg::Table& t = *loaded;
    const iceberg::Snapshot* current = t.metadata().CurrentSnapshot();
    auto summary = [current](const char* key) -> int64_t {
      if (current == nullptr) return 0;
      auto it = current->summary.find(key);
      return it == current->summary.end() ? 0 : std::atoll(it->second.c_str());
    };
    out.push_back({{"table", id.ToString()},
                   {"location", t.location()},
                   {"snapshots", t.metadata().snapshots.size()},
                   {"records", summary("total-records")},
                   {"data_files", summary("total-data-files")},
                   {"bytes", summary("total-files-size")},
                   {"last_updated_ms", t.metadata().last_updated_ms}});
  }
  if (args.Has("json")) {
    io.out << out.dump() << "\n";
    return Status::OK();
  }
  if (out.empty()) {
    io.out << "no tables\n";
    return Status::OK();
  }
  for (const json& t : out) {
    if (t.contains("error")) {
      io.out << t["table"].get<std::string>() << "  unreadable\n";
      continue;
    }
    io.out << t["table"].get<std::string>() << "  " << t["records"].get<int64_t>() << " rows  "
           << t["data_files"].get<int64_t>() << " files  " << FormatBytes(t["bytes"].get<int64_t>())
           << "  " << t["snapshots"].get<size_t>() << " snapshots\n";
  }
  return Status::OK();
}

}  // namespace

CommandSpec IngestCommand() {
  return {
      .name = "ingest",
      .summary = "Load the files waiting in prepare/ and load/ into Iceberg tables (one pass)",
      .arguments = "LAKE",
      .description =
          "Converts the files under prepare/<db>/<table>/ (CSV, TSV, JSON, NDJSON, Avro, Parquet,\n"
          "gzip/zstd text) to Parquet in load/, then loads load/<db>/<table>/*.parquet into the\n"
          "Iceberg table stg.<db>.<table> (created from the first file; new columns and widened\n"
          "types merge in), one commit per table. Sources are deleted once their commit is\n"
          "durable; files that cannot be loaded move to _rejected/ with a .error.json reason.\n"
          "Safe to interrupt and re-run, and to run from several processes at once.\n"
          "Exit status 1 when a table's run stopped on an error; 3 when the run finished but\n"
          "moved files to _rejected/ (the summary says how many); 0 when everything loaded.\n",
      .options = {{"table", 't', OptionKind::kString, "DB.TABLE[,...]", "Only these tables"},
                  {"no-prepare", 0, OptionKind::kFlag, "", "Skip prepare/ (load/ only)"},
                  {"threads", 0, OptionKind::kInt, "N", "DuckDB worker threads (default 2)", 1,
                   256},
                  {"json", 0, OptionKind::kFlag, "", "Print the summary as one JSON document"}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunIngest,
  };
}

CommandSpec WatchCommand() {
  return {
      .name = "watch",
      .summary = "Keep ingesting files as they arrive, until stopped",
      .arguments = "LAKE",
      .description =
          "Runs an ingest pass when files wait in prepare/ or load/: on a local lake as soon as\n"
          "a file is written or moved in (inotify) and every --interval seconds, on S3 every\n"
          "--interval seconds. SIGINT or SIGTERM stop it after the current pass (exit 0).\n",
      .options = {{"interval", 'i', OptionKind::kInt, "SECONDS",
                   "Seconds between polls (default 10)", 1, 86400},
                  {"table", 't', OptionKind::kString, "DB.TABLE[,...]", "Only these tables"},
                  {"no-prepare", 0, OptionKind::kFlag, "", "Skip prepare/ (load/ only)"},
                  {"threads", 0, OptionKind::kInt, "N", "DuckDB worker threads (default 2)", 1,
                   256},
                  {"log-every-events", 0, OptionKind::kInt, "N",
                   "Commit the log when N events wait (default 1000)", 1, 1000000},
                  {"log-every-seconds", 0, OptionKind::kInt, "S",
                   "Commit the log when its oldest event is S seconds old (default 60)", 1, 86400},
                  {"json", 0, OptionKind::kFlag, "",
                   "Print each pass's summary as one JSON document"}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunWatch,
  };
}

CommandSpec TablesCommand() {
  return {
      .name = "tables",
      .summary = "List the Iceberg tables of a lake",
      .arguments = "LAKE",
      .description =
          "Lists every table (<zone>.<db>.<table>) with its rows, data files, bytes and "
          "snapshots.\n",
      .options = {{"json", 0, OptionKind::kFlag, "", "Print one JSON array"}},
      .min_positional = 1,
      .max_positional = 1,
      .run = RunTables,
  };
}

}  // namespace atl::cli
