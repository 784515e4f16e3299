// Plan, PlanCompaction and the helpers shared by the steps (see steps.h).
#include "atoll/snapshot/steps.h"

#include <signal.h>
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "atoll/iceberg/commit/table.h"
#include "atoll/ingest/landing_schema.h"
#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/grouping.h"
#include "atoll/snapshot/target.h"

namespace atl::snapshot {

namespace internal {

void MaybeCrash(std::string_view step, int64_t index) {
  const std::string here = StrCat(step, ":", index);
  const char* crash = std::getenv("ATOLL_SNAPSHOT_CRASH");
  if (crash != nullptr && here == crash) raise(SIGKILL);
  const char* stall = std::getenv("ATOLL_SNAPSHOT_STALL");
  if (stall != nullptr && here == stall) std::this_thread::sleep_for(std::chrono::seconds(60));
}

Result<std::vector<int64_t>> DoneGroups(const Bucket& staging, std::string_view step) {
  const std::string prefix = StrCat("markers/", step, "/group=");
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects,
                         storage::ListAll(*staging.store, prefix));
  std::vector<int64_t> out;
  for (const storage::ObjectInfo& o : objects) {
    std::string rest = o.key.substr(prefix.size());
    if (rest.size() > 5 && rest.compare(rest.size() - 5, 5, ".done") == 0) {
      out.push_back(std::stoll(rest.substr(0, rest.size() - 5)));
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace internal

namespace {

Result<int64_t> GroupCount(const Bucket& staging, std::string_view plan_key) {
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> plan, GetJson(*staging.store, plan_key));
  if (!plan) return 0;
  return plan->value("n_groups", int64_t{0});
}

// The members of run.json that must agree between two plans of the same run.
Json Comparable(Json doc) {
  doc.erase("workers_hint");
  return doc;
}

}  // namespace

Result<int64_t> SnapshotGroupCount(const Bucket& staging) {
  return GroupCount(staging, keys::kSnapshotGroupsPlan);
}

Result<int64_t> PartitionGroupCount(const Bucket& staging) {
  return GroupCount(staging, keys::kPartitionGroupsPlan);
}

Result<ManifestReport> WriteSnapshotManifest(const std::string& source_prefix,
                                             const std::string& out_uri, bool count_text_rows,
                                             int threads) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Make("manifest"));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(threads, scratch->path()));
  ATOLL_ASSIGN_OR_RETURN(std::vector<FileEntry> files,
                         ScanSnapshotFiles(*engine, source_prefix, count_text_rows));
  if (files.empty()) return NotFound("no data files under ", source_prefix);
  ATOLL_ASSIGN_OR_RETURN(Bucket out, OpenBucket(out_uri));
  Json extra = {{"source", source_prefix}};
  ATOLL_RETURN_NOT_OK(WriteFileManifest(*engine, out, "", files, extra, scratch->path()));
  return ManifestReport{SummarizeFiles(files), out.root_uri};
}

