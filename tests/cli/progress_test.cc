#include "atoll/common/progress.h"

#include <fcntl.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include "testing/testing.h"

namespace atl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(FormatBytesTest, UsesBinaryUnits) {
  EXPECT_EQ(FormatBytes(0), "0 B");
  EXPECT_EQ(FormatBytes(1023), "1023 B");
  EXPECT_EQ(FormatBytes(1536), "1.5 KiB");
  EXPECT_EQ(FormatBytes(1ull << 30), "1.0 GiB");
}

TEST(FormatDurationTest, ShowsMinutesAndHours) {
  EXPECT_EQ(FormatDuration(7), "0:07");
  EXPECT_EQ(FormatDuration(754), "12:34");
  EXPECT_EQ(FormatDuration(3723), "1:02:03");
}

TEST(RenderProgressLineTest, ShowsPercentBytesObjectsRateAndEta) {
  ProgressCounts c{.bytes_done = 50ull << 20,
                   .bytes_total = 100ull << 20,
                   .objects_done = 3,
                   .objects_total = 8};
  std::string line = RenderProgressLine("copying", c, 10.0);
  EXPECT_THAT(line, HasSubstr("copying"));
  EXPECT_THAT(line, HasSubstr(" 50%"));
  EXPECT_THAT(line, HasSubstr("50.0 MiB / 100.0 MiB"));
  EXPECT_THAT(line, HasSubstr("3/8 objects"));
  EXPECT_THAT(line, HasSubstr("5.0 MiB/s"));
  EXPECT_THAT(line, HasSubstr("ETA 0:10"));
}

TEST(RenderProgressLineTest, OmitsRateAndEtaWhileUnknown) {
  std::string line = RenderProgressLine("copying", {.objects_done = 0, .objects_total = 1}, 0.0);
  EXPECT_THAT(line, Not(HasSubstr("/s")));
  EXPECT_THAT(line, Not(HasSubstr("ETA")));
  EXPECT_THAT(line, HasSubstr("0/1 object"));
}

// Everything written to a pipe by a bar, read after the bar is finished.
class PipeCapture {
 public:
  PipeCapture() {
    int fds[2];
    if (::pipe(fds) != 0) std::abort();
    read_fd_ = fds[0];
    write_fd_ = fds[1];
    ::fcntl(read_fd_, F_SETFL, O_NONBLOCK);
  }
  ~PipeCapture() {
    ::close(read_fd_);
    ::close(write_fd_);
  }
  int fd() const { return write_fd_; }
  std::string Drain() {
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::read(read_fd_, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
    return out;
  }

 private:
  int read_fd_, write_fd_;
};

TEST(ProgressBarTest, DisabledBarWritesNothing) {
  PipeCapture pipe;
  {
    ProgressBar bar("copying", pipe.fd(), /*enabled=*/false);
    bar.Update({.bytes_done = 1, .bytes_total = 2});
    bar.Finish();
  }
  EXPECT_EQ(pipe.Drain(), "");
}

TEST(ProgressBarTest, RedrawsAtMostOncePerIntervalAndEndsTheLine) {
  PipeCapture pipe;
  ProgressBar bar("copying", pipe.fd(), true, std::chrono::milliseconds(10'000));
  for (uint64_t i = 1; i <= 1000; ++i) bar.Update({.objects_done = i, .objects_total = 1000});
  bar.Finish();
  bar.Finish();  // a second Finish does nothing
  std::string out = pipe.Drain();
  // The first update draws; the other 999 fall inside the interval; Finish draws the end.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 2) << out;
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 1);
  EXPECT_THAT(out, HasSubstr("1000/1000 objects"));
  EXPECT_EQ(out.back(), '\n');
}

TEST(ProgressBarTest, FinishWithoutUpdatesPrintsNothing) {
  PipeCapture pipe;
  { ProgressBar bar("copying", pipe.fd(), true); }
  EXPECT_EQ(pipe.Drain(), "");
}

TEST(ProgressBarTest, AcceptsConcurrentUpdates) {
  PipeCapture pipe;
  ProgressBar bar("copying", pipe.fd(), true, std::chrono::milliseconds(0));
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&bar, t] {
      for (uint64_t i = 0; i < 50; ++i)
        bar.Update({.objects_done = i, .objects_total = static_cast<uint64_t>(100 + t)});
    });
  }
  for (auto& t : threads) t.join();
  bar.Finish();
  std::string out = pipe.Drain();
  // Every redraw is whole: 200 updates + the final line, each starting with '\r'.
  EXPECT_EQ(std::count(out.begin(), out.end(), '\r'), 201);
  EXPECT_EQ(out.back(), '\n');
}

}  // namespace
}  // namespace atl
