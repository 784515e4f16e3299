// Partition and sort transforms (spec "Partition Transforms"): identity, bucket[N],
// truncate[W], year, month, day, hour, void. Transform names that atoll does not know are
// kept as kUnknown with their text, so tables using them still load (v3 readers must ignore
// such fields); applying an unknown transform is NotSupported.
//
// Results follow the spec: year/month/day/hour are ints counting whole units from 1970-01-01
// (floor, so 1969-12-31 is day -1 and year -1); bucket is (murmur3 & INT_MAX) % N; truncate
// keeps non-negative remainders (truncate[10](-1) = -10) and cuts strings by code points.
//
// Thread safety: immutable value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/iceberg/literal.h"
#include "atoll/iceberg/types.h"

namespace atl::iceberg {

enum class TransformKind {
  kIdentity,
  kBucket,
  kTruncate,
  kYear,
  kMonth,
  kDay,
  kHour,
  kVoid,
  kUnknown
};

class Transform {
 public:
  static Transform Identity() { return Transform(TransformKind::kIdentity, 0); }
  static Transform Bucket(int32_t n) { return Transform(TransformKind::kBucket, n); }
  static Transform Truncate(int32_t width) { return Transform(TransformKind::kTruncate, width); }
  static Transform Year() { return Transform(TransformKind::kYear, 0); }
  static Transform Month() { return Transform(TransformKind::kMonth, 0); }
  static Transform Day() { return Transform(TransformKind::kDay, 0); }
  static Transform Hour() { return Transform(TransformKind::kHour, 0); }
  static Transform Void() { return Transform(TransformKind::kVoid, 0); }

  // "identity", "bucket[16]", "truncate[4]", "year", "month", "day", "hour", "void"
  // (also the legacy "years", "months", "days", "hours"). Other names give kUnknown;
  // a malformed or non-positive bucket/truncate parameter is InvalidArgument.
  static Result<Transform> Parse(std::string_view text);

  TransformKind kind() const { return kind_; }
  int32_t param() const { return param_; }  // N of bucket, W of truncate
  std::string ToString() const;

  // Whether the transform accepts a source column of this type (spec's table).
  bool CanTransform(const Type& source) const;
  // The partition value type for a source type; InvalidArgument when not applicable.
  Result<TypePtr> ResultType(const TypePtr& source) const;
  // Applies the transform to a value of the source type; null gives null of the result type.
  Result<Literal> Apply(const Literal& value) const;
  // The text of a partition value in a partition path ("2024-01-02" for day, "2024-01" for
  // month, "2024-01-02-10" for hour, "null" for null); not URL-escaped.
  std::string ToHumanString(const Literal& result) const;

  bool operator==(const Transform& other) const {
    return kind_ == other.kind_ && param_ == other.param_ && unknown_text_ == other.unknown_text_;
  }
  bool operator!=(const Transform& other) const { return !(*this == other); }

 private:
  Transform(TransformKind kind, int32_t param) : kind_(kind), param_(param) {}
  TransformKind kind_;
  int32_t param_;
  std::string unknown_text_;  // kUnknown only
};

// The first `code_points` code points of UTF-8 `s` (whole characters only).
std::string TruncateUtf8(std::string_view s, int32_t code_points);

}  // namespace atl::iceberg
