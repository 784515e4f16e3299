// The packing rules of grouping.h, FormatOf and the DataFile JSON round trip.
#include "atoll/snapshot/grouping.h"

#include <gtest/gtest.h>

#include "atoll/iceberg/literal.h"
#include "atoll/snapshot/data_file_json.h"
#include "atoll/snapshot/file_manifest.h"
#include "testing/testing.h"

namespace atl::snapshot {
namespace {

TEST(SnapshotGrouping, DerivedTargetIsClamped) {
  EXPECT_EQ(DeriveGroupTarget(1000, 2, 0), int64_t{32} << 20);
  EXPECT_EQ(DeriveGroupTarget(int64_t{1} << 40, 2, 0), int64_t{1} << 30);
  EXPECT_EQ(DeriveGroupTarget(int64_t{8} << 30, 4, 0), int64_t{512} << 20);
  EXPECT_EQ(DeriveGroupTarget(int64_t{8} << 30, 4, 12345), 12345);
}

TEST(SnapshotGrouping, FileGroupsCloseBeforeExceedingTarget) {
  std::vector<std::vector<size_t>> g = PackFileGroups({40, 40, 40, 100, 10, 10}, 100);
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0], (std::vector<size_t>{0, 1}));
  EXPECT_EQ(g[1], (std::vector<size_t>{2}));
  EXPECT_EQ(g[2], (std::vector<size_t>{3}));  // a file at the target is a group alone
  EXPECT_EQ(g[3], (std::vector<size_t>{4, 5}));
  EXPECT_TRUE(PackFileGroups({}, 100).empty());
  // A file bigger than the target is alone too.
  g = PackFileGroups({10, 500, 10}, 100);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[1], (std::vector<size_t>{1}));
}

FileEntry Staged(std::string partition, std::string name, int64_t size, int64_t records) {
  FileEntry f;
  f.uri = "/s/datalake/" + partition + "/" + name;
  f.size = size;
  f.n_record = records;
  f.partition = std::move(partition);
  return f;
}

TEST(SnapshotGrouping, PartitionGroupsStayInOnePartition) {
  std::vector<FileEntry> files = {Staged("k=b", "g1", 50, 5), Staged("k=a", "g0", 60, 6),
                                  Staged("k=a", "g1", 60, 6), Staged("k=a", "g2", 30, 3),
                                  Staged("k=b", "g0", 95, 9), Staged("k=a", "g3", 10, 1)};
  std::vector<PartitionFileGroup> g = PackPartitionGroups(files, 100);
  // k=a in URI order: 60, then 60 (120 is not over 1.2 x 100; the group closes at >= 90),
  // then 30 + 10 until the end.
  ASSERT_EQ(g.size(), 4u);
  EXPECT_EQ(g[0].partition, "k=a");
  EXPECT_EQ(g[0].files.size(), 2u);
  EXPECT_EQ(g[0].bytes(), 120);
  EXPECT_EQ(g[1].partition, "k=a");
  EXPECT_EQ(g[1].records(), 4);
  // k=b in URI order: g0 (95, closes at >= 90), then g1.
  EXPECT_EQ(g[2].partition, "k=b");
  EXPECT_EQ(g[2].files.size(), 1u);
  EXPECT_EQ(g[2].files[0].size, 95);
  EXPECT_EQ(g[3].files[0].size, 50);
  int64_t total = 0;
  for (const auto& x : g) total += x.records();
  EXPECT_EQ(total, 30);
}

TEST(SnapshotManifest, FormatByExtension) {
  EXPECT_EQ(FormatOf("s3://b/x/part-1.parquet"), FileFormat::kParquet);
  EXPECT_EQ(FormatOf("/d/a.CSV.gz"), FileFormat::kCsv);
  EXPECT_EQ(FormatOf("/d/a.tsv"), FileFormat::kCsv);
  EXPECT_EQ(FormatOf("/d/a.ndjson.gz"), FileFormat::kNdjson);
  EXPECT_EQ(FormatOf("/d/a.json"), FileFormat::kNdjson);
  EXPECT_EQ(FormatOf("/d/_SUCCESS"), FileFormat::kUnknown);
  EXPECT_EQ(FormatOf("/d/a.gz"), FileFormat::kUnknown);
}

TEST(SnapshotDataFileJson, RoundTrip) {
  iceberg::DataFile f;
  f.file_path = "/lake/stg/db/t/data/region=r1/snap-1.parquet";
  f.file_format = "PARQUET";
  f.record_count = 42;
  f.file_size_in_bytes = 4096;
  f.partition = {iceberg::Literal::String("r1"), iceberg::Literal::Int(7)};
  f.column_sizes.emplace(1, 100);
  f.value_counts.emplace(1, 42);
  f.null_value_counts.emplace(2, 3);
  f.lower_bounds.emplace(1, std::string("\x01\x00\xff", 3));
  f.upper_bounds.emplace(1, "zz");
  f.split_offsets = {4};
  ASSERT_OK_AND_ASSIGN(Json doc, DataFileToJson(f));
  iceberg::TypePtr ptype = iceberg::Type::Struct(
      {{1000, "region", false, iceberg::Type::String(), {}, {}, {}}, {1001, "n", false, iceberg::Type::Int(), {}, {}, {}}});
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile back, DataFileFromJson(Json::parse(doc.dump()), ptype));
  EXPECT_EQ(back, f);
  doc["partition"] = Json::array();
  EXPECT_FALSE(DataFileFromJson(doc, ptype).ok());
}

}  // namespace
}  // namespace atl::snapshot
