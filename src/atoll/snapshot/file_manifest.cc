#include "atoll/snapshot/file_manifest.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>

#include "atoll/common/local_fs.h"
#include "atoll/snapshot/report_json.h"

namespace atl::snapshot {

// sql-names: cols, rows, col
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace fs = std::filesystem;
using engine::QuoteString;

FileFormat FormatOf(std::string_view uri) {
  std::string name(uri.substr(uri.rfind('/') == std::string_view::npos ? 0 : uri.rfind('/') + 1));
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  auto ends = [&name](std::string_view s) {
    return name.size() >= s.size() && name.compare(name.size() - s.size(), s.size(), s) == 0;
  };
  if (ends(".gz")) name.resize(name.size() - 3);
  if (ends(".parquet")) return FileFormat::kParquet;
  if (ends(".csv") || ends(".tsv")) return FileFormat::kCsv;
  if (ends(".json") || ends(".ndjson") || ends(".jsonl")) return FileFormat::kNdjson;
  return FileFormat::kUnknown;
}

std::string ReadFilesSql(FileFormat format, const std::vector<std::string>& uris) {
  std::string list;
  for (const std::string& u : uris) list += StrCat(list.empty() ? "" : ", ", QuoteString(u));
  switch (format) {
    case FileFormat::kParquet:
      return StrCat("read_parquet([", list, "], union_by_name = true, hive_partitioning = false)");
    case FileFormat::kCsv:
      return StrCat("read_csv([", list,
                    "], union_by_name = true, hive_partitioning = false, header = true)");
    case FileFormat::kNdjson:
      return StrCat("read_json([", list,
                    "], format = 'newline_delimited', union_by_name = true, "
                    "hive_partitioning = false)");
    case FileFormat::kUnknown:
      break;
  }
  return "";
}

FileSummary SummarizeFiles(const std::vector<FileEntry>& files) {
  FileSummary s;
  s.n_file = static_cast<int64_t>(files.size());
  for (const FileEntry& f : files) {
    s.total_size += f.size;
    if (f.n_record) {
      s.n_record += *f.n_record;
    } else {
      ++s.n_record_unknown;
    }
  }
  return s;
}

namespace {

std::string Opt(const std::string& s) { return s.empty() ? "NULL" : QuoteString(s); }

}  // namespace

Status WriteFileManifest(engine::Engine& engine, const Bucket& bucket, std::string_view dir,
                         const std::vector<FileEntry>& files, const Json& extra,
                         const std::string& scratch) {
  std::string rows;
  for (const FileEntry& f : files) {
    rows += StrCat(rows.empty() ? "" : ", ", "(", QuoteString(f.uri), ", ", Opt(f.etag), ", ",
                   f.size, ", ", f.n_record ? std::to_string(*f.n_record) : std::string("NULL"),
                   ", ", Opt(f.partition), ")");
  }
  const std::string cols =
      "uri::VARCHAR AS uri, etag::VARCHAR AS etag, size::BIGINT AS size, "
      "n_record::BIGINT AS n_record, partition::VARCHAR AS partition";
  std::string select = files.empty()
                           ? StrCat("SELECT ", cols,
                                    " FROM (SELECT NULL AS uri, NULL AS etag, NULL AS size, NULL "
                                    "AS n_record, NULL AS partition) WHERE false")
                           : StrCat("SELECT ", cols, " FROM (VALUES ", rows,
                                    ") t(uri, etag, size, n_record, partition)");
  ATOLL_RETURN_NOT_OK(CreateDirectories(scratch));
  const std::string local =
      StrCat(scratch, "/manifest-data-", std::to_string(files.size()), ".parquet");
  ATOLL_RETURN_NOT_OK_CTX(engine.Execute(StrCat("COPY (", select, ") TO ", QuoteString(local),
                                                " (FORMAT parquet, COMPRESSION zstd)")),
                          "writing a manifest-data file");
  const std::string prefix = dir.empty() ? std::string() : StrCat(dir, "/");
  ATOLL_RETURN_NOT_OK(UploadFile(*bucket.store, prefix + std::string(kDataName), local).status());
  std::error_code ignored;  // a file left behind goes with the scratch directory
  fs::remove(local, ignored);
  Json summary = ToJson(SummarizeFiles(files));
  for (auto it = extra.begin(); it != extra.end(); ++it) summary[it.key()] = it.value();
  return PutJson(*bucket.store, prefix + std::string(kSummaryName), summary);
}

Result<std::vector<FileEntry>> ReadManifestData(engine::Engine& engine,
                                                const std::vector<std::string>& data_uris) {
  std::vector<FileEntry> out;
  if (data_uris.empty()) return out;
  const std::string from = ReadFilesSql(FileFormat::kParquet, data_uris);
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult described,
                         engine.Query(StrCat("DESCRIBE SELECT * FROM ", from)));
  std::set<std::string> have;
  for (const engine::Row& r : described.rows) {
    if (!r.empty() && r[0]) have.insert(*r[0]);
  }
  if (!have.count("uri") || !have.count("size")) {
    return InvalidArgument("manifest-data file ", data_uris.front(),
                           " lacks the columns uri and size");
  }
  auto col = [&have](const char* name, const char* type) {
    return have.count(name) ? StrCat(name, "::", type) : StrCat("NULL::", type);
  };
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                         engine.Query(StrCat("SELECT uri::VARCHAR, ", col("etag", "VARCHAR"),
                                             ", size::BIGINT, ", col("n_record", "BIGINT"), ", ",
                                             col("partition", "VARCHAR"), " FROM ", from)));
  for (const engine::Row& row : r.rows) {
    if (row.size() != 5 || !row[0] || !row[2]) {
      return Corruption("manifest-data row without uri or size in ", data_uris.front());
    }
    FileEntry f;
    f.uri = *row[0];
    f.etag = row[1].value_or("");
    f.size = std::stoll(*row[2]);
    if (row[3]) f.n_record = std::stoll(*row[3]);
    f.partition = row[4].value_or("");
    out.push_back(std::move(f));
  }
  return out;
}

