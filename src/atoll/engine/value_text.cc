#include "atoll/engine/value_text.h"

#include <duckdb.h>

#include <cstdlib>

namespace atl::engine::internal {

void AppendUInt128(uint128 u, std::string* out) {
  char buf[48];
  int n = 0;
  do {
    buf[n++] = static_cast<char>('0' + static_cast<int>(u % 10));
    u /= 10;
  } while (u != 0);
  while (n > 0) out->push_back(buf[--n]);
}

void AppendInt128(int128 v, std::string* out) {
  if (v < 0) out->push_back('-');
  AppendUInt128(v < 0 ? -static_cast<uint128>(v) : static_cast<uint128>(v), out);
}

void AppendDecimal(int128 v, uint8_t scale, std::string* out) {
  std::string digits;
  AppendInt128(v < 0 ? -v : v, &digits);
  if (scale > 0 && digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
  if (v < 0) out->push_back('-');
  out->append(digits, 0, digits.size() - scale);
  if (scale > 0) out->append(".").append(digits, digits.size() - scale, scale);
}

void AppendDate(int32_t days, std::string* out) {
  if (days == INT32_MAX) return out->append("infinity"), void();
  if (days == -INT32_MAX) return out->append("-infinity"), void();
  duckdb_date_struct d = duckdb_from_date(duckdb_date{days});
  if (d.year <= 0) {
    fmt::format_to(std::back_inserter(*out), "{:04}-{:02}-{:02} (BC)", 1 - d.year, d.month, d.day);
  } else {
    fmt::format_to(std::back_inserter(*out), "{:04}-{:02}-{:02}", d.year, d.month, d.day);
  }
}

// HH:MM:SS[.fraction], `nanos` since midnight (trailing zeros of the fraction dropped).
void AppendTimeOfDay(int64_t nanos, std::string* out) {
  int64_t secs = nanos / 1000000000, frac = nanos % 1000000000;
  fmt::format_to(std::back_inserter(*out), "{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60,
                 secs % 60);
  if (frac != 0) {
    std::string f = fmt::format("{:09}", frac);
    f.erase(f.find_last_not_of('0') + 1);
    out->append(".").append(f);
  }
}

void AppendTimestamp(int64_t value, int64_t nanos_per_unit, bool tz, std::string* out) {
  if (value == INT64_MAX) return out->append("infinity"), void();
  if (value == -INT64_MAX) return out->append("-infinity"), void();
  const int64_t units_per_day = 86400LL * 1000000000 / nanos_per_unit;
  int64_t days = value / units_per_day, rest = value % units_per_day;
  if (rest < 0) days -= 1, rest += units_per_day;
  AppendDate(static_cast<int32_t>(days), out);
  out->push_back(' ');
  AppendTimeOfDay(rest * nanos_per_unit, out);
  if (tz) out->append("+00");
}

void AppendInterval(int32_t months, int32_t days, int64_t micros, std::string* out) {
  std::string text;
  auto part = [&](int64_t n, const char* unit, const char* units) {
    if (n == 0) return;
    if (!text.empty()) text.push_back(' ');
    fmt::format_to(std::back_inserter(text), "{} {}", n, n == 1 || n == -1 ? unit : units);
  };
  part(months / 12, "year", "years");
  part(months % 12, "mon", "mons");
  part(days, "day", "days");
  if (micros != 0 || text.empty()) {
    if (!text.empty()) text.push_back(' ');
    if (micros < 0) text.push_back('-');
    AppendTimeOfDay((micros < 0 ? -micros : micros) * 1000, &text);
  }
  out->append(text);
}

void AppendUuid(uint64_t hi, uint64_t lo, std::string* out) {
  std::string hex = fmt::format("{:016x}{:016x}", hi, lo);
  out->append(hex, 0, 8).append("-").append(hex, 8, 4).append("-").append(hex, 12, 4);
  out->append("-").append(hex, 16, 4).append("-").append(hex, 20, 12);
}

void AppendBlob(std::string_view b, std::string* out) {
  for (unsigned char c : b) {
    if (c < 32 || c > 126 || c == '\\' || c == '\'' || c == '"') {
      fmt::format_to(std::back_inserter(*out), "\\x{:02X}", c);
    } else {
      out->push_back(static_cast<char>(c));
    }
  }
}

void AppendBits(std::string_view b, std::string* out) {
  if (b.empty()) return;
  int padding = static_cast<unsigned char>(b[0]);
  for (size_t i = 1; i < b.size(); ++i) {
    for (int bit = 7; bit >= 0; --bit) {
      if (i == 1 && 7 - bit < padding) continue;
      out->push_back((static_cast<unsigned char>(b[i]) >> bit) & 1 ? '1' : '0');
    }
  }
}

void AppendJsonString(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out->append("\\\"");
        break;
      case '\\':
        out->append("\\\\");
        break;
      case '\n':
        out->append("\\n");
        break;
      case '\r':
        out->append("\\r");
        break;
      case '\t':
        out->append("\\t");
        break;
      default:
        if (c < 0x20)
          fmt::format_to(std::back_inserter(*out), "\\u{:04x}", c);
        else
          out->push_back(static_cast<char>(c));
    }
  }
  out->push_back('"');
}

}  // namespace atl::engine::internal
