// The appender through DuckDB's C API. Top-level values whose DuckDB appender function
// stores them exactly (integers, floats, strings, blobs, DATE, TIME, TIMESTAMP) go straight
// to duckdb_append_*; DECIMAL (whose integer appenders would scale the value), UUID,
// TIMESTAMPTZ, TIMESTAMP_NS and nested values are built as duckdb_values of the column's
// exact type and appended with duckdb_append_value. The C API has no typed NULL value
// (duckdb_create_null_value is of type "NULL", which list/struct/map constructors refuse),
// and no empty LIST or MAP, so those are made with the C++ API: a duckdb_value is a
// duckdb::Value* and a duckdb_logical_type a duckdb::LogicalType* behind the C API.
#include "atoll/engine/appender.h"

#include <duckdb.h>

#include <duckdb.hpp>
#include <limits>
#include <utility>

#include "atoll/engine/engine_access.h"
#include "atoll/engine/result_text.h"

namespace atl::engine {

Datum Datum::Bool(bool v) {
  Datum d;
  d.kind_ = Kind::kBool;
  d.int_ = v ? 1 : 0;
  return d;
}
Datum Datum::Int(int64_t v) {
  Datum d;
  d.kind_ = Kind::kInt;
  d.int_ = v;
  return d;
}
Datum Datum::HugeInt(__int128 v) {
  Datum d;
  d.kind_ = Kind::kHugeInt;
  d.int_ = v;
  return d;
}
Datum Datum::Float(float v) {
  Datum d;
  d.kind_ = Kind::kFloat;
  d.double_ = v;
  return d;
}
Datum Datum::Double(double v) {
  Datum d;
  d.kind_ = Kind::kDouble;
  d.double_ = v;
  return d;
}
Datum Datum::Bytes(std::string v) {
  Datum d;
  d.kind_ = Kind::kBytes;
  d.bytes_ = std::move(v);
  return d;
}
Datum Datum::List(std::vector<Datum> items) {
  Datum d;
  d.kind_ = Kind::kList;
  d.children_ = std::move(items);
  return d;
}
Datum Datum::Struct(std::vector<Datum> fields) {
  Datum d;
  d.kind_ = Kind::kStruct;
  d.children_ = std::move(fields);
  return d;
}
Datum Datum::Map(std::vector<std::pair<Datum, Datum>> entries) {
  Datum d;
  d.kind_ = Kind::kMap;
  d.children_.reserve(entries.size() * 2);
  for (auto& [k, v] : entries) {
    d.children_.push_back(std::move(k));
    d.children_.push_back(std::move(v));
  }
  return d;
}

namespace {

// Owns a duckdb_value.
class OwnedValue {
 public:
  OwnedValue() = default;
  explicit OwnedValue(duckdb_value v) : v_(v) {}
  OwnedValue(OwnedValue&& o) noexcept : v_(std::exchange(o.v_, nullptr)) {}
  OwnedValue& operator=(OwnedValue&& o) noexcept {
    std::swap(v_, o.v_);
    return *this;
  }
  ~OwnedValue() {
    if (v_ != nullptr) duckdb_destroy_value(&v_);
  }
  duckdb_value get() const { return v_; }

 private:
  duckdb_value v_ = nullptr;
};

// The type tree of one column; owns the logical type handle.
struct TypeNode {
  TypeNode() = default;
  TypeNode(TypeNode&& o) noexcept
      : id(o.id),
        width(o.width),
        scale(o.scale),
        logical(std::exchange(o.logical, nullptr)),
        children(std::move(o.children)) {}
  TypeNode& operator=(TypeNode&&) = delete;
  ~TypeNode() {
    if (logical != nullptr) duckdb_destroy_logical_type(&logical);
  }

  duckdb_type id = DUCKDB_TYPE_INVALID;
  uint8_t width = 0;
  uint8_t scale = 0;
  duckdb_logical_type logical = nullptr;
  std::vector<TypeNode> children;  // LIST: item; STRUCT: fields; MAP: key, value
};

// The name of a type the appender takes; nullptr for the others.
const char* TypeName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL";
    case DUCKDB_TYPE_LIST:
      return "LIST";
    case DUCKDB_TYPE_STRUCT:
      return "STRUCT";
    case DUCKDB_TYPE_MAP:
      return "MAP";
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_TIME_NS:
    case DUCKDB_TYPE_TIME_TZ:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_INTERVAL:
    case DUCKDB_TYPE_BIT:
    case DUCKDB_TYPE_SQLNULL:
      return nullptr;
    default:
      return internal::SimpleTypeName(id);
  }
}

