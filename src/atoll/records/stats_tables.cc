#include "atoll/records/stats_tables.h"

#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <utility>

#include "atoll/common/clock.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/records/system_tables.h"

namespace atl::lake {

namespace {

using iceberg::Type;

constexpr int kAttempts = 10;
constexpr char kTablesStage[] = "atoll_stats_tables_stage";
constexpr char kColumnsStage[] = "atoll_stats_columns_stage";

const std::vector<SystemColumn>& TableColumns() {
  static const std::vector<SystemColumn> kColumns = {
      {"table_name", Type::String(), true, "VARCHAR"},
      {"snapshot_id", Type::Long(), true, "BIGINT"},
      {"parent_snapshot_id", Type::Long(), false, "BIGINT"},
      {"operation", Type::String(), false, "VARCHAR"},
      {"committed_at", Type::TimestampTz(), true, "TIMESTAMPTZ"},
      {"record_count", Type::Long(), true, "BIGINT"},
      {"data_file_count", Type::Long(), true, "BIGINT"},
      {"delete_file_count", Type::Long(), true, "BIGINT"},
      {"total_bytes", Type::Long(), true, "BIGINT"},
      {"last_updated", Type::TimestampTz(), true, "TIMESTAMPTZ"},
      {"recorded_at", Type::TimestampTz(), true, "TIMESTAMPTZ"},
  };
  return kColumns;
}

const std::vector<SystemColumn>& ColumnColumns() {
  static const std::vector<SystemColumn> kColumns = {
      {"table_name", Type::String(), true, "VARCHAR"},
      {"snapshot_id", Type::Long(), true, "BIGINT"},
      {"committed_at", Type::TimestampTz(), true, "TIMESTAMPTZ"},
      {"field_id", Type::Int(), true, "INTEGER"},
      {"column_name", Type::String(), true, "VARCHAR"},
      {"type", Type::String(), true, "VARCHAR"},
      {"value_count", Type::Long(), false, "BIGINT"},
      {"null_count", Type::Long(), false, "BIGINT"},
      {"nan_count", Type::Long(), false, "BIGINT"},
      {"min", Type::String(), false, "VARCHAR"},
      {"max", Type::String(), false, "VARCHAR"},
      {"recorded_at", Type::TimestampTz(), true, "TIMESTAMPTZ"},
  };
  return kColumns;
}

struct TableRow {
  std::string table;
  int64_t snapshot_id = 0;
  std::optional<int64_t> parent;
  std::string operation;
  int64_t committed_ms = 0;
  int64_t records = 0, data_files = 0, delete_files = 0, bytes = 0;
  int64_t last_updated_ms = 0;
};

struct ColumnRow {
  std::string table;
  int64_t snapshot_id = 0;
  int64_t committed_ms = 0;
  int32_t field_id = 0;
  std::string name;
  std::string type;
  std::optional<int64_t> values, nulls, nans;
  std::optional<std::string> min, max;
};

using Pair = std::pair<std::string, int64_t>;

// Sum of one count map over files; nullopt when a file lacks the entry.
class CountSum {
 public:
  template <typename Counts>  // a map from field id to count (find/end)
  void Add(const Counts& counts, int32_t id) {
    auto it = counts.find(id);
    if (it == counts.end()) {
      known_ = false;
    } else {
      sum_ += it->second;
    }
  }
  std::optional<int64_t> value() const {
    return known_ ? std::optional<int64_t>(sum_) : std::nullopt;
  }

 private:
  int64_t sum_ = 0;
  bool known_ = true;
};

// The min of lower bounds (or max of upper bounds) over files; unknown when a file with
// non-null values has no bound.
class BoundFold {
 public:
  explicit BoundFold(bool want_max) : want_max_(want_max) {}
  template <typename Bounds>  // a map from field id to bound bytes (find/end)
  Status Add(const iceberg::TypePtr& type, const Bounds& bounds, int32_t id, bool all_null) {
    auto it = bounds.find(id);
    if (it == bounds.end()) {
      if (!all_null) known_ = false;
      return Status::OK();
    }
    ATOLL_ASSIGN_OR_RETURN(iceberg::Literal lit, iceberg::LiteralFromBytes(type, it->second));
    if (!best_) {
      best_ = std::move(lit);
      return Status::OK();
    }
    ATOLL_ASSIGN_OR_RETURN(int cmp, iceberg::CompareLiterals(lit, *best_));
    if (want_max_ ? cmp > 0 : cmp < 0) best_ = std::move(lit);
    return Status::OK();
  }
  std::optional<std::string> value() const {
    if (!known_ || !best_) return std::nullopt;
    return best_->ToString();
  }

