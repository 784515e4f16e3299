// The reader's I/O pattern: the file tail first, then one stripe at a time through the
// RandomAccessSource (so memory is bounded by a stripe), and reading from an
// atl::storage::Store with ranged GETs.
#include "atoll/storage/memory_store.h"
#include "orc_json_util.h"
#include "testing/testing.h"

namespace atl::orc {
namespace {

using ::atl::testing::IsError;

TEST(OrcSourceTest, ReadsTheTailThenOneStripeAtATime) {
  auto root = atl::testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata is absent: nothing to read";
  std::string bytes = atl::testing::ReadFile(*root + "/orc/TestOrcFile.testSnappy.orc");
  std::vector<std::pair<uint64_t, uint64_t>> reads;
  RandomAccessSource src;
  src.name = "snappy.orc";
  src.size = bytes.size();
  src.read = [&](uint64_t offset, uint64_t length) -> Result<std::string> {
    reads.emplace_back(offset, length);
    return bytes.substr(offset, length);
  };
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::Open(src));
  ASSERT_EQ(reads.size(), 1u);  // the tail only
  EXPECT_EQ(reads[0].first + reads[0].second, bytes.size());
  EXPECT_LE(reads[0].second, 16u * 1024);
  ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
  EXPECT_EQ(rows.size(), 10000u);
  ASSERT_EQ(reads.size(), 3u);  // tail + two stripes, each exactly its stripe
  for (size_t i = 0; i < 2; ++i) {
    const StripeInfo& s = reader->stripe(i);
    EXPECT_EQ(reads[i + 1].first, s.offset);
    EXPECT_EQ(reads[i + 1].second, s.index_length + s.data_length + s.footer_length);
  }
  // A source that fails passes its error through, naming the file.
  src.read = [](uint64_t, uint64_t) -> Result<std::string> { return Unavailable("throttled"); };
  auto failed = Reader::Open(src);
  ASSERT_THAT(failed, IsError(StatusCode::kUnavailable));
  EXPECT_NE(failed.status().message().find("snappy.orc"), std::string::npos);
  // A source returning short reads is a truncated file.
  src.read = [&](uint64_t offset, uint64_t length) -> Result<std::string> {
    return bytes.substr(offset, length / 2);
  };
  EXPECT_THAT(Reader::Open(src), IsError(StatusCode::kCorruption));
}

TEST(OrcSourceTest, OpensFromAStore) {
  auto root = atl::testing::TestdataDir();
  if (!root) GTEST_SKIP() << "../shared/testdata is absent: nothing to read";
  storage::MemoryStore store("mem");
  auto put = storage::PutString(store, "t/test1.orc",
                                atl::testing::ReadFile(*root + "/orc/TestOrcFile.test1.orc"));
  ASSERT_OK(put);
  ASSERT_OK_AND_ASSIGN(auto reader, Reader::OpenStore(store, "t/test1.orc"));
  ASSERT_OK_AND_ASSIGN(auto rows, testing::ReadAllJson(*reader));
  auto want = testing::ReadGzipLines(*root + "/orc/expected/TestOrcFile.test1.jsn.gz");
  EXPECT_EQ(rows, want);
  EXPECT_THAT(Reader::OpenStore(store, "t/missing.orc"), IsError(StatusCode::kNotFound));
}

}  // namespace
}  // namespace atl::orc
