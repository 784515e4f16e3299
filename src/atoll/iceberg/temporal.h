// Calendar arithmetic and ISO-8601 text for Iceberg's date/time types (proleptic Gregorian
// calendar, UTC, no leap seconds). Dates are days from 1970-01-01; times are microseconds
// from midnight; timestamps are micro- or nanoseconds from 1970-01-01T00:00:00.
//
// All functions are pure and thread-safe. Division is floor division, so instants before
// 1970 land in the right day/hour (-1 microsecond is 1969-12-31T23:59:59.999999).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::iceberg::temporal {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kMicrosPerHour = 3'600 * kMicrosPerSecond;
constexpr int64_t kMicrosPerDay = 24 * kMicrosPerHour;

// Floor division and the matching non-negative remainder (b > 0).
constexpr int64_t FloorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
constexpr int64_t FloorMod(int64_t a, int64_t b) { return a - FloorDiv(a, b) * b; }

struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};

int64_t DaysFromCivil(int64_t year, int month, int day);
CivilDate CivilFromDays(int64_t days);

// Transforms' units: whole years/months since 1970 (floor) of a day count.
int32_t YearsFromDays(int64_t days);
int32_t MonthsFromDays(int64_t days);

// "2017-11-16"
std::string FormatDate(int64_t days);
// "22:31:08.123456" (frac_digits 6) or "...123456789" (9) from a count of 10^-frac_digits s.
std::string FormatTime(int64_t units_of_day, int frac_digits);
// "2017-11-16T22:31:08.123456"; `units` counts 10^-frac_digits seconds from the epoch.
std::string FormatTimestamp(int64_t units, int frac_digits);

// Parse the forms above. Fractions may have 0..frac_digits digits. ParseTimestamp accepts
// an optional zone suffix ("Z", "+hh:mm", "-hh:mm") only when `with_zone` is true, and then
// requires one; the result is normalized to UTC. Errors are InvalidArgument naming the text.
Result<int32_t> ParseDate(std::string_view text);
Result<int64_t> ParseTime(std::string_view text, int frac_digits);
Result<int64_t> ParseTimestamp(std::string_view text, int frac_digits, bool with_zone);

}  // namespace atl::iceberg::temporal
