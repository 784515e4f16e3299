// Internal to the engine layer: the text of single values, as DuckDB writes them (see
// ValueKind in engine.h), and JSON string quoting. Each function appends to `out`.
#pragma once

#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <iterator>
#include <string>
#include <string_view>

namespace atl::engine::internal {

using int128 = __int128;
using uint128 = unsigned __int128;

void AppendInt128(int128 v, std::string* out);
void AppendUInt128(uint128 v, std::string* out);
// `v` is the unscaled integer: (-1234, 2) -> "-12.34".
void AppendDecimal(int128 v, uint8_t scale, std::string* out);

template <typename Float>  // float or double: shortest text that reads back the same
void AppendFloat(Float v, std::string* out) {
  if (std::isnan(v))
    out->append("nan");
  else if (std::isinf(v))
    out->append(v < 0 ? "-inf" : "inf");
  else
    fmt::format_to(std::back_inserter(*out), "{}", v);
}

// YYYY-MM-DD from days since 1970-01-01; "(BC)" years and +-"infinity" as DuckDB writes them.
void AppendDate(int32_t days, std::string* out);
// HH:MM:SS[.fraction] from nanoseconds since midnight; the fraction loses trailing zeros.
void AppendTimeOfDay(int64_t nanos, std::string* out);
// "YYYY-MM-DD HH:MM:SS[.fraction]" (+ "+00" when `tz`) from a count of units of
// `nanos_per_unit` nanoseconds since the epoch.
void AppendTimestamp(int64_t value, int64_t nanos_per_unit, bool tz, std::string* out);
// "1 year 2 mons 3 days 04:05:06".
void AppendInterval(int32_t months, int32_t days, int64_t micros, std::string* out);
// 8-4-4-4-12 lower-case hex of the 128-bit value hi:lo.
void AppendUuid(uint64_t hi, uint64_t lo, std::string* out);
// Printable ASCII as is, other bytes (and \ ' ") as \xNN.
void AppendBlob(std::string_view bytes, std::string* out);
// A BIT string: the first byte counts the padding bits of the second.
void AppendBits(std::string_view bytes, std::string* out);
// `s` as a JSON string literal, quotes included (also the CLI's JSON output).
void AppendJsonString(std::string_view s, std::string* out);

}  // namespace atl::engine::internal
