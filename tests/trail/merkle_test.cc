// Merkle log: the RFC 6962 reference vectors (the Certificate Transparency test leaves,
// roots, audit paths and consistency proofs), and properties against a naive recursive
// MTH for every size up to 130, with corrupted proofs rejected.
#include "atoll/trail/merkle.h"

#include <random>

#include "testing/testing.h"

namespace atl::trail {
namespace {

using ::atl::testing::IsError;

Hash H(std::string_view hex) { return HashFromHex(hex).value(); }

// The reference leaves of RFC 6962 implementations' tests.
std::vector<std::string> ReferenceLeaves() {
  return {"",
          std::string(1, '\x00'),
          "\x10",
          "\x20\x21",
          "\x30\x31",
          "\x40\x41\x42\x43",
          "\x50\x51\x52\x53\x54\x55\x56\x57",
          "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
}
const char* kReferenceRoots[] = {
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
};

MerkleTree ReferenceTree() {
  MerkleTree t;
  for (const auto& leaf : ReferenceLeaves()) t.AppendLeafHash(LeafHash(leaf));
  return t;
}

TEST(TrailMerkleTest, ReferenceRootsForEverySize) {
  MerkleTree tree = ReferenceTree();
  MerkleFrontier frontier;
  EXPECT_EQ(ToHex(frontier.Root()), kReferenceRoots[0]);
  auto leaves = ReferenceLeaves();
  for (size_t n = 0; n <= leaves.size(); ++n) {
    ASSERT_OK_AND_ASSIGN(Hash root, tree.RootAt(n));
    EXPECT_EQ(ToHex(root), kReferenceRoots[n]) << "size " << n;
    if (n > 0) {
      frontier.AppendLeafHash(LeafHash(leaves[n - 1]));
      EXPECT_EQ(ToHex(frontier.Root()), kReferenceRoots[n]) << "frontier size " << n;
    }
  }
  EXPECT_THAT(tree.RootAt(9), IsError(StatusCode::kInvalidArgument));
}

struct InclusionVector {
  uint64_t index, size;
  std::vector<const char*> path;
};

TEST(TrailMerkleTest, ReferenceInclusionProofs) {
  std::vector<InclusionVector> vectors = {
      {0,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {5,
       8,
       {"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2, 3, {"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"}},
      {1,
       5,
       {"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
      {0, 1, {}},
  };
  MerkleTree tree = ReferenceTree();
  auto leaves = ReferenceLeaves();
  for (const auto& v : vectors) {
    ASSERT_OK_AND_ASSIGN(auto path, tree.InclusionProof(v.index, v.size));
    ASSERT_EQ(path.size(), v.path.size()) << v.index << "/" << v.size;
    for (size_t i = 0; i < path.size(); ++i) EXPECT_EQ(ToHex(path[i]), v.path[i]);
    Hash root = H(kReferenceRoots[v.size]);
    EXPECT_OK(VerifyInclusion(v.index, v.size, LeafHash(leaves[v.index]), path, root));
  }
}

struct ConsistencyVector {
  uint64_t old_size, new_size;
  std::vector<const char*> path;
};

TEST(TrailMerkleTest, ReferenceConsistencyProofs) {
  std::vector<ConsistencyVector> vectors = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  MerkleTree tree = ReferenceTree();
  for (const auto& v : vectors) {
    ASSERT_OK_AND_ASSIGN(auto path, tree.ConsistencyProof(v.old_size, v.new_size));
    ASSERT_EQ(path.size(), v.path.size()) << v.old_size << "->" << v.new_size;
    for (size_t i = 0; i < path.size(); ++i) EXPECT_EQ(ToHex(path[i]), v.path[i]);
    EXPECT_OK(VerifyConsistency(v.old_size, v.new_size, H(kReferenceRoots[v.old_size]),
                                H(kReferenceRoots[v.new_size]), path));
  }
}

std::vector<Hash> RandomLeaves(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) out.push_back(LeafHash(std::to_string(rng())));
  return out;
}

TEST(TrailMerkleTest, RootsMatchNaiveRecursionForEverySize) {
  auto leaves = RandomLeaves(300, 1);
  MerkleTree tree;
  MerkleFrontier frontier;
  for (size_t n = 1; n <= leaves.size(); ++n) {
    tree.AppendLeafHash(leaves[n - 1]);
    frontier.AppendLeafHash(leaves[n - 1]);
    Hash naive = NaiveRoot(leaves, 0, n);
    ASSERT_EQ(frontier.Root(), naive) << n;
    ASSERT_EQ(tree.Root(), naive) << n;
  }
  for (size_t n = 0; n <= leaves.size(); n += 7)
    ASSERT_EQ(tree.RootAt(n).value(), NaiveRoot(leaves, 0, n));
}

TEST(TrailMerkleTest, EveryInclusionProofVerifiesAndCorruptionsFail) {
  auto leaves = RandomLeaves(70, 2);
  MerkleTree tree;
  for (const auto& l : leaves) tree.AppendLeafHash(l);
  Hash other = Sha256("other");
  for (uint64_t size = 1; size <= 70; ++size) {
    Hash root = tree.RootAt(size).value();
    for (uint64_t i = 0; i < size; ++i) {
      ASSERT_OK_AND_ASSIGN(auto path, tree.InclusionProof(i, size));
      ASSERT_OK(VerifyInclusion(i, size, leaves[i], path, root));
      EXPECT_FALSE(VerifyInclusion(i, size, other, path, root).ok());
      EXPECT_FALSE(VerifyInclusion(i, size, leaves[i], path, other).ok());
      if (i + 1 < size) {
        EXPECT_FALSE(VerifyInclusion(i + 1, size, leaves[i], path, root).ok());
      }
      EXPECT_FALSE(VerifyInclusion(i, size * 2, leaves[i], path, root).ok());
      auto longer = path;
      longer.push_back(root);
      EXPECT_FALSE(VerifyInclusion(i, size, leaves[i], longer, root).ok());
      if (!path.empty()) {
        auto shorter = path;
        shorter.pop_back();
        EXPECT_FALSE(VerifyInclusion(i, size, leaves[i], shorter, root).ok());
        for (size_t k = 0; k < path.size(); ++k) {
          auto flipped = path;
          flipped[k][0] ^= 8;
          EXPECT_FALSE(VerifyInclusion(i, size, leaves[i], flipped, root).ok());
        }
      }
    }
  }
  EXPECT_THAT(tree.InclusionProof(70, 70), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(tree.InclusionProof(0, 71), IsError(StatusCode::kInvalidArgument));
}

TEST(TrailMerkleTest, EveryConsistencyProofVerifiesAndCorruptionsFail) {
  auto leaves = RandomLeaves(130, 3);
  MerkleTree tree;
  for (const auto& l : leaves) tree.AppendLeafHash(l);
  std::vector<Hash> roots;
  for (uint64_t n = 0; n <= 130; ++n) roots.push_back(tree.RootAt(n).value());
  for (uint64_t m = 0; m <= 130; ++m) {
    for (uint64_t n = m; n <= 130; ++n) {
      ASSERT_OK_AND_ASSIGN(auto proof, tree.ConsistencyProof(m, n));
      ASSERT_TRUE(VerifyConsistency(m, n, roots[m], roots[n], proof).ok()) << m << "->" << n;
      if (proof.empty()) continue;
      EXPECT_FALSE(VerifyConsistency(m, n, roots[n], roots[m], proof).ok());
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[m == 0 ? 1 : m - 1], proof).ok());
      if (m > 1) {
        EXPECT_FALSE(VerifyConsistency(m - 1, n, roots[m], roots[n], proof).ok());
      }
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], {}).ok());
      auto shorter = proof;
      shorter.pop_back();
      EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], shorter).ok());
      for (size_t k = 0; k < proof.size(); ++k) {
        auto flipped = proof;
        flipped[k][0] ^= 16;
        EXPECT_FALSE(VerifyConsistency(m, n, roots[m], roots[n], flipped).ok());
      }
    }
  }
  EXPECT_FALSE(VerifyConsistency(2, 1, roots[2], roots[1], {}).ok());
}

}  // namespace
}  // namespace atl::trail
