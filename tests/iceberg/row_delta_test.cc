// Row-level changes (Transaction::RowDelta, row_delta.h): position delete files and
// deletion vectors committed and read back by PlanScan, copy-on-write rewrites, the
// isolation rules (each conflict, and the cases that must commit), and format v3 row
// lineage. A MemoryCatalog over a MemoryStore.
#include <gtest/gtest.h>

#include <thread>

#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/commit/table_metadata_builder.h"
#include "atoll/iceberg/scan/scan.h"
#include "table_test_util.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

using catalog::MemoryCatalog;

using atl::testing::IsError;
using namespace atl::iceberg::testing;
using Op = Expression::Op;

constexpr int32_t kDeleteFilePathId = 2147483546;

CommitEnv FastEnv() {
  CommitEnv env;
  env.sleep = [](std::chrono::milliseconds d) {
    std::this_thread::sleep_for(std::min(d, std::chrono::milliseconds(2)));
  };
  return env;
}

std::string PathOf(const std::string& name) { return MakeFile(name, 1).file_path; }

// A v2 position delete file of `rows` deletes against data file `target` (partition
// `category`), with referenced_data_file set unless `referenced` is false.
DataFile PositionDeletes(const std::string& name, const std::string& target, int64_t rows,
                         std::optional<std::string> category, bool referenced = true) {
  DataFile f;
  f.content = FileContent::kPositionDeletes;
  f.file_path = "mem://wh/db/t/data/" + name + "-deletes.parquet";
  f.file_format = "PARQUET";
  f.record_count = rows;
  f.file_size_in_bytes = 100 + rows;
  if (category) f.partition.push_back(Literal::String(*category));
  if (referenced) f.referenced_data_file = PathOf(target);
  return f;
}

// A v3 deletion vector for data file `target`, a blob at `offset` of a Puffin file.
DataFile Dv(const std::string& puffin, const std::string& target, int64_t offset, int64_t rows,
            std::optional<std::string> category) {
  DataFile f;
  f.content = FileContent::kPositionDeletes;
  f.file_path = "mem://wh/db/t/data/" + puffin + ".puffin";
  f.file_format = "PUFFIN";
  f.record_count = rows;
  f.file_size_in_bytes = 1000;
  if (category) f.partition.push_back(Literal::String(*category));
  f.referenced_data_file = PathOf(target);
  f.content_offset = offset;
  f.content_size_in_bytes = 40 + rows;
  return f;
}

Expression CategoryIs(const std::string& v) {
  return Expression::Predicate(Op::kEq, "category", {Literal::String(v)});
}

class RowDeltaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_shared<storage::MemoryStore>("wh");
    io_ = MountedIO(store_);
    catalog_ = std::make_shared<MemoryCatalog>("mem://wh");
    ASSERT_OK(catalog_->CreateNamespace({"db"}, {}));
  }

  Result<Table> Create(bool partitioned, int format_version = 2) {
    CreateTableOptions o;
    o.schema = TestSchema();
    if (partitioned) o.partition = {UnboundPartitionField{{30}, "category", Transform::Identity()}};
    o.format_version = format_version;
    return Table::Create(catalog_, io_, {{"db"}, "t"}, o, FastEnv());
  }

  Table Load() {
    auto t = Table::Load(catalog_, io_, {{"db"}, "t"}, FastEnv());
    EXPECT_TRUE(t.ok()) << t.status().ToString();
    return std::move(*t);
  }

  // The delete files PlanScan attaches to each data file (by path) of the current snapshot.
  std::map<std::string, std::vector<std::string>> Deletes(const Table& t) {
    std::map<std::string, std::vector<std::string>> out;
    auto plan = PlanScan(*io_, t.metadata());
    EXPECT_TRUE(plan.ok()) << plan.status().ToString();
    if (!plan.ok()) return out;
    for (const FileScanTask& task : plan->tasks) {
      std::vector<std::string>& d = out[task.file.file_path];
      for (const DataFile& f : task.position_deletes) d.push_back(DeleteFileKey(f));
    }
    return out;
  }

  // A delta deleting rows of `target` (partition `category`) read at `t`'s current snapshot.
  RowDelta DeleteRowsOf(const Table& t, const std::string& target, const std::string& category,
                        const std::string& name) {
    RowDelta d;
    d.read_snapshot_id = t.metadata().current_snapshot_id;
    d.added_deletes = {PositionDeletes(name, target, 2, category)};
    d.referenced_data_files = {PathOf(target)};
    d.conflict_filter = CategoryIs(category);
    return d;
  }

  std::shared_ptr<storage::MemoryStore> store_;
  std::shared_ptr<FileIO> io_;
  std::shared_ptr<MemoryCatalog> catalog_;
};