Result<PlanReport> Plan(const PlanOptions& options) {
  const RunConfig& config = options.config;
  if (config.db.empty() || config.table.empty() || config.snapshot.empty()) {
    return InvalidArgument("a run needs --db, --table and --snapshot");
  }
  ATOLL_RETURN_NOT_OK(config.Validate());
  if (config.output == "iceberg" && (config.lake_uri.empty() || config.table_name.empty())) {
    return InvalidArgument("output iceberg needs a lake (--lake)");
  }
  if (config.output == "hive" && config.hive_uri.empty()) {
    return InvalidArgument("output hive needs a destination folder (--dest)");
  }
  ATOLL_ASSIGN_OR_RETURN(Bucket staging, OpenBucket(config.StagingUri()));
  PlanReport report;
  report.staging = staging.root_uri;
  report.run_id = config.RunId();

  // run.json: written once; a second plan must agree with it.
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> existing, GetJson(*staging.store, keys::kRun));
  if (existing) {
    // Through RunConfig, so that members a newer version added compare at their defaults.
    ATOLL_ASSIGN_OR_RETURN(RunConfig earlier, RunConfig::FromJson(*existing));
    if (Comparable(earlier.ToJson()) != Comparable(config.ToJson())) {
      return AlreadyExists("a run with other settings exists at ", staging.root_uri,
                           " (its run.json differs; use another --snapshot or --work)");
    }
  } else {
    ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kRun, config.ToJson()));
  }

  ATOLL_ASSIGN_OR_RETURN(bool planned, Exists(*staging.store, keys::kSnapshotGroupsPlan));
  if (planned) {
    ATOLL_ASSIGN_OR_RETURN(report.n_groups, SnapshotGroupCount(staging));
    report.skipped = "already planned";
    return report;
  }

  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Make("plan"));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));

  // The snapshot file manifest, copied into manifests/ (normalized) or written from a scan.
  const std::string manifest_summary = StrCat(keys::kManifestDir, "/", kSummaryName);
  ATOLL_ASSIGN_OR_RETURN(bool have_manifest, Exists(*staging.store, manifest_summary));
  if (!have_manifest) {
    std::vector<FileEntry> files;
    Json extra;
    if (!options.manifest_uri.empty()) {
      ATOLL_ASSIGN_OR_RETURN(Bucket given, OpenBucket(options.manifest_uri));
      ATOLL_ASSIGN_OR_RETURN(files, ReadManifestData(*engine, {given.Uri(kDataName)}));
      extra["source_manifest"] = given.root_uri;
    } else if (!options.source_prefix.empty()) {
      ATOLL_ASSIGN_OR_RETURN(
          files, ScanSnapshotFiles(*engine, options.source_prefix, options.count_text_rows));
      extra["source"] = options.source_prefix;
    } else {
      return InvalidArgument("no snapshot file manifest: give --source PREFIX or --manifest DIR");
    }
    if (files.empty()) return NotFound("the snapshot has no data files");
    ATOLL_RETURN_NOT_OK(
        WriteFileManifest(*engine, staging, keys::kManifestDir, files, extra, scratch->path()));
  }
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<FileEntry> files,
      ReadManifestData(*engine, {staging.Uri(StrCat(keys::kManifestDir, "/", kDataName))}));

  // Snapshot file groups.
  std::vector<int64_t> sizes;
  int64_t total = 0;
  for (const FileEntry& f : files) {
    sizes.push_back(f.size);
    total += f.size;
  }
  const int64_t target = DeriveGroupTarget(total, config.workers_hint, config.group_target_bytes);
  std::vector<std::vector<size_t>> groups = PackFileGroups(sizes, target);
  for (size_t g = 0; g < groups.size(); ++g) {
    std::vector<FileEntry> members;
    for (size_t i : groups[g]) members.push_back(files[i]);
    ATOLL_RETURN_NOT_OK(WriteFileManifest(*engine, staging, keys::SnapshotGroupDir(g), members,
                                          {{"group", g}}, scratch->path()));
  }
  Json plan = {{"n_groups", groups.size()},
               {"n_file", files.size()},
               {"total_size", total},
               {"group_target_bytes", target},
               {"rule", config.group_target_bytes > 0
                            ? "configured group size; files in URI order, a group closes before "
                              "the file that would exceed it"
                            : "total/(4*workers) clamped to [32 MiB, 1 GiB]; files in URI order, "
                              "a group closes before the file that would exceed it"}};
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kSnapshotGroupsPlan, plan));
  report.n_groups = static_cast<int64_t>(groups.size());
  report.n_file = static_cast<int64_t>(files.size());
  report.group_target_bytes = target;
  return report;
}

