#include "atoll/trail/merkle.h"

#include <bit>

namespace atl::trail {
namespace {

// The largest power of two strictly smaller than n (n >= 2).
uint64_t SplitPoint(uint64_t n) { return std::bit_floor(n - 1); }

}  // namespace

void MerkleFrontier::AppendLeafHash(const Hash& leaf) {
  Hash carry = leaf;
  size_t level = 0;
  uint64_t n = size_;
  while (n & 1) {  // a perfect subtree of this height is complete: merge it
    carry = NodeHash(levels_[level], carry);
    n >>= 1;
    ++level;
  }
  if (levels_.size() <= level) levels_.resize(level + 1);
  levels_[level] = carry;
  ++size_;
}

Hash MerkleFrontier::Root() const {
  if (size_ == 0) return EmptyRoot();
  bool have = false;
  Hash acc{};
  for (size_t level = 0; level < levels_.size(); ++level) {
    if (!((size_ >> level) & 1)) continue;
    acc = have ? NodeHash(levels_[level], acc) : levels_[level];
    have = true;
  }
  return acc;
}

void MerkleTree::AppendLeafHash(const Hash& leaf) {
  if (levels_.empty()) levels_.emplace_back();
  levels_[0].push_back(leaf);
  size_t level = 0;
  while (levels_[level].size() % 2 == 0) {
    const auto& row = levels_[level];
    Hash parent = NodeHash(row[row.size() - 2], row[row.size() - 1]);
    if (levels_.size() <= level + 1) levels_.emplace_back();
    levels_[level + 1].push_back(parent);
    ++level;
  }
}

Hash MerkleTree::SubtreeHash(uint64_t begin, uint64_t end) const {
  uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    int level = std::countr_zero(n);
    return levels_[level][begin >> level];
  }
  uint64_t k = SplitPoint(n);
  return NodeHash(SubtreeHash(begin, begin + k), SubtreeHash(begin + k, end));
}

Result<Hash> MerkleTree::RootAt(uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgument("tree size ", tree_size, " exceeds the ", size(), " leaves present");
  }
  if (tree_size == 0) return EmptyRoot();
  return SubtreeHash(0, tree_size);
}

Hash MerkleTree::Root() const { return size() == 0 ? EmptyRoot() : SubtreeHash(0, size()); }

// PATH(m, D[begin:end]) of RFC 6962 §2.1.1, appended leaf-side first.
void MerkleTree::Path(uint64_t m, uint64_t begin, uint64_t end, std::vector<Hash>& out) const {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = SplitPoint(n);
  if (m < k) {
    Path(m, begin, begin + k, out);
    out.push_back(SubtreeHash(begin + k, end));
  } else {
    Path(m - k, begin + k, end, out);
    out.push_back(SubtreeHash(begin, begin + k));
  }
}

Result<std::vector<Hash>> MerkleTree::InclusionProof(uint64_t index, uint64_t tree_size) const {
  if (tree_size > size()) {
    return InvalidArgument("tree size ", tree_size, " exceeds the ", size(), " leaves present");
  }
  if (index >= tree_size)
    return InvalidArgument("leaf ", index, " is not in a tree of size ", tree_size);
  std::vector<Hash> out;
  Path(index, 0, tree_size, out);
  return out;
}

// SUBPROOF(m, D[begin:end], whole) of RFC 6962 §2.1.2.
void MerkleTree::SubProof(uint64_t m, uint64_t begin, uint64_t end, bool whole,
                          std::vector<Hash>& out) const {
  uint64_t n = end - begin;
  if (m == n) {
    if (!whole) out.push_back(SubtreeHash(begin, end));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    SubProof(m, begin, begin + k, whole, out);
    out.push_back(SubtreeHash(begin + k, end));
  } else {
    SubProof(m - k, begin + k, end, false, out);
    out.push_back(SubtreeHash(begin, begin + k));
  }
}

Result<std::vector<Hash>> MerkleTree::ConsistencyProof(uint64_t old_size, uint64_t new_size) const {
  if (new_size > size()) {
    return InvalidArgument("tree size ", new_size, " exceeds the ", size(), " leaves present");
  }
  if (old_size > new_size)
    return InvalidArgument("old size ", old_size, " exceeds new size ", new_size);
  std::vector<Hash> out;
  if (old_size == 0 || old_size == new_size) return out;
  SubProof(old_size, 0, new_size, true, out);
  return out;
}

namespace {

// The walk up the tree that checks an inclusion or consistency proof (RFC 9162 2.1.3.2 and
// 2.1.4.2): fn is the index of the node being proven, sn the last index, both at the
// current level.
struct ProofWalk {
  uint64_t fn;
  uint64_t sn;

  bool done() const { return sn == 0; }
  void Up() {
    fn >>= 1;
    sn >>= 1;
  }
  // Whether the next proof hash is the left sibling of the current node (else the right);
  // moves up past it (and past the levels where the node has no right sibling).
  bool NextIsLeft() {
    const bool left = (fn & 1) || fn == sn;
    if (left && !(fn & 1)) {
      while (fn != 0 && !(fn & 1)) Up();
    }
    Up();
    return left;
  }
};

}  // namespace

Status VerifyInclusion(uint64_t index, uint64_t tree_size, const Hash& leaf_hash,
                       const std::vector<Hash>& proof, const Hash& root) {
  if (index >= tree_size)
    return Corruption("inclusion proof: leaf ", index, " is not below tree size ", tree_size);
  ProofWalk walk{index, tree_size - 1};
  Hash r = leaf_hash;
  for (const Hash& p : proof) {
    if (walk.done()) return Corruption("inclusion proof: longer than the tree is deep");
    r = walk.NextIsLeft() ? NodeHash(p, r) : NodeHash(r, p);
  }
  if (!walk.done()) return Corruption("inclusion proof: shorter than the tree is deep");
  if (r != root)
    return Corruption("inclusion proof: computed root ", ToHex(r), " differs from ", ToHex(root));
  return Status::OK();
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size > new_size)
    return Corruption("consistency proof: old size ", old_size, " exceeds new size ", new_size);
  if (old_size == new_size) {
    if (!proof.empty()) return Corruption("consistency proof: must be empty for equal sizes");
    if (old_root != new_root)
      return Corruption("consistency proof: equal sizes with different roots");
    return Status::OK();
  }
  if (old_size == 0) {
    if (!proof.empty()) return Corruption("consistency proof: must be empty from the empty tree");
    return Status::OK();
  }
  if (proof.empty()) return Corruption("consistency proof: empty");
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (std::has_single_bit(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());
  ProofWalk walk{old_size - 1, new_size - 1};
  while (walk.fn & 1) walk.Up();
  Hash fr = path[0], sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (walk.done()) return Corruption("consistency proof: longer than needed");
    if (walk.NextIsLeft()) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
    } else {
      sr = NodeHash(sr, c);
    }
  }
  if (!walk.done()) return Corruption("consistency proof: shorter than needed");
  if (fr != old_root)
    return Corruption("consistency proof: old root ", ToHex(old_root), " not reproduced");
  if (sr != new_root)
    return Corruption("consistency proof: new root ", ToHex(new_root), " not reproduced");
  return Status::OK();
}

Hash NaiveRoot(const std::vector<Hash>& leaves, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 0) return EmptyRoot();
  if (n == 1) return leaves[begin];
  uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return NodeHash(NaiveRoot(leaves, begin, begin + k), NaiveRoot(leaves, begin + k, end));
}

}  // namespace atl::trail
