#include "atoll/cli/query_output.h"

#include <algorithm>
#include <string>
#include <vector>

#include "atoll/engine/value_text.h"

namespace atl::cli {

namespace {

using engine::Column;
using engine::Row;
using engine::ValueKind;
using engine::internal::AppendJsonString;

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

// At most `max_rows` rows (0: all); rows beyond are not read.
Status PrintTable(engine::QueryStream& stream, std::ostream& out, uint64_t max_rows = 0) {
  const std::vector<Column>& columns = stream.columns();
  const uint64_t cap = max_rows == 0 ? UINT64_MAX : max_rows;
  std::vector<Row> sample;
  bool done = false;
  bool capped = false;
  while (!done && sample.size() < kTableWidthRows) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Row> rows, stream.Next());
    done = rows.empty();
    for (Row& row : rows) {
      if (sample.size() == cap) {
        capped = done = true;
        break;
      }
      sample.push_back(std::move(row));
    }
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
    for (const Row& row : rows) {
      if (count == cap) {
        capped = done = true;
        break;
      }
      print_cells(row, cell_text);
      ++count;
    }
  }
  if (capped) {
    out << "(first " << count << " rows shown; add a LIMIT or use atoll query --format csv)\n";
    return Status::OK();
  }
  out << "(" << count << (count == 1 ? " row" : " rows") << ")\n";
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

Status PrintTableRows(engine::QueryStream& stream, uint64_t max_rows, std::ostream& out) {
  return PrintTable(stream, out, max_rows);
}

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

Status PrintStatements(engine::Engine& engine, size_t count,
                       const std::function<Result<std::string>(size_t index)>& statement,
                       OutputFormat format, std::ostream& out) {
  const bool json = format == OutputFormat::kJson;
  if (json && count > 1) out << "[";
  for (size_t i = 0; i < count; ++i) {
    ATOLL_ASSIGN_OR_RETURN(std::string sql, statement(i));
    ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::QueryStream> rows, engine.Stream(sql));
    if (i > 0) out << (json ? ",\n" : "\n");
    ATOLL_RETURN_NOT_OK(PrintResult(*rows, format, out));
    if (json && count == 1) out << "\n";
  }
  if (json && count > 1) out << "]\n";
  return Status::OK();
}

}  // namespace atl::cli
