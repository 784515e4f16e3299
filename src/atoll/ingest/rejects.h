// Rejected files: a file of the lake that cannot be loaded is moved, never deleted, to
// `<rejected zone>/<zone>/<db>/<table>/<name>` with `<name>.error.json` beside it:
//   {"reason": "...", "stage": "read", "time": "2026-12-04T20:00:00.000Z",
//    "source_key": "load/shop/orders/a.parquet", "size": 123, "etag": "..."}
// The move is copy, then reason, then delete of the source, so a crash leaves at worst a
// copy next to a source still waiting (the next run rejects it again, overwriting).
//
// Thread safety: the functions may be called concurrently on different keys.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/clock.h"  // SystemNowMs, IsoTimeMs (callers of this header use them)
#include "atoll/common/clock.h"
#include "atoll/common/result.h"
#include "atoll/ingest/source_file.h"
#include "atoll/lake/lake.h"
#include "atoll/storage/store.h"

namespace atl::lake {

struct RejectRequest {
  storage::ObjectInfo source;  // key, size, etag of the file to move
  std::string rejected_key;    // where it goes
  std::string stage;           // e.g. "read", "schema", "write"
  std::string reason;
  int64_t time_ms = 0;
};

// Moves the file as described above. A source that vanished meanwhile (another process
// took it) is not an error: returns false. So is a source whose size or etag is no longer
// `request.source`'s (checked before the copy and again before the delete; a file being
// written is not moved half-way): it stays where it is. Returns true once moved.
Result<bool> MoveToRejected(storage::Store& store, const RejectRequest& request);

// Sets aside the files of `folder` that cannot be taken: all of them when the folder has a
// problem (TableFolder::problem: its name), else those whose key has one (CheckSourceKey).
// Each is moved to `<rejected zone>/<its key>` with stage "name" and its reason, and added
// to `rejected`; a file the store cannot move (its key is refused) stays in place and is
// added to `skipped`. Returns the files left to take. Store errors are returned.
Result<std::vector<storage::ObjectInfo>> SetAsideUnusable(const Lake& lake,
                                                          const TableFolder& folder, int64_t now_ms,
                                                          std::vector<RejectedFile>* rejected,
                                                          std::vector<UnusableFile>* skipped);

// The reason of a file rejected because reading or writing it alone ran into the lake's
// memory limit (`st` is such an error, engine::IsMemoryLimitError): names the limit
// (`memory_limit`, the value of prepare.memory_limit), the setting that raises it and
// DuckDB's words: "loading it needs more memory than the lake's limit of 64MB
// (prepare.memory_limit); raise the setting to load it (DuckDB: failed to allocate ...)".
std::string MemoryLimitReason(std::string_view memory_limit, const Status& st);

}  // namespace atl::lake
