// Time travel in reads: `zone.db.table FOR VERSION AS OF <snapshot id>` and
// `zone.db.table FOR TIMESTAMP AS OF <timestamp>` (also Spark's and Trino's spellings
// FOR SYSTEM_VERSION / FOR SYSTEM_TIME) become iceberg_scan calls before DuckDB sees the
// statement:
//
//   SELECT * FROM prd.shop.orders FOR VERSION AS OF 42 o
//   -> SELECT * FROM iceberg_scan('<metadata>', snapshot_id => 42) AS "orders" o
//
// (an alias after the clause still applies; without one the table's name stays usable as
// a qualifier). A timestamp is a string literal, TIMESTAMP '...' or a number of epoch
// milliseconds, as iceberg_scan's `timestamp` argument takes it. `metadata_of` gives the
// current metadata location of a three-part name, or nullopt when the name is not a lake
// table (the text is then left alone). The same reads are possible directly with
// iceberg_scan('<zone>/<db>/<table>', snapshot_id => N | "timestamp" => T | ref => 'tag').
//
// Errors: kInvalidArgument for a clause without a value; metadata_of's errors.
// Thread safety: a pure function of its inputs.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::lake {

using MetadataOf =
    std::function<Result<std::optional<std::string>>(const std::vector<std::string>& name)>;

Result<std::string> RewriteTimeTravel(std::string_view statement, const MetadataOf& metadata_of);

}  // namespace atl::lake
