// atoll maintain: compacts data files (when asked), expires old snapshots, removes orphan
// files and (when asked) rewrites manifests, for some tables of a lake or for every table
// (records/maintain.h, records/compact.h); or rolls one table back to an older snapshot.
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>

#include "atoll/cli/command.h"
#include "atoll/cli/log_echo.h"
#include "atoll/common/clock.h"
#include "atoll/iceberg/commit/maintenance.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/query_session.h"
#include "atoll/records/event_log.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/maintain.h"
#include "atoll/records/record_run.h"
#include "atoll/records/trail_check.h"

namespace atl::cli {

namespace {

// "7d", "12h", "30m", "45s", "500ms", "2w" -> milliseconds.
Result<int64_t> ParseDuration(const std::string& option, const std::string& text) {
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) ++digits;
  const std::string unit = text.substr(digits);
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60 * 1000;
  if (unit == "h") scale = 3600 * 1000;
  if (unit == "d") scale = 24 * 3600 * 1000;
  if (unit == "w") scale = 7 * 24 * 3600 * 1000LL;
  if (digits == 0 || digits > 12 || scale == 0) {
    return InvalidArgument("option '--", option,
                           "' expects a duration such as 7d, 12h, 30m or 45s, got '", text, "'");
  }
  return std::stoll(text.substr(0, digits)) * scale;
}

// The outcome of one table as JSON (with "error" when it failed). "trail_error" (the
// last failure to record in the trail) stands where the first such failure happened.
nlohmann::ordered_json MaintenanceJson(const lake::TableMaintenance& t) {
  nlohmann::ordered_json doc = {{"table", t.table}};
  auto trail_error = [&](const std::string& step_error) {
    if (!step_error.empty() && !doc.contains("trail_error")) doc["trail_error"] = t.trail_error();
  };
  if (t.compact) {
    const lake::CompactOutcome& c = *t.compact;
    trail_error(c.trail_error);
    doc["compact"] = {{"data_files_rewritten", c.data_files_rewritten},
                      {"bytes_rewritten", c.bytes_rewritten},
                      {"data_files_written", c.data_files_written},
                      {"bytes_written", c.bytes_written},
                      {"rows_written", c.rows_written},
                      {"delete_files_removed", c.delete_files_removed},
                      {"dangling_delete_files", c.dangling_delete_files},
                      {"snapshot_id", nullptr},
                      {"attempts", c.attempts}};
    if (c.snapshot_id) doc["compact"]["snapshot_id"] = *c.snapshot_id;
    if (!c.conflict.empty()) doc["compact"]["retried_after"] = c.conflict;
  }
  if (t.expire) {
    const iceberg::ExpireResult& e = t.expire->expired;
    trail_error(t.expire->trail_error);
    doc["expire"] = {{"expired_snapshots", e.expired_snapshot_ids.size()},
                     {"snapshots_left", t.expire->snapshots_left},
                     {"deleted_manifest_lists", e.deleted_manifest_lists},
                     {"deleted_manifests", e.deleted_manifests},
                     {"deleted_data_files", e.deleted_data_files},
                     {"deleted_delete_files", e.deleted_delete_files},
                     {"deleted_statistics_files", e.deleted_statistics_files}};
    if (!e.cleanup.ok()) doc["expire"]["cleanup_error"] = e.cleanup.ToString();
  }
  if (t.rewrite) {
    trail_error(t.rewrite->trail_error);
    const iceberg::RewriteManifestsResult& r = t.rewrite->rewritten;
    if (t.rewrite->skipped_dry_run) {
      doc["rewrite_manifests"] = {{"skipped", "dry run"}};
    } else {
      doc["rewrite_manifests"] = {{"manifests_before", r.manifests_before},
                                  {"manifests_after", r.manifests_after},
                                  {"committed", r.snapshot_id.has_value()}};
    }
  }
  if (t.orphans) {
    trail_error(t.orphans->trail_error);
    const iceberg::OrphanResult& o = t.orphans->orphans;
    doc["orphans"] = {{"listed", o.listed},
                      {"removed", o.orphans.size()},
                      {"too_young", o.too_young},
                      {"trail_protected", t.orphans->trail_protected},
                      {"temporaries_removed", t.orphans->temporaries_removed},
                      {"other_tables", o.excluded},
                      {"files", o.orphans}};
  }
  if (!t.status.ok()) doc["error"] = t.status.message();
  return doc;
}

void PrintText(const lake::TableMaintenance& t, bool dry_run, std::ostream& out) {
  const std::string would = dry_run ? "would be " : "";
  out << t.table << ":";
  if (!t.status.ok()) {
    out << " error: " << t.status.message() << "\n";
    return;
  }
  if (t.compact) {
    const lake::CompactOutcome& c = *t.compact;
    out << " " << c.data_files_rewritten << " data file(s) (" << c.bytes_rewritten << " bytes) "
        << would << "compacted";
    if (!dry_run) out << " into " << c.data_files_written << " (" << c.bytes_written << " bytes)";
    out << ", " << c.delete_files_removed << " delete file(s) " << would << "removed ("
        << c.dangling_delete_files << " dangling);";
  }
  const iceberg::ExpireResult& e = t.expire->expired;
  out << " " << e.expired_snapshot_ids.size() << " snapshot(s) " << (dry_run ? "would be " : "")
      << "expired (" << t.expire->snapshots_left << " left), " << e.deleted_data_files << " data, "
      << e.deleted_delete_files << " delete, " << e.deleted_manifests << " manifest and "
      << e.deleted_manifest_lists << " manifest list file(s) " << would << "deleted;";
  if (t.rewrite && !t.rewrite->skipped_dry_run) {
    out << " manifests " << t.rewrite->rewritten.manifests_before << " -> "
        << t.rewrite->rewritten.manifests_after << ";";
  }
  const iceberg::OrphanResult& o = t.orphans->orphans;
  out << " " << o.orphans.size() << " orphan file(s) " << (dry_run ? "would be removed" : "removed")
      << " (" << o.too_young << " too young";
  if (t.orphans->trail_protected > 0)
    out << ", " << t.orphans->trail_protected << " kept because a newer trail record names them";
  if (t.orphans->temporaries_removed > 0)
    out << ", " << t.orphans->temporaries_removed << " temporary file(s) of killed writes removed";
  out << ")\n";
  if (dry_run) {
    for (const std::string& f : o.orphans) out << "  orphan " << f << "\n";
  }
  if (!e.cleanup.ok()) out << "  warning: " << e.cleanup.ToString() << "\n";
  if (t.compact && !t.compact->conflict.empty()) {
    out << "  note: compaction was planned again after a concurrent change: " << t.compact->conflict
        << "\n";
  }
}

// --rollback-to: one table, nothing else.
Status RunRollback(const ParsedArgs& args, Io& io) {
  const std::string& uri = args.positional()[0];
  if (args.positional().size() != 2) {
    return InvalidArgument("--rollback-to needs exactly one TABLE (zone.db.table)");
  }
  for (const char* other : {"compact", "where", "target-file-size", "rewrite-manifests", "dry-run",
                            "expire-older-than", "retain-last", "orphans-older-than"}) {
    if (args.Has(other)) return InvalidArgument("--rollback-to cannot be combined with --", other);
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id,
                         lake::ParseLakeTableName(args.positional()[1]));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
  std::unique_ptr<trail::Trail> trail;
  Result<std::unique_ptr<trail::Trail>> opened = lake::OpenLakeTrail(*lake);
  if (opened.ok()) {
    trail = std::move(*opened);
  } else {
    io.err << "atoll: warning: opening the trail: " << opened.status().message() << "\n";
  }
  lake::EventLog log({.command = "atoll maintain", .echo = &io.err, .echo_level = EchoLevel(io)});
  ATOLL_ASSIGN_OR_RETURN(
      lake::RollbackOutcome r,
      lake::RollbackTable(*lake, tables, id, args.Int("rollback-to", 0), trail.get()));
  const std::string from = r.from ? std::to_string(*r.from) : "none";
  if (!r.trail_error.empty()) {
    log.Warn(id.ToString(), "rollback not recorded in the trail: " + r.trail_error);
  }
  log.Info(id.ToString(), StrCat("rolled back from snapshot ", from, " to ", r.to),
           {{"rollback_to", r.to}});
  if (args.Has("json")) {
    nlohmann::ordered_json doc = {{"lake", uri},
                                  {"table", id.ToString()},
                                  {"rolled_back_from", nullptr},
                                  {"rolled_back_to", r.to}};
    if (r.from) doc["rolled_back_from"] = *r.from;
    if (!r.trail_error.empty()) doc["trail_error"] = r.trail_error;
    io.out << doc.dump(2) << "\n";
  } else {
    io.out << id.ToString() << ": current snapshot " << from << " -> " << r.to << "\n";
  }
  lake::RecordRun(*lake, log, {.command = "atoll maintain", .on_warning = PrintWarning(io)});
  return Status::OK();
}

Status RunMaintain(const ParsedArgs& args, Io& io) {
  if (args.Has("rollback-to")) return RunRollback(args, io);
  const std::string& uri = args.positional()[0];
  const int64_t now = SystemNowMs();
  lake::MaintainOptions plan;
  plan.dry_run = args.Has("dry-run");
  int64_t expire_age = iceberg::kDefaultSnapshotMaxAgeMs;
  if (auto v = args.Value("expire-older-than")) {
    ATOLL_ASSIGN_OR_RETURN(expire_age, ParseDuration("expire-older-than", *v));
  }
  int64_t grace = iceberg::kDefaultOrphanGraceMs;
  if (auto v = args.Value("orphans-older-than")) {
    ATOLL_ASSIGN_OR_RETURN(grace, ParseDuration("orphans-older-than", *v));
  }
  plan.expire.now_ms = now;
  plan.expire.older_than_ms = now - expire_age;
  plan.expire.retain_last = static_cast<int>(args.Int("retain-last", 1));
  plan.expire.dry_run = plan.dry_run;
  plan.orphans.now_ms = now;
  plan.orphans.older_than_ms = now - grace;
  plan.orphans.dry_run = plan.dry_run;
  plan.rewrite = args.Has("rewrite-manifests");
  if (args.Has("compact")) {
    lake::CompactOptions compact;
    compact.where = args.Value("where").value_or("");
    if (args.Has("target-file-size"))
      compact.target_file_size_bytes = args.Int("target-file-size", 0);
    plan.compact = std::move(compact);
  } else {
    for (const char* option : {"where", "target-file-size"}) {
      if (args.Has(option)) return InvalidArgument("--", option, " needs --compact");
    }
  }

  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> all, lake::ListLakeTables(tables));
  std::vector<iceberg::TableIdentifier> ids = all;
  if (args.positional().size() > 1) {
    ids.clear();
    for (size_t i = 1; i < args.positional().size(); ++i) {
      ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id,
                             lake::ParseLakeTableName(args.positional()[i]));
      ids.push_back(std::move(id));
    }
  }
  std::unique_ptr<engine::Engine> engine;
  if (plan.compact) {
    ATOLL_ASSIGN_OR_RETURN(engine, lake::OpenQueryEngine(uri, ""));
    plan.engine = engine.get();
  }

  std::unique_ptr<trail::Trail> trail;
  if (!plan.dry_run) {
    Result<std::unique_ptr<trail::Trail>> opened = lake::OpenLakeTrail(*lake);
    if (opened.ok()) {
      trail = std::move(*opened);
    } else {
      io.err << "atoll: warning: opening the trail: " << opened.status().message() << "\n";
    }
  }
  plan.trail = trail.get();
  lake::EventLog log({.command = "atoll maintain", .echo = &io.err, .echo_level = EchoLevel(io)});

  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  Status first_error;
  int failed = 0;
  for (const iceberg::TableIdentifier& id : ids) {
    const lake::TableMaintenance r = lake::MaintainTable(*lake, tables, id, all, plan);
    if (!r.status.ok()) {
      ++failed;
      if (first_error.ok()) first_error = r.status;
      log.Error(id.ToString(), "maintenance failed: " + r.status.message());
    } else if (!plan.dry_run) {
      lake::LogFields fields = {
          {"expired_snapshots",
           static_cast<int64_t>(r.expire->expired.expired_snapshot_ids.size())},
          {"deleted_data_files", r.expire->expired.deleted_data_files},
          {"orphans_removed", static_cast<int64_t>(r.orphans->orphans.orphans.size())}};
      if (r.rewrite) fields.push_back({"manifests_after", r.rewrite->rewritten.manifests_after});
      if (r.compact) {
        fields.push_back({"data_files_compacted", r.compact->data_files_rewritten});
        fields.push_back({"delete_files_removed", r.compact->delete_files_removed});
      }
      if (!r.trail_error().empty()) {
        log.Warn(id.ToString(), "maintenance not recorded in the trail: " + r.trail_error());
      }
      log.Log(lake::LogLevel::kDebug, id.ToString(), "maintained", std::move(fields));
    }
    if (args.Has("json")) {
      results.push_back(MaintenanceJson(r));
    } else {
      PrintText(r, plan.dry_run, io.out);
    }
  }
  if (args.Has("json")) {
    nlohmann::ordered_json doc = {{"lake", uri},
                                  {"dry_run", plan.dry_run},
                                  {"expire_older_than_ms", plan.expire.older_than_ms.value()},
                                  {"retain_last", plan.expire.retain_last},
                                  {"orphans_older_than_ms", plan.orphans.older_than_ms.value()},
                                  {"tables", results}};
    io.out << doc.dump(2) << "\n";
  } else if (ids.empty()) {
    io.out << "the lake has no tables\n";
  }
  if (!plan.dry_run)
    lake::RecordRun(*lake, log, {.command = plan.command, .on_warning = PrintWarning(io)});
  if (failed == 1 && ids.size() == 1) return first_error;
  if (failed > 0)
    return IOError(failed, " of ", ids.size(),
                   " tables failed; the first: ", first_error.message());
  return Status::OK();
}

}  // namespace