const std::string& Summary(const Table& t, const std::string& key) {
  static const std::string kMissing = "<missing>";
  const auto& s = t.metadata().CurrentSnapshot()->summary;
  auto it = s.find(key);
  return it == s.end() ? kMissing : it->second;
}

TEST_F(RowDeltaTest, PositionDeletesAreCommittedAndAppliedByPlanScan) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x"), MakeFile("b", 10, "y")}).Commit());
  RowDelta d = DeleteRowsOf(t, "a", "x", "d1");
  d.summary = {{"lake.statement", "DELETE"}};
  ASSERT_OK(t.NewTransaction().RowDelta(d).Commit());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  EXPECT_EQ(s->operation(), "delete");
  EXPECT_EQ(Summary(t, "added-delete-files"), "1");
  EXPECT_EQ(Summary(t, "added-position-delete-files"), "1");
  EXPECT_EQ(Summary(t, "added-position-deletes"), "2");
  EXPECT_EQ(Summary(t, "total-delete-files"), "1");
  EXPECT_EQ(Summary(t, "total-position-deletes"), "2");
  EXPECT_EQ(Summary(t, "total-data-files"), "2");
  EXPECT_EQ(Summary(t, "lake.statement"), "DELETE");
  // One delete manifest, its entry's sequence number inherited from the snapshot.
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *s));
  int delete_manifests = 0;
  for (size_t i = 0; i < files.list.manifests.size(); ++i) {
    if (files.list.manifests[i].content != ManifestContent::kDeletes) continue;
    ++delete_manifests;
    EXPECT_EQ(files.manifests[i].content, ManifestContent::kDeletes);
    ASSERT_EQ(files.manifests[i].entries.size(), 1u);
    EXPECT_EQ(files.manifests[i].entries[0].sequence_number, s->sequence_number);
    EXPECT_EQ(files.manifests[i].entries[0].data_file.referenced_data_file, PathOf("a"));
  }
  EXPECT_EQ(delete_manifests, 1);
  EXPECT_EQ(Deletes(t), (std::map<std::string, std::vector<std::string>>{
                            {PathOf("a"), {d.added_deletes[0].file_path}}, {PathOf("b"), {}}}));

  // A data file appended later has a higher sequence number: the delete does not apply.
  ASSERT_OK(t.NewTransaction().Append({MakeFile("c", 5, "x")}).Commit());
  // A delete file without referenced_data_file applies by partition (and path bounds).
  RowDelta p;
  p.read_snapshot_id = t.metadata().current_snapshot_id;
  p.added_deletes = {PositionDeletes("p", "c", 1, "x", false)};
  p.added_deletes[0].lower_bounds[kDeleteFilePathId] = PathOf("c");
  p.added_deletes[0].upper_bounds[kDeleteFilePathId] = PathOf("c");
  ASSERT_OK(t.NewTransaction().RowDelta(p).Commit());
  auto deletes = Deletes(t);
  EXPECT_EQ(deletes[PathOf("c")], std::vector<std::string>{p.added_deletes[0].file_path});
  EXPECT_EQ(deletes[PathOf("a")], std::vector<std::string>{d.added_deletes[0].file_path});

  // Removing the first delete file.
  RowDelta r;
  r.read_snapshot_id = t.metadata().current_snapshot_id;
  r.removed_deletes = {d.added_deletes[0]};
  ASSERT_OK(t.NewTransaction().RowDelta(r).Commit());
  EXPECT_EQ(Summary(t, "removed-delete-files"), "1");
  EXPECT_EQ(Summary(t, "removed-position-deletes"), "2");
  EXPECT_EQ(Summary(t, "total-delete-files"), "1");
  EXPECT_EQ(Summary(t, "total-position-deletes"), "1");
  EXPECT_TRUE(Deletes(t)[PathOf("a")].empty());
  // Removing it again, having read the table since: not live.
  r.read_snapshot_id = t.metadata().current_snapshot_id;
  EXPECT_THAT(t.NewTransaction().RowDelta(r).Commit(), IsError(StatusCode::kPreconditionFailed));
}

