#include "atoll/trail/log.h"

#include <algorithm>
#include <cstdlib>

#include "atoll/common/clock.h"
#include "atoll/trail/segment.h"

namespace atl::trail {
namespace {

constexpr int kMaxAppendAttempts = 10000;  // lost races before giving up
constexpr int kMaxWalkBeforeListing = 64;  // object headers read before listing instead

}  // namespace

Trail::Trail(std::shared_ptr<storage::Store> store, TrailOptions options,
             std::unique_ptr<Signer> signer)
    : store_(std::move(store)), options_(std::move(options)), signer_(std::move(signer)) {}

Result<std::unique_ptr<Trail>> Trail::Open(std::shared_ptr<storage::Store> store,
                                           TrailOptions options) {
  if (store == nullptr) return InvalidArgument("Trail::Open: no store");
  while (!options.prefix.empty() && options.prefix.back() == '/') options.prefix.pop_back();
  if (options.prefix.empty()) return InvalidArgument("Trail::Open: empty prefix");
  ATOLL_RETURN_NOT_OK(
      storage::ValidateKey(options.prefix + "/records/x").WithContext("trail prefix"));
  if (options.key_path.empty()) {
    if (const char* env = std::getenv("ATOLL_TRAIL_KEY"); env != nullptr) options.key_path = env;
  }
  std::unique_ptr<Signer> signer;
  if (!options.key_path.empty()) {
    ATOLL_ASSIGN_OR_RETURN(signer, Signer::LoadFile(options.key_path));
  }
  if (options.checkpoint_every > 0 && signer == nullptr) {
    return InvalidArgument("trail: checkpoint_every needs a signing key (ATOLL_TRAIL_KEY)");
  }
  return std::unique_ptr<Trail>(new Trail(std::move(store), std::move(options), std::move(signer)));
}

std::string Trail::RecordKey(uint64_t first) const {
  return NumberedKey(options_.prefix + "/records/", first, ".rec");
}
std::string Trail::CheckpointKey(uint64_t size) const {
  return NumberedKey(options_.prefix + "/checkpoints/", size, ".ckpt");
}

int64_t Trail::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return SystemNowMs();
}

Result<uint64_t> Trail::Append(Record record) {
  std::vector<Record> one;
  one.push_back(std::move(record));
  return AppendBatch(std::move(one));
}

Result<uint64_t> Trail::AppendBatch(std::vector<Record> records) {
  if (records.empty()) return InvalidArgument("trail: empty batch");
  std::lock_guard<std::mutex> lock(mu_);
  ATOLL_ASSIGN_OR_RETURN(uint64_t first, AppendLocked(records));
  uint64_t end = first + records.size();
  if (options_.checkpoint_every > 0 &&
      end / options_.checkpoint_every != first / options_.checkpoint_every) {
    // The records are in the log whatever happens to the checkpoint: report its failure
    // without failing the append (a caller retrying it would append twice).
    auto checkpoint = WriteCheckpointLocked();
    last_checkpoint_error_ =
        checkpoint.ok() ? Status::OK() : checkpoint.status().WithContext("automatic checkpoint");
  }
  return first;
}

Status Trail::last_checkpoint_error() {
  std::lock_guard<std::mutex> lock(mu_);
  return last_checkpoint_error_;
}

Result<uint64_t> Trail::LatestCheckpointSizeLocked() {
  ATOLL_ASSIGN_OR_RETURN(auto objects,
                         storage::ListAll(*store_, options_.prefix + "/checkpoints/"));
  uint64_t latest = 0;
  for (const auto& obj : objects) {
    auto n = ParseNumberedKey(obj.key, options_.prefix + "/checkpoints/", ".ckpt");
    if (n && *n > latest) latest = *n;
  }
  return latest;
}

