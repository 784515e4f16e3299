#include "atoll/lake/settings.h"

#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "atoll/engine/engine.h"

namespace atl::lake {

namespace {

using Json = nlohmann::ordered_json;

std::string Join(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : StrCat(path, ".", key);
}

// Reads the members of one JSON object, refusing unknown keys.
class ObjectReader {
 public:
  ObjectReader(const Json& json, std::string path) : json_(json), path_(std::move(path)) {}

  Status CheckObject() const {
    if (!json_.is_object()) {
      return InvalidArgument("settings: '", path_.empty() ? "(document)" : path_,
                             "' must be a JSON object");
    }
    return Status::OK();
  }
  Status CheckKeys(std::initializer_list<std::string_view> known) const {
    for (const auto& [key, value] : json_.items()) {
      bool found = false;
      for (std::string_view k : known) found = found || k == key;
      if (!found) return InvalidArgument("settings: unknown key '", Join(path_, key), "'");
    }
    return Status::OK();
  }
  const Json* Find(std::string_view key) const {
    auto it = json_.find(std::string(key));
    return it == json_.end() ? nullptr : &*it;
  }
  std::string PathOf(std::string_view key) const { return Join(path_, key); }

  Status String(std::string_view key, std::string* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (!v->is_string()) return InvalidArgument("settings: '", PathOf(key), "' must be a string");
    *out = v->get<std::string>();
    return Status::OK();
  }
  Status OptString(std::string_view key, std::optional<std::string>* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (!v->is_string()) return InvalidArgument("settings: '", PathOf(key), "' must be a string");
    *out = v->get<std::string>();
    return Status::OK();
  }
  Status OptBool(std::string_view key, std::optional<bool>* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (!v->is_boolean())
      return InvalidArgument("settings: '", PathOf(key), "' must be true or false");
    *out = v->get<bool>();
    return Status::OK();
  }
  // A positive integer, or a size string ("128MiB").
  Status Bytes(std::string_view key, uint64_t* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (v->is_number_unsigned()) {
      *out = v->get<uint64_t>();
    } else if (v->is_string()) {
      Result<uint64_t> r = ParseByteSize(v->get<std::string>());
      if (!r.ok()) return r.status().WithContext(StrCat("settings: '", PathOf(key), "'"));
      *out = *r;
    } else {
      return InvalidArgument("settings: '", PathOf(key), "' must be a positive number of bytes");
    }
    if (*out == 0) return InvalidArgument("settings: '", PathOf(key), "' must be positive");
    return Status::OK();
  }
  Status Int(std::string_view key, int* out, int min_value, int max_value) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (!v->is_number_integer() || v->get<int64_t>() < min_value || v->get<int64_t>() > max_value) {
      return InvalidArgument("settings: '", PathOf(key), "' must be an integer from ", min_value,
                             " to ", max_value);
    }
    *out = static_cast<int>(v->get<int64_t>());
    return Status::OK();
  }
  // A duration in milliseconds: a number of seconds, or a string with a unit ("30s").
  Status Duration(std::string_view key, int64_t* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (v->is_number_unsigned() && v->get<uint64_t>() <= uint64_t{1} << 40) {
      *out = static_cast<int64_t>(v->get<uint64_t>()) * 1000;
    } else if (v->is_string()) {
      Result<int64_t> r = ParseDurationMs(v->get<std::string>());
      if (!r.ok()) return r.status().WithContext(StrCat("settings: '", PathOf(key), "'"));
      *out = *r;
    } else {
      return InvalidArgument("settings: '", PathOf(key),
                             "' must be a number of seconds or a duration such as \"30s\"");
    }
    return Status::OK();
  }
  // {"name": "TYPE", ...} in document order.
  Status TypeMap(std::string_view key,
                 std::vector<std::pair<std::string, std::string>>* out) const {
    const Json* v = Find(key);
    if (v == nullptr) return Status::OK();
    if (!v->is_object()) {
      return InvalidArgument("settings: '", PathOf(key),
                             "' must be an object of column name to type");
    }
    out->clear();
    for (const auto& [name, type] : v->items()) {
      // The type goes into generated SQL as a type: only DuckDB's type grammar passes.
      if (!type.is_string() || !engine::IsTypeName(type.get<std::string>())) {
        return InvalidArgument("settings: '", PathOf(key), ".", name,
                               "' must be a DuckDB type name such as \"BIGINT\"");
      }
      out->emplace_back(name, type.get<std::string>());
    }
    return Status::OK();
  }

