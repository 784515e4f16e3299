// Validate and GetStatus (see steps.h).
#include <map>

#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/report_json.h"
#include "atoll/snapshot/steps.h"
#include "atoll/snapshot/target.h"

namespace atl::snapshot {

namespace {

struct Counts {
  int64_t staging_records = 0, staging_bytes = 0, staging_files = 0;
  int64_t planned_records = 0, planned_bytes = 0;
  int64_t final_records = 0, final_bytes = 0, final_files = 0;
  int64_t footer_records = 0;
};

}  // namespace

Result<ValidationReport> Validate(const Bucket& staging, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_stage, SnapshotGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_compact, PartitionGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(bool committed, Exists(*staging.store, keys::kCommitMarker));
  if (n_stage == 0 || n_compact == 0 || !committed) {
    return InvalidArgument("the run is not committed yet; nothing to validate");
  }
  std::vector<std::string> errors;
  std::map<std::string, Counts> parts;
  int64_t rows_read = 0, rows_staged = 0, source_records = 0, source_unknown = 0;

  // Before: the staging file group manifests.
  for (int64_t i = 0; i < n_stage; ++i) {
    ATOLL_ASSIGN_OR_RETURN(
        std::optional<Json> s,
        GetJson(*staging.store, StrCat(keys::StagingGroupDir(i), "/", kSummaryName)));
    if (!s) return NotFound("staging file group ", i, " has no manifest");
    const int64_t read = s->value("rows_read", int64_t{0});
    const int64_t staged = s->value("rows_staged", int64_t{0});
    const int64_t src = s->value("source_n_record", int64_t{0});
    const int64_t unknown = s->value("source_n_record_unknown", int64_t{0});
    rows_read += read;
    rows_staged += staged;
    source_records += src;
    source_unknown += unknown;
    if (unknown == 0 && src != read) {
      errors.push_back(StrCat("snapshot file group ", i, ": the manifest lists ", src,
                              " records, the worker read ", read));
    }
    if (config.transform_sql.empty() && read != staged) {
      errors.push_back(
          StrCat("snapshot file group ", i, ": read ", read, " records, staged ", staged));
    }
    for (auto it = (*s)["partitions"].begin(); it != (*s)["partitions"].end(); ++it) {
      Counts& c = parts[it.key()];
      c.staging_records += it.value().value("n_record", int64_t{0});
      c.staging_bytes += it.value().value("total_size", int64_t{0});
      c.staging_files += it.value().value("n_file", int64_t{0});
    }
  }
  // The compaction plan and the final files.
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Make("validate"));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));
  std::map<std::string, std::string> partition_of_file;
  for (int64_t j = 0; j < n_compact; ++j) {
    ATOLL_ASSIGN_OR_RETURN(std::optional<Json> r,
                           GetJson(*staging.store, keys::PartitionGroupResult(j)));
    if (!r) return NotFound("partition file group ", j, " has no result.json");
    Counts& c = parts[r->value("partition", "")];
    c.planned_records += r->value("input_n_record", int64_t{0});
    c.planned_bytes += r->value("input_total_size", int64_t{0});
    c.final_records += r->value("n_record", int64_t{0});
    c.final_bytes += r->value("total_size", int64_t{0});
    c.final_files += static_cast<int64_t>((*r)["files"].size());
    for (const Json& f : (*r)["files"]) {
      partition_of_file[f["file_path"].get<std::string>()] = r->value("partition", "");
    }
  }
  // Footers of the final files: the rows really there.
  std::vector<std::string> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    std::string list;
    for (const std::string& u : batch)
      list += StrCat(list.empty() ? "" : ", ", engine::QuoteString(u));
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult q,
                           engine->Query(StrCat("SELECT file_name, num_rows FROM "
                                                "parquet_file_metadata([",
                                                list, "])")));
    for (const engine::Row& row : q.rows) {
      if (row.size() == 2 && row[0] && row[1]) {
        auto it = partition_of_file.find(*row[0]);
        if (it != partition_of_file.end()) parts[it->second].footer_records += std::stoll(*row[1]);
      }
    }
    batch.clear();
    return Status::OK();
  };
  for (const auto& [uri, p] : partition_of_file) {
    batch.push_back(uri);
    if (batch.size() >= 500) ATOLL_RETURN_NOT_OK(flush());
  }
  ATOLL_RETURN_NOT_OK_CTX(flush(), "reading the footers of the final files");

  ValidationReport report;
  int64_t final_records = 0, final_bytes = 0, staging_bytes = 0, final_files = 0;
  for (const auto& [p, c] : parts) {
    const bool ok = c.staging_records == c.planned_records &&
                    c.planned_records == c.final_records && c.final_records == c.footer_records &&
                    c.staging_bytes == c.planned_bytes;
    if (!ok) {
      errors.push_back(StrCat("partition '", p, "': staged ", c.staging_records, " records (",
                              c.staging_bytes, " bytes), planned ", c.planned_records, " (",
                              c.planned_bytes, " bytes), final ", c.final_records,
                              " (footers: ", c.footer_records, ")"));
    }
    final_records += c.final_records;
    final_bytes += c.final_bytes;
    staging_bytes += c.staging_bytes;
    final_files += c.final_files;
    report.partitions.push_back({.partition = p,
                                 .ok = ok,
                                 .staging_records = c.staging_records,
                                 .staging_bytes = c.staging_bytes,
                                 .staging_files = c.staging_files,
                                 .planned_records = c.planned_records,
                                 .planned_bytes = c.planned_bytes,
                                 .final_records = c.final_records,
                                 .final_footer_records = c.footer_records,
                                 .final_bytes = c.final_bytes,
                                 .final_files = c.final_files});
  }
  if (final_records != rows_staged) {
    errors.push_back(StrCat("staged ", rows_staged, " records in total, final ", final_records));
  }
  if (config.output == "iceberg") {
    ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
    ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
    std::optional<int64_t> sid = table ? CommittedSnapshot(*table, config.RunId()) : std::nullopt;
    ATOLL_ASSIGN_OR_RETURN(std::optional<Json> marker,
                           GetJson(*staging.store, keys::kCommitMarker));
    if (!sid && marker && marker->contains("snapshot_id") &&
        (*marker)["snapshot_id"].is_number_integer()) {
      // Committed (the marker is written after the commit), then expired from the table's
      // history (`atoll maintain`): its summary is gone, the files' footers were read above.
      report.table =
          TableCheck{.snapshot_id = (*marker)["snapshot_id"].get<int64_t>(), .expired = true};
    } else if (!sid) {
      errors.push_back(
          StrCat("table ", config.table_name, " has no snapshot of run ", config.RunId()));
    } else {
      const iceberg::Snapshot* s = table->metadata().SnapshotById(*sid);
      auto get = [s](const char* key) -> int64_t {
        if (s == nullptr) return -1;
        auto it = s->summary.find(key);
        return it == s->summary.end() ? -1 : std::stoll(it->second);
      };
      report.table = TableCheck{.snapshot_id = *sid,
                                .added_records = get("added-records"),
                                .added_data_files = get("added-data-files")};
      if (get("added-records") != final_records || get("added-data-files") != final_files) {
        errors.push_back(StrCat("the table's snapshot ", *sid, " added ", get("added-records"),
                                " records in ", get("added-data-files"), " files; expected ",
                                final_records, " in ", final_files));
      }
    }
  }
  report.run_id = config.RunId();
  report.ok = errors.empty();
  report.errors = errors;
  report.source_n_record_known = source_records;
  report.source_files_without_count = source_unknown;
  report.rows_read = rows_read;
  report.rows_staged = rows_staged;
  report.final_records = final_records;
  report.staging_bytes = staging_bytes;
  report.final_bytes = final_bytes;
  report.final_files = final_files;
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kValidation, ToJson(report)));
  if (!errors.empty()) {
    return Corruption("validation of run ", config.RunId(), " failed: ", errors.front(),
                      errors.size() > 1 ? StrCat(" (and ", errors.size() - 1, " more; see ",
                                                 staging.Uri(keys::kValidation), ")")
                                        : std::string());
  }
  return report;
}

