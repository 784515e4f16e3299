// Text forms used by literals: decimals, hex and UUIDs (declared in literal.h).
#include "atoll/iceberg/literal.h"

namespace atl::iceberg {

namespace {

std::string Int128ToString(int128_t v) {
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string s;
  do {
    s.insert(s.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  } while (u != 0);
  return neg ? "-" + s : s;
}

}  // namespace

std::string DecimalToString(int128_t unscaled, int scale) {
  if (scale < 0) return Int128ToString(unscaled) + "E+" + std::to_string(-scale);
  std::string digits = Int128ToString(unscaled < 0 ? -unscaled : unscaled);
  if (scale > 0) {
    if (digits.size() <= static_cast<size_t>(scale))
      digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return unscaled < 0 ? "-" + digits : digits;
}

Result<int128_t> DecimalFromString(std::string_view text, int precision, int scale) {
  auto bad = [&](std::string_view why) {
    return InvalidArgument("invalid decimal '", text, "' for decimal(", precision, ",", scale,
                           "): ", why);
  };
  size_t i = 0;
  bool neg = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) neg = text[i++] == '-';
  int128_t mantissa = 0;
  int digits = 0, frac = 0;
  bool seen_point = false, any = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (c >= '0' && c <= '9') {
      any = true;
      if (mantissa != 0 || c != '0') ++digits;
      if (digits > 38) return bad("more than 38 digits");
      mantissa = mantissa * 10 + (c - '0');
      if (seen_point) ++frac;
    } else {
      break;
    }
  }
  if (!any) return bad("no digits");
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'E' || text[i] == 'e')) {
    ++i;
    bool eneg = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) eneg = text[i++] == '-';
    if (i == text.size()) return bad("empty exponent");
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9' && exponent < 1000; ++i) {
      exponent = exponent * 10 + (text[i] - '0');
    }
    if (eneg) exponent = -exponent;
  }
  if (i != text.size()) return bad("unexpected characters");
  int64_t shift = exponent - frac + scale;  // multiply the mantissa by 10^shift
  if (shift < 0) {
    for (; shift < 0; ++shift) {
      if (mantissa % 10 != 0) return bad("more fractional digits than the scale");
      mantissa /= 10;
      --digits;
    }
  }
  for (; shift > 0; --shift) {
    if (mantissa != 0 && ++digits > 38) return bad("more than 38 digits");
    mantissa *= 10;
  }
  if (digits > precision) return bad("more digits than the precision");
  return neg ? -mantissa : mantissa;
}

std::string ToHex(std::string_view bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char c : bytes) {
    out.push_back(kDigits[static_cast<uint8_t>(c) >> 4]);
    out.push_back(kDigits[static_cast<uint8_t>(c) & 15]);
  }
  return out;
}

Result<std::string> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2) return InvalidArgument("hex string '", hex, "' has an odd length");
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return InvalidArgument("'", hex, "' is not a hex string");
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

std::string UuidToString(std::string_view b) {
  std::string h = ToHex(b);
  if (h.size() != 32) return h;
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

Result<std::string> UuidFromString(std::string_view text) {
  std::string hex;
  for (size_t i = 0; i < text.size(); ++i) {
    bool dash_pos = i == 8 || i == 13 || i == 18 || i == 23;
    if (dash_pos != (text[i] == '-')) return InvalidArgument("'", text, "' is not a UUID");
    if (!dash_pos) hex.push_back(text[i]);
  }
  if (text.size() != 36) return InvalidArgument("'", text, "' is not a UUID");
  return FromHex(hex);
}

}  // namespace atl::iceberg
