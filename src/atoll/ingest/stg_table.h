// The shape of a stg table and how a batch of files becomes its rows: the options a new
// table is created with (columns of its first file plus `_etl_loaded_at`, the partition
// fields of the settings), the SELECT that reads a batch in the table's columns, and the
// ids of batches.
//
// Errors: kInvalidArgument for partition fields and columns that cannot be used.
// Thread safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/partition_spec.h"
#include "atoll/iceberg/schema.h"
#include "atoll/ingest/landing_schema.h"
#include "atoll/lake/settings.h"

namespace atl::lake {

// "20261204T200000123Z-1a2b3c4d": sortable by time, unique by the random tail.
std::string NewBatchId(int64_t now_ms);

// Partition fields from the settings ("day(_etl_loaded_at)", "bucket(8, id)", "region").
// Fields whose source column the schema lacks are left out.
Result<std::vector<iceberg::UnboundPartitionField>> PartitionFields(
    const std::vector<std::string>& spec_texts, const iceberg::Schema& schema);

// The options of a new stg table whose first file has schema `first`: its fields plus
// `_etl_loaded_at` (timestamptz), partitioned by settings.partition_by, Parquet with zstd.
Result<iceberg::CreateTableOptions> NewStgTableOptions(const Settings& settings,
                                                       const iceberg::Schema& first);

// A source's own `_etl_loaded_at` column is kept under kOwnLoadedAtColumn: the columns
// (DESCRIBE name/type pairs) renamed, *renamed set when there was one. A source holding
// both names cannot be loaded (kInvalidArgument naming them).
Status RenameOwnLoadedAt(DuckColumns* columns, bool* renamed);

// `from` (a table expression) with its `_etl_loaded_at` column renamed kOwnLoadedAtColumn.
std::string WithOwnLoadedAtRenamed(const std::string& from);

// SELECT of the columns of `schema` from `from`, whose columns are `present`: the others
// are NULL, `_etl_loaded_at` is the batch's time (a source's own column of that name is
// renamed kOwnLoadedAtColumn in `from`, WithOwnLoadedAtRenamed).
std::string TableSelect(const iceberg::Schema& schema, const std::set<std::string>& present,
                        const std::string& from, int64_t loaded_at_ms);

// The batch's partition tuple when the spec partitions only by `_etl_loaded_at` (one value
// per batch), so that rows are written without staging; nullopt otherwise.
Result<std::optional<std::vector<iceberg::Literal>>> ConstantPartition(
    const iceberg::Schema& schema, const iceberg::PartitionSpec& spec, int64_t loaded_at_ms);

}  // namespace atl::lake
