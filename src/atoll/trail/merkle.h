// RFC 6962 Merkle tree hashes, proofs and their verification.
//
//   MTH({})      = SHA-256()
//   MTH({d0})    = SHA-256(0x00 || d0)
//   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of
//                  two smaller than n (RFC 6962 §2.1).
//
// MerkleFrontier: the compact incremental state — the roots of the perfect subtrees on
// the right edge (at most 64 hashes). Appending N leaves costs N leaf hashes plus at most
// N node hashes; Root() folds the frontier (O(log n)). Used by verification.
//
// MerkleTree: keeps every perfect, aligned subtree hash (about 2n hashes, 64 bytes per
// leaf), so that any subtree hash, inclusion proof (audit path, §2.1.1) and consistency
// proof (§2.1.2) costs O(log n) hashes. Used for proofs.
//
// Verification functions follow RFC 9162 §2.1.3.2 and §2.1.4.2 and need no tree.
//
// Thread safety: the classes are not synchronised; const methods may run concurrently.
#pragma once

#include <cstdint>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/trail/hash.h"

namespace atl::trail {

class MerkleFrontier {
 public:
  void AppendLeafHash(const Hash& leaf);
  uint64_t size() const { return size_; }
  Hash Root() const;

 private:
  uint64_t size_ = 0;
  std::vector<Hash> levels_;  // levels_[k] is meaningful when bit k of size_ is set
};

class MerkleTree {
 public:
  void AppendLeafHash(const Hash& leaf);
  uint64_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  const Hash& LeafHashAt(uint64_t index) const { return levels_[0][index]; }

  // MTH of the first `tree_size` leaves. kInvalidArgument when tree_size > size().
  Result<Hash> RootAt(uint64_t tree_size) const;
  Hash Root() const;

  // The audit path of leaf `index` in the tree of the first `tree_size` leaves.
  Result<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t tree_size) const;

  // The consistency proof between the trees of sizes `old_size` <= `new_size`
  // (empty when old_size is 0 or equals new_size).
  Result<std::vector<Hash>> ConsistencyProof(uint64_t old_size, uint64_t new_size) const;

 private:
  // MTH of leaves [begin, end), begin < end, with begin a multiple of the largest power
  // of two smaller than (or equal to) end - begin, as RFC 6962 recursion produces.
  Hash SubtreeHash(uint64_t begin, uint64_t end) const;
  void Path(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash>& out) const;
  void SubProof(uint64_t m, uint64_t begin, uint64_t end, bool whole, std::vector<Hash>& out) const;

  std::vector<std::vector<Hash>> levels_;  // levels_[k][i] = hash of leaves [i*2^k, (i+1)*2^k)
};

// OK when `proof` shows that `leaf_hash` is leaf `index` of the tree of `tree_size`
// leaves with root `root`; kCorruption saying what failed otherwise.
Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root);

// OK when `proof` shows that the tree of `old_size` leaves with root `old_root` is a
// prefix of the tree of `new_size` leaves with root `new_root`; kCorruption otherwise.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof);

// The reference MTH, computed recursively from the definition (for tests).
Hash NaiveRoot(const std::vector<Hash>& leaf_hashes, uint64_t begin, uint64_t end);

}  // namespace atl::trail