namespace {

// Creates the target table from the staging files' columns when it does not exist.
Status EnsureTable(const RunConfig& config, engine::Engine& engine,
                   const std::vector<FileEntry>& staging_files, PlanCompactionReport* report) {
  ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
  if (table) return Status::OK();
  std::vector<std::string> uris;
  for (const FileEntry& f : staging_files) uris.push_back(f.uri);
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult described,
      engine.Query(StrCat("DESCRIBE SELECT * FROM ", ReadFilesSql(FileFormat::kParquet, uris))));
  lake::DuckColumns columns;
  for (const engine::Row& row : described.rows) {
    if (row.size() < 2 || !row[0] || !row[1]) return Internal("unexpected DESCRIBE result");
    columns.emplace_back(*row[0], *row[1]);
  }
  ATOLL_ASSIGN_OR_RETURN(iceberg::Schema schema, lake::SchemaForColumns(columns));
  iceberg::CreateTableOptions co;
  co.schema = schema;
  for (const std::string& key : config.partition_keys) {
    const iceberg::NestedField* field = schema.FindFieldByName(key);
    if (field == nullptr) return InvalidArgument("partition key '", key, "' is not a column");
    co.partition.push_back({{field->id}, key, iceberg::Transform::Identity()});
  }
  co.properties = {{"write.format.default", "parquet"},
                   {"write.parquet.compression-codec", config.compression},
                   {"atoll.zone", target.id.ns.empty() ? "" : target.id.ns.front()}};
  if (config.compression == "zstd") {
    co.properties["write.parquet.compression-level"] = std::to_string(config.compression_level);
  }
  ATOLL_RETURN_NOT_OK(lake::EnsureNamespace(*target.tables.catalog, target.id.ns));
  Result<iceberg::Table> created =
      iceberg::Table::Create(target.tables.catalog, target.tables.io, target.id, co);
  if (!created.ok() && created.status().code() != StatusCode::kAlreadyExists) {
    return created.status().WithContext(StrCat("creating table ", config.table_name));
  }
  report->table_created = created.ok();
  if (created.ok())
    ATOLL_RETURN_NOT_OK(RecordCommit(target, *created, std::nullopt, trail::RecordKind::kCreate));
  return Status::OK();
}

}  // namespace

Result<PlanCompactionReport> PlanCompaction(const Bucket& staging, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  PlanCompactionReport report;
  ATOLL_ASSIGN_OR_RETURN(bool planned, Exists(*staging.store, keys::kPartitionGroupsPlan));
  if (planned && !options.force) {
    ATOLL_ASSIGN_OR_RETURN(report.n_groups, PartitionGroupCount(staging));
    report.skipped = "already planned";
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(int64_t n_stage, SnapshotGroupCount(staging));
  if (n_stage == 0) return InvalidArgument("the run is not planned yet");
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> done, internal::DoneGroups(staging, "stage"));
  if (static_cast<int64_t>(done.size()) < n_stage) {
    std::string missing;
    size_t k = 0;
    for (int64_t i = 0; i < n_stage; ++i) {
      if (k < done.size() && done[k] == i) {
        ++k;
        continue;
      }
      missing += StrCat(missing.empty() ? "" : ",", i);
    }
    return InvalidArgument("stage groups not done yet: ", missing);
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Make("plan-compaction"));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));
  std::vector<std::string> manifests;
  for (int64_t i = 0; i < n_stage; ++i) {
    manifests.push_back(staging.Uri(StrCat(keys::StagingGroupDir(i), "/", kDataName)));
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<FileEntry> staged, ReadManifestData(*engine, manifests));
  if (staged.empty()) return InvalidArgument("the staging datalake is empty (no rows staged)");
  if (config.output == "iceberg")
    ATOLL_RETURN_NOT_OK(EnsureTable(config, *engine, staged, &report));
  std::vector<PartitionFileGroup> groups =
      PackPartitionGroups(staged, config.target_file_size, config.workers_hint);
  Json list = Json::array();
  for (size_t j = 0; j < groups.size(); ++j) {
    const PartitionFileGroup& g = groups[j];
    ATOLL_RETURN_NOT_OK(WriteFileManifest(*engine, staging, keys::PartitionGroupDir(j), g.files,
                                          {{"group", j},
                                           {"partition", g.partition},
                                           {"n_output_file", g.n_output_file},
                                           {"output_file_size", g.file_size}},
                                          scratch->path()));
    list.push_back({{"group", j},
                    {"partition", g.partition},
                    {"n_file", g.files.size()},
                    {"n_record", g.records()},
                    {"total_size", g.bytes()},
                    {"n_output_file", g.n_output_file},
                    {"output_file_size", g.file_size}});
  }
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kPartitionGroupsPlan,
                              {{"n_groups", groups.size()},
                               {"target_file_size", config.target_file_size},
                               {"rule",
                                "per partition of B staging bytes: N = max(1, round(B/target)) "
                                "files of B/N each, or, when B/N is more than 10% off the "
                                "target, one group of files of the target and a smaller last "
                                "one; up to 4 files per group, staging files in URI order cut "
                                "at the edge that splits best into whole files (grouping.h)"},
                               {"groups", list}}));
  report.n_groups = static_cast<int64_t>(groups.size());
  report.n_staging_files = static_cast<int64_t>(staged.size());
  return report;
}

}  // namespace atl::snapshot
