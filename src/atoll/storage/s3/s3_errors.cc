#include "atoll/storage/s3/s3_errors.h"

#include <initializer_list>

namespace atl::storage {
namespace {

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  for (std::string_view c : codes) {
    if (code == c) return true;
  }
  return false;
}

}  // namespace

bool IsRetryableS3Error(long http_status, std::string_view code) {
  if (http_status >= 500 && http_status != 501) return true;
  if (http_status == 429) return true;
  return OneOf(code, {"SlowDown", "RequestTimeout", "InternalError", "ServiceUnavailable",
                      "Throttling", "ThrottlingException"});
}

Status S3ErrorToStatus(std::string_view what, long http_status, const s3xml::ErrorBody& error) {
  const std::string code = error.code.empty() ? std::string("no S3 error code") : error.code;
  std::string detail = StrCat(what, ": HTTP ", static_cast<int64_t>(http_status), " ", code);
  if (!error.message.empty()) detail += StrCat(" (", error.message, ")");

  if (IsRetryableS3Error(http_status, error.code)) {
    return Unavailable(detail, ": the server is busy or failing; retry later");
  }
  if (http_status == 404 || OneOf(error.code, {"NoSuchKey", "NoSuchBucket", "NoSuchUpload"})) {
    return NotFound(detail);
  }
  if (http_status == 401 || http_status == 403 ||
      OneOf(error.code,
            {"AccessDenied", "InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken",
             "InvalidToken", "TokenRefreshRequired", "AllAccessDisabled", "AccountProblem"})) {
    return PermissionDenied(detail,
                            ": authentication/authorization error — check the access key, the "
                            "secret, the session token, the region and the bucket's permissions");
  }
  if (http_status == 412 || error.code == "PreconditionFailed") return PreconditionFailed(detail);
  if (http_status == 409 && OneOf(error.code, {"ConditionalRequestConflict", "OperationAborted"})) {
    return CommitConflict(detail, ": a concurrent write to the same key; retry from fresh state");
  }
  if (http_status == 501 || error.code == "NotImplemented") {
    return NotSupported(detail, ": the server does not implement this request");
  }
  if (OneOf(error.code, {"BucketAlreadyExists", "BucketAlreadyOwnedByYou"})) {
    return AlreadyExists(detail);
  }
  if (http_status == 400) return InvalidArgument(detail);
  return IOError(detail);
}

}  // namespace atl::storage
