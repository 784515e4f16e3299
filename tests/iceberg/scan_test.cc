#include "atoll/iceberg/scan/scan.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <set>

#include "atoll/iceberg/scan/puffin.h"
#include "atoll/iceberg/scan/table_folder.h"
#include "atoll/iceberg/temporal.h"
#include "atoll/storage/memory_store.h"
#include "testing/testing.h"

namespace atl::iceberg {
namespace {

namespace fs = std::filesystem;
using testing::IsError;

NestedField Column(int32_t id, std::string name, TypePtr type) {
  NestedField f;
  f.id = id;
  f.name = std::move(name);
  f.type = std::move(type);
  return f;
}

// ---------------------------------------------------------------------------------------
// A synthetic table in a MemoryStore.

struct SyntheticTable {
  std::shared_ptr<storage::MemoryStore> store = std::make_shared<storage::MemoryStore>("synthetic");
  FileIO io;
  TableMetadata md;
  int files = 0;
};

Schema SyntheticSchema() {
  return Schema(0, {Column(1, "id", Type::Long()), Column(2, "cat", Type::String())});
}

std::string CatOf(int i) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), "c%03d", i / 200);
  return buf;
}

// `files` data files (cat = c000.., 200 files per value, id in [10 i, 10 i + 9]) in manifests
// of 1000 files at sequence number 1; at sequence number 2 one position delete file per
// partition and a referenced one for every 100th file; at sequence number 3 one global
// equality delete file (unpartitioned spec 1) and, at sequence number 0 (older than the
// data), one equality delete file per partition that must not apply.
Status BuildSyntheticTable(SyntheticTable* t, int files) {
  t->files = files;
  t->io.Mount("mem://t", t->store);
  Schema schema = SyntheticSchema();
  PartitionSpec spec;
  spec.spec_id = 0;
  spec.fields = {PartitionField{{2}, 1000, "cat", Transform::Identity()}};
  PartitionSpec unpartitioned;
  unpartitioned.spec_id = 1;
  const int64_t snapshot_id = 77;
  std::vector<ManifestFile> list;
  auto add_manifest = [&](const PartitionSpec& s, ManifestContent content, int64_t seq,
                          std::vector<ManifestEntry> entries) -> Status {
    ManifestWriteOptions opts;
    opts.content = content;
    opts.codec = avro::Codec::kNull;
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, WriteManifest(schema, s, entries, opts));
    ManifestFile mf;
    mf.manifest_path = "mem://t/metadata/m" + std::to_string(list.size()) + ".avro";
    mf.manifest_length = static_cast<int64_t>(bytes.size());
    mf.partition_spec_id = s.spec_id;
    mf.content = content;
    mf.sequence_number = seq;
    mf.min_sequence_number = seq;
    mf.added_snapshot_id = snapshot_id;
    mf.added_files_count = static_cast<int32_t>(entries.size());
    mf.existing_files_count = 0;
    mf.deleted_files_count = 0;
    mf.added_rows_count = 0;
    mf.existing_rows_count = 0;
    mf.deleted_rows_count = 0;
    if (!s.fields.empty()) {
      FieldSummary sum;
      std::string lo, hi;
      for (const ManifestEntry& e : entries) {
        const std::string& v = e.data_file.partition[0].bytes_value();
        if (lo.empty() || v < lo) lo = v;
        if (hi.empty() || v > hi) hi = v;
      }
      sum.lower_bound = lo;
      sum.upper_bound = hi;
      mf.partitions = {sum};
    }
    ATOLL_RETURN_NOT_OK(t->io.Write(mf.manifest_path, std::move(bytes)).status());
    list.push_back(std::move(mf));
    return Status::OK();
  };
  auto entry = [&](FileContent content, std::string path, std::vector<Literal> partition,
                   int64_t seq) {
    ManifestEntry e;
    e.status = EntryStatus::kAdded;
    e.snapshot_id = snapshot_id;
    e.sequence_number = seq;
    e.file_sequence_number = seq;
    e.data_file.content = content;
    e.data_file.file_path = std::move(path);
    e.data_file.file_format = "PARQUET";
    e.data_file.partition = std::move(partition);
    e.data_file.record_count = 10;
    e.data_file.file_size_in_bytes = 1000;
    return e;
  };

  std::vector<ManifestEntry> batch;
  for (int i = 0; i < files; ++i) {
    ManifestEntry e = entry(FileContent::kData,
                            "mem://t/data/" + CatOf(i) + "/f" + std::to_string(i) + ".parquet",
                            {Literal::String(CatOf(i))}, 1);
    e.data_file.value_counts = {{1, 10}, {2, 10}};
    e.data_file.null_value_counts = {{1, 0}, {2, 0}};
    e.data_file.lower_bounds = {{1, *LiteralToBytes(Literal::Long(10LL * i))}, {2, CatOf(i)}};
    e.data_file.upper_bounds = {{1, *LiteralToBytes(Literal::Long(10LL * i + 9))}, {2, CatOf(i)}};
    batch.push_back(std::move(e));
    if (batch.size() == 1000 || i + 1 == files) {
      ATOLL_RETURN_NOT_OK(add_manifest(spec, ManifestContent::kData, 1, std::move(batch)));
      batch.clear();
    }
  }
  std::vector<ManifestEntry> pos;
  std::vector<ManifestEntry> old_eq;
  for (int c = 0; c * 200 < files; ++c) {
    std::string cat = CatOf(c * 200);
    pos.push_back(entry(FileContent::kPositionDeletes, "mem://t/data/" + cat + "/pos.parquet",
                        {Literal::String(cat)}, 2));
    ManifestEntry eq = entry(FileContent::kEqualityDeletes,
                             "mem://t/data/" + cat + "/old-eq.parquet", {Literal::String(cat)}, 0);
    eq.data_file.equality_ids = {1};
    old_eq.push_back(std::move(eq));
  }
  for (int i = 0; i < files; i += 100) {
    ManifestEntry e =
        entry(FileContent::kPositionDeletes, "mem://t/data/ref" + std::to_string(i) + ".parquet",
              {Literal::String(CatOf(i))}, 2);
    e.data_file.referenced_data_file =
        "mem://t/data/" + CatOf(i) + "/f" + std::to_string(i) + ".parquet";
    pos.push_back(std::move(e));
  }
  ATOLL_RETURN_NOT_OK(add_manifest(spec, ManifestContent::kDeletes, 2, std::move(pos)));
  ATOLL_RETURN_NOT_OK(add_manifest(spec, ManifestContent::kDeletes, 0, std::move(old_eq)));
  ManifestEntry global =
      entry(FileContent::kEqualityDeletes, "mem://t/data/global-eq.parquet", {}, 3);
  global.data_file.equality_ids = {1};
  ATOLL_RETURN_NOT_OK(add_manifest(unpartitioned, ManifestContent::kDeletes, 3, {global}));

  ManifestListWriteOptions lopts;
  lopts.snapshot_id = snapshot_id;
  lopts.sequence_number = 3;
  lopts.codec = avro::Codec::kNull;
  ATOLL_ASSIGN_OR_RETURN(std::string list_bytes, WriteManifestList(list, lopts));
  ATOLL_RETURN_NOT_OK(t->io.Write("mem://t/metadata/snap-77.avro", std::move(list_bytes)).status());

  TableMetadata& md = t->md;
  md.format_version = 2;
  md.table_uuid = "9c12d441-03fe-4693-9a96-a0705ddf69c1";
  md.location = "mem://t";
  md.last_sequence_number = 3;
  md.last_column_id = 2;
  md.schemas = {schema};
  md.specs = {spec, unpartitioned};
  md.last_partition_id = 1000;
  Snapshot snap;
  snap.snapshot_id = snapshot_id;
  snap.sequence_number = 3;
  snap.timestamp_ms = 1'700'000'000'000;
  snap.manifest_list = "mem://t/metadata/snap-77.avro";
  snap.schema_id = 0;
  md.snapshots = {snap};
  md.current_snapshot_id = snapshot_id;
  md.snapshot_log = {{snap.timestamp_ms, snapshot_id}};
  md.refs["main"] =
      SnapshotRef{snapshot_id, RefType::kBranch, std::nullopt, std::nullopt, std::nullopt};
  md.refs["v1"] = SnapshotRef{snapshot_id, RefType::kTag, std::nullopt, std::nullopt, std::nullopt};
  return Status::OK();
}