TEST_F(RowDeltaTest, DeleteManifestsAreMergedKeepingTheirSequenceNumbers) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(
      t.NewTransaction().SetProperties({{"commit.manifest.min-count-to-merge", "3"}}).Commit());
  constexpr int kRounds = 6;
  for (int i = 0; i < kRounds; ++i) {
    std::string n = std::to_string(i);
    ASSERT_OK(t.NewTransaction().Append({MakeFile("f" + n, 10, "x")}).Commit());
    RowDelta d;  // a partition-wide delete file: applies by sequence number
    d.read_snapshot_id = t.metadata().current_snapshot_id;
    d.added_deletes = {PositionDeletes("d" + n, "f" + n, 1, "x", false)};
    ASSERT_OK(t.NewTransaction().RowDelta(d).Commit());
  }
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  int delete_manifests = 0;
  for (const ManifestFile& mf : files.list.manifests)
    delete_manifests += mf.content == ManifestContent::kDeletes ? 1 : 0;
  EXPECT_LT(delete_manifests, kRounds);
  EXPECT_EQ(Summary(t, "total-delete-files"), std::to_string(kRounds));
  // f<i> was appended before d<i>..d<5> and after the others.
  auto deletes = Deletes(t);
  for (int i = 0; i < kRounds; ++i) {
    std::vector<std::string> expected;
    for (int k = i; k < kRounds; ++k) {
      expected.push_back(PositionDeletes("d" + std::to_string(k), "f0", 1, "x").file_path);
    }
    std::vector<std::string> got = deletes[PathOf("f" + std::to_string(i))];
    std::sort(got.begin(), got.end());
    EXPECT_EQ(got, expected) << i;
  }
}

TEST_F(RowDeltaTest, CopyOnWriteRewriteIsOneOverwriteSnapshot) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x"), MakeFile("b", 10, "y")}).Commit());
  RowDelta d;
  d.read_snapshot_id = t.metadata().current_snapshot_id;
  d.removed_data = {PathOf("a")};
  d.added_data = {MakeFile("a2", 8, "x")};
  d.conflict_filter = CategoryIs("x");
  ASSERT_OK(t.NewTransaction().RowDelta(d).Commit());
  EXPECT_EQ(t.metadata().CurrentSnapshot()->operation(), "overwrite");
  EXPECT_EQ(Summary(t, "deleted-data-files"), "1");
  EXPECT_EQ(Summary(t, "added-data-files"), "1");
  EXPECT_EQ(Summary(t, "total-records"), "18");
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  EXPECT_EQ(files.live, (std::multiset<std::string>{PathOf("a2"), PathOf("b")}));
  // Data only: an append.
  RowDelta add;
  add.read_snapshot_id = t.metadata().current_snapshot_id;
  add.added_data = {MakeFile("n", 1, "y")};
  ASSERT_OK(t.NewTransaction().RowDelta(add).Commit());
  EXPECT_EQ(t.metadata().CurrentSnapshot()->operation(), "append");
}

// Each isolation rule: the write read `t` at its current snapshot, `other` then committed.
TEST_F(RowDeltaTest, ConcurrentRemovalOfAReferencedDataFileConflicts) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x"), MakeFile("b", 10, "y")}).Commit());
  RowDelta d = DeleteRowsOf(t, "a", "x", "d1");
  Table other = Load();
  ASSERT_OK(other.NewTransaction().DeleteFiles({PathOf("a")}).Commit());
  std::set<std::string> before = MetadataKeys(*store_);
  Transaction tx = t.NewTransaction();
  Status st = tx.RowDelta(d).Commit();
  EXPECT_THAT(st, IsError(StatusCode::kCommitConflict));
  EXPECT_NE(st.message().find(PathOf("a")), std::string::npos) << st.ToString();
  EXPECT_NE(st.message().find(std::to_string(*other.metadata().current_snapshot_id)),
            std::string::npos)
      << st.ToString();
  EXPECT_EQ(MetadataKeys(*store_), before);  // nothing left behind
  ASSERT_OK_AND_ASSIGN(std::string pointer, catalog_->LoadMetadataLocation({{"db"}, "t"}));
  EXPECT_EQ(pointer, other.metadata_location());
  // Copy-on-write of the same file conflicts the same way.
  RowDelta cow;
  cow.read_snapshot_id = d.read_snapshot_id;
  cow.removed_data = {PathOf("a")};
  ASSERT_OK(t.Refresh());
  EXPECT_THAT(t.NewTransaction().RowDelta(cow).Commit(), IsError(StatusCode::kCommitConflict));
}

