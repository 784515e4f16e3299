#include "atoll/iceberg/murmur3.h"

#include <cmath>
#include <cstring>

#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/temporal.h"

namespace atl::iceberg {

namespace {

constexpr uint32_t kC1 = 0xcc9e2d51;
constexpr uint32_t kC2 = 0x1b873593;

uint32_t Rotl(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }

uint32_t MixK(uint32_t k) {
  k *= kC1;
  k = Rotl(k, 15);
  return k * kC2;
}

}  // namespace

int32_t Murmur3Hash32(std::string_view data, uint32_t seed) {
  const auto* p = reinterpret_cast<const uint8_t*>(data.data());
  const size_t n = data.size();
  uint32_t h = seed;
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    uint32_t k = static_cast<uint32_t>(p[i]) | (static_cast<uint32_t>(p[i + 1]) << 8) |
                 (static_cast<uint32_t>(p[i + 2]) << 16) | (static_cast<uint32_t>(p[i + 3]) << 24);
    h ^= MixK(k);
    h = Rotl(h, 13);
    h = h * 5 + 0xe6546b64;
  }
  uint32_t tail = 0;
  switch (n & 3) {
    case 3:
      tail ^= static_cast<uint32_t>(p[i + 2]) << 16;
      [[fallthrough]];
    case 2:
      tail ^= static_cast<uint32_t>(p[i + 1]) << 8;
      [[fallthrough]];
    case 1:
      tail ^= p[i];
      h ^= MixK(tail);
  }
  h ^= static_cast<uint32_t>(n);
  h ^= h >> 16;
  h *= 0x85ebca6b;
  h ^= h >> 13;
  h *= 0xc2b2ae35;
  h ^= h >> 16;
  return static_cast<int32_t>(h);
}

int32_t HashLong(int64_t v) {
  char buf[8];
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) buf[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return Murmur3Hash32(std::string_view(buf, 8));
}

Result<int32_t> HashLiteral(const Literal& lit) {
  if (lit.is_null()) return InvalidArgument("null has no hash (bucket of null is null)");
  switch (lit.type()->id()) {
    case TypeId::kBoolean:
      return HashLong(lit.bool_value() ? 1 : 0);
    case TypeId::kInt:
    case TypeId::kDate:
      return HashLong(lit.int32_value());
    case TypeId::kLong:
    case TypeId::kTime:
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return HashLong(lit.int64_value());
    case TypeId::kTimestampNs:
    case TypeId::kTimestampTzNs:  // hashed as microseconds so both precisions bucket alike
      return HashLong(temporal::FloorDiv(lit.int64_value(), 1000));
    case TypeId::kFloat:
    case TypeId::kDouble: {
      double d = lit.type()->id() == TypeId::kFloat ? lit.float_value() : lit.double_value();
      uint64_t bits;
      if (std::isnan(d)) {
        bits = 0x7ff8000000000000ULL;
      } else {
        if (d == 0.0) d = 0.0;  // -0.0 hashes like 0.0
        std::memcpy(&bits, &d, 8);
      }
      return HashLong(static_cast<int64_t>(bits));
    }
    case TypeId::kDecimal:
    case TypeId::kString:
    case TypeId::kUuid:
    case TypeId::kFixed:
    case TypeId::kBinary: {
      ATOLL_ASSIGN_OR_RETURN(std::string bytes,
                             LiteralToBytes(lit));  // decimal: minimal big-endian
      return Murmur3Hash32(bytes);
    }
    default:
      return NotSupported("the spec defines no hash for ", lit.type()->ToString());
  }
}

}  // namespace atl::iceberg
