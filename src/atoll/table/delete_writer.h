// Writing row deletes of an Iceberg table: position delete files (format v2) and deletion
// vectors in Puffin files (format v3). The rows to delete are named by their row address,
// (data file location as written in the table metadata, 0-based position in that file),
// which iceberg_scan(..., row_address => true) hands out (iceberg_scan_sql.h).
//
// WritePositionDeletes() runs `query` once (columns file_path VARCHAR and pos BIGINT, any
// order; a duplicate row is written once) and writes
// one Parquet file per (spec id, partition) of the data files the rows name, at
// `<table location>/data/<prefix><uuid>-deletes.parquet`, rows sorted by file_path then pos,
// columns file_path and pos with the spec's field ids 2147483546 and 2147483545, in the
// options' codec (DataWriterOptions: compression, compression_level, row_group_size and
// file_name_prefix are used; a group is never split by target_file_size_bytes). Each file is
// described as the spec's delete file entry: content kPositionDeletes, file_format "PARQUET",
// the partition of its group, record_count, file_size_in_bytes, column metrics from its footer
// with untruncated bounds (Appendix D binary form) for both columns, as Iceberg's writers keep
// them for position deletes, and referenced_data_file when every row names one data file.
// Costs: the rows are staged once in a DuckDB temporary table (with several groups, restaged
// in group order so that each group's COPY reads only its rows), then one COPY and one footer
// read per group; the data files' partitions are looked up in `data_files`, never read.
//
// WriteDeletionVectors() writes one Puffin file `<table location>/data/<uuid>-dv.puffin` through
// `io` holding one "deletion-vector-v1" blob per data file in `positions` (in path order): the
// union of the new positions and those of the file's current deletion vector
// (existing[path], read with iceberg::ReadDeletionVector), as the spec requires at most one DV
// per data file. Blob metadata: fields [2147483645] (the _pos metadata column, as Iceberg's
// Java writer), snapshot-id and sequence-number -1, no compression, properties
// referenced-data-file (the path) and cardinality. Each returned entry: content
// kPositionDeletes, file_format "PUFFIN", file_path the Puffin file, referenced_data_file,
// content_offset / content_size_in_bytes of its blob, record_count = cardinality,
// file_size_in_bytes of the Puffin file, the data file's partition. A data file whose union is
// empty gets no blob; no positions at all write no file. The old DVs are not removed from
// anything: replacing them in the snapshot (and merging v2 position delete files of a table
// upgraded to v3: add their positions to `positions`) is the caller's business.
//
// Neither function commits: adding the files to a snapshot (RowDelta) and deleting them when
// the commit does not happen is the caller's business. Locations: a `table_location` without
// "://" is a local path whose data/ directory is created as needed; other URIs go through the
// engine (Engine::RegisterStores, e.g. s3://) or the FileIO; file:// URIs also get their
// directory created.
//
// Errors: kInvalidArgument for a row naming a data file missing from `data_files`, a NULL or
// negative position, a query without the two columns, or an existing entry that is not a
// deletion vector; kCorruption from reading an existing DV; the engine's and store's IO errors.
// On error some files may already be written.
//
// Thread safety: WritePositionDeletes uses the Engine (its rule applies: one thread at a
// time); WriteDeletionVectors may run on any thread (FileIO is thread-safe).
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/manifest/manifest.h"
#include "atoll/iceberg/scan/scan.h"
#include "atoll/table/data_writer.h"

namespace atl::table {

// Field ids of the position delete file columns and of the _pos metadata column (spec).
inline constexpr int32_t kDeleteFilePathFieldId = 2147483546;
inline constexpr int32_t kDeleteFilePosFieldId = 2147483545;
inline constexpr int32_t kRowPositionFieldId = 2147483645;

// The spec and partition of a data file that rows are deleted from (from its manifest entry).
struct DeletedDataFile {
  int32_t spec_id = 0;
  std::vector<iceberg::Literal> partition;
};

// A written delete file and the partition spec its partition tuple follows.
struct WrittenDeleteFile {
  iceberg::DataFile file;
  int32_t spec_id = 0;
};

// What the writers need to know of the data files of a planned scan (iceberg::PlanScan, whose
// tasks carry the deletes that apply to each file).
struct PlannedDeletes {
  // Every planned data file's spec and partition, by its location in the metadata.
  std::map<std::string, DeletedDataFile> data_files;
  // Data file -> its current deletion vector (WriteDeletionVectors' `existing`).
  std::map<std::string, iceberg::DataFile> deletion_vectors;
  // Data file -> the position delete files (not DVs) that apply to it; none when it has a DV.
  // On a v3 table these must be merged into the file's first DV (ReadPositionDeletes).
  std::map<std::string, std::vector<iceberg::DataFile>> position_delete_files;
};
PlannedDeletes DescribePlannedDeletes(const iceberg::ScanPlan& plan);

// See the top of the file. `data_files`: data file location (as in the metadata) -> its spec
// and partition; every file_path of the query must be there.
Result<std::vector<WrittenDeleteFile>> WritePositionDeletes(
    engine::Engine& engine, std::string_view query,
    const std::map<std::string, DeletedDataFile>& data_files, std::string_view table_location,
    const DataWriterOptions& options = {});

// See the top of the file. `positions`: data file location -> positions to delete (any order,
// duplicates ignored); `existing`: data file location -> its current deletion vector entry
// (data files without one are absent); `data_files` as above.
Result<std::vector<WrittenDeleteFile>> WriteDeletionVectors(
    const iceberg::FileIO& io, std::string_view table_location,
    const std::map<std::string, std::vector<int64_t>>& positions,
    const std::map<std::string, iceberg::DataFile>& existing,
    const std::map<std::string, DeletedDataFile>& data_files);

// The positions that the Parquet position delete files at `delete_file_paths` (paths DuckDB
// reads; columns found by the spec's field ids) hold for each data file of `data_files`,
// sorted and distinct; data files without any are absent. For a table upgraded to v3, whose
// first deletion vector of a data file must take in its v2 position deletes: add these to
// WriteDeletionVectors' `positions`. Errors: the engine's (kNotFound for a missing file).
Result<std::map<std::string, std::vector<int64_t>>> ReadPositionDeletes(
    engine::Engine& engine, const std::vector<std::string>& delete_file_paths,
    const std::set<std::string>& data_files);

}  // namespace atl::table
