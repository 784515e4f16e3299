// Int32Function through DuckDB's C API: one scalar function set with an overload per
// callback; the callbacks live in a heap object owned by DuckDB (freed with the database).
#include "atoll/engine/scalar_function.h"

#include <duckdb.h>

#include <memory>
#include <utility>

#include "atoll/engine/engine_access.h"

namespace atl::engine {
namespace {

enum class Arg { kInt64, kInt128, kBytes };

struct Overload {
  Arg arg;
  std::shared_ptr<const Int32Function> fn;
};

void Run(duckdb_function_info info, duckdb_data_chunk input, duckdb_vector output) {
  const auto* overload = static_cast<const Overload*>(duckdb_scalar_function_get_extra_info(info));
  idx_t n = duckdb_data_chunk_get_size(input);
  duckdb_vector in = duckdb_data_chunk_get_vector(input, 0);
  uint64_t* in_valid = duckdb_vector_get_validity(in);
  auto* out = static_cast<int32_t*>(duckdb_vector_get_data(output));
  duckdb_vector_ensure_validity_writable(output);
  uint64_t* out_valid = duckdb_vector_get_validity(output);
  void* data = duckdb_vector_get_data(in);
  for (idx_t i = 0; i < n; ++i) {
    if (in_valid != nullptr && !duckdb_validity_row_is_valid(in_valid, i)) {
      duckdb_validity_set_row_invalid(out_valid, i);
      continue;
    }
    switch (overload->arg) {
      case Arg::kInt64:
        out[i] = overload->fn->of_int64(static_cast<const int64_t*>(data)[i]);
        break;
      case Arg::kInt128: {
        const duckdb_hugeint& h = static_cast<const duckdb_hugeint*>(data)[i];
        __int128 v = (static_cast<__int128>(h.upper) << 64) | static_cast<__int128>(h.lower);
        out[i] = overload->fn->of_int128(v);
        break;
      }
      case Arg::kBytes: {
        auto* s = &static_cast<duckdb_string_t*>(data)[i];
        out[i] = overload->fn->of_bytes(
            std::string_view(duckdb_string_t_data(s), duckdb_string_t_length(*s)));
        break;
      }
    }
  }
}

}  // namespace

Status RegisterInt32Function(Engine& engine, Int32Function fn) {
  if (!fn.of_int64 && !fn.of_int128 && !fn.of_bytes) {
    return InvalidArgument("scalar function ", fn.name, " has no callback");
  }
  auto shared = std::make_shared<const Int32Function>(std::move(fn));
  duckdb_scalar_function_set set = duckdb_create_scalar_function_set(shared->name.c_str());
  auto add = [&](Arg arg, duckdb_type type) {
    duckdb_scalar_function f = duckdb_create_scalar_function();
    duckdb_scalar_function_set_name(f, shared->name.c_str());
    duckdb_logical_type param = duckdb_create_logical_type(type);
    duckdb_logical_type result = duckdb_create_logical_type(DUCKDB_TYPE_INTEGER);
    duckdb_scalar_function_add_parameter(f, param);
    duckdb_scalar_function_set_return_type(f, result);
    duckdb_destroy_logical_type(&param);
    duckdb_destroy_logical_type(&result);
    duckdb_scalar_function_set_function(f, Run);
    duckdb_scalar_function_set_extra_info(f, new Overload{arg, shared},
                                          [](void* p) { delete static_cast<Overload*>(p); });
    duckdb_state st = duckdb_add_scalar_function_to_set(set, f);
    duckdb_destroy_scalar_function(&f);
    return st;
  };
  bool ok = true;
  if (shared->of_int64) ok &= add(Arg::kInt64, DUCKDB_TYPE_BIGINT) == DuckDBSuccess;
  if (shared->of_int128) ok &= add(Arg::kInt128, DUCKDB_TYPE_HUGEINT) == DuckDBSuccess;
  if (shared->of_bytes) {
    ok &= add(Arg::kBytes, DUCKDB_TYPE_VARCHAR) == DuckDBSuccess;
    ok &= add(Arg::kBytes, DUCKDB_TYPE_BLOB) == DuckDBSuccess;
  }
  if (!ok) {
    duckdb_destroy_scalar_function_set(&set);
    return Internal("DuckDB refused an overload of scalar function ", shared->name);
  }
  duckdb_state state =
      duckdb_register_scalar_function_set(internal::EngineAccess::Connection(engine), set);
  duckdb_destroy_scalar_function_set(&set);
  if (state != DuckDBSuccess) {
    return AlreadyExists("scalar function ", shared->name, " could not be registered (it exists)");
  }
  return Status::OK();
}

}  // namespace atl::engine
