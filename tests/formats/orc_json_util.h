// Renders decoded ORC rows as JSON text in the shape of Apache ORC's expected/*.jsn.gz
// files (one object per row; "key": value separated by ", "; timestamps as
// "YYYY-MM-DD HH:MM:SS.f" with trailing zeros trimmed; decimals as unquoted numbers with
// the column's scale; binary as a list of byte values; maps as lists of
// {"key": k, "value": v}; unions as {"tag": t, "value": v}).
#pragma once

#include <string>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/formats/orc/reader.h"

namespace atl::orc::testing {

// Appends the JSON of row `row` of `v` to `out`.
void RenderJson(const ColumnVector& v, size_t row, std::string* out);

// Reads every row of the reader and renders each as one JSON line.
Result<std::vector<std::string>> ReadAllJson(Reader& reader);

// The lines of a gzip-compressed file (empty lines dropped).
std::vector<std::string> ReadGzipLines(const std::string& path);

}  // namespace atl::orc::testing
