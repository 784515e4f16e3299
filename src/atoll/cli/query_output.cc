#include "atoll/cli/query_output.h"

#include <algorithm>
#include <filesystem>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/storage/open_store.h"
#include "atoll/table/iceberg_scan.h"

namespace atl::cli {

// sql-names: catalog, schema
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace {

using engine::Column;
using engine::Row;
using engine::ValueKind;

// RFC 4180: quoted when it holds a comma, quote, CR or LF; NULL is an empty field.
void AppendCsvField(const engine::Cell& cell, std::string* out) {
  if (!cell) return;
  const std::string& s = *cell;
  if (s.find_first_of(",\"\r\n") == std::string::npos) {
    out->append(s);
    return;
  }
  out->push_back('"');
  for (char c : s) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

void AppendJsonString(std::string_view s, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (u < 0x20) {
          out->append("\\u00");
          out->push_back(kHex[u >> 4]);
          out->push_back(kHex[u & 15]);
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

// A cell as a JSON value: numbers and booleans bare (nan/inf as strings), nested values as
// the JSON the engine renders, everything else a string.
void AppendJsonValue(const Column& column, const engine::Cell& cell, std::string* out) {
  if (!cell) {
    out->append("null");
    return;
  }
  const std::string& s = *cell;
  switch (column.kind) {
    case ValueKind::kBoolean:
    case ValueKind::kNested:
      out->append(s);
      return;
    case ValueKind::kNumber:
      if (s == "nan" || s == "inf" || s == "-inf") {
        AppendJsonString(s, out);
      } else {
        out->append(s);
      }
      return;
    case ValueKind::kString:
      AppendJsonString(s, out);
      return;
  }
}

std::string CsvLine(const Row& row) {
  std::string line;
  for (size_t i = 0; i < row.size(); ++i) {
    if (i) line.push_back(',');
    AppendCsvField(row[i], &line);
  }
  line.push_back('\n');
  return line;
}

// Display width in code points (UTF-8 continuation bytes do not count).
size_t Width(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

void PrintTable(const std::vector<Column>& columns, const std::vector<Row>& rows,
                std::ostream& out) {
  std::vector<size_t> widths;
  for (const Column& c : columns) widths.push_back(Width(c.name));
  for (const Row& row : rows) {
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], Width(row[i] ? *row[i] : "NULL"));
  }
  // Numbers (and their headers) right-aligned; no trailing blanks.
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line += "  ";
      std::string pad(widths[i] - Width(cells[i]), ' ');
      bool right = columns[i].kind == ValueKind::kNumber;
      line += right ? pad + cells[i] : cells[i] + (i + 1 < cells.size() ? pad : "");
    }
    out << line << "\n";
  };
  std::vector<std::string> header;
  for (const Column& c : columns) header.push_back(c.name);
  print_row(header);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  print_row(rule);
  for (const Row& row : rows) {
    std::vector<std::string> cells;
    for (const auto& cell : row) cells.push_back(cell ? *cell : "NULL");
    print_row(cells);
  }
  out << "(" << rows.size() << (rows.size() == 1 ? " row" : " rows") << ")\n";
}

// LAKE as the root for iceberg_scan; S3 lakes also make s3:// readable in SQL.
Result<std::string> LakeRoot(const std::string& lake, engine::Engine& engine) {
  if (lake.substr(0, 5) == "s3://") {
    std::string rest = lake.substr(5);
    if (rest.empty() || rest.front() == '/')
      return InvalidArgument("LAKE '", lake, "' names no bucket");
    ATOLL_RETURN_NOT_OK(engine.RegisterStores(
        "s3://", [](std::string_view bucket) -> Result<std::shared_ptr<storage::Store>> {
          ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<storage::Store> store,
                                 storage::OpenStore(StrCat("s3://", bucket), false));
          return std::shared_ptr<storage::Store>(std::move(store));
        }));
    return lake;
  }
  if (lake.find("://") != std::string::npos && lake.substr(0, 7) != "file://") {
    return InvalidArgument("LAKE '", lake,
                           "' must be a directory, file:///dir or s3://bucket[/prefix]");
  }
  std::string path = lake.substr(0, 7) == "file://" ? lake.substr(7) : lake;
  std::error_code ec;
  if (!std::filesystem::is_directory(path, ec))
    return NotFound("LAKE '", lake, "' is not a directory");
  return std::filesystem::absolute(path).lexically_normal().string();
}

// When LAKE is an atoll lake, its tables become views named <zone>.<db>.<table> (a DuckDB
// catalog per zone, a schema per database), each over iceberg_scan of the table's
// current metadata file. A location that is not a lake is left as it is.
Status DefineLakeViews(const std::string& uri, engine::Engine& engine) {
  Result<std::unique_ptr<lake::Lake>> opened = lake::Lake::Open(uri);
  if (!opened.ok())
    return opened.status().code() == StatusCode::kNotFound ? Status::OK() : opened.status();
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(**opened));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
  std::set<std::string> catalogs;
  std::set<std::string> schemas;
  std::string sql;
  for (const iceberg::TableIdentifier& id : ids) {
    if (id.ns.size() != 2) continue;
    ATOLL_ASSIGN_OR_RETURN(std::string metadata, tables.catalog->LoadMetadataLocation(id));
    const std::string catalog = engine::QuoteIdentifier(id.ns[0]);
    const std::string schema = StrCat(catalog, ".", engine::QuoteIdentifier(id.ns[1]));
    if (catalogs.insert(catalog).second) sql += StrCat("ATTACH ':memory:' AS ", catalog, ";\n");
    if (schemas.insert(schema).second) sql += StrCat("CREATE SCHEMA ", schema, ";\n");
    sql += StrCat("CREATE VIEW ", schema, ".", engine::QuoteIdentifier(id.name),
                  " AS SELECT * FROM iceberg_scan(", engine::QuoteString(metadata), ");\n");
  }
  if (sql.empty()) return Status::OK();
  return engine.ExecuteScript(sql).WithContext("defining the lake's tables as views");
}

}  // namespace

