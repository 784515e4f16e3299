#include "atoll/cli/query_output.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "atoll/engine/serve_stores.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
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

// Rows whose cells set the column widths of the table format; later rows are printed as
// they stream in (a wider cell there shifts its line instead of widening the column), so
// memory stays bounded whatever the row count (20M rows once took 2.9 GB).
constexpr size_t kTableWidthRows = 1000;

Status PrintTable(engine::QueryStream& stream, std::ostream& out) {
  const std::vector<Column>& columns = stream.columns();
  std::vector<Row> sample;
  bool done = false;
  while (!done && sample.size() < kTableWidthRows) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream.Next());
    done = rows.empty();
    for (Row& row : rows) sample.push_back(std::move(row));
  }
  std::vector<size_t> widths;
  for (const Column& c : columns) widths.push_back(Width(c.name));
  for (const Row& row : sample) {
    for (size_t i = 0; i < row.size(); ++i)
      widths[i] = std::max(widths[i], Width(row[i] ? *row[i] : "NULL"));
  }
  // Numbers (and their headers) right-aligned; no trailing blanks.
  std::string line;
  auto print_cells = [&](const auto& cells, auto text) {
    line.clear();
    for (size_t i = 0; i < cells.size(); ++i) {
      if (i) line += "  ";
      const std::string_view cell = text(cells[i]);
      const size_t w = Width(cell);
      std::string pad(widths[i] > w ? widths[i] - w : 0, ' ');
      bool right = columns[i].kind == ValueKind::kNumber;
      if (right) line += pad;
      line += cell;
      if (!right && i + 1 < cells.size()) line += pad;
    }
    line += '\n';
    out << line;
  };
  auto plain = [](const std::string& s) -> std::string_view { return s; };
  auto cell_text = [](const engine::Cell& c) -> std::string_view {
    return c ? std::string_view(*c) : "NULL";
  };
  std::vector<std::string> header;
  for (const Column& c : columns) header.push_back(c.name);
  print_cells(header, plain);
  std::vector<std::string> rule;
  for (size_t w : widths) rule.push_back(std::string(w, '-'));
  print_cells(rule, plain);
  uint64_t count = sample.size();
  for (const Row& row : sample) print_cells(row, cell_text);
  sample.clear();
  while (!done) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream.Next());
    done = rows.empty();
    for (const Row& row : rows) print_cells(row, cell_text);
    count += rows.size();
  }
  out << "(" << count << (count == 1 ? " row" : " rows") << ")\n";
  return Status::OK();
}

// LAKE as the root for iceberg_scan; S3 lakes also make s3:// readable in SQL.
Result<std::string> LakeRoot(const std::string& lake, engine::Engine& engine) {
  if (lake.substr(0, 5) == "s3://") {
    std::string rest = lake.substr(5);
    if (rest.empty() || rest.front() == '/')
      return InvalidArgument("LAKE '", lake, "' names no bucket");
    ATOLL_RETURN_NOT_OK(engine::ServeStoresOf(engine, lake));
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

// The words `sql` may use as names, folded like SQL identifiers (lake::FoldCase): runs of
// identifier characters (letters, digits, '_', '$', non-ASCII bytes) outside string
// literals ('...' names no table; comments count), and the text of each quoted identifier
// ("my table") whole. A superset of the names of the tables the SQL reads.
std::set<std::string> SqlWords(std::string_view sql) {
  std::set<std::string> out;
  auto word_char = [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return std::isalnum(u) || c == '_' || c == '$' || u >= 0x80;
  };
  size_t i = 0;
  while (i < sql.size()) {
    if (sql[i] == '"') {  // a quoted identifier; "" is a quote
      std::string text;
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '"' && i + 1 < sql.size() && sql[i + 1] == '"') {
          text += '"';
          ++i;
        } else if (sql[i] == '"') {
          ++i;
          break;
        } else {
          text += sql[i];
        }
      }
      out.insert(lake::FoldCase(text));
    } else if (sql[i] == '\'') {  // a string literal; '' is a quote
      for (++i; i < sql.size(); ++i) {
        if (sql[i] == '\'' && i + 1 < sql.size() && sql[i + 1] == '\'') {
          ++i;
        } else if (sql[i] == '\'') {
          ++i;
          break;
        }
      }
    } else if (word_char(sql[i])) {
      size_t start = i;
      while (i < sql.size() && word_char(sql[i])) ++i;
      out.insert(lake::FoldCase(sql.substr(start, i - start)));
    } else {
      ++i;
    }
  }
  return out;
}

