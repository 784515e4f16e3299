// WriteDataFiles: stage, find the partition tuples, COPY each, read back the footers.
#include "atoll/table/data_writer.h"

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <iterator>
#include <random>

#include "atoll/common/local_fs.h"
#include "atoll/engine/scalar_function.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/murmur3.h"
#include "atoll/iceberg/temporal.h"
#include "atoll/iceberg/transform.h"
#include "atoll/table/duckdb_types.h"

namespace atl::table {

// sql-names: c, naive, r, unit, kHashFunction, arg, copy_options, type, outer, part_exprs, col,
// sql-names: match, copy_list, where
// (SQL built from quoted names, numbers and atoll's own text; scripts/check_sql.py)
namespace {

using engine::QuoteIdentifier;
using engine::QuoteString;
using iceberg::Literal;
using iceberg::NestedField;
using iceberg::TransformKind;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

constexpr const char* kHashFunction = "atoll_iceberg_hash";

std::string Str(int64_t v) { return std::to_string(v); }

// Registers the bucket hash once per engine (a second registration fails harmlessly).
Status EnsureHashFunction(engine::Engine& engine) {
  auto probe =
      engine.Query(std::string("SELECT count(*) FROM duckdb_functions() WHERE function_name = '") +
                   kHashFunction + "'");
  if (probe.ok() && !probe->rows.empty() && probe->rows[0][0] != "0") return Status::OK();
  engine::Int32Function fn;
  fn.name = kHashFunction;
  fn.of_int64 = [](int64_t v) { return iceberg::HashLong(v); };
  fn.of_int128 = [](__int128 v) {
    auto h = iceberg::HashLiteral(Literal::Decimal(v, 38, 0));
    return h.ok() ? *h : 0;
  };
  fn.of_bytes = [](std::string_view b) { return iceberg::Murmur3Hash32(b); };
  Status st = engine::RegisterInt32Function(engine, std::move(fn));
  if (st.code() == StatusCode::kAlreadyExists) return Status::OK();
  return st;
}

// Floor division of integer SQL `x` by positive constant `d`, exact for BIGINT.
std::string FloorDivSql(const std::string& x, int64_t d) {
  std::string m = "(((" + x + ") % " + Str(d) + " + " + Str(d) + ") % " + Str(d) + ")";
  return "(((" + x + ") - " + m + ") // " + Str(d) + ")";
}

// Microseconds since the epoch of a temporal SQL value of Iceberg type `t`.
std::string EpochMicrosSql(const std::string& c, const Type& t) {
  if (t.id() == TypeId::kTimestampNs || t.id() == TypeId::kTimestampTzNs) {
    return FloorDivSql("epoch_ns(" + c + ")", 1000);
  }
  return "epoch_us(" + c + ")";
}

// Unscaled value of a DECIMAL SQL value, as HUGEINT (its text without the point).
std::string UnscaledSql(const std::string& c) {
  return "CAST(replace(CAST(" + c + " AS VARCHAR), '.', '') AS HUGEINT)";
}

// The transform result (Iceberg representation) of source SQL `c` of Iceberg type `t`.
Result<std::string> TransformSql(const iceberg::Transform& tr, const std::string& c,
                                 const Type& t) {
  TypeId id = t.id();
  bool is_ts = id == TypeId::kTimestamp || id == TypeId::kTimestampTz ||
               id == TypeId::kTimestampNs || id == TypeId::kTimestampTzNs;
  switch (tr.kind()) {
    case TransformKind::kIdentity:
      return c;
    case TransformKind::kVoid:
      return std::string("CAST(NULL AS INTEGER)");
    case TransformKind::kYear:
    case TransformKind::kMonth: {
      std::string naive;
      if (id == TypeId::kDate) {
        naive = c;
      } else if (is_ts) {
        naive = "make_timestamp(" + EpochMicrosSql(c, t) + ")";
      } else {
        break;
      }
      if (tr.kind() == TransformKind::kYear) return "CAST(year(" + naive + ") - 1970 AS INTEGER)";
      return "CAST((year(" + naive + ") - 1970) * 12 + month(" + naive + ") - 1 AS INTEGER)";
    }
    case TransformKind::kDay:
      if (id == TypeId::kDate) return "CAST(" + c + " - DATE '1970-01-01' AS INTEGER)";
      if (is_ts)
        return "CAST(" + FloorDivSql(EpochMicrosSql(c, t), iceberg::temporal::kMicrosPerDay) +
               " AS INTEGER)";
      break;
    case TransformKind::kHour:
      if (is_ts)
        return "CAST(" + FloorDivSql(EpochMicrosSql(c, t), iceberg::temporal::kMicrosPerHour) +
               " AS INTEGER)";
      break;
    case TransformKind::kTruncate: {
      int64_t w = tr.param();
      if (id == TypeId::kInt || id == TypeId::kLong) {
        return "(" + c + " - (((" + c + ") % " + Str(w) + " + " + Str(w) + ") % " + Str(w) + "))";
      }
      if (id == TypeId::kDecimal) {
        std::string u = UnscaledSql(c);
        std::string r = "(((" + u + ") % " + Str(w) + " + " + Str(w) + ") % " + Str(w) + ")";
        std::string unit = t.scale() == 0
                               ? "1"
                               : "0." + std::string(static_cast<size_t>(t.scale() - 1), '0') + "1";
        return "CAST(" + c + " - CAST(" + r + " AS DECIMAL(38,0)) * CAST('" + unit +
               "' AS DECIMAL(38," + Str(t.scale()) + ")) AS DECIMAL(" + Str(t.precision()) + "," +
               Str(t.scale()) + "))";
      }
      if (id == TypeId::kString) return "substring(" + c + ", 1, " + Str(w) + ")";
      if (id == TypeId::kBinary) return "unhex(left(hex(" + c + "), " + Str(2 * w) + "))";
      break;
    }
    case TransformKind::kBucket: {
      std::string arg;
      switch (id) {
        case TypeId::kInt:
        case TypeId::kLong:
          arg = "CAST(" + c + " AS BIGINT)";
          break;
        case TypeId::kDate:
          arg = "CAST(" + c + " - DATE '1970-01-01' AS BIGINT)";
          break;
        case TypeId::kTime:
          arg = "CAST((hour(" + c + ") * 60 + minute(" + c + ")) * 60000000 + microsecond(" + c +
                ") AS BIGINT)";
          break;
        case TypeId::kTimestamp:
        case TypeId::kTimestampTz:
        case TypeId::kTimestampNs:
        case TypeId::kTimestampTzNs:
          arg = EpochMicrosSql(c, t);
          break;
        case TypeId::kString:
        case TypeId::kBinary:
          arg = c;
          break;
        case TypeId::kUuid:
          arg = "unhex(replace(CAST(" + c + " AS VARCHAR), '-', ''))";
          break;
        case TypeId::kDecimal:
          arg = UnscaledSql(c);
          break;
        default:
          break;
      }
      if (arg.empty()) break;
      return "CAST((" + std::string(kHashFunction) + "(" + arg + ") & 2147483647) % " +
             Str(tr.param()) + " AS INTEGER)";
    }
    default:
      break;
  }
  return NotSupported("partition transform ", tr.ToString(), " on ", t.ToString(),
                      " is not supported by the writer");
}

// SQL turning a partition value of Iceberg type `t` into text LiteralFromText reads.
std::string NormalizeSql(const Type& t, const std::string& c) {
  switch (t.id()) {
    case TypeId::kDate:
      return "CAST(" + c + " - DATE '1970-01-01' AS VARCHAR)";
    case TypeId::kTime:
      return "CAST((hour(" + c + ") * 60 + minute(" + c + ")) * 60000000 + microsecond(" + c +
             ") AS VARCHAR)";
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "CAST(epoch_us(" + c + ") AS VARCHAR)";
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return "CAST(epoch_ns(" + c + ") AS VARCHAR)";
    case TypeId::kBinary:
    case TypeId::kFixed:
      return "hex(" + c + ")";
    case TypeId::kFloat:
    case TypeId::kDouble:
      return "printf('%.17g', " + c + ")";
    default:
      return "CAST(" + c + " AS VARCHAR)";
  }
}

Result<Literal> LiteralFromText(const TypePtr& type, const engine::Cell& cell) {
  if (!cell) return Literal::Null(type);
  const std::string& text = *cell;
  auto integer = [&]() -> Result<int64_t> {
    int64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc() || ptr != text.data() + text.size())
      return Internal("not an integer: ", text);
    return v;
  };
  switch (type->id()) {
    case TypeId::kBoolean:
      return Literal::Make(type, text == "true");
    case TypeId::kInt:
    case TypeId::kDate: {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, integer());
      return Literal::Make(type, static_cast<int32_t>(v));
    }
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, integer());
      return Literal::Make(type, v);
    }
    case TypeId::kFloat:
      return Literal::Make(type, static_cast<float>(std::strtod(text.c_str(), nullptr)));
    case TypeId::kDouble:
      return Literal::Make(type, std::strtod(text.c_str(), nullptr));
    case TypeId::kDecimal: {
      ATOLL_ASSIGN_OR_RETURN(auto v,
                             iceberg::DecimalFromString(text, type->precision(), type->scale()));
      return Literal::Make(type, v);
    }
    case TypeId::kString:
      return Literal::Make(type, text);
    case TypeId::kBinary:
    case TypeId::kFixed: {
      ATOLL_ASSIGN_OR_RETURN(std::string bytes, iceberg::FromHex(text));
      return Literal::Make(type, std::move(bytes));
    }
    case TypeId::kUuid: {
      ATOLL_ASSIGN_OR_RETURN(std::string bytes, iceberg::UuidFromString(text));
      return Literal::Make(type, std::move(bytes));
    }
    default:
      return NotSupported("partition values of type ", type->ToString());
  }
}

