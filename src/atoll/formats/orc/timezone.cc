#include "atoll/formats/orc/timezone.h"

#include <algorithm>
#include <fstream>
#include <sstream>

namespace atl::orc {
namespace {

uint64_t BigEndian(std::string_view b, size_t pos, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i) v = (v << 8) | static_cast<uint8_t>(b[pos + i]);
  return v;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const auto utc = [] {
    auto tz = std::make_shared<TimeZone>();
    tz->name_ = "UTC";
    return tz;
  }();
  return utc;
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Load(std::string_view name,
                                                       const std::string& dir) {
  if (name == "UTC" || name == "GMT" || name == "Etc/UTC" || name == "Z") return Utc();
  // Fixed offsets as Java names them: "GMT+08:00", "UTC-5", "GMT+0530".
  if (name.size() > 4 && (name.starts_with("GMT") || name.starts_with("UTC")) &&
      (name[3] == '+' || name[3] == '-')) {
    std::string digits;
    for (char c : name.substr(4)) {
      if (isdigit(static_cast<unsigned char>(c))) {
        digits.push_back(c);
      } else if (c != ':') {
        digits = "x";
        break;
      }
    }
    if (!digits.empty() && digits.size() <= 4 && digits != "x") {
      int hours =
          digits.size() <= 2 ? std::stoi(digits) : std::stoi(digits.substr(0, digits.size() - 2));
      int minutes = digits.size() <= 2 ? 0 : std::stoi(digits.substr(digits.size() - 2));
      if (hours <= 18 && minutes < 60) {
        auto tz = std::make_shared<TimeZone>();
        tz->name_ = std::string(name);
        tz->initial_offset_ = (name[3] == '-' ? -1 : 1) * (hours * 3600 + minutes * 60);
        return std::shared_ptr<const TimeZone>(std::move(tz));
      }
    }
  }
  bool plain = !name.empty() && name.size() < 128 && name.front() != '/';
  for (char c : name) {
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '_' || c == '-' || c == '+'))
      plain = false;
  }
  if (!plain || name.find("..") != std::string_view::npos) {
    return NotSupported("unknown time zone '", name, "'");
  }
  std::ifstream in(dir + "/" + std::string(name), std::ios::binary);
  if (!in) return NotSupported("unknown time zone '", name, "' (not in ", dir, ")");
  std::stringstream ss;
  ss << in.rdbuf();
  return Parse(name, ss.str());
}

Result<std::shared_ptr<const TimeZone>> TimeZone::Parse(std::string_view name, std::string_view b) {
  auto bad = [&](std::string_view what) {
    return Corruption("time zone file '", name, "' is malformed: ", what);
  };
  auto tz = std::make_shared<TimeZone>();
  tz->name_ = std::string(name);
  size_t pos = 0;
  int time_bytes = 4;
  for (int pass = 0; pass < 2; ++pass) {
    if (b.size() - pos < 44 || b.substr(pos, 4) != "TZif") return bad("no TZif header");
    char version = b[pos + 4];
    uint64_t isut = BigEndian(b, pos + 20, 4), isstd = BigEndian(b, pos + 24, 4),
             leap = BigEndian(b, pos + 28, 4);
    uint64_t timecnt = BigEndian(b, pos + 32, 4), typecnt = BigEndian(b, pos + 36, 4),
             charcnt = BigEndian(b, pos + 40, 4);
    pos += 44;
    uint64_t body = timecnt * time_bytes + timecnt + typecnt * 6 + charcnt +
                    leap * (time_bytes + 4) + isstd + isut;
    if (timecnt > 100000 || typecnt > 1000 || charcnt > 100000 || leap > 10000 || isstd > 1000 ||
        isut > 1000 || body > b.size() - pos) {
      return bad("counts exceed the file");
    }
    if (pass == 0 && version >= '2') {
      pos += body;  // skip the 32-bit data; use the 64-bit block
      time_bytes = 8;
      continue;
    }
    if (typecnt == 0) return bad("no local time types");
    size_t times_at = pos, idx_at = pos + timecnt * time_bytes, types_at = idx_at + timecnt;
    auto offset_of = [&](uint64_t type) -> Result<int32_t> {
      if (type >= typecnt) return bad("transition to an unknown type");
      return static_cast<int32_t>(static_cast<uint32_t>(BigEndian(b, types_at + type * 6, 4)));
    };
    tz->transitions_.reserve(timecnt);
    for (uint64_t i = 0; i < timecnt; ++i) {
      uint64_t raw = BigEndian(b, times_at + i * time_bytes, time_bytes);
      int64_t t = time_bytes == 8 ? static_cast<int64_t>(raw)
                                  : static_cast<int32_t>(static_cast<uint32_t>(raw));
      ATOLL_ASSIGN_OR_RETURN(int32_t off, offset_of(static_cast<uint8_t>(b[idx_at + i])));
      tz->transitions_.push_back(t);
      tz->offsets_.push_back(off);
    }
    // Before the first transition: the first non-DST type (or type 0).
    uint64_t initial = 0;
    for (uint64_t t = 0; t < typecnt; ++t) {
      if (b[types_at + t * 6 + 4] == 0) {
        initial = t;
        break;
      }
    }
    ATOLL_ASSIGN_OR_RETURN(tz->initial_offset_, offset_of(initial));
    if (!std::is_sorted(tz->transitions_.begin(), tz->transitions_.end()))
      return bad("transitions out of order");
    break;
  }
  return std::shared_ptr<const TimeZone>(std::move(tz));
}

int64_t TimeZone::OffsetAt(int64_t unix_seconds) const {
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), unix_seconds);
  if (it == transitions_.begin()) return initial_offset_;
  return offsets_[static_cast<size_t>(it - transitions_.begin()) - 1];
}

}  // namespace atl::orc
