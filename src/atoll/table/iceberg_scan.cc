// iceberg_scan: loading, planning and path mapping around BuildScanSql. See iceberg_scan.h.
#include "atoll/table/iceberg_scan.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "atoll/engine/table_function.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/iceberg/scan/table_folder.h"
#include "atoll/table/iceberg_scan_sql.h"
#include "atoll/table/parquet_copy_cache.h"

namespace atl::table {
namespace {

constexpr const char* kScheme = "atoll-iceberg://";

// Stores reachable by DuckDB under kScheme, by an id derived from their location prefix.
// Shared by the engine's resolver (DuckDB threads) and the function's calls.
class StoreRegistry {
 public:
  void Add(const std::string& id, std::shared_ptr<storage::Store> store) {
    std::lock_guard<std::mutex> lock(mu_);
    stores_.emplace(id, std::move(store));  // the first store for an id stays
  }
  Result<std::shared_ptr<storage::Store>> Find(std::string_view id) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = stores_.find(std::string(id));
    if (it == stores_.end()) return NotFound("no store is registered for ", kScheme, id);
    return it->second;
  }

 private:
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<storage::Store>> stores_;
};

// Keeps the tasks of `plan` whose data file is in `json_list` (a JSON array of locations
// as written in the metadata); a location that is not a live data file of the plan is
// kNotFound.
Status KeepDataFiles(const std::string& json_list, iceberg::ScanPlan* plan) {
  ATOLL_ASSIGN_OR_RETURN(iceberg::Json doc, iceberg::json::Parse(json_list, "data_files"));
  if (!doc.is_array()) return InvalidArgument("data_files expects a JSON array of locations");
  std::set<std::string> wanted;
  for (const iceberg::Json& v : doc) {
    if (!v.is_string()) return InvalidArgument("data_files expects a JSON array of locations");
    wanted.insert(v.get<std::string>());
  }
  std::vector<iceberg::FileScanTask> kept;
  std::set<std::string> found;
  for (iceberg::FileScanTask& task : plan->tasks) {
    if (!wanted.count(task.file.file_path)) continue;
    found.insert(task.file.file_path);
    kept.push_back(std::move(task));
  }
  for (const std::string& location : wanted) {
    if (!found.count(location)) {
      return NotFound("data_files names '", location,
                      "', which is not a live data file of the scanned snapshot");
    }
  }
  plan->tasks = std::move(kept);
  return Status::OK();
}

bool IsUri(std::string_view location) { return location.find("://") != std::string_view::npos; }

// `location` made absolute: relative paths go under `root` (the current directory when empty).
std::string Absolute(const std::string& root, std::string_view location) {
  if (location.empty() || location.front() == '/' || IsUri(location)) return std::string(location);
  std::string base = root;
  if (base.empty()) base = std::filesystem::current_path().string();
  if (base.starts_with("file://")) base = base.substr(7);
  if (!IsUri(base)) base = std::filesystem::absolute(base).lexically_normal().string();
  return iceberg::JoinLocation(base, location);
}

class Call {
 public:
  Call(const IcebergScanOptions& options, StoreRegistry& registry)
      : options_(options), registry_(registry) {
    for (const auto& [prefix, store] : options.mounts) io_.Mount(prefix, store);
  }