// Takes ownership of `logical`.
Result<TypeNode> Describe(duckdb_logical_type logical) {
  TypeNode node;
  node.logical = logical;
  node.id = duckdb_get_type_id(logical);
  if (TypeName(node.id) == nullptr) {
    return NotSupported("the appender does not support DuckDB type id ", static_cast<int>(node.id));
  }
  switch (node.id) {
    case DUCKDB_TYPE_DECIMAL:
      node.width = duckdb_decimal_width(logical);
      node.scale = duckdb_decimal_scale(logical);
      break;
    case DUCKDB_TYPE_LIST: {
      ATOLL_ASSIGN_OR_RETURN(TypeNode item, Describe(duckdb_list_type_child_type(logical)));
      node.children.push_back(std::move(item));
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      idx_t n = duckdb_struct_type_child_count(logical);
      for (idx_t i = 0; i < n; ++i) {
        ATOLL_ASSIGN_OR_RETURN(TypeNode field, Describe(duckdb_struct_type_child_type(logical, i)));
        node.children.push_back(std::move(field));
      }
      break;
    }
    case DUCKDB_TYPE_MAP: {
      ATOLL_ASSIGN_OR_RETURN(TypeNode key, Describe(duckdb_map_type_key_type(logical)));
      ATOLL_ASSIGN_OR_RETURN(TypeNode value, Describe(duckdb_map_type_value_type(logical)));
      node.children.push_back(std::move(key));
      node.children.push_back(std::move(value));
      break;
    }
    default:
      break;
  }
  return node;
}

const char* KindName(Datum::Kind k) {
  switch (k) {
    case Datum::Kind::kNull:
      return "null";
    case Datum::Kind::kBool:
      return "bool";
    case Datum::Kind::kInt:
      return "int";
    case Datum::Kind::kHugeInt:
      return "hugeint";
    case Datum::Kind::kFloat:
      return "float";
    case Datum::Kind::kDouble:
      return "double";
    case Datum::Kind::kBytes:
      return "bytes";
    case Datum::Kind::kList:
      return "list";
    case Datum::Kind::kStruct:
      return "struct";
    case Datum::Kind::kMap:
      return "map";
  }
  return "?";
}

Status Mismatch(const TypeNode& type, const Datum& d) {
  return InvalidArgument("a ", KindName(d.kind()), " value cannot go into a ", TypeName(type.id),
                         " column");
}

duckdb_hugeint ToHugeint(__int128 v) {
  duckdb_hugeint h;
  h.lower = static_cast<uint64_t>(v);
  h.upper = static_cast<int64_t>(v >> 64);
  return h;
}

bool IsInteger(const Datum& d) {
  return d.kind() == Datum::Kind::kInt || d.kind() == Datum::Kind::kHugeInt;
}

template <typename T>
Result<T> Narrow(__int128 v, const TypeNode& type) {
  if (v < static_cast<__int128>(std::numeric_limits<T>::min()) ||
      v > static_cast<__int128>(std::numeric_limits<T>::max())) {
    return InvalidArgument("value out of range for ", TypeName(type.id));
  }
  return static_cast<T>(v);
}

Status CheckDecimalDigits(__int128 v, const TypeNode& type) {
  __int128 limit = 1;
  for (int i = 0; i < type.width; ++i) limit *= 10;
  if (v >= limit || v <= -limit) {
    return InvalidArgument("unscaled value has more than ", static_cast<int>(type.width),
                           " digits for DECIMAL(", static_cast<int>(type.width), ",",
                           static_cast<int>(type.scale), ")");
  }
  return Status::OK();
}

