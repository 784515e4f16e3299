#include "atoll/trail/hash.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace atl::trail {
namespace {

// One reusable digest context per thread; the algorithm is fetched once.
class Digest {
 public:
  Digest() : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)), ctx_(EVP_MD_CTX_new()) {
    if (md_ == nullptr || ctx_ == nullptr) std::abort();
  }
  ~Digest() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_free(md_);
  }
  Hash Run(std::string_view a, std::string_view b = {}, std::string_view c = {}) {
    Hash out{};
    unsigned int len = 0;
    if (EVP_DigestInit_ex2(ctx_, md_, nullptr) != 1 ||
        EVP_DigestUpdate(ctx_, a.data(), a.size()) != 1 ||
        (!b.empty() && EVP_DigestUpdate(ctx_, b.data(), b.size()) != 1) ||
        (!c.empty() && EVP_DigestUpdate(ctx_, c.data(), c.size()) != 1) ||
        EVP_DigestFinal_ex(ctx_, out.data(), &len) != 1 || len != out.size()) {
      std::abort();  // OpenSSL failing on SHA-256 is not recoverable
    }
    return out;
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* ctx_;
};

Digest& ThreadDigest() {
  thread_local Digest digest;
  return digest;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

Sha256Stream::Sha256Stream() : ctx_(EVP_MD_CTX_new()) {
  auto* ctx = static_cast<EVP_MD_CTX*>(ctx_);
  if (ctx == nullptr || EVP_DigestInit_ex2(ctx, EVP_sha256(), nullptr) != 1) std::abort();
}

Sha256Stream::~Sha256Stream() { EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_)); }

void Sha256Stream::Update(std::string_view data) {
  if (EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size()) != 1) std::abort();
}

Hash Sha256Stream::Finish() {
  Hash out{};
  unsigned int len = 0;
  if (EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), out.data(), &len) != 1 ||
      len != out.size()) {
    std::abort();
  }
  return out;
}

Hash Sha256(std::string_view data) { return ThreadDigest().Run(data); }

Hash LeafHash(std::string_view record) {
  static constexpr char kPrefix = 0x00;
  return ThreadDigest().Run(std::string_view(&kPrefix, 1), record);
}

Hash NodeHash(const Hash& left, const Hash& right) {
  static constexpr char kPrefix = 0x01;
  return ThreadDigest().Run(std::string_view(&kPrefix, 1), AsView(left), AsView(right));
}

Hash EmptyRoot() { return Sha256({}); }

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

std::string ToHex(const Hash& h) { return ToHex(AsView(h)); }

Result<std::string> BytesFromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return Corruption("hex string of odd length ", hex.size());
  std::string out(hex.size() / 2, '\0');
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = HexValue(hex[2 * i]), lo = HexValue(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Corruption("not a lower-case hex digit at offset ", 2 * i);
    out[i] = static_cast<char>(hi * 16 + lo);
  }
  return out;
}

Result<Hash> HashFromHex(std::string_view hex) {
  if (hex.size() != 64) return Corruption("a SHA-256 hash needs 64 hex digits, got ", hex.size());
  ATOLL_ASSIGN_OR_RETURN(std::string bytes, BytesFromHex(hex));
  Hash h{};
  std::copy(bytes.begin(), bytes.end(), h.begin());
  return h;
}

}  // namespace atl::trail
