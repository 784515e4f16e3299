// Checkpoints: Ed25519 and HMAC signing, strict parsing, any changed byte detected.
#include "atoll/trail/checkpoint.h"

#include <sys/stat.h>

#include "testing/testing.h"

namespace atl::trail {
namespace {

using ::atl::testing::IsError;
using ::atl::testing::TempDir;

Checkpoint Sample() {
  Checkpoint c;
  c.size = 2000;
  c.root = Sha256("root");
  c.time_ms = 1795334175123;
  c.previous = 1000;
  return c;
}

TEST(TrailCheckpointTest, GenerateKeySignParseVerify) {
  TempDir dir;
  std::string key = dir.Join("trail.pem");
  ASSERT_OK(GenerateKey(key));
  struct stat st {};
  ASSERT_EQ(::stat(key.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_THAT(GenerateKey(key), IsError(StatusCode::kAlreadyExists));
  ASSERT_OK_AND_ASSIGN(auto signer, Signer::LoadFile(key));
  EXPECT_EQ(signer->algorithm(), "ed25519");
  EXPECT_EQ(signer->key_id().size(), 16u);
  ASSERT_OK_AND_ASSIGN(std::string text, SignCheckpoint(Sample(), *signer));
  std::string_view signed_part;
  ASSERT_OK_AND_ASSIGN(Checkpoint c, ParseCheckpoint(text, &signed_part));
  EXPECT_EQ(c.size, 2000u);
  EXPECT_EQ(c.root, Sample().root);
  EXPECT_EQ(c.previous, 1000u);
  EXPECT_EQ(c.time_ms, 1795334175123);
  EXPECT_EQ(c.key_id, signer->key_id());
  ASSERT_OK_AND_ASSIGN(auto verifier,
                       SignatureVerifier::FromPublicKeyPem(signer->public_key_pem()));
  EXPECT_EQ(verifier->key_id(), signer->key_id());
  EXPECT_OK(verifier->Verify(signed_part, c.signature));
  EXPECT_THAT(verifier->Verify(std::string(signed_part) + " ", c.signature),
              IsError(StatusCode::kCorruption));
  // Another key does not verify it.
  ASSERT_OK(GenerateKey(dir.Join("other.pem")));
  ASSERT_OK_AND_ASSIGN(auto other, SignatureVerifier::FromKeyFile(dir.Join("other.pem")));
  EXPECT_NE(other->key_id(), signer->key_id());
  EXPECT_FALSE(other->Verify(signed_part, c.signature).ok());
}

TEST(TrailCheckpointTest, HmacKeys) {
  TempDir dir;
  ::atl::testing::WriteFile(dir.Join("short"), "too short");
  EXPECT_THAT(Signer::LoadFile(dir.Join("short")), IsError(StatusCode::kInvalidArgument));
  EXPECT_THAT(Signer::LoadFile(dir.Join("missing")), IsError(StatusCode::kNotFound));
  ::atl::testing::WriteFile(dir.Join("secret"), std::string(40, 'k'));
  ASSERT_OK_AND_ASSIGN(auto signer, Signer::LoadFile(dir.Join("secret")));
  EXPECT_EQ(signer->algorithm(), "hmac-sha256");
  EXPECT_EQ(signer->public_key_pem(), "");
  ASSERT_OK_AND_ASSIGN(std::string text, SignCheckpoint(Sample(), *signer));
  std::string_view signed_part;
  ASSERT_OK_AND_ASSIGN(Checkpoint c, ParseCheckpoint(text, &signed_part));
  EXPECT_EQ(c.algorithm, "hmac-sha256");
  ASSERT_OK_AND_ASSIGN(auto verifier, SignatureVerifier::FromKeyFile(dir.Join("secret")));
  EXPECT_OK(verifier->Verify(signed_part, c.signature));
  ASSERT_OK_AND_ASSIGN(auto wrong, SignatureVerifier::FromHmacSecret(std::string(40, 'j')));
  EXPECT_THAT(wrong->Verify(signed_part, c.signature), IsError(StatusCode::kCorruption));
}

// Every single-byte change of a checkpoint's text is refused by the parser or by the
// signature check (the parse is strict, e.g. upper-case hex is not accepted).
TEST(TrailCheckpointTest, EveryByteFlipIsDetected) {
  TempDir dir;
  ASSERT_OK(GenerateKey(dir.Join("k.pem")));
  ASSERT_OK_AND_ASSIGN(auto signer, Signer::LoadFile(dir.Join("k.pem")));
  ASSERT_OK_AND_ASSIGN(auto verifier, SignatureVerifier::FromKeyFile(dir.Join("k.pem")));
  ASSERT_OK_AND_ASSIGN(std::string text, SignCheckpoint(Sample(), *signer));
  int flips = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    for (uint8_t x : {0x01, 0x20, 0x80, 0xff}) {
      std::string bad = text;
      bad[i] = static_cast<char>(bad[i] ^ x);
      std::string_view signed_part;
      auto c = ParseCheckpoint(bad, &signed_part);
      bool detected = !c.ok() || c->key_id != verifier->key_id() ||
                      !verifier->Verify(signed_part, c->signature).ok();
      EXPECT_TRUE(detected) << "byte " << i << " ^ " << int{x};
      ++flips;
    }
  }
  EXPECT_GT(flips, 1000);
}

TEST(TrailCheckpointTest, StrictParse) {
  std::string_view unused;
  EXPECT_THAT(ParseCheckpoint("", &unused), IsError(StatusCode::kCorruption));
  EXPECT_THAT(ParseCheckpoint("atoll-trail-checkpoint 1\n", &unused),
              IsError(StatusCode::kCorruption));
  std::string ok_text = "atoll-trail-checkpoint 1\nsize 5\nroot " + ToHex(Sha256("x")) +
                        "\ntime_ms 1\nprevious 0\nkey ed25519 0011223344556677\nsig 00\n";
  EXPECT_OK(ParseCheckpoint(ok_text, &unused));
  std::string leading_zero = ok_text;
  leading_zero.replace(leading_zero.find("size 5"), 6, "size 05");
  EXPECT_THAT(ParseCheckpoint(leading_zero, &unused), IsError(StatusCode::kCorruption));
  std::string prev_too_big = ok_text;
  prev_too_big.replace(prev_too_big.find("previous 0"), 10, "previous 5");
  EXPECT_THAT(ParseCheckpoint(prev_too_big, &unused), IsError(StatusCode::kCorruption));
  EXPECT_THAT(ParseCheckpoint(ok_text.substr(0, ok_text.size() - 1), &unused),
              IsError(StatusCode::kCorruption));
}

}  // namespace
}  // namespace atl::trail