 private:
  const Json& json_;
  std::string path_;
};

Status ParseTableOptions(const Json& json, const std::string& path, TableOptions* out) {
  ObjectReader r(json, path);
  ATOLL_RETURN_NOT_OK(r.CheckObject());
  ATOLL_RETURN_NOT_OK(
      r.CheckKeys({"format", "delimiter", "header", "quote", "escape", "null_string",
                   "timestamp_format", "date_format", "column_types", "columns"}));
  ATOLL_RETURN_NOT_OK(r.OptString("format", &out->format));
  ATOLL_RETURN_NOT_OK(r.OptString("delimiter", &out->delimiter));
  ATOLL_RETURN_NOT_OK(r.OptBool("header", &out->header));
  ATOLL_RETURN_NOT_OK(r.OptString("quote", &out->quote));
  ATOLL_RETURN_NOT_OK(r.OptString("escape", &out->escape));
  ATOLL_RETURN_NOT_OK(r.OptString("null_string", &out->null_string));
  ATOLL_RETURN_NOT_OK(r.OptString("timestamp_format", &out->timestamp_format));
  ATOLL_RETURN_NOT_OK(r.OptString("date_format", &out->date_format));
  ATOLL_RETURN_NOT_OK(r.TypeMap("column_types", &out->column_types));
  ATOLL_RETURN_NOT_OK(r.TypeMap("columns", &out->columns));
  return Status::OK();
}

Json TableOptionsToJson(const TableOptions& o) {
  Json j = Json::object();
  if (o.format) j["format"] = *o.format;
  if (o.delimiter) j["delimiter"] = *o.delimiter;
  if (o.header) j["header"] = *o.header;
  if (o.quote) j["quote"] = *o.quote;
  if (o.escape) j["escape"] = *o.escape;
  if (o.null_string) j["null_string"] = *o.null_string;
  if (o.timestamp_format) j["timestamp_format"] = *o.timestamp_format;
  if (o.date_format) j["date_format"] = *o.date_format;
  auto types = [](const std::vector<std::pair<std::string, std::string>>& v) {
    Json m = Json::object();
    for (const auto& [k, t] : v) m[k] = t;
    return m;
  };
  if (!o.column_types.empty()) j["column_types"] = types(o.column_types);
  if (!o.columns.empty()) j["columns"] = types(o.columns);
  return j;
}

Status ValidateTableOptions(const TableOptions& o, const std::string& path) {
  static const std::set<std::string, std::less<>> kFormats = {"csv",    "tsv",  "json",
                                                              "ndjson", "avro", "parquet"};
  if (o.format && kFormats.count(*o.format) == 0) {
    return InvalidArgument("settings: '", path,
                           ".format' must be one of csv, tsv, json, ndjson, avro, parquet (got '",
                           *o.format, "')");
  }
  auto one_char = [&](const std::optional<std::string>& v, std::string_view key,
                      bool allow_empty) -> Status {
    if (!v) return Status::OK();
    if (v->size() == 1 || (allow_empty && v->empty()) || *v == "\\t") return Status::OK();
    return InvalidArgument("settings: '", path, ".", key, "' must be one character (got '", *v,
                           "')");
  };
  ATOLL_RETURN_NOT_OK(one_char(o.delimiter, "delimiter", false));
  ATOLL_RETURN_NOT_OK(one_char(o.quote, "quote", true));
  ATOLL_RETURN_NOT_OK(one_char(o.escape, "escape", true));
  return Status::OK();
}

bool ValidSegment(std::string_view s) {
  if (s.empty() || s.size() > 64 || s[0] == '.') return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.'))
      return false;
  }
  return true;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

bool ValidColumnName(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.')) return false;
  }
  return true;
}

