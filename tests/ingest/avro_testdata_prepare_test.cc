// Every Avro file of ../shared/testdata/avro goes through prepare/: it either lands in
// load/ with the values atoll's Avro reader gives (read back by DuckDB from the Parquet
// file), or it is rejected with a reason file. Skips when the testdata is absent.
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "atoll/engine/engine.h"
#include "atoll/formats/avro/reader.h"
#include "atoll/ingest/prepare.h"
#include "testing/testing.h"

namespace atl::lake {
namespace {

namespace fs = std::filesystem;
using avro::LogicalType;
using avro::Node;
using avro::Type;
using avro::Value;

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string DecimalText(const std::string& bytes, int scale) {
  __int128 v = 0;
  if (!bytes.empty() && (static_cast<unsigned char>(bytes[0]) & 0x80)) v = -1;
  for (unsigned char c : bytes) v = v * 256 + c;
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u > 0);
  if (scale > 0) {
    while (static_cast<int>(digits.size()) <= scale) digits.insert(digits.begin(), '0');
    digits.insert(digits.end() - scale, '.');
  }
  return (neg ? "-" : "") + digits;
}

// The non-null branch of a nullable union, or the node itself.
const Node& Unnull(const Node& n) {
  if (n.type == Type::kUnion && n.branches.size() == 2 && n.NullBranch() >= 0)
    return *n.branches[1 - n.NullBranch()];
  return n;
}

// SQL giving a comparable text for column `col` of Avro type `n`.
std::string ColumnSql(const Node& node, const std::string& col) {
  const Node& n = Unnull(node);
  switch (n.logical) {
    case LogicalType::kDecimal:
      return col + "::VARCHAR";
    case LogicalType::kTimestampMillis:
    case LogicalType::kTimestampMicros:
    case LogicalType::kLocalTimestampMillis:
    case LogicalType::kLocalTimestampMicros:
      return "epoch_us(" + col + ")::VARCHAR";
    case LogicalType::kTimestampNanos:
    case LogicalType::kLocalTimestampNanos:
      return "epoch_ns(" + col + ")::VARCHAR";
    case LogicalType::kDate:
      return "(" + col + " - DATE '1970-01-01')::VARCHAR";
    case LogicalType::kUuid:
      return "replace(" + col + "::VARCHAR, '-', '')";
    default:
      break;
  }
  switch (n.type) {
    case Type::kBytes:
    case Type::kFixed:
      return "hex(" + col + ")";
    case Type::kFloat:
    case Type::kDouble:
      return col + "::DOUBLE::VARCHAR";
    case Type::kRecord:
    case Type::kArray:
    case Type::kMap:
    case Type::kUnion:
      return "to_json(" + col + ")::VARCHAR";
    default:
      return col + "::VARCHAR";
  }
}

// Compares a nested value with DuckDB's JSON for it; returns "" when equal.
std::string JsonDiff(const Node& node, const Value& v, const nlohmann::json& j,
                     const std::string& path) {
  if (v.type() == Type::kNull) return j.is_null() ? "" : path + ": expected null, got " + j.dump();
  if (node.type == Type::kUnion) {
    if (node.branches.size() == 2 && node.NullBranch() >= 0) {
      return JsonDiff(*node.branches[v.branch()], v.branch_value(), j, path);
    }
    return "";  // general unions: not compared here
  }
  if (node.logical != LogicalType::kNone) return "";  // compared at top level only
  switch (node.type) {
    case Type::kBoolean:
      return j == v.boolean() ? "" : path + ": boolean differs";
    case Type::kInt:
    case Type::kLong:
      return j.is_number_integer() && j.get<int64_t>() == *v.AsLong()
                 ? ""
                 : path + ": " + j.dump() + " != " + std::to_string(*v.AsLong());
    case Type::kFloat:
    case Type::kDouble:
      return j.is_number() && std::fabs(j.get<double>() - *v.AsDouble()) <=
                                  1e-6 * std::max(1.0, std::fabs(*v.AsDouble()))
                 ? ""
                 : path + ": float differs";
    case Type::kString:
      return j == v.bytes() ? "" : path + ": " + j.dump() + " != " + v.bytes();
    case Type::kEnum:
      return j == node.symbols[v.enum_index()] ? "" : path + ": enum differs";
    case Type::kBytes:
    case Type::kFixed:
      return "";
    case Type::kArray: {
      if (!j.is_array() || j.size() != v.items().size())
        return path + ": array size differs: " + j.dump();
      for (size_t i = 0; i < j.size(); ++i) {
        std::string d =
            JsonDiff(*node.items, v.items()[i], j[i], path + "[" + std::to_string(i) + "]");
        if (!d.empty()) return d;
      }
      return "";
    }
    case Type::kMap: {
      if (!j.is_object() || j.size() != v.map_keys().size())
        return path + ": map differs: " + j.dump();
      for (size_t i = 0; i < v.map_keys().size(); ++i) {
        if (!j.contains(v.map_keys()[i])) return path + ": map key missing";
        std::string d = JsonDiff(*node.items, v.map_values()[i], j[v.map_keys()[i]],
                                 path + "." + v.map_keys()[i]);
        if (!d.empty()) return d;
      }
      return "";
    }
    case Type::kRecord: {
      if (!j.is_object()) return path + ": expected an object, got " + j.dump();
      for (size_t i = 0; i < node.fields.size(); ++i) {
        if (!j.contains(node.fields[i].name))
          return path + ": field " + node.fields[i].name + " missing";
        std::string d = JsonDiff(*node.fields[i].type, v.fields()[i], j[node.fields[i].name],
                                 path + "." + node.fields[i].name);
        if (!d.empty()) return d;
      }
      return "";
    }
    default:
      return "";
  }
}

// The expected text of a top-level cell, "" for a value compared through JSON.
std::optional<std::string> Expected(const Node& node, const Value& value) {
  if (value.type() == Type::kNull) return std::nullopt;
  const Node& n = Unnull(node);
  const Value& v = node.type == Type::kUnion && &n != &node ? value.branch_value() : value;
  if (v.type() == Type::kNull) return std::nullopt;
  switch (n.logical) {
    case LogicalType::kDecimal:
      return DecimalText(v.bytes(), n.scale);
    case LogicalType::kTimestampMillis:
    case LogicalType::kLocalTimestampMillis:
      return std::to_string(*v.AsLong() * 1000);
    case LogicalType::kTimestampMicros:
    case LogicalType::kLocalTimestampMicros:
    case LogicalType::kTimestampNanos:
    case LogicalType::kLocalTimestampNanos:
    case LogicalType::kDate:
      return std::to_string(*v.AsLong());
    case LogicalType::kUuid: {
      if (n.type == Type::kFixed) {
        std::string h = Hex(v.bytes());
        for (char& c : h) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return h;
      }
      std::string s;
      for (char c : v.bytes()) {
        if (c != '-') s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      return s;
    }
    default:
      break;
  }
  switch (n.type) {
    case Type::kBoolean:
      return std::string(v.boolean() ? "true" : "false");
    case Type::kInt:
    case Type::kLong:
      return std::to_string(*v.AsLong());
    case Type::kString:
      return v.bytes();
    case Type::kEnum:
      return n.symbols[v.enum_index()];
    case Type::kBytes:
    case Type::kFixed:
      return Hex(v.bytes());
    default:
      return std::string();
  }
}

TEST(AvroTestdataPrepareTest, EveryFileConvertsWithTheReadersValuesOrIsRejected) {
  auto testdata = ::atl::testing::TestdataDir();
  if (!testdata) GTEST_SKIP() << "../shared/testdata is absent: no Avro files to prepare";
  const std::string avro_dir = *testdata + "/avro";
  ::atl::testing::TempDir dir;
  const std::string root = dir.Join("lake");
  ASSERT_OK(Lake::Init(root, Settings{}));
  std::map<std::string, std::string> tables;  // table name → source file
  for (const auto& entry : fs::directory_iterator(avro_dir)) {
    if (entry.path().extension() != ".avro") continue;
    std::string table = entry.path().stem().string();
    for (char& c : table) {
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    }
    tables[table] = entry.path().string();
    ::atl::testing::WriteFile(
        root + "/prepare/avro/" + table + "/" + entry.path().filename().string(),
        ::atl::testing::ReadFile(entry.path().string()));
  }
  ASSERT_GE(tables.size(), 15u);
  ASSERT_OK_AND_ASSIGN(auto lake, Lake::Open(root));
  ASSERT_OK_AND_ASSIGN(PrepareReport report, Prepare(*lake));
  ASSERT_OK_AND_ASSIGN(auto engine, engine::Engine::Open());
  int converted = 0, rejected = 0, cells = 0;
  for (const auto& [table, source] : tables) {
    SCOPED_TRACE(source);
    const std::string name = fs::path(source).filename().string();
    const std::string reason =
        root + "/_rejected/prepare/avro/" + table + "/" + name + ".error.json";
    auto reader = avro::Reader::OpenFile(source);
    Result<std::vector<Value>> rows =
        reader.ok() ? (*reader)->ReadAll() : Result<std::vector<Value>>(reader.status());
    if (fs::exists(reason)) {
      ++rejected;
      auto doc = nlohmann::json::parse(::atl::testing::ReadFile(reason));
      EXPECT_FALSE(doc["reason"].get<std::string>().empty());
      std::cout << "rejected " << name << ": " << doc["reason"].get<std::string>() << "\n";
      EXPECT_FALSE(rows.ok()) << "the reader reads it, so prepare should convert it: "
                              << doc.dump();
      continue;
    }
    ASSERT_OK(rows);
    std::vector<std::string> outputs;
    for (const auto& e : fs::directory_iterator(root + "/load/avro/" + table))
      outputs.push_back(e.path().string());
    ASSERT_EQ(outputs.size(), 1u);
    ++converted;
    const Node& root_node = (*reader)->schema()->root();
    std::vector<std::pair<std::string, const Node*>> columns;
    if (root_node.type == Type::kRecord) {
      for (const auto& f : root_node.fields) columns.emplace_back(f.name, f.type);
    } else {
      columns.emplace_back("value", &root_node);
    }
    std::string sql = "SELECT ";
    for (size_t i = 0; i < columns.size(); ++i) {
      sql += (i ? ", " : "") +
             ColumnSql(*columns[i].second, engine::QuoteIdentifier(columns[i].first));
    }
    sql += " FROM read_parquet(" + engine::QuoteString(outputs[0]) + ")";
    ASSERT_OK_AND_ASSIGN(engine::QueryResult got, engine->Query(sql));
    ASSERT_EQ(got.rows.size(), rows->size());
    for (size_t r = 0; r < rows->size(); ++r) {
      for (size_t c = 0; c < columns.size(); ++c) {
        SCOPED_TRACE("row " + std::to_string(r) + " column " + columns[c].first);
        const Value& v = root_node.type == Type::kRecord ? (*rows)[r].fields()[c] : (*rows)[r];
        std::optional<std::string> want = Expected(*columns[c].second, v);
        const auto& cell = got.rows[r][c];
        ++cells;
        if (!want) {
          EXPECT_FALSE(cell.has_value()) << *cell;
        } else if (want->empty()) {
          ASSERT_TRUE(cell.has_value());
          const Node& n = Unnull(*columns[c].second);
          if (n.type == Type::kFloat || n.type == Type::kDouble) {
            EXPECT_NEAR(std::stod(*cell), *v.Unwrapped().AsDouble(),
                        1e-6 * std::max(1.0, std::fabs(std::stod(*cell))));
          } else {
            auto j = nlohmann::json::parse(*cell, nullptr, false);
            ASSERT_FALSE(j.is_discarded()) << *cell;
            EXPECT_EQ(JsonDiff(*columns[c].second, v, j, columns[c].first), "") << *cell;
          }
        } else {
          EXPECT_EQ(cell, *want);
        }
      }
    }
  }
  std::cout << converted << " Avro files converted (" << cells << " values compared), " << rejected
            << " rejected\n";
  EXPECT_EQ(report.files_rejected(), static_cast<size_t>(rejected));
  EXPECT_GE(converted, 15);
  EXPECT_GE(cells, 300);
  EXPECT_GE(rejected, 1);  // c_avro-1238-truncated.avro
}

}  // namespace
}  // namespace atl::lake
