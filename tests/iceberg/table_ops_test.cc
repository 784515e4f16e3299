// Table creation, loading and every operation of a Transaction, on a MemoryCatalog over a
// MemoryStore; results are read back with ReadManifestList / ReadManifest.
#include <gtest/gtest.h>

#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/scan/expression.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::MemoryCatalog;

using atl::testing::IsError;
using namespace atl::iceberg::testing;

class TableOpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>("wh");
    io_ = MountedIO(store_);
    catalog_ = std::make_shared<MemoryCatalog>("mem://wh");
    ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  }

  Result<Table> Create(bool partitioned, std::map<std::string, std::string> props = {}) {
    CreateTableOptions o;
    o.schema = TestSchema();
    if (partitioned) o.partition = {UnboundPartitionField{{30}, "category", Transform::Identity()}};
    o.properties = std::move(props);
    return Table::Create(catalog_, io_, {{"db"}, "t"}, o);
  }

  SnapshotFiles Current(const Table& t) {
    auto r = ReadSnapshot(*io_, *t.metadata().CurrentSnapshot());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? *r : SnapshotFiles{};
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<MemoryCatalog> catalog_;
};

TEST_F(TableOpsTest, CreateWritesFirstMetadataFileWithFreshIdsAndVersionHint) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true, {{"owner", "me"}}));
  EXPECT_EQ(t.location(), "mem://wh/db/t");
  EXPECT_EQ(t.metadata_location().rfind("mem://wh/db/t/metadata/00000-", 0), 0u)
      << t.metadata_location();
  EXPECT_EQ(t.metadata().format_version, 2);
  const Schema* s = t.metadata().CurrentSchema();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->FindFieldByName("id")->id, 1);
  EXPECT_EQ(s->FindFieldByName("ts")->id, 2);
  EXPECT_EQ(s->FindFieldByName("category")->id, 3);
  EXPECT_EQ(t.metadata().last_column_id, 3);
  ASSERT_EQ(t.metadata().DefaultSpec()->fields.size(), 1u);
  EXPECT_EQ(t.metadata().DefaultSpec()->fields[0].source_id(), 3);
  EXPECT_EQ(t.metadata().properties.at("owner"), "me");
  ASSERT_OK_AND_ASSIGN(std::string pointer, catalog_->LoadMetadataLocation({{"db"}, "t"}));
  EXPECT_EQ(pointer, t.metadata_location());
  ASSERT_OK_AND_ASSIGN(std::string hint, io_->Read("mem://wh/db/t/metadata/version-hint.text"));
  EXPECT_EQ("mem://wh/db/t/metadata/" + hint + ".metadata.json", t.metadata_location());
  EXPECT_THAT(Create(false), IsError(StatusCode::kAlreadyExists));
}

TEST_F(TableOpsTest, LoadReadsBackTheSameMetadata) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x")}).Commit());
  ASSERT_OK_AND_ASSIGN(Table loaded, Table::Load(catalog_, io_, {{"db"}, "t"}));
  EXPECT_EQ(loaded.metadata_location(), t.metadata_location());
  EXPECT_TRUE(loaded.metadata() == t.metadata());
  EXPECT_THAT(Table::Load(catalog_, io_, {{"db"}, "nope"}), IsError(StatusCode::kNotFound));
}

