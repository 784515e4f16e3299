#include "atoll/engine/result_text.h"

#include <fmt/format.h>

#include <cctype>
#include <cmath>
#include <cstring>

#include "atoll/engine/value_text.h"

namespace atl::engine::internal {
namespace {

// Frees a char* returned by the C API.
std::string TakeString(char* s) {
  std::string out = s ? s : "";
  if (s) duckdb_free(s);
  return out;
}

struct LogicalType {
  explicit LogicalType(duckdb_logical_type t) : type(t) {}
  ~LogicalType() { duckdb_destroy_logical_type(&type); }
  LogicalType(const LogicalType&) = delete;
  LogicalType& operator=(const LogicalType&) = delete;
  duckdb_logical_type type;
};

std::string QuoteFieldName(const std::string& name) {
  bool plain = !name.empty();
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) plain = false;
  }
  return plain ? name : QuoteIdentifier(name);
}

ValueKind KindOf(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return ValueKind::kBoolean;
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
    case DUCKDB_TYPE_FLOAT:
    case DUCKDB_TYPE_DOUBLE:
    case DUCKDB_TYPE_DECIMAL:
      return ValueKind::kNumber;
    case DUCKDB_TYPE_LIST:
    case DUCKDB_TYPE_ARRAY:
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_MAP:
    case DUCKDB_TYPE_UNION:
      return ValueKind::kNested;
    default:
      return ValueKind::kString;
  }
}

template <typename T>
T At(duckdb_vector vec, idx_t row) {
  return static_cast<const T*>(duckdb_vector_get_data(vec))[row];
}

bool IsValid(duckdb_vector vec, idx_t row) {
  uint64_t* validity = duckdb_vector_get_validity(vec);
  return validity == nullptr || duckdb_validity_row_is_valid(validity, row);
}

int128 ReadWide(duckdb_type physical, duckdb_vector vec, idx_t row) {
  switch (physical) {
    case DUCKDB_TYPE_SMALLINT:
      return At<int16_t>(vec, row);
    case DUCKDB_TYPE_INTEGER:
      return At<int32_t>(vec, row);
    case DUCKDB_TYPE_BIGINT:
      return At<int64_t>(vec, row);
    default: {
      auto h = At<duckdb_hugeint>(vec, row);
      return (static_cast<int128>(h.upper) << 64) | h.lower;
    }
  }
}

std::string_view StringAt(duckdb_vector vec, idx_t row) {
  auto* s = static_cast<duckdb_string_t*>(duckdb_vector_get_data(vec)) + row;
  return {duckdb_string_t_data(s), duckdb_string_t_length(*s)};
}

void AppendValue(const TypeNode& t, duckdb_vector vec, idx_t row, bool json, std::string* out);

// Appends a value nested inside JSON: null, a bare number/boolean, or a quoted string.
void AppendJsonValue(const TypeNode& t, duckdb_vector vec, idx_t row, std::string* out) {
  if (!IsValid(vec, row)) return out->append("null"), void();
  if (t.kind == ValueKind::kString) {
    std::string text;
    AppendValue(t, vec, row, true, &text);
    return AppendJsonString(text, out);
  }
  size_t start = out->size();
  AppendValue(t, vec, row, true, out);
  std::string_view v(out->data() + start, out->size() - start);
  if (v == "nan" || v == "inf" || v == "-inf") {  // not JSON numbers
    std::string text(v);
    out->resize(start);
    AppendJsonString(text, out);
  }
}

void AppendList(const TypeNode& elem, duckdb_vector child, idx_t offset, idx_t length,
                std::string* out) {
  out->push_back('[');
  for (idx_t i = 0; i < length; ++i) {
    if (i > 0) out->push_back(',');
    AppendJsonValue(elem, child, offset + i, out);
  }
  out->push_back(']');
}

