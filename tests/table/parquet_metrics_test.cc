#include "atoll/table/parquet_metrics.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/table_metadata.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using iceberg::Literal;
using iceberg::NestedField;
using iceberg::Schema;
using iceberg::Type;

NestedField Field(int32_t id, std::string name, iceberg::TypePtr type) {
  return NestedField{id, std::move(name), false, std::move(type), {}, {}, {}};
}

std::string Bytes(const Literal& l) {
  auto b = iceberg::LiteralToBytes(l);
  EXPECT_OK(b);
  return b.ok() ? *b : std::string();
}

class ParquetMetricsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(options));
  }

  std::unique_ptr<engine::Engine> engine_;
  TempDir dir_;
};

// 5000 rows in 3 row groups; every 7th row null; values follow i.
constexpr const char* kSelect =
    "SELECT i::INT % 2 = 0 AS b, i::INT AS i32, i * 1000000000 AS i64, i::FLOAT / 4 AS f, "
    "-i::DOUBLE AS d, (i / 100)::DECIMAL(9,2) AS dec, DATE '2020-01-01' + i::INT AS dt, "
    "TIME '00:00:00' + i * INTERVAL 1 second AS tm, "
    "TIMESTAMP '2020-01-01 00:00:00' + i * INTERVAL 1 millisecond AS ts, "
    "TIMESTAMPTZ '2020-01-01 00:00:00+00' + i * INTERVAL 1 hour AS tz, "
    "'prefix-with-more-than-16-' || lpad(i::VARCHAR, 5, '0') AS s, "
    "repeat('é', 20) || i::VARCHAR AS u8, "
    "('\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF\\xFF' || "
    "i::VARCHAR)::BLOB AS bl, "
    "('\\x01\\x02' || i::VARCHAR)::BLOB AS sb, "
    "('00000000-0000-0000-0000-' || lpad(i::VARCHAR, 12, '0'))::UUID AS id, "
    "CASE WHEN i = 2500 THEN 'nan'::DOUBLE ELSE i END AS nanny, "
    "[i, i + 1] AS l, {'a': i::INT} AS st";

Schema AllTypesSchema(bool renamed = false) {
  std::string p = renamed ? "x_" : "";
  return Schema(0, {Field(1, p + "b", Type::Boolean()), Field(2, p + "i32", Type::Int()),
                    Field(3, p + "i64", Type::Long()), Field(4, p + "f", Type::Float()),
                    Field(5, p + "d", Type::Double()), Field(6, p + "dec", Type::Decimal(9, 2)),
                    Field(7, p + "dt", Type::Date()), Field(8, p + "tm", Type::Time()),
                    Field(9, p + "ts", Type::Timestamp()), Field(10, p + "tz", Type::TimestampTz()),
                    Field(11, p + "s", Type::String()), Field(12, p + "u8", Type::String()),
                    Field(13, p + "bl", Type::Binary()), Field(14, p + "sb", Type::Binary()),
                    Field(15, p + "id", Type::Uuid()), Field(16, p + "nanny", Type::Double()),
                    Field(17, p + "l", Type::List(18, false, Type::Long())),
                    Field(19, p + "st", Type::Struct({Field(20, "a", Type::Int())}))});
}

constexpr const char* kFieldIds =
    "FIELD_IDS {b: 1, i32: 2, i64: 3, f: 4, d: 5, dec: 6, dt: 7, tm: 8, ts: 9, tz: 10, s: 11, "
    "u8: 12, bl: 13, sb: 14, id: 15, nanny: 16, l: {__duckdb_field_id: 17, element: 18}, "
    "st: {__duckdb_field_id: 19, a: 20}}";