TEST_F(TableOpsTest, AppendWritesManifestListAndSummary) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  std::string first = t.metadata_location();
  ASSERT_OK(t.NewTransaction()
                .Append({MakeFile("a", 10, "x"), MakeFile("b", 20, "y"), MakeFile("c", 30, "x")},
                        {{"lake.source", "s3://in/a.csv"}})
                .Commit());
  EXPECT_EQ(t.metadata_location().rfind("mem://wh/db/t/metadata/00001-", 0), 0u)
      << t.metadata_location();
  const Snapshot* s = t.metadata().CurrentSnapshot();
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->sequence_number, 1);
  EXPECT_FALSE(s->parent_snapshot_id.has_value());
  EXPECT_EQ(s->summary.at("operation"), "append");
  EXPECT_EQ(s->summary.at("added-data-files"), "3");
  EXPECT_EQ(s->summary.at("added-records"), "60");
  EXPECT_EQ(s->summary.at("added-files-size"), "3060");
  EXPECT_EQ(s->summary.at("changed-partition-count"), "2");
  EXPECT_EQ(s->summary.at("total-records"), "60");
  EXPECT_EQ(s->summary.at("total-data-files"), "3");
  EXPECT_EQ(s->summary.at("total-delete-files"), "0");
  EXPECT_EQ(s->summary.at("total-files-size"), "3060");
  EXPECT_EQ(s->summary.at("lake.source"), "s3://in/a.csv");
  ASSERT_EQ(t.metadata().metadata_log.size(), 1u);
  EXPECT_EQ(t.metadata().metadata_log[0].metadata_file, first);

  SnapshotFiles files = Current(t);
  ASSERT_EQ(files.list.manifests.size(), 1u);
  const ManifestFile& mf = files.list.manifests[0];
  EXPECT_EQ(mf.added_snapshot_id, s->snapshot_id);
  EXPECT_EQ(mf.added_files_count, 3);
  EXPECT_EQ(mf.added_rows_count, 60);
  EXPECT_EQ(mf.sequence_number, 1);
  ASSERT_EQ(mf.partitions.size(), 1u);
  EXPECT_EQ(mf.partitions[0].lower_bound, "x");
  EXPECT_EQ(mf.partitions[0].upper_bound, "y");
  ASSERT_EQ(files.manifests[0].entries.size(), 3u);
  for (const ManifestEntry& e : files.manifests[0].entries) {
    EXPECT_EQ(e.status, EntryStatus::kAdded);
    EXPECT_EQ(e.snapshot_id, s->snapshot_id);
    EXPECT_EQ(e.sequence_number, 1);  // inherited
  }
  EXPECT_EQ(files.manifests[0].entries[1].data_file, MakeFile("b", 20, "y"));
}

TEST_F(TableOpsTest, SecondAppendKeepsParentManifestsAndTotals) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  int64_t first = *t.metadata().current_snapshot_id;
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 5), MakeFile("c", 5)}).Commit());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  EXPECT_EQ(s->parent_snapshot_id, first);
  EXPECT_EQ(s->sequence_number, 2);
  EXPECT_EQ(s->summary.at("total-records"), "20");
  EXPECT_EQ(s->summary.at("total-data-files"), "3");
  SnapshotFiles files = Current(t);
  ASSERT_EQ(files.list.manifests.size(), 2u);
  EXPECT_EQ(files.list.manifests[0].added_snapshot_id, s->snapshot_id);  // new first
  EXPECT_EQ(files.list.manifests[1].added_snapshot_id, first);
  EXPECT_EQ(files.list.manifests[1].sequence_number, 1);
  EXPECT_EQ(files.live,
            (std::multiset<std::string>{MakeFile("a", 1).file_path, MakeFile("b", 1).file_path,
                                        MakeFile("c", 1).file_path}));
  EXPECT_EQ(t.metadata().snapshot_log.size(), 2u);
}

