// Byte streams for the Avro container reader and writer: a sequential source and sink,
// with implementations over a local file and over memory. Other sources (an object in a
// Store, fetched by ranges) implement InputStream in their own layer.
//
// Thread safety: a stream is used by one thread at a time.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::avro {

class InputStream {
 public:
  virtual ~InputStream() = default;
  // Reads up to `n` bytes into `buf`; returns how many (0 only at the end of the stream).
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

class OutputStream {
 public:
  virtual ~OutputStream() = default;
  virtual Status Write(std::string_view data) = 0;
  // Flushes and closes; later writes fail. Called once by the writer's Close().
  virtual Status Close() = 0;
};

// kNotFound / kIOError (with the path) when the file cannot be opened.
Result<std::unique_ptr<InputStream>> OpenFileInput(const std::string& path);
std::unique_ptr<InputStream> MemoryInput(std::string data);

// Creates or truncates the file at `path`.
Result<std::unique_ptr<OutputStream>> OpenFileOutput(const std::string& path);
// Appends to `*target`, which must outlive the stream.
std::unique_ptr<OutputStream> StringOutput(std::string* target);

}  // namespace atl::avro
