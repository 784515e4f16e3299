// atoll snapshot: a database snapshot export becomes a partitioned lake table through a
// manifest-driven, parallel, resumable pipeline (src/atoll/snapshot/, docs/snapshot.md).
// The subcommand is the first argument; every report is one JSON document on stdout.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "atoll/cli/command.h"
#include "atoll/cli/io_progress.h"
#include "atoll/cli/log_echo.h"
#include "atoll/lake/lake.h"
#include "atoll/records/event_log.h"
#include "atoll/records/record_run.h"
#include "atoll/snapshot/emit.h"
#include "atoll/snapshot/report_json.h"
#include "atoll/snapshot/runner.h"
#include "atoll/snapshot/steps.h"

namespace atl::cli {

namespace {

// "134217728", "128MB", "128MiB", "64K", "1G" → bytes (K/M/G are powers of 1024).
Result<int64_t> ParseSize(const std::string& text, std::string_view option) {
  size_t pos = 0;
  while (pos < text.size() && std::isdigit(static_cast<unsigned char>(text[pos]))) ++pos;
  if (pos == 0 || pos > 15) return InvalidArgument("--", option, ": not a size: '", text, "'");
  int64_t n = std::stoll(text.substr(0, pos));
  std::string unit = text.substr(pos);
  for (char& c : unit) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (unit.empty() || unit == "B") return n;
  if (unit == "K" || unit == "KB" || unit == "KIB") return n << 10;
  if (unit == "M" || unit == "MB" || unit == "MIB") return n << 20;
  if (unit == "G" || unit == "GB" || unit == "GIB") return n << 30;
  return InvalidArgument("--", option, ": unknown unit in '", text, "' (use K, M or G)");
}

// Local paths become absolute, so that run.json names the same places for every worker
// whatever its working directory; URIs ("s3://...", "file://...") are kept as given.
std::string Absolute(std::string uri) {
  if (uri.empty() || uri.find("://") != std::string::npos) return uri;
  std::string path = std::filesystem::absolute(uri).lexically_normal().string();
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  return path;
}

Result<snapshot::PlanOptions> PlanFromArgs(const ParsedArgs& args) {
  snapshot::PlanOptions p;
  snapshot::RunConfig& c = p.config;
  c.db = args.Value("db").value_or("");
  c.table = args.Value("table").value_or("");
  c.snapshot = args.Value("snapshot").value_or("");
  c.output = args.Value("output").value_or("iceberg");
  c.lake_uri = Absolute(args.Value("lake").value_or(""));
  c.hive_uri = Absolute(args.Value("dest").value_or(""));
  c.work_uri = Absolute(args.Value("work").value_or(c.lake_uri));
  if (c.work_uri.empty()) return InvalidArgument("give --work (or --lake) for the staging area");
  if (auto keys = args.Value("partition")) {
    std::stringstream ss(*keys);
    std::string k;
    while (std::getline(ss, k, ',')) {
      if (!k.empty()) c.partition_keys.push_back(k);
    }
  }
  c.transform_sql = args.Value("transform").value_or("");
  if (auto file = args.Value("transform-file")) {
    ATOLL_ASSIGN_OR_RETURN(c.transform_sql, ReadTextFile(*file));
  }
  if (auto g = args.Value("group-size")) {
    ATOLL_ASSIGN_OR_RETURN(c.group_target_bytes, ParseSize(*g, "group-size"));
  }
  if (auto t = args.Value("target-file-size")) {
    ATOLL_ASSIGN_OR_RETURN(c.target_file_size, ParseSize(*t, "target-file-size"));
    if (c.target_file_size <= 0) return InvalidArgument("--target-file-size must be positive");
  }
  c.compression = args.Value("compression").value_or("zstd");
  c.compression_level = static_cast<int>(args.Int("compression-level", 1));
  if (c.output == "iceberg" && !c.lake_uri.empty()) {
    std::string zone = args.Value("zone").value_or("");
    if (zone.empty()) {
      ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(c.lake_uri));
      zone = lake->settings().zones.stg;
    }
    c.table_name = StrCat(zone, ".", c.db, ".", c.table);
  }
  c.workers_hint = static_cast<int>(args.Int("parallel", 2));
  p.source_prefix = Absolute(args.Value("source").value_or(""));
  p.manifest_uri = Absolute(args.Value("manifest").value_or(""));
  p.count_text_rows = args.Has("count-rows");
  p.threads = static_cast<int>(args.Int("threads", 2));
  return p;
}

snapshot::WorkerOptions WorkerFromArgs(const ParsedArgs& args) {
  snapshot::WorkerOptions w;
  w.threads = static_cast<int>(args.Int("threads", 2));
  w.force = args.Has("force");
  return w;
}

// A step's report as one JSON document (report_json.h).
template <typename Report>
Status Print(Io& io, const Result<Report>& report) {
  if (!report.ok()) return report.status();
  io.out << snapshot::ToJson(*report).dump(2) << "\n";
  return Status::OK();
}

const snapshot::CommitReport& CommitOf(const snapshot::CommitReport& commit) { return commit; }
const snapshot::CommitReport& CommitOf(const snapshot::RunReport& run) { return run.commit; }

// After a step that may have committed to a lake table (run, commit): the lake's
// statistics, a log event and the audit table, as after ingest (record_run.h). Only for
// Iceberg output into a lake; never fails the step (warnings on stderr).
template <typename Report>
Status PrintAndRecord(Io& io, const Result<Report>& report, const snapshot::RunConfig& config) {
  ATOLL_RETURN_NOT_OK(Print(io, report));
  if (config.lake_uri.empty() || config.output != "iceberg") return Status::OK();
  Result<std::unique_ptr<lake::Lake>> lake = lake::Lake::Open(config.lake_uri);
  if (!lake.ok()) {
    io.err << "atoll: warning: recording the run in the lake: " << lake.status().message() << "\n";
    return Status::OK();
  }
  lake::EventLog log({.command = "atoll snapshot", .echo = &io.err, .echo_level = EchoLevel(io)});
  // `run` holds the commit step's report; `commit` is that report.
  const snapshot::CommitReport& commit = CommitOf(*report);
  log.Log(lake::LogLevel::kInfo, config.table_name, "snapshot run",
          {{"n_record", commit.n_record.value_or(0)}, {"n_file", commit.n_file.value_or(0)}});
  lake::RecordRun(**lake, log, {.command = "atoll snapshot", .on_warning = PrintWarning(io)});
  return Status::OK();
}

Status Need(const ParsedArgs& args, size_t n, std::string_view usage) {
  if (args.positional().size() != n) {
    return InvalidArgument("usage: atoll snapshot ", usage);
  }
  return Status::OK();
}

Status RunSnapshotCommand(const ParsedArgs& args, Io& io) {
  const std::string& sub = args.positional()[0];
  const auto& pos = args.positional();
  if (sub == "manifest") {
    ATOLL_RETURN_NOT_OK(Need(args, 3, "manifest SRC_PREFIX OUT_DIR"));
    return Print(io, snapshot::WriteSnapshotManifest(pos[1], pos[2], args.Has("count-rows"),
                                                     static_cast<int>(args.Int("threads", 2))));
  }
  if (sub == "plan") {
    ATOLL_RETURN_NOT_OK(Need(args, 1, "plan --db D --table T --snapshot TS ..."));
    ATOLL_ASSIGN_OR_RETURN(snapshot::PlanOptions p, PlanFromArgs(args));
    return Print(io, snapshot::Plan(p));
  }
  if (sub == "run") {
    ATOLL_RETURN_NOT_OK(Need(args, 1, "run --db D --table T --snapshot TS ... --parallel N"));
    snapshot::RunOptions r;
    ATOLL_ASSIGN_OR_RETURN(r.plan, PlanFromArgs(args));
    r.parallel = static_cast<int>(args.Int("parallel", 2));
    r.worker_threads = static_cast<int>(args.Int("worker-threads", 1));
    // On a terminal, a bar of the bytes the run and its workers read and write; each log
    // line first blanks it (the bar is drawn again at its next update).
    ProgressBar bar = ProgressBar::ForStderr("snapshot run");
    IoProgress io_progress(bar, 0, /*with_children=*/true);
    r.log = [&io, &bar](const std::string& line) {
      io.err << (bar.enabled() ? "\r\x1b[K" : "") << "atoll: snapshot: " << line << "\n";
      io.err.flush();
    };
    Result<snapshot::RunReport> ran = snapshot::RunSnapshot(r);
    bar.Finish();
    return PrintAndRecord(io, ran, r.plan.config);
  }
  if (sub == "emit") {
    ATOLL_RETURN_NOT_OK(Need(args, 3, "emit k8s|stepfunctions STAGING"));
    ATOLL_ASSIGN_OR_RETURN(snapshot::Bucket staging, snapshot::OpenBucket(pos[2]));
    snapshot::EmitOptions e;
    e.kind = pos[1];
    e.image = args.Value("image").value_or(e.image);
    e.parallel = static_cast<int>(args.Int("parallel", 2));
    ATOLL_ASSIGN_OR_RETURN(std::string text, snapshot::EmitDefinitions(staging, e));
    io.out << text;
    return Status::OK();
  }
  ATOLL_RETURN_NOT_OK(Need(args, 2, StrCat(sub, " STAGING")));
  ATOLL_ASSIGN_OR_RETURN(snapshot::Bucket staging, snapshot::OpenBucket(pos[1]));
  const snapshot::WorkerOptions w = WorkerFromArgs(args);
  if (sub == "stage" || sub == "compact") {
    ATOLL_ASSIGN_OR_RETURN(int64_t index, snapshot::WorkerIndex(args.Value("index")));
    if (sub == "stage") return Print(io, snapshot::Stage(staging, index, w));
    return Print(io, snapshot::Compact(staging, index, w));
  }
  if (sub == "plan-compaction") return Print(io, snapshot::PlanCompaction(staging, w));
  if (sub == "commit") {
    Result<snapshot::CommitReport> committed = snapshot::Commit(staging, w);
    Result<snapshot::RunConfig> config = snapshot::LoadRunConfig(staging);
    if (!committed.ok() || !config.ok()) return Print(io, committed);
    return PrintAndRecord(io, committed, *config);
  }
  if (sub == "validate") return Print(io, snapshot::Validate(staging, w));
  if (sub == "status") return Print(io, snapshot::GetStatus(staging));
  return InvalidArgument("unknown snapshot subcommand '", sub,
                         "' (manifest, plan, stage, plan-compaction, compact, commit, validate, "
                         "status, run, emit)");
}

}  // namespace

