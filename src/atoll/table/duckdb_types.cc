#include "atoll/table/duckdb_types.h"

#include <cctype>
#include <cstdio>

#include "atoll/engine/engine.h"

namespace atl::table {

using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

Result<std::string> DuckDbType(const Type& type, DuckDbTypeUse use) {
  const bool read = use == DuckDbTypeUse::kRead;
  auto refused = [&type, read]() -> Status {
    if (read) return NotSupported("the ", type.ToString(), " type cannot be read yet");
    return NotSupported("the data writer cannot write Iceberg type ", type.ToString());
  };
  switch (type.id()) {
    case TypeId::kBoolean:
      return std::string("BOOLEAN");
    case TypeId::kInt:
      return std::string("INTEGER");
    case TypeId::kLong:
      return std::string("BIGINT");
    case TypeId::kFloat:
      return std::string("FLOAT");
    case TypeId::kDouble:
      return std::string("DOUBLE");
    case TypeId::kDecimal:
      return StrCat("DECIMAL(", type.precision(), ",", type.scale(), ")");
    case TypeId::kDate:
      return std::string("DATE");
    case TypeId::kTime:
      return std::string("TIME");
    case TypeId::kTimestamp:
      return std::string("TIMESTAMP");
    case TypeId::kTimestampTz:
      return std::string("TIMESTAMPTZ");
    case TypeId::kTimestampNs:
      return std::string("TIMESTAMP_NS");
    case TypeId::kString:
      return std::string("VARCHAR");
    case TypeId::kUuid:
      return std::string("UUID");
    case TypeId::kBinary:
      return std::string("BLOB");
    case TypeId::kUnknown:
      if (read) return std::string("VARCHAR");
      return refused();
    case TypeId::kTimestampTzNs:
      if (read) return std::string("TIMESTAMPTZ");
      return refused();
    case TypeId::kFixed:
    case TypeId::kGeometry:
    case TypeId::kGeography:
      if (read) return std::string("BLOB");
      return refused();
    case TypeId::kVariant:
      return refused();
    case TypeId::kStruct: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < type.fields().size(); ++i) {
        const NestedField& f = type.fields()[i];
        ATOLL_ASSIGN_OR_RETURN(std::string t, DuckDbType(*f.type, use));
        out += (i ? ", " : "") + engine::QuoteIdentifier(f.name) + " " + t;
      }
      return out + ")";
    }
    case TypeId::kList: {
      ATOLL_ASSIGN_OR_RETURN(std::string t, DuckDbType(*type.fields().at(0).type, use));
      return t + "[]";
    }
    case TypeId::kMap: {
      ATOLL_ASSIGN_OR_RETURN(std::string k, DuckDbType(*type.fields().at(0).type, use));
      ATOLL_ASSIGN_OR_RETURN(std::string v, DuckDbType(*type.fields().at(1).type, use));
      return "MAP(" + k + ", " + v + ")";
    }
  }
  return Internal("unhandled Iceberg type ", type.ToString());
}

Result<TypePtr> IcebergLeafType(std::string_view duckdb_type) {
  std::string t(duckdb_type);
  for (char& c : t) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (t == "BOOLEAN" || t == "BOOL") return Type::Boolean();
  if (t == "TINYINT" || t == "SMALLINT" || t == "INTEGER" || t == "INT" || t == "UTINYINT" ||
      t == "USMALLINT") {
    return Type::Int();
  }
  if (t == "BIGINT" || t == "UINTEGER") return Type::Long();
  if (t == "UBIGINT") return Type::Decimal(20, 0);
  if (t == "HUGEINT") return Type::Decimal(38, 0);
  if (t == "FLOAT" || t == "REAL") return Type::Float();
  if (t == "DOUBLE") return Type::Double();
  if (t == "DATE") return Type::Date();
  if (t == "TIME") return Type::Time();
  if (t == "TIMESTAMP" || t == "TIMESTAMP_S" || t == "TIMESTAMP_MS" || t == "TIMESTAMP_NS")
    return Type::Timestamp();
  if (t == "TIMESTAMP WITH TIME ZONE" || t == "TIMESTAMPTZ") return Type::TimestampTz();
  if (t == "VARCHAR" || t == "JSON" || t.starts_with("ENUM(")) return Type::String();
  if (t == "UUID") return Type::Uuid();
  if (t == "BLOB") return Type::Binary();
  if (t.starts_with("DECIMAL(")) {
    int p = 0;
    int s = 0;
    if (std::sscanf(t.c_str(), "DECIMAL(%d,%d)", &p, &s) != 2 || p < 1 || p > 38 || s < 0 ||
        s > p) {
      return InvalidArgument("cannot read the decimal type '", duckdb_type, "'");
    }
    return Type::Decimal(p, s);
  }
  return NotSupported("the column type ", duckdb_type, " has no Iceberg equivalent");
}

}  // namespace atl::table