// A duckdb_value of exactly `type` holding `d`.
Result<OwnedValue> MakeValue(const TypeNode& type, const Datum& d) {
  if (d.is_null()) {
    const auto& logical = *reinterpret_cast<const duckdb::LogicalType*>(type.logical);
    return OwnedValue(reinterpret_cast<duckdb_value>(new duckdb::Value(logical)));
  }
  duckdb_value v = nullptr;
  switch (type.id) {
    case DUCKDB_TYPE_BOOLEAN:
      if (d.kind() != Datum::Kind::kBool) return Mismatch(type, d);
      v = duckdb_create_bool(d.bool_value());
      break;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT: {
      if (!IsInteger(d)) return Mismatch(type, d);
      __int128 x = d.hugeint_value();
      switch (type.id) {
        case DUCKDB_TYPE_TINYINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<int8_t>(x, type));
          v = duckdb_create_int8(n);
          break;
        }
        case DUCKDB_TYPE_SMALLINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<int16_t>(x, type));
          v = duckdb_create_int16(n);
          break;
        }
        case DUCKDB_TYPE_INTEGER: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<int32_t>(x, type));
          v = duckdb_create_int32(n);
          break;
        }
        case DUCKDB_TYPE_BIGINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<int64_t>(x, type));
          v = duckdb_create_int64(n);
          break;
        }
        case DUCKDB_TYPE_UTINYINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<uint8_t>(x, type));
          v = duckdb_create_uint8(n);
          break;
        }
        case DUCKDB_TYPE_USMALLINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<uint16_t>(x, type));
          v = duckdb_create_uint16(n);
          break;
        }
        case DUCKDB_TYPE_UINTEGER: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<uint32_t>(x, type));
          v = duckdb_create_uint32(n);
          break;
        }
        case DUCKDB_TYPE_UBIGINT: {
          ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<uint64_t>(x, type));
          v = duckdb_create_uint64(n);
          break;
        }
        default:
          v = duckdb_create_hugeint(ToHugeint(x));
          break;
      }
      break;
    }
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
      if (d.kind() != Datum::Kind::kFloat && d.kind() != Datum::Kind::kDouble) {
        return Mismatch(type, d);
      }
      v = type.id == DUCKDB_TYPE_FLOAT ? duckdb_create_float(static_cast<float>(d.double_value()))
                                       : duckdb_create_double(d.double_value());
      break;
    case DUCKDB_TYPE_VARCHAR:
      if (d.kind() != Datum::Kind::kBytes) return Mismatch(type, d);
      v = duckdb_create_varchar_length(d.bytes().data(), d.bytes().size());
      break;
    case DUCKDB_TYPE_BLOB:
      if (d.kind() != Datum::Kind::kBytes) return Mismatch(type, d);
      v = duckdb_create_blob(reinterpret_cast<const uint8_t*>(d.bytes().data()), d.bytes().size());
      break;
    case DUCKDB_TYPE_DECIMAL: {
      if (!IsInteger(d)) return Mismatch(type, d);
      ATOLL_RETURN_NOT_OK(CheckDecimalDigits(d.hugeint_value(), type));
      duckdb_decimal dec;
      dec.width = type.width;
      dec.scale = type.scale;
      dec.value = ToHugeint(d.hugeint_value());
      v = duckdb_create_decimal(dec);
      break;
    }
    case DUCKDB_TYPE_DATE: {
      if (!IsInteger(d)) return Mismatch(type, d);
      ATOLL_ASSIGN_OR_RETURN(auto days, Narrow<int32_t>(d.hugeint_value(), type));
      v = duckdb_create_date(duckdb_date{days});
      break;
    }
    case DUCKDB_TYPE_TIME:
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_TZ:
    case DUCKDB_TYPE_TIMESTAMP_NS: {
      if (!IsInteger(d)) return Mismatch(type, d);
      ATOLL_ASSIGN_OR_RETURN(auto n, Narrow<int64_t>(d.hugeint_value(), type));
      if (type.id == DUCKDB_TYPE_TIME) {
        v = duckdb_create_time(duckdb_time{n});
      } else if (type.id == DUCKDB_TYPE_TIMESTAMP) {
        v = duckdb_create_timestamp(duckdb_timestamp{n});
      } else if (type.id == DUCKDB_TYPE_TIMESTAMP_TZ) {
        v = duckdb_create_timestamp_tz(duckdb_timestamp{n});
      } else {
        v = duckdb_create_timestamp_ns(duckdb_timestamp_ns{n});
      }
      break;
    }
    case DUCKDB_TYPE_UUID: {
      if (d.kind() != Datum::Kind::kBytes) return Mismatch(type, d);
      if (d.bytes().size() != 16)
        return InvalidArgument("a UUID takes 16 bytes, got ", d.bytes().size());
      duckdb_uhugeint u{0, 0};
      for (int i = 0; i < 8; ++i) {
        u.upper = (u.upper << 8) | static_cast<uint8_t>(d.bytes()[i]);
        u.lower = (u.lower << 8) | static_cast<uint8_t>(d.bytes()[8 + i]);
      }
      v = duckdb_create_uuid(u);
      break;
    }
    case DUCKDB_TYPE_LIST: {
      if (d.kind() != Datum::Kind::kList) return Mismatch(type, d);
      std::vector<OwnedValue> owned;
      std::vector<duckdb_value> raw;
      owned.reserve(d.children().size());
      for (const Datum& item : d.children()) {
        ATOLL_ASSIGN_OR_RETURN(OwnedValue iv, MakeValue(type.children[0], item));
        raw.push_back(iv.get());
        owned.push_back(std::move(iv));
      }
      if (raw.empty()) {  // the C API refuses empty lists
        const auto& item = *reinterpret_cast<const duckdb::LogicalType*>(type.children[0].logical);
        v = reinterpret_cast<duckdb_value>(
            new duckdb::Value(duckdb::Value::LIST(item, duckdb::vector<duckdb::Value>())));
        break;
      }
      v = duckdb_create_list_value(type.children[0].logical, raw.data(), raw.size());
      break;
    }
    case DUCKDB_TYPE_STRUCT: {
      if (d.kind() != Datum::Kind::kStruct) return Mismatch(type, d);
      if (d.children().size() != type.children.size()) {
        return InvalidArgument("a STRUCT of ", type.children.size(), " fields got ",
                               d.children().size(), " values");
      }
      std::vector<OwnedValue> owned;
      std::vector<duckdb_value> raw;
      for (size_t i = 0; i < d.children().size(); ++i) {
        ATOLL_ASSIGN_OR_RETURN(OwnedValue fv, MakeValue(type.children[i], d.children()[i]));
        raw.push_back(fv.get());
        owned.push_back(std::move(fv));
      }
      v = duckdb_create_struct_value(type.logical, raw.data());
      break;
    }
    case DUCKDB_TYPE_MAP: {
      if (d.kind() != Datum::Kind::kMap) return Mismatch(type, d);
      std::vector<OwnedValue> owned;
      std::vector<duckdb_value> keys, values;
      for (size_t i = 0; i < d.map_size(); ++i) {
        if (d.map_key(i).is_null()) return InvalidArgument("a MAP key cannot be NULL");
        ATOLL_ASSIGN_OR_RETURN(OwnedValue kv, MakeValue(type.children[0], d.map_key(i)));
        ATOLL_ASSIGN_OR_RETURN(OwnedValue vv, MakeValue(type.children[1], d.map_value(i)));
        keys.push_back(kv.get());
        values.push_back(vv.get());
        owned.push_back(std::move(kv));
        owned.push_back(std::move(vv));
      }
      if (keys.empty()) {  // the C API refuses empty maps
        const auto& key = *reinterpret_cast<const duckdb::LogicalType*>(type.children[0].logical);
        const auto& value = *reinterpret_cast<const duckdb::LogicalType*>(type.children[1].logical);
        v = reinterpret_cast<duckdb_value>(new duckdb::Value(duckdb::Value::MAP(
            key, value, duckdb::vector<duckdb::Value>(), duckdb::vector<duckdb::Value>())));
        break;
      }
      v = duckdb_create_map_value(type.logical, keys.data(), values.data(), keys.size());
      break;
    }
    default:
      return NotSupported("the appender does not support ", TypeName(type.id));
  }
  if (v == nullptr) {
    return InvalidArgument("DuckDB could not build a ", TypeName(type.id), " value");
  }
  return OwnedValue(v);
}

}  // namespace