bool PositiveInt(std::string_view s) {
  if (s.empty() || s.size() > 9) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return std::stoi(std::string(s)) > 0;
}

}  // namespace

std::vector<std::pair<std::string_view, const std::string*>> ZoneList(const Zones& z) {
  return {{"prepare", &z.prepare}, {"load", &z.load},     {"stg", &z.stg},          {"tmp", &z.tmp},
          {"prd", &z.prd},         {"trail", &z.trail},   {"stats", &z.stats},      {"log", &z.log},
          {"queries", &z.queries}, {"assets", &z.assets}, {"rejected", &z.rejected}};
}

Status ValidatePartitionField(std::string_view field) {
  std::string_view f = Trim(field);
  size_t open = f.find('(');
  if (open == std::string_view::npos) {
    if (ValidColumnName(f)) return Status::OK();
    return InvalidArgument("partition field '", field,
                           "' is not a column name or transform(column)");
  }
  if (f.back() != ')') return InvalidArgument("partition field '", field, "': missing ')'");
  std::string_view name = Trim(f.substr(0, open));
  std::string_view inner = f.substr(open + 1, f.size() - open - 2);
  if (name == "identity" || name == "year" || name == "month" || name == "day" || name == "hour") {
    if (ValidColumnName(Trim(inner))) return Status::OK();
    return InvalidArgument("partition field '", field, "': '", Trim(inner),
                           "' is not a column name");
  }
  if (name == "bucket" || name == "truncate") {
    size_t comma = inner.find(',');
    if (comma == std::string_view::npos || !PositiveInt(Trim(inner.substr(0, comma))) ||
        !ValidColumnName(Trim(inner.substr(comma + 1)))) {
      return InvalidArgument("partition field '", field, "': expected ", name,
                             "(N, column) with N > 0");
    }
    return Status::OK();
  }
  return InvalidArgument("partition field '", field, "': unknown transform '", name,
                         "' (identity, year, month, day, hour, bucket, truncate)");
}

Result<std::vector<std::string>> ParsePartitionList(std::string_view text) {
  std::vector<std::string> out;
  std::string_view t = Trim(text);
  if (t.empty() || t == "none") return out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= t.size(); ++i) {
    if (i == t.size() || (t[i] == ',' && depth == 0)) {
      std::string_view part = Trim(t.substr(start, i - start));
      ATOLL_RETURN_NOT_OK(ValidatePartitionField(part));
      out.emplace_back(part);
      start = i + 1;
    } else if (t[i] == '(') {
      ++depth;
    } else if (t[i] == ')') {
      --depth;
    }
  }
  return out;
}

Result<uint64_t> ParseByteSize(std::string_view text) {
  std::string_view t = Trim(text);
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 || i > 15)
    return InvalidArgument("'", text, "' is not a size (examples: 134217728, 128MiB, 1GB)");
  uint64_t n = std::stoull(std::string(t.substr(0, i)));
  std::string unit;
  for (char c : Trim(t.substr(i)))
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  uint64_t mult = 0;
  if (unit.empty() || unit == "b")
    mult = 1;
  else if (unit == "k" || unit == "kb")
    mult = 1000;
  else if (unit == "kib")
    mult = 1024;
  else if (unit == "m" || unit == "mb")
    mult = 1000 * 1000;
  else if (unit == "mib")
    mult = 1 << 20;
  else if (unit == "g" || unit == "gb")
    mult = 1000ull * 1000 * 1000;
  else if (unit == "gib")
    mult = 1ull << 30;
  else if (unit == "t" || unit == "tb")
    mult = 1000ull * 1000 * 1000 * 1000;
  else if (unit == "tib")
    mult = 1ull << 40;
  if (mult == 0)
    return InvalidArgument("'", text, "': unknown size unit '", unit,
                           "' (B, KB, KiB, MB, MiB, GB, GiB, TB, TiB)");
  if (n > UINT64_MAX / mult) return InvalidArgument("'", text, "' is too large");
  if (n == 0) return InvalidArgument("'", text, "': a size must be positive");
  return n * mult;
}

