#include "atoll/iceberg/manifest/manifest.h"

#include <cctype>
#include <cmath>

#include "atoll/formats/avro/reader.h"
#include "atoll/formats/avro/writer.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/manifest/manifest_avro.h"
#include "atoll/iceberg/manifest/manifest_decoder.h"

namespace atl::iceberg {

namespace ma = manifest_avro;
using AJson = avro::Json;
using avro::LogicalType;
using avro::Node;
using avro::Value;

namespace {

// ---- partition values: Avro <-> Literal ----

// Bytes a decimal of `precision` digits needs as a two's complement fixed.
int DecimalBytes(int precision) {
  return static_cast<int>(std::ceil((precision * std::log2(10.0) + 1) / 8));
}

Result<AJson> AvroTypeFor(const Type& t, const std::string& name) {
  switch (t.id()) {
    case TypeId::kBoolean:
      return AJson("boolean");
    case TypeId::kInt:
      return AJson("int");
    case TypeId::kLong:
      return AJson("long");
    case TypeId::kFloat:
      return AJson("float");
    case TypeId::kDouble:
      return AJson("double");
    case TypeId::kString:
      return AJson("string");
    case TypeId::kBinary:
      return AJson("bytes");
    case TypeId::kDate:
      return AJson{{"type", "int"}, {"logicalType", "date"}};
    case TypeId::kTime:
      return AJson{{"type", "long"}, {"logicalType", "time-micros"}};
    case TypeId::kTimestamp:
    case TypeId::kTimestampTz:
      return AJson{{"type", "long"},
                   {"logicalType", "timestamp-micros"},
                   {"adjust-to-utc", t.id() == TypeId::kTimestampTz}};
    case TypeId::kUuid:
      return AJson{{"type", "fixed"}, {"name", name}, {"size", 16}, {"logicalType", "uuid"}};
    case TypeId::kFixed:
      return AJson{{"type", "fixed"}, {"name", name}, {"size", t.length()}};
    case TypeId::kDecimal:
      return AJson{{"type", "fixed"},
                   {"name", name},
                   {"size", DecimalBytes(t.precision())},
                   {"logicalType", "decimal"},
                   {"precision", t.precision()},
                   {"scale", t.scale()}};
    default:
      return NotSupported("writing partition values of type ", t.ToString());
  }
}

Result<Value> LiteralToAvro(const Literal& lit, const Node& node) {
  const auto& v = lit.value();
  switch (lit.type()->id()) {
    case TypeId::kBoolean:
      return Value::Boolean(std::get<bool>(v));
    case TypeId::kInt:
    case TypeId::kDate:
      return Value::Int(std::get<int32_t>(v));
    case TypeId::kFloat:
      return Value::Float(std::get<float>(v));
    case TypeId::kDouble:
      return Value::Double(std::get<double>(v));
    case TypeId::kString:
      return Value::String(std::get<std::string>(v));
    case TypeId::kBinary:
      return Value::Bytes(std::get<std::string>(v));
    case TypeId::kUuid:
    case TypeId::kFixed:
      return Value::Fixed(std::get<std::string>(v));
    case TypeId::kDecimal: {
      ATOLL_ASSIGN_OR_RETURN(std::string minimal, LiteralToBytes(lit));
      if (minimal.size() > node.fixed_size)
        return InvalidArgument("decimal ", lit.ToString(), " does not fit its precision");
      char pad = (static_cast<uint8_t>(minimal[0]) & 0x80) ? '\xff' : '\0';
      return Value::Fixed(std::string(node.fixed_size - minimal.size(), pad) + minimal);
    }
    default:
      return Value::Long(std::get<int64_t>(v));
  }
}

// ---- schema ----

AJson ManifestEntrySchema(const Type& ptype, int format_version) {
  AJson pfields = AJson::array();
  for (const NestedField& f : ptype.fields()) {
    pfields.push_back(
        ma::Optional(f.name, *AvroTypeFor(*f.type, "p" + std::to_string(f.id) + "_type"), f.id));
  }
  AJson partition = {{"type", "record"}, {"name", "r102"}, {"fields", std::move(pfields)}};
  AJson data_file = {
      {"type", "record"},
      {"name", "r2"},
      {"fields",
       AJson::array({ma::Required("content", "int", 134), ma::Required("file_path", "string", 100),
                     ma::Required("file_format", "string", 101),
                     ma::Required("partition", std::move(partition), 102),
                     ma::Required("record_count", "long", 103),
                     ma::Required("file_size_in_bytes", "long", 104),
                     ma::Optional("column_sizes", ma::IntKeyMap(117, 118, "long"), 108),
                     ma::Optional("value_counts", ma::IntKeyMap(119, 120, "long"), 109),
                     ma::Optional("null_value_counts", ma::IntKeyMap(121, 122, "long"), 110),
                     ma::Optional("nan_value_counts", ma::IntKeyMap(138, 139, "long"), 137),
                     ma::Optional("lower_bounds", ma::IntKeyMap(126, 127, "bytes"), 125),
                     ma::Optional("upper_bounds", ma::IntKeyMap(129, 130, "bytes"), 128),
                     ma::Optional("key_metadata", "bytes", 131),
                     ma::Optional("split_offsets", ma::List(133, "long"), 132),
                     ma::Optional("equality_ids", ma::List(136, "int"), 135),
                     ma::Optional("sort_order_id", "int", 140)})}};
  AJson& fields = data_file["fields"];
  if (format_version >= 3) fields.push_back(ma::Optional("first_row_id", "long", 142));
  fields.push_back(ma::Optional("referenced_data_file", "string", 143));
  if (format_version >= 3) {
    fields.push_back(ma::Optional("content_offset", "long", 144));
    fields.push_back(ma::Optional("content_size_in_bytes", "long", 145));
  }
  return AJson{{"type", "record"},
               {"name", "manifest_entry"},
               {"fields", AJson::array({ma::Required("status", "int", 0),
                                        ma::Optional("snapshot_id", "long", 1),
                                        ma::Optional("sequence_number", "long", 3),
                                        ma::Optional("file_sequence_number", "long", 4),
                                        ma::Required("data_file", std::move(data_file), 2)})}};
}

// ---- reading ----

Result<DataFile> ParseDataFile(const Node& rec, const Value& v, std::string_view what) {
  DataFile f;
  ATOLL_ASSIGN_OR_RETURN(auto content, ma::GetLong(rec, v, 134, what));
  if (content && (*content < 0 || *content > 2))
    return Corruption(what, ": data file content ", *content, " is not 0, 1 or 2");
  f.content = static_cast<FileContent>(content.value_or(0));
  ATOLL_ASSIGN_OR_RETURN(f.file_path, ma::RequireString(rec, v, 100, what));
  ATOLL_ASSIGN_OR_RETURN(f.file_format, ma::RequireString(rec, v, 101, what));
  if (auto p = ma::Get(rec, v, 102)) {
    ATOLL_ASSIGN_OR_RETURN(f.partition, ma::ReadPartition(*p->node, *p->value, what));
  }
  ATOLL_ASSIGN_OR_RETURN(f.record_count, ma::RequireLong(rec, v, 103, what));
  ATOLL_ASSIGN_OR_RETURN(f.file_size_in_bytes, ma::RequireLong(rec, v, 104, what));
  ATOLL_ASSIGN_OR_RETURN(f.column_sizes, ma::GetIntLongMap(rec, v, 108, what));
  ATOLL_ASSIGN_OR_RETURN(f.value_counts, ma::GetIntLongMap(rec, v, 109, what));
  ATOLL_ASSIGN_OR_RETURN(f.null_value_counts, ma::GetIntLongMap(rec, v, 110, what));
  ATOLL_ASSIGN_OR_RETURN(f.nan_value_counts, ma::GetIntLongMap(rec, v, 137, what));
  ATOLL_ASSIGN_OR_RETURN(f.lower_bounds, ma::GetIntBytesMap(rec, v, 125, what));
  ATOLL_ASSIGN_OR_RETURN(f.upper_bounds, ma::GetIntBytesMap(rec, v, 128, what));
  ATOLL_ASSIGN_OR_RETURN(f.key_metadata, ma::GetBytes(rec, v, 131, what));
  ATOLL_ASSIGN_OR_RETURN(f.split_offsets, ma::GetLongList(rec, v, 132, what));
  ATOLL_ASSIGN_OR_RETURN(auto eq, ma::GetLongList(rec, v, 135, what));
  for (int64_t id : eq) f.equality_ids.push_back(static_cast<int32_t>(id));
  ATOLL_ASSIGN_OR_RETURN(auto sort, ma::GetLong(rec, v, 140, what));
  if (sort) f.sort_order_id = static_cast<int32_t>(*sort);
  ATOLL_ASSIGN_OR_RETURN(f.first_row_id, ma::GetLong(rec, v, 142, what));
  ATOLL_ASSIGN_OR_RETURN(f.referenced_data_file, ma::GetBytes(rec, v, 143, what));
  ATOLL_ASSIGN_OR_RETURN(f.content_offset, ma::GetLong(rec, v, 144, what));
  ATOLL_ASSIGN_OR_RETURN(f.content_size_in_bytes, ma::GetLong(rec, v, 145, what));
  return f;
}

}  // namespace

// Inheritance (spec "Sequence Number Inheritance", "First Row ID Inheritance") for one entry;
// `next_row_id` runs over the manifest's entries in order.
void ManifestReader::Inherit(ManifestEntry* e) {
  if (format_version_ == 1) {
    // No sequence numbers in v1: they are the manifest list's (0 in a v1 list). Writers
    // that omit the header keys (Impala, Flink) are really v2 and inherit the same way.
    int64_t inherited = source_ ? source_->sequence_number : 0;
    if (!e->sequence_number) e->sequence_number = inherited;
    if (!e->file_sequence_number) e->file_sequence_number = inherited;
  }
  if (!source_) return;
  if (!e->snapshot_id) e->snapshot_id = source_->added_snapshot_id;
  if (e->status == EntryStatus::kAdded) {
    if (!e->sequence_number) e->sequence_number = source_->sequence_number;
    if (!e->file_sequence_number) e->file_sequence_number = source_->sequence_number;
  }
  if (next_row_id_ && e->is_live() && e->data_file.content == FileContent::kData &&
      !e->data_file.first_row_id) {
    e->data_file.first_row_id = *next_row_id_;
    *next_row_id_ += e->data_file.record_count;
  }
}

ManifestReader::ManifestReader() = default;
ManifestReader::~ManifestReader() = default;

Result<std::unique_ptr<ManifestReader>> ManifestReader::Open(std::string bytes,
                                                             std::string_view name,
                                                             const ManifestFile* source,
                                                             bool generic) {
  std::unique_ptr<ManifestReader> r(new ManifestReader());
  r->what_ = "manifest '" + std::string(name) + "'";
  r->source_ = source;
  ATOLL_ASSIGN_OR_RETURN(r->avro_, avro::Reader::OpenBuffer(std::move(bytes), std::string(name)));
  ATOLL_ASSIGN_OR_RETURN(r->format_version_,
                         ma::ParseFormatVersion(r->avro_->Metadata("format-version"), r->what_));
  if (auto c = r->avro_->Metadata("content")) {
    r->content_ = *c == "deletes" ? ManifestContent::kDeletes : ManifestContent::kData;
  }
  if (auto id = r->avro_->Metadata("partition-spec-id")) {
    char* end = nullptr;
    long n = std::strtol(id->c_str(), &end, 10);
    if (end != id->c_str() && *end == '\0') r->partition_spec_id_ = static_cast<int32_t>(n);
  }
  const Node& root = r->avro_->schema()->root();
  if (root.type != avro::Type::kRecord)
    return Corruption(r->what_, ": the Avro schema is not a record");
  if (!generic) {
    if (auto d = EntryDecoder::Compile(root))
      r->decoder_ = std::make_unique<EntryDecoder>(std::move(*d));
  }
  // Also for v1/v2 manifests listed by a v3 list (a table upgraded to v3): their files
  // have no first_row_id and inherit one.
  if (source && source->first_row_id) r->next_row_id_ = *source->first_row_id;
  return r;
}

Result<bool> ManifestReader::Next(ManifestEntry* out) {
  *out = ManifestEntry{};
  const uint64_t index = entries_read_;
  if (decoder_) {
    ATOLL_ASSIGN_OR_RETURN(avro::Decoder * d, avro_->NextDatum());
    if (d == nullptr) return false;
    Status st = decoder_->Decode(d, out);
    if (!st.ok())
      return avro_->DatumError(st).WithContext(what_ + " entry " + std::to_string(index));
  } else {
    ATOLL_ASSIGN_OR_RETURN(bool more, avro_->Next(&row_));
    if (!more) return false;
    const Node& root = avro_->schema()->root();
    std::string row_what = what_ + " entry " + std::to_string(index);
    ATOLL_ASSIGN_OR_RETURN(int64_t status, ma::RequireLong(root, row_, 0, row_what));
    if (status < 0 || status > 2)
      return Corruption(row_what, ": status ", status, " is not 0, 1 or 2");
    out->status = static_cast<EntryStatus>(status);
    ATOLL_ASSIGN_OR_RETURN(out->snapshot_id, ma::GetLong(root, row_, 1, row_what));
    ATOLL_ASSIGN_OR_RETURN(out->sequence_number, ma::GetLong(root, row_, 3, row_what));
    ATOLL_ASSIGN_OR_RETURN(out->file_sequence_number, ma::GetLong(root, row_, 4, row_what));
    auto df = ma::Get(root, row_, 2);
    if (!df || df->node->type != avro::Type::kRecord)
      return Corruption(row_what, ": data_file (field id 2) is missing");
    ATOLL_ASSIGN_OR_RETURN(out->data_file, ParseDataFile(*df->node, *df->value, row_what));
  }
  ++entries_read_;
  Inherit(out);
  return true;
}

namespace {
Result<Manifest> ReadWhole(std::string_view bytes, std::string_view name,
                           const ManifestFile* source, bool generic) {
  ATOLL_ASSIGN_OR_RETURN(std::unique_ptr<ManifestReader> reader,
                         ManifestReader::Open(std::string(bytes), name, source, generic));
  Manifest out;
  out.format_version = reader->format_version();
  out.content = reader->content();
  out.partition_spec_id = reader->partition_spec_id();
  for (;;) {
    ManifestEntry e;
    ATOLL_ASSIGN_OR_RETURN(bool more, reader->Next(&e));
    if (!more) break;
    out.entries.push_back(std::move(e));
  }
  return out;
}
}  // namespace

Result<Manifest> ReadManifest(std::string_view bytes, std::string_view name,
                              const ManifestFile* source) {
  return ReadWhole(bytes, name, source, false);
}

Result<Manifest> ReadManifestGeneric(std::string_view bytes, std::string_view name,
                                     const ManifestFile* source) {
  return ReadWhole(bytes, name, source, true);
}

bool IsDeletionVectorFile(const DataFile& f) {
  if (f.content != FileContent::kPositionDeletes) return false;
  if (f.content_offset.has_value()) return true;
  std::string fmt;
  for (char c : f.file_format)
    fmt += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return fmt == "PUFFIN";
}

Result<std::string> WriteManifest(const Schema& schema, const PartitionSpec& spec,
                                  const std::vector<ManifestEntry>& entries,
                                  const ManifestWriteOptions& options) {
  const int version = options.format_version;
  if (version != 2 && version != 3) {
    return InvalidArgument("cannot write a format version ", version, " manifest");
  }
  ATOLL_ASSIGN_OR_RETURN(TypePtr ptype, spec.PartitionType(schema));
  for (const NestedField& f : ptype->fields()) {
    ATOLL_RETURN_NOT_OK_CTX(AvroTypeFor(*f.type, "").status(), "partition field '" + f.name + "'");
  }
  ATOLL_ASSIGN_OR_RETURN(avro::SchemaPtr avro_schema,
                         avro::Schema::FromJson(ManifestEntrySchema(*ptype, version)));
  const Node& root = avro_schema->root();
  const Node* df_node = ma::RecordBuilder(root).FieldNode(2);
  const Node* part_node = ma::RecordBuilder(*df_node).FieldNode(102);
  std::vector<Value> rows;
  for (const ManifestEntry& e : entries) {
    const DataFile& f = e.data_file;
    std::string what = "data file '" + f.file_path + "'";
    if (version < 3 && (f.first_row_id || f.content_offset || f.content_size_in_bytes)) {
      return InvalidArgument(
          what, ": first_row_id/content_offset/content_size_in_bytes need a v3 manifest");
    }
    if (f.partition.size() != part_node->fields.size()) {
      return InvalidArgument(what, ": partition tuple has ", f.partition.size(),
                             " values, spec has ", part_node->fields.size(), " fields");
    }
    ma::RecordBuilder p(*part_node);
    for (size_t i = 0; i < f.partition.size(); ++i) {
      const NestedField& field = ptype->fields()[i];
      if (!TypesEqual(f.partition[i].type(), field.type)) {
        return InvalidArgument(what, ": partition value ", i, " has type ",
                               f.partition[i].type()->ToString(), ", partition field '", field.name,
                               "' has type ", field.type->ToString());
      }
      if (f.partition[i].is_null()) continue;
      int id = static_cast<int>(part_node->fields[i].IntAttribute("field-id").value_or(-1));
      ATOLL_ASSIGN_OR_RETURN_CTX(Value v, LiteralToAvro(f.partition[i], *p.FieldNode(id)), what);
      p.Set(id, std::move(v));
    }
    ma::RecordBuilder d(*df_node);
    d.Set(134, Value::Int(static_cast<int32_t>(f.content)));
    d.Set(100, Value::String(f.file_path));
    d.Set(101, Value::String(f.file_format));
    d.Set(102, std::move(p).Build());
    d.Set(103, Value::Long(f.record_count));
    d.Set(104, Value::Long(f.file_size_in_bytes));
    if (!f.column_sizes.empty()) d.Set(108, ma::IntLongMapValue(f.column_sizes));
    if (!f.value_counts.empty()) d.Set(109, ma::IntLongMapValue(f.value_counts));
    if (!f.null_value_counts.empty()) d.Set(110, ma::IntLongMapValue(f.null_value_counts));
    if (!f.nan_value_counts.empty()) d.Set(137, ma::IntLongMapValue(f.nan_value_counts));
    if (!f.lower_bounds.empty()) d.Set(125, ma::IntBytesMapValue(f.lower_bounds));
    if (!f.upper_bounds.empty()) d.Set(128, ma::IntBytesMapValue(f.upper_bounds));
    if (f.key_metadata) d.Set(131, Value::Bytes(*f.key_metadata));
    if (!f.split_offsets.empty()) {
      std::vector<Value> items;
      for (int64_t o : f.split_offsets) items.push_back(Value::Long(o));
      d.Set(132, Value::Array(std::move(items)));
    }
    if (!f.equality_ids.empty()) {
      std::vector<Value> items;
      for (int32_t id : f.equality_ids) items.push_back(Value::Int(id));
      d.Set(135, Value::Array(std::move(items)));
    }
    if (f.sort_order_id) d.Set(140, Value::Int(*f.sort_order_id));
    if (f.referenced_data_file) d.Set(143, Value::String(*f.referenced_data_file));
    if (f.first_row_id) d.Set(142, Value::Long(*f.first_row_id));
    if (f.content_offset) d.Set(144, Value::Long(*f.content_offset));
    if (f.content_size_in_bytes) d.Set(145, Value::Long(*f.content_size_in_bytes));
    ma::RecordBuilder r(root);
    r.Set(0, Value::Int(static_cast<int32_t>(e.status)));
    r.SetOptionalLong(1, e.snapshot_id);
    r.SetOptionalLong(3, e.sequence_number);
    r.SetOptionalLong(4, e.file_sequence_number);
    r.Set(2, std::move(d).Build());
    rows.push_back(std::move(r).Build());
  }
  avro::WriterOptions wo;
  wo.codec = options.codec;
  wo.sync_marker = options.sync_marker;
  wo.metadata = {{"schema", schema.ToJson().dump()},
                 {"schema-id", std::to_string(schema.schema_id())},
                 {"partition-spec", spec.ToJson()["fields"].dump()},
                 {"partition-spec-id", std::to_string(spec.spec_id)},
                 {"format-version", std::to_string(version)},
                 {"content", options.content == ManifestContent::kDeletes ? "deletes" : "data"}};
  return avro::WriteToString(std::move(avro_schema), rows, std::move(wo))
      .WithContext("writing a manifest");
}

}  // namespace atl::iceberg
