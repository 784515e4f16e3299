// S3Store: the Store interface over the S3 API (AWS S3 and S3-compatible servers such
// as OpenStack Swift's s3api, MinIO, s3rver), with our own SigV4 signer over libcurl.
//
// Mapping of the Store contract:
//   Get      GET with a Range header; 416 (offset past the end) → empty string.
//   Head     HEAD.
//   Put      one PUT up to multipart_threshold, else a multipart upload with
//            max_parallel parts in flight (aborted on failure). kIfAbsent sends
//            If-None-Match: * (412 → kAlreadyExists), kIfMatch sends If-Match
//            (412 → kPreconditionFailed, 404 → kNotFound); for a multipart upload the
//            condition goes on CompleteMultipartUpload. A server that answers 501
//            (Swift) gives kNotSupported. A conditional PUT whose answer was lost is
//            not repeated: kUnknownOutcome.
//   List     ListObjectsV2 (continuation-token, max-keys, delimiter, encoding-type=url;
//            keys are decoded only when the answer says they were encoded).
//   DeleteMany  DeleteObjects in batches of 1,000; missing keys are not errors. A key
//            with a control character XML 1.0 cannot hold gets its own DELETE.
//   Copy     CopyObject (then HEAD for the new object's size).
// Errors name the operation, bucket and key, the HTTP status and the S3 error code
// (see s3_errors.h for the mapping). Transient failures are retried (S3Config::retry).
//
// Thread safety: every method may be called concurrently.
#pragma once

#include <memory>
#include <string>

#include "atoll/storage/s3/s3_client.h"
#include "atoll/storage/s3/s3_config.h"
#include "atoll/storage/store.h"

namespace atl::storage {

class S3Store : public Store {
 public:
  // Checks the configuration (bucket, credentials, sizes); does not contact the server.
  static Result<std::unique_ptr<S3Store>> Open(S3Config config);

  // Creates the bucket (in config.region). OK when it already exists and is ours;
  // kAlreadyExists when the name is taken by someone else.
  Status CreateBucket();

  Result<std::string> Get(std::string_view key, ByteRange range = {}) override;
  Result<ObjectInfo> Head(std::string_view key) override;
  Result<ObjectInfo> Put(std::string_view key, const Body& body,
                         const PutOptions& options = {}) override;
  Result<ListPage> List(std::string_view prefix, const ListOptions& options = {}) override;
  Status DeleteMany(const std::vector<std::string>& keys) override;
  Result<ObjectInfo> Copy(std::string_view src, std::string_view dst) override;
  std::string Describe() const override;

  const S3Config& config() const { return client_.config(); }

 private:
  explicit S3Store(S3Config config) : client_(std::move(config)) {}

  Result<ObjectInfo> PutSingle(std::string_view key, const Body& body, const PutOptions& options);
  Result<ObjectInfo> PutMultipart(std::string_view key, const Body& body,
                                  const PutOptions& options);
  // DELETE of one key; a missing key is not an error.
  Status DeleteOne(std::string_view key);
  // Maps a conditional write's refusal (412/404/501) and other errors.
  Status PutError(std::string_view what, const http::Response& response,
                  const PutOptions& options) const;

  S3Client client_;
};

}  // namespace atl::storage
