// The one place where S3 answers (HTTP status + S3 error code) become a Status.
//
//   404, NoSuchKey, NoSuchBucket, NoSuchUpload          → kNotFound
//   401/403, AccessDenied, InvalidAccessKeyId,
//     SignatureDoesNotMatch, ExpiredToken, ...          → kPermissionDenied
//   412 PreconditionFailed                              → kPreconditionFailed
//   409 ConditionalRequestConflict / OperationAborted   → kCommitConflict
//   501 NotImplemented                                  → kNotSupported
//   5xx, 429, SlowDown, RequestTimeout, InternalError   → kUnavailable (retryable)
//   other 4xx                                           → kInvalidArgument / kIOError
// Every message names the operation and object ("PUT s3://bucket/key"), the HTTP status
// and the S3 code, and the server's own message.
#pragma once

#include <string_view>

#include "atoll/common/status.h"
#include "atoll/storage/s3/s3_xml.h"

namespace atl::storage {

// True when repeating the request may succeed (throttling, server trouble).
bool IsRetryableS3Error(long http_status, std::string_view code);

// `what` is e.g. "GET s3://bucket/key"; `body` is the answer's XML (may be empty).
Status S3ErrorToStatus(std::string_view what, long http_status, const s3xml::ErrorBody& error);

}  // namespace atl::storage
