// DataFile ↔ JSON, so that a compact worker can hand the files it wrote (with their
// metrics and partition tuple) to the single commit step through the bucket.
//
// Form: {"file_path", "file_format", "record_count", "file_size_in_bytes",
// "partition": [Appendix D JSON single values], "column_sizes"/"value_counts"/
// "null_value_counts"/"nan_value_counts": {"<field id>": n}, "lower_bounds"/
// "upper_bounds": {"<field id>": "<hex of the Appendix D binary form>"},
// "split_offsets": [...]}. Decoding needs the partition type (PartitionSpec::PartitionType).
//
// Errors: kCorruption for a document that does not have this form.
// Thread safety: pure functions.
#pragma once

#include "atoll/common/result.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/types.h"
#include "atoll/snapshot/bucket.h"

namespace atl::snapshot {

Result<Json> DataFileToJson(const iceberg::DataFile& file);
Result<iceberg::DataFile> DataFileFromJson(const Json& doc, const iceberg::TypePtr& partition_type);

}  // namespace atl::snapshot
