// Compares atoll's SigV4 signatures with botocore's (Debian python3-botocore), an
// independent implementation, for awkward keys and query strings.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "atoll/storage/s3/sigv4.h"
#include "testing/testing.h"

namespace atl::storage::sigv4 {
namespace {

struct Case {
  Case(std::string method_, std::string key_, HeaderList query_, HeaderList headers_,
       std::string payload_hash_ = std::string(kUnsignedPayload), std::string token_ = "",
       bool path_style_ = true, std::string region_ = "us-east-1")
      : method(std::move(method_)),
        key(std::move(key_)),
        query(std::move(query_)),
        headers(std::move(headers_)),
        payload_hash(std::move(payload_hash_)),
        token(std::move(token_)),
        path_style(path_style_),
        region(std::move(region_)) {}
  std::string method;
  std::string key;
  HeaderList query;
  HeaderList headers;
  std::string payload_hash;
  std::string token;
  bool path_style;
  std::string region;
};

std::vector<Case> Cases() {
  const std::string empty = Sha256Hex("");
  std::vector<Case> cases;
  for (const char* key :
       {"plain/key.txt", "dir/a b.txt", "plus+sign", "eq=amp&semi;", "percent%41%", "tilde~bang!",
        "quote'paren(x)*", "star*comma,colon:at@dollar$",
        "unicode/\xc3\xa9t\xc3\xa9/\xe6\x97\xa5\xe6\x9c\xac", "hash#question?",
        "brackets[1]{2}^|`\\\"<>"}) {
    cases.emplace_back(Case{"GET", key, {}, {{"range", "bytes=0-99"}}, empty});
    cases.emplace_back(Case{"PUT",
                            key,
                            {},
                            {{"if-none-match", "*"}, {"content-type", "text/plain"}},
                            Sha256Hex("hello")});
  }
  cases.emplace_back(Case{"GET",
                          "",
                          {{"list-type", "2"},
                           {"prefix", "a b/+=&;%~!"},
                           {"delimiter", "/"},
                           {"max-keys", "1000"},
                           {"continuation-token", "1/ab+cd==&x=y"}},
                          {},
                          empty});
  cases.emplace_back(
      Case{"GET", "", {{"list-type", "2"}, {"prefix", "\xc3\xa9t\xc3\xa9/"}}, {}, empty});
  cases.emplace_back(Case{"POST", "big file+1", {{"uploads", ""}}, {}, empty});
  cases.emplace_back(
      Case{"PUT", "big file+1", {{"partNumber", "17"}, {"uploadId", "2~x.y_z-AbC+/="}}, {}});
  cases.emplace_back(Case{"POST",
                          "big file+1",
                          {{"uploadId", "2~x.y_z-AbC+/="}},
                          {{"content-type", "application/xml"}},
                          Sha256Hex("<x/>")});
  cases.emplace_back(Case{"DELETE", "big file+1", {{"uploadId", "2~x.y_z-AbC+/="}}, {}, empty});
  cases.emplace_back(
      Case{"POST", "", {{"delete", ""}}, {{"content-md5", "1B2M2Y8AsgTpgAmY7PhCfg=="}}, empty});
  cases.emplace_back(
      Case{"PUT", "copy dst", {}, {{"x-amz-copy-source", UriEncode("/bk/src a+b", true)}}, empty});
  cases.emplace_back(Case{"HEAD", "with token", {}, {}, empty, "FwoGZXIvYXdzE/token+with=chars"});
  cases.emplace_back(Case{"GET", "virtual host/key", {}, {}, empty, "", false, "eu-west-1"});
  return cases;
}

TEST(SigV4BotocoreTest, SignaturesMatchBotocore) {
  const std::string script =
      atl::testing::Env("ATOLL_SOURCE_DIR").value_or(".") + "/tests/storage/sigv4_botocore.py";
  if (std::system("/usr/bin/python3 -c 'import botocore' 2>/dev/null") != 0) {
    if (atl::testing::ServersRequired()) FAIL() << "/usr/bin/python3 with botocore is required";
    GTEST_SKIP()
        << "Debian's python3-botocore is not installed (/usr/bin/python3 -c 'import botocore')";
  }
  const int64_t now = 1700000000;
  const Credentials creds{"test:tester", "s3cr3t/+key", ""};
  nlohmann::json input = nlohmann::json::array();
  std::vector<Signed> ours;
  for (const Case& c : Cases()) {
    Request r;
    r.method = c.method;
    r.host = c.path_style ? "127.0.0.1:19280" : "bk.s3." + c.region + ".amazonaws.com";
    r.path = c.path_style ? "/bk" + (c.key.empty() ? "" : "/" + c.key) : "/" + c.key;
    r.query = c.query;
    r.headers = c.headers;
    r.payload_hash = c.payload_hash;
    Credentials cc = creds;
    cc.session_token = c.token;
    ours.push_back(Sign(r, cc, c.region, "s3", now));
    nlohmann::json q = nlohmann::json::array();
    for (const auto& [n, v] : c.query) q.push_back({n, v});
    nlohmann::json h = nlohmann::json::array();
    for (const auto& [n, v] : c.headers) h.push_back({n, v});
    input.push_back({{"method", c.method},
                     {"scheme", c.path_style ? "http" : "https"},
                     {"host", r.host},
                     {"bucket", c.path_style ? "bk" : ""},
                     {"key", c.key},
                     {"query", q},
                     {"headers", h},
                     {"payload_hash", c.payload_hash},
                     {"time", now},
                     {"access_key", cc.access_key_id},
                     {"secret_key", cc.secret_access_key},
                     {"token", cc.session_token},
                     {"region", c.region}});
  }
  atl::testing::TempDir dir;
  atl::testing::WriteFile(dir.Join("in.json"), input.dump());
  const std::string cmd =
      "/usr/bin/python3 " + script + " < " + dir.Join("in.json") + " > " + dir.Join("out.json");
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  nlohmann::json output = nlohmann::json::parse(atl::testing::ReadFile(dir.Join("out.json")));
  ASSERT_EQ(output.size(), ours.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    EXPECT_EQ(ours[i].authorization, output[i]["authorization"].get<std::string>())
        << "request " << i << "\nours:\n"
        << ours[i].canonical_request << "\nbotocore:\n"
        << output[i]["canonical_request"].get<std::string>();
  }
}

}  // namespace
}  // namespace atl::storage::sigv4
