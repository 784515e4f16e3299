// IsMemoryLimitError: DuckDB's memory limit is told apart from the other kUnavailable
// errors (a store's transient failure, spilling to a full disk, the host's allocator).
#include "atoll/engine/memory_limit.h"

#include "atoll/engine/engine.h"
#include "testing/testing.h"

namespace atl::engine {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(MemoryLimitTest, AValueLargerThanTheLimitIsAMemoryLimitError) {
  // A Parquet page holding one 40 MB string: reading it needs a buffer of that size.
  ::atl::testing::TempDir dir;
  const std::string file = QuoteString(dir.Join("big.parquet"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Engine> writer, Engine::Open());
  ASSERT_OK(writer->Execute(StrCat("COPY (SELECT repeat('x', 40000000) AS s) TO ", file,
                                   " (FORMAT parquet, COMPRESSION zstd)")));
  EngineOptions options;
  options.memory_limit = "16MB";
  options.temp_directory = dir.Join("spill");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Engine> engine, Engine::Open(options));
  Status st = engine->Execute(StrCat("SELECT max(length(s)) FROM read_parquet(", file, ")"));
  ASSERT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_TRUE(IsMemoryLimitError(st)) << st.ToString();
  EXPECT_TRUE(IsMemoryLimitError(st.WithContext("writing batch 1")));
  const std::string detail = MemoryLimitDetail(st.WithContext("writing batch 1"));
  EXPECT_THAT(detail, HasSubstr(" used)"));
  EXPECT_THAT(detail, Not(HasSubstr("Out of Memory Error")));
  EXPECT_THAT(detail, Not(HasSubstr("\n")));
}

TEST(MemoryLimitTest, SpillingBeyondTheTemporaryDirectorysRoomIsNot) {
  // Room to spill runs out (as on a full disk): not the memory limit.
  ::atl::testing::TempDir dir;
  EngineOptions options;
  options.memory_limit = "16MB";
  options.temp_directory = dir.Join("spill");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<Engine> engine, Engine::Open(options));
  ASSERT_OK(engine->Execute("SET max_temp_directory_size = '1MB'"));
  Status st = engine->Execute(
      "CREATE TABLE t AS SELECT range AS i, md5(range::VARCHAR) AS h FROM range(2000000) "
      "ORDER BY h");
  ASSERT_EQ(st.code(), StatusCode::kUnavailable) << st.ToString();
  EXPECT_THAT(st.message(), HasSubstr("failed to offload"));
  EXPECT_FALSE(IsMemoryLimitError(st)) << st.ToString();
}

TEST(MemoryLimitTest, OtherUnavailableErrorsAreNot) {
  const Status store =
      Status(StatusCode::kUnavailable,
             "IO Error: reading s3://lake/load/d/t/a.parquet: Unavailable: 503 Slow Down (used)");
  const Status offload =
      Status(StatusCode::kUnavailable,
             "Out of Memory Error: failed to offload data block of size 256.0 KiB (1.0 GiB/1.0 "
             "GiB used).\nThis limit was set by the 'max_temp_directory_size' setting.");
  const Status host = Status(StatusCode::kUnavailable,
                             "Out of Memory Error: Failed to allocate block of 1024 bytes (bad "
                             "allocation)");
  const Status coded_otherwise =
      Status(StatusCode::kIOError,
             "Out of Memory Error: failed to allocate data of size 1 MiB "
             "(1 MiB/1 MiB used)");
  for (const Status& st : {store, offload, host, coded_otherwise, Status::OK()}) {
    EXPECT_FALSE(IsMemoryLimitError(st)) << st.ToString();
  }
  const Status limit = Status(StatusCode::kUnavailable,
                              "Out of Memory Error: could not allocate block of size 256.0 KiB "
                              "(60.9 MiB/61.0 MiB used)\n\nPossible solutions: ...");
  EXPECT_TRUE(IsMemoryLimitError(limit));
  EXPECT_EQ(MemoryLimitDetail(limit),
            "could not allocate block of size 256.0 KiB (60.9 MiB/61.0 MiB used)");
}

}  // namespace
}  // namespace atl::engine
