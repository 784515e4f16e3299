// SHA-256 and the two RFC 6962 hashes the trail is built on, plus hex helpers.
//
//   LeafHash(record)      = SHA-256(0x00 || record)
//   NodeHash(left, right) = SHA-256(0x01 || left || right)
//
// Thread safety: all functions may be called concurrently (each thread keeps its own
// OpenSSL digest context).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::trail {

using Hash = std::array<uint8_t, 32>;

Hash Sha256(std::string_view data);
Hash LeafHash(std::string_view record);
Hash NodeHash(const Hash& left, const Hash& right);

// Incremental SHA-256 for data too large to hold at once (a data file read in chunks).
// One object per stream; not thread-safe.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void Update(std::string_view data);
  // The digest of everything passed to Update; the stream may not be used afterwards.
  Hash Finish();

 private:
  void* ctx_;  // EVP_MD_CTX
};

// SHA-256 of the empty string: the root of the empty tree.
Hash EmptyRoot();

// Lower-case hex of `bytes` (64 characters for a Hash).
std::string ToHex(std::string_view bytes);
std::string ToHex(const Hash& h);
// Strict parse: exactly 64 lower-case hex digits. kCorruption otherwise.
Result<Hash> HashFromHex(std::string_view hex);
// Strict parse of lower-case hex of any even length. kCorruption otherwise.
Result<std::string> BytesFromHex(std::string_view hex);

inline std::string_view AsView(const Hash& h) {
  return std::string_view(reinterpret_cast<const char*>(h.data()), h.size());
}

}  // namespace atl::trail
