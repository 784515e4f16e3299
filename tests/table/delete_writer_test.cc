// Position delete files and deletion vectors (table/delete_writer.h): the files read back with
// DuckDB (order, field ids, grouping, metrics), the DVs through ReadDeletionVector (merged with
// an existing one), and both applied by iceberg_scan's SQL to rows found by their row address.
#include "atoll/table/delete_writer.h"

#include <filesystem>

#include "atoll/iceberg/scan/puffin.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/storage/memory_store.h"
#include "atoll/table/iceberg_scan_sql.h"
#include "testing/testing.h"

namespace atl::table {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;
using iceberg::DataFile;
using iceberg::FileContent;
using iceberg::Literal;
using ::testing::HasSubstr;

std::string LongBytes(int64_t v) { return *iceberg::LiteralToBytes(Literal::Long(v)); }

class DeleteWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    engine::EngineOptions options;
    options.threads = 2;
    ASSERT_OK_AND_ASSIGN(engine_, engine::Engine::Open(options));
  }

  // Rows as "a|b" lines (NULL as "NULL"), in the query's order.
  std::vector<std::string> Rows(const std::string& sql) {
    Result<engine::QueryResult> r = engine_->Query(sql);
    EXPECT_OK(r);
    std::vector<std::string> out;
    if (!r.ok()) return out;
    for (const auto& row : r->rows) {
      std::string line;
      for (size_t i = 0; i < row.size(); ++i) line += (i ? "|" : "") + (row[i] ? *row[i] : "NULL");
      out.push_back(line);
    }
    return out;
  }

  // Writes `select` as a Parquet data file with field id 1 for column v.
  DataFile WriteData(const std::string& name, const std::string& select) {
    std::string path = dir_.Join(name);
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    EXPECT_OK(engine_->Execute("COPY (" + select + ") TO " + engine::QuoteString(path) +
                               " (FORMAT parquet, FIELD_IDS {v: 1})"));
    DataFile f;
    f.file_path = path;
    f.file_format = "PARQUET";
    return f;
  }

  // The visible rows of the plan over `data` (each with its deletes) as "v|file|pos", sorted.
  std::vector<std::string> Scan(
      const std::vector<std::pair<DataFile, std::vector<DataFile>>>& data) {
    iceberg::NestedField v{1, "v", true, iceberg::Type::Long(), {}, {}, {}};
    iceberg::Schema schema(0, {v});
    iceberg::TableMetadata m;
    m.schemas = {schema};
    m.specs = {iceberg::UnpartitionedSpec()};
    iceberg::ScanPlan plan{std::nullopt, schema, {}, {}};
    for (const auto& [file, deletes] : data) {
      iceberg::FileScanTask t;
      t.file = file;
      t.position_deletes = deletes;
      plan.tasks.push_back(t);
    }
    ScanSqlHooks hooks;
    hooks.readable_path = [](std::string_view loc) -> Result<std::string> {
      return std::string(loc);
    };
    hooks.read_deletion_vector = [this](const DataFile& dv) {
      return iceberg::ReadDeletionVector(io_, dv);
    };
    ScanSqlOptions options;
    options.row_address = true;
    Result<std::string> sql = BuildScanSql(plan, m, hooks, options);
    EXPECT_OK(sql);
    if (!sql.ok()) return {};
    std::vector<std::string> rows = Rows("SELECT * FROM (" + *sql + ")");
    std::sort(rows.begin(), rows.end());
    return rows;
  }

  TempDir dir_;
  iceberg::FileIO io_;
  std::unique_ptr<engine::Engine> engine_;
};

