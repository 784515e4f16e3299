// Avro binary encoding: primitives appended to a string, and whole Values by schema.
//
// EncodeValue checks the value against the schema as it goes (type, union branch, enum
// index, fixed size, record field count) and returns kInvalidArgument naming the path
// of the first mismatch; on error the output holds a partial datum and must be dropped.
// Arrays and maps are written as one block with a positive count, then the 0 end marker.
//
// Thread safety: an Encoder is not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/formats/avro/value.h"

namespace atl::avro {

class Encoder {
 public:
  explicit Encoder(std::string* out) : out_(out) {}

  void WriteLong(int64_t v);
  void WriteInt(int32_t v) { WriteLong(v); }
  void WriteBoolean(bool v) { out_->push_back(v ? 1 : 0); }
  void WriteFloat(float v);
  void WriteDouble(double v);
  void WriteBytes(std::string_view v);  // length, then the bytes
  void WriteFixed(std::string_view v) { out_->append(v); }

  std::string* output() { return out_; }

 private:
  std::string* out_;
};

Status EncodeValue(const Node& node, const Value& value, Encoder* encoder);

}  // namespace atl::avro
