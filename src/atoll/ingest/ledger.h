// The ingest ledger of one stg table (docs/lake.md, "Exactly once"): what each batch took,
// kept in the lake's store under `_atoll/ingest/<stg table>/`:
//
//   pending/<batch id>.json   written before the batch's commit (create-if-absent)
//   done/<batch id>.json      written after its sources were deleted; then pending/ goes
//
// Each holds {"batch_id", "table", "created_ms", "state", "sources": [{key, size, etag}],
// "data_files": [...]}, and once done also "snapshot_id". A pending entry whose batch id is
// in no snapshot of the table did not commit (dropped after a grace period); one whose
// batch id is in a snapshot did, and its cleanup is finished by the next run (ingest.cc).
//
// Errors: the store's, with the key in the context. Thread safety: an IngestLedger is used
// by one thread; processes share a ledger through the store's conditional writes.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/ingest/source_file.h"
#include "atoll/storage/store.h"

namespace atl::lake {

// A source in a given version, as ledger entries and commit validation compare them.
std::string SourceId(const std::string& key, const std::string& etag);

struct LedgerEntry {
  std::string key;  // where it was read from (empty for an entry not yet written)
  std::string batch_id;
  std::string table;  // "stg.shop.orders"
  int64_t created_ms = 0;
  std::vector<SourceFile> sources;
  std::vector<std::string> data_files;
};

class IngestLedger {
 public:
  // The ledger of the stg table `table_name` ("stg.shop.orders") in `store`.
  IngestLedger(storage::Store& store, const std::string& table_name);

  // The batch ids of the pending entries (from their keys; nothing is read).
  Result<std::vector<std::string>> PendingBatches() const;

  // The pending entries, read. An entry that vanished meanwhile is skipped; one that cannot
  // be parsed (the torn write of a crashed run) is deleted and skipped.
  Result<std::vector<LedgerEntry>> ReadPending() const;

  // Writes `entry` as pending (create-if-absent: kAlreadyExists when the batch id is taken).
  Status WritePending(const LedgerEntry& entry) const;

  // Deletes the pending entry of `entry` (a batch that did not commit).
  Status DropPending(const LedgerEntry& entry) const;

  // The batch committed as `snapshot_id` and its sources are dealt with: writes its done/
  // entry, then deletes the pending one.
  Status Finish(const LedgerEntry& entry, int64_t snapshot_id) const;

  // The SourceIds of the batch `batch_id` (its pending entry, else its done entry; empty when
  // it has neither).
  Result<std::set<std::string>> Sources(const std::string& batch_id) const;

 private:
  std::string Key(const char* state, const std::string& batch_id) const;

  storage::Store& store_;
  std::string prefix_;  // "_atoll/ingest/<table>/"
};

}  // namespace atl::lake
