// Compact(j) and Commit (see steps.h).
#include <algorithm>
#include <charconv>
#include <filesystem>
#include <functional>
#include <map>
#include <set>

#include "atoll/common/local_fs.h"
#include "atoll/iceberg/commit/snapshot_files.h"
#include "atoll/iceberg/commit/transaction.h"
#include "atoll/iceberg/literal.h"
#include "atoll/snapshot/data_file_json.h"
#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/steps.h"
#include "atoll/snapshot/target.h"
#include "atoll/table/data_writer.h"

namespace atl::snapshot {

// sql-names: p, c, queries, CopyCompressionOptions, rollover, precision, scale
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace fs = std::filesystem;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

std::string Padded(int64_t j) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%05lld", static_cast<long long>(j));
  return buf;
}

// "snap-<run hash>-p": the name prefix of every final file of the run.
std::string RunFilePrefix(const RunConfig& config) {
  return StrCat("snap-", ShortHash(config.RunId()), "-p");
}

// "snap-<run hash>-p<jjjjj>-": the name prefix of the final files of partition group j.
std::string OutputPrefix(const RunConfig& config, int64_t j) {
  return StrCat(RunFilePrefix(config), Padded(j), "-");
}

// Deletes the objects under `list_prefix` whose name starts with `name_prefix` and that
// `keep` does not keep (by key); returns how many. `what` names them in an error.
Result<int64_t> DeleteUnkept(storage::Store& store, const std::string& list_prefix,
                             const std::string& name_prefix,
                             const std::function<bool(const std::string&)>& keep,
                             const std::string& what) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects,
                         storage::ListAll(store, list_prefix));
  std::vector<std::string> doomed;
  for (const storage::ObjectInfo& o : objects) {
    const std::string name = o.key.substr(o.key.rfind('/') + 1);
    if (name.starts_with(name_prefix) && !keep(o.key)) doomed.push_back(o.key);
  }
  if (doomed.empty()) return 0;
  ATOLL_RETURN_NOT_OK_CTX(store.DeleteMany(doomed), StrCat("deleting ", what));
  return static_cast<int64_t>(doomed.size());
}

// The rows of output file k of a partition file group: [begin, end) of the group's rows
// in manifest order (grouping.h decides the number of files and their size in staging
// bytes). Files are cut by rows, not by DuckDB's FILE_SIZE_BYTES rollover: a group's
// output bytes differ from its staging bytes (types widened to the table's, row groups
// merged), which rollover would put into one small last file, while equal rows give equal
// files whatever the ratio.
struct Slice {
  int64_t begin = 0;
  int64_t end = 0;
};

// Full files of `file_size` staging bytes' worth of rows (the group's rows x file_size /
// bytes), the last file taking the rest; one slice when the plan predates these members or
// a file's row count is unknown.
std::vector<Slice> Slices(const Json& summary, const std::vector<FileEntry>& files) {
  int64_t rows = 0;
  for (const FileEntry& f : files) {
    if (!f.n_record) return {Slice{0, -1}};
    rows += *f.n_record;
  }
  const int64_t n_files = summary.value("n_output_file", int64_t{0});
  const int64_t file_size = summary.value("output_file_size", int64_t{0});
  const int64_t bytes = summary.value("total_size", int64_t{0});
  if (n_files <= 1 || file_size <= 0 || bytes <= 0 || rows == 0) return {Slice{0, rows}};
  const auto per_file = std::max<int64_t>(
      1, static_cast<int64_t>(static_cast<double>(rows) * static_cast<double>(file_size) /
                                  static_cast<double>(bytes) +
                              0.5));
  std::vector<Slice> out;
  for (int64_t k = 0; k < n_files && k * per_file < rows; ++k) {
    out.push_back({k * per_file, k + 1 == n_files ? rows : std::min(rows, (k + 1) * per_file)});
  }
  out.back().end = rows;
  return out;
}