// `json` is true inside nested values (JSON context), where text is later quoted.
void AppendValue(const TypeNode& t, duckdb_vector vec, idx_t row, bool json, std::string* out) {
  switch (t.id) {
    case DUCKDB_TYPE_BOOLEAN:
      out->append(At<bool>(vec, row) ? "true" : "false");
      return;
    case DUCKDB_TYPE_TINYINT:
      out->append(std::to_string(At<int8_t>(vec, row)));
      return;
    case DUCKDB_TYPE_SMALLINT:
      out->append(std::to_string(At<int16_t>(vec, row)));
      return;
    case DUCKDB_TYPE_INTEGER:
      out->append(std::to_string(At<int32_t>(vec, row)));
      return;
    case DUCKDB_TYPE_BIGINT:
      out->append(std::to_string(At<int64_t>(vec, row)));
      return;
    case DUCKDB_TYPE_UTINYINT:
      out->append(std::to_string(At<uint8_t>(vec, row)));
      return;
    case DUCKDB_TYPE_USMALLINT:
      out->append(std::to_string(At<uint16_t>(vec, row)));
      return;
    case DUCKDB_TYPE_UINTEGER:
      out->append(std::to_string(At<uint32_t>(vec, row)));
      return;
    case DUCKDB_TYPE_UBIGINT:
      out->append(std::to_string(At<uint64_t>(vec, row)));
      return;
    case DUCKDB_TYPE_HUGEINT:
      AppendInt128(ReadWide(DUCKDB_TYPE_HUGEINT, vec, row), out);
      return;
    case DUCKDB_TYPE_UHUGEINT: {
      auto h = At<duckdb_uhugeint>(vec, row);
      return AppendUInt128((static_cast<uint128>(h.upper) << 64) | h.lower, out);
    }
    case DUCKDB_TYPE_FLOAT:
      AppendFloat(At<float>(vec, row), out);
      return;
    case DUCKDB_TYPE_DOUBLE:
      AppendFloat(At<double>(vec, row), out);
      return;
    case DUCKDB_TYPE_DECIMAL:
      AppendDecimal(ReadWide(t.physical, vec, row), t.scale, out);
      return;
    case DUCKDB_TYPE_VARCHAR:
      out->append(StringAt(vec, row));
      return;
    case DUCKDB_TYPE_BLOB:
      AppendBlob(StringAt(vec, row), out);
      return;
    case DUCKDB_TYPE_BIT:
      AppendBits(StringAt(vec, row), out);
      return;
    case DUCKDB_TYPE_DATE:
      AppendDate(At<int32_t>(vec, row), out);
      return;
    case DUCKDB_TYPE_TIME:
      AppendTimeOfDay(At<int64_t>(vec, row) * 1000, out);
      return;
    case DUCKDB_TYPE_TIME_NS:
      AppendTimeOfDay(At<int64_t>(vec, row), out);
      return;
    case DUCKDB_TYPE_TIME_TZ: {
      duckdb_time_tz_struct tz = duckdb_from_time_tz(At<duckdb_time_tz>(vec, row));
      const auto& tm = tz.time;
      AppendTimeOfDay(((tm.hour * 60LL + tm.min) * 60 + tm.sec) * 1000000000 + tm.micros * 1000LL,
                      out);
      int32_t off = tz.offset;
      fmt::format_to(std::back_inserter(*out), "{}{:02}", off < 0 ? '-' : '+',
                     std::abs(off) / 3600);
      if (off % 3600 != 0)
        fmt::format_to(std::back_inserter(*out), ":{:02}", std::abs(off) / 60 % 60);
      return;
    }
    case DUCKDB_TYPE_TIMESTAMP:
      AppendTimestamp(At<int64_t>(vec, row), 1000, false, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      AppendTimestamp(At<int64_t>(vec, row), 1000, true, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP_S:
      AppendTimestamp(At<int64_t>(vec, row), 1000000000, false, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP_MS:
      AppendTimestamp(At<int64_t>(vec, row), 1000000, false, out);
      return;
    case DUCKDB_TYPE_TIMESTAMP_NS:
      AppendTimestamp(At<int64_t>(vec, row), 1, false, out);
      return;
    case DUCKDB_TYPE_INTERVAL: {
      auto iv = At<duckdb_interval>(vec, row);
      return AppendInterval(iv.months, iv.days, iv.micros, out);
    }
    case DUCKDB_TYPE_UUID: {  // stored with the top bit flipped, so that UUIDs sort as text
      auto h = At<duckdb_hugeint>(vec, row);
      return AppendUuid(static_cast<uint64_t>(h.upper) ^ (uint64_t{1} << 63), h.lower, out);
    }
    case DUCKDB_TYPE_ENUM: {
      uint64_t index = t.physical == DUCKDB_TYPE_UTINYINT    ? At<uint8_t>(vec, row)
                       : t.physical == DUCKDB_TYPE_USMALLINT ? At<uint16_t>(vec, row)
                                                             : At<uint32_t>(vec, row);
      out->append(index < t.enum_values.size() ? t.enum_values[index] : "");
      return;
    }
    case DUCKDB_TYPE_LIST: {
      auto e = At<duckdb_list_entry>(vec, row);
      return AppendList(t.children[0], duckdb_list_vector_get_child(vec), e.offset, e.length, out);
    }
    case DUCKDB_TYPE_ARRAY:
      return AppendList(t.children[0], duckdb_array_vector_get_child(vec), row * t.array_size,
                        t.array_size, out);
    case DUCKDB_TYPE_STRUCT: {
      out->push_back('{');
      for (size_t i = 0; i < t.children.size(); ++i) {
        if (i > 0) out->push_back(',');
        AppendJsonString(t.child_names[i], out);
        out->push_back(':');
        AppendJsonValue(t.children[i], duckdb_struct_vector_get_child(vec, i), row, out);
      }
      out->push_back('}');
      return;
    }
    case DUCKDB_TYPE_MAP: {
      auto e = At<duckdb_list_entry>(vec, row);
      duckdb_vector entries = duckdb_list_vector_get_child(vec);
      duckdb_vector keys = duckdb_struct_vector_get_child(entries, 0);
      duckdb_vector values = duckdb_struct_vector_get_child(entries, 1);
      out->push_back('{');
      for (idx_t i = 0; i < e.length; ++i) {
        if (i > 0) out->push_back(',');
        std::string key;
        AppendValue(t.children[0], keys, e.offset + i, true, &key);
        AppendJsonString(key, out);
        out->push_back(':');
        AppendJsonValue(t.children[1], values, e.offset + i, out);
      }
      out->push_back('}');
      return;
    }
    case DUCKDB_TYPE_UNION: {
      uint8_t tag = At<uint8_t>(duckdb_struct_vector_get_child(vec, 0), row);
      if (tag >= t.children.size()) return out->append("null"), void();
      return AppendJsonValue(t.children[tag], duckdb_struct_vector_get_child(vec, tag + 1), row,
                             out);
    }
    default:
      return;  // DescribeType refused every other type
  }
}

}  // namespace

const char* SimpleTypeName(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_NS:
      return "TIME_NS";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIME WITH TIME ZONE";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMP WITH TIME ZONE";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_BIT:
      return "BIT";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    default:
      return nullptr;
  }
}

Result<TypeNode> DescribeType(duckdb_logical_type type) {
  TypeNode node;
  node.id = duckdb_get_type_id(type);
  node.kind = KindOf(node.id);
  auto child = [&](duckdb_logical_type c) -> Status {
    LogicalType owned(c);
    ATOLL_ASSIGN_OR_RETURN(TypeNode n, DescribeType(owned.type));
    node.children.push_back(std::move(n));
    return Status::OK();
  };
  switch (node.id) {
    case DUCKDB_TYPE_DECIMAL:
      node.scale = duckdb_decimal_scale(type);
      node.physical = duckdb_decimal_internal_type(type);
      node.name = fmt::format("DECIMAL({},{})", duckdb_decimal_width(type), node.scale);
      break;
    case DUCKDB_TYPE_ENUM: {
      node.physical = duckdb_enum_internal_type(type);
      uint32_t n = duckdb_enum_dictionary_size(type);
      node.name = "ENUM(";
      for (uint32_t i = 0; i < n; ++i) {
        node.enum_values.push_back(TakeString(duckdb_enum_dictionary_value(type, i)));
        node.name += (i > 0 ? ", " : "") + QuoteString(node.enum_values.back());
      }
      node.name += ")";
      break;
    }
    case DUCKDB_TYPE_LIST:
      ATOLL_RETURN_NOT_OK(child(duckdb_list_type_child_type(type)));
      node.name = node.children[0].name + "[]";
      break;
    case DUCKDB_TYPE_ARRAY:
      node.array_size = duckdb_array_type_array_size(type);
      ATOLL_RETURN_NOT_OK(child(duckdb_array_type_child_type(type)));
      node.name = fmt::format("{}[{}]", node.children[0].name, node.array_size);
      break;
    case DUCKDB_TYPE_MAP:
      ATOLL_RETURN_NOT_OK(child(duckdb_map_type_key_type(type)));
      ATOLL_RETURN_NOT_OK(child(duckdb_map_type_value_type(type)));
      node.name = fmt::format("MAP({}, {})", node.children[0].name, node.children[1].name);
      break;
    case DUCKDB_TYPE_STRUCT:
    case DUCKDB_TYPE_UNION: {
      bool is_union = node.id == DUCKDB_TYPE_UNION;
      idx_t n =
          is_union ? duckdb_union_type_member_count(type) : duckdb_struct_type_child_count(type);
      node.name = is_union ? "UNION(" : "STRUCT(";
      for (idx_t i = 0; i < n; ++i) {
        node.child_names.push_back(TakeString(is_union ? duckdb_union_type_member_name(type, i)
                                                       : duckdb_struct_type_child_name(type, i)));
        ATOLL_RETURN_NOT_OK(child(is_union ? duckdb_union_type_member_type(type, i)
                                           : duckdb_struct_type_child_type(type, i)));
        node.name += fmt::format("{}{} {}", i > 0 ? ", " : "", QuoteFieldName(node.child_names[i]),
                                 node.children[i].name);
      }
      node.name += ")";
      break;
    }
    default: {
      const char* simple = SimpleTypeName(node.id);
      if (simple == nullptr) {
        return NotSupported("result columns of DuckDB type id ", static_cast<int>(node.id),
                            " cannot be rendered; CAST the column to VARCHAR");
      }
      node.name = simple;
    }
  }
  std::string alias = TakeString(duckdb_logical_type_get_alias(type));
  if (!alias.empty()) {
    node.name = alias;
    if (alias == "JSON") node.kind = ValueKind::kNested;  // already JSON text
  }
  return node;
}

Result<std::vector<TypeNode>> DescribeColumns(duckdb_result* result, std::vector<Column>* columns) {
  std::vector<TypeNode> types;
  idx_t n = duckdb_column_count(result);
  for (idx_t i = 0; i < n; ++i) {
    LogicalType type(duckdb_column_logical_type(result, i));
    const char* name = duckdb_column_name(result, i);
    ATOLL_ASSIGN_OR_RETURN_CTX(TypeNode node, DescribeType(type.type),
                               StrCat("column ", name ? name : ""));
    columns->push_back(Column{name ? name : "", node.name, node.kind});
    types.push_back(std::move(node));
  }
  return types;
}

void AppendChunkRows(const std::vector<TypeNode>& types, duckdb_data_chunk chunk,
                     std::vector<Row>* rows) {
  idx_t size = duckdb_data_chunk_get_size(chunk);
  size_t first = rows->size();
  rows->resize(first + size, Row(types.size()));
  for (size_t c = 0; c < types.size(); ++c) {
    if (types[c].id == DUCKDB_TYPE_SQLNULL) continue;
    duckdb_vector vec = duckdb_data_chunk_get_vector(chunk, c);
    for (idx_t r = 0; r < size; ++r) {
      if (!IsValid(vec, r)) continue;
      std::string text;
      AppendValue(types[c], vec, r, false, &text);
      (*rows)[first + r][c] = std::move(text);
    }
  }
}

}  // namespace atl::engine::internal