TEST_F(DeleteWriterTest, PositionDeletesAreSortedGroupedByPartitionWithFieldIds) {
  const std::string wh = dir_.Join("wh/t");
  const std::string a = "s3://lake/t/data/p=1/a.parquet", b = "s3://lake/t/data/p=1/b.parquet",
                    c = "s3://lake/t/data/p=2/c.parquet", d = "s3://lake/t/data/old/d.parquet",
                    unused = "s3://lake/t/data/p=1/e.parquet";
  std::map<std::string, DeletedDataFile> data = {{a, {1, {Literal::Int(1)}}},
                                                 {b, {1, {Literal::Int(1)}}},
                                                 {c, {1, {Literal::Int(2)}}},
                                                 {d, {0, {}}},
                                                 {unused, {1, {Literal::Int(1)}}}};
  DataWriterOptions options;
  options.compression = "snappy";
  options.file_name_prefix = "00007-";
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> files,
      WritePositionDeletes(*engine_,
                           "SELECT * FROM (VALUES ('" + b + "', 5), ('" + a + "', 7000000000), ('" +
                               a + "', 2), ('" + c + "', 0), ('" + a + "', 2), ('" + d +
                               "', 3), ('" + b + "', 1)) t(file_path, pos)",
                           data, wh, options));
  ASSERT_EQ(files.size(), 3u);
  // Groups in the order of their first data file: p=1 (a, b), p=2 (c), spec 0 (d).
  std::sort(files.begin(), files.end(), [](const WrittenDeleteFile& x, const WrittenDeleteFile& y) {
    return x.file.record_count > y.file.record_count ||
           (x.file.record_count == y.file.record_count && x.spec_id > y.spec_id);
  });
  const WrittenDeleteFile& p1 = files[0];
  const WrittenDeleteFile& p2 = files[1];
  const WrittenDeleteFile& old = files[2];
  EXPECT_EQ(p1.spec_id, 1);
  EXPECT_EQ(p2.spec_id, 1);
  EXPECT_EQ(old.spec_id, 0);
  EXPECT_TRUE(p1.file.partition == std::vector<Literal>{Literal::Int(1)});
  EXPECT_TRUE(p2.file.partition == std::vector<Literal>{Literal::Int(2)});
  EXPECT_TRUE(old.file.partition.empty());
  for (const WrittenDeleteFile& w : files) {
    const DataFile& f = w.file;
    SCOPED_TRACE(f.file_path);
    EXPECT_EQ(f.content, FileContent::kPositionDeletes);
    EXPECT_EQ(f.file_format, "PARQUET");
    EXPECT_EQ(f.file_path.rfind(wh + "/data/00007-", 0), 0u);
    EXPECT_THAT(f.file_path, ::testing::EndsWith("-deletes.parquet"));
    EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(f.file_path)));
    // Field ids as the spec says; the codec of the options.
    EXPECT_EQ(Rows("SELECT name, field_id FROM parquet_schema(" + engine::QuoteString(f.file_path) +
                   ") WHERE field_id IS NOT NULL ORDER BY name"),
              (std::vector<std::string>{"file_path|2147483546", "pos|2147483545"}));
    EXPECT_EQ(Rows("SELECT DISTINCT compression FROM parquet_metadata(" +
                   engine::QuoteString(f.file_path) + ")"),
              (std::vector<std::string>{"SNAPPY"}));
  }
  // Sorted by file_path then pos, a duplicate written once; bounds in full, not truncated.
  EXPECT_EQ(Rows("SELECT file_path, pos FROM read_parquet(" +
                 engine::QuoteString(p1.file.file_path) + ")"),
            (std::vector<std::string>{a + "|2", a + "|7000000000", b + "|1", b + "|5"}));
  EXPECT_EQ(p1.file.record_count, 4);
  EXPECT_FALSE(p1.file.referenced_data_file.has_value());
  EXPECT_EQ(p1.file.lower_bounds.at(kDeleteFilePathFieldId), a);
  EXPECT_EQ(p1.file.upper_bounds.at(kDeleteFilePathFieldId), b);
  EXPECT_EQ(p1.file.lower_bounds.at(kDeleteFilePosFieldId), LongBytes(1));
  EXPECT_EQ(p1.file.upper_bounds.at(kDeleteFilePosFieldId), LongBytes(7000000000));
  EXPECT_EQ(p1.file.value_counts.at(kDeleteFilePosFieldId), 4);
  EXPECT_EQ(Rows("SELECT file_path, pos FROM read_parquet(" +
                 engine::QuoteString(p2.file.file_path) + ")"),
            (std::vector<std::string>{c + "|0"}));
  EXPECT_EQ(p2.file.referenced_data_file, c);
  EXPECT_EQ(old.file.referenced_data_file, d);
  EXPECT_EQ(old.file.record_count, 1);
}

