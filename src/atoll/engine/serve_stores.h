// Serving an object store's URIs to the engine's SQL: the one rule every caller uses
// (the lake's work sessions, the trail's audit table, `atoll query`, snapshot exports).
//
// ServeStoresOf(engine, root_uri, root_store) makes "<scheme>bucket/key" URIs readable and
// writable from SQL (read_parquet, globs, COPY ... TO; see Engine::RegisterStores) for the
// scheme of `root_uri`:
//   - a local root ("/dir", "dir", "file:///dir") registers nothing: DuckDB reads local
//     paths itself;
//   - a root naming a whole bucket ("s3://b", "memory://m") with `root_store` given serves
//     that bucket through `root_store` itself (the caller's store, with its wrappers);
//   - every other bucket of the scheme (all of them when `root_store` is null, when the root
//     names a prefix "s3://b/p", or when it names the scheme only, "s3://") is opened by
//     storage::OpenStore("<scheme>bucket") when SQL first names it (credentials from the
//     environment; nothing is created).
// Serving a scheme that this engine serves already keeps the first registration and is OK
// (callers sharing one engine serve the same lake).
//
// Thread safety: the engine's rule (one thread at a time).
#pragma once

#include <memory>
#include <string_view>

#include "atoll/common/status.h"
#include "atoll/engine/engine.h"
#include "atoll/storage/store.h"

namespace atl::engine {

Status ServeStoresOf(Engine& engine, std::string_view root_uri,
                     std::shared_ptr<storage::Store> root_store = nullptr);

}  // namespace atl::engine
