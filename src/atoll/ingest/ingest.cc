#include "atoll/ingest/ingest.h"

#include <map>
#include <set>
#include <utility>

#include "atoll/common/clock.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/ingest/rejects.h"
#include "atoll/ingest/source_check.h"
#include "atoll/ingest/table_ingester.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/lake/lease.h"
#include "atoll/lake/work_session.h"
#include "atoll/records/audit_table.h"
#include "atoll/records/lake_trail.h"

namespace atl::lake {

namespace {

// The sum of `per_table` over the report's tables.
template <typename T, typename F>
T SumOver(const std::vector<TableIngestReport>& tables, F per_table) {
  T n = 0;
  for (const auto& t : tables) n += static_cast<T>(per_table(t));
  return n;
}

}  // namespace

size_t IngestReport::files_loaded() const {
  return SumOver<size_t>(tables, [](const auto& t) { return t.files_loaded; });
}

size_t IngestReport::files_rejected() const {
  return SumOver<size_t>(
      tables, [](const auto& t) { return t.rejected.size() + t.prepared.rejected.size(); });
}

int64_t IngestReport::rows() const {
  return SumOver<int64_t>(tables, [](const auto& t) { return t.rows; });
}

uint64_t IngestReport::source_bytes() const {
  return SumOver<uint64_t>(tables, [](const auto& t) { return t.source_bytes; });
}

bool IngestReport::ok() const {
  for (const auto& t : tables) {
    if (!t.error.empty()) return false;
  }
  return true;
}

size_t IngestReport::files_skipped() const {
  return SumOver<size_t>(tables, [](const auto& t) { return t.skipped.size(); });
}

namespace {

// The table folders of prepare/ and load/, merged by (db, table): the files of both zones.
// Keeps both folders of each table (KeepTableFolders).
Result<std::vector<TableFolder>> FoldersWaiting(const Lake& lake) {
  std::map<std::pair<std::string, std::string>, TableFolder> merged;
  for (const std::string* zone : {&lake.settings().zones.prepare, &lake.settings().zones.load}) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<TableFolder> folders, ScanTableFolders(lake.store(), *zone));
    for (TableFolder& f : folders) {
      TableFolder& m = merged[{f.db, f.table}];
      m.db = f.db;
      m.table = f.table;
      if (m.problem.empty()) m.problem = f.problem;
      for (storage::ObjectInfo& o : f.files) m.files.push_back(std::move(o));
    }
  }
  std::vector<TableFolder> out;
  for (auto& entry : merged) out.push_back(std::move(entry.second));
  // A table's folders of both zones stay when their files are taken (a local lake).
  for (const std::string* zone : {&lake.settings().zones.prepare, &lake.settings().zones.load}) {
    ATOLL_RETURN_NOT_OK(KeepTableFolders(lake.store(), *zone, out));
  }
  return out;
}

// options.tables as (db, table); kInvalidArgument for a name that is not <db>.<table>.
Result<std::set<std::pair<std::string, std::string>>> NamedTables(const IngestOptions& options) {
  std::set<std::pair<std::string, std::string>> out;
  for (const std::string& name : options.tables) {
    const iceberg::Namespace parts = iceberg::SplitNamespace(name);
    if (parts.size() != 2 || parts[0].empty() || parts[1].empty())
      return InvalidArgument("table '", name, "' is not <db>.<table>");
    out.emplace(parts[0], parts[1]);
  }
  return out;
}

}  // namespace

Result<std::vector<std::string>> TablesWithFilesWaiting(const Lake& lake) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<TableFolder> folders, FoldersWaiting(lake));
  std::vector<std::string> out;
  for (const TableFolder& f : folders) {
    for (const storage::ObjectInfo& o : f.files) {
      if (CheckSourceKey(o.key).movable) {
        out.push_back(StrCat(f.db, ".", f.table));
        break;
      }
    }
  }
  return out;
}

Result<IngestReport> Ingest(const Lake& lake, const IngestOptions& options) {
  ATOLL_ASSIGN_OR_RETURN(auto named, NamedTables(options));
  ATOLL_ASSIGN_OR_RETURN(std::vector<TableFolder> folders, FoldersWaiting(lake));
  if (!named.empty()) {
    // Only the named tables; those without files still run (their interrupted batches).
    std::vector<TableFolder> chosen;
    for (TableFolder& f : folders) {
      if (named.erase({f.db, f.table})) chosen.push_back(std::move(f));
    }
    for (const auto& [db, table] : named) {
      TableFolder f;
      f.db = db;
      f.table = table;
      f.problem = FolderNameProblem(db, table);
      chosen.push_back(std::move(f));
    }
    folders = std::move(chosen);
  }
  IngestReport report;
  if (folders.empty()) return report;
  ATOLL_ASSIGN_OR_RETURN(LakeTables tables, OpenLakeTables(lake));
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> existing, ListLakeTables(tables));
  RefuseCaseCollisions(lake.settings().zones.stg, existing, &folders);
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<WorkSession> session,
                         WorkSession::Open(lake, options.work_dir, options.threads, "ingest"));
  std::unique_ptr<trail::Trail> trail;
  if (options.record_trail) {
    ATOLL_ASSIGN_OR_RETURN(trail, OpenLakeTrail(lake));
    ReconcileOptions ro;
    ro.command = options.command + " (recovered)";
    ATOLL_RETURN_NOT_OK_CTX(ReconcileTrail(lake, tables, *trail, ro).status(),
                            "recording an interrupted run's commits");
  }
  for (const TableFolder& folder : folders) {
    const std::string name = StrCat(folder.db, ".", folder.table);
    TableIngestReport t;
    t.db = folder.db;
    t.table = folder.table;
    t.table_name = PrintableName(StrCat(lake.settings().zones.stg, ".", name));
    // Files that cannot be taken go first (all of them when the name cannot be a table).
    Result<std::vector<storage::ObjectInfo>> usable = SetAsideUnusable(
        lake, folder, options.now_ms ? options.now_ms() : SystemNowMs(), &t.rejected, &t.skipped);
    if (!usable.ok()) t.error = usable.status().message();
    if (!usable.ok() || !folder.problem.empty()) {
      report.tables.push_back(std::move(t));
      continue;
    }
    // Kept (renewed in the background) for as long as the table's run works.
    Result<std::unique_ptr<KeptLease>> lease =
        options.use_lease
            ? KeptLease::Acquire(lake.shared_store(), StrCat("ingest.", name), options.lease_ttl_ms)
            : Result<std::unique_ptr<KeptLease>>(std::unique_ptr<KeptLease>());
    if (!lease.ok()) {
      if (lease.status().code() == StatusCode::kAlreadyExists) {
        t.busy = true;
      } else {
        t.error = lease.status().message();
      }
      report.tables.push_back(std::move(t));
      continue;
    }
    Status st = IngestTable(lake, tables, *session, options, trail.get(), lease->get(), &t);
    if (!st.ok()) t.error = st.message().empty() ? st.ToString() : st.message();
    report.tables.push_back(std::move(t));
  }
  if (trail) {
    ATOLL_RETURN_NOT_OK_CTX(SyncTrailTable(lake, tables, *trail, session->engine()).status(),
                            "bringing the trail's audit table up to date");
  }
  return report;
}

}  // namespace atl::lake
