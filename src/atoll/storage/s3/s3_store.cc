#include "atoll/storage/s3/s3_store.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cstdio>

#include "atoll/storage/s3/s3_errors.h"
#include "atoll/storage/s3/s3_xml.h"

namespace atl::storage {
namespace {

constexpr size_t kDeleteBatch = 1000;

int64_t HttpDateMs(const std::string& text) {
  if (text.empty()) return 0;
  time_t t = curl_getdate(text.c_str(), nullptr);
  return t < 0 ? 0 : static_cast<int64_t>(t) * 1000;
}

// Content-MD5 value: base64 of the MD5 digest (DeleteObjects requires it).
std::string Base64Md5(std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
  unsigned char b64[4 * ((EVP_MAX_MD_SIZE + 2) / 3) + 1];
  int n = EVP_EncodeBlock(b64, digest, static_cast<int>(len));
  return std::string(reinterpret_cast<char*>(b64), static_cast<size_t>(n));
}

// A server may answer a range request with more than was asked: the whole object
// (200, allowed by HTTP) or a wider range than requested (206 with a matching
// Content-Range: s3rver for "bytes=0-0"). Cuts the answer down to `range`.
Result<std::string> TrimToRange(const std::string& what, http::Response r, ByteRange range) {
  uint64_t first = 0;  // offset of r.body[0] in the object
  if (r.status == 206) {
    const std::string content_range = r.Header("content-range");
    unsigned long long a = 0, b = 0;
    if (std::sscanf(content_range.c_str(), "bytes %llu-%llu", &a, &b) != 2 || b < a ||
        b - a + 1 != r.body.size()) {
      return IOError(what, ": HTTP 206 with Content-Range '", content_range, "' for ",
                     r.body.size(), " bytes");
    }
    first = a;
  }
  if (first > range.offset) {
    return IOError(what, ": the server answered bytes from ", first, ", not from ", range.offset);
  }
  const uint64_t skip = range.offset - first;
  if (skip == 0 && r.body.size() <= range.length) return std::move(r.body);
  if (skip >= r.body.size()) return std::string();
  return r.body.substr(skip, std::min<uint64_t>(range.length, r.body.size() - skip));
}

}  // namespace

Result<std::unique_ptr<S3Store>> S3Store::Open(S3Config config) {
  if (config.bucket.empty()) return InvalidArgument("S3 bucket name is empty");
  if (config.access_key_id.empty() || config.secret_access_key.empty()) {
    return InvalidArgument("no credentials for s3://", config.bucket,
                           ": access key id and secret access key are required");
  }
  if (config.part_size == 0 || config.max_parallel < 1) {
    return InvalidArgument("s3://", config.bucket, ": part_size and max_parallel must be positive");
  }
  return std::unique_ptr<S3Store>(new S3Store(std::move(config)));
}

std::string S3Store::Describe() const { return client_.Describe(""); }

Status S3Store::CreateBucket() {
  const std::string what = "creating bucket " + client_.Describe("");
  std::string xml;
  if (config().region != "us-east-1") {
    xml = StrCat(R"(<CreateBucketConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">)",
                 "<LocationConstraint>", config().region,
                 "</LocationConstraint></CreateBucketConfiguration>");
  }
  Body body = Body::FromString(xml);
  S3Call call("PUT", "");
  call.SetBody(body, 0, body.size());
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
  if (r.ok()) return Status::OK();
  if (s3xml::ParseError(r.body).code == "BucketAlreadyOwnedByYou") return Status::OK();
  return client_.ErrorOf(what, r);
}

Result<std::string> S3Store::Get(std::string_view key, ByteRange range) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  if (range.length == 0) {
    ATOLL_RETURN_NOT_OK(Head(key).status());
    return std::string();
  }
  const std::string what = "GET " + client_.Describe(key);
  S3Call call("GET", std::string(key));
  if (!range.IsAll()) {
    std::string spec = StrCat("bytes=", range.offset, "-");
    if (range.length != ByteRange::kToEnd && range.offset + range.length > range.offset) {
      spec += StrCat(range.offset + range.length - 1);
    }
    call.headers.emplace_back("range", spec);
  }
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
  if (r.status == 416) return std::string();  // offset at or past the end
  if (!r.ok()) return client_.ErrorOf(what, r);
  if (range.IsAll()) return std::move(r.body);
  return TrimToRange(what, std::move(r), range);
}

Result<ObjectInfo> S3Store::Head(std::string_view key) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  const std::string what = "HEAD " + client_.Describe(key);
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(S3Call("HEAD", std::string(key)), what));
  if (!r.ok()) return client_.ErrorOf(what, r);
  ObjectInfo info;
  info.key = std::string(key);
  info.size = std::strtoull(r.Header("content-length").c_str(), nullptr, 10);
  info.etag = s3xml::Unquote(r.Header("etag"));
  info.mtime_ms = HttpDateMs(r.Header("last-modified"));
  return info;
}

Result<ObjectInfo> S3Store::Put(std::string_view key, const Body& body, const PutOptions& options) {
  ATOLL_RETURN_NOT_OK(ValidateKey(key));
  if (options.condition == PutCondition::kIfMatch && options.if_match.empty()) {
    return InvalidArgument("PUT ", client_.Describe(key), ": kIfMatch needs an etag");
  }
  if (body.size() > config().multipart_threshold) return PutMultipart(key, body, options);
  return PutSingle(key, body, options);
}