 private:
  bool want_max_;
  bool known_ = true;
  std::optional<iceberg::Literal> best_;
};

void PrimitiveFields(const std::vector<iceberg::NestedField>& fields,
                     std::vector<const iceberg::NestedField*>* out) {
  for (const iceberg::NestedField& f : fields) {
    if (f.type == nullptr) continue;
    if (f.type->is_primitive()) {
      out->push_back(&f);
    } else {
      PrimitiveFields(f.type->fields(), out);
    }
  }
}

// The rows of one snapshot of `table`.
Status DescribeSnapshot(const LakeTables& tables, const iceberg::Table& table,
                        const iceberg::Snapshot& snapshot, bool want_table, bool want_columns,
                        std::vector<TableRow>* table_rows, std::vector<ColumnRow>* column_rows) {
  const std::string name = table.id().ToString();
  iceberg::ScanOptions scan;
  scan.snapshot_id = snapshot.snapshot_id;
  ATOLL_ASSIGN_OR_RETURN_CTX(iceberg::ScanPlan plan,
                             iceberg::PlanScan(*tables.io, table.metadata(), scan),
                             StrCat("planning ", name, " at snapshot ", snapshot.snapshot_id));
  if (want_table) {
    TableRow row;
    row.table = name;
    row.snapshot_id = snapshot.snapshot_id;
    row.parent = snapshot.parent_snapshot_id;
    row.operation = snapshot.operation();
    row.committed_ms = snapshot.timestamp_ms;
    row.last_updated_ms = table.metadata().last_updated_ms;
    std::set<std::string> deletes;
    for (const iceberg::FileScanTask& task : plan.tasks) {
      ++row.data_files;
      row.records += task.file.record_count;
      row.bytes += task.file.file_size_in_bytes;
      for (const auto* list : {&task.position_deletes, &task.equality_deletes}) {
        for (const iceberg::DataFile& d : *list) {
          if (deletes.insert(d.file_path).second) row.bytes += d.file_size_in_bytes;
        }
      }
    }
    row.delete_files = static_cast<int64_t>(deletes.size());
    table_rows->push_back(std::move(row));
  }
  if (!want_columns) return Status::OK();
  std::vector<const iceberg::NestedField*> fields;
  PrimitiveFields(plan.schema.fields(), &fields);
  for (const iceberg::NestedField* field : fields) {
    ColumnRow row;
    row.table = name;
    row.snapshot_id = snapshot.snapshot_id;
    row.committed_ms = snapshot.timestamp_ms;
    row.field_id = field->id;
    row.name = plan.schema.FindColumnName(field->id).value_or(field->name);
    row.type = field->type->ToString();
    CountSum values, nulls, nans;
    BoundFold min(false), max(true);
    for (const iceberg::FileScanTask& task : plan.tasks) {
      const iceberg::DataFile& f = task.file;
      values.Add(f.value_counts, field->id);
      nulls.Add(f.null_value_counts, field->id);
      nans.Add(f.nan_value_counts, field->id);
      auto n = f.null_value_counts.find(field->id);
      const bool all_null = n != f.null_value_counts.end() && n->second == f.record_count;
      Status st = min.Add(field->type, f.lower_bounds, field->id, all_null);
      if (st.ok()) st = max.Add(field->type, f.upper_bounds, field->id, all_null);
      if (!st.ok()) {
        return st.WithContext(StrCat("decoding the bounds of ", row.name, " in ", f.file_path));
      }
    }
    row.values = values.value();
    row.nulls = nulls.value();
    row.nans = nans.value();
    row.min = min.value();
    row.max = max.value();
    column_rows->push_back(std::move(row));
  }
  return Status::OK();
}

// The (table, snapshot) pairs a stats table holds.
Result<std::set<Pair>> RecordedPairs(engine::Engine& engine, const iceberg::Table& table) {
  std::set<Pair> out;
  ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> files, CurrentDataFiles(table));
  if (files.empty()) return out;
  std::string list;
  for (const std::string& f : files) {
    if (!list.empty()) list += ", ";
    list += engine::QuoteString(f);
  }
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult result,
      engine.Query(
          StrCat("SELECT DISTINCT table_name, snapshot_id FROM read_parquet([", list, "])")));
  for (const engine::Row& row : result.rows) {
    if (row.size() != 2 || !row[0] || !row[1]) continue;
    out.insert({*row[0], std::strtoll(row[1]->c_str(), nullptr, 10)});
  }
  return out;
}