// Writes the all-types file (nulls in every 7th row) and returns its path.
std::string WriteAllTypes(engine::Engine& engine, const std::string& path, bool with_ids) {
  // Every column is NULL in rows where i % 7 = 0 (the CASE wraps each expression).
  std::string sql = "COPY (SELECT * EXCLUDE (i) REPLACE (";
  const char* cols[] = {"b",  "i32", "i64", "f",  "d",  "dec", "dt",    "tm", "ts",
                        "tz", "s",   "u8",  "bl", "sb", "id",  "nanny", "l",  "st"};
  for (size_t k = 0; k < std::size(cols); ++k) {
    if (k > 0) sql += ", ";
    sql += std::string("CASE WHEN i % 7 = 0 THEN NULL ELSE ") + cols[k] + " END AS " + cols[k];
  }
  sql += ") FROM (" + std::string(kSelect) + ", i FROM range(5000) r(i))) TO " +
         engine::QuoteString(path) + " (FORMAT parquet, ROW_GROUP_SIZE 1000";
  if (with_ids) sql += std::string(", ") + kFieldIds;
  sql += ")";
  EXPECT_OK(engine.Execute(sql));
  return path;
}

void CheckAllTypes(const iceberg::DataFile& f, int64_t size) {
  EXPECT_EQ(f.file_format, "PARQUET");
  EXPECT_EQ(f.record_count, 5000);
  EXPECT_EQ(f.file_size_in_bytes, size);
  ASSERT_EQ(f.split_offsets.size(), 3u);  // DuckDB rounds ROW_GROUP_SIZE 1000 up to 2048 rows
  EXPECT_EQ(f.split_offsets[0], 4);       // right after "PAR1"
  EXPECT_TRUE(std::is_sorted(f.split_offsets.begin(), f.split_offsets.end()));
  EXPECT_LT(f.split_offsets.back(), size);

  // i = 0..4999, NULL where i % 7 = 0: 715 nulls; non-null i from 1 to 4999 (4998 % 7 = 0).
  for (int id : {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 20}) {
    EXPECT_EQ(f.value_counts.at(id), 5000) << id;
    EXPECT_EQ(f.null_value_counts.at(id), 715) << id;
    EXPECT_GT(f.column_sizes.at(id), 0) << id;
  }
  // The list element: two per non-null row, counts present, no bounds, no null count.
  EXPECT_EQ(f.value_counts.at(18), 4285 * 2 + 715);
  EXPECT_FALSE(f.lower_bounds.count(18));
  EXPECT_FALSE(f.value_counts.count(17));  // groups have no column of their own
  EXPECT_FALSE(f.value_counts.count(19));
  EXPECT_TRUE(f.nan_value_counts.empty());

  EXPECT_EQ(f.lower_bounds.at(1), Bytes(Literal::Boolean(false)));
  EXPECT_EQ(f.upper_bounds.at(1), Bytes(Literal::Boolean(true)));
  EXPECT_EQ(f.lower_bounds.at(2), Bytes(Literal::Int(1)));
  EXPECT_EQ(f.upper_bounds.at(2), Bytes(Literal::Int(4999)));
  EXPECT_EQ(f.lower_bounds.at(3), Bytes(Literal::Long(1000000000)));
  EXPECT_EQ(f.upper_bounds.at(3), Bytes(Literal::Long(4999000000000)));
  EXPECT_EQ(f.lower_bounds.at(4), Bytes(Literal::Float(0.25f)));
  EXPECT_EQ(f.upper_bounds.at(4), Bytes(Literal::Float(1249.75f)));
  EXPECT_EQ(f.lower_bounds.at(5), Bytes(Literal::Double(-4999)));
  EXPECT_EQ(f.upper_bounds.at(5), Bytes(Literal::Double(-1)));
  EXPECT_EQ(f.lower_bounds.at(6), Bytes(Literal::Decimal(1, 9, 2)));     // 0.01
  EXPECT_EQ(f.upper_bounds.at(6), Bytes(Literal::Decimal(4999, 9, 2)));  // 49.99
  EXPECT_EQ(f.lower_bounds.at(7), Bytes(Literal::Date(18262 + 1)));      // 2020-01-02
  EXPECT_EQ(f.upper_bounds.at(7), Bytes(Literal::Date(18262 + 4999)));
  EXPECT_EQ(f.lower_bounds.at(8), Bytes(Literal::Time(1000000)));
  EXPECT_EQ(f.upper_bounds.at(8), Bytes(Literal::Time(4999000000)));
  const int64_t t2020 = 1577836800000000;
  EXPECT_EQ(f.lower_bounds.at(9), Bytes(Literal::Timestamp(t2020 + 1000)));
  EXPECT_EQ(f.upper_bounds.at(9), Bytes(Literal::Timestamp(t2020 + 4999000)));
  EXPECT_EQ(f.lower_bounds.at(10), Bytes(Literal::TimestampTz(t2020 + 3600000000LL)));
  EXPECT_EQ(f.upper_bounds.at(10), Bytes(Literal::TimestampTz(t2020 + 4999 * 3600000000LL)));
  // Truncated strings: 16 code points, upper bound incremented.
  EXPECT_EQ(f.lower_bounds.at(11), Bytes(Literal::String("prefix-with-more")));
  EXPECT_EQ(f.upper_bounds.at(11), Bytes(Literal::String("prefix-with-morf")));
  std::string e15;
  for (int k = 0; k < 15; ++k) e15 += "é";
  EXPECT_EQ(f.lower_bounds.at(12), Bytes(Literal::String(e15 + "é")));
  EXPECT_EQ(f.upper_bounds.at(12), Bytes(Literal::String(e15 + "ê")));
  // Binary: 16 x 0xFF cannot be incremented -> no upper bound.
  EXPECT_EQ(f.lower_bounds.at(13), Bytes(Literal::Binary(std::string(16, '\xFF'))));
  EXPECT_FALSE(f.upper_bounds.count(13));
  // Short binary: exact, with escaped bytes read back.
  EXPECT_EQ(f.lower_bounds.at(14), Bytes(Literal::Binary("\x01\x02"
                                                         "1")));
  EXPECT_EQ(f.upper_bounds.at(14), Bytes(Literal::Binary("\x01\x02"
                                                         "999")));
  std::string uuid_lo(16, '\0'), uuid_hi(16, '\0');
  uuid_lo[15] = 0x01;  // ...000000000001 is hex: 0x01
  // 4999 as the decimal digits "000000004999" of the last group: bytes 00 00 00 00 49 99.
  uuid_hi[14] = 0x49;
  uuid_hi[15] = static_cast<char>(0x99);
  EXPECT_EQ(f.lower_bounds.at(15), Bytes(Literal::Uuid(uuid_lo)));
  EXPECT_EQ(f.upper_bounds.at(15), Bytes(Literal::Uuid(uuid_hi)));
  // A NaN in one row group: DuckDB writes no statistics there, so no bounds at all.
  EXPECT_FALSE(f.lower_bounds.count(16));
  EXPECT_FALSE(f.upper_bounds.count(16));
  EXPECT_EQ(f.value_counts.at(16), 5000);
  // A struct child has bounds.
  EXPECT_EQ(f.lower_bounds.at(20), Bytes(Literal::Int(1)));
  EXPECT_EQ(f.upper_bounds.at(20), Bytes(Literal::Int(4999)));
}

