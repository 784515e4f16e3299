// Table metadata that other writers produce and Java reads, loaded through
// LoadTableFromLocation and planned afterwards: snapshot ids written as unsigned numbers
// beyond 2^63-1, and format-v3 metadata without next-row-id. The files are made from a
// table atoll wrote (manifests and lists included), with the JSON rewritten as such writers
// write it.
#include <gtest/gtest.h>

#include <limits>

#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/iceberg/scan/table_folder.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::MemoryCatalog;

using namespace atl::iceberg::testing;

constexpr int64_t kFirstId = -2;                                    // 18446744073709551614 unsigned
constexpr int64_t kSecondId = std::numeric_limits<int64_t>::min();  // 9223372036854775808 unsigned

// Writes every negative snapshot id of `j` as the unsigned number of the same 64 bits.
void WriteSnapshotIdsUnsigned(Json& j) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      bool id_key = it.key() == "snapshot-id" || it.key() == "parent-snapshot-id" ||
                    it.key() == "current-snapshot-id";
      if (id_key && it->is_number_integer() && it->get<int64_t>() < 0) {
        *it = static_cast<uint64_t>(it->get<int64_t>());
      } else {
        WriteSnapshotIdsUnsigned(*it);
      }
    }
  } else if (j.is_array()) {
    for (Json& e : j) WriteSnapshotIdsUnsigned(e);
  }
}

class MetadataToleranceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>("wh");
    io_ = MountedIO(store_);
    catalog_ = std::make_shared<MemoryCatalog>("mem://wh");
    ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  }

  // A table with two appends ("a" 10 rows, then "b" 20 rows) whose snapshots get `ids`.
  Result<Table> TwoAppends(std::vector<int64_t> ids) {
    CreateTableOptions o;
    o.schema = TestSchema();
    CommitEnv env;
    auto next = std::make_shared<size_t>(0);
    env.new_snapshot_id = [ids, next] { return ids[(*next)++ % ids.size()]; };
    ATOLL_ASSIGN_OR_RETURN(Table t, Table::Create(catalog_, io_, {{"db"}, "t"}, o, env));
    ATOLL_RETURN_NOT_OK(t.NewTransaction().Append({MakeFile("a", 10)}).Commit());
    ATOLL_RETURN_NOT_OK(t.NewTransaction().Append({MakeFile("b", 20)}).Commit());
    return t;
  }

  // The table's current metadata JSON after `edit`, stored beside it as another metadata
  // file and loaded from that file.
  template <typename Edit>
  Result<FolderTable> Republish(const Table& t, Edit edit) {
    ATOLL_ASSIGN_OR_RETURN(std::string text, io_->Read(t.metadata_location()));
    ATOLL_ASSIGN_OR_RETURN(Json j, json::Parse(text, t.metadata_location()));
    edit(j);
    const std::string location = "mem://wh/db/t/metadata/rewritten.metadata.json";
    ATOLL_RETURN_NOT_OK(io_->Write(location, j.dump()).status());
    return LoadTableFromLocation(*io_, location);
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<MemoryCatalog> catalog_;
};

std::multiset<std::string> PlannedFiles(const ScanPlan& plan) {
  std::multiset<std::string> out;
  for (const FileScanTask& task : plan.tasks) out.insert(task.file.file_path);
  return out;
}

TEST_F(MetadataToleranceTest, UnsignedSnapshotIdsReadAsJavaReadsThemIntoALong) {
  ASSERT_OK_AND_ASSIGN(Table t, TwoAppends({kFirstId, kSecondId}));
  std::string text;
  ASSERT_OK_AND_ASSIGN(FolderTable loaded, Republish(t, [&text](Json& j) {
                         WriteSnapshotIdsUnsigned(j);
                         text = j.dump();
                       }));
  // The file holds the unsigned forms everywhere a snapshot id appears.
  EXPECT_NE(text.find("\"current-snapshot-id\":9223372036854775808"), std::string::npos) << text;
  EXPECT_NE(text.find("\"parent-snapshot-id\":18446744073709551614"), std::string::npos) << text;

  const TableMetadata& md = loaded.metadata;
  ASSERT_EQ(md.current_snapshot_id, kSecondId);
  ASSERT_NE(md.CurrentSnapshot(), nullptr);
  EXPECT_EQ(md.CurrentSnapshot()->parent_snapshot_id, kFirstId);
  EXPECT_NE(md.SnapshotById(kFirstId), nullptr);
  EXPECT_EQ(md.refs.at("main").snapshot_id, kSecondId);
  ASSERT_EQ(md.snapshot_log.size(), 2u);
  EXPECT_EQ(md.snapshot_log[0].snapshot_id, kFirstId);
  EXPECT_EQ(md.snapshot_log[1].snapshot_id, kSecondId);
  EXPECT_TRUE(md == t.metadata());  // the same ids as the signed metadata atoll wrote

  // The ids agree with the signed longs of the manifest list.
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *md.CurrentSnapshot()));
  std::set<int64_t> added;
  for (const ManifestFile& mf : files.list.manifests)
    added.insert(mf.added_snapshot_id.value_or(0));
  EXPECT_EQ(added, (std::set<int64_t>{kFirstId, kSecondId}));

  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(*io_, md));
  EXPECT_EQ(plan.snapshot_id, kSecondId);
  EXPECT_EQ(PlannedFiles(plan), (std::multiset<std::string>{"mem://wh/db/t/data/a.parquet",
                                                            "mem://wh/db/t/data/b.parquet"}));
  ScanOptions first;
  first.snapshot_id = kFirstId;
  ASSERT_OK_AND_ASSIGN(ScanPlan old, PlanScan(*io_, md, first));
  EXPECT_EQ(PlannedFiles(old), (std::multiset<std::string>{"mem://wh/db/t/data/a.parquet"}));

  // 2^64 and beyond fit no long: still an error naming the field.
  auto huge = Republish(
      t, [](Json& j) { j["snapshots"][0]["snapshot-id"] = Json::parse("18446744073709551616"); });
  ASSERT_FALSE(huge.ok());
  EXPECT_NE(huge.status().message().find("snapshot-id"), std::string::npos)
      << huge.status().ToString();
}

TEST_F(MetadataToleranceTest, FormatV3WithoutNextRowIdStartsRowIdsAtZero) {
  ASSERT_OK_AND_ASSIGN(Table t, TwoAppends({11, 12}));
  // As written before row lineage was settled: format 3, no next-row-id, no per-snapshot
  // row ids (atoll does not commit to v3 tables, so the v2 table is relabelled).
  ASSERT_OK_AND_ASSIGN(FolderTable loaded, Republish(t, [](Json& j) {
                         j["format-version"] = 3;
                         ASSERT_FALSE(j.contains("next-row-id"));
                       }));
  EXPECT_EQ(loaded.metadata.format_version, 3);
  EXPECT_EQ(loaded.metadata.next_row_id, 0);
  ASSERT_OK_AND_ASSIGN(Json written, loaded.metadata.ToJson());
  EXPECT_EQ(written["next-row-id"], 0);
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(*io_, loaded.metadata));
  EXPECT_EQ(PlannedFiles(plan), (std::multiset<std::string>{"mem://wh/db/t/data/a.parquet",
                                                            "mem://wh/db/t/data/b.parquet"}));
}

}  // namespace
}  // namespace atl::iceberg
