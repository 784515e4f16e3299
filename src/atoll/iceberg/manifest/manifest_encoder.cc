#include "atoll/iceberg/manifest/manifest_encoder.h"

#include <random>

#include "atoll/formats/avro/encoder.h"
#include "atoll/formats/avro/reader.h"

namespace atl::iceberg {
namespace {

using avro::Encoder;
using avro::Node;

constexpr size_t kBlockBytes = 64 * 1024;  // avro::WriterOptions::block_bytes

std::string RandomSync() {
  std::random_device rd;
  std::string s(16, '\0');
  for (char& c : s) c = static_cast<char>(rd() & 0xFF);
  return s;
}

int FieldId(const avro::Field& f) {
  return static_cast<int>(f.IntAttribute("field-id").value_or(-1));
}

// Writes the union branch of an optional field: the null branch, or the other one.
// Returns the value node (nullptr for a null value); non-unions are written as is.
const Node* Branch(const Node* node, bool present, Encoder* e) {
  if (node->type != avro::Type::kUnion) return node;
  int null_branch = node->NullBranch();
  int branch = present ? (null_branch == 0 ? 1 : 0) : null_branch;
  e->WriteLong(branch);
  return present ? node->branches[static_cast<size_t>(branch)] : nullptr;
}

void WriteLongMap(const Node* node, const ColumnMap<int64_t>& m, Encoder* e) {
  if (!Branch(node, !m.empty(), e)) return;
  e->WriteLong(static_cast<int64_t>(m.size()));
  for (const auto& [k, v] : m) {
    e->WriteInt(k);
    e->WriteLong(v);
  }
  e->WriteLong(0);
}

void WriteBytesMap(const Node* node, const ColumnMap<std::string>& m, Encoder* e) {
  if (!Branch(node, !m.empty(), e)) return;
  e->WriteLong(static_cast<int64_t>(m.size()));
  for (const auto& [k, v] : m) {
    e->WriteInt(k);
    e->WriteBytes(v);
  }
  e->WriteLong(0);
}

// Writes `lit` in the Avro form of its Iceberg type. The value's representation in the
// literal (literal.h) picks the encoding, except for the types stored as Avro fixed.
Status WriteLiteral(const Literal& lit, const Node& node, Encoder* e) {
  const auto& v = lit.value();
  switch (lit.type()->id()) {
    case TypeId::kUuid:
    case TypeId::kFixed:
      e->WriteFixed(std::get<std::string>(v));
      return Status::OK();
    case TypeId::kDecimal: {
      ATOLL_ASSIGN_OR_RETURN(std::string minimal, LiteralToBytes(lit));
      if (minimal.size() > node.fixed_size)
        return InvalidArgument("decimal ", lit.ToString(), " does not fit its precision");
      char pad = (static_cast<uint8_t>(minimal[0]) & 0x80) ? '\xff' : '\0';
      e->WriteFixed(std::string(node.fixed_size - minimal.size(), pad) + minimal);
      return Status::OK();
    }
    default:
      break;
  }
  if (const auto* b = std::get_if<bool>(&v)) {
    e->WriteBoolean(*b);
  } else if (const auto* i = std::get_if<int32_t>(&v)) {
    e->WriteInt(*i);
  } else if (const auto* l = std::get_if<int64_t>(&v)) {
    e->WriteLong(*l);
  } else if (const auto* f = std::get_if<float>(&v)) {
    e->WriteFloat(*f);
  } else if (const auto* d = std::get_if<double>(&v)) {
    e->WriteDouble(*d);
  } else if (const auto* bytes = std::get_if<std::string>(&v)) {
    e->WriteBytes(*bytes);
  } else {
    return NotSupported("writing partition values of type ", lit.type()->ToString());
  }
  return Status::OK();
}

class EntryEncoder {
 public:
  EntryEncoder(const Node& root, const Type& ptype, bool v3)
      : root_(root), ptype_(ptype), v3_(v3) {}