Result<int64_t> ParseDurationMs(std::string_view text) {
  std::string_view t = Trim(text);
  size_t i = 0;
  while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
  if (i == 0 || i > 12)
    return InvalidArgument("'", text, "' is not a duration (examples: 500ms, 30s, 2m, 1h)");
  const int64_t n = std::stoll(std::string(t.substr(0, i)));
  std::string_view unit = Trim(t.substr(i));
  int64_t mult = 0;
  if (unit == "ms")
    mult = 1;
  else if (unit == "s" || unit.empty())
    mult = 1000;
  else if (unit == "m" || unit == "min")
    mult = 60 * 1000;
  else if (unit == "h")
    mult = 3600 * 1000;
  if (mult == 0)
    return InvalidArgument("'", text, "': unknown duration unit '", unit, "' (ms, s, m, h)");
  return n * mult;
}

std::string FormatDurationMs(int64_t ms) {
  if (ms % 1000 != 0) return StrCat(ms, "ms");
  return StrCat(ms / 1000, "s");
}

Status Settings::Validate() const {
  if (version < 1 || version > kSettingsVersion) {
    return NotSupported("settings: version ", version,
                        " is not supported by this atoll (it knows 1 to ", kSettingsVersion, ")");
  }
  std::set<std::string, std::less<>> seen;
  for (const auto& [key, value] : ZoneList(zones)) {
    if (!ValidSegment(*value) || *value == "_atoll") {
      return InvalidArgument(
          "settings: 'zones.", key, "' = '", *value,
          "' is not a valid folder name (letters, digits, '_', '-', '.'; not starting with '.')");
    }
    if (!seen.insert(*value).second) {
      return InvalidArgument("settings: 'zones.", key, "' = '", *value,
                             "' is used by another zone");
    }
  }
  for (const std::string& f : partition_by) {
    Status st = ValidatePartitionField(f);
    if (!st.ok()) return st.WithContext("settings: 'landing.partition_by'");
  }
  if (target_file_size_bytes < 1024) {
    return InvalidArgument("settings: 'landing.target_file_size_bytes' must be at least 1024");
  }
  if (catalog != "in-bucket" && catalog.rfind("sqlite:", 0) != 0 &&
      catalog.rfind("postgresql://", 0) != 0 && catalog.rfind("postgres://", 0) != 0) {
    return InvalidArgument("settings: 'catalog' = '", catalog,
                           "' must be \"in-bucket\", \"sqlite:<path>\" or \"postgresql://...\"");
  }
  if (catalog == "sqlite:" || catalog == "sqlite://") {
    return InvalidArgument("settings: 'catalog' = '", catalog, "' names no database file");
  }
  if (prepare.max_files_per_batch < 1) {
    return InvalidArgument("settings: 'prepare.max_files_per_batch' must be positive");
  }
  if (prepare.max_line_bytes < 1024)
    return InvalidArgument("settings: 'prepare.max_line_bytes' must be at least 1024");
  if (prepare.max_json_depth < 1 || prepare.max_json_depth > 1000) {
    return InvalidArgument("settings: 'prepare.max_json_depth' must be between 1 and 1000");
  }
  if (prepare.min_age_ms < 0)
    return InvalidArgument("settings: 'prepare.min_age' must not be negative");
  if (prepare.memory_limit.empty())
    return InvalidArgument("settings: 'prepare.memory_limit' must not be empty");
  ATOLL_RETURN_NOT_OK(ValidateTableOptions(prepare.defaults, "prepare.defaults"));
  for (const auto& [name, options] : prepare.tables) {
    size_t dot = name.find('.');
    if (dot == std::string::npos || !ValidSegment(name.substr(0, dot)) ||
        !ValidSegment(name.substr(dot + 1))) {
      return InvalidArgument("settings: 'prepare.tables' key '", name,
                             "' must be \"<db>.<table>\"");
    }
    ATOLL_RETURN_NOT_OK(ValidateTableOptions(options, StrCat("prepare.tables.", name)));
  }
  return Status::OK();
}

