#include "atoll/records/compact.h"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "atoll/iceberg/commit/row_delta.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/iceberg/manifest/manifest_merge.h"
#include "atoll/iceberg/scan/expression.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/records/lake_trail.h"
#include "atoll/table/data_writer.h"

namespace atl::lake {

// sql-names: rows_sql, columns_sql

namespace {

// A live delete file of a snapshot and the spec its partition tuple follows.
struct LiveDelete {
  iceberg::DataFile file;
  int32_t spec_id = 0;
};

// Every live delete file of `snapshot` (from its delete manifests).
Result<std::vector<LiveDelete>> LiveDeleteFiles(const iceberg::FileIO& io,
                                                const iceberg::Snapshot& snapshot) {
  std::vector<LiveDelete> out;
  if (snapshot.manifest_list.empty()) return out;  // v1: no delete files
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(snapshot.manifest_list));
  ATOLL_ASSIGN_OR_RETURN(iceberg::ManifestList list,
                         iceberg::ReadManifestList(bytes, snapshot.manifest_list));
  for (const iceberg::ManifestFile& mf : list.manifests) {
    if (mf.content != iceberg::ManifestContent::kDeletes) continue;
    ATOLL_ASSIGN_OR_RETURN(iceberg::Manifest m, iceberg::ReadManifestFile(io, mf));
    for (iceberg::ManifestEntry& e : m.entries) {
      if (e.is_live()) out.push_back({std::move(e.data_file), mf.partition_spec_id});
    }
  }
  return out;
}

// What one attempt rewrites and removes.
struct CompactPlan {
  int64_t snapshot_id = 0;
  std::vector<const iceberg::FileScanTask*> rewrite;  // data files to rewrite
  std::vector<iceberg::DataFile> removed_deletes;
  int64_t dangling = 0;
  std::optional<iceberg::ScanPlan> scan;  // owns the tasks `rewrite` points into
};

bool HasDeletes(const iceberg::FileScanTask& task) {
  return !task.position_deletes.empty() || !task.equality_deletes.empty();
}

// Whether `file` (in spec `spec_id`) is in the scope of `bound` (none: everything).
Result<bool> InScope(const std::optional<iceberg::Expression>& bound,
                     const iceberg::TableMetadata& md, int32_t spec_id,
                     const iceberg::DataFile& file, bool partition_only) {
  if (!bound) return true;
  const iceberg::PartitionSpec* spec = md.SpecById(spec_id);
  const iceberg::Schema* schema = md.CurrentSchema();
  if (spec == nullptr || schema == nullptr) {
    return Corruption("file '", file.file_path, "' is in unknown partition spec ", spec_id);
  }
  if (partition_only) return iceberg::PartitionMightMatch(*bound, *schema, *spec, file.partition);
  return iceberg::MightMatch(*bound, *schema, *spec, file);
}

Result<CompactPlan> PlanCompaction(const iceberg::Table& table, const CompactOptions& options,
                                   int64_t target) {
  const iceberg::TableMetadata& md = table.metadata();
  CompactPlan plan;
  const iceberg::Snapshot* current = md.CurrentSnapshot();
  if (current == nullptr) return plan;
  plan.snapshot_id = current->snapshot_id;
  std::optional<iceberg::Expression> bound;
  if (!options.where.empty()) {
    const iceberg::Schema* schema = md.CurrentSchema();
    if (schema == nullptr) return Corruption("the table has no current schema");
    ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::Expression parsed, iceberg::ParseExpression(options.where),
                               StrCat("the filter '", options.where, "'"));
    ATOLL_ASSIGN_OR_RETURN_CTX(bound, iceberg::Bind(parsed, *schema),
                               StrCat("the filter '", options.where, "'"));
  }
  iceberg::ScanOptions scan;
  scan.snapshot_id = plan.snapshot_id;
  ATOLL_ASSIGN_OR_RETURN(plan.scan, iceberg::PlanScan(table.io(), md, scan));