// SQL for the rows [begin, end) of `files` read one after the other (end -1: all rows).
// Whole files are read by one read_parquet; a file cut by the range is read with a
// file_row_number filter, which DuckDB turns into skipped row groups.
std::string SliceSql(const std::vector<FileEntry>& files, const Slice& slice) {
  std::vector<std::string> parts, whole;
  auto flush = [&] {
    if (whole.empty()) return;
    parts.push_back(StrCat("SELECT * FROM ", ReadFilesSql(FileFormat::kParquet, whole)));
    whole.clear();
  };
  int64_t offset = 0;
  for (const FileEntry& f : files) {
    const int64_t n = f.n_record.value_or(0);
    if (slice.end < 0) {
      whole.push_back(f.uri);
      continue;
    }
    const int64_t lo = std::max(slice.begin, offset), hi = std::min(slice.end, offset + n);
    if (lo < hi && lo == offset && hi == offset + n) {
      whole.push_back(f.uri);
    } else if (lo < hi) {
      flush();
      parts.push_back(StrCat("SELECT * EXCLUDE (file_row_number) FROM read_parquet(",
                             QuoteString(f.uri),
                             ", file_row_number = true, hive_partitioning = false) "
                             "WHERE file_row_number >= ",
                             lo - offset, " AND file_row_number < ", hi - offset));
    }
    offset += n;
  }
  flush();
  std::string sql;
  for (const std::string& p : parts) sql += StrCat(sql.empty() ? "" : " UNION ALL BY NAME ", p);
  return sql;
}

// A bound for DuckDB's rollover that planned files never reach: a safety net only.
int64_t RolloverBound(const Json& summary, int64_t target) {
  return 2 * std::max(summary.value("output_file_size", int64_t{0}), target);
}

// The partition tuple of a group's rows, read from the first row of its staging file `uri`
// (each staging file holds one value per key), so that the writer can skip its staging
// table (DataWriterOptions::constant_partition). nullopt when a spec field is not an
// identity of a top-level boolean, int, long, string, date, timestamp[tz] or decimal column
// that is one of the run's partition keys (`keys`, which the staging files are split by):
// the writer then finds the tuple itself.
Result<std::optional<std::vector<iceberg::Literal>>> GroupTuple(
    engine::Engine& e, const iceberg::Schema& schema, const iceberg::PartitionSpec& spec,
    const std::vector<std::string>& keys, const std::string& uri) {
  using iceberg::TypeId;
  const std::optional<std::vector<iceberg::Literal>> none;
  std::vector<const iceberg::NestedField*> fields;
  std::string select;
  for (const iceberg::PartitionField& pf : spec.fields) {
    if (pf.transform.kind() != iceberg::TransformKind::kIdentity || pf.source_ids.size() != 1)
      return none;
    const iceberg::NestedField* field = schema.FindFieldById(pf.source_id());
    if (field == nullptr || schema.FindFieldByName(field->name) != field) return none;
    if (std::find(keys.begin(), keys.end(), field->name) == keys.end()) return none;
    const std::string c = QuoteIdentifier(field->name);
    std::string sql;
    switch (field->type->id()) {
      case TypeId::kBoolean:
      case TypeId::kInt:
      case TypeId::kLong:
      case TypeId::kString:
        sql = StrCat("CAST(", c, " AS VARCHAR)");
        break;
      case TypeId::kDate:
        sql = StrCat("CAST(CAST(", c, " AS DATE) - DATE '1970-01-01' AS VARCHAR)");
        break;
      case TypeId::kTimestamp:
        sql = StrCat("CAST(epoch_us(CAST(", c, " AS TIMESTAMP)) AS VARCHAR)");
        break;
      case TypeId::kTimestampTz:
        sql = StrCat("CAST(epoch_us(CAST(", c, " AS TIMESTAMPTZ)) AS VARCHAR)");
        break;
      case TypeId::kDecimal:
        sql = StrCat("CAST(CAST(", c, " AS DECIMAL(", field->type->precision(), ",",
                     field->type->scale(), ")) AS VARCHAR)");
        break;
      default:
        return none;
    }
    select += StrCat(select.empty() ? "" : ", ", sql);
    fields.push_back(field);
  }
  if (fields.empty())
    return std::optional<std::vector<iceberg::Literal>>(std::vector<iceberg::Literal>{});
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                         e.Query(StrCat("SELECT ", select, " FROM ",
                                        ReadFilesSql(FileFormat::kParquet, {uri}), " LIMIT 1")));
  if (r.rows.size() != 1 || r.rows[0].size() != fields.size()) return none;
  std::vector<iceberg::Literal> tuple;
  for (size_t k = 0; k < fields.size(); ++k) {
    const iceberg::TypePtr& type = fields[k]->type;
    const engine::Cell& cell = r.rows[0][k];
    if (!cell) {
      tuple.push_back(iceberg::Literal::Null(type));
      continue;
    }
    const std::string& text = *cell;
    int64_t v = 0;
    const bool integral =
        std::from_chars(text.data(), text.data() + text.size(), v).ptr == text.data() + text.size();
    iceberg::Literal::Value value;
    switch (type->id()) {
      case TypeId::kBoolean:
        value = text == "true";
        break;
      case TypeId::kInt:
      case TypeId::kDate:
        if (!integral) return none;
        value = static_cast<int32_t>(v);
        break;
      case TypeId::kLong:
      case TypeId::kTimestamp:
      case TypeId::kTimestampTz:
        if (!integral) return none;
        value = v;
        break;
      case TypeId::kDecimal: {
        ATOLL_ASSIGN_OR_RETURN(value,
                               iceberg::DecimalFromString(text, type->precision(), type->scale()));
        break;
      }
      default:
        value = text;
        break;
    }
    ATOLL_ASSIGN_OR_RETURN(iceberg::Literal lit, iceberg::Literal::Make(type, std::move(value)));
    tuple.push_back(std::move(lit));
  }
  return std::optional<std::vector<iceberg::Literal>>(std::move(tuple));
}

