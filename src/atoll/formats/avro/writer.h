// Writer of Avro object container files.
//
// The header carries avro.schema (the schema's JSON with every attribute kept, e.g.
// Iceberg's field ids), avro.codec and the caller's own metadata (Iceberg's "schema",
// "partition-spec", "format-version", "content", ...), then a sync marker (random unless
// given). Datums are encoded into a block that is compressed and written when it reaches
// WriterOptions::block_bytes, on Flush() and on Close().
//
// Errors: Append returns kInvalidArgument when the value does not match the schema (the
// value is not written; the file stays valid); Open returns kInvalidArgument for a
// reserved metadata key ("avro.schema", "avro.codec") or a sync marker that is not 16
// bytes; stream errors pass through. A writer whose stream failed must be dropped.
// Close() must be called for the last block to be written; the destructor does not.
//
// Thread safety: a Writer is used by one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/formats/avro/codec.h"
#include "atoll/formats/avro/encoder.h"
#include "atoll/formats/avro/stream.h"

namespace atl::avro {

struct WriterOptions {
  Codec codec = Codec::kDeflate;
  int level = -1;  // codec default
  // Target size of a block before compression.
  size_t block_bytes = 64 * 1024;
  // Extra header entries, written in this order after avro.schema and avro.codec.
  std::vector<std::pair<std::string, std::string>> metadata;
  // 16 bytes; random when absent.
  std::optional<std::string> sync_marker;
};

class Writer {
 public:
  static Result<std::unique_ptr<Writer>> Open(SchemaPtr schema,
                                              std::unique_ptr<OutputStream> output,
                                              WriterOptions options = {});

  Status Append(const Value& value);
  // Writes the pending block, if any.
  Status Flush();
  // Flushes and closes the stream; the writer accepts nothing afterwards.
  Status Close();

  const Schema& schema() const { return *schema_; }
  uint64_t rows_written() const { return rows_; }

 private:
  Writer(SchemaPtr schema, std::unique_ptr<OutputStream> output, WriterOptions options)
      : schema_(std::move(schema)), output_(std::move(output)), options_(std::move(options)) {}
  Status WriteHeader();

  SchemaPtr schema_;
  std::unique_ptr<OutputStream> output_;
  WriterOptions options_;
  std::string sync_;
  std::string block_;  // encoded datums of the pending block
  uint64_t block_rows_ = 0;
  std::string compressed_;  // the pending block after the codec
  std::string scratch_;     // the block header
  uint64_t rows_ = 0;
  bool closed_ = false;
};

// Writes `rows` into an in-memory container file (for small files such as manifests).
Result<std::string> WriteToString(SchemaPtr schema, const std::vector<Value>& rows,
                                  WriterOptions options = {});

}  // namespace atl::avro