TEST(PlanScanTest, SyntheticTableAttachesDeletesBySequenceAndPartition) {
  SyntheticTable t;
  ASSERT_OK(BuildSyntheticTable(&t, 2000));
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(t.io, t.md));
  ASSERT_EQ(plan.snapshot_id, 77);
  ASSERT_EQ(plan.tasks.size(), 2000u);
  EXPECT_EQ(plan.counts.data_files, 2000);
  EXPECT_EQ(plan.counts.data_files_skipped, 0);
  EXPECT_EQ(plan.counts.manifests, 2 + 3);
  EXPECT_EQ(plan.counts.delete_files, 10 + 20 + 10 + 1);
  for (size_t i = 0; i < plan.tasks.size(); ++i) {
    const FileScanTask& task = plan.tasks[i];
    const std::string cat = CatOf(static_cast<int>(i));
    ASSERT_EQ(task.file.file_path, "mem://t/data/" + cat + "/f" + std::to_string(i) + ".parquet");
    EXPECT_EQ(task.data_sequence_number, 1);
    std::set<std::string> pos;
    for (const DataFile& d : task.position_deletes) pos.insert(d.file_path);
    std::set<std::string> want = {"mem://t/data/" + cat + "/pos.parquet"};
    if (i % 100 == 0) want.insert("mem://t/data/ref" + std::to_string(i) + ".parquet");
    EXPECT_EQ(pos, want) << i;
    ASSERT_EQ(task.equality_deletes.size(), 1u)
        << i;  // the old per-partition ones are older than the data
    EXPECT_EQ(task.equality_deletes[0].file_path, "mem://t/data/global-eq.parquet");
  }
  // A tag reads the same snapshot; unknown refs and snapshots are NotFound.
  ScanOptions tag;
  tag.ref = "v1";
  ASSERT_OK_AND_ASSIGN(ScanPlan tagged, PlanScan(t.io, t.md, tag));
  EXPECT_EQ(tagged.tasks.size(), 2000u);
  tag.ref = "nope";
  EXPECT_THAT(PlanScan(t.io, t.md, tag), IsError(StatusCode::kNotFound));
  ScanOptions by_id;
  by_id.snapshot_id = 12345;
  EXPECT_THAT(PlanScan(t.io, t.md, by_id), IsError(StatusCode::kNotFound));
  ScanOptions early;
  early.as_of_ms = 1'600'000'000'000;
  auto r = PlanScan(t.io, t.md, early);
  EXPECT_THAT(r, IsError(StatusCode::kNotFound));
  // An empty table gives an empty plan.
  TableMetadata empty = t.md;
  empty.current_snapshot_id.reset();
  ASSERT_OK_AND_ASSIGN(ScanPlan none, PlanScan(t.io, empty));
  EXPECT_FALSE(none.snapshot_id.has_value());
  EXPECT_TRUE(none.tasks.empty());
}