template <typename Row, typename Fill>
Result<uint64_t> AppendMissing(const Lake& lake, const LakeTables& tables, engine::Engine& engine,
                               const StatsOptions& options, const iceberg::TableIdentifier& id,
                               const std::vector<SystemColumn>& columns, const char* stage,
                               const std::vector<Row>& rows, Fill fill) {
  (void)lake;
  if (rows.empty()) return uint64_t{0};
  ATOLL_ASSIGN_OR_RETURN_CTX(
      iceberg::Table table,
      LoadOrCreateSystemTable(tables, id, columns,
                              {{"atoll.stats", "statistics of the lake's tables"}}, options.trail,
                              options.command),
      StrCat("opening ", id.ToString()));
  for (int attempt = 1; attempt <= kAttempts; ++attempt) {
    ATOLL_ASSIGN_OR_RETURN_CTX(std::set<Pair> recorded, RecordedPairs(engine, table),
                               StrCat("reading ", id.ToString()));
    std::vector<const Row*> missing;
    for (const Row& r : rows) {
      if (recorded.count({r.table, r.snapshot_id}) == 0) missing.push_back(&r);
    }
    if (missing.empty()) return uint64_t{0};
    ATOLL_RETURN_NOT_OK(StageRows(engine, stage, columns, [&](engine::Appender& a) -> Status {
      for (const Row* r : missing) {
        ATOLL_RETURN_NOT_OK(fill(a, *r));
        ATOLL_RETURN_NOT_OK(a.EndRow());
      }
      return Status::OK();
    }));
    const std::optional<int64_t> before = table.metadata().current_snapshot_id;
    Status st = CommitStaged(engine, table, tables, stage, "stats-",
                             {{"atoll.stats.rows", std::to_string(missing.size())}});
    if (st.ok()) {
      ATOLL_RETURN_NOT_OK(RecordSystemCommit(options.trail, table, before, options.command));
      return static_cast<uint64_t>(missing.size());
    }
    if (st.code() != StatusCode::kCommitConflict) return st;
    ATOLL_RETURN_NOT_OK(table.Refresh());
  }
  return CommitConflict(id.ToString(), ": gave up after ", kAttempts, " conflicting commits");
}

}  // namespace

iceberg::TableIdentifier TableStatsId(const Lake& lake) {
  return iceberg::TableIdentifier{{lake.settings().zones.stats, "atoll"}, "tables"};
}

iceberg::TableIdentifier ColumnStatsId(const Lake& lake) {
  return iceberg::TableIdentifier{{lake.settings().zones.stats, "atoll"}, "columns"};
}

bool IsSelfRecordingTable(const Lake& lake, const iceberg::TableIdentifier& id) {
  if (id.ns.empty()) return false;
  const Zones& z = lake.settings().zones;
  return id.ns.front() == z.trail || id.ns.front() == z.stats || id.ns.front() == z.log;
}

Result<std::vector<std::string>> CurrentDataFiles(const iceberg::Table& table) {
  std::vector<std::string> out;
  if (table.metadata().CurrentSnapshot() == nullptr) return out;
  ATOLL_ASSIGN_OR_RETURN(iceberg::ScanPlan plan, iceberg::PlanScan(table.io(), table.metadata()));
  for (const iceberg::FileScanTask& task : plan.tasks) out.push_back(task.file.file_path);
  return out;
}

