// Body: the bytes given to Store::Put — an in-memory buffer or a local file.
//
// Bodies are read by offset so that a backend may read several parts of one body in
// parallel (S3 multipart upload). A Body is cheap to copy (shared ownership) and
// ReadAt may be called concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::storage {

class Body {
 public:
  // An empty body.
  Body();

  // Owns a copy of (or takes) `data`.
  static Body FromString(std::string data);

  // Refers to `data` without copying; the caller keeps it alive while the Body is used.
  static Body FromView(std::string_view data);

  // Opens the local file at `path` for reading; its size is fixed at open time.
  static Result<Body> FromFile(const std::string& path);

  uint64_t size() const;

  // Copies bytes [offset, offset + n) into `out`. kInvalidArgument when the range
  // leaves the body; kIOError when a file read fails or the file shrank.
  Status ReadAt(uint64_t offset, size_t n, char* out) const;

  // Reads [offset, offset + n) into a string.
  Result<std::string> Slice(uint64_t offset, size_t n) const;

  // The whole body when it is in memory; nullptr-data view for a file body.
  // Use in_memory() to tell.
  bool in_memory() const;
  std::string_view view() const;

  class Impl;

 private:
  explicit Body(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}
  std::shared_ptr<const Impl> impl_;
};

}  // namespace atl::storage
