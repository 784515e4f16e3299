#include "atoll/snapshot/layout.h"

#include <cstdio>

#include "atoll/table/data_writer.h"

namespace atl::snapshot {

std::string RunConfig::StagingUri() const {
  std::string work = work_uri;
  while (!work.empty() && work.back() == '/') work.pop_back();
  return StrCat(work, "/staging/", db, "/", table, "/snapshot=", snapshot);
}

Json RunConfig::ToJson() const {
  return {{"run_id", RunId()},
          {"db", db},
          {"table", table},
          {"snapshot", snapshot},
          {"work_uri", work_uri},
          {"partition_keys", partition_keys},
          {"transform_sql", transform_sql},
          {"group_target_bytes", group_target_bytes},
          {"target_file_size", target_file_size},
          {"output", output},
          {"lake_uri", lake_uri},
          {"table_name", table_name},
          {"hive_uri", hive_uri},
          {"workers_hint", workers_hint},
          {"compression", compression},
          {"compression_level", compression_level}};
}

Status RunConfig::Validate() const {
  if (!table::IsWritableCodec(compression)) {
    return InvalidArgument("unknown compression '", compression,
                           "': use zstd, snappy, gzip, brotli or uncompressed");
  }
  if (compression == "zstd" && (compression_level < 1 || compression_level > 22)) {
    return InvalidArgument("zstd compression level ", compression_level, " is not in 1..22");
  }
  if (output != "iceberg" && output != "hive") {
    return InvalidArgument("unknown output '", output, "': use iceberg or hive");
  }
  if (target_file_size <= 0) return InvalidArgument("the target file size must be positive");
  return Status::OK();
}

std::string RunConfig::CopyCompressionOptions() const {
  return table::ParquetCompressionOptions(compression, compression_level);
}

Result<RunConfig> RunConfig::FromJson(const Json& doc) {
  if (!doc.is_object()) return Corruption("run.json is not an object");
  RunConfig c;
  try {
    c.db = doc.at("db").get<std::string>();
    c.table = doc.at("table").get<std::string>();
    c.snapshot = doc.at("snapshot").get<std::string>();
    c.work_uri = doc.at("work_uri").get<std::string>();
    c.partition_keys = doc.at("partition_keys").get<std::vector<std::string>>();
    c.transform_sql = doc.value("transform_sql", "");
    c.group_target_bytes = doc.value("group_target_bytes", int64_t{0});
    c.target_file_size = doc.value("target_file_size", int64_t{128} << 20);
    c.output = doc.value("output", "iceberg");
    c.lake_uri = doc.value("lake_uri", "");
    c.table_name = doc.value("table_name", "");
    c.hive_uri = doc.value("hive_uri", "");
    c.workers_hint = doc.value("workers_hint", 2);
    c.compression = doc.value("compression", "zstd");
    c.compression_level = doc.value("compression_level", 1);
  } catch (const nlohmann::json::exception& e) {
    return Corruption("run.json: ", e.what());
  }
  ATOLL_RETURN_NOT_OK_CTX(c.Validate(), "run.json");
  return c;
}

namespace keys {
namespace {
std::string Num(int64_t i) { return std::to_string(i); }
}  // namespace
std::string SnapshotGroupDir(int64_t i) {
  return StrCat("manifests/snapshot-file-groups/group=", Num(i));
}
std::string StagingGroupDir(int64_t i) {
  return StrCat("manifests/staging-file-groups/group=", Num(i));
}
std::string PartitionGroupDir(int64_t j) {
  return StrCat("manifests/partition-file-groups/group=", Num(j));
}
std::string PartitionGroupResult(int64_t j) { return PartitionGroupDir(j) + "/result.json"; }
std::string StageMarker(int64_t i) { return StrCat("markers/stage/group=", Num(i), ".done"); }
std::string CompactMarker(int64_t j) { return StrCat("markers/compact/group=", Num(j), ".done"); }
std::string StagingFilePrefix(int64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "g%05lld-", static_cast<long long>(i));
  return buf;
}
}  // namespace keys

Result<RunConfig> LoadRunConfig(const Bucket& staging) {
  ATOLL_ASSIGN_OR_RETURN(std::optional<Json> doc, GetJson(*staging.store, keys::kRun));
  if (!doc) {
    return NotFound(staging.root_uri, " has no run.json: run 'atoll snapshot plan' first");
  }
  return RunConfig::FromJson(*doc);
}

}  // namespace atl::snapshot