TableOptions Settings::OptionsFor(std::string_view db, std::string_view table) const {
  TableOptions out = prepare.defaults;
  auto it = prepare.tables.find(StrCat(db, ".", table));
  if (it == prepare.tables.end()) return out;
  const TableOptions& t = it->second;
  auto over = [](auto& dst, const auto& src) {
    if (src) dst = src;
  };
  over(out.format, t.format);
  over(out.delimiter, t.delimiter);
  over(out.header, t.header);
  over(out.quote, t.quote);
  over(out.escape, t.escape);
  over(out.null_string, t.null_string);
  over(out.timestamp_format, t.timestamp_format);
  over(out.date_format, t.date_format);
  if (!t.column_types.empty()) out.column_types = t.column_types;
  if (!t.columns.empty()) out.columns = t.columns;
  return out;
}

Result<Settings> ParseSettings(std::string_view json_text) {
  Json doc = Json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return InvalidArgument("settings: not valid JSON");
  Settings s;
  ObjectReader top(doc, "");
  ATOLL_RETURN_NOT_OK(top.CheckObject());
  ATOLL_RETURN_NOT_OK(
      top.CheckKeys({"format", "version", "zones", "landing", "catalog", "prepare"}));
  std::string format(kSettingsFormat);
  ATOLL_RETURN_NOT_OK(top.String("format", &format));
  if (format != kSettingsFormat) {
    return InvalidArgument("settings: 'format' must be \"", kSettingsFormat, "\" (got \"", format,
                           "\")");
  }
  const Json* version = top.Find("version");
  if (version == nullptr) return InvalidArgument("settings: missing key 'version'");
  if (!version->is_number_integer())
    return InvalidArgument("settings: 'version' must be an integer");
  if (version->get<int64_t>() > kSettingsVersion || version->get<int64_t>() < 1) {
    return NotSupported("settings: version ", version->get<int64_t>(),
                        " is not supported by this atoll (it knows 1 to ", kSettingsVersion, ")");
  }
  s.version = static_cast<int>(version->get<int64_t>());

  if (const Json* z = top.Find("zones")) {
    ObjectReader zr(*z, "zones");
    ATOLL_RETURN_NOT_OK(zr.CheckObject());
    ATOLL_RETURN_NOT_OK(zr.CheckKeys({"prepare", "load", "stg", "tmp", "prd", "trail", "stats",
                                      "log", "queries", "assets", "rejected"}));
    for (auto& [key, value] : ZoneList(s.zones)) {
      ATOLL_RETURN_NOT_OK(zr.String(key, const_cast<std::string*>(value)));
    }
  }
  if (const Json* l = top.Find("landing")) {
    ObjectReader lr(*l, "landing");
    ATOLL_RETURN_NOT_OK(lr.CheckObject());
    ATOLL_RETURN_NOT_OK(lr.CheckKeys({"partition_by", "target_file_size_bytes"}));
    if (const Json* p = lr.Find("partition_by")) {
      if (!p->is_array())
        return InvalidArgument("settings: 'landing.partition_by' must be an array of strings");
      s.partition_by.clear();
      for (const Json& f : *p) {
        if (!f.is_string())
          return InvalidArgument("settings: 'landing.partition_by' must be an array of strings");
        s.partition_by.push_back(f.get<std::string>());
      }
    }
    ATOLL_RETURN_NOT_OK(lr.Bytes("target_file_size_bytes", &s.target_file_size_bytes));
  }
  ATOLL_RETURN_NOT_OK(top.String("catalog", &s.catalog));
  if (const Json* p = top.Find("prepare")) {
    ObjectReader pr(*p, "prepare");
    ATOLL_RETURN_NOT_OK(pr.CheckObject());
    ATOLL_RETURN_NOT_OK(pr.CheckKeys({"batch_target_bytes", "max_files_per_batch",
                                      "max_decompressed_bytes", "max_line_bytes", "max_json_depth",
                                      "min_age", "memory_limit", "defaults", "tables"}));
    ATOLL_RETURN_NOT_OK(pr.Bytes("batch_target_bytes", &s.prepare.batch_target_bytes));
    ATOLL_RETURN_NOT_OK(pr.Int("max_files_per_batch", &s.prepare.max_files_per_batch, 1, 1000000));
    ATOLL_RETURN_NOT_OK(pr.Bytes("max_decompressed_bytes", &s.prepare.max_decompressed_bytes));
    ATOLL_RETURN_NOT_OK(pr.Bytes("max_line_bytes", &s.prepare.max_line_bytes));
    ATOLL_RETURN_NOT_OK(pr.Int("max_json_depth", &s.prepare.max_json_depth, 1, 1000));
    ATOLL_RETURN_NOT_OK(pr.Duration("min_age", &s.prepare.min_age_ms));
    ATOLL_RETURN_NOT_OK(pr.String("memory_limit", &s.prepare.memory_limit));
    if (const Json* d = pr.Find("defaults")) {
      ATOLL_RETURN_NOT_OK(ParseTableOptions(*d, "prepare.defaults", &s.prepare.defaults));
    }
    if (const Json* t = pr.Find("tables")) {
      if (!t->is_object())
        return InvalidArgument("settings: 'prepare.tables' must be a JSON object");
      for (const auto& [name, options] : t->items()) {
        TableOptions o;
        ATOLL_RETURN_NOT_OK(ParseTableOptions(options, StrCat("prepare.tables.", name), &o));
        s.prepare.tables[name] = std::move(o);
      }
    }
  }
  ATOLL_RETURN_NOT_OK(s.Validate());
  return s;
}