TEST_F(ParquetMetricsTest, AllTypesByFieldId) {
  std::string path = WriteAllTypes(*engine_, dir_.Join("ids.parquet"), /*with_ids=*/true);
  int64_t size = static_cast<int64_t>(std::filesystem::file_size(path));
  // Names differ from the file's: only the ids can map them.
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile f,
                       ReadParquetMetrics(*engine_, path, size, AllTypesSchema(/*renamed=*/true)));
  EXPECT_EQ(f.file_path, path);
  CheckAllTypes(f, size);
  // Column sizes add up to less than the file.
  int64_t total = 0;
  for (const auto& [id, n] : f.column_sizes) total += n;
  EXPECT_LT(total, size);
}

TEST_F(ParquetMetricsTest, AllTypesByName) {
  std::string path = WriteAllTypes(*engine_, dir_.Join("names.parquet"), /*with_ids=*/false);
  int64_t size = static_cast<int64_t>(std::filesystem::file_size(path));
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile f,
                       ReadParquetMetrics(*engine_, path, size, AllTypesSchema()));
  CheckAllTypes(f, size);
  // With the renamed schema and no ids nothing maps.
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile g,
                       ReadParquetMetrics(*engine_, path, size, AllTypesSchema(/*renamed=*/true)));
  EXPECT_EQ(g.record_count, 5000);
  EXPECT_TRUE(g.value_counts.empty());
  EXPECT_TRUE(g.lower_bounds.empty());
}