Result<StatsReport> RecordLakeStats(const Lake& lake, const LakeTables& tables,
                                    engine::Engine& engine, const StatsOptions& options) {
  const int64_t now_ms = options.now_ms != 0 ? options.now_ms : SystemNowMs();
  StatsReport report;
  ATOLL_ASSIGN_OR_RETURN(std::vector<iceberg::TableIdentifier> ids, ListLakeTables(tables));

  // What the stats tables hold already (read once to avoid planning recorded snapshots).
  auto recorded = [&](const iceberg::TableIdentifier& id) -> Result<std::set<Pair>> {
    Result<iceberg::Table> t = LoadLakeTable(tables, id);
    if (!t.ok()) {
      if (t.status().code() == StatusCode::kNotFound) return std::set<Pair>();
      return t.status();
    }
    return RecordedPairs(engine, *t);
  };
  ATOLL_ASSIGN_OR_RETURN(std::set<Pair> have_tables, recorded(TableStatsId(lake)));
  ATOLL_ASSIGN_OR_RETURN(std::set<Pair> have_columns, recorded(ColumnStatsId(lake)));

  std::vector<TableRow> table_rows;
  std::vector<ColumnRow> column_rows;
  for (const iceberg::TableIdentifier& id : ids) {
    if (IsSelfRecordingTable(lake, id)) continue;
    ++report.tables;
    const std::string name = id.ToString();
    // One table that cannot be read (its snapshots described so far keep their rows)
    // does not keep the others from being recorded.
    Status st = [&]() -> Status {
      ATOLL_ASSIGN_OR_RETURN(iceberg::Table table, LoadLakeTable(tables, id));
      for (const iceberg::Snapshot& s : table.metadata().snapshots) {
        const bool want_table = have_tables.count({name, s.snapshot_id}) == 0;
        const bool want_columns = have_columns.count({name, s.snapshot_id}) == 0;
        if (!want_table && !want_columns) continue;
        ATOLL_RETURN_NOT_OK(DescribeSnapshot(tables, table, s, want_table, want_columns,
                                             &table_rows, &column_rows));
      }
      return Status::OK();
    }();
    if (!st.ok()) report.unreadable.emplace_back(name, st.message());
  }

  const int64_t recorded_us = now_ms * 1000;
  ATOLL_ASSIGN_OR_RETURN(
      report.table_rows,
      AppendMissing(lake, tables, engine, options, TableStatsId(lake), TableColumns(), kTablesStage,
                    table_rows, [recorded_us](engine::Appender& a, const TableRow& r) -> Status {
                      ATOLL_RETURN_NOT_OK(a.AppendBytes(r.table));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.snapshot_id));
                      ATOLL_RETURN_NOT_OK(AppendIntOrNull(a, r.parent));
                      ATOLL_RETURN_NOT_OK(AppendTextOrNull(a, r.operation));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.committed_ms * 1000));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.records));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.data_files));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.delete_files));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.bytes));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.last_updated_ms * 1000));
                      return a.AppendInt(recorded_us);
                    }));
  ATOLL_ASSIGN_OR_RETURN(
      report.column_rows,
      AppendMissing(lake, tables, engine, options, ColumnStatsId(lake), ColumnColumns(),
                    kColumnsStage, column_rows,
                    [recorded_us](engine::Appender& a, const ColumnRow& r) -> Status {
                      ATOLL_RETURN_NOT_OK(a.AppendBytes(r.table));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.snapshot_id));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.committed_ms * 1000));
                      ATOLL_RETURN_NOT_OK(a.AppendInt(r.field_id));
                      ATOLL_RETURN_NOT_OK(a.AppendBytes(r.name));
                      ATOLL_RETURN_NOT_OK(a.AppendBytes(r.type));
                      ATOLL_RETURN_NOT_OK(AppendIntOrNull(a, r.values));
                      ATOLL_RETURN_NOT_OK(AppendIntOrNull(a, r.nulls));
                      ATOLL_RETURN_NOT_OK(AppendIntOrNull(a, r.nans));
                      ATOLL_RETURN_NOT_OK(r.min ? a.AppendBytes(*r.min) : a.AppendNull());
                      ATOLL_RETURN_NOT_OK(r.max ? a.AppendBytes(*r.max) : a.AppendNull());
                      return a.AppendInt(recorded_us);
                    }));
  return report;
}

}  // namespace atl::lake
