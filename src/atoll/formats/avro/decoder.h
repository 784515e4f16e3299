// Avro binary decoding: primitives from a byte span, and whole Values by schema.
//
// Decoding uses the WRITER's schema (the one stored in the file). There is no schema
// resolution: callers look fields up by name or Iceberg field id (GetField,
// GetFieldById in value.h) and widen numbers with Value::AsLong/AsDouble. This covers
// Iceberg's needs (manifests are read by field id) without a resolving decoder.
//
// Robustness: every length and count is checked against the bytes that remain before
// anything is allocated; varints longer than 10 bytes or overflowing 64 bits, ints
// outside 32 bits, negative lengths, union/enum indexes out of range and nesting deeper
// than kMaxDepth are kCorruption errors that give the offset (relative to the start of
// the span) and what was being read.
//
// Thread safety: a Decoder is not thread-safe; DecodeValue only reads the schema.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/formats/avro/value.h"

namespace atl::avro {

class Decoder {
 public:
  explicit Decoder(std::string_view data) : data_(data) {}

  size_t position() const { return pos_; }
  size_t remaining() const { return data_.size() - pos_; }
  bool at_end() const { return pos_ == data_.size(); }

  Result<int64_t> ReadLong();
  Result<int32_t> ReadInt();
  Result<bool> ReadBoolean();
  Result<float> ReadFloat();
  Result<double> ReadDouble();
  // A length-prefixed byte string (bytes or string).
  Status ReadBytes(std::string* out);
  // A length-prefixed byte string as a view into the span.
  Result<std::string_view> ReadBytesView();
  Status ReadFixed(size_t n, std::string* out);
  Status Skip(size_t n);

  // A kCorruption error "at offset N: <what>".
  Status Error(std::string_view what) const;

 private:
  std::string_view data_;
  size_t pos_ = 0;
};

inline constexpr int kMaxDepth = 512;

// Decodes one datum of schema `node`. On error `out` is unspecified.
Status DecodeValue(const Node& node, Decoder* decoder, Value* out);

// The smallest number of bytes any datum of `node` can take (0 for null, an empty
// record, a fixed of size 0, ...). Used to bound item counts against remaining bytes.
size_t MinEncodedSize(const Node& node);

}  // namespace atl::avro
