#include "orc_json_util.h"

#include <zlib.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace atl::orc::testing {
namespace {

void Quote(std::string_view s, std::string* out) {
  out->push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          *out += buf;
        } else {
          out->push_back(static_cast<char>(c));
        }
    }
  }
  out->push_back('"');
}

std::string Date(int64_t days) {
  std::chrono::year_month_day ymd{std::chrono::sys_days{std::chrono::days{days}}};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

std::string Timestamp(int64_t secs, int32_t nanos) {
  int64_t days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
  int64_t tod = secs - days * 86400;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s %02d:%02d:%02d.%09d", Date(days).c_str(),
                static_cast<int>(tod / 3600), static_cast<int>(tod / 60 % 60),
                static_cast<int>(tod % 60), nanos);
  std::string s = buf;
  while (s.back() == '0' && s[s.size() - 2] != '.') s.pop_back();
  return s;
}

std::string Int128(__int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  unsigned __int128 u =
      neg ? -static_cast<unsigned __int128>(v) : static_cast<unsigned __int128>(v);
  std::string digits;
  while (u > 0) {
    digits.insert(digits.begin(), static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  return neg ? "-" + digits : digits;
}

std::string Decimal(__int128 unscaled, uint32_t scale) {
  bool neg = unscaled < 0;
  std::string digits = Int128(unscaled);
  if (neg) digits.erase(0, 1);
  if (scale > 0) {
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, ".");
  }
  return neg ? "-" + digits : digits;
}

}  // namespace

void RenderJson(const ColumnVector& v, size_t row, std::string* out) {
  if (v.IsNull(row)) {
    *out += "null";
    return;
  }
  const Type& t = *v.type;
  switch (t.kind()) {
    case TypeKind::kBoolean:
      *out += v.ints[row] ? "true" : "false";
      return;
    case TypeKind::kByte:
    case TypeKind::kShort:
    case TypeKind::kInt:
    case TypeKind::kLong:
      *out += std::to_string(v.ints[row]);
      return;
    case TypeKind::kFloat:
    case TypeKind::kDouble: {
      char buf[64];
      auto r = std::to_chars(buf, buf + sizeof buf, v.doubles[row]);
      out->append(buf, r.ptr);
      return;
    }
    case TypeKind::kString:
    case TypeKind::kVarchar:
    case TypeKind::kChar:
      Quote(v.StringAt(row), out);
      return;
    case TypeKind::kBinary: {
      *out += "[";
      std::string_view s = v.StringAt(row);
      for (size_t i = 0; i < s.size(); ++i) {
        if (i > 0) *out += ", ";
        *out += std::to_string(static_cast<unsigned char>(s[i]));
      }
      *out += "]";
      return;
    }
    case TypeKind::kDate:
      Quote(Date(v.ints[row]), out);
      return;
    case TypeKind::kTimestamp:
    case TypeKind::kTimestampInstant:
      Quote(Timestamp(v.ints[row], v.nanos[row]), out);
      return;
    case TypeKind::kDecimal:
      *out += Decimal(t.precision() <= 18 ? __int128{v.ints[row]} : v.wide[row], t.scale());
      return;
    case TypeKind::kList: {
      *out += "[";
      for (uint64_t i = v.offsets[row]; i < v.offsets[row + 1]; ++i) {
        if (i > v.offsets[row]) *out += ", ";
        RenderJson(*v.children[0], i, out);
      }
      *out += "]";
      return;
    }
    case TypeKind::kMap: {
      *out += "[";
      for (uint64_t i = v.offsets[row]; i < v.offsets[row + 1]; ++i) {
        if (i > v.offsets[row]) *out += ", ";
        *out += "{\"key\": ";
        RenderJson(*v.children[0], i, out);
        *out += ", \"value\": ";
        RenderJson(*v.children[1], i, out);
        *out += "}";
      }
      *out += "]";
      return;
    }
    case TypeKind::kStruct: {
      *out += "{";
      for (size_t i = 0; i < v.children.size(); ++i) {
        if (i > 0) *out += ", ";
        Quote(t.field_names()[i], out);
        *out += ": ";
        RenderJson(*v.children[i], row, out);
      }
      *out += "}";
      return;
    }
    case TypeKind::kUnion: {
      *out += "{\"tag\": " + std::to_string(v.tags[row]) + ", \"value\": ";
      RenderJson(*v.children[v.tags[row]], v.offsets[row], out);
      *out += "}";
      return;
    }
  }
}

Result<std::vector<std::string>> ReadAllJson(Reader& reader) {
  std::vector<std::string> rows;
  std::unique_ptr<ColumnVector> batch;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, reader.NextBatch(&batch));
    if (!more) break;
    for (size_t i = 0; i < batch->size; ++i) {
      std::string line;
      RenderJson(*batch, i, &line);
      rows.push_back(std::move(line));
    }
  }
  return rows;
}

std::vector<std::string> ReadGzipLines(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw std::runtime_error("cannot open " + path);
  std::string all;
  char buf[65536];
  int n;
  while ((n = gzread(f, buf, sizeof buf)) > 0) all.append(buf, static_cast<size_t>(n));
  gzclose(f);
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < all.size()) {
    size_t end = all.find('\n', start);
    if (end == std::string::npos) end = all.size();
    if (end > start) lines.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace atl::orc::testing