TEST_F(TableOpsTest, OverwriteMarksRemovedFilesDeletedInItsSnapshotOnly) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10), MakeFile("b", 20)}).Commit());
  int64_t first = *t.metadata().current_snapshot_id;
  ASSERT_OK(
      t.NewTransaction().Overwrite({MakeFile("a", 0).file_path}, {MakeFile("c", 7)}).Commit());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  EXPECT_EQ(s->summary.at("operation"), "overwrite");
  EXPECT_EQ(s->summary.at("deleted-data-files"), "1");
  EXPECT_EQ(s->summary.at("deleted-records"), "10");
  EXPECT_EQ(s->summary.at("removed-files-size"), "1010");
  EXPECT_EQ(s->summary.at("total-records"), "27");
  EXPECT_EQ(s->summary.at("total-data-files"), "2");
  SnapshotFiles files = Current(t);
  EXPECT_EQ(files.live,
            (std::multiset<std::string>{MakeFile("b", 1).file_path, MakeFile("c", 1).file_path}));
  int deleted = 0, existing = 0;
  for (const Manifest& m : files.manifests) {
    for (const ManifestEntry& e : m.entries) {
      if (e.status == EntryStatus::kDeleted) {
        ++deleted;
        EXPECT_EQ(e.data_file.file_path, MakeFile("a", 1).file_path);
        EXPECT_EQ(e.snapshot_id, s->snapshot_id);
        EXPECT_EQ(e.sequence_number, 1);  // the data sequence number is kept
      }
      if (e.status == EntryStatus::kExisting) {
        ++existing;
        EXPECT_EQ(e.snapshot_id, first);
        EXPECT_EQ(e.sequence_number, 1);
      }
    }
  }
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(existing, 1);
  // A later delete marks "c"; the manifest holding the DELETED "a" is carried unchanged.
  int64_t overwrite = s->snapshot_id;
  ASSERT_OK(t.NewTransaction().DeleteFiles({MakeFile("c", 0).file_path}).Commit());
  int64_t del = *t.metadata().current_snapshot_id;
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("operation"), "delete");
  files = Current(t);
  EXPECT_EQ(files.live, (std::multiset<std::string>{MakeFile("b", 1).file_path}));
  std::set<std::pair<std::string, int64_t>> deleted_entries;
  for (const Manifest& m : files.manifests) {
    for (const ManifestEntry& e : m.entries) {
      if (e.status == EntryStatus::kDeleted)
        deleted_entries.emplace(e.data_file.file_path, *e.snapshot_id);
    }
  }
  EXPECT_EQ(deleted_entries,
            (std::set<std::pair<std::string, int64_t>>{{MakeFile("a", 1).file_path, overwrite},
                                                       {MakeFile("c", 1).file_path, del}}));
}

TEST_F(TableOpsTest, ReplaceOfAVanishedFileFailsCleanly) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10), MakeFile("b", 20)}).Commit());
  ASSERT_OK_AND_ASSIGN(Table other, Table::Load(catalog_, io_, {{"db"}, "t"}));
  ASSERT_OK(other.NewTransaction().DeleteFiles({MakeFile("a", 0).file_path}).Commit());
  std::set<std::string> before = MetadataKeys(*store_);
  // `t` is stale: its first attempt conflicts, the retry finds "a" gone.
  Transaction tx = t.NewTransaction();
  tx.Replace({MakeFile("a", 0).file_path, MakeFile("b", 0).file_path}, {MakeFile("ab", 30)});
  Status st = tx.Commit();
  EXPECT_THAT(st, IsError(StatusCode::kCommitConflict));
  EXPECT_NE(st.message().find(MakeFile("a", 0).file_path), std::string::npos) << st.ToString();
  EXPECT_EQ(MetadataKeys(*store_), before);  // nothing left behind
  // On a fresh table the file is simply not there.
  ASSERT_OK(t.Refresh());
  EXPECT_THAT(
      t.NewTransaction().Replace({MakeFile("a", 0).file_path}, {MakeFile("ab", 30)}).Commit(),
      IsError(StatusCode::kPreconditionFailed));
  EXPECT_EQ(MetadataKeys(*store_), before);
  ASSERT_OK_AND_ASSIGN(std::string pointer, catalog_->LoadMetadataLocation({{"db"}, "t"}));
  EXPECT_EQ(pointer, other.metadata_location());
}

TEST_F(TableOpsTest, ReplaceIsAReplaceSnapshot) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 20)}).Commit());
  ASSERT_OK(t.NewTransaction()
                .Replace({MakeFile("a", 0).file_path, MakeFile("b", 0).file_path},
                         {MakeFile("ab", 30)}, {{"lake.compaction", "1"}})
                .Commit());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  EXPECT_EQ(s->summary.at("operation"), "replace");
  EXPECT_EQ(s->summary.at("total-records"), "30");
  EXPECT_EQ(s->summary.at("lake.compaction"), "1");
  EXPECT_EQ(Current(t).live, (std::multiset<std::string>{MakeFile("ab", 1).file_path}));
}

