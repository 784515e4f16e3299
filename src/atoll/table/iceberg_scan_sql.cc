// SQL generation for iceberg_scan; see iceberg_scan_sql.h for the shape of the query.
#include "atoll/table/iceberg_scan_sql.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <utility>

#include "atoll/engine/engine.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/name_mapping.h"
#include "atoll/table/duckdb_types.h"

namespace atl::table {

// sql-names: cols, PathList, map, n, on, empty, select_list, body, mapping, ranges, Column, alias,
// sql-names: kname, SchemaMap, read, FileOfIndex, index_sql
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)
namespace {

using engine::QuoteIdentifier;
using engine::QuoteString;
using iceberg::DataFile;
using iceberg::FileScanTask;
using iceberg::Json;
using iceberg::NestedField;
using iceberg::TypeId;

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Parquet is the only data file format DuckDB reads here (ORC and Avro files are read
// through a Parquet copy when the hooks offer one).
Status CheckParquet(const DataFile& f, std::string_view what) {
  std::string format = Upper(f.file_format);
  if (format == "PARQUET") return Status::OK();
  if (format == "ORC" || format == "AVRO") {
    return NotSupported("", what, " ", f.file_path, " is an ", format, " file; reading ", format,
                        " data files needs a Parquet copy, which is not available here");
  }
  return NotSupported("", what, " ", f.file_path, " has the unknown file format '", f.file_format,
                      "'");
}

std::string Column(int32_t id) { return "c" + std::to_string(id); }

// "NULL::VARCHAR" or the quoted text.
std::string DefaultSql(const std::optional<std::string>& text) {
  return text ? QuoteString(*text) : "NULL::VARCHAR";
}

// The key a file column is found by: its field id, or a name from the name mapping.
struct ColumnSpec {
  int32_t id;
  std::string type;
  std::optional<std::string> initial_default;
  std::string mapped_name;  // name-mapping name ("" when unmapped)
};

using Fills = std::map<int32_t, std::optional<std::string>>;  // field id -> identity value

// read_parquet's schema map for a group of files.
std::string SchemaMap(const std::vector<ColumnSpec>& columns, bool by_name, const Fills& fills) {
  std::string out = "MAP {";
  for (size_t i = 0; i < columns.size(); ++i) {
    const ColumnSpec& c = columns[i];
    if (i) out += ", ";
    if (by_name) {
      out += QuoteString(c.mapped_name.empty() ? "__atoll_unmapped_" + std::to_string(c.id)
                                               : c.mapped_name);
    } else {
      out += std::to_string(c.id);
    }
    auto fill = fills.find(c.id);
    const std::optional<std::string>& def = fill != fills.end() ? fill->second : c.initial_default;
    out += ": {name: " + QuoteString(Column(c.id)) + ", type: " + QuoteString(c.type) +
           ", default_value: " + DefaultSql(def) + "}";
  }
  return out + "}";
}

std::string PathList(const std::vector<std::string>& paths) {
  std::string out = "[";
  for (size_t i = 0; i < paths.size(); ++i) {
    if (i) out += ", ";
    out += QuoteString(paths[i]);
  }
  return out + "]";
}

// The location of the file read_parquet's file_index `index_sql` names in `locations`. A
// constant or a CASE for up to 64 files: DuckDB pushes a filter on the other columns below
// such a projection into the Parquet scan, but not below a list subscript, which it then
// evaluates on every row (measured: 0.43 s instead of 0.21 s for a 10M-row filtered read).
std::string FileOfIndex(const std::vector<std::string>& locations, const std::string& index_sql) {
  if (locations.size() == 1) return QuoteString(locations[0]);
  if (locations.size() > 64) return PathList(locations) + "[" + index_sql + " + 1]";
  std::string out = "CASE " + index_sql;
  for (size_t i = 0; i < locations.size(); ++i) {
    out += " WHEN " + std::to_string(i) + " THEN " + QuoteString(locations[i]);
  }
  return out + " END";
}

bool HasMetrics(const DataFile& f, int32_t id) {
  return f.value_counts.count(id) || f.null_value_counts.count(id) || f.column_sizes.count(id);
}

struct GroupKey {
  bool by_name = false;
  std::string fills;  // serialized Fills
  bool has_positions = false;
  std::vector<std::string> equality_files;  // sorted locations
  auto operator<=>(const GroupKey&) const = default;
};

struct Group {
  Fills fills;
  std::vector<const FileScanTask*> tasks;
  std::vector<std::string> paths;        // what DuckDB reads, parallel to tasks
  std::vector<std::string> match_paths;  // readable_path of the data file's own location (what
                                         // position delete files name; differs for ORC copies)
};

std::string SerializeFills(const Fills& fills) {
  std::string out;
  for (const auto& [id, v] : fills) {
    out += std::to_string(id) + (v ? "=" + *v : "~") + '\x1f';
  }
  return out;
}

// Consecutive runs [lo, hi) of sorted positions.
std::vector<std::pair<int64_t, int64_t>> Runs(const std::vector<int64_t>& positions) {
  std::vector<std::pair<int64_t, int64_t>> runs;
  for (int64_t p : positions) {
    if (!runs.empty() && runs.back().second == p) {
      ++runs.back().second;
    } else if (runs.empty() || runs.back().second < p) {
      runs.emplace_back(p, p + 1);
    }
  }
  return runs;
}

class Builder {
 public:
  Builder(const iceberg::ScanPlan& plan, const iceberg::TableMetadata& metadata,
          const ScanSqlHooks& hooks, const ScanSqlOptions& options)
      : plan_(plan), metadata_(metadata), hooks_(hooks), options_(options) {}

  Result<std::string> Build() {
    ATOLL_RETURN_NOT_OK(DescribeColumns());
    std::string select_list;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) select_list += ", ";
      select_list +=
          Column(columns_[i].id) + " AS " + QuoteIdentifier(plan_.schema.fields()[i].name);
    }
    const std::string quoted_file = QuoteIdentifier(kRowAddressFileColumn);
    const std::string quoted_pos = QuoteIdentifier(kRowAddressPosColumn);
    if (options_.row_address) {
      for (const NestedField& f : plan_.schema.fields()) {
        if (f.name == kRowAddressFileColumn || f.name == kRowAddressPosColumn) {
          return InvalidArgument("the table has a column named ", f.name,
                                 ", which row addresses would hide");
        }
      }
      if (!select_list.empty()) select_list += ", ";
      select_list += quoted_file + ", " + quoted_pos;
    }
    if (plan_.tasks.empty()) {
      std::string empty;
      for (size_t i = 0; i < columns_.size(); ++i) {
        if (i) empty += ", ";
        empty +=
            "NULL::" + columns_[i].type + " AS " + QuoteIdentifier(plan_.schema.fields()[i].name);
      }
      if (empty.empty()) return InvalidArgument("the table's schema has no columns");
      if (options_.row_address) {
        empty += ", NULL::VARCHAR AS " + quoted_file + ", NULL::BIGINT AS " + quoted_pos;
      }
      return "SELECT " + empty + " LIMIT 0";
    }
    ATOLL_ASSIGN_OR_RETURN(auto groups, GroupTasks());
    std::string body;
    for (const auto& [key, group] : groups) {
      ATOLL_ASSIGN_OR_RETURN(std::string sql, GroupSql(key, group));
      if (!body.empty()) body += "\nUNION ALL\n";
      body += sql;
    }
    return "SELECT " + select_list + " FROM (\n" + body + "\n) AS __atoll_scan";
  }