TEST(PlanScanTest, SyntheticTablePrunesManifestsAndFiles) {
  SyntheticTable t;
  ASSERT_OK(BuildSyntheticTable(&t, 2000));
  ScanOptions opts;
  ASSERT_OK_AND_ASSIGN(opts.filter, ParseExpression("cat = 'c007'"));
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(t.io, t.md, opts));
  ASSERT_EQ(plan.tasks.size(), 200u);
  for (const FileScanTask& task : plan.tasks)
    EXPECT_EQ(task.file.partition[0].bytes_value(), "c007");
  EXPECT_EQ(plan.counts.manifests_skipped, 1);  // the data manifest of c000..c004
  EXPECT_EQ(plan.counts.data_files, 2000);
  EXPECT_EQ(plan.counts.data_files_skipped, 1800);
  // Delete files of other partitions are dropped; the global one stays.
  EXPECT_EQ(plan.counts.delete_files, 1 + 2 + 1 + 1);
  ASSERT_OK_AND_ASSIGN(opts.filter, ParseExpression("id < 100 OR id >= 19990"));
  ASSERT_OK_AND_ASSIGN(plan, PlanScan(t.io, t.md, opts));
  ASSERT_EQ(plan.tasks.size(), 11u);
  EXPECT_EQ(plan.tasks.back().file.file_path, "mem://t/data/c009/f1999.parquet");
  ASSERT_OK_AND_ASSIGN(opts.filter, ParseExpression("nope = 1"));
  EXPECT_THAT(PlanScan(t.io, t.md, opts), IsError(StatusCode::kInvalidArgument));
}

// Many files, in parallel and serially, plan to the same tasks (speed is measured by
// bench/iceberg_bench, not here).
TEST(PlanScanTest, ThousandsOfFilesPlanTheSameInParallel) {
  SyntheticTable t;
  ASSERT_OK(BuildSyntheticTable(&t, 4000));
  std::vector<std::vector<std::string>> paths;
  for (int parallelism : {1, 4}) {
    ScanOptions opts;
    opts.parallelism = parallelism;
    ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(t.io, t.md, opts));
    ASSERT_EQ(plan.tasks.size(), 4000u);
    EXPECT_GT(plan.counts.delete_files, 0);
    std::vector<std::string> p;
    for (const FileScanTask& task : plan.tasks) p.push_back(task.file.file_path);
    std::sort(p.begin(), p.end());
    EXPECT_EQ(std::unique(p.begin(), p.end()), p.end());
    paths.push_back(std::move(p));
  }
  EXPECT_EQ(paths[0], paths[1]);
}

TEST(PlanScanTest, UnreadableManifestIsCorruption) {
  SyntheticTable t;
  ASSERT_OK(BuildSyntheticTable(&t, 10));
  ASSERT_OK(t.io.Write("mem://t/metadata/m0.avro", std::string("not avro")));
  EXPECT_THAT(PlanScan(t.io, t.md), IsError(StatusCode::kCorruption));
}

// ---------------------------------------------------------------------------------------
// The Iceberg tables of ../shared/testdata.

struct CorpusTable {
  const char* root;
  const char* metadata;  // the current metadata file
  int data, pos, eq, dv;
  int64_t data_records;
};

