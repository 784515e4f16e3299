// Compact(j) and Commit (see steps.h).
#include <filesystem>
#include <map>

#include "atoll/iceberg/transaction.h"
#include "atoll/snapshot/data_file_json.h"
#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/steps.h"
#include "atoll/snapshot/target.h"
#include "atoll/table/data_writer.h"

namespace atl::snapshot {

namespace fs = std::filesystem;
using engine::QuoteString;

namespace {

std::string Padded(int64_t j) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05lld", static_cast<long long>(j));
  return buf;
}

// "snap-<run hash>-p<jjjjj>-": the name prefix of the final files of partition group j.
std::string OutputPrefix(const RunConfig& config, int64_t j) {
  return StrCat("snap-", ShortHash(config.RunId()), "-p", Padded(j), "-");
}

Status DeleteWithPrefix(storage::Store& store, const std::string& dir_prefix,
                        const std::string& name_prefix) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects,
                         storage::ListAll(store, dir_prefix));
  std::vector<std::string> doomed;
  for (const storage::ObjectInfo& o : objects) {
    const std::string name = o.key.substr(o.key.rfind('/') + 1);
    if (name.rfind(name_prefix, 0) == 0) doomed.push_back(o.key);
  }
  if (doomed.empty()) return Status::OK();
  return store.DeleteMany(doomed).WithContext("deleting the outputs of an earlier attempt");
}

// Iceberg output: data files under the table's location, with metrics.
Result<Json> CompactIceberg(const RunConfig& config, engine::Engine& e, int64_t j,
                            const std::string& query, const std::string& partition) {
  ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
  if (!table)
    return NotFound("table ", config.table_name, " does not exist (plan-compaction creates it)");
  if (CommittedSnapshot(*table, config.RunId())) return Json{{"skipped", "already committed"}};
  const std::string prefix = OutputPrefix(config, j);
  const std::string table_key = target.KeyOf(table->location());
  if (!table_key.empty()) {
    ATOLL_RETURN_NOT_OK(DeleteWithPrefix(target.lake->store(), table_key + "/data/", prefix));
  }
  internal::MaybeCrash("compact-begin", j);
  table::DataWriterOptions wo;
  wo.target_file_size_bytes = config.target_file_size;
  wo.file_name_prefix = prefix;
  const iceberg::TableMetadata& md = table->metadata();
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<iceberg::DataFile> files,
                             table::WriteDataFiles(e, query, *md.CurrentSchema(), *md.DefaultSpec(),
                                                   table->location(), wo),
                             StrCat("compacting partition file group ", j));
  internal::MaybeCrash("compact", j);
  Json list = Json::array();
  int64_t records = 0, bytes = 0;
  for (const iceberg::DataFile& f : files) {
    ATOLL_ASSIGN_OR_RETURN(Json doc, DataFileToJson(f));
    list.push_back(std::move(doc));
    records += f.record_count;
    bytes += f.file_size_in_bytes;
  }
  return Json{{"group", j},          {"partition", partition}, {"output", "iceberg"},
              {"n_record", records}, {"total_size", bytes},    {"files", list}};
}

// Hive output: <dest>/<partition>/p<j>-<n>.parquet.
Result<Json> CompactHive(const RunConfig& config, engine::Engine& e, int64_t j,
                         const std::string& query, const std::string& partition,
                         const std::string& scratch) {
  ATOLL_ASSIGN_OR_RETURN(Bucket dest, OpenBucket(config.hive_uri));
  const std::string dir = partition.empty() ? "" : partition + "/";
  const std::string prefix = OutputPrefix(config, j);
  ATOLL_RETURN_NOT_OK(DeleteWithPrefix(*dest.store, dir, prefix));
  const std::string out = scratch + "/out";
  ATOLL_RETURN_NOT_OK(e.Execute(StrCat("COPY (", query, ") TO ", QuoteString(out),
                                       " (FORMAT parquet, COMPRESSION zstd, FILE_SIZE_BYTES ",
                                       config.target_file_size, ", FILENAME_PATTERN 'f{i}')")));
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult rows,
                         e.Query(StrCat("SELECT file_name, num_rows FROM parquet_file_metadata(",
                                        QuoteString(out + "/*.parquet"), ") ORDER BY file_name")));
  Json list = Json::array();
  int64_t records = 0, bytes = 0;
  for (const engine::Row& row : rows.rows) {
    if (row.size() != 2 || !row[0] || !row[1]) return Internal("unexpected footer query result");
    const std::string local = *row[0];
    const std::string name = fs::path(local).filename().string();
    const std::string key = StrCat(dir, prefix, name.substr(1));
    ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, UploadFile(*dest.store, key, local));
    internal::MaybeCrash("compact", j);
    const int64_t n = std::stoll(*row[1]);
    list.push_back(
        {{"file_path", dest.Uri(key)}, {"record_count", n}, {"file_size_in_bytes", info.size}});
    records += n;
    bytes += static_cast<int64_t>(info.size);
  }
  return Json{{"group", j},          {"partition", partition}, {"output", "hive"},
              {"n_record", records}, {"total_size", bytes},    {"files", list}};
}

}  // namespace