TEST_F(DeleteWriterTest, PositionDeletesRejectBadRowsAndWriteNothingForNone) {
  const std::string wh = dir_.Join("t");
  std::map<std::string, DeletedDataFile> data = {{"/x/a.parquet", {0, {}}}};
  Result<std::vector<WrittenDeleteFile>> r =
      WritePositionDeletes(*engine_, "SELECT '/x/other.parquet' AS file_path, 1 AS pos", data, wh);
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("/x/other.parquet"));
  EXPECT_THAT(
      WritePositionDeletes(*engine_, "SELECT '/x/a.parquet' AS file_path, -1 AS pos", data, wh),
      IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(WritePositionDeletes(
                  *engine_, "SELECT '/x/a.parquet' AS file_path, NULL::BIGINT AS pos", data, wh),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(WritePositionDeletes(*engine_, "SELECT '/x/a.parquet' AS path, 1 AS pos", data, wh),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> none,
      WritePositionDeletes(*engine_, "SELECT '/x/a.parquet' AS file_path, 1 AS pos LIMIT 0", data,
                           wh));
  EXPECT_TRUE(none.empty());
  // Nothing was written, and no staging table is left behind.
  EXPECT_TRUE(std::filesystem::is_empty(wh + "/data"));
  EXPECT_EQ(Rows("SELECT count(*) FROM duckdb_tables() WHERE table_name LIKE '__atoll_delete%'"),
            (std::vector<std::string>{"0"}));
}

TEST_F(DeleteWriterTest, PositionDeletesOfRowAddressesHideThoseRows) {
  DataFile a = WriteData("t/data/a.parquet", "SELECT i AS v FROM range(0, 10) t(i)");
  DataFile b = WriteData("t/data/b.parquet", "SELECT i AS v FROM range(100, 105) t(i)");
  EXPECT_EQ(Scan({{a, {}}, {b, {}}}).size(), 15u);
  // Delete the rows whose v is divisible by 3, found through their row addresses.
  std::map<std::string, DeletedDataFile> data = {{a.file_path, {0, {}}}, {b.file_path, {0, {}}}};
  std::string addresses;
  for (const std::string& row : Scan({{a, {}}, {b, {}}})) {
    size_t bar = row.find('|'), bar2 = row.rfind('|');
    if (std::stoll(row.substr(0, bar)) % 3 != 0) continue;
    addresses += (addresses.empty() ? "" : ", ") + std::string("(") +
                 engine::QuoteString(row.substr(bar + 1, bar2 - bar - 1)) + ", " +
                 row.substr(bar2 + 1) + ")";
  }
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> files,
      WritePositionDeletes(*engine_,
                           "SELECT * FROM (VALUES " + addresses + ") AS t(file_path, pos)", data,
                           dir_.Join("t")));
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].file.record_count, 5);  // 0, 3, 6, 9 and 102
  std::vector<std::string> left = Scan({{a, {files[0].file}}, {b, {files[0].file}}});
  std::vector<std::string> values;
  for (const std::string& row : left) values.push_back(row.substr(0, row.find('|')));
  std::sort(values.begin(), values.end());
  EXPECT_EQ(values,
            (std::vector<std::string>{"1", "100", "101", "103", "104", "2", "4", "5", "7", "8"}));
}

