// Checkpoints: signed statements "the trail's first <size> records have Merkle root
// <root>", stored as trail/checkpoints/<20-digit size>.ckpt. Text, one field a line
// (docs/trail.md):
//
//   atoll-trail-checkpoint 1
//   size 2000
//   root <64 lower-case hex digits>
//   time_ms 1795334175123
//   previous 1000                 (size of the checkpoint before it; 0 for the first)
//   key ed25519 <16 hex digits key id>
//   sig <lower-case hex signature>
//
// The signature covers every byte before the "sig " line. Parsing is strict (exact
// line order, decimal without leading zeros, lower-case hex), so any changed byte makes
// the text unparsable or the signature invalid.
//
// Keys: an Ed25519 private key in a PEM file kept outside the bucket (GenerateKey), or
// an HMAC-SHA256 secret file (any other file of at least 32 bytes). The Ed25519 public
// key is stored in the bucket (trail/public_key.pem) and may be pinned by the verifier.
// The key id is the first 8 bytes of SHA-256 of the DER public key (Ed25519) or of
// "atoll-trail-hmac" || secret (HMAC), in hex.
//
// Thread safety: Signer and SignatureVerifier are immutable after construction; their
// const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/trail/hash.h"

namespace atl::trail {

struct Checkpoint {
  uint64_t size = 0;
  Hash root{};
  int64_t time_ms = 0;
  uint64_t previous = 0;
  std::string algorithm;  // "ed25519" or "hmac-sha256"
  std::string key_id;     // 16 hex digits
  std::string signature;  // raw bytes
};

class Signer {
 public:
  // Loads the key file at `path`: a PEM Ed25519 private key or an HMAC secret.
  // kNotFound when missing, kInvalidArgument when it holds neither.
  static Result<std::unique_ptr<Signer>> LoadFile(const std::string& path);
  virtual ~Signer() = default;
  virtual std::string algorithm() const = 0;
  virtual std::string key_id() const = 0;
  // PEM of the public key ("" for HMAC, which has none).
  virtual std::string public_key_pem() const = 0;
  virtual Result<std::string> Sign(std::string_view message) const = 0;
};

class SignatureVerifier {
 public:
  // From a PEM Ed25519 public key; kInvalidArgument when it is not one.
  static Result<std::unique_ptr<SignatureVerifier>> FromPublicKeyPem(std::string_view pem);
  // From an HMAC secret (the key file's bytes).
  static Result<std::unique_ptr<SignatureVerifier>> FromHmacSecret(std::string secret);
  // From a key file as Signer::LoadFile reads it (private PEM or HMAC secret).
  static Result<std::unique_ptr<SignatureVerifier>> FromKeyFile(const std::string& path);
  virtual ~SignatureVerifier() = default;
  virtual std::string algorithm() const = 0;
  virtual std::string key_id() const = 0;
  // OK when `signature` is valid for `message`; kCorruption otherwise.
  virtual Status Verify(std::string_view message, std::string_view signature) const = 0;
};

// Writes a new Ed25519 private key (PEM, mode 0600) to `path`. kAlreadyExists when the
// file exists (keys are never overwritten).
Status GenerateKey(const std::string& path);

// The text of `checkpoint` signed by `signer` (fills algorithm, key_id and signature).
Result<std::string> SignCheckpoint(Checkpoint checkpoint, const Signer& signer);

// Parses checkpoint text strictly. kCorruption naming the line on any deviation.
// `signed_part` receives the bytes the signature covers.
Result<Checkpoint> ParseCheckpoint(std::string_view text, std::string_view* signed_part);

}  // namespace atl::trail
