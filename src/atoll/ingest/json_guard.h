// A guard in front of DuckDB's JSON reader: prepare/ scans every JSON and NDJSON file
// with it before DuckDB sees the file.
//
// DuckDB detects and converts JSON types recursively, one stack frame (or more) per
// nesting level: a file of 30,000 '[' overflows the stack of its worker thread and kills
// the process (SIGSEGV) — every later run of `atoll ingest` or `atoll watch` would die on
// the same file. The scanner counts the nesting depth of arrays and objects (outside
// strings) and stops at the first level deeper than JsonLimits::max_depth. It also bounds
// the length of one document (NDJSON: one line; JSON: one element of a top-level array,
// or one top-level value), the limit DuckDB's `maximum_object_size` enforces with a less
// helpful message.
//
// The scanner does not validate JSON: it follows strings (with escapes) and brackets
// only, so malformed input costs nothing more than well-formed input and DuckDB reports
// its syntax errors itself. Memory is constant: a few counters, whatever the input.
//
// Errors are kInvalidArgument with a reason naming the limit, its setting and the byte
// offset (from 0), e.g. "JSON nested more than 64 levels deep (at byte 64; the limit is
// prepare.max_json_depth)".
//
// Thread safety: a JsonScanner is used by one thread; CheckJsonFile may be called
// concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"

namespace atl::lake {

// How a file's documents are delimited.
enum class JsonLayout {
  kAuto,   // .json: one element of a top-level array, or one top-level value, per document
  kLines,  // .ndjson / .jsonl: one document per line
};

struct JsonLimits {
  int max_depth = 64;                                // prepare.max_json_depth
  uint64_t max_document_bytes = uint64_t{16} << 20;  // prepare.max_line_bytes
};

class JsonScanner {
 public:
  JsonScanner(JsonLayout layout, JsonLimits limits) : layout_(layout), limits_(limits) {}

  // Scans the next bytes of the file. kInvalidArgument at the first limit passed (the
  // scanner must not be fed again after an error).
  Status Feed(std::string_view bytes);

  // True once a byte other than whitespace (and a UTF-8 byte order mark) was seen.
  bool saw_content() const { return saw_content_; }

 private:
  Status DepthExceeded() const;
  Status DocumentTooLong() const;
  // Depth at which documents start: 1 inside a top-level array of a kAuto file, else 0.
  int DocumentDepth() const { return top_array_ ? 1 : 0; }

  JsonLayout layout_;
  JsonLimits limits_;
  uint64_t offset_ = 0;  // of the byte being scanned
  int depth_ = 0;
  bool in_string_ = false;
  bool escaped_ = false;
  bool top_array_ = false;  // kAuto: inside a top-level array
  bool in_document_ = false;
  uint64_t document_start_ = 0;
  bool saw_content_ = false;
};

// Scans the local file `path` (uncompressed) with a JsonScanner. kInvalidArgument with
// the reason when a limit is passed or the file holds only whitespace.
Status CheckJsonFile(const std::string& path, JsonLayout layout, const JsonLimits& limits);

}  // namespace atl::lake
