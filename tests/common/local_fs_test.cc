// The local file system as Status (common/local_fs.h) and the clock (common/clock.h).
#include "atoll/common/local_fs.h"

#include <cerrno>
#include <filesystem>
#include <future>

#include "atoll/common/clock.h"
#include "testing/testing.h"

namespace atl {
namespace {

using ::testing::HasSubstr;
using testing::IsError;
using testing::TempDir;

TEST(ErrorCodeToStatusTest, MapsErrnoCodesAsErrnoToStatusDoes) {
  for (int err : {ENOENT, EEXIST, EACCES, ENOSPC, EINVAL}) {
    SCOPED_TRACE(err);
    const Status st = ErrorCodeToStatus(std::error_code(err, std::generic_category()), "doing x");
    EXPECT_EQ(st.code(), ErrnoToStatus(err, "doing x").code());
    EXPECT_EQ(st.message(), ErrnoToStatus(err, "doing x").message());
  }
  EXPECT_EQ(ErrorCodeToStatus(std::error_code(ENOENT, std::system_category()), "x").code(),
            StatusCode::kNotFound);
  EXPECT_OK(ErrorCodeToStatus(std::error_code(), "x"));
  EXPECT_THAT(ErrorCodeToStatus(std::make_error_code(std::future_errc::no_state), "x"),
              IsError(StatusCode::kIOError));
}

TEST(CreateDirectoriesTest, CreatesParentsAndAcceptsAnExistingDirectory) {
  TempDir dir;
  const std::string deep = dir.Join("a/b/c");
  ASSERT_OK(CreateDirectories(deep));
  EXPECT_TRUE(std::filesystem::is_directory(deep));
  EXPECT_OK(CreateDirectories(deep));
}

TEST(CreateDirectoriesTest, AFileInTheWayIsAnErrorNamingThePath) {
  TempDir dir;
  testing::WriteFile(dir.Join("f"), "x");
  Status st = CreateDirectories(dir.Join("f/sub"));
  EXPECT_FALSE(st.ok());
  EXPECT_THAT(st.message(), HasSubstr("creating " + dir.Join("f/sub")));
}

TEST(LocalFileSizeTest, SizesFilesAndMissingIsNotFound) {
  TempDir dir;
  testing::WriteFile(dir.Join("f"), "hello");
  EXPECT_EQ(LocalFileSize(dir.Join("f")).value(), 5u);
  EXPECT_THAT(LocalFileSize(dir.Join("missing")), IsError(StatusCode::kNotFound));
}

TEST(ClockTest, IsoTimeMsWritesUtcWithMilliseconds) {
  EXPECT_EQ(IsoTimeMs(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(IsoTimeMs(1764878400123), "2025-12-04T20:00:00.123Z");
  EXPECT_EQ(IsoTimeMs(-1), "1969-12-31T23:59:59.999Z");
  const int64_t now = SystemNowMs();
  EXPECT_GT(now, 1764878400123);  // after this test was written
}

}  // namespace
}  // namespace atl
