// Robustness: every prefix of a few real ORC files and thousands of randomly mutated
// copies must be read or rejected with an error, never crash, hang or allocate without
// bound (run under ASan/UBSan in CI). Deterministic seeds keep failures reproducible.
#include <filesystem>
#include <random>

#include "atoll/formats/orc/reader.h"
#include "testing/testing.h"

namespace atl::orc {
namespace {

ReaderOptions FuzzOptions() {
  ReaderOptions options;
  options.max_tail_bytes = 4 << 20;
  options.max_stripe_bytes = 16 << 20;
  options.max_decompressed_stripe_bytes = 64 << 20;
  options.max_batch_elements = 1 << 20;
  options.max_batch_bytes = 16 << 20;
  options.batch_rows = 512;
  return options;
}

// Reads everything; returns the number of rows, or -1 when rejected (with a message).
int64_t TryRead(const std::string& bytes) {
  auto reader = Reader::OpenBuffer(bytes, "fuzz.orc", FuzzOptions());
  if (!reader.ok()) {
    EXPECT_FALSE(reader.status().message().empty());
    EXPECT_NE(reader.status().code(), StatusCode::kInternal) << reader.status().ToString();
    return -1;
  }
  int64_t rows = 0;
  std::unique_ptr<ColumnVector> batch;
  while (true) {
    auto more = (*reader)->NextBatch(&batch);
    if (!more.ok()) {
      EXPECT_FALSE(more.status().message().empty());
      EXPECT_NE(more.status().code(), StatusCode::kInternal) << more.status().ToString();
      return -1;
    }
    if (!*more) return rows;
    rows += static_cast<int64_t>(batch->size);
  }
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  if (auto root = atl::testing::TestdataDir()) {
    for (const char* f :
         {"orc/TestOrcFile.test1.orc", "orc/TestOrcFile.testTimestamp.orc",
          "orc/complextypes_iceberg.orc", "orc/TestOrcFile.testUnionAndTimestamp.orc",
          "orc/decimal.orc", "orc/TestVectorOrcFile.testLz4.orc"}) {
      if (std::filesystem::exists(*root + "/" + f))
        seeds.push_back(atl::testing::ReadFile(*root + "/" + f));
    }
  }
  return seeds;
}

TEST(OrcFuzzTest, EveryTruncationIsRejectedOrRead) {
  auto seeds = Seeds();
  if (seeds.empty()) GTEST_SKIP() << "../shared/testdata is absent: no seed files";
  for (size_t s = 0; s < 3 && s < seeds.size(); ++s) {
    const std::string& full = seeds[s];
    ASSERT_GT(TryRead(full), 0);
    for (size_t len = 0; len < full.size(); ++len) {
      int64_t rows = TryRead(full.substr(0, len));
      // Only the empty prefix is an (empty) file; any other prefix loses the tail.
      if (len == 0) {
        EXPECT_EQ(rows, 0);
      } else {
        EXPECT_EQ(rows, -1) << "prefix of " << len << " bytes of seed " << s;
      }
    }
  }
}

TEST(OrcFuzzTest, RandomMutationsNeverCrash) {
  auto seeds = Seeds();
  if (seeds.empty()) GTEST_SKIP() << "../shared/testdata is absent: no seed files";
  std::mt19937_64 rng(20261122);
  int accepted = 0, rejected = 0;
  for (size_t s = 0; s < seeds.size(); ++s) {
    int rounds = seeds[s].size() > 50000 ? 150 : 1500;
    for (int round = 0; round < rounds; ++round) {
      std::string bytes = seeds[s];
      int flips = 1 + static_cast<int>(rng() % 4);
      for (int f = 0; f < flips; ++f) {
        size_t pos = rng() % bytes.size();
        // Bias towards the tail, where the metadata lives.
        if (rng() % 2 == 0) pos = bytes.size() - 1 - rng() % std::min<size_t>(bytes.size(), 600);
        switch (rng() % 3) {
          case 0:
            bytes[pos] = static_cast<char>(rng());
            break;
          case 1:
            bytes[pos] ^= static_cast<char>(1 << (rng() % 8));
            break;
          default:
            bytes[pos] = static_cast<char>(rng() % 2 ? 0xff : 0x00);
        }
      }
      (TryRead(bytes) >= 0 ? accepted : rejected)++;
    }
  }
  // Both outcomes occur: flips in data bytes often still decode, flips in the tail are caught.
  EXPECT_GT(accepted, 0);
  EXPECT_GT(rejected, 0);
}

}  // namespace
}  // namespace atl::orc
