// Run-length decoders of the ORC specification over one decompressed stream:
//   ByteRleDecoder     byte RLE (runs of 3..130 equal bytes, or 1..128 literals)
//   BoolRleDecoder     boolean RLE (byte RLE of bit-packed bytes, most significant bit first)
//   IntDecoder         integer RLE version 1 or 2 (SHORT_REPEAT, DIRECT, PATCHED_BASE,
//                      DELTA), signed (zigzag) or unsigned
// plus the base-128 varint helpers used by decimals.
//
// Decoders read from bytes they do not own (the stream must outlive them). Asking for
// more values than the stream holds, or malformed runs, is a kCorruption error whose
// message names `what` (e.g. "column 3 DATA stream").
//
// Thread safety: a decoder is used by one thread at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::orc {

// A bounds-checked cursor over one stream.
class ByteCursor {
 public:
  ByteCursor(std::string_view data, std::string what) : data_(data), what_(std::move(what)) {}
  size_t remaining() const { return data_.size() - pos_; }
  const std::string& what() const { return what_; }
  Status Error(std::string_view problem) const;
  Status Byte(uint8_t* out);
  Status Varint(uint64_t* out);
  // The next `n` bytes.
  Status Take(size_t n, std::string_view* out);

 private:
  std::string_view data_;
  size_t pos_ = 0;
  std::string what_;
};

class ByteRleDecoder {
 public:
  ByteRleDecoder(std::string_view data, std::string what) : in_(data, std::move(what)) {}
  Status Next(uint8_t* out, size_t n);

 private:
  ByteCursor in_;
  uint8_t run_[130];
  size_t run_len_ = 0;
  size_t run_pos_ = 0;
};

class BoolRleDecoder {
 public:
  BoolRleDecoder(std::string_view data, std::string what) : bytes_(data, std::move(what)) {}
  // Writes 0 or 1 per value.
  Status Next(uint8_t* out, size_t n);

 private:
  ByteRleDecoder bytes_;
  uint8_t current_ = 0;
  int bits_left_ = 0;
};

class IntDecoder {
 public:
  virtual ~IntDecoder() = default;
  virtual Status Next(int64_t* out, size_t n) = 0;
};

// version is 1 or 2.
std::unique_ptr<IntDecoder> MakeIntDecoder(std::string_view data, std::string what, int version,
                                           bool is_signed);

inline int64_t ZigZagDecode(uint64_t v) { return static_cast<int64_t>((v >> 1) ^ (~(v & 1) + 1)); }

}  // namespace atl::orc
