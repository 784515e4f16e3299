// Time-zone offsets from the system's compiled tz database (/usr/share/zoneinfo, TZif
// files), for ORC timestamps, which are stored relative to 2015-01-01 00:00:00 in the
// writer's time zone (named in each stripe footer).
//
// Offsets come from the file's transition table, or are fixed for Java-style names such
// as "GMT+08:00"; instants after the last transition use the last rule's offset (the
// POSIX footer rule is not evaluated).
//
// Thread safety: a loaded TimeZone is immutable and may be shared.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::orc {

class TimeZone {
 public:
  // Loads `name` ("UTC", "America/Los_Angeles", ...) from `dir`. kNotSupported when the
  // zone is unknown or the name is not a plain zone name; kCorruption for a bad TZif file.
  static Result<std::shared_ptr<const TimeZone>> Load(
      std::string_view name, const std::string& dir = "/usr/share/zoneinfo");
  // Parses TZif bytes.
  static Result<std::shared_ptr<const TimeZone>> Parse(std::string_view name,
                                                       std::string_view tzif);
  static std::shared_ptr<const TimeZone> Utc();

  const std::string& name() const { return name_; }
  // Seconds east of UTC in effect at the UTC instant `unix_seconds`.
  int64_t OffsetAt(int64_t unix_seconds) const;

 private:
  std::string name_;
  std::vector<int64_t> transitions_;  // ascending UTC instants
  std::vector<int32_t> offsets_;      // offset in effect from transitions_[i]
  int32_t initial_offset_ = 0;        // before the first transition
};

}  // namespace atl::orc