// Creates `key` only if absent. True when created, false when it was taken.
Result<bool> Trail::TryCreate(const std::string& key, const std::string& bytes) {
  if (options_.conditional_writes) {
    storage::PutOptions put;
    put.condition = storage::PutCondition::kIfAbsent;
    for (int attempt = 0;; ++attempt) {
      auto r = store_->Put(key, storage::Body::FromView(bytes), put);
      if (r.ok()) return true;
      if (r.status().code() == StatusCode::kAlreadyExists) return false;
      if (r.status().code() == StatusCode::kNotSupported) break;
      if (!r.status().IsRetryable() || attempt >= 4)
        return r.status().WithContext(StrCat("writing ", key));
      // The write may or may not have happened: the object tells. Ours → done; another
      // appender's → taken; none → try again.
      auto back = store_->Get(key);
      if (back.ok()) return *back == bytes;
      if (back.status().code() != StatusCode::kNotFound)
        return back.status().WithContext(StrCat("reading back ", key));
    }
  }
  // Fallback for stores without conditional writes (see log.h).
  auto head = store_->Head(key);
  if (head.ok()) return false;
  if (head.status().code() != StatusCode::kNotFound)
    return head.status().WithContext(StrCat("checking ", key));
  ATOLL_RETURN_NOT_OK(store_->Put(key, storage::Body::FromView(bytes))
                          .status()
                          .WithContext(StrCat("writing ", key)));
  ATOLL_ASSIGN_OR_RETURN_CTX(std::string back, store_->Get(key), StrCat("reading back ", key));
  return back == bytes;
}

Result<uint64_t> Trail::AppendLocked(std::vector<Record>& records) {
  if (!hint_known_) {
    ATOLL_ASSIGN_OR_RETURN(next_hint_, LatestCheckpointSizeLocked());
    hint_known_ = true;
  }
  uint64_t next = next_hint_;
  int walked = 0, lost_races = 0;
  while (lost_races < kMaxAppendAttempts) {
    // Walk past the objects that exist. A long walk (many appends since the latest
    // checkpoint) jumps to the last object of a listing instead.
    std::string key = RecordKey(next);
    if (++walked == kMaxWalkBeforeListing) {
      const std::string folder = options_.prefix + "/records/";
      ATOLL_ASSIGN_OR_RETURN(auto objects, storage::ListAll(*store_, folder));
      for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
        auto first = ParseNumberedKey(it->key, folder, ".rec");
        if (first && *first > next) {
          next = *first;
          key = RecordKey(next);
          break;
        }
      }
    }
    auto header = store_->Get(key, storage::ByteRange::Slice(0, kSegmentHeaderSize));
    if (header.ok()) {
      ATOLL_ASSIGN_OR_RETURN_CTX(auto fc, ParseSegmentHeader(*header), StrCat("reading ", key));
      if (fc.first != next) return Corruption("trail: ", key, " holds records from ", fc.first);
      next += fc.second;
      continue;
    }
    if (header.status().code() != StatusCode::kNotFound)
      return header.status().WithContext(StrCat("reading ", key));
    std::vector<std::string> encoded;
    encoded.reserve(records.size());
    for (size_t i = 0; i < records.size(); ++i) {
      records[i].sequence = next + i;
      ATOLL_ASSIGN_OR_RETURN(std::string e, EncodeRecord(records[i]));
      encoded.push_back(std::move(e));
    }
    std::string segment = BuildSegment(next, encoded);
    ATOLL_ASSIGN_OR_RETURN(bool created, TryCreate(key, segment));
    if (!created) {  // another appender won this number: read its header next
      ++lost_races;
      continue;
    }
    if (tree_.size() == next) {
      object_starts_.push_back(next);
      for (const auto& e : encoded) tree_.AppendLeafHash(LeafHash(e));
    }
    next_hint_ = next + records.size();
    return next;
  }
  return Unavailable("trail: could not claim a sequence number after ", kMaxAppendAttempts,
                     " attempts");
}

