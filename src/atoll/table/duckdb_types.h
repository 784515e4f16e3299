// The one map between Iceberg types and DuckDB's SQL types, both directions.
//
// Iceberg → DuckDB (DuckDbType):
//   boolean BOOLEAN, int INTEGER, long BIGINT, float FLOAT, double DOUBLE,
//   decimal(p,s) DECIMAL(p,s), date DATE, time TIME, timestamp TIMESTAMP,
//   timestamptz TIMESTAMPTZ, timestamp_ns TIMESTAMP_NS, string VARCHAR, uuid UUID,
//   binary BLOB, struct STRUCT("name" T, ...) (names always quoted), list T[],
//   map MAP(K, V).
//   Reading (iceberg_scan) also takes: unknown VARCHAR (always NULL), fixed(L), geometry
//   and geography BLOB, timestamptz_ns TIMESTAMPTZ (microseconds). Writing (the data
//   writer) refuses those with kNotSupported, since DuckDB cannot write them as Iceberg
//   expects. variant is kNotSupported both ways.
//
// DuckDB → Iceberg (IcebergLeafType), for the leaf types of landed files:
//   BOOLEAN → boolean; TINYINT, SMALLINT, INTEGER, UTINYINT, USMALLINT → int;
//   BIGINT, UINTEGER → long; UBIGINT → decimal(20,0); HUGEINT → decimal(38,0);
//   FLOAT, REAL → float; DOUBLE → double; DECIMAL(p,s) → decimal(p,s); DATE → date;
//   TIME → time; TIMESTAMP, TIMESTAMP_S, TIMESTAMP_MS, TIMESTAMP_NS → timestamp (µs; v2
//   tables have no nanosecond type); TIMESTAMP WITH TIME ZONE (TIMESTAMPTZ) → timestamptz;
//   VARCHAR, JSON, ENUM(...) → string; UUID → uuid; BLOB → binary. Case is ignored. Any
//   other type (INTERVAL, BIT, TIME WITH TIME ZONE, VARINT, ...) is kNotSupported; a
//   malformed DECIMAL is kInvalidArgument. Nested types are parsed by the caller
//   (lake/field_ids.h) and their leaves mapped here.
// So every Iceberg type the writer accepts comes back unchanged through IcebergLeafType,
// except timestamp_ns (→ timestamp).
//
// Thread safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/iceberg/types.h"

namespace atl::table {

enum class DuckDbTypeUse {
  kRead,   // reading table data (iceberg_scan): every type DuckDB can read
  kWrite,  // writing data files: only types DuckDB writes as Iceberg expects
};

// The DuckDB SQL type for an Iceberg type ("DECIMAL(9,2)", "STRUCT(\"a\" INTEGER)[]").
Result<std::string> DuckDbType(const iceberg::Type& type, DuckDbTypeUse use);

// The Iceberg type of a DuckDB leaf type ("BIGINT", "decimal(18,3)").
Result<iceberg::TypePtr> IcebergLeafType(std::string_view duckdb_type);

}  // namespace atl::table