const CorpusTable kCorpus[] = {
    {"duckdb-iceberg/add_columns_with_defaults/default.db/add_columns_with_defaults",
     "00003-3f1801a5-7dfb-4072-b14a-39cd12f9279b.metadata.json", 2, 0, 0, 0, 3},
    {"duckdb-iceberg/big_query_error", "v1749025517.metadata.json", 1, 0, 0, 0, 2},
    {"duckdb-iceberg/equality_deletes/warehouse/mydb/mytable", "v7.metadata.json", 2, 0, 4, 0, 6},
    {"duckdb-iceberg/equality_deletes/warehouse/mydb/mytable_partitioned", "v6.metadata.json", 6, 0,
     3, 0, 6},
    {"duckdb-iceberg/generated_spec2_0_001/pyspark_iceberg_table", "v9.metadata.json", 5, 3, 0, 0,
     18044},
    {"duckdb-iceberg/hive_partitioned_table", "v4.metadata.json", 6, 0, 0, 0, 6},
    {"duckdb-iceberg/iceberg_v1_repro/repro/merch_v1",
     "00003-8d01e4aa-d143-49c9-898e-b5e477577b70.metadata.json", 2, 0, 0, 0, 4},
    {"duckdb-iceberg/lineitem_iceberg", "v2.metadata.json", 1, 0, 0, 0, 51793},
    {"duckdb-iceberg/map_stats/default.db/map_stats",
     "00002-0e059d4b-e5e8-41af-a763-76cbf3a3d0bc.metadata.json", 2, 0, 0, 0, 2},
    {"duckdb-iceberg/name_mapping/warehouse_1/mydb/t1", "v7.metadata.json", 1, 0, 0, 0, 10000},
    {"duckdb-iceberg/uuid", "00001-43fda1f4-1c96-4376-ad16-91beb71d0759.metadata.json", 2, 0, 0, 0,
     10},
    {"impala/iceberg_partitioned", "v2.metadata.json", 20, 0, 0, 0, 20},
    {"impala/iceberg_v2_delete_equality_partitioned", "v5.metadata.json", 4, 0, 4, 0, 8},
    {"impala/iceberg_v2_delete_positional", "v2.metadata.json", 1, 1, 0, 0, 3},
    {"impala/iceberg_v2_no_deletes_orc", "v2.metadata.json", 1, 0, 0, 0, 3},
    {"impala/iceberg_v3_deletion_vectors", "v3.metadata.json", 5, 0, 0, 2, 5},
};

std::optional<std::string> IcebergTestdata() {
  std::optional<std::string> dir = testing::TestdataDir();
  if (!dir || !fs::exists(*dir + "/iceberg")) return std::nullopt;
  return *dir + "/iceberg";
}

#define SKIP_WITHOUT_TESTDATA(var)                    \
  std::optional<std::string> var = IcebergTestdata(); \
  if (!var) GTEST_SKIP() << "../shared/testdata/iceberg is absent; skipping"

// Checks the spec's rules for every attached delete file and returns the distinct delete
// files attached, by kind.
struct Attached {
  std::set<std::string> pos, eq, dv;
};
Attached CheckAttachments(const ScanPlan& plan, const FileIO& io) {
  Attached a;
  for (const FileScanTask& task : plan.tasks) {
    EXPECT_OK(io.Head(task.file.file_path));
    for (const DataFile& d : task.position_deletes) {
      bool is_dv = d.file_format == "PUFFIN" || d.file_format == "puffin";
      (is_dv ? a.dv : a.pos)
          .insert(d.file_path + (is_dv ? "@" + std::to_string(d.content_offset.value_or(0)) : ""));
      EXPECT_EQ(d.content, FileContent::kPositionDeletes);
      if (d.referenced_data_file) {
        EXPECT_EQ(*d.referenced_data_file, task.file.file_path);
      }
      if (is_dv) {
        EXPECT_EQ(task.position_deletes.size(), 1u) << "a DV replaces position delete files";
      }
      EXPECT_OK(io.Head(d.file_path));
    }
    for (const DataFile& d : task.equality_deletes) {
      a.eq.insert(d.file_path);
      EXPECT_EQ(d.content, FileContent::kEqualityDeletes);
      EXPECT_FALSE(d.equality_ids.empty());
      EXPECT_OK(io.Head(d.file_path));
    }
  }
  return a;
}

