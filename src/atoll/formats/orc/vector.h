// Typed column vectors: the decoded rows of one batch, one ColumnVector per type node,
// children mirroring the type tree. A later converter feeds these into DuckDB's appender.
//
// Which members are filled depends on the kind of `type`:
//   boolean                      ints (0 or 1)
//   tinyint/smallint/int/bigint  ints
//   date                         ints (days since 1970-01-01)
//   float, double                doubles (float widened)
//   string/varchar/char/binary   offsets (size + 1 entries) into bytes
//   decimal, precision <= 18     ints (unscaled; value = ints[i] / 10^scale)
//   decimal, precision > 18      wide (unscaled 128-bit)
//   timestamp                    ints (seconds) + nanos (0..999,999,999): the writer's wall
//                                clock expressed as if it were UTC (what a TIMESTAMP
//                                without time zone means)
//   timestamp with local tz      ints (seconds since the Unix epoch, UTC) + nanos
//   list, map                    offsets (size + 1) into the child vector(s); a map has
//                                children[0] = keys, children[1] = values
//   struct                       children, one per field, each of this vector's size
//   union                        tags (variant per row) + offsets (the row's index in
//                                children[tag])
// Null rows have valid[i] == 0 and zero/empty values; `valid` is empty when no row in the
// batch is null. A child of a struct is null where the struct is.
//
// Thread safety: plain data; no internal synchronization.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/formats/orc/schema.h"

namespace atl::orc {

struct ColumnVector {
  const Type* type = nullptr;
  size_t size = 0;
  std::vector<uint8_t> valid;
  std::vector<int64_t> ints;
  std::vector<int32_t> nanos;
  std::vector<double> doubles;
  std::vector<__int128> wide;
  std::vector<uint64_t> offsets;
  std::string bytes;
  std::vector<uint8_t> tags;
  std::vector<std::unique_ptr<ColumnVector>> children;

  bool IsNull(size_t i) const { return !valid.empty() && valid[i] == 0; }
  std::string_view StringAt(size_t i) const {
    return std::string_view(bytes).substr(offsets[i], offsets[i + 1] - offsets[i]);
  }
};

}  // namespace atl::orc
