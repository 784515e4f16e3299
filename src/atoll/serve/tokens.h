// Access tokens of `atoll serve` (docs/serve.md, "Tokens"). A token has a name (the actor
// the trail records), a scope (read, or write which includes read) and optionally a
// namespace it is confined to (["prd", "shop"]: that namespace and those under it).
//
// The bucket keeps, per token, `_atoll/tokens/<name>.json`
//   {"format": "atoll-token", "version": 1, "name": "etl", "scope": "write",
//    "namespace": ["prd", "shop"] | null, "sha256": "<hex of SHA-256 of the secret>",
//    "created_ms": 1765000000000}
// and never the secret itself: CreateToken returns it once ("atl_" + 64 hex digits, 256
// random bits from OpenSSL). Authentication hashes the presented secret and looks the
// hash up; a revoked token (its file deleted) stops working within the cache's lifetime.
//
// Errors: the store's; kAlreadyExists (create: the name is taken), kNotFound (revoke),
// kInvalidArgument (a bad name or namespace), kCorruption (a token file that does not parse).
// Thread safety: the functions are safe to call concurrently; TokenCache is thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/catalog.h"
#include "atoll/storage/store.h"

namespace atl::serve {

enum class TokenScope { kRead, kWrite };
std::string_view TokenScopeName(TokenScope scope);  // "read", "write"
Result<TokenScope> ParseTokenScope(std::string_view text);

inline constexpr std::string_view kTokensPrefix = "_atoll/tokens/";

struct Token {
  std::string name;
  TokenScope scope = TokenScope::kRead;
  iceberg::Namespace ns;  // empty: every namespace
  std::string sha256;     // hex digest of the secret
  int64_t created_ms = 0;
};

struct CreatedToken {
  Token token;
  std::string secret;  // shown once; not stored
};

// Names: 1-64 characters of [A-Za-z0-9._-], not starting with '.'.
Status ValidateTokenName(std::string_view name);
Result<CreatedToken> CreateToken(storage::Store& store, std::string_view name, TokenScope scope,
                                 const iceberg::Namespace& ns, int64_t now_ms);
// Sorted by name.
Result<std::vector<Token>> ListTokens(storage::Store& store);
Status RevokeToken(storage::Store& store, std::string_view name);
// Hex of SHA-256 of `secret`.
std::string SecretHash(std::string_view secret);

// Whether `token` may touch namespace `ns` (for a write when `write`): the scope allows
// it and `ns` lies in (or is) the token's namespace.
bool TokenAllows(const Token& token, const iceberg::Namespace& ns, bool write);
// Whether `ns` is visible in listings: inside the token's namespace or above it.
bool TokenSees(const Token& token, const iceberg::Namespace& ns);

// The tokens of a store by hash, reloaded when older than `ttl_ms`.
class TokenCache {
 public:
  TokenCache(storage::Store& store, int64_t ttl_ms) : store_(store), ttl_ms_(ttl_ms) {}
  // The token whose secret is `secret`; nullopt when none. Errors: the store's.
  Result<std::optional<Token>> Find(std::string_view secret, int64_t now_ms);

 private:
  storage::Store& store_;
  const int64_t ttl_ms_;
  std::mutex mu_;
  int64_t loaded_ms_ = -1;
  std::unordered_map<std::string, Token> by_hash_;
};

}  // namespace atl::serve
