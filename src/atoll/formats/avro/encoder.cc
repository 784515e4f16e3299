#include "atoll/formats/avro/encoder.h"

#include <cstring>

namespace atl::avro {

void Encoder::WriteLong(int64_t v) {
  uint64_t z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);  // zig-zag
  while (z >= 0x80) {
    out_->push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out_->push_back(static_cast<char>(z));
}

void Encoder::WriteFloat(float v) {
  uint32_t bits;
  std::memcpy(&bits, &v, 4);
  for (int i = 0; i < 4; ++i) out_->push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void Encoder::WriteDouble(double v) {
  uint64_t bits;
  std::memcpy(&bits, &v, 8);
  for (int i = 0; i < 8; ++i) out_->push_back(static_cast<char>((bits >> (8 * i)) & 0xFF));
}

void Encoder::WriteBytes(std::string_view v) {
  WriteLong(static_cast<int64_t>(v.size()));
  out_->append(v);
}

namespace {

// Errors name the path inside the value as they travel up ("field 'a': item 3: ...").
Status Encode(const Node& node, const Value& value, Encoder* e, int depth) {
  if (depth > 1000) return InvalidArgument("value nested more than 1000 levels deep");
  if (node.type != value.type()) {
    return InvalidArgument("schema type ", TypeName(node.type), " but value of type ",
                           TypeName(value.type()));
  }
  switch (node.type) {
    case Type::kNull:
      return Status::OK();
    case Type::kBoolean:
      e->WriteBoolean(value.boolean());
      return Status::OK();
    case Type::kInt:
      e->WriteInt(value.int_value());
      return Status::OK();
    case Type::kLong:
      e->WriteLong(value.long_value());
      return Status::OK();
    case Type::kFloat:
      e->WriteFloat(value.float_value());
      return Status::OK();
    case Type::kDouble:
      e->WriteDouble(value.double_value());
      return Status::OK();
    case Type::kBytes:
    case Type::kString:
      e->WriteBytes(value.bytes());
      return Status::OK();
    case Type::kFixed:
      if (value.bytes().size() != node.fixed_size) {
        return InvalidArgument("fixed '", node.full_name, "' needs ", node.fixed_size,
                               " bytes, got ", value.bytes().size());
      }
      e->WriteFixed(value.bytes());
      return Status::OK();
    case Type::kEnum:
      if (value.enum_index() < 0 ||
          static_cast<size_t>(value.enum_index()) >= node.symbols.size()) {
        return InvalidArgument("enum index ", value.enum_index(), " out of range for '",
                               node.full_name, "'");
      }
      e->WriteInt(value.enum_index());
      return Status::OK();
    case Type::kUnion:
      if (value.branch() >= node.branches.size()) {
        return InvalidArgument("union branch ", value.branch(), " out of range");
      }
      e->WriteLong(static_cast<int64_t>(value.branch()));
      return Encode(*node.branches[value.branch()], value.branch_value(), e, depth + 1);
    case Type::kArray: {
      const auto& items = value.items();
      if (!items.empty()) e->WriteLong(static_cast<int64_t>(items.size()));
      for (size_t i = 0; i < items.size(); ++i) {
        ATOLL_RETURN_NOT_OK_CTX(Encode(*node.items, items[i], e, depth + 1), StrCat("item ", i));
      }
      e->WriteLong(0);
      return Status::OK();
    }
    case Type::kMap: {
      const auto& keys = value.map_keys();
      if (!keys.empty()) e->WriteLong(static_cast<int64_t>(keys.size()));
      for (size_t i = 0; i < keys.size(); ++i) {
        e->WriteBytes(keys[i]);
        ATOLL_RETURN_NOT_OK_CTX(Encode(*node.items, value.map_values()[i], e, depth + 1),
                                StrCat("map key '", keys[i], "'"));
      }
      e->WriteLong(0);
      return Status::OK();
    }
    case Type::kRecord: {
      if (value.fields().size() != node.fields.size()) {
        return InvalidArgument("record '", node.full_name, "' has ", node.fields.size(),
                               " fields, value has ", value.fields().size());
      }
      for (size_t i = 0; i < node.fields.size(); ++i) {
        ATOLL_RETURN_NOT_OK_CTX(Encode(*node.fields[i].type, value.fields()[i], e, depth + 1),
                                StrCat("field '", node.fields[i].name, "'"));
      }
      return Status::OK();
    }
  }
  return Internal("unknown avro type");
}

}  // namespace

Status EncodeValue(const Node& node, const Value& value, Encoder* encoder) {
  return Encode(node, value, encoder, 0).WithContext("avro value");
}

}  // namespace atl::avro
