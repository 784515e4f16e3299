// How a trail record of the lake names files (lake_trail.h, trail_check.h): each file as
// {location, size, "sha256:<hex>"} (trail::FileRef), hashed in bounded chunks, and the
// manifests a commit wrote as one record field of lines.
//
// Thread safety: pure functions of their arguments (FileIO's rule applies).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"
#include "atoll/iceberg/file_io.h"
#include "atoll/trail/record.h"

namespace atl::lake {

// The record field listing the manifest list and manifests a commit's snapshot wrote, one
// line per file: "<checksum> <size> <location>" (the manifest list first).
inline constexpr char kManifestsField[] = "iceberg.manifests";

// Bytes read per request when hashing a file (memory stays bounded by this).
inline constexpr uint64_t kChecksumChunk = 8u << 20;

// {location, size, "sha256:<hex>"} of the file at `location`, read in chunks.
// kNotFound when the file is missing; kCorruption when it changes size while read.
Result<trail::FileRef> FileChecksum(const iceberg::FileIO& io, const std::string& location);

// "sha256:<hex>" of `bytes`.
std::string BytesChecksum(std::string_view bytes);

// The value of kManifestsField for `files`, and back (kCorruption for a malformed line).
std::string EncodeFileLines(const std::vector<trail::FileRef>& files);
Result<std::vector<trail::FileRef>> DecodeFileLines(std::string_view text);

}  // namespace atl::lake