// The spec's delete-file rules applied by brute force (every delete file against every
// data file), compared with the plan's attachments.
void ExpectSameAsBruteForce(const ScanPlan& plan, const FileIO& io, const TableMetadata& md) {
  ASSERT_TRUE(plan.snapshot_id.has_value());
  const Snapshot* snap = md.SnapshotById(*plan.snapshot_id);
  ASSERT_NE(snap, nullptr);
  struct Entry {
    DataFile file;
    int64_t seq;
    int32_t spec_id;
  };
  std::vector<Entry> data, deletes;
  ASSERT_OK_AND_ASSIGN(std::string list_bytes, io.Read(snap->manifest_list));
  ASSERT_OK_AND_ASSIGN(ManifestList list, ReadManifestList(list_bytes, snap->manifest_list));
  for (const ManifestFile& mf : list.manifests) {
    ASSERT_OK_AND_ASSIGN(std::string bytes, io.Read(mf.manifest_path));
    ASSERT_OK_AND_ASSIGN(Manifest m, ReadManifest(bytes, mf.manifest_path, &mf));
    for (const ManifestEntry& e : m.entries) {
      if (!e.is_live()) continue;
      Entry x{e.data_file, e.sequence_number.value_or(0), mf.partition_spec_id};
      (e.data_file.content == FileContent::kData ? data : deletes).push_back(std::move(x));
    }
  }
  ASSERT_EQ(data.size(), plan.tasks.size());
  auto unpartitioned = [&](int32_t spec_id) {
    const PartitionSpec* spec = md.SpecById(spec_id);
    return spec == nullptr || spec->fields.empty();
  };
  for (size_t i = 0; i < data.size(); ++i) {
    const Entry& f = data[i];
    const FileScanTask& task = plan.tasks[i];
    ASSERT_EQ(task.file.file_path, f.file.file_path);
    EXPECT_EQ(task.data_sequence_number, f.seq);
    std::multiset<std::string> want_pos, want_eq, got_pos, got_eq;
    const Entry* dv = nullptr;
    for (const Entry& d : deletes) {
      bool is_dv = d.file.content_offset.has_value();
      if (is_dv && d.file.referenced_data_file == f.file.file_path && d.seq >= f.seq) dv = &d;
    }
    for (const Entry& d : deletes) {
      bool same_partition = d.spec_id == f.spec_id && d.file.partition == f.file.partition;
      if (d.file.content == FileContent::kEqualityDeletes) {
        if (d.seq > f.seq && (unpartitioned(d.spec_id) || same_partition))
          want_eq.insert(d.file.file_path);
      } else if (dv == nullptr && !d.file.content_offset && d.seq >= f.seq) {
        bool applies = d.file.referenced_data_file
                           ? *d.file.referenced_data_file == f.file.file_path
                           : unpartitioned(d.spec_id) || same_partition;
        // The file_path column's bounds (field 2147483546) name the data files it covers.
        auto lo = d.file.lower_bounds.find(2147483546);
        auto hi = d.file.upper_bounds.find(2147483546);
        const std::string& path = f.file.file_path;
        if (lo != d.file.lower_bounds.end() && path < lo->second) applies = false;
        if (hi != d.file.upper_bounds.end() && path > hi->second && path.rfind(hi->second, 0) != 0)
          applies = false;
        if (applies) want_pos.insert(d.file.file_path);
      }
    }
    if (dv != nullptr) want_pos.insert(dv->file.file_path);
    for (const DataFile& d : task.position_deletes) got_pos.insert(d.file_path);
    for (const DataFile& d : task.equality_deletes) got_eq.insert(d.file_path);
    EXPECT_EQ(got_pos, want_pos) << f.file.file_path;
    EXPECT_EQ(got_eq, want_eq) << f.file.file_path;
  }
}

TEST(CorpusTest, LoadsEveryTableAndPlansTheCurrentSnapshot) {
  SKIP_WITHOUT_TESTDATA(dir);
  for (const CorpusTable& c : kCorpus) {
    SCOPED_TRACE(c.root);
    const std::string root = *dir + "/" + c.root;
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable table, LoadTableFromLocation(io, root));
    EXPECT_EQ(fs::path(table.metadata_location).filename().string(), c.metadata);
    ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, table.metadata));
    EXPECT_EQ(plan.snapshot_id, table.metadata.current_snapshot_id);
    EXPECT_EQ(static_cast<int>(plan.tasks.size()), c.data);
    EXPECT_EQ(plan.counts.delete_files, c.pos + c.eq + c.dv);
    int64_t records = 0;
    for (const FileScanTask& task : plan.tasks) records += task.file.record_count;
    EXPECT_EQ(records, c.data_records);
    Attached a = CheckAttachments(plan, io);
    EXPECT_LE(static_cast<int>(a.pos.size()), c.pos);
    EXPECT_LE(static_cast<int>(a.eq.size()), c.eq);
    EXPECT_EQ(static_cast<int>(a.dv.size()), c.dv);
    ExpectSameAsBruteForce(plan, io, table.metadata);
    // Every file the plan names resolves under the local folder.
    for (const FileScanTask& task : plan.tasks) {
      EXPECT_EQ(io.Map(task.file.file_path).rfind(root, 0), 0u) << io.Map(task.file.file_path);
    }
  }
}