Result<StatusReport> GetStatus(const Bucket& staging) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_stage, SnapshotGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_compact, PartitionGroupCount(staging));
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> staged, internal::DoneGroups(staging, "stage"));
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> compacted, internal::DoneGroups(staging, "compact"));
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> commit, GetJson(*staging.store, keys::kCommitMarker));
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> validation,
                         GetJson(*staging.store, keys::kValidation));
  std::string phase = "plan";
  if (n_stage > 0) phase = "stage";
  if (n_stage > 0 && static_cast<int64_t>(staged.size()) >= n_stage) phase = "plan-compaction";
  if (n_compact > 0) phase = "compact";
  if (n_compact > 0 && static_cast<int64_t>(compacted.size()) >= n_compact) phase = "commit";
  if (commit) phase = "validate";
  if (validation && validation->value("ok", false)) phase = "done";
  StatusReport report;
  report.run_id = config.RunId();
  report.staging = staging.root_uri;
  report.phase = phase;
  report.stage_groups = n_stage;
  report.stage_done = static_cast<int64_t>(staged.size());
  report.compact_groups = n_compact;
  report.compact_done = static_cast<int64_t>(compacted.size());
  report.committed = commit.has_value();
  if (commit && commit->contains("snapshot_id") && (*commit)["snapshot_id"].is_number_integer())
    report.snapshot_id = (*commit)["snapshot_id"].get<int64_t>();
  if (validation) report.validation_ok = validation->value("ok", false);
  return report;
}

}  // namespace atl::snapshot