// Iceberg output: data files under the table's location, with metrics.
Result<Json> CompactIceberg(const RunConfig& config, engine::Engine& e, int64_t j,
                            const std::vector<std::string>& queries, const std::string& partition,
                            const std::string& first_file, int64_t rollover) {
  ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
  ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
  if (!table)
    return NotFound("table ", config.table_name, " does not exist (plan-compaction creates it)");
  if (CommittedSnapshot(*table, config.RunId())) return Json{{"skipped", "already committed"}};
  // Nothing is deleted here: files of earlier (killed) or concurrent attempts at this group
  // have other names (uuidv7) and are removed by Commit, once the table says which files
  // the run holds (RemoveUncommitted), so no attempt can delete files another one records.
  const std::string prefix = OutputPrefix(config, j);
  internal::MaybeCrash("compact-begin", j);
  table::DataWriterOptions wo;
  wo.target_file_size_bytes = rollover;
  wo.file_name_prefix = prefix;
  wo.compression = config.compression;
  wo.compression_level = config.compression_level;
  const iceberg::TableMetadata& md = table->metadata();
  ATOLL_ASSIGN_OR_RETURN(
      wo.constant_partition,
      GroupTuple(e, *md.CurrentSchema(), *md.DefaultSpec(), config.partition_keys, first_file));
  std::vector<iceberg::DataFile> files;
  for (const std::string& query : queries) {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<iceberg::DataFile> written,
                               table::WriteDataFiles(e, query, *md.CurrentSchema(),
                                                     *md.DefaultSpec(), table->location(), wo),
                               StrCat("compacting partition file group ", j));
    for (iceberg::DataFile& f : written) files.push_back(std::move(f));
  }
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