 private:
  static bool IsParquet(const DataFile& f) { return Upper(f.file_format) == "PARQUET"; }

  // The path DuckDB's read_parquet reads for a data or delete file: the file itself, or
  // the Parquet copy of an ORC or Avro file.
  Result<std::string> ReadPath(const DataFile& f, std::string_view what) {
    const std::string format = Upper(f.file_format);
    if ((format == "ORC" || format == "AVRO") && hooks_.parquet_copy) {
      return hooks_.parquet_copy(f).WithContext(StrCat("reading ", what, " ", f.file_path));
    }
    ATOLL_RETURN_NOT_OK(CheckParquet(f, what));
    return hooks_.readable_path(f.file_path);
  }

  Status DescribeColumns() {
    std::optional<iceberg::NameMapping> mapping;
    auto prop = metadata_.properties.find(iceberg::kDefaultNameMappingProperty);
    if (prop != metadata_.properties.end()) {
      ATOLL_ASSIGN_OR_RETURN_CTX(mapping, iceberg::NameMapping::Parse(prop->second),
                                 "reading the table's name mapping");
    }
    has_mapping_ = mapping.has_value();
    for (const NestedField& f : plan_.schema.fields()) {
      ColumnSpec c;
      c.id = f.id;
      ATOLL_ASSIGN_OR_RETURN_CTX(c.type, DuckDbType(*f.type, DuckDbTypeUse::kRead),
                                 StrCat("column ", f.name));
      if (f.initial_default) {
        ATOLL_ASSIGN_OR_RETURN_CTX(c.initial_default,
                                   DefaultValueText(*f.type, f.initial_default->get()),
                                   StrCat("initial-default of column ", f.name));
      }
      if (mapping) {
        for (const iceberg::MappedField& m : mapping->fields) {
          if (m.field_id == f.id && !m.names.empty()) {
            c.mapped_name = m.names.front();
            break;
          }
        }
      }
      columns_.push_back(std::move(c));
    }
    return Status::OK();
  }

