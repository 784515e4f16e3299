#include "atoll/iceberg/snapshot.h"

#include "atoll/iceberg/snapshot_id_json.h"

namespace atl::iceberg {

std::string Snapshot::operation() const {
  auto it = summary.find("operation");
  return it == summary.end() ? "" : it->second;
}

bool Snapshot::operator==(const Snapshot& o) const {
  return snapshot_id == o.snapshot_id && parent_snapshot_id == o.parent_snapshot_id &&
         sequence_number == o.sequence_number && timestamp_ms == o.timestamp_ms &&
         manifest_list == o.manifest_list && manifests == o.manifests && summary == o.summary &&
         schema_id == o.schema_id && first_row_id == o.first_row_id && added_rows == o.added_rows &&
         key_id == o.key_id;
}

Json Snapshot::ToJson(int format_version) const {
  Json j = {{"snapshot-id", snapshot_id}, {"timestamp-ms", timestamp_ms}};
  if (parent_snapshot_id) j["parent-snapshot-id"] = *parent_snapshot_id;
  if (format_version >= 2) j["sequence-number"] = sequence_number;
  if (!manifest_list.empty()) {
    j["manifest-list"] = manifest_list;
  } else if (!manifests.empty()) {
    j["manifests"] = manifests;
  }
  if (!summary.empty() || format_version >= 2) j["summary"] = summary;
  if (schema_id) j["schema-id"] = *schema_id;
  if (format_version >= 3) {
    if (first_row_id) j["first-row-id"] = *first_row_id;
    if (added_rows) j["added-rows"] = *added_rows;
    if (key_id) j["key-id"] = *key_id;
  }
  return j;
}

Result<Snapshot> Snapshot::FromJson(const Json& j) {
  Snapshot s;
  ATOLL_ASSIGN_OR_RETURN(s.snapshot_id, json::SnapshotId(j, "snapshot-id", "snapshot"));
  std::string ctx = StrCat("snapshot ", s.snapshot_id);
  ATOLL_ASSIGN_OR_RETURN(s.parent_snapshot_id, json::OptSnapshotId(j, "parent-snapshot-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(std::optional<int64_t> seq, json::OptInt64(j, "sequence-number", ctx));
  s.sequence_number = seq.value_or(0);
  ATOLL_ASSIGN_OR_RETURN(s.timestamp_ms, json::Int64(j, "timestamp-ms", ctx));
  ATOLL_ASSIGN_OR_RETURN(std::optional<std::string> list, json::OptString(j, "manifest-list", ctx));
  s.manifest_list = list.value_or("");
  if (auto it = j.find("manifests"); it != j.end() && !it->is_null()) {
    if (!it->is_array()) return InvalidArgument(ctx, ": 'manifests' must be a list of strings");
    for (const Json& m : *it) {
      if (!m.is_string()) return InvalidArgument(ctx, ": 'manifests' must be a list of strings");
      s.manifests.push_back(m.get<std::string>());
    }
  }
  if (s.manifest_list.empty() && s.manifests.empty() && !j.contains("manifests")) {
    return InvalidArgument(ctx, ": has neither 'manifest-list' nor 'manifests'");
  }
  ATOLL_ASSIGN_OR_RETURN(s.summary, json::StringMap(j, "summary", ctx));
  ATOLL_ASSIGN_OR_RETURN(s.schema_id, json::OptInt32(j, "schema-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(s.first_row_id, json::OptInt64(j, "first-row-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(s.added_rows, json::OptInt64(j, "added-rows", ctx));
  ATOLL_ASSIGN_OR_RETURN(s.key_id, json::OptString(j, "key-id", ctx));
  return s;
}

bool SnapshotRef::operator==(const SnapshotRef& o) const {
  return snapshot_id == o.snapshot_id && type == o.type &&
         min_snapshots_to_keep == o.min_snapshots_to_keep &&
         max_snapshot_age_ms == o.max_snapshot_age_ms && max_ref_age_ms == o.max_ref_age_ms;
}

Json SnapshotRef::ToJson() const {
  Json j = {{"snapshot-id", snapshot_id}, {"type", is_branch() ? "branch" : "tag"}};
  if (min_snapshots_to_keep) j["min-snapshots-to-keep"] = *min_snapshots_to_keep;
  if (max_snapshot_age_ms) j["max-snapshot-age-ms"] = *max_snapshot_age_ms;
  if (max_ref_age_ms) j["max-ref-age-ms"] = *max_ref_age_ms;
  return j;
}

Result<SnapshotRef> SnapshotRef::FromJson(const Json& j, std::string_view name) {
  std::string ctx = StrCat("snapshot reference '", name, "'");
  SnapshotRef r;
  ATOLL_ASSIGN_OR_RETURN(r.snapshot_id, json::SnapshotId(j, "snapshot-id", ctx));
  ATOLL_ASSIGN_OR_RETURN(std::string type, json::String(j, "type", ctx));
  if (type == "branch") {
    r.type = RefType::kBranch;
  } else if (type == "tag") {
    r.type = RefType::kTag;
  } else {
    return InvalidArgument(ctx, ": type '", type, "' is neither branch nor tag");
  }
  ATOLL_ASSIGN_OR_RETURN(r.min_snapshots_to_keep, json::OptInt32(j, "min-snapshots-to-keep", ctx));
  ATOLL_ASSIGN_OR_RETURN(r.max_snapshot_age_ms, json::OptInt64(j, "max-snapshot-age-ms", ctx));
  ATOLL_ASSIGN_OR_RETURN(r.max_ref_age_ms, json::OptInt64(j, "max-ref-age-ms", ctx));
  if (!r.is_branch() && (r.min_snapshots_to_keep || r.max_snapshot_age_ms)) {
    return InvalidArgument(ctx, ": a tag cannot have min-snapshots-to-keep or max-snapshot-age-ms");
  }
  return r;
}

}  // namespace atl::iceberg
