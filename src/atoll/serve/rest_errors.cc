#include "atoll/serve/rest_errors.h"

#include <nlohmann/json.hpp>

namespace atl::serve {

HttpResponse ErrorResponse(int code, std::string_view type, std::string_view message) {
  nlohmann::json body = {
      {"error", {{"message", std::string(message)}, {"type", std::string(type)}, {"code", code}}}};
  HttpResponse res;
  res.status = code;
  res.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return res;
}

HttpResponse StatusResponse(const Status& status, Missing missing, bool for_namespace) {
  const std::string& m = status.message();
  switch (status.code()) {
    case StatusCode::kInvalidArgument:
    case StatusCode::kCorruption:
      return ErrorResponse(400, "BadRequestException", m);
    case StatusCode::kPermissionDenied:
      return ErrorResponse(403, "ForbiddenException", m);
    case StatusCode::kNotFound:
      switch (missing) {
        case Missing::kNamespace:
          return ErrorResponse(404, "NoSuchNamespaceException", m);
        case Missing::kTable:
          return ErrorResponse(404, "NoSuchTableException", m);
        case Missing::kView:
          return ErrorResponse(404, "NoSuchViewException", m);
        case Missing::kOther:
          return ErrorResponse(404, "NotFoundException", m);
      }
      break;
    case StatusCode::kAlreadyExists:
      return ErrorResponse(409, "AlreadyExistsException", m);
    case StatusCode::kCommitConflict:
      return ErrorResponse(409, "CommitFailedException", m);
    case StatusCode::kPreconditionFailed:
      return for_namespace ? ErrorResponse(409, "NamespaceNotEmptyException", m)
                           : ErrorResponse(409, "CommitFailedException", m);
    case StatusCode::kNotSupported:
      return ErrorResponse(406, "UnsupportedOperationException", m);
    case StatusCode::kUnavailable:
      return ErrorResponse(503, "ServiceUnavailableException", m);
    case StatusCode::kUnknownOutcome:
      return ErrorResponse(500, "CommitStateUnknownException", m);
    default:
      break;
  }
  return ErrorResponse(500, "InternalServerError", m);
}

}  // namespace atl::serve
