#include "atoll/iceberg/temporal.h"

#include <cstdio>

namespace atl::iceberg::temporal {

namespace {

// Days-from-civil in the style of the well-known era-based algorithm: years are split into
// 400-year eras (146097 days) with March as the first month so leap days fall at year end.
constexpr int64_t kDaysPerEra = 146097;
constexpr int64_t kEpochShift = 719468;  // days from 0000-03-01 to 1970-01-01

int64_t Pow10(int n) {
  int64_t p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}
  bool done() const { return i_ >= s_.size(); }
  bool Peek(char c) const { return i_ < s_.size() && s_[i_] == c; }
  bool Eat(char c) {
    if (!Peek(c)) return false;
    ++i_;
    return true;
  }
  // Exactly `n` digits (or between min and max when max > min).
  bool Digits(int min, int max, int64_t* out, int* count = nullptr) {
    int64_t v = 0;
    int k = 0;
    while (k < max && i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9') {
      v = v * 10 + (s_[i_++] - '0');
      ++k;
    }
    if (count) *count = k;
    *out = v;
    return k >= min;
  }
  std::string_view rest() const { return s_.substr(i_); }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

bool ParseDateAt(Cursor* c, int64_t* days) {
  bool neg = c->Eat('-');
  if (!neg) c->Eat('+');
  int64_t y, m, d;
  if (!c->Digits(4, 9, &y) || !c->Eat('-') || !c->Digits(2, 2, &m) || !c->Eat('-') ||
      !c->Digits(2, 2, &d)) {
    return false;
  }
  if (neg) y = -y;
  if (m < 1 || m > 12 || d < 1 || d > 31) return false;
  CivilDate back = CivilFromDays(DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d)));
  if (back.day != d) return false;  // e.g. 2023-02-30
  *days = DaysFromCivil(y, static_cast<int>(m), static_cast<int>(d));
  return true;
}

bool ParseTimeAt(Cursor* c, int frac_digits, int64_t* units) {
  int64_t h, mi, s = 0, frac = 0;
  if (!c->Digits(2, 2, &h) || !c->Eat(':') || !c->Digits(2, 2, &mi)) return false;
  if (c->Eat(':')) {
    if (!c->Digits(2, 2, &s)) return false;
    if (c->Eat('.')) {
      int n = 0;
      if (!c->Digits(1, frac_digits, &frac, &n)) return false;
      frac *= Pow10(frac_digits - n);
    }
  }
  if (h > 23 || mi > 59 || s > 59) return false;
  *units = ((h * 60 + mi) * 60 + s) * Pow10(frac_digits) + frac;
  return true;
}

}  // namespace

int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t mp = (m + 9) % 12;  // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * kDaysPerEra + doe - kEpochShift;
}

CivilDate CivilFromDays(int64_t z) {
  z += kEpochShift;
  const int64_t era = FloorDiv(z, kDaysPerEra);
  const int64_t doe = z - era * kDaysPerEra;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (m <= 2), m, d};
}

int32_t YearsFromDays(int64_t days) {
  return static_cast<int32_t>(CivilFromDays(days).year - 1970);
}

int32_t MonthsFromDays(int64_t days) {
  CivilDate c = CivilFromDays(days);
  return static_cast<int32_t>((c.year - 1970) * 12 + (c.month - 1));
}

std::string FormatDate(int64_t days) {
  CivilDate c = CivilFromDays(days);
  char buf[32];
  if (c.year < 0) {
    std::snprintf(buf, sizeof(buf), "-%04lld-%02d-%02d", static_cast<long long>(-c.year), c.month,
                  c.day);
  } else {
    std::snprintf(buf, sizeof(buf), "%04lld-%02d-%02d", static_cast<long long>(c.year), c.month,
                  c.day);
  }
  return buf;
}

std::string FormatTime(int64_t units, int frac_digits) {
  const int64_t per_sec = Pow10(frac_digits);
  int64_t secs = units / per_sec;
  char buf[48];
  std::snprintf(buf, sizeof(buf), "%02lld:%02lld:%02lld.%0*lld",
                static_cast<long long>(secs / 3600), static_cast<long long>(secs / 60 % 60),
                static_cast<long long>(secs % 60), frac_digits,
                static_cast<long long>(units % per_sec));
  return buf;
}

std::string FormatTimestamp(int64_t units, int frac_digits) {
  const int64_t per_day = 86400 * Pow10(frac_digits);
  return FormatDate(FloorDiv(units, per_day)) + "T" +
         FormatTime(FloorMod(units, per_day), frac_digits);
}

Result<int32_t> ParseDate(std::string_view text) {
  Cursor c(text);
  int64_t days;
  if (!ParseDateAt(&c, &days) || !c.done())
    return InvalidArgument("invalid date '", text, "', want YYYY-MM-DD");
  return static_cast<int32_t>(days);
}

Result<int64_t> ParseTime(std::string_view text, int frac_digits) {
  Cursor c(text);
  int64_t units;
  if (!ParseTimeAt(&c, frac_digits, &units) || !c.done()) {
    return InvalidArgument("invalid time '", text, "', want HH:MM:SS[.fraction]");
  }
  return units;
}

Result<int64_t> ParseTimestamp(std::string_view text, int frac_digits, bool with_zone) {
  Cursor c(text);
  int64_t days, units;
  if (!ParseDateAt(&c, &days) || !(c.Eat('T') || c.Eat(' ')) ||
      !ParseTimeAt(&c, frac_digits, &units)) {
    return InvalidArgument("invalid timestamp '", text, "', want YYYY-MM-DDTHH:MM:SS[.fraction]",
                           with_zone ? "+00:00" : "");
  }
  int64_t offset_minutes = 0;
  if (c.Eat('Z')) {
    if (!with_zone)
      return InvalidArgument("timestamp without zone '", text, "' must not carry a zone");
  } else if (c.Peek('+') || c.Peek('-')) {
    if (!with_zone)
      return InvalidArgument("timestamp without zone '", text, "' must not carry an offset");
    int sign = c.Eat('-') ? -1 : (c.Eat('+'), 1);
    int64_t oh, om;
    if (!c.Digits(2, 2, &oh) || !c.Eat(':') || !c.Digits(2, 2, &om)) {
      return InvalidArgument("invalid zone offset in timestamp '", text, "'");
    }
    offset_minutes = sign * (oh * 60 + om);
  } else if (with_zone) {
    return InvalidArgument("timestamp with zone '", text, "' lacks a zone offset such as +00:00");
  }
  if (!c.done()) return InvalidArgument("unexpected text after timestamp '", text, "'");
  const int64_t per_sec = Pow10(frac_digits);
  return days * 86400 * per_sec + units - offset_minutes * 60 * per_sec;
}

}  // namespace atl::iceberg::temporal
