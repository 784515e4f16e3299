// iceberg_scan: the SQL table function that reads an Iceberg table.
//
//   SELECT * FROM iceberg_scan('<table folder or metadata file>'
//                              [, snapshot_id => BIGINT]
//                              [, "timestamp" => TIMESTAMP | epoch milliseconds]
//                              ("timestamp" quoted: it is a DuckDB keyword)
//                              [, ref => 'branch or tag']
//                              [, row_address => BOOLEAN]
//                              [, data_files => '["<location>", ...]'])
//
// row_address => true adds the columns _atoll_file (the data file's location as written in
// the metadata) and _atoll_pos (the row's position in it), see BuildScanSql's row addresses;
// they are what position deletes and deletion vectors of the rows name (delete_writer.h).
// data_files (a JSON array of data file locations as written in the metadata) reads only
// those files of the planned snapshot, with their deletes (compaction rewrites them this
// way); a location that is not a live data file there is kNotFound.
//
// At bind time the call loads the table (iceberg::LoadTableFromLocation: a folder with
// metadata/, or a *.metadata.json file; locations written elsewhere are remapped onto the
// folder), plans the scan (iceberg::PlanScan; snapshot_id, else ref, else timestamp, else
// the current snapshot) and is replaced by the SQL of BuildScanSql (iceberg_scan_sql.h).
// Relative locations resolve under IcebergScanOptions::root.
//
// How DuckDB reaches the files: local paths (and file:// URIs) are read by DuckDB
// directly; every other location (s3://, mounted stores) is served through the engine's
// store file system under the scheme "atoll-iceberg://<store>/<key>", backed by the stores
// of the call's FileIO (registered once per engine by RegisterIcebergScan).
//
// ORC and Avro data and delete files are converted to Parquet copies first (parquet_copy_cache.h:
// once per file and process, with their Iceberg field ids) and read like Parquet files.
//
// Errors (as the query's error, with the code kept; see engine/table_function.h):
// kNotFound for a missing table, snapshot or ref; kNotSupported for Avro data files;
// kCorruption for unreadable metadata or an unreadable ORC file; kInvalidArgument for bad
// arguments.
// Thread safety: RegisterIcebergScan is called once per Engine before queries run; the
// function is then safe wherever the Engine is (file reads may come from DuckDB's threads).
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/storage/store.h"

namespace atl::table {

struct IcebergScanOptions {
  // Where relative table locations resolve: a local directory, file:///dir or
  // s3://bucket[/prefix]. Empty: the current directory.
  std::string root;
  // FileIO mounts (location prefix -> store), e.g. {"mem://lake", store} in tests.
  std::vector<std::pair<std::string, std::shared_ptr<storage::Store>>> mounts;
  // The SQL name of the function.
  std::string function_name = "iceberg_scan";
};

// Registers the function (and the "atoll-iceberg://" store scheme) on `engine`.
// kAlreadyExists when already registered there.
Status RegisterIcebergScan(engine::Engine& engine, IcebergScanOptions options);

}  // namespace atl::table
