// atoll maintain: expires old snapshots, removes orphan files and (when asked) rewrites
// manifests, for one table of a lake or for every table (iceberg/maintenance.h).
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "atoll/cli/command.h"
#include "atoll/cli/record_run.h"
#include "atoll/iceberg/maintenance.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/event_log.h"
#include "atoll/records/lake_trail.h"
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

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct Plan {
  iceberg::ExpireOptions expire;
  iceberg::OrphanOptions orphans;
  bool rewrite = false;
  bool dry_run = false;
  // Where the commits are recorded (null: nowhere; never in a dry run), and as what.
  trail::Trail* trail = nullptr;
  std::string command = "atoll maintain";
};

// Records the commit that made `table`'s current metadata in the trail (lake_trail.h).
// The commit is durable whatever happens here, so a failure is only reported.
Status RecordMaintenance(const Plan& plan, const iceberg::Table& table,
                         std::optional<int64_t> snapshot_before, trail::RecordKind kind,
                         std::vector<std::pair<std::string, std::string>> fields) {
  if (plan.trail == nullptr || plan.dry_run) return Status::OK();
  ATOLL_ASSIGN_OR_RETURN(lake::TableChange change,
                         lake::DescribeCommit(table, snapshot_before, plan.command, kind));
  change.fields = std::move(fields);
  return lake::RecordTableChange(*plan.trail, change).status();
}

// Deletes `orphans` (listed from `table`'s current metadata) except the files a trail
// record of the table newer than that metadata names: those belong to a commit the listing
// did not see (or the catalog was rolled back). The records are read after the listing.
// `orphans` keeps the deleted ones; returns how many were kept.
Result<size_t> DeleteUnprotectedOrphans(trail::Trail& trail, const iceberg::Table& table,
                                        std::vector<std::string>* orphans) {
  trail::ShowFilter filter;
  filter.table = table.id().ToString();
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<trail::Record> records, trail.Show(filter),
                             "reading the trail before deleting orphan files");
  const std::set<std::string> named =
      lake::FilesNamedAfter(records, filter.table, table.metadata_location());
  // Compare by store and key: listings and records may spell a location differently.
  auto identity = [&](const std::string& location) -> Result<std::string> {
    ATOLL_ASSIGN_OR_RETURN(iceberg::FileIO::Target t, table.io().Resolve(location));
    return StrCat(reinterpret_cast<uintptr_t>(t.store.get()), "\n", t.key);
  };
  std::set<std::string> keep;
  for (const std::string& location : named) {
    Result<std::string> id = identity(location);
    if (id.ok()) keep.insert(std::move(*id));
  }
  std::vector<std::string> removable;
  for (const std::string& location : *orphans) {
    ATOLL_ASSIGN_OR_RETURN(std::string id, identity(location));
    if (!keep.count(id)) removable.push_back(location);
  }
  const size_t kept = orphans->size() - removable.size();
  if (!removable.empty())
    ATOLL_RETURN_NOT_OK_CTX(table.io().Delete(removable), "deleting orphan files");
  *orphans = std::move(removable);
  return kept;
}

