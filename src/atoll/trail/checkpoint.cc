#include "atoll/trail/checkpoint.h"

#include <fcntl.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace atl::trail {
namespace {

constexpr std::string_view kHeader = "atoll-trail-checkpoint 1";
constexpr size_t kMinHmacSecret = 32;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, len > 0 ? static_cast<size_t>(len) : 0);
}

Result<std::string> ReadKeyFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFound("trail key file ", path, " cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool IsPem(std::string_view text) { return text.starts_with("-----BEGIN"); }

std::string Ed25519KeyId(EVP_PKEY* key) {
  unsigned char* der = nullptr;
  int len = i2d_PUBKEY(key, &der);
  std::string id;
  if (len > 0) {
    Hash h = Sha256(std::string_view(reinterpret_cast<const char*>(der), static_cast<size_t>(len)));
    id = ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), 8));
  }
  OPENSSL_free(der);
  return id;
}

std::string HmacKeyId(const std::string& secret) {
  Hash h = Sha256("atoll-trail-hmac" + secret);
  return ToHex(std::string_view(reinterpret_cast<const char*>(h.data()), 8));
}

Result<std::string> HmacSha256(const std::string& secret, std::string_view message) {
  unsigned char out[32];
  size_t out_len = 0;
  if (EVP_Q_mac(nullptr, "HMAC", nullptr, "SHA256", nullptr, secret.data(), secret.size(),
                reinterpret_cast<const unsigned char*>(message.data()), message.size(), out,
                sizeof(out), &out_len) == nullptr ||
      out_len != sizeof(out)) {
    return Internal("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<char*>(out), out_len);
}

class Ed25519Signer final : public Signer {
 public:
  explicit Ed25519Signer(Pkey key) : key_(std::move(key)), id_(Ed25519KeyId(key_.get())) {}
  std::string algorithm() const override { return "ed25519"; }
  std::string key_id() const override { return id_; }
  std::string public_key_pem() const override {
    Bio bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_PUBKEY(bio.get(), key_.get()) != 1) return "";
    return BioText(bio.get());
  }
  Result<std::string> Sign(std::string_view message) const override {
    MdCtx ctx(EVP_MD_CTX_new());
    std::string sig(64, '\0');
    size_t len = sig.size();
    if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
        EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                       reinterpret_cast<const unsigned char*>(message.data()),
                       message.size()) != 1) {
      return Internal("Ed25519 signing failed");
    }
    sig.resize(len);
    return sig;
  }

 private:
  Pkey key_;
  std::string id_;
};

class HmacSigner final : public Signer {
 public:
  explicit HmacSigner(std::string secret) : secret_(std::move(secret)), id_(HmacKeyId(secret_)) {}
  std::string algorithm() const override { return "hmac-sha256"; }
  std::string key_id() const override { return id_; }
  std::string public_key_pem() const override { return ""; }
  Result<std::string> Sign(std::string_view message) const override {
    return HmacSha256(secret_, message);
  }

 private:
  std::string secret_;
  std::string id_;
};

class Ed25519Verifier final : public SignatureVerifier {
 public:
  explicit Ed25519Verifier(Pkey key) : key_(std::move(key)), id_(Ed25519KeyId(key_.get())) {}
  std::string algorithm() const override { return "ed25519"; }
  std::string key_id() const override { return id_; }
  Status Verify(std::string_view message, std::string_view signature) const override {
    MdCtx ctx(EVP_MD_CTX_new());
    if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1) {
      return Internal("Ed25519 verification could not start");
    }
    int rc = EVP_DigestVerify(
        ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
        reinterpret_cast<const unsigned char*>(message.data()), message.size());
    if (rc != 1) return Corruption("Ed25519 signature invalid");
    return Status::OK();
  }

 private:
  Pkey key_;
  std::string id_;
};

class HmacVerifier final : public SignatureVerifier {
 public:
  explicit HmacVerifier(std::string secret) : secret_(std::move(secret)), id_(HmacKeyId(secret_)) {}
  std::string algorithm() const override { return "hmac-sha256"; }
  std::string key_id() const override { return id_; }
  Status Verify(std::string_view message, std::string_view signature) const override {
    ATOLL_ASSIGN_OR_RETURN(std::string mac, HmacSha256(secret_, message));
    if (signature.size() != mac.size() ||
        CRYPTO_memcmp(signature.data(), mac.data(), mac.size()) != 0) {
      return Corruption("HMAC-SHA256 signature invalid");
    }
    return Status::OK();
  }

 private:
  std::string secret_;
  std::string id_;
};

Result<Pkey> ReadEd25519Private(std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return InvalidArgument("trail key: not a PEM private key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return InvalidArgument("trail key: not an Ed25519 key");
  return key;
}

// Parses a non-negative decimal without sign or leading zeros.
Result<uint64_t> ParseDecimal(std::string_view s, std::string_view what) {
  if (s.empty() || (s.size() > 1 && s[0] == '0'))
    return Corruption("checkpoint: bad ", what, " '", s, "'");
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size())
    return Corruption("checkpoint: bad ", what, " '", s, "'");
  return v;
}

}  // namespace

Result<std::unique_ptr<Signer>> Signer::LoadFile(const std::string& path) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(path));
  if (IsPem(text)) {
    ATOLL_ASSIGN_OR_RETURN(Pkey key, ReadEd25519Private(text).WithContext(path));
    return std::unique_ptr<Signer>(new Ed25519Signer(std::move(key)));
  }
  if (text.size() < kMinHmacSecret) {
    return InvalidArgument("trail key ", path,
                           ": neither a PEM Ed25519 key nor an HMAC secret of at least 32 bytes");
  }
  return std::unique_ptr<Signer>(new HmacSigner(std::move(text)));
}