Status Trail::RefreshLocked() {
  for (;;) {
    uint64_t next = tree_.size();
    std::string key = RecordKey(next);
    auto bytes = store_->Get(key);
    if (!bytes.ok()) {
      if (bytes.status().code() == StatusCode::kNotFound) return Status::OK();
      return bytes.status().WithContext(StrCat("reading ", key));
    }
    ATOLL_ASSIGN_OR_RETURN_CTX(SegmentView view, ParseSegment(*bytes), StrCat("reading ", key));
    if (view.first_sequence != next)
      return Corruption("trail: ", key, " holds records from ", view.first_sequence);
    std::vector<Hash> leaves;
    leaves.reserve(view.records.size());
    for (size_t i = 0; i < view.records.size(); ++i) {
      leaves.push_back(LeafHash(view.records[i]));
      if (leaves.back() != view.leaf_hashes[i]) {
        return Corruption("trail: record ", next + i,
                          ": leaf hash differs from the one stored in its object");
      }
    }
    object_starts_.push_back(next);
    for (const Hash& leaf : leaves) tree_.AppendLeafHash(leaf);
  }
}

Result<std::unique_ptr<SignatureVerifier>> Trail::VerifierLocked(
    std::vector<std::string>* problems) {
  auto bucket_pem = store_->Get(PublicKeyKey());
  if (!bucket_pem.ok() && bucket_pem.status().code() != StatusCode::kNotFound) {
    return bucket_pem.status().WithContext(StrCat("reading ", PublicKeyKey()));
  }
  if (!options_.pinned_public_key_pem.empty()) {
    ATOLL_ASSIGN_OR_RETURN(auto pinned,
                           SignatureVerifier::FromPublicKeyPem(options_.pinned_public_key_pem));
    if (bucket_pem.ok()) {
      if (*bucket_pem != options_.pinned_public_key_pem) {  // byte for byte
        problems->push_back(StrCat("public key ", PublicKeyKey(), " differs from the pinned key ",
                                   pinned->key_id()));
      }
    }
    return pinned;
  }
  if (!options_.key_path.empty()) return SignatureVerifier::FromKeyFile(options_.key_path);
  if (bucket_pem.ok()) {
    auto in_bucket = SignatureVerifier::FromPublicKeyPem(*bucket_pem);
    if (in_bucket.ok()) return std::move(*in_bucket);
    problems->push_back(StrCat("public key ", PublicKeyKey(), ": ", in_bucket.status().message()));
  }
  return std::unique_ptr<SignatureVerifier>();
}

Result<Checkpoint> Trail::WriteCheckpoint() {
  std::lock_guard<std::mutex> lock(mu_);
  return WriteCheckpointLocked();
}