// Runs the maintenance of one table; the outcome as JSON (with "error" when it failed).
// `all` is every table of the lake: tables stored inside this one's folder (a lake may hold
// "stg.shop.orders" and "stg.shop.orders.items") are kept out of the orphan search.
nlohmann::ordered_json MaintainTable(const lake::LakeTables& tables,
                                     const iceberg::TableIdentifier& id,
                                     const std::vector<iceberg::TableIdentifier>& all, Plan plan,
                                     Status* status) {
  nlohmann::ordered_json doc = {{"table", id.ToString()}};
  auto fail = [&](const Status& st) {
    const std::string name = "'" + id.ToString() + "'";
    *status = st.message().find(name) == std::string::npos ? st.WithContext("table " + name) : st;
    doc["error"] = status->message();
    return doc;
  };
  Result<iceberg::Table> loaded = lake::LoadLakeTable(tables, id);
  if (!loaded.ok()) return fail(loaded.status());
  iceberg::Table& table = *loaded;

  const std::optional<int64_t> snapshot_before = table.metadata().current_snapshot_id;
  const std::string metadata_before = table.metadata_location();
  Result<iceberg::ExpireResult> expired = iceberg::ExpireSnapshots(table, plan.expire);
  if (!expired.ok()) return fail(expired.status());
  if (table.metadata_location() != metadata_before) {
    std::string ids;
    for (int64_t sid : expired->expired_snapshot_ids)
      ids += (ids.empty() ? "" : ",") + std::to_string(sid);
    Status st =
        RecordMaintenance(plan, table, snapshot_before, trail::RecordKind::kExpire,
                          {{lake::kMaintenanceField, "expire-snapshots"}, {"expired", ids}});
    if (!st.ok()) doc["trail_error"] = st.message();
  }
  doc["expire"] = {{"expired_snapshots", expired->expired_snapshot_ids.size()},
                   {"snapshots_left", table.metadata().snapshots.size()},
                   {"deleted_manifest_lists", expired->deleted_manifest_lists},
                   {"deleted_manifests", expired->deleted_manifests},
                   {"deleted_data_files", expired->deleted_data_files},
                   {"deleted_delete_files", expired->deleted_delete_files},
                   {"deleted_statistics_files", expired->deleted_statistics_files}};
  if (!expired->cleanup.ok()) doc["expire"]["cleanup_error"] = expired->cleanup.ToString();

  if (plan.rewrite) {
    if (plan.dry_run) {
      doc["rewrite_manifests"] = {{"skipped", "dry run"}};
    } else {
      const std::optional<int64_t> before = table.metadata().current_snapshot_id;
      Result<iceberg::RewriteManifestsResult> rewritten = iceberg::RewriteManifests(table);
      if (!rewritten.ok()) return fail(rewritten.status());
      if (rewritten->snapshot_id) {
        Status st =
            RecordMaintenance(plan, table, before, trail::RecordKind::kCompaction,
                              {{lake::kMaintenanceField, "rewrite-manifests"},
                               {"manifests_before", std::to_string(rewritten->manifests_before)},
                               {"manifests_after", std::to_string(rewritten->manifests_after)}});
        if (!st.ok()) doc["trail_error"] = st.message();
      }
      doc["rewrite_manifests"] = {{"manifests_before", rewritten->manifests_before},
                                  {"manifests_after", rewritten->manifests_after},
                                  {"committed", rewritten->snapshot_id.has_value()}};
    }
  }

  for (const iceberg::TableIdentifier& other : all) {
    if (other.ToString() == id.ToString()) continue;
    Result<std::string> location = tables.catalog->DefaultTableLocation(other);
    if (!location.ok()) return fail(location.status());
    if (location->rfind(table.location() + "/", 0) == 0)
      plan.orphans.exclude_locations.push_back(*location);
  }
  // With a trail, orphans are only listed here and deleted below, minus the files that a
  // record newer than the metadata the listing worked from names (a concurrent commit).
  const bool trail_guard = !plan.dry_run && plan.trail != nullptr;
  if (trail_guard) plan.orphans.dry_run = true;
  Result<iceberg::OrphanResult> orphans = iceberg::RemoveOrphanFiles(table, plan.orphans);
  if (!orphans.ok()) return fail(orphans.status());
  size_t protected_by_trail = 0;
  if (trail_guard) {
    Result<size_t> kept = DeleteUnprotectedOrphans(*plan.trail, table, &orphans->orphans);
    if (!kept.ok()) return fail(kept.status());
    protected_by_trail = *kept;
  }
  // Metadata files removed as orphans (fallen out of the metadata log) get a record, so
  // that `atoll trail verify` accepts their absence (lake_trail.h, kMaintenanceField).
  std::vector<trail::FileRef> removed_metadata;
  for (const std::string& path : orphans->orphans) {
    const std::string suffix = ".metadata.json";
    if (path.size() > suffix.size() &&
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) == 0)
      removed_metadata.push_back({path, 0, ""});
  }
  if (!plan.dry_run && plan.trail != nullptr && !removed_metadata.empty()) {
    lake::TableChange change;
    change.command = plan.command;
    change.table = id.ToString();
    change.operation = trail::RecordKind::kExpire;
    change.snapshot_before = table.metadata().current_snapshot_id;
    change.snapshot_after = table.metadata().current_snapshot_id;
    change.files_removed = std::move(removed_metadata);
    change.fields = {{lake::kMaintenanceField, "remove-orphan-files"}};
    Result<uint64_t> recorded = lake::RecordTableChange(*plan.trail, change);
    if (!recorded.ok()) doc["trail_error"] = recorded.status().message();
  }
  doc["orphans"] = {{"listed", orphans->listed},         {"removed", orphans->orphans.size()},
                    {"too_young", orphans->too_young},   {"trail_protected", protected_by_trail},
                    {"other_tables", orphans->excluded}, {"files", orphans->orphans}};
  return doc;
}

void PrintText(const nlohmann::ordered_json& t, bool dry_run, std::ostream& out) {
  const std::string would = dry_run ? "would be " : "";
  out << t["table"].get<std::string>() << ":";
  if (t.contains("error")) {
    out << " error: " << t["error"].get<std::string>() << "\n";
    return;
  }
  const auto& e = t["expire"];
  out << " " << e["expired_snapshots"].get<int64_t>() << " snapshot(s) "
      << (dry_run ? "would be " : "") << "expired (" << e["snapshots_left"].get<int64_t>()
      << " left), " << e["deleted_data_files"].get<int64_t>() << " data, "
      << e["deleted_delete_files"].get<int64_t>() << " delete, "
      << e["deleted_manifests"].get<int64_t>() << " manifest and "
      << e["deleted_manifest_lists"].get<int64_t>() << " manifest list file(s) " << would
      << "deleted;";
  if (t.contains("rewrite_manifests") && t["rewrite_manifests"].contains("manifests_before")) {
    const auto& r = t["rewrite_manifests"];
    out << " manifests " << r["manifests_before"].get<int64_t>() << " -> "
        << r["manifests_after"].get<int64_t>() << ";";
  }
  const auto& o = t["orphans"];
  out << " " << o["removed"].get<int64_t>() << " orphan file(s) "
      << (dry_run ? "would be removed" : "removed") << " (" << o["too_young"].get<int64_t>()
      << " too young";
  if (o.contains("trail_protected") && o["trail_protected"].get<int64_t>() > 0)
    out << ", " << o["trail_protected"].get<int64_t>()
        << " kept because a newer trail record names them";
  out << ")\n";
  if (dry_run) {
    for (const auto& f : o["files"]) out << "  orphan " << f.get<std::string>() << "\n";
  }
  if (e.contains("cleanup_error"))
    out << "  warning: " << e["cleanup_error"].get<std::string>() << "\n";
}

