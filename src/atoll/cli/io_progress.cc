#include "atoll/cli/io_progress.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

namespace atl::cli {

ProcessIo ReadProcessIo(const std::string& pid) {
  ProcessIo io;
  std::ifstream in("/proc/" + pid + "/io");
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "rchar:") io.read = value;
    if (key == "wchar:") io.written = value;
  }
  return io;
}

IoProgress::IoProgress(ProgressBar& bar, uint64_t bytes_total, bool with_children)
    : bar_(bar), bytes_total_(bytes_total), with_children_(with_children), start_(ReadProcessIo()) {
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

ProcessIo IoProgress::Now() {
  ProcessIo total = ReadProcessIo();
  if (!with_children_) return total;
  std::lock_guard<std::mutex> lock(children_mu_);
  std::error_code ec;
  for (std::filesystem::directory_iterator it("/proc/self/task", ec), end; !ec && it != end;
       it.increment(ec)) {
    std::ifstream in(it->path() / "children");
    std::string pid;
    while (in >> pid) {
      const ProcessIo child = ReadProcessIo(pid);
      if (child.read > 0 || child.written > 0) children_[pid] = child;
    }
  }
  for (const auto& [pid, child] : children_) {
    total.read += child.read;
    total.written += child.written;
  }
  return total;
}

void IoProgress::Tick() {
  const ProcessIo now = Now();
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
