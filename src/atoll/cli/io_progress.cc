#include "atoll/cli/io_progress.h"

#include <algorithm>
#include <chrono>
#include <fstream>
#include <string>

namespace atl::cli {

ProcessIo ReadProcessIo() {
  ProcessIo io;
  std::ifstream in("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "rchar:") io.read = value;
    if (key == "wchar:") io.written = value;
  }
  return io;
}

IoProgress::IoProgress(ProgressBar& bar, uint64_t bytes_total)
    : bar_(bar), bytes_total_(bytes_total), start_(ReadProcessIo()) {
  if (!bar_.enabled()) return;
  ticker_ = std::thread([this] {
    std::unique_lock<std::mutex> lock(mu_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
      Tick();
    }
  });
}

IoProgress::~IoProgress() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  if (ticker_.joinable()) ticker_.join();
}

void IoProgress::SetObjects(uint64_t done, uint64_t total, uint64_t bytes_done) {
  bytes_floor_.store(bytes_done);
  objects_done_.store(done);
  objects_total_.store(total);
  if (bar_.enabled()) Tick();
}

void IoProgress::Tick() {
  const ProcessIo now = ReadProcessIo();
  uint64_t bytes = std::max(now.read - std::min(now.read, start_.read),
                            now.written - std::min(now.written, start_.written));
  if (bytes_total_ > 0) bytes = std::min(bytes, bytes_total_);
  bytes = std::max(bytes, bytes_floor_.load());
  bar_.Update({.bytes_done = bytes,
               .bytes_total = bytes_total_,
               .objects_done = objects_done_.load(),
               .objects_total = objects_total_.load()});
}

}  // namespace atl::cli
