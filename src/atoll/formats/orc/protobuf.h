// A minimal protocol-buffers wire-format decoder for the ORC file tail and stripe
// footers (orc_proto.proto is read field by field; unknown fields are skipped).
//
// WireReader walks the fields of one serialized message held in memory it does not own:
// the bytes must outlive the reader and every string_view it returns. Every length is
// checked against the bytes left; malformed input is a kCorruption error whose message
// names `what` (for example "footer").
//
// Thread safety: a WireReader is not shared; distinct readers are independent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "atoll/common/result.h"

namespace atl::orc::proto {

enum WireType : uint32_t { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class WireReader {
 public:
  WireReader(std::string_view data, std::string_view what) : data_(data), what_(what) {}

  // Reads the next field key. Returns false at the end of the message.
  Result<bool> Next(uint32_t* field, uint32_t* wire_type);

  // The value of the current field, by wire type. Each fails with kCorruption when the
  // field does not have that wire type or its bytes are malformed.
  Result<uint64_t> Varint();
  Result<std::string_view> Bytes();
  // Skips the value of the current field, whatever its wire type.
  Status Skip();

  // Appends the values of a repeated uint32/uint64 field, packed or not.
  Status RepeatedVarint(std::vector<uint64_t>* out);

 private:
  Status Error(std::string_view problem) const;
  Result<uint64_t> RawVarint();

  std::string_view data_;
  size_t pos_ = 0;
  uint32_t field_ = 0;
  uint32_t wire_type_ = 0;
  std::string what_;
};

// Walks the fields of the message in `data`: calls `on_field(field_number, reader)` for
// each, which reads the field's value (or calls reader.Skip()) and returns a Status.
// Stops at the first error; kCorruption errors name `what`.
template <typename OnField>
Status ForEachField(std::string_view data, std::string_view what, OnField&& on_field) {
  WireReader reader(data, what);
  uint32_t field = 0;
  uint32_t wire_type = 0;
  while (true) {
    ATOLL_ASSIGN_OR_RETURN(bool more, reader.Next(&field, &wire_type));
    if (!more) return Status::OK();
    ATOLL_RETURN_NOT_OK(on_field(field, reader));
  }
}

}  // namespace atl::orc::proto