TEST_F(TableOpsTest, DeleteWhereRemovesWholeFilesOnly) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction()
                .Append({MakeFile("x1", 10, "x", 0, 9), MakeFile("x2", 10, "x", 10, 19),
                         MakeFile("y1", 10, "y", 0, 9)})
                .Commit());
  using Op = Expression::Op;
  ASSERT_OK(t.NewTransaction()
                .DeleteWhere(Expression::Predicate(Op::kEq, "category", {Literal::String("x")}))
                .Commit());
  EXPECT_EQ(Current(t).live, (std::multiset<std::string>{MakeFile("y1", 1).file_path}));
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("deleted-data-files"), "2");
  // id < 5 may match part of y1 (ids 0..9): not possible without row-level deletes.
  Status st = t.NewTransaction()
                  .DeleteWhere(Expression::Predicate(Op::kLt, "id", {Literal::Long(5)}))
                  .Commit();
  EXPECT_THAT(st, IsError(StatusCode::kNotSupported));
  EXPECT_NE(st.message().find("row-level deletes"), std::string::npos) << st.ToString();
  // id > 50 matches no file: an empty delete snapshot.
  ASSERT_OK(t.NewTransaction()
                .DeleteWhere(Expression::Predicate(Op::kGt, "id", {Literal::Long(50)}))
                .Commit());
  EXPECT_EQ(Current(t).live, (std::multiset<std::string>{MakeFile("y1", 1).file_path}));
}

TEST_F(TableOpsTest, SchemaSpecPropertiesAndRollback) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  int64_t first = *t.metadata().current_snapshot_id;
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 10)}).Commit());
  ASSERT_OK(t.NewTransaction()
                .UpdateSchema([](SchemaUpdate& u) {
                  u.AddColumn("", "price", Type::Double()).RenameColumn("ts", "at");
                })
                .SetProperties({{"a", "1"}, {"b", "2"}})
                .RemoveProperties({"b"})
                .Commit());
  EXPECT_EQ(t.metadata().current_schema_id, 1);
  EXPECT_EQ(t.metadata().CurrentSchema()->FindFieldByName("price")->id, 4);
  EXPECT_NE(t.metadata().CurrentSchema()->FindFieldByName("at"), nullptr);
  EXPECT_EQ(t.metadata().properties.count("b"), 0u);
  EXPECT_EQ(t.metadata().properties.at("a"), "1");
  EXPECT_EQ(t.metadata().snapshots.size(), 2u);  // metadata changes make no snapshot

  ASSERT_OK(t.NewTransaction()
                .UpdateSpec({UnboundPartitionField{{3}, "category", Transform::Identity()}})
                .Commit());
  EXPECT_EQ(t.metadata().default_spec_id, 1);
  EXPECT_EQ(t.metadata().DefaultSpec()->fields.at(0).field_id, 1000);
  ASSERT_OK(t.NewTransaction().Append({MakeFile("c", 10, "z")}).Commit());
  SnapshotFiles files = Current(t);
  ASSERT_EQ(files.list.manifests.size(), 3u);
  EXPECT_EQ(files.list.manifests[0].partition_spec_id, 1);
  EXPECT_EQ(files.list.manifests[1].partition_spec_id, 0);

  ASSERT_OK(t.NewTransaction().SetCurrentSnapshot(first).Commit());
  EXPECT_EQ(t.metadata().current_snapshot_id, first);
  EXPECT_EQ(Current(t).live, (std::multiset<std::string>{MakeFile("a", 1).file_path}));
  ASSERT_OK(
      t.NewTransaction().SetRef("v1", SnapshotRef{first, RefType::kTag, {}, {}, {}}).Commit());
  EXPECT_EQ(t.metadata().refs.at("v1").snapshot_id, first);
  EXPECT_THAT(t.NewTransaction().SetCurrentSnapshot(12345).Commit(),
              IsError(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(Table loaded, Table::Load(catalog_, io_, {{"db"}, "t"}));
  EXPECT_TRUE(loaded.metadata() == t.metadata());
}

TEST_F(TableOpsTest, SeveralChangesCommitAsOneMetadataFile) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  ASSERT_OK(t.NewTransaction()
                .SetProperties({{"k", "v"}})
                .Append({MakeFile("a", 10)})
                .Append({MakeFile("b", 10)})
                .DeleteFiles({MakeFile("a", 0).file_path})
                .Commit());
  EXPECT_EQ(t.metadata_location().rfind("mem://wh/db/t/metadata/00001-", 0), 0u);
  ASSERT_EQ(t.metadata().snapshots.size(), 3u);
  EXPECT_EQ(t.metadata().snapshots[1].parent_snapshot_id, t.metadata().snapshots[0].snapshot_id);
  EXPECT_EQ(t.metadata().snapshots[2].sequence_number, 3);
  EXPECT_EQ(t.metadata().last_sequence_number, 3);
  EXPECT_EQ(Current(t).live, (std::multiset<std::string>{MakeFile("b", 1).file_path}));
  EXPECT_EQ(t.metadata().properties.at("k"), "v");
}

