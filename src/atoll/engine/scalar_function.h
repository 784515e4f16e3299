// Int32Function: a SQL scalar function of one value returning INTEGER, computed by C++
// callbacks, for SQL that upper layers generate (Iceberg's bucket[N] hash is the user).
//
// Overloads are registered for the callbacks given: BIGINT (smaller integers are cast up
// by DuckDB), HUGEINT, and VARCHAR + BLOB (both as their bytes). NULL in gives NULL out;
// the callbacks see only non-null values. Pass a DECIMAL's unscaled value explicitly: DuckDB
// would round a DECIMAL argument cast to an integer type.
//
// Thread safety: the callbacks are called from DuckDB's worker threads, concurrently, for
// as long as the Engine lives; they must be pure (or synchronized) and must not throw.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "atoll/common/status.h"
#include "atoll/engine/engine.h"

namespace atl::engine {

struct Int32Function {
  std::string name;
  std::function<int32_t(int64_t)> of_int64;
  std::function<int32_t(__int128)> of_int128;
  std::function<int32_t(std::string_view)> of_bytes;
};

// Registers `fn` on `engine`'s database. kAlreadyExists when a function of that name was
// registered already; kInvalidArgument when no callback is given.
Status RegisterInt32Function(Engine& engine, Int32Function fn);

}  // namespace atl::engine