TEST_F(DeleteWriterTest, DeletionVectorsMergeWithTheExistingOnes) {
  const std::string wh = dir_.Join("t");
  const std::string a = "s3://lake/t/data/a.parquet", b = "s3://lake/t/data/p=3/b.parquet";
  std::map<std::string, DeletedDataFile> data = {{a, {0, {}}}, {b, {2, {Literal::String("x")}}}};
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> first,
      WriteDeletionVectors(io_, wh, {{a, {5, 1, 5, 70000}}, {b, {4294967296LL + 3, 2}}}, {}, data));
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(first[0].file.file_path, first[1].file.file_path);  // one Puffin file
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got_a, iceberg::ReadDeletionVector(io_, first[0].file));
  EXPECT_EQ(got_a, (std::vector<int64_t>{1, 5, 70000}));
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got_b, iceberg::ReadDeletionVector(io_, first[1].file));
  EXPECT_EQ(got_b, (std::vector<int64_t>{2, 4294967296LL + 3}));
  EXPECT_EQ(first[1].spec_id, 2);
  EXPECT_TRUE(first[1].file.partition == std::vector<Literal>{Literal::String("x")});

  // The entries and the Puffin footer agree, as the spec requires.
  const std::string puffin = first[0].file.file_path;
  EXPECT_EQ(puffin.rfind(wh + "/data/", 0), 0u);
  EXPECT_THAT(puffin, ::testing::EndsWith("-dv.puffin"));
  ASSERT_OK_AND_ASSIGN(iceberg::PuffinFileMetadata footer,
                       iceberg::ReadPuffinMetadata(io_, puffin));
  ASSERT_EQ(footer.blobs.size(), 2u);
  for (size_t i = 0; i < 2; ++i) {
    const DataFile& f = first[i].file;
    const iceberg::PuffinBlobMetadata& blob = footer.blobs[i];
    EXPECT_EQ(f.content, FileContent::kPositionDeletes);
    EXPECT_EQ(f.file_format, "PUFFIN");
    EXPECT_EQ(f.file_size_in_bytes, static_cast<int64_t>(std::filesystem::file_size(puffin)));
    EXPECT_EQ(f.content_offset, blob.offset);
    EXPECT_EQ(f.content_size_in_bytes, blob.length);
    EXPECT_EQ(blob.type, "deletion-vector-v1");
    EXPECT_EQ(blob.fields, (std::vector<int32_t>{kRowPositionFieldId}));
    EXPECT_EQ(blob.snapshot_id, -1);
    EXPECT_EQ(blob.sequence_number, -1);
    EXPECT_FALSE(blob.compression_codec.has_value());
    EXPECT_EQ(blob.properties.at("referenced-data-file"), *f.referenced_data_file);
    EXPECT_EQ(blob.properties.at("cardinality"), std::to_string(f.record_count));
  }
  EXPECT_EQ(first[0].file.referenced_data_file, a);
  EXPECT_EQ(first[0].file.record_count, 3);

  // New deletes on a merge with a's DV; b's DV is not rewritten when b gets no new deletes.
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> second,
                       WriteDeletionVectors(io_, wh, {{a, {0, 5, 9}}},
                                            {{a, first[0].file}, {b, first[1].file}}, data));
  ASSERT_EQ(second.size(), 1u);
  EXPECT_NE(second[0].file.file_path, puffin);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> merged,
                       iceberg::ReadDeletionVector(io_, second[0].file));
  EXPECT_EQ(merged, (std::vector<int64_t>{0, 1, 5, 9, 70000}));
  EXPECT_EQ(second[0].file.record_count, 5);

  // Nothing to delete: no file.
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> none,
                       WriteDeletionVectors(io_, wh, {{a, {}}}, {}, data));
  EXPECT_TRUE(none.empty());
}

