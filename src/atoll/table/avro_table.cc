#include "atoll/table/avro_table.h"

#include <nlohmann/json.hpp>
#include <set>
#include <vector>

#include "atoll/engine/appender.h"
#include "atoll/formats/avro/reader.h"

namespace atl::table {

// sql-names: compression
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)

namespace {

using avro::LogicalType;
using avro::Node;
using avro::Type;
using avro::Value;
using engine::Datum;

// The branches of a union other than null.
std::vector<size_t> NonNullBranches(const Node& u) {
  std::vector<size_t> out;
  for (size_t i = 0; i < u.branches.size(); ++i) {
    if (u.branches[i]->type != Type::kNull) out.push_back(i);
  }
  return out;
}

bool AdjustToUtc(const Node& n) {
  auto it = n.attributes->find("adjust-to-utc");
  return it == n.attributes->end() || !it->is_boolean() || it->get<bool>();
}

// A record without fields, or whose fields are all such records, holds no values (Iceberg
// manifests of unpartitioned tables have one: `partition`). DuckDB has no empty STRUCT, so
// such fields are left out of the table.
bool IsEmptyRecord(const Node& n) {
  if (n.type == Type::kUnion) {  // [null, empty record]: no values either
    bool any = false;
    for (const auto& b : n.branches) {
      if (b->type == Type::kNull) continue;
      if (!IsEmptyRecord(*b)) return false;
      any = true;
    }
    return any;
  }
  if (n.type != Type::kRecord) return false;
  for (const avro::Field& f : n.fields) {
    if (!IsEmptyRecord(*f.type)) return false;
  }
  return true;
}

class TypeMapper {
 public:
  Result<std::string> Map(const Node& n) {
    if (n.is_named() && n.type == Type::kRecord) {
      if (!active_.insert(&n).second) {
        return NotSupported("recursive Avro schema (record '", n.full_name, "' contains itself)");
      }
    }
    Result<std::string> r = MapInner(n);
    if (n.type == Type::kRecord) active_.erase(&n);
    return r;
  }

 private:
  Result<std::string> MapInner(const Node& n) {
    switch (n.logical) {
      case LogicalType::kDate:
        return std::string("DATE");
      case LogicalType::kTimeMillis:
      case LogicalType::kTimeMicros:
        return std::string("TIME");
      case LogicalType::kTimestampMillis:
      case LogicalType::kTimestampMicros:
        return std::string(AdjustToUtc(n) ? "TIMESTAMPTZ" : "TIMESTAMP");
      case LogicalType::kLocalTimestampMillis:
      case LogicalType::kLocalTimestampMicros:
        return std::string("TIMESTAMP");
      case LogicalType::kTimestampNanos:
      case LogicalType::kLocalTimestampNanos:
        return std::string("TIMESTAMP_NS");
      case LogicalType::kUuid:
        if (n.type == Type::kString || (n.type == Type::kFixed && n.fixed_size == 16))
          return std::string("UUID");
        break;
      case LogicalType::kDecimal:
        if (n.precision > 38) {
          return NotSupported("Avro decimal(", n.precision, ", ", n.scale,
                              ") has more than 38 digits");
        }
        if (n.type == Type::kFixed && n.fixed_size > 16) {
          return NotSupported("Avro decimal in fixed[", n.fixed_size, "] is wider than 16 bytes");
        }
        return StrCat("DECIMAL(", n.precision, ",", n.scale, ")");
      case LogicalType::kDuration:
      case LogicalType::kNone:
        break;
    }
    switch (n.type) {
      case Type::kNull:
        return std::string("VARCHAR");
      case Type::kBoolean:
        return std::string("BOOLEAN");
      case Type::kInt:
        return std::string("INTEGER");
      case Type::kLong:
        return std::string("BIGINT");
      case Type::kFloat:
        return std::string("FLOAT");
      case Type::kDouble:
        return std::string("DOUBLE");
      case Type::kString:
      case Type::kEnum:
        return std::string("VARCHAR");
      case Type::kBytes:
      case Type::kFixed:
        return std::string("BLOB");
      case Type::kArray: {
        ATOLL_ASSIGN_OR_RETURN(std::string item, Map(*n.items));
        return item + "[]";
      }
      case Type::kMap: {
        ATOLL_ASSIGN_OR_RETURN(std::string value, Map(*n.items));
        return StrCat("MAP(VARCHAR, ", value, ")");
      }
      case Type::kRecord: {
        if (IsEmptyRecord(n)) return NotSupported("Avro record '", n.full_name, "' has no fields");
        std::string out = "STRUCT(";
        bool first = true;
        for (size_t i = 0; i < n.fields.size(); ++i) {
          if (IsEmptyRecord(*n.fields[i].type)) continue;
          ATOLL_ASSIGN_OR_RETURN(std::string t, Map(*n.fields[i].type));
          out += StrCat(first ? "" : ", ", engine::QuoteIdentifier(n.fields[i].name), " ", t);
          first = false;
        }
        return out + ")";
      }
      case Type::kUnion: {
        std::vector<size_t> others = NonNullBranches(n);
        if (others.empty()) return std::string("VARCHAR");
        if (others.size() == 1 && n.branches.size() == 2) return Map(*n.branches[others[0]]);
        std::string out = "STRUCT(tag INTEGER";
        for (size_t i = 0; i < others.size(); ++i) {
          ATOLL_ASSIGN_OR_RETURN(std::string t, Map(*n.branches[others[i]]));
          out += StrCat(", field", i, " ", t);
        }
        return out + ")";
      }
    }
    return Internal("unhandled Avro type");
  }
  std::set<const Node*> active_;
};

Result<int> HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return InvalidArgument("not a hex digit");
}