class Appender::Impl {
 public:
  ~Impl() {
    if (appender != nullptr) {
      duckdb_appender_close(appender);
      duckdb_appender_destroy(&appender);
    }
  }

  Status AppenderError() {
    duckdb_error_data data = duckdb_appender_error_data(appender);
    Status st = internal::StatusFromDuckDbError(duckdb_error_data_message(data));
    duckdb_destroy_error_data(&data);
    return st;
  }

  // Checks the state before a value; returns the column's type.
  Result<const TypeNode*> Next() {
    if (appender == nullptr) return PreconditionFailed("the appender is closed");
    ATOLL_RETURN_NOT_OK(error);
    if (column >= types.size()) {
      return Fail(InvalidArgument("more values than the ", types.size(), " columns in a row"));
    }
    return &types[column];
  }

  Status Fail(Status st) {
    if (error.ok()) error = st;
    return st;
  }

  // Records the outcome of one duckdb_append_* call.
  Status Done(duckdb_state state) {
    if (state != DuckDBSuccess) return Fail(AppenderError());
    ++column;
    return Status::OK();
  }

  Status AppendDatum(const TypeNode& type, const Datum& d) {
    auto value = MakeValue(type, d);
    if (!value.ok()) return Fail(value.status());
    return Done(duckdb_append_value(appender, value->get()));
  }

