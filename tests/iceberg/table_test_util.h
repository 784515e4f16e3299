// Helpers for the table and commit tests: an in-memory warehouse (MemoryStore mounted at
// mem://wh, a MemoryCatalog or an InBucketCatalog), synthetic data files, and reading back
// what a snapshot holds.
#pragma once

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "atoll/catalog/memory_catalog.h"
#include "atoll/iceberg/commit/table.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/manifest/manifest_list.h"
#include "atoll/storage/memory_store.h"

namespace atl::iceberg::testing {

inline std::shared_ptr<FileIO> MountedIO(std::shared_ptr<storage::Store> store) {
  auto io = std::make_shared<FileIO>();
  io->Mount("mem://wh", std::move(store));
  return io;
}

// id long (10), ts timestamp (20), category string (30): deliberately not 1..n, so that
// creation must renumber them.
inline Schema TestSchema() {
  NestedField id{10, "id", true, Type::Long(), {}, {}, {}};
  NestedField ts{20, "ts", false, Type::Timestamp(), {}, {}, {}};
  NestedField category{30, "category", false, Type::String(), {}, {}, {}};
  return Schema(0, {id, ts, category});
}

// A data file of `records` rows; `category` is the identity partition value when the table
// is partitioned by category. Bounds of id (field 1 after renumbering) are [lo, hi].
inline DataFile MakeFile(const std::string& name, int64_t records,
                         std::optional<std::string> category = {}, int64_t lo = 0,
                         int64_t hi = 100) {
  DataFile f;
  f.file_path = "mem://wh/db/t/data/" + name + ".parquet";
  f.file_format = "PARQUET";
  f.record_count = records;
  f.file_size_in_bytes = 1000 + records;
  if (category) f.partition.push_back(Literal::String(*category));
  f.value_counts = {{1, records}, {3, records}};
  f.null_value_counts = {{1, 0}, {3, 0}};
  f.lower_bounds[1] = *LiteralToBytes(Literal::Long(lo));
  f.upper_bounds[1] = *LiteralToBytes(Literal::Long(hi));
  if (category) {
    f.lower_bounds[3] = *category;
    f.upper_bounds[3] = *category;
  }
  return f;
}

struct SnapshotFiles {
  ManifestList list;
  std::vector<Manifest> manifests;  // in list order, read with inheritance
  std::multiset<std::string> live;  // paths of ADDED/EXISTING data files
};

inline Result<SnapshotFiles> ReadSnapshot(const FileIO& io, const Snapshot& s) {
  SnapshotFiles out;
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, io.Read(s.manifest_list));
  ATOLL_ASSIGN_OR_RETURN(out.list, ReadManifestList(bytes, s.manifest_list));
  for (const ManifestFile& mf : out.list.manifests) {
    ATOLL_ASSIGN_OR_RETURN(std::string mb, io.Read(mf.manifest_path));
    ATOLL_ASSIGN_OR_RETURN(Manifest m, ReadManifest(mb, mf.manifest_path, &mf));
    for (const ManifestEntry& e : m.entries) {
      if (e.is_live()) out.live.insert(e.data_file.file_path);
    }
    out.manifests.push_back(std::move(m));
  }
  return out;
}

// Every file a table's metadata references (metadata files in the log are not included):
// the current metadata file, every snapshot's manifest list and manifests.
inline Result<std::set<std::string>> ReferencedFiles(const FileIO& io, const Table& t) {
  std::set<std::string> out{t.metadata_location()};
  for (const Snapshot& s : t.metadata().snapshots) {
    out.insert(s.manifest_list);
    ATOLL_ASSIGN_OR_RETURN(SnapshotFiles files, ReadSnapshot(io, s));
    for (const ManifestFile& mf : files.list.manifests) out.insert(mf.manifest_path);
  }
  return out;
}

// Keys of the store under "db/t/metadata/" (manifests, lists, metadata files).
inline std::set<std::string> MetadataKeys(storage::Store& store) {
  std::set<std::string> out;
  auto all = storage::ListAll(store, "db/t/metadata/");
  if (all.ok()) {
    for (const auto& o : *all) out.insert("mem://wh/" + o.key);
  }
  return out;
}

}  // namespace atl::iceberg::testing