Result<std::unique_ptr<SignatureVerifier>> SignatureVerifier::FromPublicKeyPem(
    std::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Pkey key(bio ? PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return InvalidArgument("trail public key: not a PEM public key");
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519)
    return InvalidArgument("trail public key: not Ed25519");
  return std::unique_ptr<SignatureVerifier>(new Ed25519Verifier(std::move(key)));
}

Result<std::unique_ptr<SignatureVerifier>> SignatureVerifier::FromHmacSecret(std::string secret) {
  if (secret.size() < kMinHmacSecret) return InvalidArgument("HMAC secret shorter than 32 bytes");
  return std::unique_ptr<SignatureVerifier>(new HmacVerifier(std::move(secret)));
}

Result<std::unique_ptr<SignatureVerifier>> SignatureVerifier::FromKeyFile(const std::string& path) {
  ATOLL_ASSIGN_OR_RETURN(std::string text, ReadKeyFile(path));
  if (IsPem(text)) {
    ATOLL_ASSIGN_OR_RETURN(Pkey key, ReadEd25519Private(text).WithContext(path));
    return std::unique_ptr<SignatureVerifier>(new Ed25519Verifier(std::move(key)));
  }
  return FromHmacSecret(std::move(text));
}

Status GenerateKey(const std::string& path) {
  Pkey key(EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519"));
  if (!key) return Internal("Ed25519 key generation failed");
  Bio bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Internal("writing the Ed25519 key as PEM failed");
  }
  std::string pem = BioText(bio.get());
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST)
      return AlreadyExists("trail key file ", path, " exists; not overwriting it");
    return ErrnoToStatus(errno, StrCat("creating ", path));
  }
  size_t done = 0;
  while (done < pem.size()) {
    ssize_t n = ::write(fd, pem.data() + done, pem.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      Status st = ErrnoToStatus(errno, StrCat("writing ", path));
      ::close(fd);
      return st;
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) return ErrnoToStatus(errno, StrCat("closing ", path));
  return Status::OK();
}

Result<std::string> SignCheckpoint(Checkpoint c, const Signer& signer) {
  std::string text = StrCat(kHeader, "\nsize ", c.size, "\nroot ", ToHex(c.root), "\ntime_ms ",
                            c.time_ms < 0 ? 0 : c.time_ms, "\nprevious ", c.previous, "\nkey ",
                            signer.algorithm(), " ", signer.key_id(), "\n");
  ATOLL_ASSIGN_OR_RETURN(std::string sig, signer.Sign(text));
  return StrCat(text, "sig ", ToHex(sig), "\n");
}

Result<Checkpoint> ParseCheckpoint(std::string_view text, std::string_view* signed_part) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return Corruption("checkpoint: last line lacks a newline");
    lines.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  if (lines.size() != 7) return Corruption("checkpoint: ", lines.size(), " lines instead of 7");
  auto value = [&](size_t i, std::string_view name) -> Result<std::string_view> {
    std::string_view line = lines[i];
    if (line.size() <= name.size() + 1 || line.substr(0, name.size()) != name ||
        line[name.size()] != ' ') {
      return Corruption("checkpoint: line ", i + 1, " should start with '", name, " '");
    }
    return line.substr(name.size() + 1);
  };
  if (lines[0] != kHeader) return Corruption("checkpoint: line 1 is not '", kHeader, "'");
  Checkpoint c;
  ATOLL_ASSIGN_OR_RETURN(std::string_view size, value(1, "size"));
  ATOLL_ASSIGN_OR_RETURN(c.size, ParseDecimal(size, "size"));
  ATOLL_ASSIGN_OR_RETURN(std::string_view root, value(2, "root"));
  ATOLL_ASSIGN_OR_RETURN(c.root, HashFromHex(root).WithContext("checkpoint root"));
  ATOLL_ASSIGN_OR_RETURN(std::string_view time, value(3, "time_ms"));
  ATOLL_ASSIGN_OR_RETURN(uint64_t t, ParseDecimal(time, "time_ms"));
  if (t > static_cast<uint64_t>(INT64_MAX)) return Corruption("checkpoint: time_ms out of range");
  c.time_ms = static_cast<int64_t>(t);
  ATOLL_ASSIGN_OR_RETURN(std::string_view prev, value(4, "previous"));
  ATOLL_ASSIGN_OR_RETURN(c.previous, ParseDecimal(prev, "previous"));
  if (c.previous >= c.size && !(c.previous == 0 && c.size == 0)) {
    return Corruption("checkpoint: previous ", c.previous, " is not below size ", c.size);
  }
  ATOLL_ASSIGN_OR_RETURN(std::string_view key, value(5, "key"));
  size_t space = key.find(' ');
  if (space == std::string_view::npos) return Corruption("checkpoint: key line lacks a key id");
  c.algorithm = std::string(key.substr(0, space));
  if (c.algorithm != "ed25519" && c.algorithm != "hmac-sha256") {
    return Corruption("checkpoint: unknown algorithm '", c.algorithm, "'");
  }
  std::string_view id = key.substr(space + 1);
  if (id.size() != 16) return Corruption("checkpoint: key id must be 16 hex digits");
  ATOLL_RETURN_NOT_OK(BytesFromHex(id).status().WithContext("checkpoint key id"));
  c.key_id = std::string(id);
  ATOLL_ASSIGN_OR_RETURN(std::string_view sig, value(6, "sig"));
  ATOLL_ASSIGN_OR_RETURN(c.signature, BytesFromHex(sig).WithContext("checkpoint signature"));
  if (signed_part != nullptr) *signed_part = text.substr(0, text.size() - lines[6].size() - 1);
  return c;
}

}  // namespace atl::trail