void AppendFieldIds(const NestedField& f, std::string* out);

void AppendNestedIds(const Type& t, std::string* out) {
  switch (t.id()) {
    case TypeId::kStruct:
      for (const NestedField& c : t.fields()) {
        *out += ", ";
        AppendFieldIds(c, out);
      }
      break;
    case TypeId::kList:
      *out += ", element: ";
      if (t.fields()[0].type->is_nested()) {
        *out += "{__duckdb_field_id: " + Str(t.fields()[0].id);
        AppendNestedIds(*t.fields()[0].type, out);
        *out += "}";
      } else {
        *out += Str(t.fields()[0].id);
      }
      break;
    case TypeId::kMap:
      for (int k = 0; k < 2; ++k) {
        const NestedField& c = t.fields()[k];
        *out += k == 0 ? ", key: " : ", value: ";
        if (c.type->is_nested()) {
          *out += "{__duckdb_field_id: " + Str(c.id);
          AppendNestedIds(*c.type, out);
          *out += "}";
        } else {
          *out += Str(c.id);
        }
      }
      break;
    default:
      break;
  }
}

void AppendFieldIds(const NestedField& f, std::string* out) {
  *out += QuoteString(f.name) + ": ";
  if (!f.type->is_nested()) {
    *out += Str(f.id);
    return;
  }
  *out += "{__duckdb_field_id: " + Str(f.id);
  AppendNestedIds(*f.type, out);
  *out += "}";
}

