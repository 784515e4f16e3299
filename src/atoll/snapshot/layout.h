// The staging area of one snapshot run and the run's configuration.
//
// A run is identified by (db, table, snapshot time); its staging root is
//   <work>/staging/<db>/<table>/snapshot=<ts>/
// (dbsnaplake's s3dir_staging). Every key below is relative to that root:
//   run.json                                         RunConfig (written by `plan`)
//   manifests/manifest-summary.json|manifest-data.parquet   the snapshot file manifest
//   manifests/snapshot-file-groups/_plan.json        the grouping decision (n_groups, rule)
//   manifests/snapshot-file-groups/group=<i>/manifest-summary.json|manifest-data.parquet
//   datalake/<k1>=<v1>/.../g<iiiii>-<n>.parquet      staging files of group i
//   manifests/staging-file-groups/group=<i>/manifest-summary.json|manifest-data.parquet
//   manifests/partition-file-groups/_plan.json
//   manifests/partition-file-groups/group=<j>/manifest-summary.json|manifest-data.parquet
//   manifests/partition-file-groups/group=<j>/result.json   the final files of group j
//   markers/stage/group=<i>.done, markers/compact/group=<j>.done, markers/commit.done
//   validation.json
// The final data goes to an Iceberg table of an atoll lake (`output` "iceberg") or to a
// hive-style folder (`output` "hive", dbsnaplake's s3dir_datalake).
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/snapshot/bucket.h"

namespace atl::snapshot {

struct RunConfig {
  std::string db;
  std::string table;
  std::string snapshot;  // the snapshot time as given, e.g. "2021-01-01T08:30:00Z"
  std::string work_uri;  // where staging/ lives
  std::vector<std::string> partition_keys;
  std::string transform_sql;       // a SELECT over the view `source`; "" = all columns
  int64_t group_target_bytes = 0;  // 0 = derived from the manifest (see grouping.h)
  int64_t target_file_size = 128LL << 20;
  std::string output = "iceberg";  // "iceberg" or "hive"
  std::string lake_uri;            // iceberg: the atoll lake
  std::string table_name;          // iceberg: "<zone>.<db>.<table>"
  std::string hive_uri;            // hive: the datalake folder of the table
  int workers_hint = 2;            // parallelism the group size is derived for
  // The Parquet codec of the staging and the final files (both, so that staging bytes
  // predict output bytes: grouping.h): "zstd" (at `compression_level`) or another of
  // table::IsWritableCodec. A table the run creates records it
  // (write.parquet.compression-codec).
  std::string compression = "zstd";
  int compression_level = 1;

  // Checks the values a user gives (codec, output kind, sizes).
  Status Validate() const;
  // "COMPRESSION <codec>[, COMPRESSION_LEVEL <level>]": COPY options of the run's files.
  std::string CopyCompressionOptions() const;

  // "<db>.<table>@<snapshot>": recorded in the final commit, makes it idempotent.
  std::string RunId() const { return StrCat(db, ".", table, "@", snapshot); }
  // "<work>/staging/<db>/<table>/snapshot=<ts>".
  std::string StagingUri() const;
  Json ToJson() const;
  static Result<RunConfig> FromJson(const Json& doc);
};

namespace keys {
inline constexpr std::string_view kRun = "run.json";
inline constexpr std::string_view kManifestDir = "manifests";
inline constexpr std::string_view kSnapshotGroupsPlan = "manifests/snapshot-file-groups/_plan.json";
inline constexpr std::string_view kPartitionGroupsPlan =
    "manifests/partition-file-groups/_plan.json";
inline constexpr std::string_view kDatalake = "datalake/";
inline constexpr std::string_view kCommitMarker = "markers/commit.done";
inline constexpr std::string_view kValidation = "validation.json";
std::string SnapshotGroupDir(int64_t i);   // manifests/snapshot-file-groups/group=<i>
std::string StagingGroupDir(int64_t i);    // manifests/staging-file-groups/group=<i>
std::string PartitionGroupDir(int64_t j);  // manifests/partition-file-groups/group=<j>
std::string PartitionGroupResult(int64_t j);
std::string StageMarker(int64_t i);
std::string CompactMarker(int64_t j);
// "g00003-": the name prefix of staging files of snapshot file group i.
std::string StagingFilePrefix(int64_t i);
}  // namespace keys

// Reads run.json of the staging root.
Result<RunConfig> LoadRunConfig(const Bucket& staging);

}  // namespace atl::snapshot