// Hive output: <dest>/<partition>/snap-<run hash>-p<j>-<k>-<i>.parquet, file k of the group
// (i counts the files of a size rollover, which planned files do not reach: 0).
Result<Json> CompactHive(const RunConfig& config, engine::Engine& e, int64_t j,
                         const std::vector<std::string>& queries, const std::string& partition,
                         const std::string& scratch, int64_t rollover) {
  ATOLL_ASSIGN_OR_RETURN(Bucket dest, OpenBucket(config.hive_uri));
  const std::string dir = partition.empty() ? "" : partition + "/";
  const std::string prefix = OutputPrefix(config, j);  // names rewritten by every attempt
  const std::string out = scratch + "/out";
  ATOLL_RETURN_NOT_OK(CreateDirectories(out));
  for (size_t k = 0; k < queries.size(); ++k) {
    ATOLL_RETURN_NOT_OK(
        e.Execute(StrCat("COPY (", queries[k], ") TO ", QuoteString(StrCat(out, "/s", k)),
                         " (FORMAT parquet, ", config.CopyCompressionOptions(),
                         ", FILE_SIZE_BYTES ", rollover, ", FILENAME_PATTERN 'f{i}')")));
  }
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult rows,
      e.Query(StrCat("SELECT file_name, num_rows FROM parquet_file_metadata(",
                     QuoteString(out + "/*/*.parquet"), ") ORDER BY file_name")));
  Json list = Json::array();
  int64_t records = 0, bytes = 0;
  for (const engine::Row& row : rows.rows) {
    if (row.size() != 2 || !row[0] || !row[1]) return Internal("unexpected footer query result");
    const std::string local = *row[0];
    // <out>/s<k>/f<i>.parquet -> <prefix><k>-<i>.parquet
    const fs::path path(local);
    const std::string key = StrCat(dir, prefix, path.parent_path().filename().string().substr(1),
                                   "-", path.filename().string().substr(1));
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

// Deletes the run's data files in the table's folder (names "snap-<run hash>-p…") that
// its committed snapshot `sid` does not hold: the outputs of killed or concurrent compact
// attempts. Returns how many. A compact attempt still running after the commit may leave
// files behind; `atoll maintain` removes such orphans.
Result<int64_t> RemoveUncommitted(const RunConfig& config, const Target& target,
                                  const iceberg::Table& table, int64_t sid) {
  const iceberg::Snapshot* snapshot = table.metadata().SnapshotById(sid);
  if (snapshot == nullptr) return Internal("snapshot ", sid, " is not in the table");
  ATOLL_ASSIGN_OR_RETURN(iceberg::SnapshotFileChanges changes,
                         iceberg::FilesChangedBy(*target.tables.io, *snapshot));
  std::set<std::string> committed;
  for (const iceberg::DataFile& f : changes.added) committed.insert(target.KeyOf(f.file_path));
  const std::string table_key = target.KeyOf(table.location());
  if (table_key.empty()) return 0;
  return DeleteUnkept(
      target.lake->store(), table_key + "/data/", RunFilePrefix(config),
      [&](const std::string& key) { return committed.count(key) > 0; },
      "the files of compact attempts the commit does not hold");
}

}  // namespace

Result<CompactReport> Compact(const Bucket& staging, int64_t index, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_groups, PartitionGroupCount(staging));
  if (index < 0 || index >= n_groups) {
    return InvalidArgument("compact index ", index, " out of range: the run has ", n_groups,
                           " partition file groups");
  }
  CompactReport report;
  report.group = index;
  ATOLL_ASSIGN_OR_RETURN(bool done, Exists(*staging.store, keys::CompactMarker(index)));
  if (done && !options.force) {
    report.skipped = "already done";
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch,
                         ScratchDir::Make(StrCat("compact-", index)));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));
  // The rows of a partition file group have no order to keep (the files are cut by row
  // numbers of the staging files, not of the output): DuckDB may write them as its threads
  // finish. Staging keeps the order, so that a re-run stage writes the same bytes.
  ATOLL_RETURN_NOT_OK(engine->Execute("SET preserve_insertion_order = false"));
  ATOLL_ASSIGN_OR_RETURN(
      std::optional<Json> summary,
      GetJson(*staging.store, StrCat(keys::PartitionGroupDir(index), "/", kSummaryName)));
  if (!summary) return NotFound("partition file group ", index, " has no manifest");
  const std::string partition = summary->value("partition", "");
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<FileEntry> files,
      ReadManifestData(*engine,
                       {staging.Uri(StrCat(keys::PartitionGroupDir(index), "/", kDataName))}));
  if (files.empty()) return Internal("partition file group ", index, " has no files");
  std::vector<std::string> queries;
  for (const Slice& slice : Slices(*summary, files)) queries.push_back(SliceSql(files, slice));
  const int64_t rollover = RolloverBound(*summary, config.target_file_size);
  Json result;
  if (config.output == "hive") {
    ATOLL_ASSIGN_OR_RETURN(
        result, CompactHive(config, *engine, index, queries, partition, scratch->path(), rollover));
  } else {
    ATOLL_ASSIGN_OR_RETURN(result, CompactIceberg(config, *engine, index, queries, partition,
                                                  files.front().uri, rollover));
    if (result.contains("skipped")) {
      report.skipped = result["skipped"].get<std::string>();
      return report;
    }
  }
  result["input_n_record"] = summary->value("n_record", int64_t{0});
  result["input_total_size"] = summary->value("total_size", int64_t{0});
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::PartitionGroupResult(index), result));
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::CompactMarker(index),
                              {{"group", index}, {"n_record", result["n_record"]}}));
  report.n_record = result["n_record"].get<int64_t>();
  report.n_file = static_cast<int64_t>(result["files"].size());
  report.total_size = result["total_size"].get<int64_t>();
  return report;
}

