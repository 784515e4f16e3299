// The packing rules of grouping.h, FormatOf and the DataFile JSON round trip.
#include "atoll/snapshot/grouping.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <set>

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

// Every staging file in exactly one group, groups in one partition each, and the planned
// output files of each group adding up to about its bytes.
void ExpectPartitionOfInput(const std::vector<FileEntry>& input,
                            const std::vector<PartitionFileGroup>& groups) {
  std::multiset<std::string> in, out;
  for (const FileEntry& f : input) in.insert(f.uri);
  for (const PartitionFileGroup& g : groups) {
    ASSERT_FALSE(g.files.empty());
    EXPECT_GE(g.n_output_file, 1);
    EXPECT_GE(g.file_size * g.n_output_file, g.bytes());
    for (const FileEntry& f : g.files) {
      EXPECT_EQ(f.partition, g.partition) << f.uri;
      out.insert(f.uri);
    }
  }
  EXPECT_EQ(in, out);
}

std::vector<FileEntry> Equal(const std::string& partition, int n, int64_t size) {
  std::vector<FileEntry> files;
  char name[16];
  for (int i = 0; i < n; ++i) {
    std::snprintf(name, sizeof name, "g%05d", i);
    files.push_back(Staged(partition, name, size, size / 10));
  }
  return files;
}

TEST(SnapshotGrouping, PartitionGroupsSplitIntoEqualFiles) {
  // 300 bytes for files of 100: 3 files of 100. One worker: ceil(3 / 2) = 2 files per
  // group, and 3 files left (<= 1.5 x 2) are one last group.
  std::vector<FileEntry> files = Equal("k=a", 20, 15);
  std::vector<PartitionFileGroup> g = PackPartitionGroups(files, 100, 1);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].n_output_file, 3);
  EXPECT_EQ(g[0].file_size, 100);
  EXPECT_EQ(g[0].records(), 20);
  ExpectPartitionOfInput(files, g);

  // 2 workers: ceil(3 / 4) = 1 file per group. Group 0: of the edges at 60..150 bytes, 105
  // splits best into files of 100 (error 5). Then f = 195 / 2 = 97.5: 90 and 105 are both
  // 7.5 off, the first wins. The last group takes the 105 left.
  g = PackPartitionGroups(files, 100, 2);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].bytes(), 105);
  EXPECT_EQ(g[1].bytes(), 90);
  EXPECT_EQ(g[2].bytes(), 105);
  for (const auto& x : g) {
    EXPECT_EQ(x.n_output_file, 1);
    EXPECT_EQ(x.file_size, x.bytes());
  }
  ExpectPartitionOfInput(files, g);
}

TEST(SnapshotGrouping, EveryFileNearTheTargetExceptOnePerPartition) {
  // Many partitions of uneven sizes and staging file sizes: every planned output file is
  // within ±10% of the target, except at most one per partition (a partition smaller than
  // 1.5 x target, or the remainder of the rolling layout).
  const int64_t target = 1000;
  std::vector<FileEntry> files;
  for (int p = 0; p < 12; ++p) {
    const std::string partition = "k=" + std::to_string(p);
    for (int i = 0; i < 5 + 7 * p; ++i) {
      const int64_t size = 37 + (i * 7919 + p * 104729) % (90 + 60 * p);
      char name[16];
      std::snprintf(name, sizeof name, "g%05d", i);
      files.push_back(Staged(partition, name, size, size));
    }
  }
  for (int workers : {1, 2, 8}) {
    std::vector<PartitionFileGroup> g = PackPartitionGroups(files, target, workers);
    ExpectPartitionOfInput(files, g);
    std::map<std::string, int> off_target;
    int64_t planned = 0;
    for (const PartitionFileGroup& x : g) {
      // At most 1.5 x 4 in a last group.
      EXPECT_LE(x.n_output_file, kMaxFilesPerGroup + kMaxFilesPerGroup / 2) << x.partition;
      planned += x.n_output_file;
      // The files of a group: n - 1 of file_size, the last of what remains.
      for (int64_t k = 0; k < x.n_output_file; ++k) {
        const int64_t size =
            k + 1 < x.n_output_file ? x.file_size : x.bytes() - (x.n_output_file - 1) * x.file_size;
        if (size < 900 || size > 1100) ++off_target[x.partition];
      }
    }
    for (const auto& [partition, n] : off_target)
      EXPECT_LE(n, 1) << partition << " workers " << workers;
    EXPECT_GT(planned, 12);
  }
}

TEST(SnapshotGrouping, SmallOrAwkwardPartitionsRollOverOnce) {
  // 60 bytes: one file. 240 bytes: 2 files of 120 would be 20% off, so one group rolls over
  // at 100: 100, 100, 40.
  std::vector<FileEntry> files = {Staged("k=a", "g0", 60, 6), Staged("k=b", "g0", 120, 12),
                                  Staged("k=b", "g1", 120, 12), Staged("k=c", "g0", 500, 50),
                                  Staged("k=c", "g1", 10, 1)};
  std::vector<PartitionFileGroup> g = PackPartitionGroups(files, 100, 1);
  ExpectPartitionOfInput(files, g);
  ASSERT_EQ(g.size(), 3u);
  EXPECT_EQ(g[0].partition, "k=a");
  EXPECT_EQ(g[0].n_output_file, 1);
  EXPECT_EQ(g[0].file_size, 60);
  EXPECT_EQ(g[1].partition, "k=b");
  EXPECT_EQ(g[1].files.size(), 2u);
  EXPECT_EQ(g[1].n_output_file, 3);
  EXPECT_EQ(g[1].file_size, 100);
  // k=c: 510 bytes = 5 files of 102; 1 + 2 + 5 files overall, one worker: 4 per group; 5
  // files left (<= 6) make one last group.
  EXPECT_EQ(g[2].partition, "k=c");
  EXPECT_EQ(g[2].bytes(), 510);
  EXPECT_EQ(g[2].n_output_file, 5);
  EXPECT_EQ(g[2].file_size, 102);
  EXPECT_TRUE(PackPartitionGroups({}, 100, 2).empty());
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
  iceberg::TypePtr ptype =
      iceberg::Type::Struct({{1000, "region", false, iceberg::Type::String(), {}, {}, {}},
                             {1001, "n", false, iceberg::Type::Int(), {}, {}, {}}});
  ASSERT_OK_AND_ASSIGN(iceberg::DataFile back, DataFileFromJson(Json::parse(doc.dump()), ptype));
  EXPECT_EQ(back, f);
  doc["partition"] = Json::array();
  EXPECT_FALSE(DataFileFromJson(doc, ptype).ok());
}

}  // namespace
}  // namespace atl::snapshot
