// Verification of a whole trail: recompute the Merkle log from the records, check the
// sequence (no gaps, overlaps or moved objects), every checkpoint's signature, chain
// and root, and — through a caller-supplied hasher — that every recorded metadata file
// still has its recorded SHA-256.
//
// Findings are messages naming the record, object or checkpoint:
//   "record 17 missing", "records 20..29 missing",
//   "record 1234: leaf hash differs from the one stored in its object",
//   "checkpoint 2000: root of records 0..1999 differs from the signed root (a record in 1000..1999
//   changed)", "checkpoint 3000 signature invalid", "log truncated: checkpoint 3000 covers 3000
//   records but only 2500 exist", "metadata file X (record 12): sha256 differs (recorded …, now
//   …)".
//
// Thread safety: VerifyLog only reads the store; it may run concurrently with appenders
// (records appended during the run may or may not be seen).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"
#include "atoll/trail/checkpoint.h"
#include "atoll/trail/hash.h"
#include "atoll/trail/merkle.h"

namespace atl::trail {

// Returns the SHA-256 of the file at `location` now; kNotFound when it is gone.
using MetadataHasher = std::function<Result<Hash>(const std::string& location)>;

struct VerifyOptions {
  MetadataHasher metadata_hasher;  // null: metadata files are not checked
  // Trusted end of the log known from outside the bucket (e.g. a checkpoint size a
  // monitor saw earlier): fewer records is reported as truncation.
  uint64_t min_size = 0;
  // The verifier pinned a public key: a log holding records must have a valid checkpoint
  // (deleting every checkpoint is reported, not taken for a log never checkpointed).
  bool require_checkpoint = false;
  // A checkpoint seen before (kept outside the bucket by a monitor): a valid checkpoint
  // covering at least this many records must exist; with the root, the first
  // known_checkpoint_size records must still hash to it; with the key id, checkpoints must
  // still be signed by that key ("ed25519 3f2a9c0d11e4b7a5").
  uint64_t known_checkpoint_size = 0;
  std::optional<Hash> known_checkpoint_root;
  std::string known_key;
  // Messages kept in the report (the counts stay exact).
  size_t max_problems = 1000;
};

struct VerifyReport {
  uint64_t records = 0;            // records read
  uint64_t objects = 0;            // record objects read
  uint64_t checkpoints = 0;        // checkpoint objects found
  uint64_t checkpoints_valid = 0;  // with a good signature and matching root
  uint64_t metadata_checked = 0;
  uint64_t latest_checkpoint = 0;  // size of the latest valid checkpoint (0: none)
  Hash latest_checkpoint_root{};   // its root
  std::string key;                 // the verifier's "algorithm key-id" ("" without one)
  Hash root{};                     // MTH of all records read (when the log is whole)
  uint64_t problem_count = 0;
  std::vector<std::string> problems;
  bool ok() const { return problem_count == 0; }
  std::string Summary() const;
};

struct VerifyInput {
  storage::Store* store = nullptr;
  std::string prefix;                           // "trail"
  const SignatureVerifier* verifier = nullptr;  // null: signatures cannot be checked (a problem)
  std::vector<std::string> key_problems;        // found while choosing the verifier
  MerkleTree* tree_out = nullptr;  // optional: receives every leaf when the log is whole
  std::vector<uint64_t>* object_starts_out =
      nullptr;  // optional: first sequence of each object read
};

Result<VerifyReport> VerifyLog(const VerifyInput& input, const VerifyOptions& options);

// "<prefix>/records/00000000000000000017.rec" → 17; nullopt for other keys.
std::optional<uint64_t> ParseNumberedKey(std::string_view key, std::string_view folder,
                                         std::string_view suffix);
std::string NumberedKey(std::string_view folder, uint64_t n, std::string_view suffix);

}  // namespace atl::trail
