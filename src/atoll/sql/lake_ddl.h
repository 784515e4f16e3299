// The statements about lake tables that atoll runs itself rather than DuckDB: their
// syntax (docs/sql.md) and parsing.
//
//   CREATE [OR REPLACE] TABLE [IF NOT EXISTS] zone.db.table
//       [(column definitions, as DuckDB's CREATE TABLE takes them)]
//       [PARTITIONED BY (field, ...)]   field: col | year|month|day|hour(col) |
//                                              bucket(N, col) | truncate(W, col)
//                                              (Spark's years/months/days/hours too)
//       [WITH (key = value, ...)]       format_version = 1|2|3, other keys are table
//                                       properties ('write.delete.mode' = 'merge-on-read')
//       [AS query]
//   DROP TABLE [IF EXISTS] zone.db.table [PURGE]
//   ALTER TABLE zone.db.table
//       ADD [COLUMN] [IF NOT EXISTS] name type   | RENAME [COLUMN] name TO new_name
//     | DROP [COLUMN] [IF EXISTS] name           | ALTER [COLUMN] name [SET DATA] TYPE type
//     | ALTER [COLUMN] name DROP NOT NULL
//     | SET [TBL]PROPERTIES (key = value, ...)   | UNSET [TBL]PROPERTIES [IF EXISTS] (key, ...)
//     | SET PARTITIONED BY (field, ...)          | RESET PARTITIONED BY
//     | ADD PARTITION FIELD field                | DROP PARTITION FIELD field
//   (types as DuckDB writes them; partition fields as in CREATE TABLE)
//   INSERT OVERWRITE [TABLE] zone.db.table [(cols)] query   (Spark's dynamic overwrite:
//       the rows replace the partitions they fall in; table_dml.h)
//
// ParseLakeDdl returns nullopt for every other statement, and for these when the name does
// not have three parts (a DuckDB table such as "CREATE TABLE t (...)" or "memory.main.t"
// is DuckDB's business); which zones are lake zones is the caller's decision.
//
// Errors: kInvalidArgument for malformed statements of these forms (a clear message
// naming what was expected).
// Thread safety: pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"

namespace atl::lake {

struct CreateTableDdl {
  iceberg::TableIdentifier id;
  bool or_replace = false;
  bool if_not_exists = false;
  std::string columns_sql;             // "(a INT, b VARCHAR)" as written; empty when absent
  std::vector<std::string> partition;  // "day(ts)", "bucket(16, id)", "id" (normalized)
  std::map<std::string, std::string> properties;
  std::optional<int> format_version;
  std::string query_sql;  // the query after AS; empty when absent
};

struct DropTableDdl {
  iceberg::TableIdentifier id;
  bool if_exists = false;
  bool purge = false;
};

struct AlterTableDdl {
  enum class Action {
    kAddColumn,
    kRenameColumn,
    kDropColumn,
    kSetType,
    kDropNotNull,
    kSetProperties,
    kUnsetProperties,
    kSetPartitioning,
    kAddPartitionField,
    kDropPartitionField,
  };
  iceberg::TableIdentifier id;
  Action action = Action::kAddColumn;
  std::string column;                             // the column changed
  std::string new_name;                           // RENAME ... TO
  std::string type_sql;                           // ADD COLUMN / SET TYPE: the type as written
  bool if_exists = false;                         // IF [NOT] EXISTS
  std::map<std::string, std::string> properties;  // SET PROPERTIES
  std::vector<std::string> keys;                  // UNSET PROPERTIES
  std::vector<std::string> partition;             // SET PARTITIONED BY, ADD/DROP PARTITION FIELD
};

struct InsertOverwriteDdl {
  iceberg::TableIdentifier id;
  std::string insert_sql;  // the same statement as INSERT INTO zone.db.table ...
};

using LakeDdl = std::variant<CreateTableDdl, DropTableDdl, AlterTableDdl, InsertOverwriteDdl>;

Result<std::optional<LakeDdl>> ParseLakeDdl(std::string_view statement);

}  // namespace atl::lake