  // Identity partition values for columns the file may lack (its metrics do not show them).
  Result<Fills> FillsFor(const FileScanTask& task, bool use_metrics) {
    Fills fills;
    const iceberg::PartitionSpec* spec = metadata_.SpecById(task.spec_id);
    if (spec == nullptr) return fills;
    for (size_t i = 0; i < spec->fields.size() && i < task.file.partition.size(); ++i) {
      const iceberg::PartitionField& pf = spec->fields[i];
      if (pf.transform.kind() != iceberg::TransformKind::kIdentity) continue;
      int32_t source = pf.source_id();
      if (use_metrics && HasMetrics(task.file, source)) continue;
      const NestedField* field = nullptr;
      for (const NestedField& f : plan_.schema.fields()) {
        if (f.id == source) field = &f;
      }
      if (field == nullptr) continue;  // not a top-level column of the scanned schema
      const iceberg::Literal& value = task.file.partition[i];
      if (value.is_null()) {
        fills[source] = std::nullopt;
        continue;
      }
      ATOLL_ASSIGN_OR_RETURN(Json json, iceberg::LiteralToJson(value));
      ATOLL_ASSIGN_OR_RETURN(fills[source], DefaultValueText(*field->type, json));
    }
    return fills;
  }

  Result<std::map<GroupKey, Group>> GroupTasks() {
    std::vector<std::string> paths;
    paths.reserve(plan_.tasks.size());
    std::vector<std::string> match_paths;
    for (const FileScanTask& task : plan_.tasks) {
      ATOLL_ASSIGN_OR_RETURN(std::string path, ReadPath(task.file, "data file"));
      paths.push_back(std::move(path));
      if (IsParquet(task.file)) {
        match_paths.push_back(paths.back());
      } else {
        ATOLL_ASSIGN_OR_RETURN(std::string own, hooks_.readable_path(task.file.file_path));
        match_paths.push_back(std::move(own));
      }
    }
    std::set<std::string> with_ids;
    bool probe = has_mapping_ && hooks_.files_with_field_ids;
    if (probe) {
      ATOLL_ASSIGN_OR_RETURN(with_ids, hooks_.files_with_field_ids(paths));
    }

    // Identity partition values for every file, unless that makes too many groups.
    constexpr size_t kMaxFillGroups = 256;
    std::set<std::string> distinct_fills;
    bool use_metrics = false;
    for (const FileScanTask& task : plan_.tasks) {
      ATOLL_ASSIGN_OR_RETURN(Fills fills, FillsFor(task, false));
      distinct_fills.insert(SerializeFills(fills));
      if (distinct_fills.size() > kMaxFillGroups) {
        use_metrics = true;
        break;
      }
    }
    std::map<GroupKey, Group> groups;
    for (size_t i = 0; i < plan_.tasks.size(); ++i) {
      const FileScanTask& task = plan_.tasks[i];
      GroupKey key;
      key.by_name = probe && !with_ids.count(paths[i]);
      ATOLL_ASSIGN_OR_RETURN(Fills fills, FillsFor(task, use_metrics));
      key.fills = SerializeFills(fills);
      key.has_positions = !task.position_deletes.empty();
      for (const DataFile& eq : task.equality_deletes) key.equality_files.push_back(eq.file_path);
      std::sort(key.equality_files.begin(), key.equality_files.end());
      key.equality_files.erase(std::unique(key.equality_files.begin(), key.equality_files.end()),
                               key.equality_files.end());
      Group& g = groups[key];
      g.fills = std::move(fills);
      g.tasks.push_back(&task);
      g.paths.push_back(paths[i]);
      g.match_paths.push_back(match_paths[i]);
    }
    return groups;
  }

