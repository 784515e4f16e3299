#include "atoll/ingest/reader_sql.h"

#include <algorithm>
#include <utility>

namespace atl::lake {

// sql-names: sample_size, TypeStruct
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

using engine::QuoteIdentifier;
using engine::QuoteString;

namespace {

std::string TypeStruct(const std::vector<std::pair<std::string, std::string>>& types) {
  std::string out = "{";
  for (size_t i = 0; i < types.size(); ++i) {
    out += StrCat(i ? ", " : "", QuoteString(types[i].first), ": ", QuoteString(types[i].second));
  }
  return out + "}";
}

}  // namespace

ReaderSql::ReaderSql(TableOptions options, uint64_t max_line_bytes)
    : options_(std::move(options)), max_line_bytes_(max_line_bytes) {}

std::string ReaderSql::Reader(FileFormat format, const std::vector<std::string>& paths,
                              int64_t sample_size) const {
  const TableOptions& o = options_;
  std::string list;
  if (paths.size() == 1) {
    list = QuoteString(paths[0]);
  } else {
    list = "[";
    for (size_t i = 0; i < paths.size(); ++i) list += StrCat(i ? ", " : "", QuoteString(paths[i]));
    list += "], union_by_name=true";
  }
  switch (format) {
    case FileFormat::kCsv:
    case FileFormat::kTsv:
      return StrCat("read_csv(", list, ", auto_detect=true, sample_size=", sample_size,
                    CsvOptionsSql(format, /*with_types=*/true), ")");
    case FileFormat::kJson:
    case FileFormat::kNdjson: {
      // "auto" reads both a JSON array and one document per line.
      std::string args_sql = StrCat(
          list, ", format=",
          paths.size() == 1 && format == FileFormat::kNdjson ? "'newline_delimited'" : "'auto'",
          ", sample_size=", sample_size, ", maximum_object_size=", max_line_bytes_);
      if (o.timestamp_format)
        args_sql += StrCat(", timestampformat=", QuoteString(*o.timestamp_format));
      if (o.date_format) args_sql += StrCat(", dateformat=", QuoteString(*o.date_format));
      if (!o.columns.empty()) args_sql += StrCat(", columns=", TypeStruct(o.columns));
      return StrCat("read_json(", args_sql, ")");
    }
    case FileFormat::kParquet:
      return StrCat("read_parquet(", list, ")");
    default:
      return "";
  }
}

// The delimiter the table's options set (TSV: a tab), if any.
std::optional<std::string> ReaderSql::SetDelimiter(FileFormat format) const {
  std::optional<std::string> delim = options_.delimiter;
  if (!delim && format == FileFormat::kTsv) delim = "\t";
  if (delim && *delim == "\\t") delim = "\t";
  return delim;
}

// read_csv options after the paths (", name=value" each) that do not depend on the
// sniffer: the table's options, every value quoted. The local files are never
// compressed (FetchToLocal decompressed them), whatever their names. buffer_size:
// DuckDB's default is 16 × max_line_size, which makes reading with a long line limit
// about twice as slow. `with_types`: also the types= option (not with columns=).
std::string ReaderSql::CsvOptionsSql(FileFormat format, bool with_types) const {
  const TableOptions& o = options_;
  const uint64_t max_line = max_line_bytes_;
  std::string options_sql =
      StrCat(", compression='none', max_line_size=", max_line,
             ", buffer_size=", std::max<uint64_t>(uint64_t{32} << 20, 2 * max_line));
  if (std::optional<std::string> delim = SetDelimiter(format))
    options_sql += StrCat(", delim=", QuoteString(*delim));
  if (o.header) options_sql += StrCat(", header=", *o.header ? "true" : "false");
  if (o.quote) options_sql += StrCat(", quote=", QuoteString(*o.quote));
  if (o.escape) options_sql += StrCat(", escape=", QuoteString(*o.escape));
  if (o.null_string) options_sql += StrCat(", nullstr=", QuoteString(*o.null_string));
  if (o.timestamp_format)
    options_sql += StrCat(", timestampformat=", QuoteString(*o.timestamp_format));
  if (o.date_format) options_sql += StrCat(", dateformat=", QuoteString(*o.date_format));
  if (!o.columns.empty()) options_sql += StrCat(", columns=", TypeStruct(o.columns));
  if (with_types && !o.column_types.empty())
    options_sql += StrCat(", types=", TypeStruct(o.column_types));
  return options_sql;
}

Result<std::string> ReaderSql::SniffedCsvReader(engine::Engine& engine, FileFormat format,
                                                const std::string& path,
                                                int64_t sample_size) const {
  const std::string quoted_path = QuoteString(path);
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult sniffed,
      engine.Query(StrCat("SELECT Delimiter, Quote, Escape, NewLineDelimiter, Comment, "
                          "SkipRows, HasHeader, DateFormat, TimestampFormat, "
                          "unnest(Columns, recursive := true) FROM sniff_csv(",
                          quoted_path, ", sample_size=", sample_size,
                          CsvOptionsSql(format, /*with_types=*/true), ")")));
  if (sniffed.rows.empty() || sniffed.rows[0].size() != 11)
    return InvalidArgument("sniff_csv found no columns");
  const engine::Row& first = sniffed.rows[0];
  auto text = [&](size_t i) -> Result<std::string> {
    if (!first[i]) return InvalidArgument("sniff_csv left ", i, " unset");
    // sniff_csv writes an unset quote, escape or comment character as "(empty)".
    return *first[i] == "(empty)" ? std::string() : *first[i];
  };
  const TableOptions& o = options_;
  std::string options_sql = CsvOptionsSql(format, /*with_types=*/false);
  if (!SetDelimiter(format)) {
    ATOLL_ASSIGN_OR_RETURN(std::string delim, text(0));
    options_sql += StrCat(", delim=", QuoteString(delim));
  }
  if (!o.quote) {
    ATOLL_ASSIGN_OR_RETURN(std::string quote, text(1));
    options_sql += StrCat(", quote=", QuoteString(quote));
  }
  if (!o.escape) {
    ATOLL_ASSIGN_OR_RETURN(std::string escape, text(2));
    options_sql += StrCat(", escape=", QuoteString(escape));
  }
  ATOLL_ASSIGN_OR_RETURN(std::string new_line, text(3));
  if (new_line == "\\n" || new_line == "\\r" || new_line == "\\r\\n")
    options_sql += StrCat(", new_line=", QuoteString(new_line));
  ATOLL_ASSIGN_OR_RETURN(std::string comment, text(4));
  ATOLL_ASSIGN_OR_RETURN(std::string skip, text(5));
  if (skip.empty() || skip.size() > 9 ||
      skip.find_first_not_of("0123456789") != std::string::npos) {
    return InvalidArgument("sniff_csv found an unexpected number of rows to skip");
  }
  options_sql += StrCat(", comment=", QuoteString(comment), ", skip=", std::stoll(skip));
  if (!o.header) {
    ATOLL_ASSIGN_OR_RETURN(std::string header, text(6));
    if (header != "true" && header != "false")
      return InvalidArgument("sniff_csv found no header flag");
    options_sql += StrCat(", header=", header);
  }
  for (const auto& [i, set] : {std::pair<size_t, bool>{7, o.date_format.has_value()},
                               std::pair<size_t, bool>{8, o.timestamp_format.has_value()}}) {
    if (set || !first[i]) continue;
    options_sql += StrCat(i == 7 ? ", dateformat=" : ", timestampformat=", QuoteString(*first[i]));
  }
  std::vector<std::pair<std::string, std::string>> columns;
  for (const engine::Row& row : sniffed.rows) {
    if (!row[9] || !row[10]) return InvalidArgument("sniff_csv found a column without a name");
    if (row[9]->find('\0') != std::string::npos)
      return InvalidArgument("a column name holds a NUL character");
    if (!engine::IsTypeName(*row[10]))
      return InvalidArgument("sniff_csv found a column type that is not a type name");
    columns.emplace_back(*row[9], *row[10]);
  }
  return StrCat("read_csv(", quoted_path, ", auto_detect=false", options_sql,
                ", columns=", TypeStruct(columns), ")");
}

std::string ReaderSql::Select(FileFormat format, const std::string& from) const {
  const TableOptions& o = options_;
  std::string select = "SELECT *";
  const bool csv = format == FileFormat::kCsv || format == FileFormat::kTsv;
  if (!csv && !o.column_types.empty()) {
    select += " REPLACE (";
    for (size_t i = 0; i < o.column_types.size(); ++i) {
      // sql-checked: settings accept only types that pass engine::IsTypeName (settings.cc)
      select += StrCat(i ? ", " : "", "CAST(", QuoteIdentifier(o.column_types[i].first), " AS ",
                       o.column_types[i].second, ") AS ", QuoteIdentifier(o.column_types[i].first));
    }
    select += ")";
  }
  return StrCat(select, " FROM ", from);
}

}  // namespace atl::lake
