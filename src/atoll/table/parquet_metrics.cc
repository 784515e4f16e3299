// Parquet footer -> Iceberg DataFile. Three DuckDB queries: the schema tree (to map leaf
// columns to Iceberg fields), the file's row count, and the per-chunk metadata, in which
// temporal statistics are normalized in SQL to epoch units (so that DuckDB's text forms of
// timestamps with zones never need parsing here).
#include "atoll/table/parquet_metrics.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <vector>

#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/temporal.h"
#include "atoll/iceberg/transform.h"

namespace atl::table {
namespace {

using iceberg::Literal;
using iceberg::NestedField;
using iceberg::Type;
using iceberg::TypeId;
using iceberg::TypePtr;

// One element of the Parquet schema as parquet_schema() lists it (depth first).
struct ParquetNode {
  std::string name;
  bool leaf = false;
  std::string repetition;  // REQUIRED, OPTIONAL, REPEATED
  std::optional<int32_t> field_id;
  std::string duckdb_type;
  std::vector<size_t> children;  // indexes into the node list
  int leaf_index = -1;           // column_id in parquet_metadata(), for leaves
};

// A leaf column mapped to an Iceberg field.
struct MappedLeaf {
  int32_t field_id = 0;
  TypePtr type;
  bool in_list_or_map = false;
  std::string duckdb_type;
};

std::optional<int64_t> ParseInt(const engine::Cell& cell) {
  if (!cell) return std::nullopt;
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(cell->data(), cell->data() + cell->size(), v);
  if (ec != std::errc() || ptr != cell->data() + cell->size()) return std::nullopt;
  return v;
}

Result<std::vector<ParquetNode>> ReadSchemaTree(engine::Engine& engine, const std::string& quoted) {
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult r,
      engine.Query("SELECT name, num_children, repetition_type, field_id, duckdb_type "
                   "FROM parquet_schema(" +
                   quoted + ")"));
  std::vector<ParquetNode> nodes(r.rows.size());
  std::vector<int64_t> child_counts(r.rows.size());
  for (size_t i = 0; i < r.rows.size(); ++i) {
    const engine::Row& row = r.rows[i];
    nodes[i].name = row[0].value_or("");
    child_counts[i] = ParseInt(row[1]).value_or(0);
    nodes[i].leaf = child_counts[i] == 0;
    nodes[i].repetition = row[2].value_or("");
    if (auto id = ParseInt(row[3])) nodes[i].field_id = static_cast<int32_t>(*id);
    nodes[i].duckdb_type = row[4].value_or("");
  }
  if (nodes.empty()) return InvalidArgument("parquet_schema() returned no schema");
  // Rebuild the tree from the depth-first list and number the leaves.
  size_t next = 1;
  int leaves = 0;
  std::function<Status(size_t)> build = [&](size_t at) -> Status {
    for (int64_t c = 0; c < child_counts[at]; ++c) {
      if (next >= nodes.size())
        return Corruption("Parquet schema ends inside group ", nodes[at].name);
      size_t child = next++;
      nodes[at].children.push_back(child);
      if (nodes[child].leaf) {
        nodes[child].leaf_index = leaves++;
      } else {
        ATOLL_RETURN_NOT_OK(build(child));
      }
    }
    return Status::OK();
  };
  ATOLL_RETURN_NOT_OK(build(0));
  return nodes;
}

const NestedField* FindChild(const std::vector<NestedField>& fields, const ParquetNode& node) {
  for (const NestedField& f : fields) {
    if (node.field_id ? f.id == *node.field_id : f.name == node.name) return &f;
  }
  return nullptr;
}

class Mapper {
 public:
  Mapper(const std::vector<ParquetNode>& nodes, std::map<int, MappedLeaf>* out)
      : nodes_(nodes), out_(out) {}

  void Visit(size_t at, const NestedField& field, bool nested) {
    const ParquetNode& node = nodes_[at];
    const Type& type = *field.type;
    if (node.leaf) {
      if (type.is_primitive()) {
        (*out_)[node.leaf_index] = MappedLeaf{field.id, field.type, nested, node.duckdb_type};
      } else if (type.id() == TypeId::kList && node.repetition == "REPEATED") {
        // Unannotated repeated primitive: the list of it.
        Visit(at, type.fields()[0], true);
      }
      return;
    }
    switch (type.id()) {
      case TypeId::kStruct:
        for (size_t c : node.children) {
          if (const NestedField* sub = FindChild(type.fields(), nodes_[c])) Visit(c, *sub, nested);
        }
        break;
      case TypeId::kList: {
        if (node.children.size() != 1) return;
        size_t rep = node.children[0];
        const ParquetNode& r = nodes_[rep];
        // 2-level legacy lists: the repeated node is the element itself.
        bool repeated_is_element =
            r.leaf || r.children.size() > 1 || r.name == "array" || r.name == node.name + "_tuple";
        size_t element = repeated_is_element ? rep : r.children[0];
        VisitElement(element, type.fields()[0]);
        break;
      }
      case TypeId::kMap: {
        if (node.children.size() != 1) return;
        const ParquetNode& kv = nodes_[node.children[0]];
        if (kv.children.size() != 2) return;
        VisitElement(kv.children[0], type.fields()[0]);
        VisitElement(kv.children[1], type.fields()[1]);
        break;
      }
      default:
        break;
    }
  }

