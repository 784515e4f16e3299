// Saved queries (docs/lake.md, "queries/"): `atoll query LAKE "SQL" --save` keeps the
// request, its outcome and its result in the lake's store:
//
//   <queries zone>/<id>/request.json   {"id", "sql", "result_format", "user", "host",
//                                       "submitted_at"}            written before running
//   <queries zone>/<id>/status.json    {"id", "state", "started_at", "finished_at",
//                                       "duration_ms", "rows", "error", "result"}
//                                      state "running" first, then "succeeded" | "failed"
//   <queries zone>/<id>/result.parquet (or result.csv with a header row)  when succeeded
//
// Ids sort by submission time: "<yyyymmdd>T<hhmmss>.<mmm>Z-<8 random hex digits>" (UTC),
// e.g. "20261204T225656.123Z-1f2e3d4c"; only [0-9A-Za-z.-] (ValidateQueryId).
//
// RunSavedQuery runs the SQL once, as `COPY (SQL) TO <local Parquet file>`, so the SQL
// must be one query (a trailing ';' is dropped); the local file then serves both the
// saved result and what the caller prints. A query that fails is saved as failed with
// its error, and RunSavedQuery still returns OK with that outcome (the caller decides the
// exit status); only failing to save is an error.
//
// Errors: the store's (Put/Get), kNotFound "no saved query '<id>'" for an unknown id,
// kInvalidArgument for a malformed id or result format.
// Thread safety: the engine's rule (one thread at a time per engine).
#pragma once

#include <cstdint>
#include <string>

#include "atoll/common/result.h"
#include "atoll/engine/engine.h"
#include "atoll/lake/lake.h"

namespace atl::lake {

std::string NewQueryId(int64_t now_ms);
Status ValidateQueryId(std::string_view id);
// "<queries zone>/<id>/"
std::string SavedQueryPrefix(const Lake& lake, std::string_view id);

struct SavedQueryStatus {
  std::string id;
  std::string state;  // "running", "succeeded", "failed"
  int64_t started_ms = 0;
  int64_t finished_ms = 0;
  int64_t duration_ms = 0;
  int64_t rows = 0;
  std::string error;          // when failed
  std::string result_key;     // the result object's key (relative to the lake), when succeeded
  std::string result_format;  // "parquet" or "csv"
};

struct SavedQueryRun {
  SavedQueryStatus status;
  // The result as a local Parquet file (in `work_dir`), when the query succeeded.
  std::string local_parquet;
};

// Runs `sql` on `engine` and saves request, status and result under a new id.
// `result_format`: "parquet" or "csv". `work_dir`: an existing local directory for the
// result files (the caller removes it).
Result<SavedQueryRun> RunSavedQuery(const Lake& lake, engine::Engine& engine,
                                    const std::string& sql, const std::string& result_format,
                                    const std::string& work_dir);

// The saved status of `id`.
Result<SavedQueryStatus> ReadSavedQueryStatus(const Lake& lake, std::string_view id);

// Downloads the saved result of a succeeded query into `work_dir`; returns the local path
// (a .parquet or .csv file, as saved). kNotFound when the query has no result.
Result<std::string> FetchSavedResult(const Lake& lake, const SavedQueryStatus& status,
                                     const std::string& work_dir);

}  // namespace atl::lake
