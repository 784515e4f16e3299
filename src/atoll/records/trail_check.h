// The lake as it is now against what its trail recorded (docs/trail.md, "What verify
// checks in the lake"): the part of `atoll trail verify` beyond the Merkle log itself.
//
//   (FileChecksum and the manifests field: file_refs.h)
//   CheckLakeAgainstTrail(...)             every table's catalog pointer is the latest
//                                          metadata the trail recorded for it; the manifest
//                                          list and manifests of its current snapshot have
//                                          their recorded SHA-256; with `data`, every data
//                                          and delete file has its recorded size and SHA-256
//   FilesNamedAfter(records, table, md)    the files records newer than the metadata file
//                                          `md` name (what `atoll maintain` must not delete)
//
// Records written before checksums existed have an empty FileRef::checksum and no
// manifests field: their files are checked by size only, their manifests not at all.
//
// Errors: only the catalog's and store's failures to list (findings are problems).
// Thread safety: pure functions of their arguments (FileIO's rule applies).
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/lake/lake.h"
#include "atoll/lake/lake_tables.h"
#include "atoll/records/file_refs.h"
#include "atoll/trail/record.h"

namespace atl::lake {

// Records of Iceberg views (CREATE / DROP VIEW, docs/sql.md) name the view in `table` and
// carry the field {kRecordObjectField, kViewObject}; the checks here skip them.
inline constexpr std::string_view kRecordObjectField = "object";
inline constexpr std::string_view kViewObject = "view";

struct LakeCheckOptions {
  bool data = false;  // also re-hash data and delete files (reads every byte of them)
};

struct LakeCheckReport {
  uint64_t tables = 0;                // tables compared with the trail
  uint64_t manifests = 0;             // manifest lists and manifests hashed
  uint64_t data_files = 0;            // data and delete files checked (with `data`)
  uint64_t bytes_hashed = 0;          // bytes of those
  std::vector<std::string> problems;  // tampering or damage, naming table, file and record
};

// Compares every table of the lake outside the trail zone with `records` (the whole
// trail, in sequence order): see the header comment. Problems:
//   "table T: catalog points at M (record 3), but the trail's latest metadata for it is
//    N (record 9): rolled back without a record",
//   "table T: catalog points at M, which no record names and whose history lacks ...",
//   "manifest list L of table T (record 9): sha256 differs (recorded ..., now ...)",
//   "data file D of table T (record 9): size differs (recorded 100, now 120)", "...: missing".
Result<LakeCheckReport> CheckLakeAgainstTrail(const Lake& lake, const LakeTables& tables,
                                              const std::vector<trail::Record>& records,
                                              const LakeCheckOptions& options = {});

// Every file (metadata file, manifest list, manifest, data or delete file) that a record of
// `table` newer than the last record naming `metadata_location` names as written; all
// files the table's records name when no record names `metadata_location`.
// `earlier_metadata` lists the metadata files of that metadata's log: when no record names
// `metadata_location` (a writer killed between its commit and its record), the newest
// record naming one of them marks where the newer records start.
std::set<std::string> FilesNamedAfter(const std::vector<trail::Record>& records,
                                      const std::string& table,
                                      const std::string& metadata_location,
                                      const std::vector<std::string>& earlier_metadata = {});

}  // namespace atl::lake
