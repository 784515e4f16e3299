#include "atoll/formats/avro/decoder.h"

#include <cstring>

namespace atl::avro {

Status Decoder::Error(std::string_view what) const {
  return Corruption("at offset ", pos_, ": ", what);
}

Result<int64_t> Decoder::ReadLong() {
  uint64_t acc = 0;
  for (int i = 0; i < 10; ++i) {
    if (pos_ >= data_.size()) return Error("truncated varint (data ends inside a number)");
    uint8_t b = static_cast<uint8_t>(data_[pos_++]);
    if (i == 9 && b > 1) return Error("varint overflows 64 bits");
    acc |= static_cast<uint64_t>(b & 0x7F) << (7 * i);
    if ((b & 0x80) == 0) {
      return static_cast<int64_t>((acc >> 1) ^ (~(acc & 1) + 1));  // zig-zag
    }
  }
  return Error("varint longer than 10 bytes");
}

Result<int32_t> Decoder::ReadInt() {
  size_t start = pos_;
  ATOLL_ASSIGN_OR_RETURN(int64_t v, ReadLong());
  if (v < INT32_MIN || v > INT32_MAX) {
    return Corruption("at offset ", start, ": int value ", v, " does not fit in 32 bits");
  }
  return static_cast<int32_t>(v);
}

Result<bool> Decoder::ReadBoolean() {
  if (pos_ >= data_.size()) return Error("truncated boolean");
  uint8_t b = static_cast<uint8_t>(data_[pos_]);
  if (b > 1) return Error("boolean byte is neither 0 nor 1");
  ++pos_;
  return b == 1;
}

Result<float> Decoder::ReadFloat() {
  if (remaining() < 4) return Error("truncated float");
  uint32_t bits = 0;
  for (int i = 0; i < 4; ++i)
    bits |= static_cast<uint32_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  pos_ += 4;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

Result<double> Decoder::ReadDouble() {
  if (remaining() < 8) return Error("truncated double");
  uint64_t bits = 0;
  for (int i = 0; i < 8; ++i)
    bits |= static_cast<uint64_t>(static_cast<uint8_t>(data_[pos_ + i])) << (8 * i);
  pos_ += 8;
  double d;
  std::memcpy(&d, &bits, 8);
  return d;
}

Result<std::string_view> Decoder::ReadBytesView() {
  size_t start = pos_;
  ATOLL_ASSIGN_OR_RETURN(int64_t n, ReadLong());
  if (n < 0) return Corruption("at offset ", start, ": negative length ", n);
  if (static_cast<uint64_t>(n) > remaining()) {
    return Corruption("at offset ", start, ": length ", n, " exceeds the ", remaining(),
                      " bytes that remain");
  }
  std::string_view out = data_.substr(pos_, static_cast<size_t>(n));
  pos_ += static_cast<size_t>(n);
  return out;
}

Status Decoder::ReadBytes(std::string* out) {
  ATOLL_ASSIGN_OR_RETURN(std::string_view v, ReadBytesView());
  out->assign(v.data(), v.size());
  return Status::OK();
}

Status Decoder::ReadFixed(size_t n, std::string* out) {
  if (n > remaining())
    return Error(StrCat("fixed of ", n, " bytes exceeds the ", remaining(), " bytes that remain"));
  out->assign(data_.data() + pos_, n);
  pos_ += n;
  return Status::OK();
}

Status Decoder::Skip(size_t n) {
  if (n > remaining()) return Error(StrCat("cannot skip ", n, " bytes, ", remaining(), " remain"));
  pos_ += n;
  return Status::OK();
}

namespace {

// Items whose encoding may be empty (null, empty records) cannot be bounded by the
// remaining bytes; this caps how many of them one array or map may hold.
constexpr uint64_t kMaxZeroSizeItems = uint64_t{1} << 24;

size_t MinSize(const Node& node, int depth) {
  if (depth > 64) return 0;
  switch (node.type) {
    case Type::kNull:
      return 0;
    case Type::kFloat:
      return 4;
    case Type::kDouble:
      return 8;
    case Type::kFixed:
      return node.fixed_size;
    case Type::kRecord: {
      size_t sum = 0;
      for (const Field& f : node.fields) sum += MinSize(*f.type, depth + 1);
      return sum;
    }
    default:
      return 1;  // every varint, length, index or block count takes a byte
  }
}

// Reads one block header of an array or map: the item count (0 ends the sequence).
// Negative counts are followed by the block's byte size, which is checked and ignored.
Result<uint64_t> ReadBlockCount(Decoder* d, const Node& item, uint64_t items_so_far) {
  size_t start = d->position();
  ATOLL_ASSIGN_OR_RETURN(int64_t count, d->ReadLong());
  uint64_t n;
  if (count < 0) {
    if (count == INT64_MIN) return Corruption("at offset ", start, ": block count overflows");
    n = static_cast<uint64_t>(-count);
    ATOLL_ASSIGN_OR_RETURN(int64_t size, d->ReadLong());
    if (size < 0 || static_cast<uint64_t>(size) > d->remaining()) {
      return Corruption("at offset ", start, ": block byte size ", size,
                        " is negative or exceeds the ", d->remaining(), " bytes that remain");
    }
  } else {
    n = static_cast<uint64_t>(count);
  }
  size_t min = MinEncodedSize(item);
  if (min > 0 ? n > d->remaining() / min : items_so_far + n > kMaxZeroSizeItems) {
    return Corruption("at offset ", start, ": block of ", n, " items cannot fit in the ",
                      d->remaining(), " bytes that remain");
  }
  return n;
}

Status Decode(const Node& node, Decoder* d, Value* out, int depth) {
  if (depth > kMaxDepth) return d->Error("data nested more than 512 levels deep");
  switch (node.type) {
    case Type::kNull:
      *out = Value::Null();
      return Status::OK();
    case Type::kBoolean: {
      ATOLL_ASSIGN_OR_RETURN(bool b, d->ReadBoolean());
      *out = Value::Boolean(b);
      return Status::OK();
    }
    case Type::kInt: {
      ATOLL_ASSIGN_OR_RETURN(int32_t v, d->ReadInt());
      *out = Value::Int(v);
      return Status::OK();
    }
    case Type::kLong: {
      ATOLL_ASSIGN_OR_RETURN(int64_t v, d->ReadLong());
      *out = Value::Long(v);
      return Status::OK();
    }
    case Type::kFloat: {
      ATOLL_ASSIGN_OR_RETURN(float v, d->ReadFloat());
      *out = Value::Float(v);
      return Status::OK();
    }
    case Type::kDouble: {
      ATOLL_ASSIGN_OR_RETURN(double v, d->ReadDouble());
      *out = Value::Double(v);
      return Status::OK();
    }
    case Type::kBytes:
    case Type::kString: {
      ATOLL_ASSIGN_OR_RETURN(std::string_view v, d->ReadBytesView());
      *out =
          node.type == Type::kBytes ? Value::Bytes(std::string(v)) : Value::String(std::string(v));
      return Status::OK();
    }
    case Type::kFixed: {
      *out = Value::Fixed({});
      return d->ReadFixed(node.fixed_size, &out->mutable_bytes());
    }
    case Type::kEnum: {
      size_t start = d->position();
      ATOLL_ASSIGN_OR_RETURN(int32_t i, d->ReadInt());
      if (i < 0 || static_cast<size_t>(i) >= node.symbols.size()) {
        return Corruption("at offset ", start, ": enum index ", i, " out of range for '",
                          node.full_name, "' (", node.symbols.size(), " symbols)");
      }
      *out = Value::Enum(i);
      return Status::OK();
    }
    case Type::kUnion: {
      size_t start = d->position();
      ATOLL_ASSIGN_OR_RETURN(int64_t i, d->ReadLong());
      if (i < 0 || static_cast<uint64_t>(i) >= node.branches.size()) {
        return Corruption("at offset ", start, ": union branch ", i, " out of range (",
                          node.branches.size(), " branches)");
      }
      Value inner;
      ATOLL_RETURN_NOT_OK(Decode(*node.branches[i], d, &inner, depth + 1));
      *out = Value::Union(static_cast<size_t>(i), std::move(inner));
      return Status::OK();
    }
    case Type::kArray: {
      std::vector<Value> items;
      while (true) {
        ATOLL_ASSIGN_OR_RETURN(uint64_t n, ReadBlockCount(d, *node.items, items.size()));
        if (n == 0) break;
        items.reserve(items.size() + n);
        for (uint64_t k = 0; k < n; ++k) {
          items.emplace_back();
          ATOLL_RETURN_NOT_OK(Decode(*node.items, d, &items.back(), depth + 1));
        }
      }
      *out = Value::Array(std::move(items));
      return Status::OK();
    }
    case Type::kMap: {
      std::vector<std::pair<std::string, Value>> entries;
      while (true) {
        ATOLL_ASSIGN_OR_RETURN(uint64_t n, ReadBlockCount(d, *node.items, entries.size()));
        if (n == 0) break;
        // Each entry takes at least its key's length byte.
        if (n > d->remaining()) return d->Error("map block larger than the remaining bytes");
        entries.reserve(entries.size() + n);
        for (uint64_t k = 0; k < n; ++k) {
          entries.emplace_back();
          ATOLL_RETURN_NOT_OK(d->ReadBytes(&entries.back().first));
          ATOLL_RETURN_NOT_OK(Decode(*node.items, d, &entries.back().second, depth + 1));
        }
      }
      *out = Value::Map(std::move(entries));
      return Status::OK();
    }
    case Type::kRecord: {
      std::vector<Value> fields(node.fields.size());
      for (size_t i = 0; i < node.fields.size(); ++i) {
        Status st = Decode(*node.fields[i].type, d, &fields[i], depth + 1);
        if (!st.ok()) {
          return st.code() == StatusCode::kCorruption && depth < 8
                     ? st.WithContext(StrCat("field '", node.fields[i].name, "'"))
                     : st;
        }
      }
      *out = Value::Record(std::move(fields));
      return Status::OK();
    }
  }
  return Internal("unknown avro type");
}

}  // namespace

size_t MinEncodedSize(const Node& node) { return MinSize(node, 0); }

Status DecodeValue(const Node& node, Decoder* decoder, Value* out) {
  return Decode(node, decoder, out, 0);
}

}  // namespace atl::avro
