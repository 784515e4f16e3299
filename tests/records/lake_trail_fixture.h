// Test helpers for the lake's trail: a local lake in a temporary directory with tables
// whose commits add small data files (real bytes on disk, not Parquet: the trail only
// needs their names and sizes), plus "commit and record" as a command would do it.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include "atoll/iceberg/commit/table.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/lake_trail.h"
#include "testing/testing.h"

namespace atl::lake::testing {

class TrailLake {
 public:
  // Creates and opens a lake under `dir`/lake.
  static Result<std::unique_ptr<TrailLake>> Make(const std::string& dir) {
    auto out = std::unique_ptr<TrailLake>(new TrailLake());
    out->root = dir + "/lake";
    ATOLL_RETURN_NOT_OK(Lake::Init(out->root, Settings{}).status());
    ATOLL_ASSIGN_OR_RETURN(out->lake, Lake::Open(out->root));
    ATOLL_ASSIGN_OR_RETURN(out->tables, OpenLakeTables(*out->lake));
    return out;
  }

  // Creates table `name` ("stg.shop.orders") with columns id long, name string.
  Result<iceberg::Table> Create(const std::string& name) {
    ATOLL_ASSIGN_OR_RETURN(iceberg::TableIdentifier id, ParseLakeTableName(name));
    ATOLL_RETURN_NOT_OK(EnsureNamespace(*tables.catalog, id.ns));
    iceberg::CreateTableOptions options;
    iceberg::NestedField id_field, name_field;
    id_field.id = 1;
    id_field.name = "id";
    id_field.required = true;
    id_field.type = iceberg::Type::Long();
    name_field.id = 2;
    name_field.name = "name";
    name_field.type = iceberg::Type::String();
    options.schema = iceberg::Schema(0, {id_field, name_field});
    return iceberg::Table::Create(tables.catalog, tables.io, id, options);
  }

  // Writes a data file of `bytes` bytes under the table and appends it in one commit.
  Status Append(iceberg::Table& table, const std::string& file, size_t bytes) {
    iceberg::DataFile f;
    f.file_path = table.location() + "/data/" + file + ".parquet";
    f.file_format = "PARQUET";
    f.record_count = static_cast<int64_t>(bytes / 10 + 1);
    f.file_size_in_bytes = static_cast<int64_t>(bytes);
    ATOLL_RETURN_NOT_OK(tables.io->Write(f.file_path, std::string(bytes, 'x')).status());
    return table.NewTransaction().Append({f}).Commit();
  }

  // Commits like a command: the commit, then its record (DescribeCommit + RecordTableChange).
  Result<uint64_t> AppendAndRecord(trail::Trail& trail, iceberg::Table& table,
                                   const std::string& file, size_t bytes) {
    std::optional<int64_t> before = table.metadata().current_snapshot_id;
    ATOLL_RETURN_NOT_OK(Append(table, file, bytes));
    return Record(trail, table, before);
  }

  Result<uint64_t> Record(trail::Trail& trail, const iceberg::Table& table,
                          std::optional<int64_t> before,
                          std::optional<trail::RecordKind> kind = std::nullopt) {
    ATOLL_ASSIGN_OR_RETURN(TableChange change, DescribeCommit(table, before, "atoll test", kind));
    return RecordTableChange(trail, change);
  }

  std::string root;
  std::unique_ptr<Lake> lake;
  LakeTables tables;

 private:
  TrailLake() = default;
};

}  // namespace atl::lake::testing