 private:
  void VisitElement(size_t at, const NestedField& field) {
    const ParquetNode& node = nodes_[at];
    // Structure decides here; an element carrying another field id is not this field.
    if (node.field_id && *node.field_id != field.id) return;
    Visit(at, field, true);
  }

  const std::vector<ParquetNode>& nodes_;
  std::map<int, MappedLeaf>* out_;
};

// DuckDB's BLOB text: printable ASCII as is, other bytes (and \ ' ") as \xNN.
std::optional<std::string> UnescapeBlob(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 3 >= text.size() || (text[i + 1] != 'x' && text[i + 1] != 'X')) return std::nullopt;
    auto hex = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    };
    int hi = hex(text[i + 2]), lo = hex(text[i + 3]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 3;
  }
  return out;
}

// The SQL expression turning the text statistic `column` into what BoundLiteral reads.
std::string NormalizeSql(const MappedLeaf& leaf, const std::string& column) {
  auto cast = [&]() -> std::string {
    if (leaf.duckdb_type == "TIMESTAMP WITH TIME ZONE") return "TIMESTAMPTZ";
    if (leaf.duckdb_type == "TIMESTAMP_NS") return "TIMESTAMP_NS";
    return "TIMESTAMP";
  };
  switch (leaf.type->id()) {
    case TypeId::kDate:
      return "CAST(TRY_CAST(" + column + " AS DATE) - DATE '1970-01-01' AS VARCHAR)";
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return "CAST(epoch_us(TRY_CAST(" + column + " AS " + cast() + ")) AS VARCHAR)";
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:
      return "CAST(epoch_ns(TRY_CAST(" + column + " AS " + cast() + ")) AS VARCHAR)";
    default:
      return column;
  }
}

// The statistic text (normalized as above) as a Literal of the leaf's Iceberg type, or
// nullopt when it cannot be read as one.
std::optional<Literal> BoundLiteral(const MappedLeaf& leaf, const std::string& text) {
  const TypePtr& type = leaf.type;
  engine::Cell cell = text;
  auto make = [&](Literal::Value v) -> std::optional<Literal> {
    auto lit = Literal::Make(type, std::move(v));
    if (!lit.ok()) return std::nullopt;
    return *lit;
  };
  switch (type->id()) {
    case TypeId::kBoolean:
      if (text == "true") return make(true);
      if (text == "false") return make(false);
      return std::nullopt;
    case TypeId::kInt:
    case TypeId::kDate: {
      auto v = ParseInt(cell);
      if (!v || *v < INT32_MIN || *v > INT32_MAX) return std::nullopt;
      return make(static_cast<int32_t>(*v));
    }
    case TypeId::kLong:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs: {
      auto v = ParseInt(cell);
      if (!v) return std::nullopt;
      return make(*v);
    }
    case TypeId::kTime: {
      auto v = iceberg::temporal::ParseTime(text, 6);
      if (!v.ok()) return std::nullopt;
      return make(*v);
    }
    case TypeId::kFloat:
    case TypeId::kDouble: {
      char* end = nullptr;
      double d = std::strtod(text.c_str(), &end);
      if (end != text.c_str() + text.size() || text.empty() || std::isnan(d)) return std::nullopt;
      if (type->id() == TypeId::kFloat) return make(static_cast<float>(d));
      return make(d);
    }
    case TypeId::kDecimal: {
      auto v = iceberg::DecimalFromString(text, type->precision(), type->scale());
      if (!v.ok()) return std::nullopt;
      return make(*v);
    }
    case TypeId::kString:
    case TypeId::kBinary:
    case TypeId::kFixed: {
      std::string bytes = text;
      if (leaf.duckdb_type == "BLOB") {
        auto raw = UnescapeBlob(text);
        if (!raw) return std::nullopt;
        bytes = std::move(*raw);
      }
      return make(std::move(bytes));
    }
    case TypeId::kUuid: {
      auto v = iceberg::UuidFromString(text);
      if (!v.ok()) return std::nullopt;
      return make(std::move(*v));
    }
    default:
      return std::nullopt;
  }
}