TEST_F(RowDeltaTest, ConcurrentDeleteFilesForTheSameDataFileConflict) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction()
                .Append({MakeFile("a", 10, "x"), MakeFile("b", 10, "x"), MakeFile("c", 10, "y")})
                .Commit());
  const int64_t read = *t.metadata().current_snapshot_id;
  // Another writer deletes rows of "a" (referenced_data_file).
  Table other = Load();
  ASSERT_OK(other.NewTransaction().RowDelta(DeleteRowsOf(other, "a", "x", "o1")).Commit());
  RowDelta mine = DeleteRowsOf(t, "a", "x", "m1");
  mine.read_snapshot_id = read;
  EXPECT_THAT(t.NewTransaction().RowDelta(mine).Commit(), IsError(StatusCode::kCommitConflict));
  // Copy-on-write of "a" conflicts with those deletes too.
  ASSERT_OK(t.Refresh());
  RowDelta cow;
  cow.read_snapshot_id = read;
  cow.removed_data = {PathOf("a")};
  cow.added_data = {MakeFile("a2", 9, "x")};
  EXPECT_THAT(t.NewTransaction().RowDelta(cow).Commit(), IsError(StatusCode::kCommitConflict));
  // Deleting rows of "b" is fine under snapshot isolation (the other delete file names "a").
  RowDelta b = DeleteRowsOf(t, "b", "x", "m2");
  b.read_snapshot_id = read;
  b.isolation = IsolationLevel::kSnapshot;
  ASSERT_OK(t.NewTransaction().RowDelta(b).Commit());

  // A position delete file without referenced_data_file: its path bounds decide, and
  // without bounds it conservatively conflicts.
  const int64_t read2 = *t.metadata().current_snapshot_id;
  Table o2 = Load();
  RowDelta bounded;
  bounded.read_snapshot_id = read2;
  bounded.added_deletes = {PositionDeletes("o2", "c", 1, "y", false)};
  bounded.added_deletes[0].lower_bounds[kDeleteFilePathId] = PathOf("c");
  bounded.added_deletes[0].upper_bounds[kDeleteFilePathId] = PathOf("c");
  ASSERT_OK(o2.NewTransaction().RowDelta(bounded).Commit());
  RowDelta on_b = DeleteRowsOf(t, "b", "x", "m3");
  on_b.read_snapshot_id = read2;
  on_b.isolation = IsolationLevel::kSnapshot;
  ASSERT_OK(t.NewTransaction().RowDelta(on_b).Commit());  // "b" is outside [c, c]
  const int64_t read3 = *t.metadata().current_snapshot_id;
  ASSERT_OK(o2.Refresh());
  RowDelta unbounded;
  unbounded.read_snapshot_id = read3;
  unbounded.added_deletes = {PositionDeletes("o3", "c", 1, "y", false)};
  ASSERT_OK(o2.NewTransaction().RowDelta(unbounded).Commit());
  RowDelta on_b2 = DeleteRowsOf(t, "b", "x", "m4");
  on_b2.read_snapshot_id = read3;
  on_b2.isolation = IsolationLevel::kSnapshot;
  EXPECT_THAT(t.NewTransaction().RowDelta(on_b2).Commit(), IsError(StatusCode::kCommitConflict));
}