std::string RandomHex(int bytes) {
  static std::atomic<uint64_t> counter{0};
  std::random_device rd;
  std::mt19937_64 gen((static_cast<uint64_t>(rd()) << 32) ^ rd() ^ counter.fetch_add(1));
  std::string out;
  const char* digits = "0123456789abcdef";
  for (int i = 0; i < bytes; ++i) {
    auto b = static_cast<unsigned>(gen() & 0xFF);
    out.push_back(digits[b >> 4]);
    out.push_back(digits[b & 15]);
  }
  return out;
}

// Drops the staging tables when the write ends, however it ends.
class TempTables {
 public:
  explicit TempTables(engine::Engine& engine) : engine_(engine) {}
  ~TempTables() {
    for (const auto& t : names_)
      (void)engine_.Execute("DROP TABLE IF EXISTS " + QuoteIdentifier(t));
  }
  void Add(std::string name) { names_.push_back(std::move(name)); }

 private:
  engine::Engine& engine_;
  std::vector<std::string> names_;
};

// COPY (`select`) TO the directory `dir` with `copy_options` (RETURN_STATS among them), then
// one DataFile per written file, with metrics from its footer and partition `tuple`.
Result<std::vector<iceberg::DataFile>> CopyAndDescribe(
    engine::Engine& engine, const std::string& select, const std::string& dir,
    const std::string& copy_options, const iceberg::Schema& schema,
    const std::vector<Literal>& tuple, const DataWriterOptions& options) {
  const bool local = dir.find("://") == std::string::npos;
  Result<engine::QueryResult> copied = Internal("not run");
  for (int attempt = 0; attempt < 5; ++attempt) {
    if (local) {
      // DuckDB creates only the last directory level itself.
      ATOLL_RETURN_NOT_OK(CreateDirectories(std::filesystem::path(dir).parent_path().string()));
    }
    copied =
        engine.Query("COPY (" + select + ") TO " + QuoteString(dir) + " (" + copy_options + ")");
    // A local store prunes directories left empty by deletes (LocalStore::DeleteMany), which
    // may remove the parent between our mkdir and DuckDB's: nothing was written, go again.
    if (copied.ok() || !local ||
        copied.status().message().find("Failed to create directory") == std::string::npos) {
      break;
    }
  }
  ATOLL_ASSIGN_OR_RETURN(engine::QueryResult written, std::move(copied));
  std::vector<iceberg::DataFile> files;
  for (const engine::Row& row : written.rows) {
    if (row.size() < 3 || !row[0] || !row[1] || !row[2])
      return Internal("COPY ... RETURN_STATS gave an incomplete row");
    int64_t count = std::strtoll(row[1]->c_str(), nullptr, 10);
    int64_t size = std::strtoll(row[2]->c_str(), nullptr, 10);
    if (count == 0) continue;  // DuckDB writes no empty files for non-empty input
    ATOLL_ASSIGN_OR_RETURN(iceberg::DataFile file,
                           ReadParquetMetrics(engine, *row[0], size, schema, options.metrics));
    if (file.record_count != count) {
      return Internal("COPY reported ", count, " rows in ", *row[0], " but its footer says ",
                      file.record_count);
    }
    file.partition = tuple;
    files.push_back(std::move(file));
  }
  return files;
}

}  // namespace

