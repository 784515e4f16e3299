#include "atoll/records/audit_table.h"

#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "atoll/engine/appender.h"
#include "atoll/engine/serve_stores.h"
#include "atoll/records/lake_trail.h"
#include "atoll/records/system_tables.h"
#include "atoll/trail/record.h"

namespace atl::lake {

namespace {

using trail::FileRef;
using trail::Record;

constexpr char kSizeSummaryKey[] = "atoll.trail.size";
constexpr char kStageTable[] = "atoll_trail_audit_stage";
constexpr int kSyncAttempts = 10;

using iceberg::Type;

using AuditColumn = SystemColumn;

const std::vector<AuditColumn>& AuditColumns() {
  static const std::vector<AuditColumn> kColumns = {
      {"seq", Type::Long(), true, "BIGINT"},
      {"time", Type::TimestampTz(), true, "TIMESTAMPTZ"},
      {"command", Type::String(), false, "VARCHAR"},
      {"user", Type::String(), false, "VARCHAR"},
      {"host", Type::String(), false, "VARCHAR"},
      {"table", Type::String(), false, "VARCHAR"},
      {"operation", Type::String(), true, "VARCHAR"},
      {"snapshot_before", Type::Long(), false, "BIGINT"},
      {"snapshot_after", Type::Long(), false, "BIGINT"},
      {"metadata_location", Type::String(), false, "VARCHAR"},
      {"metadata_sha256", Type::String(), false, "VARCHAR"},
      {"files_added", Type::Long(), true, "BIGINT"},
      {"files_removed", Type::Long(), true, "BIGINT"},
      {"bytes_added", Type::Long(), true, "BIGINT"},
      {"bytes_removed", Type::Long(), true, "BIGINT"},
      {"recovered", Type::Boolean(), true, "BOOLEAN"},
      {"record_hash", Type::String(), true, "VARCHAR"},
  };
  return kColumns;
}

// One row per record, in the columns of AuditColumns().
Status AppendRecords(engine::Appender* a, const std::vector<Record>& records) {
  for (const Record& r : records) {
    uint64_t bytes_added = 0, bytes_removed = 0;
    for (const FileRef& f : r.files_added) bytes_added += f.size;
    for (const FileRef& f : r.files_removed) bytes_removed += f.size;
    bool recovered = false;
    for (const auto& [key, value] : r.fields)
      recovered = recovered || (key == kRecoveredField && value == "true");
    ATOLL_ASSIGN_OR_RETURN(std::string encoded, trail::EncodeRecord(r));
    ATOLL_RETURN_NOT_OK(a->AppendInt(static_cast<int64_t>(r.sequence)));
    ATOLL_RETURN_NOT_OK(a->AppendInt(r.time_ms * 1000));
    ATOLL_RETURN_NOT_OK(AppendTextOrNull(*a, r.command));
    ATOLL_RETURN_NOT_OK(AppendTextOrNull(*a, r.user));
    ATOLL_RETURN_NOT_OK(AppendTextOrNull(*a, r.host));
    ATOLL_RETURN_NOT_OK(AppendTextOrNull(*a, r.table));
    ATOLL_RETURN_NOT_OK(a->AppendBytes(trail::RecordKindName(r.kind)));
    ATOLL_RETURN_NOT_OK(AppendIntOrNull(*a, r.snapshot_before));
    ATOLL_RETURN_NOT_OK(AppendIntOrNull(*a, r.snapshot_after));
    ATOLL_RETURN_NOT_OK(AppendTextOrNull(*a, r.metadata_location));
    ATOLL_RETURN_NOT_OK(
        AppendTextOrNull(*a, r.metadata_sha256 ? trail::ToHex(*r.metadata_sha256) : ""));
    ATOLL_RETURN_NOT_OK(a->AppendInt(static_cast<int64_t>(r.files_added.size())));
    ATOLL_RETURN_NOT_OK(a->AppendInt(static_cast<int64_t>(r.files_removed.size())));
    ATOLL_RETURN_NOT_OK(a->AppendInt(static_cast<int64_t>(bytes_added)));
    ATOLL_RETURN_NOT_OK(a->AppendInt(static_cast<int64_t>(bytes_removed)));
    ATOLL_RETURN_NOT_OK(a->AppendBool(recovered));
    ATOLL_RETURN_NOT_OK(a->AppendBytes(trail::ToHex(trail::LeafHash(encoded))));
    ATOLL_RETURN_NOT_OK(a->EndRow());
  }
  return Status::OK();
}

Status StageRecords(engine::Engine& engine, const std::vector<Record>& records) {
  return StageRows(engine, kStageTable, AuditColumns(),
                   [&](engine::Appender& appender) { return AppendRecords(&appender, records); });
}

// The records the audit table holds: its property "atoll.trail.size" (kept by every
// later commit, e.g. a manifest rewrite by `atoll maintain`), else the summary of the
// newest snapshot in the current snapshot's ancestry that carries the key.
uint64_t CoveredSize(const iceberg::Table& table) {
  const iceberg::TableMetadata& md = table.metadata();
  auto property = md.properties.find(kSizeSummaryKey);
  if (property != md.properties.end()) return std::strtoull(property->second.c_str(), nullptr, 10);
  for (const iceberg::Snapshot* s = md.CurrentSnapshot(); s != nullptr;
       s = s->parent_snapshot_id ? md.SnapshotById(*s->parent_snapshot_id) : nullptr) {
    auto it = s->summary.find(kSizeSummaryKey);
    if (it != s->summary.end()) return std::strtoull(it->second.c_str(), nullptr, 10);
  }
  return 0;
}

}  // namespace

iceberg::TableIdentifier AuditTableId(const Lake& lake) {
  return iceberg::TableIdentifier{{lake.settings().zones.trail, "atoll"}, "audit"};
}

iceberg::Schema AuditTableSchema() { return SystemTableSchema(AuditColumns()); }

Result<SyncReport> SyncTrailTable(const Lake& lake, const LakeTables& tables, trail::Trail& trail,
                                  engine::Engine& engine) {
  ATOLL_RETURN_NOT_OK(engine::ServeStoresOf(engine, lake.root_uri(), lake.shared_store()));
  // A conflicting commit must not be rebased (it would append the same records twice):
  // SyncTrailTable starts over instead (LoadOrCreateSystemTable forbids retries).
  ATOLL_ASSIGN_OR_RETURN_CTX(
      iceberg::Table table,
      LoadOrCreateSystemTable(tables, AuditTableId(lake), AuditColumns(),
                              {{"atoll.trail", "audit table of the lake's trail"}},
                              /*trail=*/nullptr, /*command=*/""),
      StrCat("opening the audit table ", AuditTableId(lake).ToString()));
  SyncReport report;
  for (int attempt = 1; attempt <= kSyncAttempts; ++attempt) {
    report.attempts = attempt;
    const uint64_t covered = CoveredSize(table);
    trail::ShowFilter filter;
    filter.from = covered;
    ATOLL_ASSIGN_OR_RETURN(std::vector<Record> records, trail.Show(filter));
    report.covered = covered;
    if (records.empty()) return report;
    for (size_t i = 0; i < records.size(); ++i) {
      if (records[i].sequence != covered + i) {
        return Corruption("trail: record ", covered + i,
                          " missing while syncing the audit table (run 'atoll trail verify')");
      }
    }
    ATOLL_RETURN_NOT_OK(StageRecords(engine, records));
    const uint64_t size = covered + records.size();
    iceberg::SummaryProperties summary = {{kSizeSummaryKey, std::to_string(size)},
                                          {"atoll.trail.first", std::to_string(covered)}};
    Status st = CommitStaged(engine, table, tables, kStageTable, StrCat("trail-", covered, "-"),
                             std::move(summary), {{kSizeSummaryKey, std::to_string(size)}});
    if (st.ok()) {
      report.appended = records.size();
      report.covered = size;
      return report;
    }
    if (st.code() != StatusCode::kCommitConflict) return st.WithContext("syncing the audit table");
    ATOLL_RETURN_NOT_OK(table.Refresh());
  }
  return CommitConflict("audit table ", table.id().ToString(), ": gave up after ", kSyncAttempts,
                        " conflicting commits");
}

}  // namespace atl::lake