// "123e4567-e89b-12d3-a456-426614174000" → 16 bytes.
Result<std::string> ParseUuid(const std::string& text) {
  std::string out;
  int half = -1;
  for (char c : text) {
    if (c == '-') continue;
    Result<int> d = HexDigit(c);
    if (!d.ok() || out.size() == 16) return InvalidArgument("'", text, "' is not a UUID");
    if (half < 0) {
      half = *d;
    } else {
      out.push_back(static_cast<char>(half * 16 + *d));
      half = -1;
    }
  }
  if (out.size() != 16 || half >= 0) return InvalidArgument("'", text, "' is not a UUID");
  return out;
}

Result<int64_t> ScaleBy1000(int64_t v) {
  if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000)
    return InvalidArgument("timestamp ", v, " ms is out of range");
  return v * 1000;
}

Result<Datum> ToDatum(const Node& n, const Value& v) {
  if (v.type() == Type::kNull) return Datum::Null();
  switch (n.logical) {
    case LogicalType::kDate:
    case LogicalType::kTimeMicros:
    case LogicalType::kTimestampMicros:
    case LogicalType::kLocalTimestampMicros:
    case LogicalType::kTimestampNanos:
    case LogicalType::kLocalTimestampNanos:
      return Datum::Int(*v.AsLong());
    case LogicalType::kTimeMillis:
    case LogicalType::kTimestampMillis:
    case LogicalType::kLocalTimestampMillis: {
      ATOLL_ASSIGN_OR_RETURN(int64_t us, ScaleBy1000(*v.AsLong()));
      return Datum::Int(us);
    }
    case LogicalType::kUuid:
      if (n.type == Type::kString) {
        ATOLL_ASSIGN_OR_RETURN(std::string bytes, ParseUuid(v.bytes()));
        return Datum::Bytes(std::move(bytes));
      }
      if (n.type == Type::kFixed && n.fixed_size == 16) return Datum::Bytes(v.bytes());
      break;
    case LogicalType::kDecimal: {
      const std::string& b = v.bytes();
      if (b.size() > 16)
        return InvalidArgument("decimal value of ", b.size(), " bytes is wider than 16");
      if (b.empty()) return Datum::HugeInt(0);
      unsigned __int128 u =
          static_cast<unsigned char>(b[0]) & 0x80 ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : b) u = (u << 8) | static_cast<unsigned char>(c);
      return Datum::HugeInt(static_cast<__int128>(u));
    }
    case LogicalType::kDuration:
    case LogicalType::kNone:
      break;
  }
  switch (n.type) {
    case Type::kNull:
      return Datum::Null();
    case Type::kBoolean:
      return Datum::Bool(v.boolean());
    case Type::kInt:
      return Datum::Int(v.int_value());
    case Type::kLong:
      return Datum::Int(v.long_value());
    case Type::kFloat:
      return Datum::Float(v.float_value());
    case Type::kDouble:
      return Datum::Double(v.double_value());
    case Type::kString:
    case Type::kBytes:
    case Type::kFixed:
      return Datum::Bytes(v.bytes());
    case Type::kEnum: {
      int i = v.enum_index();
      if (i < 0 || static_cast<size_t>(i) >= n.symbols.size())
        return Corruption("enum index ", i, " out of range");
      return Datum::Bytes(n.symbols[i]);
    }
    case Type::kArray: {
      std::vector<Datum> items;
      items.reserve(v.items().size());
      for (const Value& item : v.items()) {
        ATOLL_ASSIGN_OR_RETURN(Datum d, ToDatum(*n.items, item));
        items.push_back(std::move(d));
      }
      return Datum::List(std::move(items));
    }
    case Type::kMap: {
      std::vector<std::pair<Datum, Datum>> entries;
      for (size_t i = 0; i < v.map_keys().size(); ++i) {
        ATOLL_ASSIGN_OR_RETURN(Datum d, ToDatum(*n.items, v.map_values()[i]));
        entries.emplace_back(Datum::Bytes(v.map_keys()[i]), std::move(d));
      }
      return Datum::Map(std::move(entries));
    }
    case Type::kRecord: {
      std::vector<Datum> fields;
      for (size_t i = 0; i < n.fields.size(); ++i) {
        if (IsEmptyRecord(*n.fields[i].type)) continue;
        ATOLL_ASSIGN_OR_RETURN(Datum d, ToDatum(*n.fields[i].type, v.fields()[i]));
        fields.push_back(std::move(d));
      }
      return Datum::Struct(std::move(fields));
    }
    case Type::kUnion: {
      const size_t b = v.branch();
      const Node& branch = *n.branches[b];
      if (branch.type == Type::kNull) return Datum::Null();
      std::vector<size_t> others = NonNullBranches(n);
      if (others.size() == 1 && n.branches.size() == 2) return ToDatum(branch, v.branch_value());
      std::vector<Datum> fields(others.size() + 1);
      for (size_t i = 0; i < others.size(); ++i) {
        if (others[i] != b) continue;
        fields[0] = Datum::Int(static_cast<int64_t>(i));
        ATOLL_ASSIGN_OR_RETURN(fields[i + 1], ToDatum(branch, v.branch_value()));
      }
      return Datum::Struct(std::move(fields));
    }
  }
  return Internal("unhandled Avro type");
}