  // Data files in scope, by partition; which ones have deletes.
  const double small = options.small_file_fraction * static_cast<double>(target);
  std::vector<std::pair<std::pair<int32_t, std::vector<iceberg::Literal>>,
                        std::vector<const iceberg::FileScanTask*>>>
      groups;
  std::set<std::string> rewritten;
  for (const iceberg::FileScanTask& task : plan.scan->tasks) {
    ATOLL_ASSIGN_OR_RETURN(bool in, InScope(bound, md, task.spec_id, task.file, false));
    if (!in) continue;
    if (!HasDeletes(task) && static_cast<double>(task.file.file_size_in_bytes) >= small) continue;
    auto key = std::make_pair(task.spec_id, task.file.partition);
    auto g =
        std::find_if(groups.begin(), groups.end(), [&](const auto& p) { return p.first == key; });
    if (g == groups.end()) g = groups.insert(groups.end(), {key, {}});
    g->second.push_back(&task);
  }
  for (const auto& [key, tasks] : groups) {
    bool any_deletes = false;
    int64_t bytes = 0;
    for (const iceberg::FileScanTask* task : tasks) {
      any_deletes = any_deletes || HasDeletes(*task);
      bytes += task->file.file_size_in_bytes;
    }
    // Small files without deletes: merged with the files being rewritten anyway, or when
    // merging them makes fewer files (no churn on a partition already packed).
    const int64_t packed = bytes / target + (bytes % target != 0 ? 1 : 0);
    const bool merge =
        tasks.size() >= 2 && (any_deletes || packed < static_cast<int64_t>(tasks.size()));
    for (const iceberg::FileScanTask* task : tasks) {
      if (HasDeletes(*task) || merge) {
        plan.rewrite.push_back(task);
        rewritten.insert(task->file.file_path);
      }
    }
  }

  // Delete files: removable when every data file they apply to is rewritten.
  std::map<std::string, bool> applies_to_kept;  // DeleteFileKey -> applies to a kept file
  for (const iceberg::FileScanTask& task : plan.scan->tasks) {
    const bool kept = !rewritten.count(task.file.file_path);
    for (const auto* list : {&task.position_deletes, &task.equality_deletes}) {
      for (const iceberg::DataFile& d : *list) {
        bool& flag = applies_to_kept[iceberg::DeleteFileKey(d)];
        flag = flag || kept;
      }
    }
  }
  ATOLL_ASSIGN_OR_RETURN(std::vector<LiveDelete> deletes, LiveDeleteFiles(table.io(), *current));
  for (LiveDelete& d : deletes) {
    auto it = applies_to_kept.find(iceberg::DeleteFileKey(d.file));
    if (it != applies_to_kept.end()) {
      if (!it->second) plan.removed_deletes.push_back(std::move(d.file));
      continue;
    }
    // Dangling: it applies to no live data file.
    ATOLL_ASSIGN_OR_RETURN(bool in, InScope(bound, md, d.spec_id, d.file, true));
    if (!in) continue;
    ++plan.dangling;
    plan.removed_deletes.push_back(std::move(d.file));
  }
  return plan;
}

// The SELECT reading the rewritten files' live rows at the plan's snapshot.
std::string RowsSql(const iceberg::Table& table, const iceberg::Schema& schema,
                    const CompactPlan& plan) {
  nlohmann::json files = nlohmann::json::array();
  for (const iceberg::FileScanTask* task : plan.rewrite) files.push_back(task->file.file_path);
  std::string columns_sql;
  for (const iceberg::NestedField& f : schema.fields()) {
    columns_sql += StrCat(columns_sql.empty() ? "" : ", ", engine::QuoteIdentifier(f.name));
  }
  return StrCat("SELECT ", columns_sql, " FROM iceberg_scan(",
                engine::QuoteString(table.metadata_location()), ", snapshot_id => ",
                std::to_string(plan.snapshot_id), ", data_files => ",
                engine::QuoteString(files.dump()), ")");
}

