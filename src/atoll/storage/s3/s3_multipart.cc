// S3Store::PutMultipart: a multipart upload of one Body, parts read from the Body by
// offset and sent by up to max_parallel threads.
#include <algorithm>

#include "atoll/common/parallel.h"
#include "atoll/storage/s3/s3_errors.h"
#include "atoll/storage/s3/s3_store.h"
#include "atoll/storage/s3/s3_xml.h"

namespace atl::storage {
namespace {

constexpr uint64_t kMaxParts = 10'000;

}  // namespace

Result<ObjectInfo> S3Store::PutMultipart(std::string_view key, const Body& body,
                                         const PutOptions& options) {
  const std::string name = client_.Describe(key);
  const uint64_t size = body.size();
  const uint64_t part_size = std::max(config().part_size, (size + kMaxParts - 1) / kMaxParts);
  const uint64_t parts = std::max<uint64_t>(1, (size + part_size - 1) / part_size);

  // 1. Initiate.
  std::string upload_id;
  {
    const std::string what = "starting multipart upload of " + name;
    S3Call call("POST", std::string(key), {{"uploads", ""}});
    if (!options.content_type.empty()) {
      call.headers.emplace_back("content-type", options.content_type);
    }
    ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
    if (!r.ok()) return client_.ErrorOf(what, r);
    ATOLL_ASSIGN_OR_RETURN_CTX(upload_id, s3xml::ParseInitiateMultipartUpload(r.body), what);
  }

  auto abort_upload = [&](Status cause) -> Status {
    const std::string what = "aborting multipart upload of " + name;
    S3Call call("DELETE", std::string(key), {{"uploadId", upload_id}});
    auto r = client_.Send(call, what);
    if (!r.ok()) return cause.WithContext(StrCat("(also failed: ", r.status().ToString(), ")"));
    return cause;
  };

  // 2. Parts, in parallel; each thread takes the next part number.
  std::vector<std::pair<int, std::string>> etags(parts);
  auto upload_part = [&](size_t i) -> Status {
    const uint64_t offset = i * part_size;
    const uint64_t length = std::min(part_size, size - offset);
    const int number = static_cast<int>(i + 1);
    const std::string what = StrCat("uploading part ", number, " of ", parts, " of ", name);
    S3Call call("PUT", std::string(key), {{"partNumber", StrCat(number)}, {"uploadId", upload_id}});
    call.SetBody(body, offset, length);
    ATOLL_ASSIGN_OR_RETURN(http::Response r, client_.Send(call, what));
    if (!r.ok()) return client_.ErrorOf(what, r);
    if (r.Header("etag").empty()) return IOError(what, ": the answer has no ETag");
    etags[i] = {number, s3xml::Unquote(r.Header("etag"))};  // each index by one thread
    return Status::OK();
  };
  const Status first_error = ParallelFor(
      parts, static_cast<int>(std::min<uint64_t>(config().max_parallel, parts)), upload_part);
  if (!first_error.ok()) return abort_upload(first_error);

  // 3. Complete; a conditional write puts its condition here.
  const std::string what = StrCat("completing multipart upload of ", name, " (", parts, " parts)");
  Body xml = Body::FromString(s3xml::CompleteMultipartBody(etags));
  S3Call call("POST", std::string(key), {{"uploadId", upload_id}});
  call.SetBody(xml, 0, xml.size());
  call.headers.emplace_back("content-type", "application/xml");
  AddPutCondition(options, call);
  call.repeat_when_lost = false;  // a repeat after success would answer NoSuchUpload
  Result<http::Response> r = client_.Send(call, what);
  if (!r.ok()) {
    // After a lost answer the upload may have completed: the object's state is unknown.
    if (r.status().code() == StatusCode::kUnknownOutcome) return r.status();
    return abort_upload(r.status());
  }
  if (!r->ok()) return abort_upload(PutError(what, *r, options));
  ATOLL_ASSIGN_OR_RETURN_CTX(s3xml::ResultOrError result, s3xml::ParseCompleteOrCopy(r->body),
                             what);
  if (!result.error.code.empty()) {
    return abort_upload(S3ErrorToStatus(what, r->status, result.error));
  }
  ObjectInfo info;
  info.key = std::string(key);
  info.size = size;
  info.etag = result.etag;
  info.mtime_ms = result.mtime_ms;
  return info;
}

}  // namespace atl::storage