CommandSpec MaintainCommand() {
  return {
      .name = "maintain",
      .summary =
          "Compact data files, expire old snapshots, remove orphan files, rewrite manifests "
          "or roll back lake tables",
      .arguments = "LAKE [TABLE...]",
      .description =
          "Maintains the TABLEs (zone.db.table) of LAKE, or every table of the lake:\n"
          "  0. with --compact, rewrites data files that delete files apply to without the\n"
          "     deleted rows, removes delete files that apply to no live data file, and merges\n"
          "     the data files smaller than 75% of the target size of each partition into files\n"
          "     of about --target-file-size bytes (default: the table's\n"
          "     write.target-file-size-bytes, else 512 MiB); --where limits it to the files\n"
          "     that may hold rows matching a filter (\"region = 'eu' AND day >= DATE\n"
          "     '2024-01-01'\": comparisons, IN, IS NULL, LIKE 'x%', AND, OR, NOT). One\n"
          "     \"replace\" snapshot per table; a concurrent change to the files it rewrites\n"
          "     makes it plan again once, then fail (the table is left as it was);\n"
          "  1. expires snapshots older than --expire-older-than (default 5d), keeping the newest\n"
          "     --retain-last snapshots of each branch and every snapshot a branch or tag names,\n"
          "     and deletes the files only the expired snapshots used;\n"
          "  2. with --rewrite-manifests, rewrites the current snapshot's manifests into as few\n"
          "     as the target manifest size allows (same data files);\n"
          "  3. removes files under the table's location that its metadata does not reference\n"
          "     (and a local lake's temporary files of killed writes)\n"
          "     and that are older than --orphans-older-than (default 3d: a younger file may "
          "belong\n"
          "     to a commit in progress).\n"
          "Durations: a number with ms, s, m, h, d or w (7d, 12h). --dry-run reports what would "
          "be\n"
          "done and changes nothing.\n"
          "--rollback-to SNAPSHOT_ID makes an older snapshot of one TABLE its current one\n"
          "(recorded in the trail as a rollback) and does nothing else.\n",
      .options = {{"expire-older-than", 0, OptionKind::kString, "DURATION",
                   "Expire snapshots older than this (default 5d)"},
                  {"retain-last", 0, OptionKind::kInt, "N",
                   "Snapshots kept per branch whatever their age (1)", 1, 1000000},
                  {"orphans-older-than", 0, OptionKind::kString, "DURATION",
                   "Remove unreferenced files older than this (default 3d)"},
                  {"rewrite-manifests", 0, OptionKind::kFlag, "", "Also rewrite the manifests"},
                  {"compact", 0, OptionKind::kFlag, "",
                   "Compact data files first: apply deletes, merge small files"},
                  {"where", 0, OptionKind::kString, "FILTER",
                   "Compact only the files that may hold rows matching FILTER"},
                  {"target-file-size", 0, OptionKind::kInt, "BYTES",
                   "Size of compacted files (table property or 512 MiB)", 1},
                  {"rollback-to", 0, OptionKind::kInt, "SNAPSHOT_ID",
                   "Make this snapshot of TABLE the current one (only that)"},
                  {"dry-run", 'n', OptionKind::kFlag, "",
                   "Report what would be done; change nothing"},
                  {"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"}},
      .min_positional = 1,
      .max_positional = 1000,
      .run = RunMaintain,
  };
}

}  // namespace atl::cli