// One attempt: plan, write, commit. `written` collects the files written.
Result<CompactOutcome> Attempt(engine::Engine& engine, iceberg::Table& table,
                               const CompactOptions& options, std::vector<std::string>* written) {
  const iceberg::TableMetadata& md = table.metadata();
  table::DataWriterOptions writer;
  table::ApplyWriteProperties(md.properties, &writer);
  if (options.target_file_size_bytes)
    writer.target_file_size_bytes = *options.target_file_size_bytes;
  ATOLL_ASSIGN_OR_RETURN(CompactPlan plan,
                         PlanCompaction(table, options, writer.target_file_size_bytes));
  CompactOutcome out;
  out.data_files_rewritten = static_cast<int64_t>(plan.rewrite.size());
  for (const iceberg::FileScanTask* task : plan.rewrite)
    out.bytes_rewritten += task->file.file_size_in_bytes;
  out.delete_files_removed = static_cast<int64_t>(plan.removed_deletes.size());
  out.dangling_delete_files = plan.dangling;
  if (options.dry_run || (plan.rewrite.empty() && plan.removed_deletes.empty())) return out;

  iceberg::RowDelta delta;
  delta.replace = true;
  delta.read_snapshot_id = plan.snapshot_id;
  delta.isolation = iceberg::IsolationLevel::kSnapshot;  // appends never conflict
  delta.summary["atoll.maintenance"] = "compact";
  if (!plan.rewrite.empty()) {
    const iceberg::Schema* schema = md.CurrentSchema();
    const iceberg::PartitionSpec* spec = md.DefaultSpec();
    if (schema == nullptr || spec == nullptr) {
      return Corruption("the table has no current schema or default partition spec");
    }
    for (const iceberg::FileScanTask* task : plan.rewrite) {
      delta.removed_data.push_back(task->file.file_path);
      delta.referenced_data_files.insert(task->file.file_path);
    }
    writer.file_name_prefix = "compact-";
    ATOLL_ASSIGN_OR_RETURN(delta.added_data,
                           table::WriteDataFiles(engine, RowsSql(table, *schema, plan), *schema,
                                                 *spec, table.location(), writer));
    for (const iceberg::DataFile& f : delta.added_data) {
      written->push_back(f.file_path);
      out.rows_written += f.record_count;
      out.bytes_written += f.file_size_in_bytes;
    }
    out.data_files_written = static_cast<int64_t>(delta.added_data.size());
  }
  delta.removed_deletes = std::move(plan.removed_deletes);
  if (options.before_commit) ATOLL_RETURN_NOT_OK(options.before_commit());
  iceberg::Transaction tx = table.NewTransaction();
  tx.RowDelta(std::move(delta));
  ATOLL_RETURN_NOT_OK(tx.Commit());
  out.snapshot_id = table.metadata().current_snapshot_id;
  return out;
}

// Records the compaction that made `table`'s current metadata; returns the error text.
std::string Record(const CompactOptions& options, const iceberg::Table& table,
                   int64_t snapshot_before, const CompactOutcome& out) {
  if (options.trail == nullptr) return "";
  Result<TableChange> change =
      DescribeCommit(table, snapshot_before, options.command, trail::RecordKind::kCompaction);
  if (!change.ok()) return change.status().message();
  change->fields = {{kMaintenanceField, "compact"},
                    {"data_files_rewritten", std::to_string(out.data_files_rewritten)},
                    {"data_files_written", std::to_string(out.data_files_written)},
                    {"delete_files_removed", std::to_string(out.delete_files_removed)}};
  Result<uint64_t> recorded = RecordTableChange(*options.trail, *change);
  return recorded.ok() ? "" : recorded.status().message();
}

}  // namespace

Result<CompactOutcome> CompactTable(engine::Engine& engine, iceberg::Table& table,
                                    const CompactOptions& options) {
  std::string conflict;
  Status last;
  const int attempts = std::max(1, options.max_attempts);
  for (int attempt = 1; attempt <= attempts; ++attempt) {
    if (attempt > 1) ATOLL_RETURN_NOT_OK(table.Refresh());
    const std::optional<int64_t> before = table.metadata().current_snapshot_id;
    std::vector<std::string> written;
    Result<CompactOutcome> out = Attempt(engine, table, options, &written);
    if (out.ok()) {
      out->attempts = attempt;
      out->conflict = conflict;
      if (out->snapshot_id && before) out->trail_error = Record(options, table, *before, *out);
      return out;
    }
    last = out.status();
    if (last.code() != StatusCode::kUnknownOutcome && !written.empty()) {
      (void)table.io().Delete(written);
    }
    if (last.code() != StatusCode::kCommitConflict) break;
    conflict = last.message();  // a concurrent change: plan again on the new state
  }
  if (last.code() == StatusCode::kCommitConflict) {
    return last.WithContext(StrCat("compacting ", table.id().ToString(),
                                   ": concurrent changes conflicted with ", attempts,
                                   " attempt(s); the table is unchanged, run it again"));
  }
  return last.WithContext(StrCat("compacting ", table.id().ToString()));
}

}  // namespace atl::lake