  duckdb_appender appender = nullptr;
  std::vector<TypeNode> types;
  std::vector<std::string> type_names;
  size_t column = 0;
  int64_t rows = 0;
  Status error;
};

Appender::Appender(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Appender::~Appender() = default;

Result<std::unique_ptr<Appender>> Appender::Create(Engine& engine, std::string_view table,
                                                   const std::vector<AppenderColumn>& columns,
                                                   bool replace) {
  if (columns.empty()) return InvalidArgument("a table needs at least one column");
  std::string sql = replace ? "CREATE OR REPLACE TABLE " : "CREATE TABLE ";
  sql += QuoteIdentifier(table);
  sql += " (";
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) sql += ", ";
    sql += QuoteIdentifier(columns[i].name);
    sql += " ";
    sql += columns[i].type;
  }
  sql += ")";
  ATOLL_RETURN_NOT_OK(engine.Execute(sql));
  auto opened = Open(engine, table);
  if (!opened.ok() && opened.status().code() == StatusCode::kNotSupported) {
    (void)engine.Execute("DROP TABLE IF EXISTS " + QuoteIdentifier(table));
  }
  return opened;
}

Result<std::unique_ptr<Appender>> Appender::Open(Engine& engine, std::string_view table) {
  auto impl = std::make_unique<Impl>();
  // The types as SQL text, for column_type(); also checks that the table exists.
  ATOLL_ASSIGN_OR_RETURN(
      QueryResult described,
      engine.Query("SELECT data_type FROM duckdb_columns() WHERE schema_name = current_schema() "
                   "AND table_name = " +
                   QuoteString(table) + " ORDER BY column_index"));
  if (described.rows.empty()) return InvalidArgument("no table named ", table);
  for (const Row& row : described.rows) impl->type_names.push_back(row[0].value_or(""));

  std::string name(table);
  if (duckdb_appender_create(internal::EngineAccess::Connection(engine), nullptr, name.c_str(),
                             &impl->appender) != DuckDBSuccess) {
    Status st = impl->AppenderError();
    duckdb_appender_destroy(&impl->appender);
    return st;
  }
  idx_t n = duckdb_appender_column_count(impl->appender);
  for (idx_t i = 0; i < n; ++i) {
    auto type = Describe(duckdb_appender_column_type(impl->appender, i));
    if (!type.ok()) {
      return type.status().WithContext("column " + std::to_string(i) + " (" +
                                       (i < impl->type_names.size() ? impl->type_names[i] : "") +
                                       ")");
    }
    impl->types.push_back(std::move(*type));
  }
  if (impl->types.size() != impl->type_names.size()) {
    return Internal("DuckDB reported ", impl->types.size(), " appender columns for ",
                    impl->type_names.size(), " table columns");
  }
  return std::unique_ptr<Appender>(new Appender(std::move(impl)));
}

size_t Appender::column_count() const { return impl_->types.size(); }
const std::string& Appender::column_type(size_t i) const { return impl_->type_names.at(i); }
int64_t Appender::rows() const { return impl_->rows; }

Status Appender::AppendNull() {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  (void)type;
  return impl_->Done(duckdb_append_null(impl_->appender));
}

Status Appender::AppendBool(bool v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  if (type->id != DUCKDB_TYPE_BOOLEAN) return impl_->Fail(Mismatch(*type, Datum::Bool(v)));
  return impl_->Done(duckdb_append_bool(impl_->appender, v));
}

Status Appender::AppendInt(int64_t v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  duckdb_appender a = impl_->appender;
  switch (type->id) {
    case DUCKDB_TYPE_BIGINT:
      return impl_->Done(duckdb_append_int64(a, v));
    case DUCKDB_TYPE_INTEGER: {
      auto n = Narrow<int32_t>(v, *type);
      if (!n.ok()) return impl_->Fail(n.status());
      return impl_->Done(duckdb_append_int32(a, *n));
    }
    case DUCKDB_TYPE_DATE: {
      auto n = Narrow<int32_t>(v, *type);
      if (!n.ok()) return impl_->Fail(n.status());
      return impl_->Done(duckdb_append_date(a, duckdb_date{*n}));
    }
    case DUCKDB_TYPE_TIME:
      return impl_->Done(duckdb_append_time(a, duckdb_time{v}));
    case DUCKDB_TYPE_TIMESTAMP:
      return impl_->Done(duckdb_append_timestamp(a, duckdb_timestamp{v}));
    default:
      return impl_->AppendDatum(*type, Datum::Int(v));
  }
}