std::string SettingsToJson(const Settings& s) {
  Json doc = Json::object();
  doc["format"] = kSettingsFormat;
  doc["version"] = s.version;
  Json zones = Json::object();
  for (const auto& [key, value] : ZoneList(s.zones)) zones[std::string(key)] = *value;
  doc["zones"] = zones;
  doc["landing"] = {{"partition_by", s.partition_by},
                    {"target_file_size_bytes", s.target_file_size_bytes}};
  doc["catalog"] = s.catalog;
  Json tables = Json::object();
  for (const auto& [name, options] : s.prepare.tables) tables[name] = TableOptionsToJson(options);
  doc["prepare"] = {{"batch_target_bytes", s.prepare.batch_target_bytes},
                    {"max_files_per_batch", s.prepare.max_files_per_batch},
                    {"max_decompressed_bytes", s.prepare.max_decompressed_bytes},
                    {"max_line_bytes", s.prepare.max_line_bytes},
                    {"max_json_depth", s.prepare.max_json_depth},
                    {"min_age", FormatDurationMs(s.prepare.min_age_ms)},
                    {"memory_limit", s.prepare.memory_limit},
                    {"defaults", TableOptionsToJson(s.prepare.defaults)},
                    {"tables", tables}};
  return doc.dump(2) + "\n";
}

}  // namespace atl::lake
