// Stage(i): one snapshot file group → the staging datalake (see steps.h).
#include <filesystem>
#include <map>
#include <set>

#include "atoll/common/local_fs.h"
#include "atoll/snapshot/file_manifest.h"
#include "atoll/snapshot/steps.h"

namespace atl::snapshot {

// sql-names: table, source, staged, CopyCompressionOptions
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace fs = std::filesystem;
using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

// One SELECT over the group's files, formats combined by column name.
std::string SourceSql(const std::vector<FileEntry>& files) {
  std::map<FileFormat, std::vector<std::string>> by_format;
  for (const FileEntry& f : files) by_format[FormatOf(f.uri)].push_back(f.uri);
  std::string sql;
  for (const auto& [format, uris] : by_format) {
    if (format == FileFormat::kUnknown) continue;
    sql += StrCat(sql.empty() ? "" : " UNION ALL BY NAME ", "SELECT * FROM ",
                  ReadFilesSql(format, uris));
  }
  return sql;
}

int64_t Count(engine::Engine& engine, const std::string& table) {
  Result<engine::QueryResult> r = engine.Query(StrCat("SELECT count(*) FROM ", table));
  if (!r.ok() || r->rows.empty() || !r->rows[0][0]) return -1;
  return std::stoll(*r->rows[0][0]);
}

struct LocalFile {
  std::string path;
  std::string partition;  // relative directory, "" when unpartitioned
  std::string number;     // the N of partN.parquet
};

}  // namespace

