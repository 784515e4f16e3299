#include "atoll/serve/tokens.h"

#include <openssl/rand.h>

#include <nlohmann/json.hpp>

#include "atoll/storage/body.h"
#include "atoll/trail/hash.h"

namespace atl::serve {

namespace {

std::string TokenKey(std::string_view name) { return StrCat(kTokensPrefix, name, ".json"); }

std::string TokenJson(const Token& t) {
  nlohmann::json j = {{"format", "atoll-token"},
                      {"version", 1},
                      {"name", t.name},
                      {"scope", std::string(TokenScopeName(t.scope))},
                      {"namespace", nullptr},
                      {"sha256", t.sha256},
                      {"created_ms", t.created_ms}};
  if (!t.ns.empty()) j["namespace"] = t.ns;
  return j.dump(2) + "\n";
}

Result<Token> ParseToken(const std::string& text, const std::string& key) {
  auto bad = [&](std::string_view why) { return Corruption("token file ", key, ": ", why); };
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object() || j.value("format", "") != "atoll-token") return bad("not a token file");
  Token t;
  if (!j.contains("name") || !j["name"].is_string()) return bad("no name");
  t.name = j["name"].get<std::string>();
  if (!j.contains("scope") || !j["scope"].is_string()) return bad("no scope");
  Result<TokenScope> scope = ParseTokenScope(j["scope"].get<std::string>());
  if (!scope.ok()) return bad(scope.status().message());
  t.scope = *scope;
  if (j.contains("namespace") && j["namespace"].is_array()) {
    for (const auto& level : j["namespace"]) {
      if (!level.is_string()) return bad("a namespace level is not a string");
      t.ns.push_back(level.get<std::string>());
    }
  }
  if (!j.contains("sha256") || !j["sha256"].is_string() ||
      j["sha256"].get<std::string>().size() != 64)
    return bad("no sha256");
  t.sha256 = j["sha256"].get<std::string>();
  if (j.contains("created_ms") && j["created_ms"].is_number_integer())
    t.created_ms = j["created_ms"].get<int64_t>();
  return t;
}

bool IsPrefix(const iceberg::Namespace& prefix, const iceberg::Namespace& ns) {
  if (prefix.size() > ns.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] != ns[i]) return false;
  }
  return true;
}

}  // namespace

std::string_view TokenScopeName(TokenScope scope) {
  return scope == TokenScope::kWrite ? "write" : "read";
}

Result<TokenScope> ParseTokenScope(std::string_view text) {
  if (text == "read") return TokenScope::kRead;
  if (text == "write") return TokenScope::kWrite;
  return InvalidArgument("scope must be read or write, got '", text, "'");
}

Status ValidateTokenName(std::string_view name) {
  if (name.empty() || name.size() > 64 || name.front() == '.') {
    return InvalidArgument("a token name has 1 to 64 characters and does not start with '.'");
  }
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return InvalidArgument("token name '", name, "' may hold only A-Z, a-z, 0-9, '.', '_', '-'");
    }
  }
  return Status::OK();
}

std::string SecretHash(std::string_view secret) { return trail::ToHex(trail::Sha256(secret)); }

Result<CreatedToken> CreateToken(storage::Store& store, std::string_view name, TokenScope scope,
                                 const iceberg::Namespace& ns, int64_t now_ms) {
  ATOLL_RETURN_NOT_OK(ValidateTokenName(name));
  if (!ns.empty()) ATOLL_RETURN_NOT_OK(iceberg::ValidateNamespace(ns));
  unsigned char random[32];
  if (RAND_bytes(random, sizeof random) != 1) return Internal("OpenSSL has no random bytes");
  CreatedToken out;
  out.secret = "atl_" + trail::ToHex(std::string_view(reinterpret_cast<char*>(random), 32));
  out.token.name = std::string(name);
  out.token.scope = scope;
  out.token.ns = ns;
  out.token.sha256 = SecretHash(out.secret);
  out.token.created_ms = now_ms;
  storage::PutOptions put;
  put.condition = storage::PutCondition::kIfAbsent;
  Result<storage::ObjectInfo> written =
      store.Put(TokenKey(name), storage::Body::FromString(TokenJson(out.token)), put);
  if (!written.ok() && written.status().code() == StatusCode::kAlreadyExists) {
    return AlreadyExists("a token named '", name, "' exists (revoke it first)");
  }
  ATOLL_RETURN_NOT_OK(written.status());
  return out;
}

Result<std::vector<Token>> ListTokens(storage::Store& store) {
  ATOLL_ASSIGN_OR_RETURN(std::vector<storage::ObjectInfo> objects,
                         storage::ListAll(store, kTokensPrefix));
  std::vector<Token> out;
  for (const storage::ObjectInfo& o : objects) {
    if (o.key.size() < 5 || o.key.substr(o.key.size() - 5) != ".json") continue;
    Result<std::string> text = store.Get(o.key);
    if (!text.ok() && text.status().code() == StatusCode::kNotFound) continue;  // revoked
    ATOLL_RETURN_NOT_OK(text.status());
    ATOLL_ASSIGN_OR_RETURN(Token t, ParseToken(*text, o.key));
    out.push_back(std::move(t));
  }
  return out;
}

Status RevokeToken(storage::Store& store, std::string_view name) {
  ATOLL_RETURN_NOT_OK(ValidateTokenName(name));
  Result<storage::ObjectInfo> head = store.Head(TokenKey(name));
  if (!head.ok() && head.status().code() == StatusCode::kNotFound) {
    return NotFound("no token named '", name, "'");
  }
  ATOLL_RETURN_NOT_OK(head.status());
  return store.DeleteMany({TokenKey(name)});
}

bool TokenAllows(const Token& token, const iceberg::Namespace& ns, bool write) {
  if (write && token.scope != TokenScope::kWrite) return false;
  return IsPrefix(token.ns, ns);
}

bool TokenSees(const Token& token, const iceberg::Namespace& ns) {
  return IsPrefix(token.ns, ns) || IsPrefix(ns, token.ns);
}

Result<std::optional<Token>> TokenCache::Find(std::string_view secret, int64_t now_ms) {
  const std::string hash = SecretHash(secret);
  std::lock_guard<std::mutex> lock(mu_);
  if (loaded_ms_ < 0 || now_ms - loaded_ms_ >= ttl_ms_) {
    ATOLL_ASSIGN_OR_RETURN(std::vector<Token> tokens, ListTokens(store_));
    by_hash_.clear();
    for (Token& t : tokens) by_hash_.emplace(t.sha256, std::move(t));
    loaded_ms_ = now_ms;
  }
  auto it = by_hash_.find(hash);
  if (it == by_hash_.end()) return std::optional<Token>();
  return std::optional<Token>(it->second);
}

}  // namespace atl::serve
