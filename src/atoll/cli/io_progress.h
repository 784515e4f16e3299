// Progress inside large files: feeds a ProgressBar (common/progress.h) with the bytes this
// process has read and written since it started (/proc/self/io, `rchar` and `wchar`), so
// that DuckDB reading one 550 MB CSV moves the bar instead of showing 0% until done.
//
//   ProgressBar bar = ProgressBar::ForStderr("ingesting");
//   IoProgress io_progress(bar, total_input_bytes);   // nothing happens unless bar.enabled()
//   ... callbacks: io_progress.SetObjects(done, total, bytes_done);
//
// The bytes shown are max(read, written) since construction, capped at `bytes_total` when
// it is known (reads of metadata or a re-read count too: it is a gauge, not an account).
// With `with_children`, the bytes of this process's child processes (snapshot workers) are
// added: each child's counts as last seen, also after it exited.
//
// Thread safety: SetObjects may be called from any thread; a ticker thread redraws every
// 200 ms until destruction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>

#include "atoll/common/progress.h"

namespace atl::cli {

// Bytes read and written by a process so far ("self" or a pid; 0, 0 where /proc is
// unavailable).
struct ProcessIo {
  uint64_t read = 0;
  uint64_t written = 0;
};
ProcessIo ReadProcessIo(const std::string& pid = "self");

class IoProgress {
 public:
  IoProgress(ProgressBar& bar, uint64_t bytes_total, bool with_children = false);
  ~IoProgress();
  IoProgress(const IoProgress&) = delete;
  IoProgress& operator=(const IoProgress&) = delete;

  // Objects done and in all, and the bytes the caller knows are done (a floor for the
  // bytes shown: the objects finished).
  void SetObjects(uint64_t done, uint64_t total, uint64_t bytes_done = 0);

 private:
  void Tick();
  // This process's counts plus, with children, those of every child seen so far.
  ProcessIo Now();

  ProgressBar& bar_;
  const uint64_t bytes_total_;
  const bool with_children_;
  std::mutex children_mu_;
  std::map<std::string, ProcessIo> children_;  // pid -> last counts seen
  const ProcessIo start_;
  std::atomic<uint64_t> objects_done_{0};
  std::atomic<uint64_t> objects_total_{0};
  std::atomic<uint64_t> bytes_floor_{0};
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread ticker_;
};

}  // namespace atl::cli
