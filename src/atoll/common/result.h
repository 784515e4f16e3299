// Result<T>: a value or an error Status (g++ 12 has no std::expected).
//
//   Result<int> Parse(std::string_view s);
//   ATOLL_ASSIGN_OR_RETURN(int n, Parse(text));
//
// Accessing the value of an error Result is a bug and aborts.
#pragma once

#include <cstdlib>
#include <optional>
#include <utility>

#include "atoll/common/status.h"

namespace atl {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) status_ = Internal("Result constructed from an OK status without a value");
  }

  bool ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  const T& value() const& {
    Check();
    return *value_;
  }
  T& value() & {
    Check();
    return *value_;
  }
  T&& value() && {
    Check();
    return std::move(*value_);
  }

  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  // The value, or `fallback` when this is an error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

  // Returns the error with context added (value results pass through).
  Result<T> WithContext(std::string_view context) && {
    if (ok()) return std::move(*this);
    return status_.WithContext(context);
  }

 private:
  void Check() const {
    if (!value_.has_value()) std::abort();
  }
  std::optional<T> value_;
  Status status_;  // OK when value_ is set
};

}  // namespace atl

// Evaluates `rexpr` (a Result<T>); on error returns its Status, else moves the value into `lhs`.
#define ATOLL_ASSIGN_OR_RETURN_IMPL(tmp, lhs, rexpr) \
  auto tmp = (rexpr);                                \
  if (!tmp.ok()) return tmp.status();                \
  lhs = std::move(tmp).value()

#define ATOLL_ASSIGN_OR_RETURN(lhs, rexpr) \
  ATOLL_ASSIGN_OR_RETURN_IMPL(ATOLL_CONCAT(_atoll_res_, __LINE__), lhs, rexpr)

// Same, adding context to the error.
#define ATOLL_ASSIGN_OR_RETURN_CTX_IMPL(tmp, lhs, rexpr, ctx) \
  auto tmp = (rexpr);                                         \
  if (!tmp.ok()) return tmp.status().WithContext(ctx);        \
  lhs = std::move(tmp).value()

#define ATOLL_ASSIGN_OR_RETURN_CTX(lhs, rexpr, ctx) \
  ATOLL_ASSIGN_OR_RETURN_CTX_IMPL(ATOLL_CONCAT(_atoll_res_, __LINE__), lhs, rexpr, ctx)