Result<Json> Compact(const Bucket& staging, int64_t index, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_groups, PartitionGroupCount(staging));
  if (index < 0 || index >= n_groups) {
    return InvalidArgument("compact index ", index, " out of range: the run has ", n_groups,
                           " partition file groups");
  }
  Json report = {{"step", "compact"}, {"group", index}};
  ATOLL_ASSIGN_OR_RETURN(bool done, Exists(*staging.store, keys::CompactMarker(index)));
  if (done && !options.force) {
    report["skipped"] = "already done";
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch,
                         ScratchDir::Make(StrCat("compact-", index)));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));
  ATOLL_ASSIGN_OR_RETURN(
      std::optional<Json> summary,
      GetJson(*staging.store, StrCat(keys::PartitionGroupDir(index), "/", kSummaryName)));
  if (!summary) return NotFound("partition file group ", index, " has no manifest");
  const std::string partition = summary->value("partition", "");
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<FileEntry> files,
      ReadManifestData(*engine,
                       {staging.Uri(StrCat(keys::PartitionGroupDir(index), "/", kDataName))}));
  std::vector<std::string> uris;
  for (const FileEntry& f : files) uris.push_back(f.uri);
  const std::string query = StrCat("SELECT * FROM ", ReadFilesSql(FileFormat::kParquet, uris));
  Json result;
  if (config.output == "hive") {
    ATOLL_ASSIGN_OR_RETURN(result,
                           CompactHive(config, *engine, index, query, partition, scratch->path()));
  } else {
    ATOLL_ASSIGN_OR_RETURN(result, CompactIceberg(config, *engine, index, query, partition));
    if (result.contains("skipped")) {
      report["skipped"] = result["skipped"];
      return report;
    }
  }
  result["input_n_record"] = summary->value("n_record", int64_t{0});
  result["input_total_size"] = summary->value("total_size", int64_t{0});
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::PartitionGroupResult(index), result));
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::CompactMarker(index),
                              {{"group", index}, {"n_record", result["n_record"]}}));
  report["n_record"] = result["n_record"];
  report["n_file"] = result["files"].size();
  report["total_size"] = result["total_size"];
  return report;
}

Result<Json> Commit(const Bucket& staging, const WorkerOptions& options) {
  (void)options;
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_groups, PartitionGroupCount(staging));
  if (n_groups == 0) return InvalidArgument("compaction is not planned yet");
  Json report = {{"step", "commit"}, {"run_id", config.RunId()}};
  if (config.output == "iceberg") {
    ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
    ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
    if (!table) return NotFound("table ", config.table_name, " does not exist");
    if (std::optional<int64_t> sid = CommittedSnapshot(*table, config.RunId())) {
      ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker, {{"snapshot_id", *sid}}));
      report["skipped"] = "already committed";
      report["snapshot_id"] = *sid;
      return report;
    }
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> done, internal::DoneGroups(staging, "compact"));
  if (static_cast<int64_t>(done.size()) < n_groups) {
    return InvalidArgument(n_groups - static_cast<int64_t>(done.size()),
                           " partition file groups are not compacted yet");
  }
  std::vector<Json> results;
  for (int64_t j = 0; j < n_groups; ++j) {
    ATOLL_ASSIGN_OR_RETURN(std::optional<Json> r,
                           GetJson(*staging.store, keys::PartitionGroupResult(j)));
    if (!r) return NotFound("partition file group ", j, " has no result.json");
    results.push_back(std::move(*r));
  }
  int64_t records = 0, n_files = 0;
  if (config.output == "hive") {
    for (const Json& r : results) {
      records += r.value("n_record", int64_t{0});
      n_files += static_cast<int64_t>(r["files"].size());
    }
    ATOLL_ASSIGN_OR_RETURN(Bucket dest, OpenBucket(config.hive_uri));
    ATOLL_RETURN_NOT_OK(
        PutJson(*dest.store, "_SUCCESS",
                {{"run_id", config.RunId()}, {"n_record", records}, {"n_file", n_files}}));
    ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker, {{"n_record", records}}));
    report["n_record"] = records;
    report["n_file"] = n_files;
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
  const iceberg::TableMetadata& md = table->metadata();
  ATOLL_ASSIGN_OR_RETURN(iceberg::TypePtr partition_type,
                         md.DefaultSpec()->PartitionType(*md.CurrentSchema()));
  std::vector<iceberg::DataFile> files;
  for (const Json& r : results) {
    for (const Json& f : r["files"]) {
      ATOLL_ASSIGN_OR_RETURN(iceberg::DataFile df, DataFileFromJson(f, partition_type));
      records += df.record_count;
      files.push_back(std::move(df));
    }
  }
  n_files = static_cast<int64_t>(files.size());
  const std::string run_id = config.RunId();
  const std::optional<int64_t> before = table->metadata().current_snapshot_id;
  iceberg::Transaction tx = table->NewTransaction();
  tx.Validate([run_id](const iceberg::TableMetadata& base) -> Status {
    for (const iceberg::Snapshot& s : base.snapshots) {
      auto it = s.summary.find(std::string(kRunIdKey));
      if (it != s.summary.end() && it->second == run_id)
        return AlreadyExists("run ", run_id, " is already committed");
    }
    return Status::OK();
  });
  tx.Append(std::move(files), {{std::string(kRunIdKey), run_id},
                               {"atoll.snapshot.partition-file-groups", std::to_string(n_groups)}});
  internal::MaybeCrash("commit", 0);
  Status st = tx.Commit();
  if (!st.ok() && st.code() != StatusCode::kAlreadyExists) {
    return st.WithContext(StrCat("committing run ", run_id, " to ", config.table_name));
  }
  if (st.ok()) ATOLL_RETURN_NOT_OK(RecordCommit(target, *table, before, trail::RecordKind::kAppend));
  ATOLL_ASSIGN_OR_RETURN(table, target.Load());
  std::optional<int64_t> sid = CommittedSnapshot(*table, run_id);
  if (!sid) return Internal("the commit of run ", run_id, " is not in the table");
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker,
                              {{"snapshot_id", *sid}, {"n_record", records}, {"n_file", n_files}}));
  report["snapshot_id"] = *sid;
  report["n_record"] = records;
  report["n_file"] = n_files;
  if (!st.ok()) report["skipped"] = "committed concurrently by another process";
  return report;
}

}  // namespace atl::snapshot
