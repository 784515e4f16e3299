// Position delete files (stage, group by partition, COPY each group sorted, read the footer)
// and deletion vectors (merge, encode, one Puffin file). See delete_writer.h.
#include "atoll/table/delete_writer.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <filesystem>
#include <random>
#include <utility>

#include "atoll/common/local_fs.h"
#include "atoll/common/version.h"
#include "atoll/iceberg/scan/puffin.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/table/parquet_metrics.h"

namespace atl::table {

// sql-names: rows, copy_options, paths, names
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)
namespace {

using engine::QuoteIdentifier;
using engine::QuoteString;
using iceberg::DataFile;
using iceberg::FileContent;

// read_parquet's schema parameter reading the columns of a position delete file by the field
// ids kDeleteFilePathFieldId and kDeleteFilePosFieldId.
constexpr const char* kPositionDeleteSchemaMap =
    "MAP {2147483546: {name: 'file_path', type: 'VARCHAR', default_value: NULL::VARCHAR}, "
    "2147483545: {name: 'pos', type: 'BIGINT', default_value: NULL::VARCHAR}}";

// A random (version 4) UUID in its text form, for file names.
std::string RandomUuid() {
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd());
  uint64_t hi = gen(), lo = gen();
  hi = (hi & ~0xF000ULL) | 0x4000ULL;                            // version 4
  lo = (lo & ~(0xC000000000000000ULL)) | 0x8000000000000000ULL;  // variant 10
  std::string hex;
  const char* digits = "0123456789abcdef";
  for (uint64_t word : {hi, lo}) {
    for (int shift = 60; shift >= 0; shift -= 4) hex += digits[(word >> shift) & 15];
  }
  return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
         hex.substr(16, 4) + "-" + hex.substr(20);
}

// `<table location>/data`, created when local.
Result<std::string> DataDirectory(std::string_view table_location) {
  std::string location(table_location);
  while (!location.empty() && location.back() == '/') location.pop_back();
  if (location.empty()) return InvalidArgument("the table location is empty");
  std::string dir = location + "/data";
  if (dir.find("://") == std::string::npos) {
    ATOLL_RETURN_NOT_OK(CreateDirectories(dir));
  } else if (dir.starts_with("file://")) {
    ATOLL_RETURN_NOT_OK(CreateDirectories(dir.substr(7)));
  }
  return dir;
}

// The key grouping data files by spec and partition tuple.
std::string GroupKey(const DeletedDataFile& f) {
  std::string key = std::to_string(f.spec_id);
  for (const iceberg::Literal& v : f.partition) {
    key += '\x1f';
    key += v.is_null() ? "N" : "V" + v.ToString();
  }
  return key;
}

Result<int64_t> ParseCount(const engine::Cell& cell, std::string_view what) {
  const std::string text = cell.value_or("");
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size())
    return Internal(what, " is not a number: '", text, "'");
  return v;
}

// The schema of a position delete file without deleted rows.
iceberg::Schema PositionDeleteSchema() {
  return iceberg::Schema(
      0, {iceberg::NestedField{
              kDeleteFilePathFieldId, "file_path", true, iceberg::Type::String(), {}, {}, {}},
          iceberg::NestedField{
              kDeleteFilePosFieldId, "pos", true, iceberg::Type::Long(), {}, {}, {}}});
}

// Drops the staging tables when the write ends, however it ends.
class StageTables {
 public:
  explicit StageTables(engine::Engine& engine) : engine_(engine) {}
  ~StageTables() {
    for (const std::string& t : names_)
      (void)engine_.Execute("DROP TABLE IF EXISTS " + QuoteIdentifier(t));
  }
  std::string Add(std::string name) {
    names_.push_back(name);
    return name;
  }

 private:
  engine::Engine& engine_;
  std::vector<std::string> names_;
};

struct Group {
  const DeletedDataFile* data = nullptr;  // spec and partition
  std::vector<std::string> paths;         // the data files of the group
};

}  // namespace

