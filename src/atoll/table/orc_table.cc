// ORC → DuckDB table / Parquet through the Appender; see orc_table.h.
#include "atoll/table/orc_table.h"

#include <charconv>
#include <memory>
#include <utility>

#include "atoll/engine/appender.h"

namespace atl::table {

// sql-names: compression
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace {

using engine::Datum;
using engine::QuoteIdentifier;
using engine::QuoteString;
using orc::ColumnVector;
using orc::TypeKind;

constexpr uint32_t kMaxDecimalDigits = 38;

Result<std::optional<int32_t>> FieldIdOf(const orc::Type& t) {
  std::optional<std::string> text = t.Attribute("iceberg.id");
  if (!text) return std::optional<int32_t>();
  int32_t id = 0;
  const char* end = text->data() + text->size();
  auto [ptr, ec] = std::from_chars(text->data(), end, id);
  if (ec != std::errc() || ptr != end || id <= 0) {
    return Corruption("ORC column ", t.column_id(), " has the iceberg.id attribute '", *text,
                      "', which is not a positive integer");
  }
  return std::optional<int32_t>(id);
}

Result<OrcColumn> Describe(const orc::Type& t, std::string name) {
  OrcColumn c;
  c.name = std::move(name);
  ATOLL_ASSIGN_OR_RETURN(c.field_id, FieldIdOf(t));
  switch (t.kind()) {
    case TypeKind::kBoolean:
      c.type = "BOOLEAN";
      break;
    case TypeKind::kByte:
      c.type = "TINYINT";
      break;
    case TypeKind::kShort:
      c.type = "SMALLINT";
      break;
    case TypeKind::kInt:
      c.type = "INTEGER";
      break;
    case TypeKind::kLong:
      c.type = "BIGINT";
      break;
    case TypeKind::kFloat:
      c.type = "FLOAT";
      break;
    case TypeKind::kDouble:
      c.type = "DOUBLE";
      break;
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
      c.type = "VARCHAR";
      break;
    case TypeKind::kBinary:
      c.type = "BLOB";
      break;
    case TypeKind::kDate:
      c.type = "DATE";
      break;
    case TypeKind::kTimestamp:
      c.type = "TIMESTAMP";
      break;
    case TypeKind::kTimestampInstant:
      c.type = "TIMESTAMPTZ";
      break;
    case TypeKind::kDecimal:
      if (t.precision() == 0 || t.precision() > kMaxDecimalDigits || t.scale() > t.precision()) {
        return NotSupported(
            "ORC column ", t.column_id(), " is decimal(", t.precision(), ",", t.scale(),
            "); DuckDB holds decimals of 1 to 38 digits with a scale up to the precision");
      }
      c.type = StrCat("DECIMAL(", t.precision(), ",", t.scale(), ")");
      break;
    case TypeKind::kList: {
      ATOLL_ASSIGN_OR_RETURN(OrcColumn element, Describe(t.child(0), "element"));
      c.type = element.type + "[]";
      c.children.push_back(std::move(element));
      break;
    }
    case TypeKind::kMap: {
      ATOLL_ASSIGN_OR_RETURN(OrcColumn key, Describe(t.child(0), "key"));
      ATOLL_ASSIGN_OR_RETURN(OrcColumn value, Describe(t.child(1), "value"));
      c.type = StrCat("MAP(", key.type, ", ", value.type, ")");
      c.children.push_back(std::move(key));
      c.children.push_back(std::move(value));
      break;
    }
    case TypeKind::kStruct: {
      if (t.num_children() == 0) {
        return NotSupported("ORC column ", t.column_id(),
                            " is a struct without fields, which DuckDB cannot hold");
      }
      c.type = "STRUCT(";
      for (size_t i = 0; i < t.num_children(); ++i) {
        ATOLL_ASSIGN_OR_RETURN(OrcColumn f, Describe(t.child(i), t.field_names()[i]));
        c.type += StrCat(i ? ", " : "", QuoteIdentifier(f.name), " ", f.type);
        c.children.push_back(std::move(f));
      }
      c.type += ")";
      break;
    }
    case TypeKind::kUnion: {
      if (t.num_children() == 0)
        return NotSupported("ORC column ", t.column_id(), " is a union without branches");
      OrcColumn tag;
      tag.name = "tag";
      tag.type = "INTEGER";
      c.type = "STRUCT(tag INTEGER";
      c.children.push_back(std::move(tag));
      for (size_t i = 0; i < t.num_children(); ++i) {
        ATOLL_ASSIGN_OR_RETURN(OrcColumn f, Describe(t.child(i), StrCat("field", i)));
        c.type += StrCat(", ", f.name, " ", f.type);
        c.children.push_back(std::move(f));
      }
      c.type += ")";
      break;
    }
  }
  return c;
}

// True when `c` or a node below it carries a field id.
bool HasIds(const OrcColumn& c) {
  if (c.field_id) return true;
  for (const OrcColumn& child : c.children) {
    if (HasIds(child)) return true;
  }
  return false;
}

// "<key>: <id>" or "<key>: {__duckdb_field_id: <id>, <children>}" (the id left out when
// the node has none but its children do).
void AppendIds(const OrcColumn& c, const std::string& key, std::string* out) {
  *out += key + ": ";
  if (c.children.empty()) {
    *out += std::to_string(*c.field_id);
    return;
  }
  *out += "{";
  bool first = true;
  if (c.field_id) {
    *out += "__duckdb_field_id: " + std::to_string(*c.field_id);
    first = false;
  }
  const bool is_struct = c.type.starts_with("STRUCT(");
  for (const OrcColumn& child : c.children) {
    if (!HasIds(child)) continue;
    if (!first) *out += ", ";
    first = false;
    AppendIds(child, is_struct ? QuoteString(child.name) : child.name, out);
  }
  *out += "}";
}

// Microseconds since 1970-01-01 of seconds + nanoseconds (0..999,999,999).
Result<int64_t> Micros(int64_t seconds, int32_t nanos) {
  int64_t us = 0;
  if (__builtin_mul_overflow(seconds, int64_t{1000000}, &us) ||
      __builtin_add_overflow(us, nanos / 1000, &us)) {
    return InvalidArgument("timestamp of ", seconds, " seconds is out of range");
  }
  return us;
}

Result<Datum> DatumAt(const ColumnVector& v, size_t row) {
  if (v.IsNull(row)) return Datum::Null();
  switch (v.type->kind()) {
    case TypeKind::kBoolean:
      return Datum::Bool(v.ints[row] != 0);
    case TypeKind::kByte:
    case TypeKind::kShort:
    case TypeKind::kInt:
    case TypeKind::kLong:
    case TypeKind::kDate:
      return Datum::Int(v.ints[row]);
    case TypeKind::kFloat:
      return Datum::Float(static_cast<float>(v.doubles[row]));
    case TypeKind::kDouble:
      return Datum::Double(v.doubles[row]);
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary:
      return Datum::Bytes(std::string(v.StringAt(row)));
    case TypeKind::kDecimal:
      if (v.type->precision() <= 18) return Datum::Int(v.ints[row]);
      return Datum::HugeInt(v.wide[row]);
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampInstant: {
      ATOLL_ASSIGN_OR_RETURN(int64_t us, Micros(v.ints[row], v.nanos[row]));
      return Datum::Int(us);
    }
    case TypeKind::kList: {
      std::vector<Datum> items;
      items.reserve(v.offsets[row + 1] - v.offsets[row]);
      for (uint64_t i = v.offsets[row]; i < v.offsets[row + 1]; ++i) {
        ATOLL_ASSIGN_OR_RETURN(Datum d, DatumAt(*v.children[0], i));
        items.push_back(std::move(d));
      }
      return Datum::List(std::move(items));
    }
    case TypeKind::kMap: {
      std::vector<std::pair<Datum, Datum>> entries;
      entries.reserve(v.offsets[row + 1] - v.offsets[row]);
      for (uint64_t i = v.offsets[row]; i < v.offsets[row + 1]; ++i) {
        ATOLL_ASSIGN_OR_RETURN(Datum key, DatumAt(*v.children[0], i));
        if (key.is_null())
          return InvalidArgument("a map holds a null key, which DuckDB does not allow");
        ATOLL_ASSIGN_OR_RETURN(Datum value, DatumAt(*v.children[1], i));
        entries.emplace_back(std::move(key), std::move(value));
      }
      return Datum::Map(std::move(entries));
    }
    case TypeKind::kStruct: {
      std::vector<Datum> fields;
      fields.reserve(v.children.size());
      for (const auto& child : v.children) {
        ATOLL_ASSIGN_OR_RETURN(Datum d, DatumAt(*child, row));
        fields.push_back(std::move(d));
      }
      return Datum::Struct(std::move(fields));
    }
    case TypeKind::kUnion: {
      const size_t tag = v.tags[row];
      if (tag >= v.children.size()) return Corruption("union tag ", tag, " out of range");
      std::vector<Datum> fields(v.children.size() + 1);
      fields[0] = Datum::Int(static_cast<int64_t>(tag));
      ATOLL_ASSIGN_OR_RETURN(fields[tag + 1], DatumAt(*v.children[tag], v.offsets[row]));
      return Datum::Struct(std::move(fields));
    }
  }
  return Internal("unhandled ORC type kind ", static_cast<uint32_t>(v.type->kind()));
}

// Appends row `row` of `v` as one column value; primitives without a Datum.
Status AppendValue(engine::Appender& appender, const ColumnVector& v, size_t row) {
  if (v.IsNull(row)) return appender.AppendNull();
  switch (v.type->kind()) {
    case TypeKind::kBoolean:
      return appender.AppendBool(v.ints[row] != 0);
    case TypeKind::kByte:
    case TypeKind::kShort:
    case TypeKind::kInt:
    case TypeKind::kLong:
    case TypeKind::kDate:
      return appender.AppendInt(v.ints[row]);
    case TypeKind::kFloat:
      return appender.AppendFloat(static_cast<float>(v.doubles[row]));
    case TypeKind::kDouble:
      return appender.AppendDouble(v.doubles[row]);
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
    case TypeKind::kBinary:
      return appender.AppendBytes(v.StringAt(row));
    case TypeKind::kDecimal:
      if (v.type->precision() <= 18) return appender.AppendInt(v.ints[row]);
      return appender.AppendHugeInt(v.wide[row]);
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampInstant: {
      ATOLL_ASSIGN_OR_RETURN(int64_t us, Micros(v.ints[row], v.nanos[row]));
      return appender.AppendInt(us);
    }
    default: {
      ATOLL_ASSIGN_OR_RETURN(Datum d, DatumAt(v, row));
      return appender.Append(d);
    }
  }
}

}  // namespace

Result<std::vector<OrcColumn>> DescribeOrcSchema(const orc::Type& schema) {
  std::vector<OrcColumn> out;
  if (schema.kind() != TypeKind::kStruct) {
    ATOLL_ASSIGN_OR_RETURN(OrcColumn c, Describe(schema, "value"));
    out.push_back(std::move(c));
    return out;
  }
  if (schema.num_children() == 0)
    return NotSupported("the ORC file has no columns (its root struct is empty)");
  for (size_t i = 0; i < schema.num_children(); ++i) {
    ATOLL_ASSIGN_OR_RETURN_CTX(OrcColumn c, Describe(schema.child(i), schema.field_names()[i]),
                               StrCat("column '", schema.field_names()[i], "'"));
    out.push_back(std::move(c));
  }
  return out;
}

std::optional<std::string> OrcFieldIdsOption(const std::vector<OrcColumn>& columns) {
  std::string out;
  for (const OrcColumn& c : columns) {
    if (!HasIds(c)) continue;
    out += out.empty() ? "{" : ", ";
    AppendIds(c, QuoteString(c.name), &out);
  }
  if (out.empty()) return std::nullopt;
  return out + "}";
}

Result<OrcLoad> LoadOrc(engine::Engine& engine, orc::Reader& reader, const std::string& table) {
  const std::string context = StrCat("ORC file ", reader.name());
  OrcLoad load;
  ATOLL_ASSIGN_OR_RETURN_CTX(load.columns, DescribeOrcSchema(reader.schema()), context);
  std::vector<engine::AppenderColumn> columns;
  for (const OrcColumn& c : load.columns) columns.push_back({c.name, c.type});
  ATOLL_ASSIGN_OR_RETURN_CTX(std::unique_ptr<engine::Appender> appender,
                             engine::Appender::Create(engine, table, columns, /*replace=*/true),
                             context);
  const bool is_struct = reader.schema().kind() == TypeKind::kStruct;
  std::unique_ptr<ColumnVector> batch;
  int64_t first_row = 0;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, reader.NextBatch(&batch));
    if (!more) break;
    for (size_t r = 0; r < batch->size; ++r) {
      if (is_struct) {
        for (size_t c = 0; c < batch->children.size(); ++c) {
          Status st = AppendValue(*appender, *batch->children[c], r);
          if (!st.ok()) {
            return st.WithContext(StrCat(context, ", row ", first_row + static_cast<int64_t>(r),
                                         ", column '", load.columns[c].name, "'"));
          }
        }
      } else {
        ATOLL_RETURN_NOT_OK_CTX(AppendValue(*appender, *batch, r),
                                StrCat(context, ", row ", first_row + static_cast<int64_t>(r)));
      }
      ATOLL_RETURN_NOT_OK_CTX(appender->EndRow(), context);
    }
    first_row += static_cast<int64_t>(batch->size);
  }
  load.rows = appender->rows();
  ATOLL_RETURN_NOT_OK_CTX(appender->Close(), context);
  return load;
}

