// The XML of the S3 API: parsing the answers atoll uses (with expat, so entities such
// as &amp; in keys decode correctly) and writing the request bodies it sends.
//
// Parsers return kCorruption when the text is not well-formed XML or lacks the
// expected root element. Thread safety: all functions are reentrant.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::storage::s3xml {

// <Error><Code/><Message/></Error>; empty fields when the body is not such an error.
struct ErrorBody {
  std::string code;
  std::string message;
};
ErrorBody ParseError(std::string_view xml);

// With <EncodingType>url</EncodingType> in the answer (atoll asks for it: keys may hold
// control characters, which XML 1.0 cannot carry), Key and CommonPrefixes/Prefix are
// percent-decoded; without it (the server ignored the request) they are taken as they
// are, raw control characters included. NextContinuationToken is opaque: never decoded.
struct ListResult {
  ListPage page;  // next_token is set only when the listing is truncated
};
Result<ListResult> ParseListObjectsV2(std::string_view xml);

// The UploadId of an InitiateMultipartUploadResult.
Result<std::string> ParseInitiateMultipartUpload(std::string_view xml);

// The outcome of CompleteMultipartUpload or CopyObject: a 200 answer may still carry
// an <Error> (S3 sends it when the operation fails after the headers went out).
struct ResultOrError {
  std::string etag;      // without quotes
  int64_t mtime_ms = 0;  // from LastModified, 0 if absent
  ErrorBody error;       // error.code non-empty when the root was <Error>
};
Result<ResultOrError> ParseCompleteOrCopy(std::string_view xml);

// The per-key failures in a DeleteResult.
struct DeleteError {
  std::string key;
  std::string code;
  std::string message;
};
Result<std::vector<DeleteError>> ParseDeleteResult(std::string_view xml);

// Request bodies. Keys are escaped; a key with a control character other than TAB, LF
// and CR cannot be written in XML 1.0 at all (check with XmlCanHold first).
bool XmlCanHold(std::string_view text);
std::string DeleteObjectsBody(const std::vector<std::string>& keys, size_t begin, size_t end);
std::string CompleteMultipartBody(const std::vector<std::pair<int, std::string>>& parts);

// "2023-01-02T03:04:05.678Z" → ms since the epoch; 0 when it does not parse.
int64_t ParseIsoTime(std::string_view text);

// Strips one pair of surrounding double quotes (ETags come quoted).
std::string Unquote(std::string_view etag);

}  // namespace atl::storage::s3xml