TEST_F(RowDeltaTest, SerializableIsolationConflictsWithAppendsToTheFilteredPartition) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x"), MakeFile("b", 10, "y")}).Commit());
  RowDelta d = DeleteRowsOf(t, "a", "x", "d1");  // DELETE ... WHERE category = 'x'
  Table other = Load();
  // An ingest append to another partition: no conflict.
  ASSERT_OK(other.NewTransaction().Append({MakeFile("y2", 5, "y")}).Commit());
  Transaction tx = t.NewTransaction();
  ASSERT_OK(tx.RowDelta(d).Commit());
  EXPECT_EQ(tx.attempts(), 2);  // the stale first attempt lost the swap; the retry re-applied
  EXPECT_EQ(
      Deletes(t),
      (std::map<std::string, std::vector<std::string>>{
          {PathOf("a"), {d.added_deletes[0].file_path}}, {PathOf("b"), {}}, {PathOf("y2"), {}}}));
  // An append into the filtered partition: a conflict under serializable isolation...
  const int64_t read = *t.metadata().current_snapshot_id;
  ASSERT_OK(other.Refresh());
  ASSERT_OK(other.NewTransaction().Append({MakeFile("x2", 5, "x")}).Commit());
  RowDelta again = DeleteRowsOf(t, "a", "x", "d2");
  again.read_snapshot_id = read;
  again.removed_deletes = d.added_deletes;
  Status st = t.NewTransaction().RowDelta(again).Commit();
  EXPECT_THAT(st, IsError(StatusCode::kCommitConflict));
  EXPECT_NE(st.message().find(PathOf("x2")), std::string::npos) << st.ToString();
  // ... and none under snapshot isolation.
  ASSERT_OK(t.Refresh());
  again.isolation = IsolationLevel::kSnapshot;
  ASSERT_OK(t.NewTransaction().RowDelta(again).Commit());
  EXPECT_EQ(Deletes(t)[PathOf("a")], std::vector<std::string>{again.added_deletes[0].file_path});
}

TEST_F(RowDeltaTest, ConcurrentRemovalOfARemovedDeleteFileConflicts) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x")}).Commit());
  RowDelta d = DeleteRowsOf(t, "a", "x", "d1");
  ASSERT_OK(t.NewTransaction().RowDelta(d).Commit());
  const int64_t read = *t.metadata().current_snapshot_id;
  Table other = Load();
  RowDelta drop;
  drop.read_snapshot_id = read;
  drop.removed_deletes = d.added_deletes;
  ASSERT_OK(other.NewTransaction().RowDelta(drop).Commit());
  RowDelta mine;
  mine.read_snapshot_id = read;
  mine.removed_deletes = d.added_deletes;
  mine.isolation = IsolationLevel::kSnapshot;
  Status st = t.NewTransaction().RowDelta(mine).Commit();
  EXPECT_THAT(st, IsError(StatusCode::kCommitConflict));
  EXPECT_NE(st.message().find(d.added_deletes[0].file_path), std::string::npos) << st.ToString();
}

TEST_F(RowDeltaTest, ConcurrentWritersOnDisjointPartitionsAllCommit) {
  constexpr int kWriters = 4, kRounds = 3;
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().SetProperties({{"commit.retry.num-retries", "100"}}).Commit());
  std::vector<DataFile> files;
  for (int w = 0; w < kWriters; ++w) {
    files.push_back(MakeFile("f" + std::to_string(w), 10, "p" + std::to_string(w)));
  }
  ASSERT_OK(t.NewTransaction().Append(files).Commit());
  std::vector<Status> results(kWriters);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      const std::string category = "p" + std::to_string(w);
      std::optional<DataFile> previous;
      for (int round = 0; round < kRounds && results[w].ok(); ++round) {
        auto table = Table::Load(catalog_, io_, {{"db"}, "t"}, FastEnv());
        if (!table.ok()) {
          results[w] = table.status();
          return;
        }
        RowDelta d = DeleteRowsOf(*table, "f" + std::to_string(w), category,
                                  category + "-r" + std::to_string(round));
        if (previous) d.removed_deletes = {*previous};
        previous = d.added_deletes[0];
        results[w] = table->NewTransaction().RowDelta(d).Commit();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  for (int w = 0; w < kWriters; ++w)
    EXPECT_TRUE(results[w].ok()) << w << ": " << results[w].ToString();
  ASSERT_OK(t.Refresh());
  auto deletes = Deletes(t);
  for (int w = 0; w < kWriters; ++w) {
    std::string last = PositionDeletes("p" + std::to_string(w) + "-r" + std::to_string(kRounds - 1),
                                       "f" + std::to_string(w), 2, std::nullopt)
                           .file_path;
    EXPECT_EQ(deletes[files[w].file_path], std::vector<std::string>{last}) << w;
  }
  EXPECT_EQ(Summary(t, "total-delete-files"), std::to_string(kWriters));
}

