// Murmur3 x86 32-bit hash, seed 0, and the per-type hashing rules of the Iceberg spec
// (Appendix B) used by the bucket[N] transform. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::iceberg {

class Literal;

// Murmur3_x86_32 of `data` with the given seed (Iceberg uses seed 0).
int32_t Murmur3Hash32(std::string_view data, uint32_t seed = 0);

// hashLong(v): the hash of v's 8 little-endian bytes. The spec's hashInt (dates, booleans)
// is the same function on the value widened to long, so int and long columns bucket alike.
int32_t HashLong(int64_t v);

// The Appendix B hash of a non-null literal. NotSupported for types the spec does not hash
// (unknown, variant, nested); float/double/boolean follow the spec's "if ever needed" rules.
Result<int32_t> HashLiteral(const Literal& value);

}  // namespace atl::iceberg
