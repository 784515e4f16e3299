#include "atoll/formats/orc/protobuf.h"

namespace atl::orc::proto {

Status WireReader::Error(std::string_view problem) const {
  return Corruption("malformed ", what_, " (protobuf field ", field_, " at byte ", pos_,
                    "): ", problem);
}

Result<uint64_t> WireReader::RawVarint() {
  uint64_t value = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (pos_ >= data_.size()) return Error("varint runs past the end");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    if (shift == 63 && (b & 0x7E) != 0) return Error("varint overflows 64 bits");
    value |= static_cast<uint64_t>(b & 0x7F) << shift;
    if ((b & 0x80) == 0) return value;
  }
  return Error("varint longer than 10 bytes");
}

Result<bool> WireReader::Next(uint32_t* field, uint32_t* wire_type) {
  if (pos_ >= data_.size()) return false;
  ATOLL_ASSIGN_OR_RETURN(uint64_t key, RawVarint());
  field_ = static_cast<uint32_t>(key >> 3);
  wire_type_ = static_cast<uint32_t>(key & 7);
  if (field_ == 0 || (key >> 3) > 0x1FFFFFFF) return Error("invalid field number");
  *field = field_;
  *wire_type = wire_type_;
  return true;
}

Result<uint64_t> WireReader::Varint() {
  if (wire_type_ != kVarint) return Error("expected a varint field");
  return RawVarint();
}

Result<std::string_view> WireReader::Bytes() {
  if (wire_type_ != kLengthDelimited) return Error("expected a length-delimited field");
  ATOLL_ASSIGN_OR_RETURN(uint64_t len, RawVarint());
  if (len > data_.size() - pos_) return Error("length-delimited field runs past the end");
  std::string_view out = data_.substr(pos_, len);
  pos_ += len;
  return out;
}

Status WireReader::Skip() {
  switch (wire_type_) {
    case kVarint:
      return RawVarint().status();
    case kFixed64:
      if (data_.size() - pos_ < 8) return Error("fixed64 runs past the end");
      pos_ += 8;
      return Status::OK();
    case kFixed32:
      if (data_.size() - pos_ < 4) return Error("fixed32 runs past the end");
      pos_ += 4;
      return Status::OK();
    case kLengthDelimited:
      return Bytes().status();
    default:
      return Error("unsupported wire type " + std::to_string(wire_type_));
  }
}

Status WireReader::RepeatedVarint(std::vector<uint64_t>* out) {
  if (wire_type_ == kVarint) {
    ATOLL_ASSIGN_OR_RETURN(uint64_t v, RawVarint());
    out->push_back(v);
    return Status::OK();
  }
  ATOLL_ASSIGN_OR_RETURN(std::string_view packed, Bytes());
  WireReader inner(packed, what_);
  inner.wire_type_ = kVarint;
  inner.field_ = field_;
  while (inner.pos_ < packed.size()) {
    ATOLL_ASSIGN_OR_RETURN(uint64_t v, inner.RawVarint());
    out->push_back(v);
  }
  return Status::OK();
}

}  // namespace atl::orc::proto