PlannedDeletes DescribePlannedDeletes(const iceberg::ScanPlan& plan) {
  PlannedDeletes out;
  for (const iceberg::FileScanTask& task : plan.tasks) {
    const std::string& path = task.file.file_path;
    out.data_files[path] = DeletedDataFile{task.spec_id, task.file.partition};
    for (const DataFile& del : task.position_deletes) {
      std::string format = del.file_format;
      for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (del.content_offset.has_value() || format == "PUFFIN") {
        out.deletion_vectors[path] = del;
      } else {
        out.position_delete_files[path].push_back(del);
      }
    }
    if (out.deletion_vectors.count(path)) out.position_delete_files.erase(path);
  }
  return out;
}

Result<std::vector<WrittenDeleteFile>> WritePositionDeletes(
    engine::Engine& engine, std::string_view query,
    const std::map<std::string, DeletedDataFile>& data_files, std::string_view table_location,
    const DataWriterOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::string dir, DataDirectory(table_location));
  const std::string tag = RandomUuid().substr(0, 8);
  StageTables temp(engine);
  const std::string stage = temp.Add("__atoll_deletes_" + tag);
  const std::string groups_table = temp.Add("__atoll_delete_groups_" + tag);

  // 1. The rows, once, typed and distinct; then the data files they name.
  ATOLL_RETURN_NOT_OK(engine
                          .Execute("CREATE TEMP TABLE " + QuoteIdentifier(stage) +
                                   " AS SELECT DISTINCT CAST(q.file_path AS VARCHAR) AS file_path, "
                                   "CAST(q.pos AS BIGINT) AS pos FROM (" +
                                   std::string(query) + ") AS q")
                          .WithContext("staging the rows to delete"));
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult bad,
                         engine.Query("SELECT count(*) FROM " + QuoteIdentifier(stage) +
                                      " WHERE file_path IS NULL OR pos IS NULL OR pos < 0"));
  ATOLL_ASSIGN_OR_RETURN(int64_t bad_rows, ParseCount(bad.rows.at(0).at(0), "a count"));
  if (bad_rows > 0) {
    return InvalidArgument(bad_rows,
                           " rows to delete have a NULL file_path, a NULL pos or a negative pos");
  }
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult named,
                         engine.Query("SELECT file_path, count(*) FROM " + QuoteIdentifier(stage) +
                                      " GROUP BY file_path ORDER BY file_path"));
  if (named.rows.empty()) return std::vector<WrittenDeleteFile>{};

  // 2. Groups by spec and partition, numbered in the order of their first data file.
  std::map<std::string, size_t> group_of_key;
  std::vector<Group> groups;
  std::vector<std::pair<std::string, size_t>> assignment;  // (data file, group)
  for (const engine::Row& row : named.rows) {
    const std::string path = row.at(0).value_or("");
    auto it = data_files.find(path);
    if (it == data_files.end()) {
      return InvalidArgument("a row to delete names the data file '", path,
                             "', which is not among the table's data files given");
    }
    auto [g, inserted] = group_of_key.emplace(GroupKey(it->second), groups.size());
    if (inserted) groups.push_back(Group{&it->second, {}});
    groups[g->second].paths.push_back(path);
    assignment.emplace_back(path, g->second);
  }
  // With several groups, the rows are restaged in (group, file_path, pos) order so that each
  // group's COPY reads only its own row groups (zone maps on gid), not the whole stage.
  std::string sorted_sql = "SELECT file_path, pos FROM " + QuoteIdentifier(stage);
  const bool by_gid = groups.size() > 1;
  if (by_gid) {
    ATOLL_RETURN_NOT_OK(engine.Execute("CREATE TEMP TABLE " + QuoteIdentifier(groups_table) +
                                       " (file_path VARCHAR, gid BIGINT)"));
    constexpr size_t kRowsPerInsert = 1000;
    for (size_t start = 0; start < assignment.size(); start += kRowsPerInsert) {
      std::string rows;
      for (size_t i = start; i < std::min(assignment.size(), start + kRowsPerInsert); ++i) {
        rows += (rows.empty() ? "" : ", ") + std::string("(") + QuoteString(assignment[i].first) +
                ", " + std::to_string(assignment[i].second) + ")";
      }
      ATOLL_RETURN_NOT_OK(
          engine.Execute("INSERT INTO " + QuoteIdentifier(groups_table) + " VALUES " + rows));
    }
    const std::string by_group = temp.Add("__atoll_deletes_by_group_" + tag);
    ATOLL_RETURN_NOT_OK(engine.Execute("CREATE TEMP TABLE " + QuoteIdentifier(by_group) +
                                       " AS SELECT m.gid, s.file_path, s.pos FROM " +
                                       QuoteIdentifier(stage) + " AS s JOIN " +
                                       QuoteIdentifier(groups_table) +
                                       " AS m ON s.file_path = m.file_path ORDER BY m.gid, "
                                       "s.file_path, s.pos"));
    ATOLL_RETURN_NOT_OK(engine.Execute("DROP TABLE " + QuoteIdentifier(stage)));
    sorted_sql = "SELECT file_path, pos FROM " + QuoteIdentifier(by_group);
  }

  // 3. One sorted COPY per group, then its footer.
  std::string copy_options =
      "FORMAT parquet, " +
      ParquetCompressionOptions(options.compression, options.compression_level) +
      ", FIELD_IDS {file_path: " + std::to_string(kDeleteFilePathFieldId) +
      ", pos: " + std::to_string(kDeleteFilePosFieldId) + "}, RETURN_STATS";
  if (options.row_group_size > 0)
    copy_options += ", ROW_GROUP_SIZE " + std::to_string(options.row_group_size);
  const iceberg::Schema schema = PositionDeleteSchema();
  ParquetMetricsOptions metrics = options.metrics;
  metrics.truncate_length = 0;  // full bounds: readers find the referenced files by them
  std::vector<WrittenDeleteFile> out;
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string path =
        dir + "/" + options.file_name_prefix + RandomUuid() + "-deletes.parquet";
    const std::string where_sql = by_gid ? " WHERE gid = " + std::to_string(g) : "";
    ATOLL_ASSIGN_OR_RETURN(
        engine::QueryResult copied,
        engine.Query("COPY (" + sorted_sql + where_sql + " ORDER BY file_path, pos) TO " +
                     QuoteString(path) + " (" + copy_options + ")"));
    if (copied.rows.size() != 1 || copied.rows[0].size() < 3) {
      return Internal("COPY ... RETURN_STATS gave ", copied.rows.size(), " rows for ", path);
    }
    ATOLL_ASSIGN_OR_RETURN(int64_t count, ParseCount(copied.rows[0][1], "COPY's row count"));
    ATOLL_ASSIGN_OR_RETURN(int64_t size, ParseCount(copied.rows[0][2], "COPY's file size"));
    WrittenDeleteFile written;
    ATOLL_ASSIGN_OR_RETURN(written.file, ReadParquetMetrics(engine, path, size, schema, metrics));
    if (written.file.record_count != count) {
      return Internal("COPY reported ", count, " rows in ", path, " but its footer says ",
                      written.file.record_count);
    }
    written.file.content = FileContent::kPositionDeletes;
    written.file.partition = groups[g].data->partition;
    if (groups[g].paths.size() == 1) written.file.referenced_data_file = groups[g].paths[0];
    written.spec_id = groups[g].data->spec_id;
    out.push_back(std::move(written));
  }
  return out;
}