// The FIELD_IDS value of a column of Avro type `n` with field id `id`; nullopt when some
// nested id is missing (the column then goes without ids) or the type has no Iceberg form.
std::optional<std::string> IdsValue(const Node& n, int64_t id);

// The nested part (", 'a': 5", ", element: 3", ", key: 4, value: 5") of a nested type.
std::optional<std::string> NestedIds(const Node& n) {
  std::string out;
  switch (n.type) {
    case Type::kRecord:
      for (const avro::Field& f : n.fields) {
        if (IsEmptyRecord(*f.type)) continue;
        std::optional<int64_t> id = f.IntAttribute("field-id");
        if (!id) return std::nullopt;
        std::optional<std::string> v = IdsValue(*f.type, *id);
        if (!v) return std::nullopt;
        out += StrCat(", ", engine::QuoteString(f.name), ": ", *v);
      }
      return out;
    case Type::kArray: {
      std::optional<int64_t> id = n.IntAttribute("element-id");
      if (!id) return std::nullopt;
      std::optional<std::string> v = IdsValue(*n.items, *id);
      if (!v) return std::nullopt;
      return StrCat(", element: ", *v);
    }
    case Type::kMap: {
      std::optional<int64_t> key = n.IntAttribute("key-id");
      std::optional<int64_t> value = n.IntAttribute("value-id");
      if (!key || !value) return std::nullopt;
      std::optional<std::string> v = IdsValue(*n.items, *value);
      if (!v) return std::nullopt;
      return StrCat(", key: ", *key, ", value: ", *v);
    }
    default:
      return out;
  }
}

std::optional<std::string> IdsValue(const Node& node, int64_t id) {
  const Node* n = &node;
  if (n->type == Type::kUnion) {
    std::vector<size_t> others = NonNullBranches(*n);
    if (others.size() != 1 || n->branches.size() != 2) return std::nullopt;  // a struct of branches
    n = n->branches[others[0]];
  }
  if (n->type != Type::kRecord && n->type != Type::kArray && n->type != Type::kMap)
    return StrCat(id);
  std::optional<std::string> nested = NestedIds(*n);
  if (!nested) return std::nullopt;
  return StrCat("{__duckdb_field_id: ", id, *nested, "}");
}

}  // namespace