bool IsWritableCodec(std::string_view codec) {
  static constexpr std::string_view kCodecs[] = {"zstd", "snappy", "gzip", "brotli",
                                                 "uncompressed"};
  return std::find(std::begin(kCodecs), std::end(kCodecs), codec) != std::end(kCodecs);
}

std::string ParquetCompressionOptions(std::string_view codec, int level) {
  std::string out = "COMPRESSION " + QuoteString(std::string(codec));
  if (codec == "zstd" && level > 0) out += ", COMPRESSION_LEVEL " + Str(level);
  return out;
}

void ApplyWriteProperties(const std::map<std::string, std::string>& properties,
                          DataWriterOptions* options) {
  auto codec = properties.find("write.parquet.compression-codec");
  if (codec != properties.end()) {
    std::string name = codec->second;
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (IsWritableCodec(name)) options->compression = name;
  }
  auto target = properties.find("write.target-file-size-bytes");
  if (target != properties.end()) {
    int64_t value = 0;
    const std::string& text = target->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && value > 0) {
      options->target_file_size_bytes = value;
    }
  }
  auto level = properties.find("write.parquet.compression-level");
  if (level != properties.end() && options->compression == "zstd") {
    int value = 0;
    const std::string& text = level->second;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec == std::errc() && end == text.data() + text.size() && value >= 1 && value <= 22) {
      options->compression_level = value;
    }
  }
}

std::string FieldIdsOption(const iceberg::Schema& schema) {
  std::string out = "{";
  for (size_t i = 0; i < schema.fields().size(); ++i) {
    if (i > 0) out += ", ";
    AppendFieldIds(schema.fields()[i], &out);
  }
  return out + "}";
}

