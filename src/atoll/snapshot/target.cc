#include "atoll/snapshot/target.h"

#include <cstdio>

#include "atoll/records/lake_trail.h"

namespace atl::snapshot {

Result<std::optional<iceberg::Table>> Target::Load() const {
  Result<iceberg::Table> t = lake::LoadLakeTable(tables, id);
  if (t.ok()) return std::optional<iceberg::Table>(std::move(t).value());
  if (t.status().code() == StatusCode::kNotFound) return std::optional<iceberg::Table>();
  return t.status();
}

std::string Target::KeyOf(const std::string& location) const {
  const std::string root = tables.root_uri + "/";
  if (location.rfind(root, 0) != 0) return "";
  return location.substr(root.size());
}

Result<Target> OpenTarget(const RunConfig& config) {
  if (config.lake_uri.empty()) return InvalidArgument("the run has no lake (--lake)");
  Target t;
  ATOLL_ASSIGN_OR_RETURN(t.lake, lake::Lake::Open(config.lake_uri));
  ATOLL_ASSIGN_OR_RETURN(t.tables, lake::OpenLakeTables(*t.lake));
  ATOLL_ASSIGN_OR_RETURN(t.id, lake::ParseLakeTableName(config.table_name));
  return t;
}

std::optional<int64_t> CommittedSnapshot(const iceberg::Table& table, const std::string& run_id) {
  for (const iceberg::Snapshot& s : table.metadata().snapshots) {
    auto it = s.summary.find(std::string(kRunIdKey));
    if (it != s.summary.end() && it->second == run_id) return s.snapshot_id;
  }
  return std::nullopt;
}

std::string ShortHash(const std::string& text) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%08llx", static_cast<unsigned long long>(h & 0xffffffffULL));
  return buf;
}

Status RecordCommit(const Target& target, const iceberg::Table& table,
                    std::optional<int64_t> before, trail::RecordKind kind) {
  auto context = [&]() {
    return StrCat("recording a change of ", table.location(), " in the lake's trail");
  };
  ATOLL_ASSIGN_OR_RETURN_CTX(std::unique_ptr<trail::Trail> trail, lake::OpenLakeTrail(*target.lake),
                             context());
  ATOLL_ASSIGN_OR_RETURN_CTX(lake::TableChange change,
                             lake::DescribeCommit(table, before, "atoll snapshot", kind),
                             context());
  return lake::RecordTableChange(*trail, change).status().WithContext(context());
}

}  // namespace atl::snapshot