struct ColumnTotals {
  int64_t size = 0;
  int64_t values = 0;
  int64_t nulls = 0;
  bool nulls_known = true;
  bool bounds_ok = true;
  std::optional<Literal> lower, upper;
};

// Length in bytes of the UTF-8 sequence starting with `lead` (1 for invalid leads).
size_t Utf8Length(unsigned char lead) {
  if (lead < 0x80) return 1;
  if ((lead >> 5) == 0x6) return 2;
  if ((lead >> 4) == 0xE) return 3;
  if ((lead >> 3) == 0x1E) return 4;
  return 1;
}

std::string EncodeUtf8(uint32_t cp) {
  std::string out;
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return out;
}

uint32_t DecodeUtf8(std::string_view s) {
  auto b = [&](size_t i) { return static_cast<uint32_t>(static_cast<unsigned char>(s[i])); };
  switch (s.size()) {
    case 1:
      return b(0);
    case 2:
      return ((b(0) & 0x1F) << 6) | (b(1) & 0x3F);
    case 3:
      return ((b(0) & 0x0F) << 12) | ((b(1) & 0x3F) << 6) | (b(2) & 0x3F);
    default:
      return ((b(0) & 0x07) << 18) | ((b(1) & 0x3F) << 12) | ((b(2) & 0x3F) << 6) | (b(3) & 0x3F);
  }
}

// Splits `s` into code points (byte ranges).
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = std::min(Utf8Length(static_cast<unsigned char>(s[i])), s.size() - i);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

std::string TruncateStringLower(std::string_view s, int length) {
  if (length <= 0) return std::string(s);
  return iceberg::TruncateUtf8(s, length);
}

std::optional<std::string> TruncateStringUpper(std::string_view s, int length) {
  std::vector<std::string_view> cps = CodePoints(s);
  if (length <= 0 || cps.size() <= static_cast<size_t>(length)) return std::string(s);
  cps.resize(static_cast<size_t>(length));
  while (!cps.empty()) {
    uint32_t next = DecodeUtf8(cps.back()) + 1;
    if (next >= 0xD800 && next <= 0xDFFF) next = 0xE000;
    if (next <= 0x10FFFF) {
      std::string out;
      for (size_t i = 0; i + 1 < cps.size(); ++i) out += cps[i];
      out += EncodeUtf8(next);
      return out;
    }
    cps.pop_back();
  }
  return std::nullopt;
}

std::string TruncateBinaryLower(std::string_view s, int length) {
  if (length <= 0 || s.size() <= static_cast<size_t>(length)) return std::string(s);
  return std::string(s.substr(0, static_cast<size_t>(length)));
}

std::optional<std::string> TruncateBinaryUpper(std::string_view s, int length) {
  if (length <= 0 || s.size() <= static_cast<size_t>(length)) return std::string(s);
  std::string out(s.substr(0, static_cast<size_t>(length)));
  while (!out.empty()) {
    auto last = static_cast<unsigned char>(out.back());
    if (last != 0xFF) {
      out.back() = static_cast<char>(last + 1);
      return out;
    }
    out.pop_back();
  }
  return std::nullopt;
}