Status S3Store::PutError(std::string_view what, const http::Response& response,
                         const PutOptions& options) const {
  Status st = client_.ErrorOf(what, response);
  if (options.condition == PutCondition::kIfAbsent &&
      st.code() == StatusCode::kPreconditionFailed) {
    return AlreadyExists(st.message(), ": the key already exists (If-None-Match: *)");
  }
  if (options.condition != PutCondition::kNone && st.code() == StatusCode::kNotSupported) {
    return NotSupported(st.message(), " (conditional writes are not supported by this server)");
  }
  return st;
}

Result<ObjectInfo> S3Store::PutSingle(std::string_view key, const Body& body,
                                      const PutOptions& options) {
  const std::string what = "PUT " + client_.Describe(key);
  S3Call call("PUT", std::string(key));
  call.SetBody(body, 0, body.size());
  if (!options.content_type.empty())
    call.headers.emplace_back("content-type", options.content_type);
  AddPutCondition(options, call);
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
  if (!r.ok()) return PutError(what, r, options);
  ObjectInfo info;
  info.key = std::string(key);
  info.size = body.size();
  info.etag = s3xml::Unquote(r.Header("etag"));
  info.mtime_ms = HttpDateMs(r.Header("last-modified"));
  return info;
}

Result<ListPage> S3Store::List(std::string_view prefix, const ListOptions& options) {
  const std::string what = StrCat("LIST ", client_.Describe(""), " prefix '", prefix, "'");
  S3Call call("GET", "");
  // encoding-type=url: keys may hold control characters, which XML 1.0 cannot carry.
  call.query = {{"list-type", "2"}, {"prefix", std::string(prefix)}, {"encoding-type", "url"}};
  if (options.max_keys > 0) call.query.emplace_back("max-keys", StrCat(options.max_keys));
  if (!options.delimiter.empty()) call.query.emplace_back("delimiter", options.delimiter);
  if (!options.continuation_token.empty()) {
    call.query.emplace_back("continuation-token", options.continuation_token);
  }
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
  if (!r.ok()) return client_.ErrorOf(what, r);
  ATOLL_ASSIGN_OR_RETURN_CTX(s3xml::ListResult result, s3xml::ParseListObjectsV2(r.body), what);
  return std::move(result.page);
}

Status S3Store::DeleteOne(std::string_view key) {
  const std::string what = "DELETE " + client_.Describe(key);
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(S3Call("DELETE", std::string(key)), what));
  if (r.ok() || r.status == 404) return Status::OK();
  return client_.ErrorOf(what, r);
}

Status S3Store::DeleteMany(const std::vector<std::string>& all_keys) {
  for (const auto& key : all_keys) ATOLL_RETURN_NOT_OK(ValidateKey(key));
  // A key XML cannot hold (a control character) is deleted on its own.
  std::vector<std::string> keys;
  keys.reserve(all_keys.size());
  for (const auto& key : all_keys) {
    if (s3xml::XmlCanHold(key)) {
      keys.push_back(key);
    } else {
      ATOLL_RETURN_NOT_OK(DeleteOne(key));
    }
  }
  for (size_t begin = 0; begin < keys.size(); begin += kDeleteBatch) {
    const size_t end = std::min(keys.size(), begin + kDeleteBatch);
    const std::string what = StrCat("DELETE ", end - begin, " keys in ", client_.Describe(""),
                                    " (first '", keys[begin], "')");
    Body body = Body::FromString(s3xml::DeleteObjectsBody(keys, begin, end));
    S3Call call("POST", "", {{"delete", ""}});
    call.SetBody(body, 0, body.size());
    call.headers.emplace_back("content-md5", Base64Md5(body.view()));
    call.headers.emplace_back("content-type", "application/xml");
    ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
    if (!r.ok()) return client_.ErrorOf(what, r);
    ATOLL_ASSIGN_OR_RETURN_CTX(auto errors, s3xml::ParseDeleteResult(r.body), what);
    for (const auto& e : errors) {
      if (e.code == "NoSuchKey") continue;
      const std::string key_what = "DELETE " + client_.Describe(e.key);
      return S3ErrorToStatus(key_what, 200, {e.code, e.message})
          .WithContext(StrCat("DeleteObjects reported ", errors.size(), " failed keys"));
    }
  }
  return Status::OK();
}

Result<ObjectInfo> S3Store::Copy(std::string_view src, std::string_view dst) {
  ATOLL_RETURN_NOT_OK(ValidateKey(src));
  ATOLL_RETURN_NOT_OK(ValidateKey(dst));
  const std::string what = StrCat("COPY ", client_.Describe(src), " to ", client_.Describe(dst));
  S3Call call("PUT", std::string(dst));
  call.headers.emplace_back("x-amz-copy-source",
                            sigv4::UriEncode(StrCat("/", config().bucket, "/", src), true));
  ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
  if (!r.ok()) return client_.ErrorOf(what, r);
  ATOLL_ASSIGN_OR_RETURN_CTX(s3xml::ResultOrError result, s3xml::ParseCompleteOrCopy(r.body), what);
  if (!result.error.code.empty()) return S3ErrorToStatus(what, r.status, result.error);
  ATOLL_ASSIGN_OR_RETURN_CTX(ObjectInfo info, Head(dst), what);
  return info;
}

}  // namespace atl::storage