CommandSpec SnapshotCommand() {
  return {
      .name = "snapshot",
      .summary =
          "Turn a database snapshot export into a partitioned lake table (parallel, resumable)",
      .arguments = "SUBCOMMAND [ARGS]",
      .description =
          "Subcommands (docs/snapshot.md):\n"
          "  manifest SRC_PREFIX OUT_DIR   write manifest-summary.json + manifest-data.parquet\n"
          "  plan [run options]            run.json, snapshot manifest, snapshot file groups\n"
          "  stage STAGING --index I       stage worker for snapshot file group I\n"
          "  plan-compaction STAGING       partition file groups (creates the table)\n"
          "  compact STAGING --index J     compact worker for partition file group J\n"
          "  commit STAGING                one Iceberg commit of every final file (idempotent)\n"
          "  validate STAGING              per-partition counts before/after -> validation.json\n"
          "  status STAGING                progress from the manifests and markers\n"
          "  run [run options]             all of the above with --parallel N local workers\n"
          "  emit k8s|stepfunctions STAGING   definitions for Kubernetes / AWS Step Functions\n"
          "STAGING is <work>/staging/<db>/<table>/snapshot=<ts> (printed by plan and run).\n"
          "Workers read their index from --index, JOB_COMPLETION_INDEX or\n"
          "AWS_BATCH_JOB_ARRAY_INDEX. Every step may be re-run; a killed run resumes.\n",
      .options =
          {{"lake", 0, OptionKind::kString, "LAKE", "The atoll lake of the target table"},
           {"work", 0, OptionKind::kString, "URI", "Where staging/ lives (default: the lake)"},
           {"db", 0, OptionKind::kString, "DB", "Database name"},
           {"table", 0, OptionKind::kString, "TABLE", "Table name"},
           {"snapshot", 0, OptionKind::kString, "TS", "Snapshot time, e.g. 2021-01-01T08:30:00Z"},
           {"source", 0, OptionKind::kString, "PREFIX", "Folder of the export's data files"},
           {"manifest", 0, OptionKind::kString, "DIR", "Folder with an existing file manifest"},
           {"partition", 0, OptionKind::kString, "K1,K2", "Partition keys (identity)"},
           {"transform", 0, OptionKind::kString, "SQL", "A SELECT over the view `source`"},
           {"transform-file", 0, OptionKind::kString, "FILE", "The transform SQL from a file"},
           {"group-size", 0, OptionKind::kString, "SIZE",
            "Snapshot file group target (default: derived)"},
           {"target-file-size", 0, OptionKind::kString, "SIZE",
            "Final file size target (default 128MiB)"},
           {"output",
            0,
            OptionKind::kString,
            "KIND",
            "iceberg (default) or hive",
            INT64_MIN,
            INT64_MAX,
            {"iceberg", "hive"}},
           {"compression",
            0,
            OptionKind::kString,
            "CODEC",
            "Parquet codec of staging and final files (default zstd)",
            INT64_MIN,
            INT64_MAX,
            {"zstd", "snappy", "gzip", "brotli", "uncompressed"}},
           {"compression-level", 0, OptionKind::kInt, "N", "zstd level (default 1)", 1, 22},
           {"dest", 0, OptionKind::kString, "URI", "Hive output folder"},
           {"zone", 0, OptionKind::kString, "ZONE", "Zone of the table (default: the stg zone)"},
           {"count-rows", 0, OptionKind::kFlag, "", "Count CSV/NDJSON rows in the manifest"},
           {"parallel", 'p', OptionKind::kInt, "N", "Worker processes (default 2)", 1, 256},
           {"threads", 0, OptionKind::kInt, "N", "DuckDB threads of this process (default 2)", 1,
            256},
           {"worker-threads", 0, OptionKind::kInt, "N", "DuckDB threads per worker (default 1)", 1,
            256},
           {"index", 0, OptionKind::kString, "I", "Group index of a worker step"},
           {"force", 0, OptionKind::kFlag, "", "Redo a worker step whose done marker exists"},
           {"image", 0, OptionKind::kString, "IMAGE", "emit: container image"},
           {"json", 0, OptionKind::kFlag, "", "One JSON document on stdout (always the case)"}},
      .min_positional = 1,
      .max_positional = 3,
      .run = RunSnapshotCommand,
  };
}

}  // namespace atl::cli
