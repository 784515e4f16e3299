// SigV4 signer: the worked examples of the AWS S3 documentation (re-derived with an
// independent few-line Python signer before being written here) and the encoding rules.
#include "atoll/storage/s3/sigv4.h"

#include <gtest/gtest.h>

namespace atl::storage::sigv4 {
namespace {

constexpr int64_t k20130524 = 1369353600;  // 2013-05-24T00:00:00Z
const Credentials kExampleCredentials{"AKIAIOSFODNN7EXAMPLE",
                                      "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const std::string kEmptyHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

Request ExampleRequest(std::string method, std::string path) {
  Request r;
  r.method = std::move(method);
  r.host = "examplebucket.s3.amazonaws.com";
  r.path = std::move(path);
  r.payload_hash = kEmptyHash;
  return r;
}

std::string SignatureOf(const Signed& s) {
  return s.authorization.substr(s.authorization.rfind('=') + 1);
}

TEST(SigV4Test, SignsGetObjectWithRange) {
  Request r = ExampleRequest("GET", "/test.txt");
  r.headers = {{"Range", "bytes=0-9"}};
  Signed s = Sign(r, kExampleCredentials, "us-east-1", "s3", k20130524);
  EXPECT_EQ(s.authorization,
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4Test, SignsPutObjectWithDollarInKeyAndPayloadHash) {
  Request r = ExampleRequest("PUT", "/test$file.text");
  r.payload_hash = Sha256Hex("Welcome to Amazon S3.");
  EXPECT_EQ(r.payload_hash, "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  r.headers = {{"Date", "Fri, 24 May 2013 00:00:00 GMT"},
               {"x-amz-storage-class", "REDUCED_REDUNDANCY"}};
  Signed s = Sign(r, kExampleCredentials, "us-east-1", "s3", k20130524);
  EXPECT_EQ(s.canonical_uri, "/test%24file.text");
  EXPECT_EQ(SignatureOf(s), "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd");
}

TEST(SigV4Test, SignsSubresourceWithoutValue) {
  Request r = ExampleRequest("GET", "/");
  r.query = {{"lifecycle", ""}};
  Signed s = Sign(r, kExampleCredentials, "us-east-1", "s3", k20130524);
  EXPECT_EQ(s.canonical_query, "lifecycle=");
  EXPECT_EQ(SignatureOf(s), "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543");
}

TEST(SigV4Test, SortsQueryParameters) {
  Request r = ExampleRequest("GET", "/");
  r.query = {{"prefix", "J"}, {"max-keys", "2"}};
  Signed s = Sign(r, kExampleCredentials, "us-east-1", "s3", k20130524);
  EXPECT_EQ(s.canonical_query, "max-keys=2&prefix=J");
  EXPECT_EQ(SignatureOf(s), "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7");
}

TEST(SigV4Test, EncodesEverythingButUnreservedCharacters) {
  EXPECT_EQ(UriEncode("a b+c=d&e;f%g~h!i*j'k(l)", false),
            "a%20b%2Bc%3Dd%26e%3Bf%25g~h%21i%2Aj%27k%28l%29");
  EXPECT_EQ(UriEncode("dir/sub dir/x", true), "dir/sub%20dir/x");
  EXPECT_EQ(UriEncode("dir/x", false), "dir%2Fx");
  EXPECT_EQ(UriEncode("\xc3\xa9t\xc3\xa9", false), "%C3%A9t%C3%A9");  // "été" in UTF-8
  EXPECT_EQ(UriEncode("AZaz09-._~", false), "AZaz09-._~");
}

TEST(SigV4Test, SortsQueryByEncodedNameThenValue) {
  EXPECT_EQ(CanonicalQuery({{"b", "2"}, {"a", "z"}, {"a", "y"}, {"A", "x"}}), "A=x&a=y&a=z&b=2");
  EXPECT_EQ(CanonicalQuery({{"prefix", "a b/c"}, {"delimiter", "/"}}),
            "delimiter=%2F&prefix=a%20b%2Fc");
}

TEST(SigV4Test, SignsSessionTokenAndTrimsHeaderValues) {
  Request r = ExampleRequest("GET", "/k");
  r.headers = {{"X-Custom", "  a   b  "}};
  Credentials creds = kExampleCredentials;
  creds.session_token = "token/with+chars=";
  Signed s = Sign(r, creds, "eu-west-1", "s3", k20130524);
  EXPECT_NE(s.canonical_request.find("x-custom:a b\n"), std::string::npos) << s.canonical_request;
  EXPECT_NE(s.canonical_request.find("x-amz-security-token:token/with+chars=\n"),
            std::string::npos);
  EXPECT_NE(s.authorization.find("SignedHeaders=host;x-amz-content-sha256;x-amz-date;"
                                 "x-amz-security-token;x-custom,"),
            std::string::npos)
      << s.authorization;
  bool sends_token = false;
  for (const auto& [name, value] : s.headers) sends_token |= name == "x-amz-security-token";
  EXPECT_TRUE(sends_token);
}

TEST(SigV4Test, FormatsAmzDate) {
  EXPECT_EQ(AmzDate(k20130524), "20130524T000000Z");
  EXPECT_EQ(AmzDate(1700000000), "20231114T221320Z");
}

}  // namespace
}  // namespace atl::storage::sigv4
