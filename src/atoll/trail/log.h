// Trail: the tamper-evident log of every change to the lake, kept in the bucket under
// `<prefix>/` (default "trail/"):
//
//   <prefix>/records/<20-digit first sequence>.rec   write-once record objects (segments
//                                                    of one or more records, segment.h)
//   <prefix>/checkpoints/<20-digit tree size>.ckpt   signed Merkle roots (checkpoint.h)
//   <prefix>/public_key.pem                          the Ed25519 public key of the signer
//
// Append claims the next sequence number by creating the object of that number with
// PutCondition::kIfAbsent; when another appender got there first (kAlreadyExists) it
// reads that object's header, moves past it and tries again, so concurrent appenders in
// any number of processes never overwrite each other and the sequence has no gaps.
// The end of the log is found from the latest checkpoint (a record-object boundary)
// by walking object headers forward, without listing the whole log.
//
// A write whose outcome is unknown (kUnknownOutcome, kUnavailable) is settled by reading
// the object back: our bytes mean the append happened (it is never written twice),
// another appender's bytes mean the number was taken, no object means try again.
//
// Stores without conditional writes: when Put(kIfAbsent) answers kNotSupported (Swift),
// or when TrailOptions::conditional_writes is false (a store that silently ignores them,
// such as s3rver), Append checks with Head that the key is free, writes unconditionally
// and reads the object back. A racing appender may still overwrite the object between
// the Head and the Put; the read-back notices when our own bytes were replaced (we retry
// at the next number), but the other appender's overwritten records are lost, which
// Verify reports as soon as a checkpoint covered them. Use one appender on such stores.
//
// Checkpoints are signed with the key file from TrailOptions::key_path or, when empty,
// the environment variable ATOLL_TRAIL_KEY (kept outside the bucket). Records after the
// latest checkpoint are protected by the stored leaf hashes and header checksums only
// (accidents, not forgery): checkpoint often (TrailOptions::checkpoint_every).
//
// Thread safety: every method may be called concurrently (one mutex per Trail); several
// Trail objects, also in several processes, may append to the same log at once.
// Checkpoints should be written by one writer at a time: two writers racing may both
// name the same previous checkpoint, which Verify reports as a broken chain.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"
#include "atoll/trail/checkpoint.h"
#include "atoll/trail/merkle.h"
#include "atoll/trail/record.h"
#include "atoll/trail/verify.h"

namespace atl::trail {

struct TrailOptions {
  std::string prefix = "trail";  // key prefix in the store, without a trailing '/'
  // Signing key file (Ed25519 PEM or HMAC secret). Empty: $ATOLL_TRAIL_KEY; neither set:
  // the trail cannot write checkpoints (appends still work).
  std::string key_path;
  // When set, Verify trusts only this Ed25519 public key (PEM) and reports a bucket key
  // that differs.
  std::string pinned_public_key_pem;
  // Write a checkpoint after an append that reaches a multiple of this many records
  // (0: only when WriteCheckpoint is called). Needs a key. A failing automatic
  // checkpoint does not fail the append: see Trail::last_checkpoint_error().
  uint64_t checkpoint_every = 0;
  // False: never rely on conditional writes (see the header comment).
  bool conditional_writes = true;
  // Clock for checkpoint times; default the system clock.
  std::function<int64_t()> now_ms;
};

struct ProofBundle {
  uint64_t index = 0;
  Record record;
  Hash leaf_hash{};
  Checkpoint checkpoint;         // the latest valid checkpoint covering the record
  std::vector<Hash> audit_path;  // RFC 6962 inclusion proof against checkpoint.root
};

struct ShowFilter {
  uint64_t from = 0;               // first sequence number
  uint64_t to = UINT64_MAX;        // last sequence number (inclusive)
  std::string table;               // only records of this table (empty: all)
  std::optional<RecordKind> kind;  // only records of this kind
  size_t limit = SIZE_MAX;
};

class Trail {
 public:
  // Opens the trail under options.prefix in `store` (nothing is written). Loads the
  // signing key when one is configured: kNotFound/kInvalidArgument for a bad key file.
  static Result<std::unique_ptr<Trail>> Open(std::shared_ptr<storage::Store> store,
                                             TrailOptions options = {});

  // Appends `record` (its sequence is assigned) as one object. Returns the sequence.
  Result<uint64_t> Append(Record record);
  // Appends `records` as one object of consecutive sequence numbers (faster for bulk).
  // Returns the first sequence. kInvalidArgument for an empty batch.
  Result<uint64_t> AppendBatch(std::vector<Record> records);

  // Signs and stores a checkpoint of the whole log as it is now (reading new objects
  // since the last call). kInvalidArgument without a key; kCorruption when the log does
  // not read back cleanly (run Verify); kPreconditionFailed when the bucket's public key
  // is another key's.
  Result<Checkpoint> WriteCheckpoint();

  // Recomputes and checks everything (verify.h). Errors only when the store fails;
  // findings are in the report.
  Result<VerifyReport> Verify(const VerifyOptions& options = {});

  // The inclusion proof of record `index` against the latest valid checkpoint, already
  // verified. kNotFound when no valid checkpoint covers the record yet.
  Result<ProofBundle> Prove(uint64_t index);

  // The consistency proof between the trees of sizes old_size <= new_size of the log.
  Result<std::vector<Hash>> ProveConsistency(uint64_t old_size, uint64_t new_size);

  // Records matching `filter`, in sequence order.
  Result<std::vector<Record>> Show(const ShowFilter& filter);

  // The error of the latest automatic checkpoint (OK when it succeeded or none ran).
  Status last_checkpoint_error();

  // Key names.
  std::string RecordKey(uint64_t first_sequence) const;
  std::string CheckpointKey(uint64_t size) const;
  std::string PublicKeyKey() const { return options_.prefix + "/public_key.pem"; }

  storage::Store& store() { return *store_; }
  const TrailOptions& options() const { return options_; }

 private:
  Trail(std::shared_ptr<storage::Store> store, TrailOptions options,
        std::unique_ptr<Signer> signer);
  Result<uint64_t> AppendLocked(std::vector<Record>& records);
  Result<bool> TryCreate(const std::string& key, const std::string& bytes);
  // Reads record objects from tree_.size() on (walking object headers) into tree_.
  Status RefreshLocked();
  Result<uint64_t> LatestCheckpointSizeLocked();
  Result<Checkpoint> WriteCheckpointLocked();
  Result<std::unique_ptr<SignatureVerifier>> VerifierLocked(std::vector<std::string>* problems);
  int64_t NowMs() const;

  std::shared_ptr<storage::Store> store_;
  const TrailOptions options_;
  std::unique_ptr<Signer> signer_;
  std::mutex mu_;
  uint64_t next_hint_ = 0;   // guarded by mu_: no object starts below this and beyond the end
  bool hint_known_ = false;  // guarded by mu_
  MerkleTree tree_;          // guarded by mu_: leaves read so far (from sequence 0)
  std::vector<uint64_t> object_starts_;  // guarded by mu_: first sequence of each object in tree_
  Status last_checkpoint_error_;         // guarded by mu_
  std::optional<ProofBundle> latest_;    // guarded by mu_: cached checkpoint for Prove
};

// A metadata hasher reading locations as keys of `store` (a location with a scheme,
// "s3://bucket/key" or "file:///root/key", is first reduced to its key by removing
// `location_prefix` when it starts with it).
MetadataHasher StoreMetadataHasher(std::shared_ptr<storage::Store> store,
                                   std::string location_prefix = "");

}  // namespace atl::trail
