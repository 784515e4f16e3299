// The JSON names of the Iceberg spec headers without the cost of <nlohmann/json.hpp>:
// `Json` (incomplete here) for declarations of ToJson/FromJson, and JsonValue for struct
// members that hold JSON (defaults, statistics lists). A .cc that builds, reads or copies
// Json values includes "atoll/iceberg/json_util.h" (the full library and the helpers).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "atoll/common/json_box.h"

namespace atl::iceberg {

using Json = nlohmann::json;
using JsonValue = JsonBox<Json>;

// An empty JSON array, the default of TableMetadata's kept lists.
JsonValue EmptyJsonArray();

}  // namespace atl::iceberg

namespace atl {
extern template class JsonBox<nlohmann::json>;  // instantiated in iceberg/json_util.cc
}  // namespace atl
