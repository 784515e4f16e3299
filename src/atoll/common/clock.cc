#include "atoll/common/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace atl {

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string IsoTimeMs(int64_t ms) {
  const int64_t millis = ((ms % 1000) + 1000) % 1000;
  std::time_t secs = static_cast<std::time_t>((ms - millis) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char out[64];
  std::snprintf(out, sizeof(out), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(millis));
  return out;
}

}  // namespace atl
