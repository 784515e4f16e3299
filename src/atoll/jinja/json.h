// JSON <-> Value for the Jinja engine: contexts arrive as JSON (dbt vars, test corpora),
// `tojson` writes it the way Python's json.dumps(sort_keys=True) does.
#pragma once

#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/jinja/value.h"

namespace atl::jinja {

// Parses JSON text: objects become dicts (key order kept), arrays lists, integers that
// fit int64 ints, other numbers floats.
Result<Value> ValueFromJson(std::string_view json_text);

// Python's json.dumps(value, sort_keys=True, indent=indent) (indent < 0: one line,
// separators ", " and ": "); non-ASCII as \uXXXX. Undefined and callables are errors,
// as are containers nested deeper than 100 or output beyond `max_bytes`.
Result<std::string> ValueToJson(const Value& value, int indent = -1, size_t max_bytes = 64 << 20);

}  // namespace atl::jinja