std::optional<std::string> AvroFieldIdsOption(const avro::Node& root) {
  if (root.type != Type::kRecord) return std::nullopt;
  std::string out;
  for (const avro::Field& f : root.fields) {
    if (IsEmptyRecord(*f.type)) continue;
    std::optional<int64_t> id = f.IntAttribute("field-id");
    if (!id) continue;
    std::optional<std::string> v = IdsValue(*f.type, *id);
    if (!v) continue;
    out += StrCat(out.empty() ? "{" : ", ", engine::QuoteString(f.name), ": ", *v);
  }
  if (out.empty()) return std::nullopt;
  return out + "}";
}

Result<int64_t> LoadAvroFile(engine::Engine& engine, const std::string& path,
                             const std::string& name, const std::string& table,
                             const AvroTableOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<avro::InputStream> input, avro::OpenFileInput(path));
  avro::ReaderOptions reader_options;
  reader_options.max_block_bytes = static_cast<size_t>(options.max_block_bytes);
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<avro::Reader> reader,
                         avro::Reader::Open(std::move(input), name, reader_options));
  return LoadAvro(engine, *reader, name, table);
}

Result<int64_t> AvroToParquet(engine::Engine& engine, avro::Reader& reader, const std::string& name,
                              const std::string& parquet_path, const std::string& compression) {
  const std::string scratch = "atoll_avro_to_parquet";
  Result<int64_t> rows = LoadAvro(engine, reader, name, scratch);
  Status st = rows.status();
  if (rows.ok()) {
    std::string copy =
        StrCat("COPY ", engine::QuoteIdentifier(scratch), " TO ", engine::QuoteString(parquet_path),
               " (FORMAT parquet, COMPRESSION ", compression);
    if (std::optional<std::string> ids = AvroFieldIdsOption(reader.schema()->root()))
      copy += ", FIELD_IDS " + *ids;
    st = engine.Execute(copy + ")")
             .WithContext(StrCat("writing ", name, " as Parquet to ", parquet_path));
  }
  (void)engine.Execute(StrCat("DROP TABLE IF EXISTS ", engine::QuoteIdentifier(scratch)));
  if (!st.ok()) return st;
  return rows;
}

Result<int64_t> LoadAvro(engine::Engine& engine, avro::Reader& reader_ref, const std::string& name,
                         const std::string& table) {
  avro::Reader* reader = &reader_ref;
  const Node& root = reader->schema()->root();
  const bool is_record = root.type == Type::kRecord;
  std::vector<engine::AppenderColumn> columns;
  TypeMapper mapper;
  if (is_record) {
    if (IsEmptyRecord(root))
      return NotSupported("avro file '", name, "': the record has no fields");
    for (const avro::Field& f : root.fields) {
      if (IsEmptyRecord(*f.type)) continue;
      Result<std::string> t = mapper.Map(*f.type);
      if (!t.ok())
        return t.status().WithContext(StrCat("avro file '", name, "', field '", f.name, "'"));
      columns.push_back({f.name, *t});
    }
  } else {
    Result<std::string> t = mapper.Map(root);
    if (!t.ok()) return t.status().WithContext(StrCat("avro file '", name, "'"));
    columns.push_back({"value", *t});
  }
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<engine::Appender> appender,
                         engine::Appender::Create(engine, table, columns, /*replace=*/true));
  Value row;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, reader->Next(&row));
    if (!more) break;
    if (is_record) {
      for (size_t i = 0; i < root.fields.size(); ++i) {
        if (IsEmptyRecord(*root.fields[i].type)) continue;
        Result<Datum> d = ToDatum(*root.fields[i].type, row.fields()[i]);
        if (!d.ok()) {
          return d.status().WithContext(StrCat("avro file '", name, "', row ", reader->rows_read(),
                                               ", field '", root.fields[i].name, "'"));
        }
        ATOLL_RETURN_NOT_OK_CTX(appender->Append(*d),
                                StrCat("avro file '", name, "', row ", reader->rows_read(),
                                       ", field '", root.fields[i].name, "'"));
      }
    } else {
      ATOLL_ASSIGN_OR_RETURN_CTX(Datum d, ToDatum(root, row), StrCat("avro file '", name, "'"));
      ATOLL_RETURN_NOT_OK(appender->Append(d));
    }
    ATOLL_RETURN_NOT_OK(appender->EndRow());
  }
  const int64_t rows = appender->rows();
  ATOLL_RETURN_NOT_OK(appender->Close());
  return rows;
}

}  // namespace atl::table
