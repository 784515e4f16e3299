// Status: the one error idiom of atoll.
//
// The C++ namespace is `atl`, not `atoll`: `::atoll` is already the C library's
// string-to-long-long function (<cstdlib>), and a namespace of that name does not compile.
//
// Every fallible function returns a Status (no value) or a Result<T> (a value or a
// Status). Exceptions from third-party code are caught at their adapter and turned
// into a Status there; nothing above an adapter throws.
//
// A Status carries a small code (what the caller may act on) and a message (what a
// person reads). Context is added while an error travels up with WithContext():
//   "reading stg/shop/orders/metadata/v3.metadata.json: NotFound: no such key"
//
// Thread safety: Status is a value type; distinct objects may be used concurrently.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>

namespace atl {

enum class StatusCode : int {
  kOk = 0,
  kInvalidArgument,     // the caller's input is wrong (bad key, bad URI, bad option)
  kNotFound,            // the object/table/file does not exist
  kAlreadyExists,       // create-if-absent found something there
  kPreconditionFailed,  // a conditional write's condition (If-Match) did not hold
  kCommitConflict,      // optimistic commit lost a race; retry from fresh state
  kCorruption,          // stored bytes do not parse or do not match their checksum
  kIOError,             // local file system or protocol failure, not retryable as is
  kPermissionDenied,    // authentication or authorization refused
  kNotSupported,        // the backend/format does not implement this
  kUnavailable,         // transient: throttled, 5xx, connection reset; safe to retry
  kUnknownOutcome,      // the request may or may not have taken effect (time-out after send)
  kCancelled,           // stopped by the user (signal) or a deadline
  kInternal,            // a bug in atoll
};

// Stable name of a code, e.g. "NotFound".
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message);

  static Status OK() { return Status(); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  const std::string& message() const;

  // "Code: message", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <old message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // True for errors where repeating the same request may succeed.
  bool IsRetryable() const {
    return code() == StatusCode::kUnavailable || code() == StatusCode::kUnknownOutcome;
  }

  bool operator==(const Status& other) const {
    return code() == other.code() && message() == other.message();
  }

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  std::shared_ptr<const State> state_;  // null means OK; shared so copies are cheap
};

// Constructors, one per code: InvalidArgument("bad key ", key) concatenates its arguments.
namespace internal {
template <typename T>
std::string ToPiece(const T& v) {
  if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    return std::string(std::string_view(v));
  } else {
    return std::to_string(v);
  }
}
}  // namespace internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (out.append(internal::ToPiece(args)), ...);
  return out;
}

#define ATOLL_STATUS_CTOR(Name)                          \
  template <typename... Args>                            \
  Status Name(const Args&... args) {                     \
    return Status(StatusCode::k##Name, StrCat(args...)); \
  }
ATOLL_STATUS_CTOR(InvalidArgument)
ATOLL_STATUS_CTOR(NotFound)
ATOLL_STATUS_CTOR(AlreadyExists)
ATOLL_STATUS_CTOR(PreconditionFailed)
ATOLL_STATUS_CTOR(CommitConflict)
ATOLL_STATUS_CTOR(Corruption)
ATOLL_STATUS_CTOR(IOError)
ATOLL_STATUS_CTOR(PermissionDenied)
ATOLL_STATUS_CTOR(NotSupported)
ATOLL_STATUS_CTOR(Unavailable)
ATOLL_STATUS_CTOR(UnknownOutcome)
ATOLL_STATUS_CTOR(Cancelled)
ATOLL_STATUS_CTOR(Internal)
#undef ATOLL_STATUS_CTOR

// The one place errno becomes a Status. `what` names the operation and path.
Status ErrnoToStatus(int err, std::string_view what);

}  // namespace atl

// Propagation macros.
#define ATOLL_CONCAT_INNER(a, b) a##b
#define ATOLL_CONCAT(a, b) ATOLL_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define ATOLL_RETURN_NOT_OK(expr)          \
  do {                                     \
    ::atl::Status _atoll_st = (expr);      \
    if (!_atoll_st.ok()) return _atoll_st; \
  } while (0)

// Like ATOLL_RETURN_NOT_OK, adding context to the error.
#define ATOLL_RETURN_NOT_OK_CTX(expr, ctx)                  \
  do {                                                      \
    ::atl::Status _atoll_st = (expr);                       \
    if (!_atoll_st.ok()) return _atoll_st.WithContext(ctx); \
  } while (0)