Result<Checkpoint> Trail::WriteCheckpointLocked() {
  if (signer_ == nullptr) return InvalidArgument("trail: no signing key (set ATOLL_TRAIL_KEY)");
  std::string pem = signer_->public_key_pem();
  if (!pem.empty()) {
    auto existing = store_->Get(PublicKeyKey());
    if (existing.ok()) {
      if (*existing != pem) {
        return PreconditionFailed("trail: ", PublicKeyKey(), " holds another key than ",
                                  options_.key_path);
      }
    } else if (existing.status().code() == StatusCode::kNotFound) {
      storage::PutOptions put;
      put.condition = storage::PutCondition::kIfAbsent;
      put.content_type = "application/x-pem-file";
      auto r = store_->Put(PublicKeyKey(), storage::Body::FromString(pem), put);
      if (!r.ok() && r.status().code() == StatusCode::kNotSupported) {
        r = store_->Put(PublicKeyKey(), storage::Body::FromString(pem));
      }
      if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) return r.status();
    } else {
      return existing.status();
    }
  }
  ATOLL_RETURN_NOT_OK(RefreshLocked());
  ATOLL_ASSIGN_OR_RETURN(uint64_t previous, LatestCheckpointSizeLocked());
  Checkpoint c;
  c.size = tree_.size();
  c.root = tree_.Root();
  c.time_ms = NowMs();
  if (c.size == 0) return InvalidArgument("trail: the log is empty; nothing to checkpoint");
  if (previous == c.size) {
    // Nothing new since the latest checkpoint: return it instead of writing a duplicate.
    ATOLL_ASSIGN_OR_RETURN(std::string text, store_->Get(CheckpointKey(previous)));
    return ParseCheckpoint(text, nullptr);
  }
  if (previous > c.size) {
    return Corruption("trail: checkpoint ", previous, " covers more records than the ", c.size,
                      " present");
  }
  c.previous = previous;
  ATOLL_ASSIGN_OR_RETURN(std::string text, SignCheckpoint(c, *signer_));
  storage::PutOptions put;
  put.condition =
      options_.conditional_writes ? storage::PutCondition::kIfAbsent : storage::PutCondition::kNone;
  put.content_type = "text/plain";
  auto r = store_->Put(CheckpointKey(c.size), storage::Body::FromString(text), put);
  if (!r.ok() && r.status().code() == StatusCode::kNotSupported) {
    r = store_->Put(CheckpointKey(c.size), storage::Body::FromString(text));
  }
  if (!r.ok()) return r.status().WithContext(StrCat("writing ", CheckpointKey(c.size)));
  return ParseCheckpoint(text, nullptr);
}

Result<VerifyReport> Trail::Verify(const VerifyOptions& options) {
  std::lock_guard<std::mutex> lock(mu_);
  VerifyInput in;
  in.store = store_.get();
  in.prefix = options_.prefix;
  ATOLL_ASSIGN_OR_RETURN(auto verifier, VerifierLocked(&in.key_problems));
  in.verifier = verifier.get();
  MerkleTree tree;
  std::vector<uint64_t> starts;
  in.tree_out = &tree;
  in.object_starts_out = &starts;
  VerifyOptions expect = options;
  // A pinned key says checkpoints were written: none left is a finding.
  if (!options_.pinned_public_key_pem.empty()) expect.require_checkpoint = true;
  ATOLL_ASSIGN_OR_RETURN(VerifyReport report, VerifyLog(in, expect));
  if (report.ok()) {
    tree_ = std::move(tree);  // a clean full read: reuse it for proofs
    object_starts_ = std::move(starts);
    latest_.reset();
  }
  return report;
}