// Statements that list the catalog (SHOW TABLES, information_schema, duckdb_tables(), ...)
// see every table of the lake.
bool ListsTables(const std::set<std::string>& words) {
  for (const char* w : {"show", "information_schema", "pg_catalog", "duckdb_tables", "duckdb_views",
                        "duckdb_columns", "duckdb_schemas", "pragma"}) {
    if (words.count(w)) return true;
  }
  return false;
}

// Defines the view <zone>.<db>.<table> of `id` (attaching the zone's catalog once).
Status DefineView(const lake::LakeTables& tables, const iceberg::TableIdentifier& id,
                  engine::Engine& engine, std::set<std::string>* catalogs) {
  ATOLL_ASSIGN_OR_RETURN(std::string metadata, tables.catalog->LoadMetadataLocation(id));
  const std::string catalog = engine::QuoteIdentifier(id.ns[0]);
  const std::string schema = StrCat(catalog, ".", engine::QuoteIdentifier(id.ns[1]));
  if (!catalogs->count(catalog)) {
    ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("ATTACH ':memory:' AS ", catalog)));
    catalogs->insert(catalog);
  }
  ATOLL_RETURN_NOT_OK(engine.Execute(StrCat("CREATE SCHEMA IF NOT EXISTS ", schema)));
  return engine.Execute(StrCat("CREATE VIEW ", schema, ".", engine::QuoteIdentifier(id.name),
                               " AS SELECT * FROM iceberg_scan(", engine::QuoteString(metadata),
                               ")"));
}

// When LAKE is an atoll lake, the tables `sql` names become views <zone>.<db>.<table> (a
// DuckDB catalog per zone, a schema per database), each over iceberg_scan of the table's
// current metadata file. Only those: a table is defined when its zone, db and table names
// all occur in `sql` (SqlWords), so a broken table (a missing metadata file, manifest or
// data file) fails only the queries naming it, with an error naming it; and tables whose
// names differ only in letter case, which SQL cannot tell apart, fail only those queries.
// Statements listing the catalog (ListsTables) get every table that can be defined. A
// location that is not a lake is left as it is.
Status DefineLakeViews(const std::string& uri, std::string_view sql, engine::Engine& engine) {
  Result<std::unique_ptr<lake::Lake>> opened = lake::Lake::Open(uri);
  if (!opened.ok())
    return opened.status().code() == StatusCode::kNotFound ? Status::OK() : opened.status();
  ATOLL_ASSIGN_OR_RETURN(lake::LakeTables tables, lake::OpenLakeTables(**opened));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, lake::ListLakeTables(tables));
  const std::set<std::string> words = SqlWords(sql);
  const bool all = ListsTables(words);
  // Views by their SQL name, folded: more than one table there cannot be told apart.
  std::map<std::string, std::vector<const iceberg::TableIdentifier*>> views;
  for (const iceberg::TableIdentifier& id : ids) {
    if (id.ns.size() != 2) continue;
    if (!all && !(words.count(lake::FoldCase(id.ns[0])) && words.count(lake::FoldCase(id.ns[1])) &&
                  words.count(lake::FoldCase(id.name)))) {
      continue;
    }
    views[lake::FoldCase(id.ToString())].push_back(&id);
  }
  std::set<std::string> catalogs;
  for (const auto& [folded, same] : views) {
    if (same.size() > 1) {
      if (all) continue;
      return InvalidArgument("tables ", same[0]->ToString(), " and ", same[1]->ToString(),
                             " differ only in letter case, which SQL names ignore; read one with "
                             "iceberg_scan('<zone>/<db>/<table>')");
    }
    Status st = DefineView(tables, *same[0], engine, &catalogs);
    if (!st.ok() && !all) {
      return st.WithContext(StrCat("table ", same[0]->ToString(), " cannot be read"));
    }
  }
  return Status::OK();
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

Result<std::unique_ptr<engine::Engine>> OpenQueryEngine(const std::string& lake,
                                                        std::string_view sql) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Engine> engine, engine::Engine::Open());
  table::IcebergScanOptions options;
  ATOLL_ASSIGN_OR_RETURN(options.root, LakeRoot(lake, *engine));
  ATOLL_RETURN_NOT_OK(table::RegisterIcebergScan(*engine, std::move(options)));
  ATOLL_RETURN_NOT_OK(DefineLakeViews(lake, sql, *engine));
  return engine;
}

namespace {

// Prints one statement's rows in `format` (json: without a line end after the array).
Status PrintResult(engine::QueryStream& stream, OutputFormat format, std::ostream& out) {
  if (format == OutputFormat::kTable) return PrintTable(stream, out);
  const std::vector<Column>& columns = stream.columns();
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