TEST_F(RowDeltaTest, AReadSnapshotThatIsNoLongerAnAncestorConflicts) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x")}).Commit());
  const int64_t first = *t.metadata().current_snapshot_id;
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 10, "y")}).Commit());
  RowDelta d = DeleteRowsOf(t, "b", "y", "d1");                      // read the second snapshot
  ASSERT_OK(t.NewTransaction().SetCurrentSnapshot(first).Commit());  // rollback
  EXPECT_THAT(t.NewTransaction().RowDelta(d).Commit(), IsError(StatusCode::kCommitConflict));
}

TEST_F(RowDeltaTest, FormatV3AssignsRowIdsAndKeepsOneDeletionVectorPerDataFile) {
  ASSERT_OK_AND_ASSIGN(Table t, Create(true, 3));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10, "x")}).Commit());
  EXPECT_EQ(t.metadata().CurrentSnapshot()->first_row_id, 0);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->added_rows, 10);
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 20, "y"), MakeFile("c", 5, "y")}).Commit());
  const Snapshot* s = t.metadata().CurrentSnapshot();
  EXPECT_EQ(s->first_row_id, 10);
  EXPECT_EQ(s->added_rows, 25);
  EXPECT_EQ(t.metadata().next_row_id, 35);
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *s));
  EXPECT_EQ(files.list.format_version, 3);
  std::map<std::string, std::optional<int64_t>> row_ids;
  for (const Manifest& m : files.manifests) {
    EXPECT_EQ(m.format_version, 3);
    for (const ManifestEntry& e : m.entries)
      row_ids[e.data_file.file_path] = e.data_file.first_row_id;
  }
  EXPECT_EQ(row_ids, (std::map<std::string, std::optional<int64_t>>{
                         {PathOf("a"), 0}, {PathOf("b"), 10}, {PathOf("c"), 30}}));

  // A deletion vector for "a".
  RowDelta d;
  d.read_snapshot_id = t.metadata().current_snapshot_id;
  d.added_deletes = {Dv("dv1", "a", 4, 2, "x")};
  ASSERT_OK(t.NewTransaction().RowDelta(d).Commit());
  EXPECT_EQ(Summary(t, "added-dvs"), "1");
  EXPECT_EQ(Summary(t, "added-position-deletes"), "2");
  EXPECT_EQ(Summary(t, "total-position-deletes"), "2");
  EXPECT_EQ(t.metadata().CurrentSnapshot()->first_row_id, 35);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->added_rows, 0);  // no data manifest without ids
  EXPECT_EQ(t.metadata().next_row_id, 35);
  EXPECT_EQ(Deletes(t)[PathOf("a")], std::vector<std::string>{DeleteFileKey(d.added_deletes[0])});
  ASSERT_OK_AND_ASSIGN(files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  bool dv_read_back = false;
  for (size_t i = 0; i < files.manifests.size(); ++i) {
    if (files.list.manifests[i].content != ManifestContent::kDeletes) continue;
    EXPECT_FALSE(files.list.manifests[i].first_row_id.has_value());
    for (const ManifestEntry& e : files.manifests[i].entries) {
      dv_read_back = e.data_file == d.added_deletes[0];
    }
  }
  EXPECT_TRUE(dv_read_back);

  // A second DV for "a" must replace the first one.
  RowDelta twice;
  twice.read_snapshot_id = t.metadata().current_snapshot_id;
  twice.added_deletes = {Dv("dv2", "a", 4, 3, "x")};
  EXPECT_THAT(t.NewTransaction().RowDelta(twice).Commit(), IsError(StatusCode::kInvalidArgument));
  twice.removed_deletes = d.added_deletes;
  ASSERT_OK(t.NewTransaction().RowDelta(twice).Commit());
  EXPECT_EQ(Summary(t, "removed-dvs"), "1");
  EXPECT_EQ(Summary(t, "total-position-deletes"), "3");
  EXPECT_EQ(Summary(t, "total-delete-files"), "1");
  EXPECT_EQ(Deletes(t)[PathOf("a")],
            std::vector<std::string>{DeleteFileKey(twice.added_deletes[0])});

  // v2 position delete files are refused on v3 tables, DVs on v2 tables.
  RowDelta v2;
  v2.read_snapshot_id = t.metadata().current_snapshot_id;
  v2.added_deletes = {PositionDeletes("p", "b", 1, "y")};
  EXPECT_THAT(t.NewTransaction().RowDelta(v2).Commit(), IsError(StatusCode::kInvalidArgument));

  // A row delta rewriting "b" copy-on-write: the rewritten manifest keeps its row ids.
  RowDelta cow;
  cow.read_snapshot_id = t.metadata().current_snapshot_id;
  cow.removed_data = {PathOf("b")};
  cow.added_data = {MakeFile("b2", 18, "y")};
  ASSERT_OK(t.NewTransaction().RowDelta(cow).Commit());
  EXPECT_EQ(t.metadata().CurrentSnapshot()->first_row_id, 35);
  EXPECT_EQ(t.metadata().next_row_id, 35 + 18);
  ASSERT_OK_AND_ASSIGN(files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  // The manifest left holding only the replaced DV (DELETED) is dropped from later lists.
  int delete_manifests = 0;
  for (const ManifestFile& mf : files.list.manifests)
    delete_manifests += mf.content == ManifestContent::kDeletes ? 1 : 0;
  EXPECT_EQ(delete_manifests, 1);
  row_ids.clear();
  for (const Manifest& m : files.manifests) {
    for (const ManifestEntry& e : m.entries) {
      if (e.is_live() && e.data_file.content == FileContent::kData)
        row_ids[e.data_file.file_path] = e.data_file.first_row_id;
    }
  }
  EXPECT_EQ(row_ids, (std::map<std::string, std::optional<int64_t>>{
                         {PathOf("a"), 0}, {PathOf("b2"), 35}, {PathOf("c"), 30}}));
}

TEST_F(RowDeltaTest, AfterAnUpgradeToV3ExistingFilesGetRowIdsToo) {
  ASSERT_OK_AND_ASSIGN(Table v2, Create(false));
  ASSERT_OK(v2.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  TableMetadataBuilder b(v2.metadata());
  b.UpgradeFormatVersion(3);
  ASSERT_OK_AND_ASSIGN(TableMetadata upgraded, b.Build(v2.metadata().last_updated_ms + 1));
  ASSERT_OK_AND_ASSIGN(
      Table t, Table::CreateWithMetadata(catalog_, io_, {{"db"}, "u"}, upgraded, FastEnv()));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("b", 5)}).Commit());
  // The new manifest first (0..4), then the v2 one of "a" (5..14).
  EXPECT_EQ(t.metadata().CurrentSnapshot()->first_row_id, 0);
  EXPECT_EQ(t.metadata().CurrentSnapshot()->added_rows, 15);
  EXPECT_EQ(t.metadata().next_row_id, 15);
  ASSERT_OK_AND_ASSIGN(SnapshotFiles files, ReadSnapshot(*io_, *t.metadata().CurrentSnapshot()));
  std::map<std::string, std::optional<int64_t>> row_ids;
  for (const Manifest& m : files.manifests) {
    for (const ManifestEntry& e : m.entries)
      row_ids[e.data_file.file_path] = e.data_file.first_row_id;
  }
  EXPECT_EQ(row_ids,
            (std::map<std::string, std::optional<int64_t>>{{PathOf("a"), 5}, {PathOf("b"), 0}}));
}