Result<CommitReport> Commit(const Bucket& staging, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_groups, PartitionGroupCount(staging));
  if (n_groups == 0) return InvalidArgument("compaction is not planned yet");
  CommitReport report;
  report.run_id = config.RunId();
  // The marker first: the run's snapshot may have been expired from the table since
  // (`atoll maintain`), and its files must not be appended a second time.
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> marker, GetJson(*staging.store, keys::kCommitMarker));
  if (marker && !options.force) {
    report.skipped = "already committed";
    auto member = [&](const char* key) -> std::optional<int64_t> {
      if (!marker->contains(key) || !(*marker)[key].is_number_integer()) return std::nullopt;
      return (*marker)[key].get<int64_t>();
    };
    report.snapshot_id = member("snapshot_id");
    report.n_record = member("n_record");
    report.n_file = member("n_file");
    return report;
  }
  if (config.output == "iceberg") {
    ATOLL_ASSIGN_OR_RETURN(Target target, OpenTarget(config));
    ATOLL_ASSIGN_OR_RETURN(std::optional<iceberg::Table> table, target.Load());
    if (!table) return NotFound("table ", config.table_name, " does not exist");
    if (std::optional<int64_t> sid = CommittedSnapshot(*table, config.RunId())) {
      ATOLL_ASSIGN_OR_RETURN(int64_t removed, RemoveUncommitted(config, target, *table, *sid));
      ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker, {{"snapshot_id", *sid}}));
      report.skipped = "already committed";
      report.snapshot_id = *sid;
      report.removed_files = removed;
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
    // Files of the run that no group lists (an earlier attempt's file whose name the last
    // attempt did not write again): deleted before the folder is declared complete.
    std::set<std::string> listed;
    for (const Json& r : results) {
      for (const Json& f : r["files"]) listed.insert(f.value("file_path", ""));
    }
    auto is_listed = [&](const std::string& key) { return listed.count(dest.Uri(key)) > 0; };
    ATOLL_ASSIGN_OR_RETURN(int64_t removed,
                           DeleteUnkept(*dest.store, "", RunFilePrefix(config), is_listed,
                                        "files of the run that no group lists"));
    report.removed_files = removed;
    ATOLL_RETURN_NOT_OK(
        PutJson(*dest.store, "_SUCCESS",
                {{"run_id", config.RunId()}, {"n_record", records}, {"n_file", n_files}}));
    ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker, {{"n_record", records}}));
    report.n_record = records;
    report.n_file = n_files;
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
  if (st.ok())
    ATOLL_RETURN_NOT_OK(RecordCommit(target, *table, before, trail::RecordKind::kAppend));
  ATOLL_ASSIGN_OR_RETURN(table, target.Load());
  std::optional<int64_t> sid = CommittedSnapshot(*table, run_id);
  if (!sid) return Internal("the commit of run ", run_id, " is not in the table");
  ATOLL_ASSIGN_OR_RETURN(int64_t removed, RemoveUncommitted(config, target, *table, *sid));
  report.removed_files = removed;
  ATOLL_RETURN_NOT_OK(PutJson(*staging.store, keys::kCommitMarker,
                              {{"snapshot_id", *sid}, {"n_record", records}, {"n_file", n_files}}));
  report.snapshot_id = *sid;
  report.n_record = records;
  report.n_file = n_files;
  if (!st.ok()) report.skipped = "committed concurrently by another process";
  return report;
}

}  // namespace atl::snapshot