Result<std::vector<WrittenDeleteFile>> WriteDeletionVectors(
    const iceberg::FileIO& io, std::string_view table_location,
    const std::map<std::string, std::vector<int64_t>>& positions,
    const std::map<std::string, DataFile>& existing,
    const std::map<std::string, DeletedDataFile>& data_files) {
  struct Vector {
    const std::string* path;
    const DeletedDataFile* data;
    int64_t cardinality;
  };
  std::vector<Vector> vectors;
  std::vector<std::pair<iceberg::PuffinBlobMetadata, std::string>> blobs;
  for (const auto& [path, added] : positions) {
    auto data = data_files.find(path);
    if (data == data_files.end()) {
      return InvalidArgument("deletes name the data file '", path,
                             "', which is not among the table's data files given");
    }
    std::vector<int64_t> all = added;
    auto old = existing.find(path);
    if (old != existing.end()) {
      const DataFile& dv = old->second;
      if (!dv.content_offset || !dv.content_size_in_bytes) {
        return InvalidArgument("the existing delete file ", dv.file_path, " of data file ", path,
                               " is not a deletion vector; add its positions instead");
      }
      ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<int64_t> previous, iceberg::ReadDeletionVector(io, dv),
                                 StrCat("merging the deletion vector of ", path));
      all.insert(all.end(), previous.begin(), previous.end());
    }
    std::sort(all.begin(), all.end());
    all.erase(std::unique(all.begin(), all.end()), all.end());
    if (all.empty()) continue;
    if (all.front() < 0)
      return InvalidArgument("negative row position ", all.front(), " in ", path);
    ATOLL_ASSIGN_OR_RETURN(std::string blob, iceberg::EncodeDeletionVector(all));
    iceberg::PuffinBlobMetadata meta;
    meta.type = iceberg::kDeletionVectorBlobType;
    meta.fields = {kRowPositionFieldId};
    meta.snapshot_id = -1;
    meta.sequence_number = -1;
    meta.properties["referenced-data-file"] = path;
    meta.properties["cardinality"] = std::to_string(all.size());
    blobs.emplace_back(std::move(meta), std::move(blob));
    vectors.push_back(Vector{&path, &data->second, static_cast<int64_t>(all.size())});
  }
  if (vectors.empty()) return std::vector<WrittenDeleteFile>{};

  ATOLL_ASSIGN_OR_RETURN(std::string dir, DataDirectory(table_location));
  const std::string location = dir + "/" + RandomUuid() + "-dv.puffin";
  std::string bytes =
      iceberg::BuildPuffinFile(std::move(blobs), {{"created-by", StrCat("atoll ", kVersion)}});
  const auto file_size = static_cast<int64_t>(bytes.size());
  // The blobs' offsets and lengths as the footer records them (what readers go by).
  ATOLL_ASSIGN_OR_RETURN(iceberg::PuffinFileMetadata footer,
                         iceberg::ParsePuffinFooter(bytes, bytes.size(), location));
  if (footer.blobs.size() != vectors.size()) {
    return Internal("the Puffin footer lists ", footer.blobs.size(), " blobs, not ",
                    vectors.size());
  }
  ATOLL_RETURN_NOT_OK(io.Write(location, std::move(bytes)).status());
  std::vector<WrittenDeleteFile> out;
  for (size_t i = 0; i < vectors.size(); ++i) {
    WrittenDeleteFile written;
    DataFile& f = written.file;
    f.content = FileContent::kPositionDeletes;
    f.file_path = location;
    f.file_format = "PUFFIN";
    f.partition = vectors[i].data->partition;
    f.record_count = vectors[i].cardinality;
    f.file_size_in_bytes = file_size;
    f.referenced_data_file = *vectors[i].path;
    f.content_offset = footer.blobs[i].offset;
    f.content_size_in_bytes = footer.blobs[i].length;
    written.spec_id = vectors[i].data->spec_id;
    out.push_back(std::move(written));
  }
  return out;
}

Result<std::map<std::string, std::vector<int64_t>>> ReadPositionDeletes(
    engine::Engine& engine, const std::vector<std::string>& delete_file_paths,
    const std::set<std::string>& data_files) {
  std::map<std::string, std::vector<int64_t>> out;
  if (delete_file_paths.empty() || data_files.empty()) return out;
  std::string paths, names;
  for (const std::string& p : delete_file_paths)
    paths += (paths.empty() ? "" : ", ") + QuoteString(p);
  for (const std::string& f : data_files) names += (names.empty() ? "" : ", ") + QuoteString(f);
  const std::string read_sql = "SELECT DISTINCT file_path, pos FROM read_parquet([" + paths +
                               "], schema = " + kPositionDeleteSchemaMap +
                               ") WHERE file_path IN (" + names +
                               ") AND pos IS NOT NULL ORDER BY file_path, pos";
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r, engine.Query(read_sql));
  for (const engine::Row& row : r.rows) {
    ATOLL_ASSIGN_OR_RETURN(int64_t pos, ParseCount(row.at(1), "a position"));
    out[row.at(0).value_or("")].push_back(pos);
  }
  return out;
}

}  // namespace atl::table