OptionSpec OutputFormatOption() {
  return {
      "format",  'f',       OptionKind::kString,     "FORMAT", "Output format: table, csv or json",
      INT64_MIN, INT64_MAX, {"table", "csv", "json"}};
}

Result<OutputFormat> ParseOutputFormat(std::string_view text) {
  if (text == "csv") return OutputFormat::kCsv;
  if (text == "json") return OutputFormat::kJson;
  if (text == "table") return OutputFormat::kTable;
  return InvalidArgument("unknown --format '", text, "' (expected csv, json or table)");
}

Result<std::unique_ptr<engine::Engine>> OpenQueryEngine(const std::string& lake) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  table::IcebergScanOptions options;
  ATOLL_ASSIGN_OR_RETURN(options.root, LakeRoot(lake, *engine));
  ATOLL_RETURN_NOT_OK(table::RegisterIcebergScan(*engine, std::move(options)));
  ATOLL_RETURN_NOT_OK(DefineLakeViews(lake, *engine));
  return engine;
}

namespace {

// Prints one statement's rows in `format` (json: without a line end after the array).
Status PrintResult(engine::QueryStream& stream, OutputFormat format, std::ostream& out) {
  const std::vector<Column>& columns = stream.columns();
  if (format == OutputFormat::kTable) {
    std::vector<Row> all;
    while (true) {
      ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream.Next());
      if (rows.empty()) break;
      all.insert(all.end(), std::make_move_iterator(rows.begin()),
                 std::make_move_iterator(rows.end()));
    }
    PrintTable(columns, all, out);
    return Status::OK();
  }
  std::string buffer;
  if (format == OutputFormat::kCsv) {
    Row header;
    for (const Column& c : columns) header.push_back(c.name);
    buffer = CsvLine(header);
  } else {
    buffer = "[";
  }
  bool first = true;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream.Next());
    if (rows.empty()) break;
    for (const Row& row : rows) {
      if (format == OutputFormat::kCsv) {
        buffer += CsvLine(row);
        continue;
      }
      buffer += first ? "\n{" : ",\n{";
      first = false;
      for (size_t i = 0; i < row.size(); ++i) {
        if (i) buffer += ", ";
        AppendJsonString(columns[i].name, &buffer);
        buffer += ": ";
        AppendJsonValue(columns[i], row[i], &buffer);
      }
      buffer += "}";
    }
    out << buffer;
    buffer.clear();
  }
  if (format == OutputFormat::kJson) buffer += first ? "]" : "\n]";
  out << buffer;
  return Status::OK();
}

}  // namespace

Status PrintQuery(engine::Engine& engine, std::string_view sql, OutputFormat format,
                  std::ostream& out) {
  ATOLL_ASSIGN_OR_RETURN(size_t count, engine.CountStatements(sql));
  const bool json = format == OutputFormat::kJson;
  if (json && count > 1) out << "[";
  ATOLL_RETURN_NOT_OK(
      engine.ForEachStatement(sql, [&](size_t index, engine::QueryStream& rows) -> Status {
        if (index > 0) out << (json ? ",\n" : "\n");
        ATOLL_RETURN_NOT_OK(PrintResult(rows, format, out));
        if (json && count == 1) out << "\n";
        return Status::OK();
      }));
  if (json && count > 1) out << "]\n";
  return Status::OK();
}

}  // namespace atl::cli
