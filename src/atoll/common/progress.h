// Progress of a long operation (bytes and objects), shown as a one-line bar on a
// terminal.
//
//   auto bar = ProgressBar::ForStderr("copying");   // silent unless stderr is a TTY
//   bar.Update({.bytes_done = b, .bytes_total = B, .objects_done = n, .objects_total = N});
//   bar.Finish();
//
// The bar is redrawn in place ("\r" + line) at most every `min_redraw_interval`, so
// callers may update as often as they like. When disabled every call is a no-op and
// nothing is written. Output goes only to the given file descriptor (never stdout unless
// asked), so it never mixes with a command's real output.
//
// Thread safety: Update and Finish may be called concurrently from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace atl {

struct ProgressCounts {
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;  // 0 = unknown
  uint64_t objects_done = 0;
  uint64_t objects_total = 0;  // 0 = unknown
};

// "0 B", "999 B", "1.5 KiB", "12.3 MiB", "1.0 GiB" (binary units).
std::string FormatBytes(uint64_t bytes);

// "0:07", "12:34", "1:02:03".
std::string FormatDuration(double seconds);

// One line of the bar, without "\r" or newline, e.g.
// "copying  [=========>          ]  45%  450.0 MiB / 1.0 GiB  3/8 objects  112.5 MiB/s  ETA 0:05".
// `elapsed_seconds` gives the rate and the ETA (omitted while unknown).
std::string RenderProgressLine(std::string_view label, const ProgressCounts& counts,
                               double elapsed_seconds);

class ProgressBar {
 public:
  // A bar on stderr, enabled only when stderr is a terminal (returned by guaranteed
  // copy elision; the bar is not movable).
  static ProgressBar ForStderr(std::string label);

  // A bar writing to `fd` when `enabled`. Tests use a pipe with enabled = true.
  ProgressBar(std::string label, int fd, bool enabled,
              std::chrono::milliseconds min_redraw_interval = std::chrono::milliseconds(100));
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  ~ProgressBar();  // calls Finish()

  bool enabled() const { return enabled_; }

  // Records the counts; redraws when the last redraw is older than the interval.
  void Update(const ProgressCounts& counts);

  // Draws the final state and ends the line (once; later calls do nothing). Nothing is
  // printed when no Update was ever made.
  void Finish();

 private:
  void DrawLocked(bool final_line);

  std::string label_;
  int fd_;
  bool enabled_;
  std::chrono::milliseconds min_interval_;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
  std::mutex mu_;
  ProgressCounts counts_;
  bool updated_ = false;
  bool finished_ = false;
  size_t last_width_ = 0;  // length of the last line drawn, to blank leftovers
};

}  // namespace atl