  // (file index, position) pairs deleted in the files of `g`.
  Result<std::string> PositionDeletesSql(const Group& g) {
    std::vector<std::string> parts;
    std::vector<std::string> delete_paths;
    std::set<std::string> seen;
    std::string mapping;
    std::string ranges;
    std::vector<std::pair<size_t, std::string>> with_files;  // (file index, readable path)
    for (size_t i = 0; i < g.tasks.size(); ++i) {
      const FileScanTask& task = *g.tasks[i];
      bool has_files = false;
      for (const DataFile& del : task.position_deletes) {
        if (iceberg::IsDeletionVectorFile(del)) {
          if (!hooks_.read_deletion_vector) {
            return NotSupported("deletion vectors cannot be read here");
          }
          ATOLL_ASSIGN_OR_RETURN(std::vector<int64_t> positions, hooks_.read_deletion_vector(del));
          for (const auto& [lo, hi] : Runs(positions)) {
            if (!ranges.empty()) ranges += ", ";
            ranges += StrCat("(", i, "::UBIGINT, ", lo, "::BIGINT, ", hi, "::BIGINT)");
          }
          continue;
        }
        has_files = true;
        if (seen.insert(del.file_path).second) {
          ATOLL_ASSIGN_OR_RETURN(std::string path, ReadPath(del, "position delete file"));
          delete_paths.push_back(std::move(path));
        }
      }
      if (has_files) with_files.emplace_back(i, g.match_paths[i]);
    }
    if (!with_files.empty() && hooks_.delete_file_paths) {
      // Match the delete files' spelling of each data file through readable_path.
      ATOLL_ASSIGN_OR_RETURN(std::vector<std::string> named,
                             hooks_.delete_file_paths(delete_paths));
      // Keys: the spelling itself, its readable path, and the readable path of its path
      // part without scheme and authority (hdfs://host:port/x -> /x).
      std::map<std::string, std::set<std::string>> by_readable;
      for (const std::string& p : named) {
        by_readable[p].insert(p);
        std::vector<std::string> spellings = {p};
        size_t scheme = p.find("://");
        size_t slash = scheme == std::string::npos ? std::string::npos : p.find('/', scheme + 3);
        if (slash != std::string::npos) spellings.push_back(p.substr(slash));
        for (const std::string& spelling : spellings) {
          Result<std::string> readable = hooks_.readable_path(spelling);
          if (readable.ok()) by_readable[*readable].insert(p);
        }
      }
      for (const auto& [i, readable] : with_files) {
        auto it = by_readable.find(readable);
        if (it == by_readable.end()) continue;
        for (const std::string& p : it->second) {
          if (!mapping.empty()) mapping += ", ";
          mapping += StrCat("(", QuoteString(p), ", ", i, "::UBIGINT)");
        }
      }
    } else {
      for (const auto& [i, readable] : with_files) {
        if (!mapping.empty()) mapping += ", ";
        mapping += StrCat("(", QuoteString(g.tasks[i]->file.file_path), ", ", i, "::UBIGINT)");
      }
    }
    if (!delete_paths.empty() && !mapping.empty()) {
      parts.push_back("SELECT m.fi, p.pos FROM read_parquet(" + PathList(delete_paths) +
                      ") AS p JOIN (VALUES " + mapping +
                      ") AS m(path, fi) ON p.file_path = m.path");
    }
    if (!ranges.empty()) {
      parts.push_back("SELECT r.fi, unnest(range(r.lo, r.hi)) AS pos FROM (VALUES " + ranges +
                      ") AS r(fi, lo, hi)");
    }
    if (parts.empty()) return std::string();
    std::string out;
    for (const std::string& p : parts) out += (out.empty() ? "" : " UNION ALL ") + p;
    return out;
  }