Result<OrcLoad> LoadOrcFile(engine::Engine& engine, const std::string& path,
                            const std::string& name, const std::string& table,
                            const orc::ReaderOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(orc::RandomAccessSource source,
                         orc::LocalFileSource(path, name.empty() ? path : name));
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<orc::Reader> reader,
                         orc::Reader::Open(std::move(source), options));
  return LoadOrc(engine, *reader, table);
}

Result<OrcLoad> OrcToParquet(engine::Engine& engine, orc::Reader& reader,
                             const std::string& parquet_path, const OrcParquetOptions& options) {
  Result<OrcLoad> load = LoadOrc(engine, reader, options.scratch_table);
  Status st = load.status();
  if (load.ok()) {
    std::string copy =
        StrCat("COPY ", QuoteIdentifier(options.scratch_table), " TO ", QuoteString(parquet_path),
               " (FORMAT parquet, COMPRESSION ", options.compression);
    if (options.field_ids) {
      if (std::optional<std::string> ids = OrcFieldIdsOption(load->columns))
        copy += ", FIELD_IDS " + *ids;
    }
    st = engine.Execute(copy + ")")
             .WithContext(StrCat("writing ", reader.name(), " as Parquet to ", parquet_path));
  }
  (void)engine.Execute(StrCat("DROP TABLE IF EXISTS ", QuoteIdentifier(options.scratch_table)));
  if (!st.ok()) return st;
  return load;
}

}  // namespace atl::table