Result<iceberg::DataFile> ReadParquetMetrics(engine::Engine& engine, std::string_view uri,
                                             int64_t file_size, const iceberg::Schema& schema,
                                             const ParquetMetricsOptions& options) {
  const std::string quoted = engine::QuoteString(uri);
  ATOLL_ASSIGN_OR_RETURN(std::vector<ParquetNode> nodes, ReadSchemaTree(engine, quoted));

  std::map<int, MappedLeaf> leaves;  // by leaf index (column_id)
  Mapper mapper(nodes, &leaves);
  for (size_t c : nodes[0].children) {
    if (const NestedField* f = FindChild(schema.fields(), nodes[c])) mapper.Visit(c, *f, false);
  }

  iceberg::DataFile file;
  file.content = iceberg::FileContent::kData;
  file.file_path = std::string(uri);
  file.file_format = "PARQUET";
  file.file_size_in_bytes = file_size;

  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult meta,
      engine.Query("SELECT num_rows FROM parquet_file_metadata(" + quoted + ")"));
  if (meta.rows.size() != 1)
    return InvalidArgument("parquet_file_metadata() found ", meta.rows.size(), " files at ", uri);
  auto num_rows = ParseInt(meta.rows[0][0]);
  if (!num_rows) return Corruption("no row count in the footer of ", uri);
  file.record_count = *num_rows;

  std::string min_sql = "stats_min_value", max_sql = "stats_max_value";
  {
    std::string min_case, max_case;
    for (const auto& [index, leaf] : leaves) {
      std::string min_expr = NormalizeSql(leaf, "stats_min_value");
      if (min_expr == "stats_min_value") continue;
      min_case += " WHEN " + std::to_string(index) + " THEN " + min_expr;
      max_case +=
          " WHEN " + std::to_string(index) + " THEN " + NormalizeSql(leaf, "stats_max_value");
    }
    if (!min_case.empty()) {
      min_sql = "CASE column_id" + min_case + " ELSE stats_min_value END";
      max_sql = "CASE column_id" + max_case + " ELSE stats_max_value END";
    }
  }
  ATOLL_ASSIGN_OR_RETURN(
      engine::QueryResult chunks,
      engine.Query("SELECT row_group_id, column_id, num_values, stats_null_count, " + min_sql +
                   ", " + max_sql +
                   ", dictionary_page_offset, data_page_offset, total_compressed_size "
                   "FROM parquet_metadata(" +
                   quoted + ") ORDER BY row_group_id, column_id"));

  std::map<int64_t, int64_t> group_starts;  // row group -> first page offset
  std::map<int32_t, ColumnTotals> totals;   // by field id
  for (const engine::Row& row : chunks.rows) {
    auto group = ParseInt(row[0]);
    auto column = ParseInt(row[1]);
    if (!group || !column) return Corruption("parquet_metadata() row without group/column ids");
    auto dict = ParseInt(row[6]);
    auto data = ParseInt(row[7]);
    std::optional<int64_t> start = dict && *dict > 0 ? dict : data;
    if (start) {
      auto [it, inserted] = group_starts.emplace(*group, *start);
      if (!inserted) it->second = std::min(it->second, *start);
    }
    auto leaf_it = leaves.find(static_cast<int>(*column));
    if (leaf_it == leaves.end()) continue;
    const MappedLeaf& leaf = leaf_it->second;
    ColumnTotals& t = totals[leaf.field_id];
    int64_t values = ParseInt(row[2]).value_or(0);
    t.values += values;
    t.size += ParseInt(row[8]).value_or(0);
    auto nulls = ParseInt(row[3]);
    if (nulls) {
      t.nulls += *nulls;
    } else {
      t.nulls_known = false;
    }
    if (leaf.in_list_or_map || !t.bounds_ok) continue;
    int64_t non_null = nulls ? values - *nulls : values;
    if (nulls && non_null == 0) continue;  // an all-null chunk has no bounds to give
    if (!row[4] || !row[5]) {
      t.bounds_ok = false;
      continue;
    }
    auto lo = BoundLiteral(leaf, *row[4]);
    auto hi = BoundLiteral(leaf, *row[5]);
    if (!lo || !hi) {
      t.bounds_ok = false;
      continue;
    }
    if (!t.lower || iceberg::CompareLiterals(*lo, *t.lower).value_or(0) < 0)
      t.lower = std::move(lo);
    if (!t.upper || iceberg::CompareLiterals(*hi, *t.upper).value_or(0) > 0)
      t.upper = std::move(hi);
  }

  for (auto& [id, t] : totals) {
    file.column_sizes[id] = t.size;
    file.value_counts[id] = t.values;
    if (t.nulls_known) file.null_value_counts[id] = t.nulls;
    if (!t.bounds_ok || !t.lower || !t.upper) continue;
    Literal lower = *t.lower;
    std::optional<Literal> upper = *t.upper;
    TypeId tid = lower.type()->id();
    int n = options.truncate_length;
    if (tid == TypeId::kString) {
      lower = Literal::String(TruncateStringLower(lower.bytes_value(), n));
      auto up = TruncateStringUpper(upper->bytes_value(), n);
      upper = up ? std::optional<Literal>(Literal::String(*up)) : std::nullopt;
    } else if (tid == TypeId::kBinary) {
      lower = Literal::Binary(TruncateBinaryLower(lower.bytes_value(), n));
      auto up = TruncateBinaryUpper(upper->bytes_value(), n);
      upper = up ? std::optional<Literal>(Literal::Binary(*up)) : std::nullopt;
    }
    ATOLL_ASSIGN_OR_RETURN(file.lower_bounds[id], iceberg::LiteralToBytes(lower));
    if (upper) {
      ATOLL_ASSIGN_OR_RETURN(file.upper_bounds[id], iceberg::LiteralToBytes(*upper));
    }
  }
  for (const auto& [group, start] : group_starts) file.split_offsets.push_back(start);
  std::sort(file.split_offsets.begin(), file.split_offsets.end());
  return file;
}

}  // namespace atl::table
