// The commit protocol: how a new table metadata file becomes current.
//
// One attempt (Attempt below) derives new metadata from a base, writing manifests and
// manifest lists through FileIO; then CommitWithRetries
//   1. writes <location>/metadata/<NNNNN>-<uuid>.metadata.json (NNNNN = the base's number
//      + 1, five digits or more), a plain write: the uuid makes the name unique;
//   2. calls Catalog::SwapMetadataLocation(id, expected = the base's location, next);
//   3. on kCommitConflict (someone else committed) or kUnavailable (certainly not applied)
//      deletes this attempt's metadata file, reloads the table from the catalog, sleeps a
//      backoff with full jitter and runs the attempt again on the new base (the attempt
//      reuses what it can, see snapshot_producer.h, and re-validates deletes);
//   4. on kUnknownOutcome reads the pointer back (a few tries): when it is the new file the
//      commit succeeded; otherwise returns kUnknownOutcome and deletes NOTHING (the swap
//      may still land, and then every file written is referenced);
//   5. after success deletes the files earlier attempts wrote that the committed metadata
//      does not reference, and writes <location>/metadata/version-hint.text (best effort,
//      holding "<NNNNN>-<uuid>", the metadata file's stem, for readers of Hadoop layouts);
//   6. after a definite failure (validation error, I/O error writing files, retries
//      exhausted, a non-retryable swap error) deletes every file this commit wrote. Files
//      the caller supplied (data files) are never deleted.
//
// Retries follow the table properties (Java's names): commit.retry.num-retries
// (atoll's default 10, Java's 4: appends are cheap to redo and a lake has many writers),
// commit.retry.min-wait-ms (100), commit.retry.max-wait-ms (60000) and
// commit.retry.total-timeout-ms (1800000). The wait before attempt n+1 is uniform in
// [0, min(max-wait, min-wait * 2^(n-1))].
//
// CommitEnv is the injection point for tests: clock, uuids, snapshot ids and sleeping.
//
// Thread safety: CommitWithRetries may run concurrently for different commits; one
// commit's callbacks run on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/iceberg/table_metadata.h"

namespace atl::iceberg {

struct CommitEnv {
  std::function<int64_t()> now_ms;                       // wall clock, ms since the epoch
  std::function<std::string()> new_uuid;                 // "xxxxxxxx-xxxx-4xxx-..." text
  std::function<int64_t()> new_snapshot_id;              // positive
  std::function<void(std::chrono::milliseconds)> sleep;  // backoff waits
  // Called after each failed swap with the attempt number and the error (for logging).
  std::function<void(int attempt, const Status& error)> on_retry;
  // Retries at least this many times whatever commit.retry.num-retries says: for commits
  // whose attempts recompute everything from each new base (expiring snapshots, rewriting
  // manifests), so that a table that forbids rebasing its appends can still be maintained
  // while it is written.
  int min_retries = 0;

  // A copy with every empty member set to the real implementation.
  CommitEnv WithDefaults() const;
};

// A random version 4 UUID as text.
std::string RandomUuid();

struct CommitRetryOptions {
  int num_retries = 10;  // attempts after the first
  std::chrono::milliseconds min_wait{100};
  std::chrono::milliseconds max_wait{60000};
  std::chrono::milliseconds total_timeout{1800000};

  // Reads the commit.retry.* properties (malformed values are kInvalidArgument).
  static Result<CommitRetryOptions> FromProperties(
      const std::map<std::string, std::string>& properties);
};

// The number of a metadata file name: "00012-<uuid>.metadata.json" -> 12, "v3.metadata.json"
// -> 3; nullopt when the name has no number.
std::optional<int64_t> MetadataFileVersion(std::string_view location);
// <table location>/metadata/<version, 5 digits>-<uuid>.metadata.json
std::string MetadataFileLocation(const std::string& table_location, int64_t version,
                                 const std::string& uuid);

// The files written by one commit (over all its attempts). Thread-safe.
class WrittenFiles {
 public:
  void Add(const std::string& location);
  std::set<std::string> All() const;

 private:
  mutable std::mutex mu_;
  std::set<std::string> files_;
};

// What one attempt produced.
struct AttemptResult {
  TableMetadata metadata;            // the new metadata (not yet stamped by the commit)
  std::set<std::string> referenced;  // files written by this commit that `metadata` uses
};

// One attempt: derive new metadata from `base` (whose file is `base_location`). `attempt`
// counts from 1. Files it writes must be recorded in `written`. Errors end the commit.
using AttemptFn =
    std::function<Result<AttemptResult>(const TableMetadata& base, const std::string& base_location,
                                        int attempt, WrittenFiles* written)>;

struct CommitOutcome {
  TableMetadata metadata;
  std::string metadata_location;
  int attempts = 0;
};

// Runs the protocol above for table `id`, starting from `base`. On kUnknownOutcome the
// error says that the commit may or may not have happened.
Result<CommitOutcome> CommitWithRetries(Catalog& catalog, const FileIO& io,
                                        const TableIdentifier& id, TableMetadata base,
                                        std::string base_location, const CommitEnv& env,
                                        const AttemptFn& attempt_fn);

// Writes a new, uniquely named file, repeating the write after kUnavailable and
// kUnknownOutcome (the same bytes to the same fresh name: idempotent), 4 tries.
Status WriteNewFile(const FileIO& io, const std::string& location, std::string bytes);

// Writes the first metadata file of a new table (version 0) and returns its location.
Result<std::string> WriteFirstMetadataFile(const FileIO& io, const TableMetadata& metadata,
                                           const CommitEnv& env);

// Writes <location>/metadata/version-hint.text for `metadata_location`; errors are ignored.
void WriteVersionHint(const FileIO& io, const std::string& table_location,
                      const std::string& metadata_location);

}  // namespace atl::iceberg