TEST_F(ParquetMetricsTest, TruncationRules) {
  EXPECT_EQ(TruncateStringLower("abc", 16), "abc");
  EXPECT_EQ(TruncateStringUpper("abc", 16), "abc");
  EXPECT_EQ(TruncateStringLower("abcdef", 3), "abc");
  EXPECT_EQ(TruncateStringUpper("abcdef", 3), "abd");
  EXPECT_EQ(TruncateStringUpper("ab\U0010FFFFz", 3), "ac");
  EXPECT_EQ(TruncateStringUpper("\U0010FFFF\U0010FFFFz", 2), std::nullopt);
  EXPECT_EQ(TruncateStringUpper("a\uD7FFz", 2), "a\uE000");  // skips the surrogates
  EXPECT_EQ(TruncateBinaryLower("abcdef", 3), "abc");
  EXPECT_EQ(TruncateBinaryUpper(std::string("a\xFF\xFFz"), 3), "b");
  EXPECT_EQ(TruncateBinaryUpper(std::string("\xFF\xFFz"), 2), std::nullopt);
}

TEST_F(ParquetMetricsTest, MissingAndNonParquetFiles) {
  EXPECT_THAT(ReadParquetMetrics(*engine_, dir_.Join("nope.parquet"), 1, AllTypesSchema()),
              IsError(StatusCode::kNotFound));
  ::atl::testing::WriteFile(dir_.Join("junk.parquet"), "this is not parquet at all");
  EXPECT_FALSE(ReadParquetMetrics(*engine_, dir_.Join("junk.parquet"), 26, AllTypesSchema()).ok());
}

TEST_F(ParquetMetricsTest, ExternalNestedFilesMapByStructure) {
  auto root = ::atl::testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata is absent";
  // a: map<string, map<int, boolean>>, b: int, c: double (no field ids: by name).
  Schema maps(0, {Field(1, "a",
                        Type::Map(4, Type::String(), 5, false,
                                  Type::Map(6, Type::Int(), 7, false, Type::Boolean()))),
                  Field(2, "b", Type::Int()), Field(3, "c", Type::Double())});
  std::string path = *root + "/parquet/nested_maps.snappy.parquet";
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile f,
                       ReadParquetMetrics(*engine_, path, std::filesystem::file_size(path), maps));
  EXPECT_EQ(f.record_count, 6);
  EXPECT_EQ(f.value_counts, (iceberg::ColumnMap<int64_t>{{2, 6}, {3, 6}, {4, 6}, {6, 9}, {7, 9}}));
  EXPECT_EQ(f.null_value_counts,
            (iceberg::ColumnMap<int64_t>{{2, 0}, {3, 0}, {4, 0}, {6, 2}, {7, 2}}));
  EXPECT_EQ(f.column_sizes.size(), 5u);
  EXPECT_TRUE(f.lower_bounds.empty());  // this old writer left only deprecated min/max

  Schema lists(0, {Field(1, "int64_list", Type::List(3, false, Type::Long())),
                   Field(2, "utf8_list", Type::List(4, false, Type::String()))});
  path = *root + "/parquet/list_columns.parquet";
  ASSERT_OK_AND_ASSIGN(f,
                       ReadParquetMetrics(*engine_, path, std::filesystem::file_size(path), lists));
  EXPECT_EQ(f.value_counts, (iceberg::ColumnMap<int64_t>{{3, 6}, {4, 8}}));
  EXPECT_EQ(f.null_value_counts, (iceberg::ColumnMap<int64_t>{{3, 1}, {4, 1}}));
  EXPECT_TRUE(f.lower_bounds.empty());  // elements of lists get no bounds
}