  // One ANTI JOIN per set of equality field ids.
  Result<std::string> EqualityJoinsSql(const GroupKey& key, const Group& g) {
    std::map<std::vector<int32_t>, std::vector<const DataFile*>> by_ids;
    std::set<std::string> seen;
    for (const FileScanTask* task : g.tasks) {
      for (const DataFile& del : task->equality_deletes) {
        if (!seen.insert(del.file_path).second) continue;
        std::vector<int32_t> ids = del.equality_ids;
        std::sort(ids.begin(), ids.end());
        if (ids.empty()) {
          return Corruption("equality delete file ", del.file_path, " lists no equality field ids");
        }
        by_ids[ids].push_back(&del);
      }
    }
    std::string out;
    int n = 0;
    for (const auto& [ids, files] : by_ids) {
      std::string map = "MAP {", cols, on;
      for (size_t k = 0; k < ids.size(); ++k) {
        const ColumnSpec* col = nullptr;
        for (const ColumnSpec& c : columns_) {
          if (c.id == ids[k]) col = &c;
        }
        if (col == nullptr) {
          return NotSupported("equality deletes on field id ", ids[k],
                              ", which is not a top-level column of the scanned schema");
        }
        std::string kname = "k" + std::to_string(k);
        if (k) map += ", ", cols += ", ", on += " AND ";
        map += StrCat(ids[k], ": {name: ", QuoteString(kname), ", type: ", QuoteString(col->type),
                      ", default_value: NULL::VARCHAR}");
        cols += kname;
        std::string alias = "e" + std::to_string(n);
        on += "d." + Column(ids[k]) + " IS NOT DISTINCT FROM " + alias + "." + kname;
      }
      map += "}";
      std::vector<std::string> paths;
      for (const DataFile* f : files) {
        ATOLL_ASSIGN_OR_RETURN(std::string path, ReadPath(*f, "equality delete file"));
        paths.push_back(std::move(path));
      }
      out += StrCat("\n  ANTI JOIN (SELECT ", cols, " FROM read_parquet(", PathList(paths),
                    ", schema = ", map, ")) AS e", n, " ON ", on);
      ++n;
    }
    (void)key;
    return out;
  }