TEST(CorpusTest, LoadTableFromMetadataFilesAndErrors) {
  SKIP_WITHOUT_TESTDATA(dir);
  const std::string bq = *dir + "/duckdb-iceberg/big_query_error";
  FileIO io;
  ASSERT_OK_AND_ASSIGN(FolderTable current,
                       LoadTableFromLocation(io, bq + "/metadata/v1749025517.metadata.json"));
  EXPECT_EQ(current.metadata.location, "gs://laura-test-test-bucket/table_name");
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, current.metadata));
  EXPECT_EQ(plan.tasks.size(), 1u);
  FileIO io0;
  auto v0 = LoadTableFromLocation(io0, bq + "/metadata/v0.metadata.json");
  ASSERT_THAT(v0, IsError(StatusCode::kCorruption));
  EXPECT_NE(v0.status().message().find("v0.metadata.json"), std::string::npos)
      << v0.status().ToString();
  EXPECT_NE(v0.status().message().find("format-version"), std::string::npos)
      << v0.status().ToString();

  FileIO io2;
  auto missing = LoadTableFromLocation(io2, *dir + "/duckdb-iceberg");
  ASSERT_THAT(missing, IsError(StatusCode::kNotFound));
  EXPECT_NE(missing.status().message().find("duckdb-iceberg"), std::string::npos);

  // A hand-upgraded v3 copy of a v1 table reads the same files.
  FileIO io3;
  ASSERT_OK_AND_ASSIGN(
      FolderTable v3,
      LoadTableFromLocation(io3, *dir + "/duckdb-iceberg/iceberg_v1_repro/repro/merch_v1/"
                                        "metadata/00004-v3-upgraded-v1-null-counts.metadata.json"));
  EXPECT_EQ(v3.metadata.format_version, 3);
  ASSERT_OK_AND_ASSIGN(ScanPlan p3, PlanScan(io3, v3.metadata));
  int64_t records = 0;
  for (const FileScanTask& task : p3.tasks) records += task.file.record_count;
  EXPECT_EQ(records, 4);
}

TEST(CorpusTest, LoadsGzipMetadataAndHints) {
  SKIP_WITHOUT_TESTDATA(dir);
  // Copy a table's metadata folder, gzip the current file, and point a hint at it.
  testing::TempDir tmp;
  const std::string src = *dir + "/impala/iceberg_v2_delete_positional";
  fs::copy(src, tmp.Join("iceberg_v2_delete_positional"), fs::copy_options::recursive);
  const std::string root = tmp.Join("iceberg_v2_delete_positional");
  fs::remove(root + "/metadata/version-hint.text");
  std::string json = testing::ReadFile(root + "/metadata/v2.metadata.json");
  fs::remove(root + "/metadata/v2.metadata.json");
  // A stored (uncompressed) deflate stream inside a gzip member.
  std::string gz("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  for (size_t off = 0; off < json.size(); off += 65535) {
    size_t n = std::min<size_t>(65535, json.size() - off);
    bool last = off + n == json.size();
    gz.push_back(last ? 1 : 0);
    gz.push_back(static_cast<char>(n & 0xff));
    gz.push_back(static_cast<char>(n >> 8));
    gz.push_back(static_cast<char>(~n & 0xff));
    gz.push_back(static_cast<char>((~n >> 8) & 0xff));
    gz += json.substr(off, n);
  }
  uint32_t crc = Crc32(json);
  for (int i = 0; i < 4; ++i) gz.push_back(static_cast<char>((crc >> (8 * i)) & 0xff));
  for (int i = 0; i < 4; ++i) gz.push_back(static_cast<char>((json.size() >> (8 * i)) & 0xff));
  testing::WriteFile(root + "/metadata/v2.gz.metadata.json", gz);
  {
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable t, LoadTableFromLocation(io, root));
    EXPECT_EQ(fs::path(t.metadata_location).filename().string(), "v2.gz.metadata.json");
    ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, t.metadata));
    EXPECT_EQ(plan.tasks.size(), 1u);
    ASSERT_EQ(plan.tasks[0].position_deletes.size(), 1u);
    EXPECT_OK(io.Head(plan.tasks[0].position_deletes[0].file_path));
  }
  // A hint naming version 1 wins over the highest version only when that file exists; a
  // numeric hint moves forward to newer consecutive versions like Hadoop tables.
  testing::WriteFile(root + "/metadata/version-hint.text", "1\n");
  {
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable t, LoadTableFromLocation(io, root));
    EXPECT_EQ(fs::path(t.metadata_location).filename().string(), "v2.gz.metadata.json");
  }
  testing::WriteFile(root + "/metadata/version-hint.text", "v1.metadata.json");
  {
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable t, LoadTableFromLocation(io, root));
    EXPECT_EQ(fs::path(t.metadata_location).filename().string(), "v1.metadata.json");
  }
  // Corrupt gzip is Corruption naming the file.
  std::string bad = gz;
  bad[bad.size() - 5] ^= 1;
  testing::WriteFile(root + "/metadata/v2.gz.metadata.json", bad);
  fs::remove(root + "/metadata/version-hint.text");
  {
    FileIO io;
    auto t = LoadTableFromLocation(io, root);
    ASSERT_THAT(t, IsError(StatusCode::kCorruption));
    EXPECT_NE(t.status().message().find("v2.gz.metadata.json"), std::string::npos);
  }
  EXPECT_EQ(MetadataFileNameVersion("v12.metadata.json"), 12);
  EXPECT_EQ(MetadataFileNameVersion("00003-8d01e4aa-d143-49c9-898e-b5e477577b70.metadata.json"), 3);
  EXPECT_EQ(MetadataFileNameVersion("00004-v3-upgraded-v1-null-counts.metadata.json"),
            std::nullopt);
  EXPECT_EQ(MetadataFileNameVersion("v3.1.metadata.json"), std::nullopt);
  EXPECT_EQ(MetadataFileNameVersion("v7.metadata.json.gz"), 7);
}

