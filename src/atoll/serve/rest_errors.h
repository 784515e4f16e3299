// Errors of the REST catalog in the shape of the spec's ErrorModel:
//   {"error": {"message": "...", "type": "NoSuchTableException", "code": 404}}
// A Status becomes one once, here (docs/design.md: conversions at the boundary):
//   kInvalidArgument      400 BadRequestException
//   kPermissionDenied     403 ForbiddenException
//   kNotFound             404 NoSuch{Namespace,Table,View}Exception (by `missing`)
//   kAlreadyExists        409 AlreadyExistsException
//   kCommitConflict       409 CommitFailedException (retryable by the client)
//   kPreconditionFailed   409 NamespaceNotEmptyException for namespaces, else CommitFailed
//   kNotSupported         406 UnsupportedOperationException
//   kUnavailable          503 ServiceUnavailableException
//   kUnknownOutcome       500 CommitStateUnknownException
//   anything else         500 InternalServerError (message kept: it names no secret)
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

#include "atoll/common/status.h"
#include "atoll/serve/http.h"

namespace atl::serve {

// What a kNotFound names, for the exception type.
enum class Missing { kNamespace, kTable, kView, kOther };

HttpResponse ErrorResponse(int code, std::string_view type, std::string_view message);
HttpResponse StatusResponse(const Status& status, Missing missing = Missing::kOther,
                            bool for_namespace = false);

}  // namespace atl::serve
