#include "atoll/snapshot/report_json.h"

#include <optional>
#include <string>

namespace atl::snapshot {

namespace {

template <typename T>
void PutIf(Json& doc, const char* key, const std::optional<T>& value) {
  if (value) doc[key] = *value;
}

void PutSkipped(Json& doc, const std::string& skipped) {
  if (!skipped.empty()) doc["skipped"] = skipped;
}

}  // namespace

Json ToJson(const FileSummary& s) {
  return {{"n_file", s.n_file},
          {"total_size", s.total_size},
          {"n_record", s.n_record},
          {"n_record_unknown", s.n_record_unknown}};
}

Json ToJson(const ManifestReport& r) {
  Json doc = ToJson(r.files);
  doc["manifest"] = r.manifest;
  return doc;
}

Json ToJson(const PlanReport& r) {
  Json doc = {{"staging", r.staging}, {"run_id", r.run_id}};
  PutSkipped(doc, r.skipped);
  doc["n_groups"] = r.n_groups;
  PutIf(doc, "n_file", r.n_file);
  PutIf(doc, "group_target_bytes", r.group_target_bytes);
  return doc;
}

Json ToJson(const StageReport& r) {
  Json doc = {{"step", "stage"}, {"group", r.group}};
  PutSkipped(doc, r.skipped);
  PutIf(doc, "rows_read", r.rows_read);
  PutIf(doc, "rows_staged", r.rows_staged);
  PutIf(doc, "n_file", r.n_file);
  return doc;
}

Json ToJson(const PlanCompactionReport& r) {
  Json doc = {{"step", "plan-compaction"}};
  PutSkipped(doc, r.skipped);
  doc["n_groups"] = r.n_groups;
  PutIf(doc, "n_staging_files", r.n_staging_files);
  PutIf(doc, "table_created", r.table_created);
  return doc;
}

Json ToJson(const CompactReport& r) {
  Json doc = {{"step", "compact"}, {"group", r.group}};
  PutSkipped(doc, r.skipped);
  PutIf(doc, "n_record", r.n_record);
  PutIf(doc, "n_file", r.n_file);
  PutIf(doc, "total_size", r.total_size);
  return doc;
}

Json ToJson(const CommitReport& r) {
  Json doc = {{"step", "commit"}, {"run_id", r.run_id}};
  PutSkipped(doc, r.skipped);
  PutIf(doc, "snapshot_id", r.snapshot_id);
  PutIf(doc, "n_record", r.n_record);
  PutIf(doc, "n_file", r.n_file);
  PutIf(doc, "removed_files", r.removed_files);
  return doc;
}

Json ToJson(const ValidationReport& r) {
  Json partitions = Json::array();
  for (const PartitionCheck& c : r.partitions) {
    partitions.push_back({{"partition", c.partition},
                          {"ok", c.ok},
                          {"staging_records", c.staging_records},
                          {"staging_bytes", c.staging_bytes},
                          {"staging_files", c.staging_files},
                          {"planned_records", c.planned_records},
                          {"planned_bytes", c.planned_bytes},
                          {"final_records", c.final_records},
                          {"final_footer_records", c.final_footer_records},
                          {"final_bytes", c.final_bytes},
                          {"final_files", c.final_files}});
  }
  Json doc = {{"run_id", r.run_id},
              {"ok", r.ok},
              {"errors", r.errors},
              {"source",
               {{"n_record_known", r.source_n_record_known},
                {"files_without_count", r.source_files_without_count},
                {"rows_read", r.rows_read}}},
              {"rows_staged", r.rows_staged},
              {"final_records", r.final_records},
              {"staging_bytes", r.staging_bytes},
              {"final_bytes", r.final_bytes},
              {"final_files", r.final_files},
              {"partitions", partitions}};
  if (r.table) {
    if (r.table->expired) {
      doc["table"] = {{"snapshot_id", r.table->snapshot_id}, {"expired", true}};
    } else {
      doc["table"] = {{"snapshot_id", r.table->snapshot_id},
                      {"added_records", r.table->added_records},
                      {"added_data_files", r.table->added_data_files}};
    }
  }
  return doc;
}

Json ToJson(const StatusReport& r) {
  Json doc = {{"run_id", r.run_id},
              {"staging", r.staging},
              {"phase", r.phase},
              {"stage", {{"groups", r.stage_groups}, {"done", r.stage_done}}},
              {"compact", {{"groups", r.compact_groups}, {"done", r.compact_done}}},
              {"committed", r.committed}};
  PutIf(doc, "snapshot_id", r.snapshot_id);
  PutIf(doc, "validation_ok", r.validation_ok);
  return doc;
}

Json ToJson(const RunReport& r) {
  return {{"run_id", r.run_id},
          {"staging", r.staging},
          {"snapshot_file_groups", r.snapshot_file_groups},
          {"partition_file_groups", r.partition_file_groups},
          {"commit", ToJson(r.commit)},
          {"rows", r.rows},
          {"final_files", r.final_files},
          {"final_bytes", r.final_bytes},
          {"validation_ok", r.validation_ok},
          {"seconds", r.seconds}};
}

}  // namespace atl::snapshot
