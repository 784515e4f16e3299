// Reader of Avro object container files (specification 1.11, "Object Container Files").
//
// Open() reads and checks the header: the magic "Obj\x01", the metadata map (every key
// is exposed: avro.schema, avro.codec, and writers' own keys such as Iceberg's "schema",
// "partition-spec", "format-version", "content"), and the 16-byte sync marker. Next()
// then streams datums block by block: only one block (compressed and decompressed) is
// held in memory at a time, and ReaderOptions bound its size.
//
// Datums are decoded with the file's own (writer) schema; see decoder.h for why there
// is no reader-schema resolution.
//
// Errors are kCorruption (bad magic, truncated header or block, sync marker mismatch,
// malformed codec data, datum that does not decode, trailing bytes inside a block,
// block larger than the limits, missing or invalid avro.schema), kNotSupported (unknown
// codec) or the stream's own I/O error. Each message starts
// with "avro file '<name>'" and gives the file offset of the block concerned.
// After an error the reader must not be used further.
//
// Thread safety: a Reader is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "atoll/formats/avro/codec.h"
#include "atoll/formats/avro/decoder.h"
#include "atoll/formats/avro/stream.h"

namespace atl::avro {

struct ReaderOptions {
  // Largest block accepted, compressed or decompressed (a decompression bomb or a
  // corrupt size beyond it is kCorruption).
  size_t max_block_bytes = size_t{256} << 20;
  // Largest header metadata map (all keys and values together).
  size_t max_header_bytes = size_t{64} << 20;
};

class Reader {
 public:
  static Result<std::unique_ptr<Reader>> Open(std::unique_ptr<InputStream> input, std::string name,
                                              ReaderOptions options = {});
  static Result<std::unique_ptr<Reader>> OpenFile(const std::string& path,
                                                  ReaderOptions options = {});
  static Result<std::unique_ptr<Reader>> OpenBuffer(std::string data, std::string name,
                                                    ReaderOptions options = {});

  const SchemaPtr& schema() const { return schema_; }
  Codec codec() const { return codec_; }
  // Header metadata, in file order.
  const std::vector<std::pair<std::string, std::string>>& metadata() const { return metadata_; }
  std::optional<std::string> Metadata(std::string_view key) const;
  const std::string& sync_marker() const { return sync_; }

  // Decodes the next datum into `out`; returns false (and leaves `out` alone) at the end.
  Result<bool> Next(Value* out);

  // For callers with their own decoder for the schema (e.g. Iceberg manifest entries):
  // moves to the next datum and returns the decoder positioned on it, or nullptr at the
  // end. The caller must read exactly one datum from it before the next call; leftover or
  // missing bytes surface as kCorruption at the end of the block. Wrap the caller's own
  // decoding errors with DatumError() to give them the file, block and row.
  Result<Decoder*> NextDatum();
  Status DatumError(const Status& st) const;

  // Reads every remaining datum.
  Result<std::vector<Value>> ReadAll();

  uint64_t blocks_read() const { return blocks_read_; }
  uint64_t rows_read() const { return rows_read_; }

 private:
  Reader(std::unique_ptr<InputStream> input, std::string name, ReaderOptions options);
  Status ReadHeader();
  // Loads the next block; false at a clean end of file.
  Result<bool> LoadBlock();
  // Fills `n` bytes from the stream; kCorruption "truncated" when it ends first.
  Status ReadExact(char* buf, size_t n, std::string_view what);
  // Reads a zig-zag long from the stream; nullopt at a clean end when `eof_ok`.
  Result<std::optional<int64_t>> ReadStreamLong(std::string_view what, bool eof_ok);
  Result<size_t> ReadSome(char* buf, size_t n);
  Status FileError(Status st) const;

  std::unique_ptr<InputStream> input_;
  std::string name_;
  ReaderOptions options_;
  uint64_t offset_ = 0;  // file offset of the next byte to read
  std::string buffer_;   // read-ahead from the stream
  size_t buffer_pos_ = 0;

  SchemaPtr schema_;
  Codec codec_ = Codec::kNull;
  std::vector<std::pair<std::string, std::string>> metadata_;
  std::string sync_;

  std::string raw_;    // the current block as stored
  std::string block_;  // the current block decompressed
  std::optional<Decoder> decoder_;
  uint64_t block_rows_left_ = 0;
  uint64_t block_offset_ = 0;
  uint64_t block_row_ = 0;
  uint64_t row_in_block_ = 0;  // of the datum NextDatum() returned last
  uint64_t blocks_read_ = 0;
  uint64_t rows_read_ = 0;
  bool done_ = false;
};

}  // namespace atl::avro