  Result<std::string> Run(const engine::TableMacroArgs& args) {
    std::optional<std::string> location = args.Text(0);
    if (!location || location->empty()) {
      return InvalidArgument(
          "expects a table folder or metadata file location, e.g. iceberg_scan('db/t1')");
    }
    ATOLL_ASSIGN_OR_RETURN(iceberg::FolderTable table,
                           iceberg::LoadTableFromLocation(io_, Absolute(options_.root, *location)));
    iceberg::ScanOptions scan;
    scan.snapshot_id = args.NamedInt("snapshot_id");
    scan.ref = args.NamedText("ref");
    scan.as_of_ms = args.NamedInt("timestamp");
    ATOLL_ASSIGN_OR_RETURN(iceberg::ScanPlan plan, iceberg::PlanScan(io_, table.metadata, scan));
    if (std::optional<std::string> only = args.NamedText("data_files")) {
      ATOLL_RETURN_NOT_OK(KeepDataFiles(*only, &plan));
    }

    ScanSqlHooks hooks;
    hooks.readable_path = [this](std::string_view loc) { return Readable(loc); };
    hooks.read_deletion_vector = [this](const iceberg::DataFile& dv) {
      return iceberg::ReadDeletionVector(io_, dv);
    };
    hooks.delete_file_paths =
        [&args](const std::vector<std::string>& paths) -> Result<std::vector<std::string>> {
      std::string list;
      for (const std::string& p : paths)
        list += (list.empty() ? "" : ", ") + engine::QuoteString(p);
      ATOLL_ASSIGN_OR_RETURN(
          engine::QueryResult r,
          args.query("SELECT DISTINCT file_path FROM read_parquet([" + list + "])"));
      std::vector<std::string> out;
      for (const engine::Row& row : r.rows) {
        if (!row.empty() && row[0]) out.push_back(*row[0]);
      }
      return out;
    };
    hooks.files_with_field_ids =
        [&args](const std::vector<std::string>& paths) -> Result<std::set<std::string>> {
      std::string list;
      for (const std::string& p : paths)
        list += (list.empty() ? "" : ", ") + engine::QuoteString(p);
      ATOLL_ASSIGN_OR_RETURN(engine::QueryResult r,
                             args.query("SELECT DISTINCT file_name FROM parquet_schema([" + list +
                                        "]) WHERE field_id IS NOT NULL"));
      std::set<std::string> out;
      for (const engine::Row& row : r.rows) {
        if (!row.empty() && row[0]) out.insert(*row[0]);
      }
      return out;
    };
    hooks.parquet_copy = [this](const iceberg::DataFile& file) -> Result<std::string> {
      ATOLL_ASSIGN_OR_RETURN(iceberg::FileIO::Target target, io_.Resolve(file.file_path));
      std::string format = file.file_format;
      for (char& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      return ParquetCopy(*target.store, target.key, file.file_path,
                         format == "AVRO" ? DataFileFormat::kAvro : DataFileFormat::kOrc);
    };
    ScanSqlOptions sql_options;
    sql_options.row_address = args.NamedInt("row_address").value_or(0) != 0;
    return BuildScanSql(plan, table.metadata, hooks, sql_options);
  }

 private:
  // The path DuckDB reads for a location written in the metadata.
  Result<std::string> Readable(std::string_view location) {
    std::string mapped = io_.Map(location);
    std::string_view local = mapped;
    if (local.starts_with("file://")) local.remove_prefix(7);
    if (!local.empty() && local.front() == '/' && !IsUri(local)) {
      return std::filesystem::path(std::string(local)).lexically_normal().string();
    }
    ATOLL_ASSIGN_OR_RETURN(iceberg::FileIO::Target target, io_.Resolve(location));
    if (mapped.size() < target.key.size() ||
        mapped.compare(mapped.size() - target.key.size(), target.key.size(), target.key) != 0) {
      return Internal("cannot derive the store of '", mapped, "' from its key '", target.key, "'");
    }
    std::string prefix = mapped.substr(0, mapped.size() - target.key.size());
    while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
    std::string id;
    for (size_t i = 0; i < prefix.size(); ++i) {
      if (prefix.compare(i, 3, "://") == 0) {
        id += ':';
        i += 2;
      } else {
        id += prefix[i] == '/' ? ':' : prefix[i];
      }
    }
    registry_.Add(id, target.store);
    return StrCat(kScheme, id, "/", target.key);
  }

  const IcebergScanOptions& options_;
  StoreRegistry& registry_;
  iceberg::FileIO io_;
};

}  // namespace

Status RegisterIcebergScan(engine::Engine& engine, IcebergScanOptions options) {
  auto registry = std::make_shared<StoreRegistry>();
  auto shared_options = std::make_shared<const IcebergScanOptions>(std::move(options));
  ATOLL_RETURN_NOT_OK(engine.RegisterStores(
      kScheme, [registry](std::string_view id) { return registry->Find(id); }));
  engine::TableMacro macro;
  macro.name = shared_options->function_name;
  macro.positional = {engine::MacroArgType::kVarchar};
  macro.named = {{"snapshot_id", engine::MacroArgType::kBigint},
                 {"timestamp", engine::MacroArgType::kTimestampMs},
                 {"ref", engine::MacroArgType::kVarchar},
                 {"row_address", engine::MacroArgType::kBigint},  // true/false arrive as 1/0
                 {"data_files", engine::MacroArgType::kVarchar}};
  macro.callback = [registry,
                    shared_options](const engine::TableMacroArgs& args) -> Result<std::string> {
    Call call(*shared_options, *registry);
    return call.Run(args);
  };
  return engine.RegisterTableMacro(std::move(macro));
}

}  // namespace atl::table