Result<std::vector<FileEntry>> ScanSnapshotFiles(engine::Engine& engine,
                                                 std::string_view prefix_uri,
                                                 bool count_text_rows) {
  std::string uri(prefix_uri);
  if (uri.find("://") == std::string::npos || uri.starts_with("file://")) {
    std::string path = uri.starts_with("file://") ? uri.substr(7) : uri;
    if (!fs::is_directory(path)) return NotFound("source folder ", uri, " does not exist");
  }
  ATOLL_ASSIGN_OR_RETURN(Bucket src, OpenBucket(uri));
  ATOLL_ASSIGN_OR_RETURN_CTX(std::vector<storage::ObjectInfo> objects,
                             storage::ListAll(*src.store, ""), StrCat("listing ", uri));
  std::vector<FileEntry> out;
  for (const storage::ObjectInfo& o : objects) {
    const std::string name =
        o.key.substr(o.key.rfind('/') == std::string::npos ? 0 : o.key.rfind('/') + 1);
    if (name.empty() || name[0] == '.' || name[0] == '_') continue;
    if (FormatOf(name) == FileFormat::kUnknown || o.size == 0) continue;
    FileEntry f;
    f.uri = src.Uri(o.key);
    f.etag = o.etag;
    f.size = static_cast<int64_t>(o.size);
    out.push_back(std::move(f));
  }
  std::sort(out.begin(), out.end(),
            [](const FileEntry& a, const FileEntry& b) { return a.uri < b.uri; });
  // Parquet footers, a few hundred files per query.
  std::map<std::string, FileEntry*> parquet;
  for (FileEntry& f : out) {
    if (FormatOf(f.uri) == FileFormat::kParquet) parquet[f.uri] = &f;
  }
  std::vector<std::string> batch;
  auto flush = [&]() -> Status {
    if (batch.empty()) return Status::OK();
    std::string list;
    for (const std::string& u : batch) list += StrCat(list.empty() ? "" : ", ", QuoteString(u));
    ATOLL_ASSIGN_OR_RETURN(
        engine::QueryResult r,
        engine.Query(
            StrCat("SELECT file_name, num_rows FROM parquet_file_metadata([", list, "])")));
    for (const engine::Row& row : r.rows) {
      if (row.size() == 2 && row[0] && row[1]) {
        auto it = parquet.find(*row[0]);
        if (it != parquet.end()) it->second->n_record = std::stoll(*row[1]);
      }
    }
    batch.clear();
    return Status::OK();
  };
  for (const auto& [u, f] : parquet) {
    batch.push_back(u);
    if (batch.size() >= 500) ATOLL_RETURN_NOT_OK(flush());
  }
  ATOLL_RETURN_NOT_OK(flush());
  if (count_text_rows) {
    for (FileEntry& f : out) {
      FileFormat fmt = FormatOf(f.uri);
      if (fmt == FileFormat::kParquet) continue;
      ATOLL_ASSIGN_OR_RETURN_CTX(
          engine::QueryResult r,
          engine.Query(StrCat("SELECT count(*) FROM ", ReadFilesSql(fmt, {f.uri}))),
          StrCat("counting the rows of ", f.uri));
      if (!r.rows.empty() && r.rows[0][0]) f.n_record = std::stoll(*r.rows[0][0]);
    }
  }
  return out;
}

}  // namespace atl::snapshot
