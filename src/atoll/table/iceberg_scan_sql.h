// The DuckDB SQL that reads one planned Iceberg scan (iceberg_scan's body).
//
// Shape of the generated query:
//
//   SELECT c1 AS "id", c2 AS "name" FROM (
//     SELECT c1, c2 FROM read_parquet([...files without deletes...], schema = MAP {...})
//     UNION ALL
//     SELECT d.c1, d.c2 FROM read_parquet([...], schema = MAP {...}) d
//       ANTI JOIN (<position deletes and deletion vectors>) x
//         ON d.file_index = x.fi AND d.file_row_number = x.pos
//       ANTI JOIN (<equality deletes on ids (1)>) e0 ON d.c1 IS NOT DISTINCT FROM e0.k0
//   )
//
// Columns are read by Iceberg field id through read_parquet's `schema` parameter (a map
// field id -> {internal name cN, DuckDB type, default}), so renamed columns, dropped and
// re-added columns and promoted types read correctly; a column missing from a file reads as
// its initial-default (NULL without one), or as the file's identity partition value when
// the file's partition spec has an identity field on it (see grouping below). Files written without
// field ids (probed only when the table has a name mapping, see ScanSqlHooks::files_with_field_ids)
// are read by the names of schema.name-mapping.default instead. Nested fields inside structs, lists
// and maps are matched by name (DuckDB's schema parameter maps top-level columns only).
//
// Files are grouped: every group of files with the same delete handling and the same
// fill-in values is one read_parquet call, so a table of many files without deletes is one
// call. Identity partition values are filled in for every file (as defaults, used only when
// the file lacks the column) unless that would make more than 256 groups; then only for
// files whose metrics do not show the column. Position deletes join on (file index in its call,
// file_row_number) through the file_path column of the delete files (compared with the data file's
// path as written in the metadata); deletion vectors become ranges of positions inlined in the SQL;
// equality deletes are anti-joins (NULL equals NULL) against the delete files the plan attached to
// each data file, one join per set of equality field ids.
//
// A group of one file lists it twice and keeps file_index 0 (DuckDB skips the copy): with the
// schema parameter DuckDB reads a lone file on one thread. Its position deletes are then
// matched on file_row_number alone.
//
// Each read_parquet call carries explicit_cardinality (its files' record counts from the
// manifests), so that DuckDB builds a delete anti join's hash table on the deletes, not on
// the data (with the schema parameter it does not know the files' row counts).
//
// Row addresses (ScanSqlOptions::row_address): two more columns after the table's,
// kRowAddressFileColumn (VARCHAR: the data file's location exactly as written in the metadata,
// DataFile::file_path, never the path DuckDB reads nor a Parquet copy's) and kRowAddressPosColumn
// (BIGINT: the row's 0-based position in that data file, as position deletes and deletion
// vectors count it; for ORC and Avro files the position in the copy, which keeps the file's row
// order). Deleted rows stay hidden. Without the option the SQL is unchanged. In each group they
// come from read_parquet's virtual columns file_index (mapped to the group's locations by a
// constant, a CASE, or a list beyond 64 files) and file_row_number. A table column of either name
// is kInvalidArgument then.
//
// Errors: kNotSupported for ORC and Avro data files without the parquet_copy hook, and for Iceberg
// types DuckDB cannot read (variant); errors of the hooks are returned as they are (parquet_copy's
// with the file as context). Thread safety: a pure function of its inputs (the hooks are called on
// the caller's thread).
#pragma once

#include <functional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::table {

struct ScanSqlHooks {
  // A data or delete file location as written in the metadata -> the path DuckDB reads.
  std::function<Result<std::string>(std::string_view location)> readable_path;
  // The deleted positions of a deletion vector (sorted ascending).
  std::function<Result<std::vector<int64_t>>(const iceberg::DataFile& dv)> read_deletion_vector;
  // The distinct file_path values in the given position delete files (DuckDB paths).
  // Writers may spell a data file differently there than in the manifest (hdfs://host/x
  // vs /x), so both are compared after readable_path (also without scheme and authority). When
  // unset, the data files' paths as written in the metadata are compared with file_path as is.
  std::function<Result<std::vector<std::string>>(const std::vector<std::string>& paths)>
      delete_file_paths;
  // Of the given DuckDB paths, those whose Parquet schema carries field ids. Called once,
  // only when the table has a name mapping; when unset, every file is taken to have ids.
  std::function<Result<std::set<std::string>>(const std::vector<std::string>& paths)>
      files_with_field_ids;
  // An ORC or Avro data or delete file -> the DuckDB path of a Parquet copy with the same
  // rows in the same order and the file's Iceberg field ids (ORC "iceberg.id", Avro
  // "field-id"); it is read in the file's place (position deletes still match the file's
  // own location). When unset, ORC and Avro files are kNotSupported.
  std::function<Result<std::string>(const iceberg::DataFile& file)> parquet_copy;
};

// The names of the row-address columns (see above).
inline constexpr const char* kRowAddressFileColumn = "_atoll_file";
inline constexpr const char* kRowAddressPosColumn = "_atoll_pos";

struct ScanSqlOptions {
  // Adds kRowAddressFileColumn and kRowAddressPosColumn after the table's columns.
  bool row_address = false;
};

// The SQL reading `plan` of a table with `metadata`.
Result<std::string> BuildScanSql(const iceberg::ScanPlan& plan,
                                 const iceberg::TableMetadata& metadata, const ScanSqlHooks& hooks,
                                 const ScanSqlOptions& options = {});

// The text DuckDB casts to a value of `type` from Appendix D's JSON single-value form
// ("2024-01-02", "12.50", hex for binary -> "\x01\x02"); nullopt for JSON null or nested types.
Result<std::optional<std::string>> DefaultValueText(const iceberg::Type& type,
                                                    const iceberg::Json& json);

}  // namespace atl::table