  Status Encode(const ManifestEntry& entry, Encoder* e) const {
    return Encode(entry.status, entry.snapshot_id, entry.sequence_number,
                  entry.file_sequence_number, entry.data_file, e);
  }

  Status Encode(EntryStatus status, const std::optional<int64_t>& snapshot_id,
                const std::optional<int64_t>& seq, const std::optional<int64_t>& file_seq,
                const DataFile& file, Encoder* e) const {
    for (const avro::Field& f : root_.fields) {
      switch (FieldId(f)) {
        case 0:
          e->WriteInt(static_cast<int32_t>(status));
          break;
        case 1:
          OptionalLong(f.type, snapshot_id, e);
          break;
        case 3:
          OptionalLong(f.type, seq, e);
          break;
        case 4:
          OptionalLong(f.type, file_seq, e);
          break;
        case 2:
          ATOLL_RETURN_NOT_OK(EncodeDataFile(*f.type, file, e));
          break;
        default:
          return Internal("manifest encoder: unknown entry field '", f.name, "'");
      }
    }
    return Status::OK();
  }

 private:
  static void OptionalLong(const Node* node, const std::optional<int64_t>& v, Encoder* e) {
    if (Branch(node, v.has_value(), e)) e->WriteLong(*v);
  }

  Status EncodeDataFile(const Node& rec, const DataFile& f, Encoder* e) const {
    std::string what = "data file '" + f.file_path + "'";
    if (!v3_ && (f.first_row_id || f.content_offset || f.content_size_in_bytes)) {
      return InvalidArgument(
          what, ": first_row_id/content_offset/content_size_in_bytes need a v3 manifest");
    }
    for (const avro::Field& field : rec.fields) {
      const Node* n = field.type;
      switch (FieldId(field)) {
        case 134:
          e->WriteInt(static_cast<int32_t>(f.content));
          break;
        case 100:
          e->WriteBytes(f.file_path);
          break;
        case 101:
          e->WriteBytes(f.file_format);
          break;
        case 102:
          ATOLL_RETURN_NOT_OK_CTX(EncodePartition(*n, f.partition, e), what);
          break;
        case 103:
          e->WriteLong(f.record_count);
          break;
        case 104:
          e->WriteLong(f.file_size_in_bytes);
          break;
        case 108:
          WriteLongMap(n, f.column_sizes, e);
          break;
        case 109:
          WriteLongMap(n, f.value_counts, e);
          break;
        case 110:
          WriteLongMap(n, f.null_value_counts, e);
          break;
        case 137:
          WriteLongMap(n, f.nan_value_counts, e);
          break;
        case 125:
          WriteBytesMap(n, f.lower_bounds, e);
          break;
        case 128:
          WriteBytesMap(n, f.upper_bounds, e);
          break;
        case 131:
          if (Branch(n, f.key_metadata.has_value(), e)) e->WriteBytes(*f.key_metadata);
          break;
        case 132:
          if (Branch(n, !f.split_offsets.empty(), e)) {
            e->WriteLong(static_cast<int64_t>(f.split_offsets.size()));
            for (int64_t o : f.split_offsets) e->WriteLong(o);
            e->WriteLong(0);
          }
          break;
        case 135:
          if (Branch(n, !f.equality_ids.empty(), e)) {
            e->WriteLong(static_cast<int64_t>(f.equality_ids.size()));
            for (int32_t id : f.equality_ids) e->WriteInt(id);
            e->WriteLong(0);
          }
          break;
        case 140:
          if (Branch(n, f.sort_order_id.has_value(), e)) e->WriteInt(*f.sort_order_id);
          break;
        case 143:
          if (Branch(n, f.referenced_data_file.has_value(), e))
            e->WriteBytes(*f.referenced_data_file);
          break;
        case 142:
          OptionalLong(n, f.first_row_id, e);
          break;
        case 144:
          OptionalLong(n, f.content_offset, e);
          break;
        case 145:
          OptionalLong(n, f.content_size_in_bytes, e);
          break;
        default:
          return Internal("manifest encoder: unknown data_file field '", field.name, "'");
      }
    }
    return Status::OK();
  }