TEST_F(RowDeltaTest, DeletionVectorsNeedFormatV3AndConcurrentOnesConflict) {
  ASSERT_OK_AND_ASSIGN(Table v2, Create(false));
  ASSERT_OK(v2.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  RowDelta dv;
  dv.read_snapshot_id = v2.metadata().current_snapshot_id;
  dv.added_deletes = {Dv("dv", "a", 4, 1, std::nullopt)};
  EXPECT_THAT(v2.NewTransaction().RowDelta(dv).Commit(), IsError(StatusCode::kInvalidArgument));
  ASSERT_OK(catalog_->DropTable({{"db"}, "t"}));

  ASSERT_OK_AND_ASSIGN(Table t, Create(false, 3));
  ASSERT_OK(t.NewTransaction().Append({MakeFile("a", 10)}).Commit());
  RowDelta mine;
  mine.read_snapshot_id = t.metadata().current_snapshot_id;
  mine.added_deletes = {Dv("mine", "a", 4, 1, std::nullopt)};
  Table other = Load();
  RowDelta theirs = mine;
  theirs.added_deletes = {Dv("theirs", "a", 4, 1, std::nullopt)};
  ASSERT_OK(other.NewTransaction().RowDelta(theirs).Commit());
  EXPECT_THAT(t.NewTransaction().RowDelta(mine).Commit(), IsError(StatusCode::kCommitConflict));
}

}  // namespace
}  // namespace atl::iceberg