TEST(CorpusTest, ReadsDeletionVectors) {
  SKIP_WITHOUT_TESTDATA(dir);
  FileIO io;
  ASSERT_OK_AND_ASSIGN(FolderTable table,
                       LoadTableFromLocation(io, *dir + "/impala/iceberg_v3_deletion_vectors"));
  ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, table.metadata));
  int64_t deleted = 0;
  int dvs = 0;
  for (const FileScanTask& task : plan.tasks) {
    for (const DataFile& dv : task.position_deletes) {
      ASSERT_TRUE(dv.content_offset.has_value());
      ++dvs;
      ASSERT_OK_AND_ASSIGN(std::vector<int64_t> positions, ReadDeletionVector(io, dv));
      EXPECT_EQ(static_cast<int64_t>(positions.size()), dv.record_count);
      EXPECT_TRUE(std::is_sorted(positions.begin(), positions.end()));
      for (int64_t p : positions) EXPECT_LT(p, task.file.record_count);
      deleted += static_cast<int64_t>(positions.size());
      ASSERT_OK_AND_ASSIGN(PuffinFileMetadata meta, ReadPuffinMetadata(io, dv.file_path));
      bool found = false;
      for (const PuffinBlobMetadata& b : meta.blobs) {
        if (b.offset == *dv.content_offset) {
          found = true;
          EXPECT_EQ(b.type, kDeletionVectorBlobType);
          EXPECT_EQ(b.length, *dv.content_size_in_bytes);
          EXPECT_EQ(b.properties.at("cardinality"), std::to_string(positions.size()));
          // The blob names the data file by its original location.
          EXPECT_EQ(b.properties.at("referenced-data-file"), task.file.file_path);
        }
      }
      EXPECT_TRUE(found);
    }
  }
  EXPECT_EQ(dvs, 2);
  EXPECT_EQ(deleted, 2);  // the delete record count of EXPECTED.md
}

TEST(CorpusTest, TimeTravelPlansOlderSnapshots) {
  SKIP_WITHOUT_TESTDATA(dir);
  int checked = 0;
  for (const CorpusTable& c : kCorpus) {
    SCOPED_TRACE(c.root);
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable table, LoadTableFromLocation(io, *dir + "/" + c.root));
    const TableMetadata& md = table.metadata;
    for (const Snapshot& snap : md.snapshots) {
      // Some copies keep only the files of recent snapshots.
      if (!snap.manifest_list.empty() && !io.Head(snap.manifest_list).ok()) continue;
      ScanOptions by_id;
      by_id.snapshot_id = snap.snapshot_id;
      auto plan = PlanScan(io, md, by_id);
      ASSERT_OK(plan);
      EXPECT_EQ(plan->snapshot_id, snap.snapshot_id);
      if (snap.schema_id) {
        EXPECT_EQ(plan->schema.schema_id(), *snap.schema_id);
      }
      // The writers' own totals in the snapshot summary.
      auto total = [&](const char* key) -> std::optional<int64_t> {
        auto it = snap.summary.find(key);
        if (it == snap.summary.end()) return std::nullopt;
        return std::stoll(it->second);
      };
      if (auto files = total("total-data-files")) {
        EXPECT_EQ(static_cast<int64_t>(plan->tasks.size()), *files) << snap.snapshot_id;
        ++checked;
      }
      if (auto records = total("total-records")) {
        int64_t sum = 0;
        for (const FileScanTask& t : plan->tasks) sum += t.file.record_count;
        EXPECT_EQ(sum, *records) << snap.snapshot_id;
      }
      if (auto deletes = total("total-delete-files")) {
        EXPECT_EQ(plan->counts.delete_files, *deletes) << snap.snapshot_id;
      }
      CheckAttachments(*plan, io);
      if (!snap.manifest_list.empty()) ExpectSameAsBruteForce(*plan, io, md);
      // By time: the snapshot that was current at its own timestamp.
      bool logged = false;
      for (const SnapshotLogEntry& e : md.snapshot_log)
        logged = logged || e.snapshot_id == snap.snapshot_id;
      if (logged) {
        ScanOptions by_time;
        by_time.as_of_ms = snap.timestamp_ms;
        ASSERT_OK_AND_ASSIGN(ScanPlan at, PlanScan(io, md, by_time));
        ASSERT_OK_AND_ASSIGN(const Snapshot* expected, md.SnapshotAsOf(snap.timestamp_ms));
        EXPECT_EQ(at.snapshot_id, expected->snapshot_id);
        if (expected->snapshot_id == snap.snapshot_id) {
          EXPECT_EQ(at.tasks.size(), plan->tasks.size());
        }
      }
    }
    if (!md.snapshot_log.empty()) {
      ScanOptions before;
      before.as_of_ms = md.snapshot_log.front().timestamp_ms - 1;
      EXPECT_THAT(PlanScan(io, md, before), IsError(StatusCode::kNotFound));
    }
  }
  EXPECT_GT(checked, 20);
}