  Status EncodePartition(const Node& rec, const std::vector<Literal>& values, Encoder* e) const {
    if (values.size() != rec.fields.size()) {
      return InvalidArgument("partition tuple has ", values.size(), " values, spec has ",
                             rec.fields.size(), " fields");
    }
    for (size_t i = 0; i < values.size(); ++i) {
      const NestedField& pf = ptype_.fields()[i];
      if (!TypesEqual(values[i].type(), pf.type)) {
        return InvalidArgument("partition value ", i, " has type ", values[i].type()->ToString(),
                               ", partition field '", pf.name, "' has type ", pf.type->ToString());
      }
      const Node* n = Branch(rec.fields[i].type, !values[i].is_null(), e);
      if (n) ATOLL_RETURN_NOT_OK(WriteLiteral(values[i], *n, e));
    }
    return Status::OK();
  }

  const Node& root_;
  const Type& ptype_;
  bool v3_;  // the schema has the v3 data_file fields
};

}  // namespace

namespace {

// Encodes `count` entries produced by `encode_one(i, encoder, e)`.
template <typename F>
Result<std::string> EncodeWith(const Schema& schema, const PartitionSpec& spec, size_t count,
                               const ManifestEncodeOptions& options, F&& encode_one) {
  ManifestWriteOptions header_options;
  header_options.codec = options.codec;
  header_options.content = options.content;
  header_options.format_version = options.format_version;
  header_options.sync_marker = options.sync_marker ? *options.sync_marker : RandomSync();
  const std::string sync = *header_options.sync_marker;
  // The header: a container of no entries (the writer writes no block for it).
  ATOLL_ASSIGN_OR_RETURN(std::string out, WriteManifest(schema, spec, {}, header_options));
  ATOLL_ASSIGN_OR_RETURN(auto reader, avro::Reader::OpenBuffer(out, "manifest header"));
  ATOLL_ASSIGN_OR_RETURN(TypePtr ptype, spec.PartitionType(schema));
  EntryEncoder encoder(reader->schema()->root(), *ptype, options.format_version >= 3);

  std::string block, compressed, head;
  int64_t rows = 0;
  auto flush = [&]() -> Status {
    if (rows == 0) return Status::OK();
    ATOLL_RETURN_NOT_OK(avro::Compress(options.codec, block, options.deflate_level, &compressed));
    head.clear();
    Encoder h(&head);
    h.WriteLong(rows);
    h.WriteLong(static_cast<int64_t>(compressed.size()));
    out += head;
    out += compressed;
    out += sync;
    block.clear();
    rows = 0;
    return Status::OK();
  };
  block.reserve(kBlockBytes + 4096);
  Encoder e(&block);
  for (size_t i = 0; i < count; ++i) {
    Status st = encode_one(i, encoder, &e);
    if (!st.ok()) return st.WithContext("writing a manifest");
    ++rows;
    if (block.size() >= kBlockBytes) ATOLL_RETURN_NOT_OK(flush());
  }
  ATOLL_RETURN_NOT_OK(flush());
  return out;
}

}  // namespace

Result<std::string> EncodeManifest(const Schema& schema, const PartitionSpec& spec,
                                   const std::vector<ManifestEntry>& entries,
                                   const ManifestEncodeOptions& options) {
  return EncodeWith(
      schema, spec, entries.size(), options,
      [&](size_t i, const EntryEncoder& enc, Encoder* e) { return enc.Encode(entries[i], e); });
}

Result<std::string> EncodeAddedManifest(const Schema& schema, const PartitionSpec& spec,
                                        const DataFile* files, size_t count, int64_t snapshot_id,
                                        const ManifestEncodeOptions& options) {
  const std::optional<int64_t> id = snapshot_id;
  return EncodeWith(
      schema, spec, count, options, [&](size_t i, const EntryEncoder& enc, Encoder* e) {
        return enc.Encode(EntryStatus::kAdded, id, std::nullopt, std::nullopt, files[i], e);
      });
}

}  // namespace atl::iceberg
