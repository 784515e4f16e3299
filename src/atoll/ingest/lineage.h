// The lineage of the Parquet files prepare writes into load/ (`prepared-<hash>.parquet`):
// each carries, in its key/value metadata under kLineageMetadataKey, the prepare/ sources
// it was converted from ({"sources": [{key, size, etag}]}). A crash between writing the
// converted file and deleting its sources leaves both; the next run reads the lineage and
// deletes the sources instead of converting them twice.
//
// Thread safety: pure functions, except ConvertedSources (the engine's rule applies).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "atoll/engine/engine.h"
#include "atoll/ingest/source_file.h"
#include "atoll/storage/store.h"

namespace atl::lake {

// The Parquet key-value metadata key holding the lineage JSON:
//   {"sources": [{"key": ..., "size": ..., "etag": ...}, ...]}
inline constexpr std::string_view kLineageMetadataKey = "atoll.lineage";

// 128-bit FNV-1a style digest (two 64-bit lanes) of a batch's sources, as 32 hex digits:
// the name of its converted file, so that converting the same batch again overwrites it.
std::string BatchHash(const std::vector<SourceFile>& sources);

// The lineage document of a converted file made from `sources`.
std::string LineageJson(const std::vector<SourceFile>& sources);

// The files of `raw` (a table's prepare/ folder) that a converted file of `loads` (its
// load/ folder) names in its lineage in the same version (size and etag): already
// converted. Files whose lineage cannot be read count as naming nothing.
// `root_uri`: the lake's root as the engine reads it ("<root_uri>/<key>").
std::vector<SourceFile> ConvertedSources(engine::Engine& engine, const std::string& root_uri,
                                         const std::vector<storage::ObjectInfo>& loads,
                                         const std::vector<storage::ObjectInfo>& raw);

}  // namespace atl::lake