std::string Slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Our metrics against the ones the table's writer recorded in its manifests.
void CompareWithManifests(engine::Engine& engine, const std::string& table_dir,
                          const std::string& metadata_file, int* files_checked,
                          int* bounds_checked) {
  ASSERT_OK_AND_ASSIGN(auto metadata, iceberg::TableMetadata::Parse(
                                          Slurp(table_dir + "/metadata/" + metadata_file)));
  const Schema* schema = metadata.CurrentSchema();
  ASSERT_NE(schema, nullptr);
  std::string folder = std::filesystem::path(table_dir).filename().string();
  for (const auto& entry : std::filesystem::directory_iterator(table_dir + "/metadata")) {
    std::string name = entry.path().filename().string();
    if (name.find("-m") == std::string::npos || entry.path().extension() != ".avro") continue;
    ASSERT_OK_AND_ASSIGN(iceberg::Manifest manifest,
                         iceberg::ReadManifest(Slurp(entry.path()), name));
    for (const iceberg::ManifestEntry& e : manifest.entries) {
      const iceberg::DataFile& want = e.data_file;
      if (want.file_format != "PARQUET" || want.content != iceberg::FileContent::kData) continue;
      // Writers' original locations: resolve the part after "<table folder>/".
      std::string marker = folder + "/";
      size_t at = ("/" + want.file_path).rfind("/" + marker);
      ASSERT_NE(at, std::string::npos) << want.file_path;
      std::string local = table_dir + "/" + want.file_path.substr(at + marker.size());
      SCOPED_TRACE(local);
      ASSERT_OK_AND_ASSIGN(
          iceberg::DataFile got,
          ReadParquetMetrics(engine, local, std::filesystem::file_size(local), *schema));
      EXPECT_EQ(got.record_count, want.record_count);
      EXPECT_EQ(got.file_size_in_bytes, want.file_size_in_bytes);
      EXPECT_EQ(got.value_counts, want.value_counts);
      EXPECT_EQ(got.null_value_counts, want.null_value_counts);
      if (!want.column_sizes.empty()) {
        EXPECT_EQ(got.column_sizes, want.column_sizes);
      }
      if (!want.split_offsets.empty()) {
        EXPECT_EQ(got.split_offsets, want.split_offsets);
      }
      for (const auto& [id, bound] : want.lower_bounds) {
        EXPECT_EQ(got.lower_bounds[id], bound) << "lower bound of field " << id;
        ++*bounds_checked;
      }
      for (const auto& [id, bound] : want.upper_bounds) {
        EXPECT_EQ(got.upper_bounds[id], bound) << "upper bound of field " << id;
        ++*bounds_checked;
      }
      ++*files_checked;
    }
  }
}

TEST_F(ParquetMetricsTest, MatchesWhatIcebergWritersRecorded) {
  auto root = ::atl::testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata is absent";
  int files = 0, bounds = 0;
  CompareWithManifests(*engine_, *root + "/iceberg/duckdb-iceberg/lineitem_iceberg",
                       "v2.metadata.json", &files, &bounds);
  CompareWithManifests(*engine_, *root + "/iceberg/impala/iceberg_partitioned", "v2.metadata.json",
                       &files, &bounds);
  EXPECT_GE(files, 20);
  EXPECT_GT(bounds, 100);
}

}  // namespace
}  // namespace atl::table
