#include "atoll/common/progress.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>

namespace atl {

std::string FormatBytes(uint64_t bytes) {
  if (bytes < 1024) return std::to_string(bytes) + " B";
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(bytes) / 1024.0;
  int unit = 0;
  while (v >= 1024.0 && unit < 5) {
    v /= 1024.0;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f %s", v, kUnits[unit]);
  return buf;
}

std::string FormatDuration(double seconds) {
  if (!(seconds >= 0) || seconds > 1e9) seconds = 0;
  auto total = static_cast<uint64_t>(std::llround(seconds));
  uint64_t h = total / 3600, m = (total / 60) % 60, s = total % 60;
  char buf[48];
  if (h > 0) {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu:%02llu", static_cast<unsigned long long>(h),
                  static_cast<unsigned long long>(m), static_cast<unsigned long long>(s));
  } else {
    std::snprintf(buf, sizeof(buf), "%llu:%02llu", static_cast<unsigned long long>(m),
                  static_cast<unsigned long long>(s));
  }
  return buf;
}

std::string RenderProgressLine(std::string_view label, const ProgressCounts& c,
                               double elapsed_seconds) {
  std::string line(label);
  // The fraction done: by bytes when their total is known, else by objects.
  double fraction = -1;
  if (c.bytes_total > 0) {
    fraction = static_cast<double>(c.bytes_done) / static_cast<double>(c.bytes_total);
  } else if (c.objects_total > 0) {
    fraction = static_cast<double>(c.objects_done) / static_cast<double>(c.objects_total);
  }
  if (fraction >= 0) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    constexpr int kWidth = 20;
    int filled = static_cast<int>(fraction * kWidth);
    std::string bar(kWidth, ' ');
    std::fill(bar.begin(), bar.begin() + filled, '=');
    if (filled < kWidth) bar[filled] = '>';
    char pct[8];
    std::snprintf(pct, sizeof(pct), "%3d%%", static_cast<int>(fraction * 100));
    line += "  [" + bar + "] " + pct;
  }
  line += "  " + FormatBytes(c.bytes_done);
  if (c.bytes_total > 0) line += " / " + FormatBytes(c.bytes_total);
  line += "  " + std::to_string(c.objects_done);
  if (c.objects_total > 0) line += "/" + std::to_string(c.objects_total);
  line += (c.objects_total == 1 ? " object" : " objects");
  if (elapsed_seconds > 0.2 && c.bytes_done > 0) {
    double rate = static_cast<double>(c.bytes_done) / elapsed_seconds;
    line += "  " + FormatBytes(static_cast<uint64_t>(rate)) + "/s";
    if (c.bytes_total > c.bytes_done) {
      line += "  ETA " + FormatDuration(static_cast<double>(c.bytes_total - c.bytes_done) / rate);
    }
  }
  return line;
}

ProgressBar ProgressBar::ForStderr(std::string label) {
  return ProgressBar(std::move(label), STDERR_FILENO, ::isatty(STDERR_FILENO) == 1);
}

ProgressBar::ProgressBar(std::string label, int fd, bool enabled,
                         std::chrono::milliseconds min_redraw_interval)
    : label_(std::move(label)),
      fd_(fd),
      enabled_(enabled),
      min_interval_(min_redraw_interval),
      start_(std::chrono::steady_clock::now()) {}

ProgressBar::~ProgressBar() { Finish(); }

void ProgressBar::Update(const ProgressCounts& counts) {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  counts_ = counts;
  updated_ = true;
  auto now = std::chrono::steady_clock::now();
  if (last_width_ == 0 || now - last_draw_ >= min_interval_) {
    last_draw_ = now;
    DrawLocked(/*final_line=*/false);
  }
}

void ProgressBar::Finish() {
  if (!enabled_) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  if (updated_) DrawLocked(/*final_line=*/true);
}

void ProgressBar::DrawLocked(bool final_line) {
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::string line = RenderProgressLine(label_, counts_, elapsed);
  size_t width = line.size();
  // Blank what is left of a longer previous line.
  if (width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = std::max<size_t>(width, 1);
  std::string out = "\r" + line + (final_line ? "\n" : "");
  size_t done = 0;
  while (done < out.size()) {
    ssize_t w = ::write(fd_, out.data() + done, out.size() - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return;  // a progress bar is best effort: never fail the operation
    done += static_cast<size_t>(w);
  }
}

}  // namespace atl