TEST_F(DeleteWriterTest, PositionDeletesOfAnUpgradedTableMergeIntoItsFirstDeletionVector) {
  // A v2 table (at a file:// location, whose data/ folder is created) with position deletes
  // on a and b; after the upgrade to v3, a's first DV must hold them too.
  const std::string wh = "file://" + dir_.Join("up/t");
  const std::string a = wh + "/data/a.parquet", b = wh + "/data/b.parquet";
  std::map<std::string, DeletedDataFile> data = {{a, {0, {}}}, {b, {0, {}}}};
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> v2,
                       WritePositionDeletes(*engine_,
                                            "SELECT * FROM (VALUES ('" + a + "', 7), ('" + b +
                                                "', 1), ('" + a + "', 2)) t(file_path, pos)",
                                            data, wh));
  ASSERT_EQ(v2.size(), 1u);
  EXPECT_EQ(v2[0].file.file_path.rfind(wh + "/data/", 0), 0u);
  EXPECT_EQ(v2[0].file.record_count, 3);
  ASSERT_OK_AND_ASSIGN(auto old, ReadPositionDeletes(*engine_, {v2[0].file.file_path}, {a}));
  EXPECT_EQ(old, (std::map<std::string, std::vector<int64_t>>{{a, {2, 7}}}));
  std::vector<int64_t> positions = old[a];
  positions.push_back(3);
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> dv,
                       WriteDeletionVectors(io_, wh, {{a, positions}}, {}, data));
  ASSERT_EQ(dv.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got, iceberg::ReadDeletionVector(io_, dv[0].file));
  EXPECT_EQ(got, (std::vector<int64_t>{2, 3, 7}));
  // Files without deletes are absent; no files or no data files read nothing.
  ASSERT_OK_AND_ASSIGN(
      auto none, ReadPositionDeletes(*engine_, {v2[0].file.file_path}, {wh + "/data/c.parquet"}));
  EXPECT_TRUE(none.empty());
  ASSERT_OK_AND_ASSIGN(none, ReadPositionDeletes(*engine_, {}, {a}));
  EXPECT_TRUE(none.empty());
}

TEST(DescribePlannedDeletes, SortsTheDeletesOfEachPlannedDataFile) {
  auto file = [](std::string path, std::string format, FileContent content) {
    DataFile f;
    f.file_path = std::move(path);
    f.file_format = std::move(format);
    f.content = content;
    return f;
  };
  DataFile v2 = file("/t/d1-deletes.parquet", "PARQUET", FileContent::kPositionDeletes);
  DataFile dv = file("/t/x-dv.puffin", "puffin", FileContent::kPositionDeletes);
  dv.content_offset = 4;
  dv.content_size_in_bytes = 40;
  iceberg::Schema schema(0,
                         {iceberg::NestedField{1, "v", true, iceberg::Type::Long(), {}, {}, {}}});
  iceberg::ScanPlan plan{std::nullopt, schema, {}, {}};
  iceberg::FileScanTask a, b, c;
  a.file = file("/t/a.parquet", "PARQUET", FileContent::kData);
  a.spec_id = 3;
  a.file.partition = {Literal::Int(7)};
  a.position_deletes = {v2};
  b.file = file("/t/b.parquet", "PARQUET", FileContent::kData);
  b.position_deletes = {dv};
  c.file = file("/t/c.parquet", "PARQUET", FileContent::kData);
  plan.tasks = {a, b, c};
  PlannedDeletes planned = DescribePlannedDeletes(plan);
  ASSERT_EQ(planned.data_files.size(), 3u);
  EXPECT_EQ(planned.data_files.at("/t/a.parquet").spec_id, 3);
  EXPECT_TRUE(planned.data_files.at("/t/a.parquet").partition ==
              std::vector<Literal>{Literal::Int(7)});
  ASSERT_EQ(planned.deletion_vectors.size(), 1u);
  EXPECT_EQ(planned.deletion_vectors.at("/t/b.parquet").file_path, "/t/x-dv.puffin");
  ASSERT_EQ(planned.position_delete_files.size(), 1u);
  EXPECT_EQ(planned.position_delete_files.at("/t/a.parquet").at(0).file_path,
            "/t/d1-deletes.parquet");
}

