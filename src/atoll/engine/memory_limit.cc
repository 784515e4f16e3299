#include "atoll/engine/memory_limit.h"

#include <string_view>

namespace atl::engine {
namespace {

constexpr std::string_view kOutOfMemory = "Out of Memory Error: ";

// The text after "Out of Memory Error: " up to the end of its line; empty when absent.
std::string_view OutOfMemoryText(const std::string& message) {
  size_t at = message.find(kOutOfMemory);
  if (at == std::string::npos) return {};
  std::string_view text = std::string_view(message).substr(at + kOutOfMemory.size());
  return text.substr(0, text.find('\n'));
}

}  // namespace

bool IsMemoryLimitError(const Status& st) {
  if (st.code() != StatusCode::kUnavailable) return false;
  std::string_view text = OutOfMemoryText(st.message());
  if (text.empty()) return false;
  // The buffer manager reports "(<in use>/<limit> used)"; spilling failures name the
  // temporary directory instead, allocator failures say "bad allocation".
  if (text.find(" used)") == std::string_view::npos) return false;
  for (std::string_view other : {"offload", "max_temp_directory_size", "bad allocation"}) {
    if (text.find(other) != std::string_view::npos) return false;
  }
  return true;
}

std::string MemoryLimitDetail(const Status& st) {
  std::string_view text = OutOfMemoryText(st.message());
  return std::string(text.empty() ? std::string_view(st.message()) : text);
}

}  // namespace atl::engine