TEST_F(TableOpsTest, ManifestsAreMergedAfterManyAppends) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false, {{"commit.manifest.min-count-to-merge", "5"}}));
  std::multiset<std::string> expected;
  size_t most = 0;
  for (int i = 0; i < 23; ++i) {
    DataFile f = MakeFile("f" + std::to_string(i), i + 1);
    expected.insert(f.file_path);
    ASSERT_OK(t.NewTransaction().Append({f}).Commit());
    SnapshotFiles files = Current(t);
    most = std::max(most, files.list.manifests.size());
    EXPECT_EQ(files.live, expected);
  }
  EXPECT_LE(most, 5u);
  SnapshotFiles files = Current(t);
  EXPECT_LT(files.list.manifests.size(), 5u);
  int merged = 0;
  for (size_t i = 0; i < files.manifests.size(); ++i) {
    const ManifestFile& mf = files.list.manifests[i];
    if (mf.existing_files_count > 0) ++merged;
    for (const ManifestEntry& e : files.manifests[i].entries) {
      EXPECT_NE(e.status, EntryStatus::kDeleted);
      // ADDED entries belong to the snapshot that wrote the manifest; carried ones are
      // EXISTING with their own snapshot ids and sequence numbers.
      EXPECT_EQ(e.status == EntryStatus::kAdded, e.snapshot_id == mf.added_snapshot_id)
          << e.data_file.file_path;
      ASSERT_TRUE(e.sequence_number.has_value());
      EXPECT_EQ(*e.sequence_number,
                std::stoi(e.data_file.file_path.substr(e.data_file.file_path.rfind('f') + 1)) + 1);
    }
  }
  EXPECT_GE(merged, 1);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->summary.at("total-data-files"), "23");
  // Unreferenced merge inputs of failed attempts are not left; manifests of older
  // snapshots stay (they are still referenced by those snapshots).
  ASSERT_OK_AND_ASSIGN(auto referenced, ReferencedFiles(*io_, t));
  for (const std::string& key : MetadataKeys(*store_)) {
    if (key.find(".metadata.json") != std::string::npos ||
        key.find("version-hint") != std::string::npos)
      continue;
    EXPECT_TRUE(referenced.count(key)) << key << " is not referenced";
  }
}

TEST_F(TableOpsTest, DefaultMergeThresholdIsOneHundredManifests) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(false));
  for (int i = 0; i < 101; ++i)
    ASSERT_OK(t.NewTransaction().Append({MakeFile("f" + std::to_string(i), 1)}).Commit());
  SnapshotFiles files = Current(t);
  EXPECT_LT(files.list.manifests.size(), 100u);
  EXPECT_EQ(files.live.size(), 101u);
}

TEST_F(TableOpsTest, RejectsFilesThatDoNotFitTheSpec) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  EXPECT_THAT(t.NewTransaction().Append({MakeFile("a", 1)}).Commit(),
              IsError(StatusCode::kInvalidArgument));
  EXPECT_EQ(t.metadata().snapshots.size(), 0u);
  EXPECT_EQ(MetadataKeys(*store_).size(), 2u);  // first metadata file and version hint
}

}  // namespace
}  // namespace atl::iceberg