Result<std::vector<iceberg::DataFile>> WriteDataFiles(engine::Engine& engine,
                                                      std::string_view query,
                                                      const iceberg::Schema& schema,
                                                      const iceberg::PartitionSpec& spec,
                                                      std::string_view table_location,
                                                      const DataWriterOptions& options) {
  ATOLL_RETURN_NOT_OK(spec.Validate(schema));
  if (schema.fields().empty()) return InvalidArgument("cannot write rows of an empty schema");
  std::string location(table_location);
  while (!location.empty() && location.back() == '/') location.pop_back();
  const std::string tag = RandomHex(8);
  const std::string stage = "__atoll_stage_" + tag;
  const std::string parts = "__atoll_parts_" + tag;
  TempTables temp(engine);

  // 1. Stage the converted rows and the partition values.
  std::string columns_ddl, copy_list;
  for (const NestedField& f : schema.fields()) {
    ATOLL_ASSIGN_OR_RETURN(std::string type, DuckDbType(*f.type, DuckDbTypeUse::kWrite));
    if (!columns_ddl.empty()) {
      columns_ddl += ", ";
      copy_list += ", ";
    }
    columns_ddl += QuoteIdentifier(f.name) + " " + type + (f.required ? " NOT NULL" : "");
    copy_list += QuoteIdentifier(f.name);
  }
  std::vector<TypePtr> part_types;
  std::string part_columns;  // "__p0", ...
  std::string part_exprs;    // ", <transform of q.col>", ...
  bool needs_hash = false;
  for (size_t k = 0; k < spec.fields.size(); ++k) {
    const iceberg::PartitionField& pf = spec.fields[k];
    if (pf.source_ids.size() != 1) return NotSupported("multi-argument partition transforms");
    const NestedField* source = schema.FindFieldById(pf.source_id());
    auto name = schema.FindColumnName(pf.source_id());
    if (source == nullptr || !name)
      return InvalidArgument("partition source field ", pf.source_id(), " is not in the schema");
    std::string path = "q";  // q."a"."b": the converted value
    size_t start = 0;
    while (true) {
      size_t dot = name->find('.', start);
      path += "." + QuoteIdentifier(name->substr(
                        start, dot == std::string::npos ? std::string::npos : dot - start));
      if (dot == std::string::npos) break;
      start = dot + 1;
    }
    ATOLL_ASSIGN_OR_RETURN(std::string sql, TransformSql(pf.transform, path, *source->type));
    needs_hash |= pf.transform.kind() == TransformKind::kBucket;
    ATOLL_ASSIGN_OR_RETURN(TypePtr result, pf.transform.ResultType(source->type));
    ATOLL_ASSIGN_OR_RETURN(std::string result_sql, DuckDbType(*result, DuckDbTypeUse::kWrite));
    std::string col = QuoteIdentifier("__p" + Str(static_cast<int64_t>(k)));
    columns_ddl += ", " + col + " " + result_sql;
    part_columns += (part_columns.empty() ? "" : ", ") + col;
    part_types.push_back(std::move(result));
    part_exprs += ", CAST(" + sql + " AS " + result_sql + ")";
  }
  if (needs_hash) ATOLL_RETURN_NOT_OK(EnsureHashFunction(engine));

  // 3. One COPY per tuple; then the footers.
  std::string copy_options =
      "FORMAT parquet, " +
      ParquetCompressionOptions(options.compression, options.compression_level) + ", FIELD_IDS " +
      FieldIdsOption(schema) + ", FILE_SIZE_BYTES " + Str(options.target_file_size_bytes) +
      ", FILENAME_PATTERN " + QuoteString(options.file_name_prefix + "{uuidv7}") +
      ", RETURN_STATS, OVERWRITE_OR_IGNORE true";  // partition folders fill up over commits;
                                                   // names are unique (uuidv7)
  if (options.row_group_size > 0) copy_options += ", ROW_GROUP_SIZE " + Str(options.row_group_size);

  if (options.constant_partition) {
    // Every row has this tuple: one COPY straight from the query, no staging.
    const std::vector<Literal>& tuple = *options.constant_partition;
    if (tuple.size() != spec.fields.size()) {
      return InvalidArgument("constant partition has ", tuple.size(), " values, the spec has ",
                             spec.fields.size(), " fields");
    }
    std::string dir = location + "/data";
    if (!spec.fields.empty()) {
      ATOLL_ASSIGN_OR_RETURN(std::string path, spec.PartitionPath(tuple));
      dir += "/" + path;
    }
    std::string select;
    for (const NestedField& f : schema.fields()) {
      ATOLL_ASSIGN_OR_RETURN(std::string type, DuckDbType(*f.type, DuckDbTypeUse::kWrite));
      std::string value = "CAST(src." + QuoteIdentifier(f.name) + " AS " + type + ")";
      if (f.required) {  // CASE evaluates error() only for the rows it selects
        value = "CASE WHEN " + value + " IS NULL THEN error(" +
                QuoteString("NOT NULL constraint failed: required field '" + f.name + "' is NULL") +
                ") ELSE " + value + " END";
      }
      select += (select.empty() ? "" : ", ") + value + " AS " + QuoteIdentifier(f.name);
    }
    return CopyAndDescribe(engine, "SELECT " + select + " FROM (" + std::string(query) + ") src",
                           dir, copy_options, schema, tuple, options);
  }

  ATOLL_RETURN_NOT_OK(
      engine.Execute("CREATE TEMP TABLE " + QuoteIdentifier(stage) + " (" + columns_ddl + ")"));
  temp.Add(stage);
  // Converted columns first (as a subquery named q), so partition expressions see them.
  std::string converted;
  for (const NestedField& f : schema.fields()) {
    ATOLL_ASSIGN_OR_RETURN(std::string type, DuckDbType(*f.type, DuckDbTypeUse::kWrite));
    converted += (converted.empty() ? "" : ", ") + std::string("CAST(src.") +
                 QuoteIdentifier(f.name) + " AS " + type + ") AS " + QuoteIdentifier(f.name);
  }
  std::string insert_select;
  {
    std::string outer;
    for (const NestedField& f : schema.fields()) {
      outer += (outer.empty() ? "" : ", ") + std::string("q.") + QuoteIdentifier(f.name);
    }
    insert_select = "SELECT " + outer + part_exprs + " FROM (SELECT " + converted + " FROM (" +
                    std::string(query) + ") src) q";
  }
  ATOLL_RETURN_NOT_OK(
      engine.Execute("INSERT INTO " + QuoteIdentifier(stage) + " " + insert_select));

  // 2. The partition tuples, numbered.
  struct Target {
    std::string where;  // rows of this tuple in the stage
    std::string dir;
    std::vector<Literal> partition;
  };
  std::vector<Target> targets;
  if (spec.fields.empty()) {
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult n,
                           engine.Query("SELECT count(*) FROM " + QuoteIdentifier(stage)));
    if (n.rows.empty() || n.rows[0][0] == "0") return std::vector<iceberg::DataFile>{};
    targets.push_back(Target{"", location + "/data", {}});
  } else {
    ATOLL_RETURN_NOT_OK(
        engine.Execute("CREATE TEMP TABLE " + QuoteIdentifier(parts) +
                       " AS SELECT row_number() OVER () AS __pid, * FROM (SELECT DISTINCT " +
                       part_columns + " FROM " + QuoteIdentifier(stage) + ")"));
    temp.Add(parts);
    std::string normalized = "__pid";
    for (size_t k = 0; k < spec.fields.size(); ++k) {
      normalized += ", " + NormalizeSql(*part_types[k],
                                        QuoteIdentifier("__p" + Str(static_cast<int64_t>(k))));
    }
    ATOLL_ASSIGN_OR_RETURN(engine::QueryResult tuples,
                           engine.Query("SELECT " + normalized + " FROM " + QuoteIdentifier(parts) +
                                        " ORDER BY __pid"));
    for (const engine::Row& row : tuples.rows) {
      Target t;
      for (size_t k = 0; k < spec.fields.size(); ++k) {
        ATOLL_ASSIGN_OR_RETURN(Literal lit, LiteralFromText(part_types[k], row[k + 1]));
        t.partition.push_back(std::move(lit));
      }
      ATOLL_ASSIGN_OR_RETURN(std::string path, spec.PartitionPath(t.partition));
      t.dir = location + "/data/" + path;
      std::string match;
      for (size_t k = 0; k < spec.fields.size(); ++k) {
        std::string col = QuoteIdentifier("__p" + Str(static_cast<int64_t>(k)));
        match += " AND p." + col + " IS NOT DISTINCT FROM s." + col;
      }
      // __pid goes back into SQL as a number parsed here, never as the engine's text.
      int64_t pid = 0;
      const std::string pid_text = row[0].value_or("");
      const auto parsed = std::from_chars(pid_text.data(), pid_text.data() + pid_text.size(), pid);
      if (parsed.ec != std::errc() || parsed.ptr != pid_text.data() + pid_text.size())
        return Internal("partition tuple numbered '", pid_text, "', not a number");
      t.where = " WHERE EXISTS (SELECT 1 FROM " + QuoteIdentifier(parts) +
                " p WHERE p.__pid = " + Str(pid) + match + ")";
      targets.push_back(std::move(t));
    }
  }

  std::vector<iceberg::DataFile> files;
  for (const Target& t : targets) {
    ATOLL_ASSIGN_OR_RETURN(
        std::vector<iceberg::DataFile> written,
        CopyAndDescribe(engine,
                        "SELECT " + copy_list + " FROM " + QuoteIdentifier(stage) + " s" + t.where,
                        t.dir, copy_options, schema, t.partition, options));
    std::move(written.begin(), written.end(), std::back_inserter(files));
  }
  return files;
}

}  // namespace atl::table