Status Appender::AppendHugeInt(__int128 v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  if (type->id == DUCKDB_TYPE_HUGEINT) {
    return impl_->Done(duckdb_append_hugeint(impl_->appender, ToHugeint(v)));
  }
  return impl_->AppendDatum(*type, Datum::HugeInt(v));
}

Status Appender::AppendFloat(float v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  if (type->id == DUCKDB_TYPE_FLOAT) return impl_->Done(duckdb_append_float(impl_->appender, v));
  if (type->id == DUCKDB_TYPE_DOUBLE) return impl_->Done(duckdb_append_double(impl_->appender, v));
  return impl_->Fail(Mismatch(*type, Datum::Float(v)));
}

Status Appender::AppendDouble(double v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  if (type->id == DUCKDB_TYPE_DOUBLE) return impl_->Done(duckdb_append_double(impl_->appender, v));
  if (type->id == DUCKDB_TYPE_FLOAT) {
    return impl_->Done(duckdb_append_float(impl_->appender, static_cast<float>(v)));
  }
  return impl_->Fail(Mismatch(*type, Datum::Double(v)));
}

Status Appender::AppendBytes(std::string_view v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  if (type->id == DUCKDB_TYPE_VARCHAR) {
    return impl_->Done(duckdb_append_varchar_length(impl_->appender, v.data(), v.size()));
  }
  if (type->id == DUCKDB_TYPE_BLOB) {
    return impl_->Done(duckdb_append_blob(impl_->appender, v.data(), v.size()));
  }
  return impl_->AppendDatum(*type, Datum::Bytes(std::string(v)));
}

Status Appender::Append(const Datum& v) {
  ATOLL_ASSIGN_OR_RETURN(const TypeNode* type, impl_->Next());
  switch (v.kind()) {
    case Datum::Kind::kNull:
      return impl_->Done(duckdb_append_null(impl_->appender));
    case Datum::Kind::kList:
    case Datum::Kind::kStruct:
    case Datum::Kind::kMap:
      return impl_->AppendDatum(*type, v);
    default:
      break;
  }
  // Scalars take the typed fast paths (which check the column again).
  switch (v.kind()) {
    case Datum::Kind::kBool:
      return AppendBool(v.bool_value());
    case Datum::Kind::kInt:
      return AppendInt(v.int_value());
    case Datum::Kind::kHugeInt:
      return AppendHugeInt(v.hugeint_value());
    case Datum::Kind::kFloat:
      return AppendFloat(static_cast<float>(v.double_value()));
    case Datum::Kind::kDouble:
      return AppendDouble(v.double_value());
    case Datum::Kind::kBytes:
      return AppendBytes(v.bytes());
    default:
      return Internal("unreachable datum kind");
  }
}

Status Appender::EndRow() {
  if (impl_->appender == nullptr) return PreconditionFailed("the appender is closed");
  ATOLL_RETURN_NOT_OK(impl_->error);
  if (impl_->column != impl_->types.size()) {
    return impl_->Fail(InvalidArgument("a row got ", impl_->column, " values for ",
                                       impl_->types.size(), " columns"));
  }
  if (duckdb_appender_end_row(impl_->appender) != DuckDBSuccess) {
    return impl_->Fail(impl_->AppenderError());
  }
  impl_->column = 0;
  ++impl_->rows;
  return Status::OK();
}

Status Appender::Flush() {
  if (impl_->appender == nullptr) return PreconditionFailed("the appender is closed");
  ATOLL_RETURN_NOT_OK(impl_->error);
  if (duckdb_appender_flush(impl_->appender) != DuckDBSuccess) {
    return impl_->Fail(impl_->AppenderError());
  }
  return Status::OK();
}

Status Appender::Close() {
  if (impl_->appender == nullptr) return PreconditionFailed("the appender is closed");
  Status st = impl_->error;
  if (st.ok() && impl_->column != 0) {
    st = InvalidArgument("closing with an unfinished row (", impl_->column, " values)");
  }
  if (st.ok()) {
    if (duckdb_appender_close(impl_->appender) != DuckDBSuccess) st = impl_->AppenderError();
  }
  // After an error the unflushed rows are discarded: destroy without flushing is not
  // offered by the C API, so a failed appender is closed by destroy, whose own flush
  // error (for the incomplete row) is ignored.
  duckdb_appender_destroy(&impl_->appender);
  impl_->appender = nullptr;
  return st;
}

}  // namespace atl::engine