Status RunMaintain(const ParsedArgs& args, Io& io) {
  const std::string& uri = args.positional()[0];
  const int64_t now = NowMs();
  Plan plan;
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

  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<lake::Lake> lake, lake::Lake::Open(uri));
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(*lake));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> all, lake::ListLakeTables(tables));
  std::vector<iceberg::TableIdentifier> ids = all;
  if (args.positional().size() > 1) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id,
                           lake::ParseLakeTableName(args.positional()[1]));
    ids = {std::move(id)};
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
  lake::EventLog log({.command = "atoll maintain", .echo = &io.err});

  nlohmann::ordered_json results = nlohmann::ordered_json::array();
  Status first_error;
  int failed = 0;
  for (const iceberg::TableIdentifier& id : ids) {
    Status st;
    Plan table_plan = plan;
    // The trail never records its own zone's tables (lake_trail.h).
    if (lake::IsTrailZoneTable(*lake, id)) table_plan.trail = nullptr;
    results.push_back(MaintainTable(tables, id, all, table_plan, &st));
    if (!st.ok()) {
      ++failed;
      if (first_error.ok()) first_error = st;
      log.Error(id.ToString(), "maintenance failed: " + st.message());
    } else if (!plan.dry_run) {
      const auto& r = results.back();
      lake::LogFields fields = {
          {"expired_snapshots", r["expire"]["expired_snapshots"].get<int64_t>()},
          {"deleted_data_files", r["expire"]["deleted_data_files"].get<int64_t>()},
          {"orphans_removed", r["orphans"]["removed"].get<int64_t>()}};
      if (r.contains("rewrite_manifests"))
        fields.push_back(
            {"manifests_after", r["rewrite_manifests"]["manifests_after"].get<int64_t>()});
      if (r.contains("trail_error")) {
        log.Warn(id.ToString(),
                 "maintenance not recorded in the trail: " + r["trail_error"].get<std::string>());
      }
      log.Log(lake::LogLevel::kDebug, id.ToString(), "maintained", std::move(fields));
    }
    if (!args.Has("json")) PrintText(results.back(), plan.dry_run, io.out);
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
  if (!plan.dry_run) RecordRun(*lake, plan.command, log, /*flush_log=*/true, io);
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
      .summary = "Expire old snapshots, remove orphan files and rewrite manifests of lake tables",
      .arguments = "LAKE [TABLE]",
      .description =
          "Maintains TABLE (zone.db.table) of LAKE, or every table of the lake:\n"
          "  1. expires snapshots older than --expire-older-than (default 5d), keeping the newest\n"
          "     --retain-last snapshots of each branch and every snapshot a branch or tag names,\n"
          "     and deletes the files only the expired snapshots used;\n"
          "  2. with --rewrite-manifests, rewrites the current snapshot's manifests into as few\n"
          "     as the target manifest size allows (same data files);\n"
          "  3. removes files under the table's location that its metadata does not reference\n"
          "     and that are older than --orphans-older-than (default 3d: a younger file may "
          "belong\n"
          "     to a commit in progress).\n"
          "Durations: a number with ms, s, m, h, d or w (7d, 12h). --dry-run reports what would "
          "be\n"
          "done and changes nothing.\n",
      .options = {{"expire-older-than", 0, OptionKind::kString, "DURATION",
                   "Expire snapshots older than this (default 5d)"},
                  {"retain-last", 0, OptionKind::kInt, "N",
                   "Snapshots kept per branch whatever their age (1)", 1, 1000000},
                  {"orphans-older-than", 0, OptionKind::kString, "DURATION",
                   "Remove unreferenced files older than this (default 3d)"},
                  {"rewrite-manifests", 0, OptionKind::kFlag, "", "Also rewrite the manifests"},
                  {"dry-run", 'n', OptionKind::kFlag, "",
                   "Report what would be done; change nothing"},
                  {"json", 0, OptionKind::kFlag, "", "Print one JSON document on stdout"}},
      .min_positional = 1,
      .max_positional = 2,
      .run = RunMaintain,
  };
}

}  // namespace atl::cli