  Result<std::string> GroupSql(const GroupKey& key, const Group& g) {
    // The row count from the manifests: with the schema parameter DuckDB does not know it
    // and may build a delete anti join's hash table on the data (measured: a 5M-row file
    // with 100 deleted positions read 3-5x slower than without the join).
    int64_t rows = 0;
    for (const FileScanTask* task : g.tasks) rows += std::max<int64_t>(0, task->file.record_count);
    const std::string cardinality_sql =
        rows > 0 ? ", explicit_cardinality = " + std::to_string(rows) : std::string();
    // A single file is listed twice and its second listing filtered out by file_index (DuckDB
    // then skips that file): with the schema parameter DuckDB does not open a single file
    // at bind time and reads it on one thread; two files get every thread (measured: a
    // filtered 10M-row read took 0.17 s on one thread either way, and half the CPU time
    // of the single listing with two threads).
    const bool doubled = g.paths.size() == 1;
    std::vector<std::string> read_paths = g.paths;
    if (doubled) read_paths.push_back(g.paths[0]);
    std::string read = "read_parquet(" + PathList(read_paths) +
                       ", schema = " + SchemaMap(columns_, key.by_name, g.fills) + cardinality_sql +
                       ")";
    std::string cols;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (i) cols += ", ";
      cols += "d." + Column(columns_[i].id);
    }
    if (options_.row_address) {
      // The locations as written in the metadata, indexed by read_parquet's file_index.
      std::vector<std::string> locations;
      for (const FileScanTask* task : g.tasks) locations.push_back(task->file.file_path);
      cols += (cols.empty() ? "" : ", ") + FileOfIndex(locations, "d.file_index::BIGINT") + " AS " +
              QuoteIdentifier(kRowAddressFileColumn) + ", d.file_row_number::BIGINT AS " +
              QuoteIdentifier(kRowAddressPosColumn);
    }
    std::string sql = "SELECT " + cols + " FROM " + read + " AS d";
    std::string where = doubled ? "d.file_index = 0" : "";
    if (key.has_positions) {
      ATOLL_ASSIGN_OR_RETURN(std::string deletes_sql, PositionDeletesSql(g));
      if (!deletes_sql.empty()) {
        // One key per row, the file index in the high bits, tested with NOT IN: DuckDB then
        // builds its hash table on the deleted positions, a mark join, never on the data.
        // The anti join it replaces was planned the wrong way round when the size of the
        // read was unknown, six times slower on a million rows with a few deleted.
        // A single file's key is the position alone (every delete row names that file).
        if (!where.empty()) where += " AND ";
        where += doubled ? "d.file_row_number NOT IN (SELECT x.pos FROM (" + deletes_sql + ") AS x)"
                         : "(d.file_index::BIGINT << 40) + d.file_row_number NOT IN (SELECT "
                           "(x.fi::BIGINT << 40) + x.pos FROM (" +
                               deletes_sql + ") AS x)";
      }
    }
    if (!key.equality_files.empty()) {
      ATOLL_ASSIGN_OR_RETURN(std::string joins, EqualityJoinsSql(key, g));
      sql += joins;
    }
    if (!where.empty()) sql += "\n  WHERE " + where;
    return sql;
  }

  const iceberg::ScanPlan& plan_;
  const iceberg::TableMetadata& metadata_;
  const ScanSqlHooks& hooks_;
  const ScanSqlOptions& options_;
  std::vector<ColumnSpec> columns_;
  bool has_mapping_ = false;
};

}  // namespace

Result<std::optional<std::string>> DefaultValueText(const iceberg::Type& type, const Json& json) {
  if (json.is_null() || type.is_nested()) return std::optional<std::string>();
  if (type.id() == TypeId::kBinary || type.id() == TypeId::kFixed) {
    if (!json.is_string())
      return InvalidArgument("a binary default must be a hex string, got ", json.dump());
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, iceberg::FromHex(json.get<std::string>()));
    static const char* kDigits = "0123456789ABCDEF";
    std::string out;
    for (char c : bytes) {
      auto b = static_cast<uint8_t>(c);
      out += "\\x";
      out += kDigits[b >> 4];
      out += kDigits[b & 15];
    }
    return std::optional<std::string>(std::move(out));
  }
  if (json.is_string()) return std::optional<std::string>(json.get<std::string>());
  if (json.is_boolean()) return std::optional<std::string>(json.get<bool>() ? "true" : "false");
  return std::optional<std::string>(json.dump());
}

Result<std::string> BuildScanSql(const iceberg::ScanPlan& plan,
                                 const iceberg::TableMetadata& metadata, const ScanSqlHooks& hooks,
                                 const ScanSqlOptions& options) {
  if (!hooks.readable_path) return InvalidArgument("BuildScanSql needs a readable_path hook");
  return Builder(plan, metadata, hooks, options).Build();
}

}  // namespace atl::table