Result<StageReport> Stage(const Bucket& staging, int64_t index, const WorkerOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(RunConfig config, LoadRunConfig(staging));
  ATOLL_ASSIGN_OR_RETURN(int64_t n_groups, SnapshotGroupCount(staging));
  if (index < 0 || index >= n_groups) {
    return InvalidArgument("stage index ", index, " out of range: the run has ", n_groups,
                           " snapshot file groups");
  }
  StageReport report;
  report.group = index;
  ATOLL_ASSIGN_OR_RETURN(bool done, Exists(*staging.store, keys::StageMarker(index)));
  if (done && !options.force) {
    report.skipped = "already done";
    return report;
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch,
                         ScratchDir::Make(StrCat("stage-", index)));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine,
                         OpenSnapshotEngine(options.threads, scratch->path()));
  engine::Engine& e = *engine;
  ATOLL_ASSIGN_OR_RETURN(
      std::vector<FileEntry> files,
      ReadManifestData(e, {staging.Uri(StrCat(keys::SnapshotGroupDir(index), "/", kDataName))}));
  int64_t source_records = 0, source_unknown = 0;
  for (const FileEntry& f : files) {
    if (f.n_record) {
      source_records += *f.n_record;
    } else {
      ++source_unknown;
    }
  }

  // Read, transform, partition.
  const std::string source = SourceSql(files);
  if (source.empty())
    return InvalidArgument("snapshot file group ", index, " has no readable files");
  ATOLL_RETURN_NOT_OK_CTX(e.Execute(StrCat("CREATE TEMP TABLE src AS ", source)),
                          StrCat("reading snapshot file group ", index));
  const int64_t rows_read = Count(e, "src");
  std::string staged = "src";
  if (!config.transform_sql.empty()) {
    ATOLL_RETURN_NOT_OK(e.Execute("CREATE VIEW source AS SELECT * FROM src"));
    ATOLL_RETURN_NOT_OK_CTX(e.Execute(StrCat("CREATE TEMP TABLE staged AS ", config.transform_sql)),
                            "applying the transform");
    staged = "staged";
  }
  const int64_t rows_staged = Count(e, staged);
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult described, e.Query(StrCat("DESCRIBE ", staged)));
  std::set<std::string> columns;
  for (const engine::Row& r : described.rows) {
    if (!r.empty() && r[0]) columns.insert(*r[0]);
  }
  std::string partition_by;
  for (const std::string& k : config.partition_keys) {
    if (!columns.count(k)) {
      return InvalidArgument("partition key '", k, "' is not a column of snapshot file group ",
                             index);
    }
    partition_by += StrCat(partition_by.empty() ? "" : ", ", QuoteIdentifier(k));
  }
  const std::string out_dir = scratch->path() + "/out";
  ATOLL_RETURN_NOT_OK(CreateDirectories(out_dir));
  if (rows_staged > 0) {
    const std::string copy =
        partition_by.empty()
            ? StrCat("COPY ", staged, " TO ", QuoteString(out_dir + "/part0.parquet"),
                     " (FORMAT parquet, ", config.CopyCompressionOptions(), ")")
            : StrCat("COPY ", staged, " TO ", QuoteString(out_dir), " (FORMAT parquet, ",
                     config.CopyCompressionOptions(), ", PARTITION_BY (", partition_by,
                     "), WRITE_PARTITION_COLUMNS true, FILENAME_PATTERN 'part{i}', "
                     "OVERWRITE true)");
    ATOLL_RETURN_NOT_OK_CTX(e.Execute(copy), "writing the staging files");
  }
  std::vector<LocalFile> written;
  for (const auto& entry : fs::recursive_directory_iterator(out_dir)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().filename().string();
    if (name.rfind("part", 0) != 0 || entry.path().extension() != ".parquet") continue;
    LocalFile f;
    f.path = entry.path().string();
    f.partition = fs::relative(entry.path().parent_path(), out_dir).string();
    if (f.partition == ".") f.partition.clear();
    f.number = name.substr(4, name.size() - 4 - 8);
    written.push_back(std::move(f));
  }
  std::map<std::string, int64_t> local_rows;
  if (!written.empty()) {
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                           e.Query(StrCat("SELECT file_name, num_rows FROM parquet_file_metadata(",
                                          QuoteString(out_dir + "/**/*.parquet"), ")")));
    for (const engine::Row& row : r.rows) {
      if (row.size() == 2 && row[0] && row[1]) local_rows[*row[0]] = std::stoll(*row[1]);
    }
  }

  // Deterministic keys; files of this group from an earlier attempt that are not
  // rewritten now are deleted.
  const std::string prefix = keys::StagingFilePrefix(index);
  auto key_of = [&prefix](const LocalFile& f) {
    return StrCat(keys::kDatalake, f.partition.empty() ? "" : f.partition + "/", prefix, f.number,
                  ".parquet");
  };
  std::set<std::string> new_keys;
  for (const LocalFile& f : written) new_keys.insert(key_of(f));
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> existing,
                         storage::ListAll(*staging.store, keys::kDatalake));
  std::vector<std::string> stale;
  for (const storage::ObjectInfo& o : existing) {
    const std::string name = o.key.substr(o.key.rfind('/') + 1);
    if (name.starts_with(prefix) && !new_keys.count(o.key)) stale.push_back(o.key);
  }
  if (!stale.empty())
    ATOLL_RETURN_NOT_OK_CTX(staging.store->DeleteMany(stale), "deleting stale staging files");

  std::vector<FileEntry> entries;
  Json partitions = Json::object();
  int64_t rows_written = 0;
  for (const LocalFile& f : written) {
    const std::string key = key_of(f);
    ATOLL_ASSIGN_OR_RETURN(storage::ObjectInfo info, UploadFile(*staging.store, key, f.path));
    internal::MaybeCrash("stage", index);
    auto rows = local_rows.find(f.path);
    if (rows == local_rows.end()) return Internal("no row count for ", f.path);
    FileEntry entry;
    entry.uri = staging.Uri(key);
    entry.etag = info.etag;
    entry.size = static_cast<int64_t>(info.size);
    entry.n_record = rows->second;
    entry.partition = f.partition;
    rows_written += rows->second;
    Json& p = partitions[f.partition];
    if (!p.is_object()) p = {{"n_file", 0}, {"n_record", 0}, {"total_size", 0}};
    p["n_file"] = p.value("n_file", 0) + 1;
    p["n_record"] = p.value("n_record", int64_t{0}) + rows->second;
    p["total_size"] = p.value("total_size", int64_t{0}) + entry.size;
    entries.push_back(std::move(entry));
  }
  if (rows_written != rows_staged) {
    return Internal("stage group ", index, ": ", rows_staged, " rows staged but ", rows_written,
                    " written");
  }
  Json extra = {{"group", index},
                {"rows_read", rows_read},
                {"rows_staged", rows_staged},
                {"source_n_file", files.size()},
                {"source_n_record", source_records},
                {"source_n_record_unknown", source_unknown},
                {"partitions", partitions}};
  ATOLL_RETURN_NOT_OK(
      WriteFileManifest(e, staging, keys::StagingGroupDir(index), entries, extra, scratch->path()));
  ATOLL_RETURN_NOT_OK(
      PutJson(*staging.store, keys::StageMarker(index),
              {{"group", index}, {"rows_staged", rows_staged}, {"n_file", entries.size()}}));
  report.rows_read = rows_read;
  report.rows_staged = rows_staged;
  report.n_file = static_cast<int64_t>(entries.size());
  return report;
}

}  // namespace atl::snapshot