Result<ProofBundle> Trail::Prove(uint64_t index) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!latest_ || index >= latest_->checkpoint.size) {
    latest_.reset();
    ATOLL_RETURN_NOT_OK(RefreshLocked());
    std::vector<std::string> key_problems;
    ATOLL_ASSIGN_OR_RETURN(auto verifier, VerifierLocked(&key_problems));
    if (verifier == nullptr) return NotFound("trail: no key to check checkpoint signatures");
    ATOLL_ASSIGN_OR_RETURN(auto objects,
                           storage::ListAll(*store_, options_.prefix + "/checkpoints/"));
    // The latest checkpoint that is signed, within the log and agrees with it.
    for (auto it = objects.rbegin(); it != objects.rend(); ++it) {
      auto size = ParseNumberedKey(it->key, options_.prefix + "/checkpoints/", ".ckpt");
      if (!size || *size == 0 || *size > tree_.size()) continue;
      auto text = store_->Get(it->key);
      if (!text.ok()) continue;
      std::string_view signed_part;
      auto c = ParseCheckpoint(*text, &signed_part);
      if (!c.ok() || c->size != *size || c->key_id != verifier->key_id() ||
          !verifier->Verify(signed_part, c->signature).ok()) {
        continue;
      }
      ATOLL_ASSIGN_OR_RETURN(Hash root, tree_.RootAt(*size));
      if (root != c->root) continue;
      latest_.emplace();
      latest_->checkpoint = std::move(*c);
      break;
    }
    if (!latest_) return NotFound("trail: no valid checkpoint yet");
    if (index >= latest_->checkpoint.size) {
      return NotFound("trail: record ", index, " is not covered by the latest checkpoint (",
                      latest_->checkpoint.size, " records)");
    }
  }
  ProofBundle proof;
  proof.index = index;
  proof.checkpoint = latest_->checkpoint;
  proof.leaf_hash = tree_.LeafHashAt(index);
  ATOLL_ASSIGN_OR_RETURN(proof.audit_path, tree_.InclusionProof(index, proof.checkpoint.size));
  ATOLL_RETURN_NOT_OK(VerifyInclusion(index, proof.checkpoint.size, proof.leaf_hash,
                                      proof.audit_path, proof.checkpoint.root));
  // The record itself, read back and matched with the proven leaf.
  auto it = std::upper_bound(object_starts_.begin(), object_starts_.end(), index);
  if (it == object_starts_.begin()) return Internal("trail: no object holds record ", index);
  uint64_t first = *std::prev(it);
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, store_->Get(RecordKey(first)));
  ATOLL_ASSIGN_OR_RETURN_CTX(SegmentView view, ParseSegment(bytes), RecordKey(first));
  if (index - first >= view.records.size())
    return Corruption("trail: record ", index, " vanished from ", RecordKey(first));
  std::string_view rec = view.records[index - first];
  if (LeafHash(rec) != proof.leaf_hash)
    return Corruption("trail: record ", index, " changed since it was read");
  ATOLL_ASSIGN_OR_RETURN(proof.record, DecodeRecord(rec));
  return proof;
}

Result<std::vector<Hash>> Trail::ProveConsistency(uint64_t old_size, uint64_t new_size) {
  std::lock_guard<std::mutex> lock(mu_);
  ATOLL_RETURN_NOT_OK(RefreshLocked());
  return tree_.ConsistencyProof(old_size, new_size);
}

Result<std::vector<Record>> Trail::Show(const ShowFilter& filter) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Record> out;
  const std::string folder = options_.prefix + "/records/";
  ATOLL_ASSIGN_OR_RETURN(auto objects, storage::ListAll(*store_, folder));
  for (size_t i = 0; i < objects.size() && out.size() < filter.limit; ++i) {
    auto first = ParseNumberedKey(objects[i].key, folder, ".rec");
    if (!first || *first > filter.to) continue;
    if (i + 1 < objects.size()) {
      auto next = ParseNumberedKey(objects[i + 1].key, folder, ".rec");
      if (next && *next <= filter.from) continue;  // wholly before the range
    }
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, store_->Get(objects[i].key));
    ATOLL_ASSIGN_OR_RETURN_CTX(SegmentView view, ParseSegment(bytes), objects[i].key);
    for (auto rec : view.records) {
      ATOLL_ASSIGN_OR_RETURN_CTX(Record r, DecodeRecord(rec), objects[i].key);
      if (r.sequence < filter.from || r.sequence > filter.to) continue;
      if (!filter.table.empty() && r.table != filter.table) continue;
      if (filter.kind && r.kind != *filter.kind) continue;
      out.push_back(std::move(r));
      if (out.size() >= filter.limit) break;
    }
  }
  return out;
}

MetadataHasher StoreMetadataHasher(std::shared_ptr<storage::Store> store,
                                   std::string location_prefix) {
  return [store = std::move(store), location_prefix = std::move(location_prefix)](
             const std::string& location) -> Result<Hash> {
    std::string_view key = location;
    if (!location_prefix.empty() && key.substr(0, location_prefix.size()) == location_prefix) {
      key.remove_prefix(location_prefix.size());
      while (!key.empty() && key.front() == '/') key.remove_prefix(1);
    }
    ATOLL_ASSIGN_OR_RETURN(std::string bytes, store->Get(key));
    return Sha256(bytes);
  };
}

}  // namespace atl::trail
