#include "atoll/lake/avro_table.h"

#include <set>
#include <vector>

#include "atoll/engine/appender.h"
#include "atoll/formats/avro/reader.h"

namespace atl::lake {

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
  auto it = n.attributes.find("adjust-to-utc");
  return it == n.attributes.end() || !it->is_boolean() || it->get<bool>();
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
      case LogicalType::kDate: return std::string("DATE");
      case LogicalType::kTimeMillis:
      case LogicalType::kTimeMicros: return std::string("TIME");
      case LogicalType::kTimestampMillis:
      case LogicalType::kTimestampMicros: return std::string(AdjustToUtc(n) ? "TIMESTAMPTZ" : "TIMESTAMP");
      case LogicalType::kLocalTimestampMillis:
      case LogicalType::kLocalTimestampMicros: return std::string("TIMESTAMP");
      case LogicalType::kTimestampNanos:
      case LogicalType::kLocalTimestampNanos: return std::string("TIMESTAMP_NS");
      case LogicalType::kUuid:
        if (n.type == Type::kString || (n.type == Type::kFixed && n.fixed_size == 16)) return std::string("UUID");
        break;
      case LogicalType::kDecimal:
        if (n.precision > 38) {
          return NotSupported("Avro decimal(", n.precision, ", ", n.scale, ") has more than 38 digits");
        }
        if (n.type == Type::kFixed && n.fixed_size > 16) {
          return NotSupported("Avro decimal in fixed[", n.fixed_size, "] is wider than 16 bytes");
        }
        return StrCat("DECIMAL(", n.precision, ",", n.scale, ")");
      case LogicalType::kDuration:
      case LogicalType::kNone: break;
    }
    switch (n.type) {
      case Type::kNull: return std::string("VARCHAR");
      case Type::kBoolean: return std::string("BOOLEAN");
      case Type::kInt: return std::string("INTEGER");
      case Type::kLong: return std::string("BIGINT");
      case Type::kFloat: return std::string("FLOAT");
      case Type::kDouble: return std::string("DOUBLE");
      case Type::kString:
      case Type::kEnum: return std::string("VARCHAR");
      case Type::kBytes:
      case Type::kFixed: return std::string("BLOB");
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
  if (v > INT64_MAX / 1000 || v < INT64_MIN / 1000) return InvalidArgument("timestamp ", v, " ms is out of range");
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
      if (b.size() > 16) return InvalidArgument("decimal value of ", b.size(), " bytes is wider than 16");
      if (b.empty()) return Datum::HugeInt(0);
      unsigned __int128 u = static_cast<unsigned char>(b[0]) & 0x80 ? ~static_cast<unsigned __int128>(0) : 0;
      for (char c : b) u = (u << 8) | static_cast<unsigned char>(c);
      return Datum::HugeInt(static_cast<__int128>(u));
    }
    case LogicalType::kDuration:
    case LogicalType::kNone: break;
  }
  switch (n.type) {
    case Type::kNull: return Datum::Null();
    case Type::kBoolean: return Datum::Bool(v.boolean());
    case Type::kInt: return Datum::Int(v.int_value());
    case Type::kLong: return Datum::Int(v.long_value());
    case Type::kFloat: return Datum::Float(v.float_value());
    case Type::kDouble: return Datum::Double(v.double_value());
    case Type::kString:
    case Type::kBytes:
    case Type::kFixed: return Datum::Bytes(v.bytes());
    case Type::kEnum: {
      int i = v.enum_index();
      if (i < 0 || static_cast<size_t>(i) >= n.symbols.size()) return Corruption("enum index ", i, " out of range");
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

}  // namespace

Result<int64_t> LoadAvroFile(engine::Engine& engine, const std::string& path, const std::string& name,
                             const std::string& table, const AvroTableOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<avro::InputStream> input, avro::OpenFileInput(path));
  avro::ReaderOptions reader_options;
  reader_options.max_block_bytes = static_cast<size_t>(options.max_block_bytes);
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<avro::Reader> reader,
                         avro::Reader::Open(std::move(input), name, reader_options));
  const Node& root = reader->schema()->root();
  const bool is_record = root.type == Type::kRecord;
  std::vector<engine::AppenderColumn> columns;
  TypeMapper mapper;
  if (is_record) {
    if (IsEmptyRecord(root)) return NotSupported("avro file '", name, "': the record has no fields");
    for (const avro::Field& f : root.fields) {
      if (IsEmptyRecord(*f.type)) continue;
      Result<std::string> t = mapper.Map(*f.type);
      if (!t.ok()) return t.status().WithContext(StrCat("avro file '", name, "', field '", f.name, "'"));
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
          return d.status().WithContext(StrCat("avro file '", name, "', row ", reader->rows_read(), ", field '",
                                               root.fields[i].name, "'"));
        }
        ATOLL_RETURN_NOT_OK_CTX(appender->Append(*d), StrCat("avro file '", name, "', row ", reader->rows_read(),
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

}  // namespace atl::lake