TEST_F(DeleteWriterTest, DeletionVectorsRejectUnknownFilesAndNonVectors) {
  const std::string wh = dir_.Join("t");
  std::map<std::string, DeletedDataFile> data = {{"/x/a.parquet", {0, {}}}};
  Result<std::vector<WrittenDeleteFile>> r =
      WriteDeletionVectors(io_, wh, {{"/x/b.parquet", {1}}}, {}, data);
  EXPECT_THAT(r, IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(r.status().message(), HasSubstr("/x/b.parquet"));
  DataFile v2;
  v2.content = FileContent::kPositionDeletes;
  v2.file_path = "/x/old-deletes.parquet";
  v2.file_format = "PARQUET";
  EXPECT_THAT(WriteDeletionVectors(io_, wh, {{"/x/a.parquet", {1}}}, {{"/x/a.parquet", v2}}, data),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(WriteDeletionVectors(io_, wh, {{"/x/a.parquet", {-2}}}, {}, data),
              IsError(StatusCode::kInvalidArgument));
}

TEST_F(DeleteWriterTest, DeletionVectorsOfRowAddressesHideThoseRows) {
  DataFile a = WriteData("t/data/a.parquet", "SELECT i AS v FROM range(0, 6) t(i)");
  std::map<std::string, DeletedDataFile> data = {{a.file_path, {0, {}}}};
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> first,
      WriteDeletionVectors(io_, dir_.Join("t"), {{a.file_path, {1, 4}}}, {}, data));
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> second,
                       WriteDeletionVectors(io_, dir_.Join("t"), {{a.file_path, {0}}},
                                            {{a.file_path, first[0].file}}, data));
  EXPECT_EQ(Scan({{a, {second[0].file}}}),
            (std::vector<std::string>{"2|" + a.file_path + "|2", "3|" + a.file_path + "|3",
                                      "5|" + a.file_path + "|5"}));
}

TEST_F(DeleteWriterTest, WritesThroughStores) {
  std::shared_ptr<storage::Store> store = std::make_shared<storage::MemoryStore>();
  ASSERT_OK(engine_->RegisterStores(
      "s3://", [store](std::string_view bucket) -> Result<std::shared_ptr<storage::Store>> {
        if (bucket != "bucket") return NotFound("no bucket ", bucket);
        return store;
      }));
  io_.Mount("s3://bucket", store);
  const std::string wh = "s3://bucket/wh/t";
  const std::string a = wh + "/data/a.parquet";
  std::map<std::string, DeletedDataFile> data = {{a, {0, {}}}};
  ASSERT_OK_AND_ASSIGN(
      std::vector<WrittenDeleteFile> files,
      WritePositionDeletes(*engine_, "SELECT " + engine::QuoteString(a) + " AS file_path, 3 AS pos",
                           data, wh));
  ASSERT_EQ(files.size(), 1u);
  ASSERT_EQ(files[0].file.file_path.rfind(wh + "/data/", 0), 0u);
  ASSERT_OK_AND_ASSIGN(
      storage::ObjectInfo info,
      store->Head(files[0].file.file_path.substr(std::string("s3://bucket/").size())));
  EXPECT_EQ(static_cast<int64_t>(info.size), files[0].file.file_size_in_bytes);
  EXPECT_EQ(Rows("SELECT file_path, pos FROM read_parquet(" +
                 engine::QuoteString(files[0].file.file_path) + ")"),
            (std::vector<std::string>{a + "|3"}));
  ASSERT_OK_AND_ASSIGN(std::vector<WrittenDeleteFile> dvs,
                       WriteDeletionVectors(io_, wh, {{a, {3, 4}}}, {}, data));
  ASSERT_EQ(dvs.size(), 1u);
  ASSERT_OK_AND_ASSIGN(std::vector<int64_t> got, iceberg::ReadDeletionVector(io_, dvs[0].file));
  EXPECT_EQ(got, (std::vector<int64_t>{3, 4}));
}

}  // namespace
}  // namespace atl::table