TEST(CorpusTest, PruningSkipsFilesAndKeepsMatches) {
  SKIP_WITHOUT_TESTDATA(dir);
  {
    // hive_partitioned_table: 2 rows on 2024-01-03 (one file per row), spec evolution.
    FileIO io;
    ASSERT_OK_AND_ASSIGN(
        FolderTable t, LoadTableFromLocation(io, *dir + "/duckdb-iceberg/hive_partitioned_table"));
    struct Case {
      const char* filter;
      int64_t rows;  // rows that match, from EXPECTED.md
    };
    for (const Case& c :
         {Case{"event_date = DATE '2024-01-03'", 2}, Case{"event_date >= '2024-01-04'", 2},
          Case{"event_date < DATE '2024-01-02'", 1}, Case{"event_type = 'click'", 2},
          Case{"event_date = DATE '2024-01-03' AND event_type = 'view'", 1},
          Case{"event_date IN (DATE '2024-01-01', DATE '2024-01-04')", 3}}) {
      SCOPED_TRACE(c.filter);
      ScanOptions opts;
      ASSERT_OK_AND_ASSIGN(opts.filter, ParseExpression(c.filter));
      ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, t.metadata, opts));
      int64_t rows = 0;
      for (const FileScanTask& task : plan.tasks) rows += task.file.record_count;
      // Every data file holds one row: the plan has exactly the matching files.
      EXPECT_EQ(rows, c.rows);
      EXPECT_EQ(plan.counts.data_files_skipped, 6 - static_cast<int64_t>(plan.tasks.size()));
      EXPECT_GT(plan.counts.data_files_skipped, 0);
    }
  }
  {
    // impala/iceberg_partitioned: hour(event_time) + identity(action), 20 one-row files.
    FileIO io;
    ASSERT_OK_AND_ASSIGN(FolderTable t,
                         LoadTableFromLocation(io, *dir + "/impala/iceberg_partitioned"));
    ASSERT_OK_AND_ASSIGN(ScanPlan all, PlanScan(io, t.metadata));
    const PartitionSpec* spec = t.metadata.DefaultSpec();
    ASSERT_NE(spec, nullptr);
    size_t action = 0, hour = 0;
    for (size_t i = 0; i < spec->fields.size(); ++i) {
      if (spec->fields[i].transform.kind() == TransformKind::kIdentity) action = i;
      if (spec->fields[i].transform.kind() == TransformKind::kHour) hour = i;
    }
    std::map<std::string, int> by_action;
    std::map<int32_t, int> by_hour;
    for (const FileScanTask& task : all.tasks) {
      ++by_action[task.file.partition[action].bytes_value()];
      ++by_hour[task.file.partition[hour].int32_value()];
    }
    ASSERT_GE(by_action.size(), 2u);
    for (const auto& [name, count] : by_action) {
      ScanOptions opts;
      ASSERT_OK_AND_ASSIGN(opts.filter, ParseExpression("action = '" + name + "'"));
      ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, t.metadata, opts));
      EXPECT_EQ(static_cast<int>(plan.tasks.size()), count) << name;
      for (const FileScanTask& task : plan.tasks)
        EXPECT_EQ(task.file.partition[action].bytes_value(), name);
    }
    // Hours: a filter on the first hour's range keeps exactly that hour's files.
    const int32_t first_hour = by_hour.begin()->first;
    const int64_t start = int64_t{first_hour} * temporal::kMicrosPerHour;
    std::string from = temporal::FormatTimestamp(start, 6);
    std::string to = temporal::FormatTimestamp(start + temporal::kMicrosPerHour, 6);
    const char* zone = t.metadata.CurrentSchema()->FindFieldByName("event_time")->type->id() ==
                               TypeId::kTimestampTz
                           ? "Z"
                           : "";
    ScanOptions opts;
    ASSERT_OK_AND_ASSIGN(opts.filter,
                         ParseExpression("event_time >= TIMESTAMP '" + from + zone +
                                         "' AND event_time < TIMESTAMP '" + to + zone + "'"));
    ASSERT_OK_AND_ASSIGN(ScanPlan plan, PlanScan(io, t.metadata, opts));
    EXPECT_EQ(static_cast<int>(plan.tasks.size()), by_hour.begin()->second);
    EXPECT_GT(plan.counts.data_files_skipped, 0);
  }
}

}  // namespace
}  // namespace atl::iceberg
