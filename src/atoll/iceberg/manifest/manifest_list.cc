#include "atoll/iceberg/manifest/manifest_list.h"

#include "atoll/formats/avro/reader.h"
#include "atoll/formats/avro/writer.h"
#include "atoll/iceberg/json_util.h"
#include "atoll/iceberg/manifest/manifest_avro.h"

namespace atl::iceberg {

namespace ma = manifest_avro;
using AJson = avro::Json;
using avro::Node;
using avro::Value;

namespace {

Result<std::optional<int32_t>> GetInt(const Node& rec, const Value& v, int id,
                                      std::string_view what) {
  ATOLL_ASSIGN_OR_RETURN(auto n, ma::GetLong(rec, v, id, what));
  if (!n) return std::optional<int32_t>();
  return std::optional<int32_t>(static_cast<int32_t>(*n));
}

Result<ManifestFile> ParseManifestFile(const Node& rec, const Value& v, std::string_view what) {
  ManifestFile m;
  ATOLL_ASSIGN_OR_RETURN(m.manifest_path, ma::RequireString(rec, v, 500, what));
  ATOLL_ASSIGN_OR_RETURN(m.manifest_length, ma::RequireLong(rec, v, 501, what));
  ATOLL_ASSIGN_OR_RETURN(int64_t spec_id, ma::RequireLong(rec, v, 502, what));
  m.partition_spec_id = static_cast<int32_t>(spec_id);
  ATOLL_ASSIGN_OR_RETURN(auto content, ma::GetLong(rec, v, 517, what));
  if (content && *content != 0 && *content != 1)
    return Corruption(what, ": manifest content ", *content, " is not 0 or 1");
  m.content = content.value_or(0) == 1 ? ManifestContent::kDeletes : ManifestContent::kData;
  ATOLL_ASSIGN_OR_RETURN(auto seq, ma::GetLong(rec, v, 515, what));
  ATOLL_ASSIGN_OR_RETURN(auto min_seq, ma::GetLong(rec, v, 516, what));
  m.sequence_number = seq.value_or(0);
  m.min_sequence_number = min_seq.value_or(0);
  ATOLL_ASSIGN_OR_RETURN(m.added_snapshot_id, ma::GetLong(rec, v, 503, what));
  ATOLL_ASSIGN_OR_RETURN(m.added_files_count, GetInt(rec, v, 504, what));
  ATOLL_ASSIGN_OR_RETURN(m.existing_files_count, GetInt(rec, v, 505, what));
  ATOLL_ASSIGN_OR_RETURN(m.deleted_files_count, GetInt(rec, v, 506, what));
  ATOLL_ASSIGN_OR_RETURN(m.added_rows_count, ma::GetLong(rec, v, 512, what));
  ATOLL_ASSIGN_OR_RETURN(m.existing_rows_count, ma::GetLong(rec, v, 513, what));
  ATOLL_ASSIGN_OR_RETURN(m.deleted_rows_count, ma::GetLong(rec, v, 514, what));
  ATOLL_ASSIGN_OR_RETURN(m.key_metadata, ma::GetBytes(rec, v, 519, what));
  ATOLL_ASSIGN_OR_RETURN(m.first_row_id, ma::GetLong(rec, v, 520, what));
  if (auto parts = ma::Get(rec, v, 507)) {
    if (parts->value->type() != avro::Type::kArray ||
        parts->node->items->type != avro::Type::kRecord) {
      return Corruption(what, ": partitions (field id 507) is not an array of records");
    }
    const Node& fs = *parts->node->items;
    for (const Value& item : parts->value->items()) {
      FieldSummary s;
      ATOLL_ASSIGN_OR_RETURN(auto contains_null, ma::GetBool(fs, item, 509, what));
      if (!contains_null) return Corruption(what, ": field summary without contains_null (509)");
      s.contains_null = *contains_null;
      ATOLL_ASSIGN_OR_RETURN(s.contains_nan, ma::GetBool(fs, item, 518, what));
      ATOLL_ASSIGN_OR_RETURN(s.lower_bound, ma::GetBytes(fs, item, 510, what));
      ATOLL_ASSIGN_OR_RETURN(s.upper_bound, ma::GetBytes(fs, item, 511, what));
      m.partitions.push_back(std::move(s));
    }
  }
  return m;
}

AJson ManifestListSchemaJson(int format_version) {
  AJson summary = {{"type", "record"},
                   {"name", "r508"},
                   {"fields", AJson::array({ma::Required("contains_null", "boolean", 509),
                                            ma::Optional("contains_nan", "boolean", 518),
                                            ma::Optional("lower_bound", "bytes", 510),
                                            ma::Optional("upper_bound", "bytes", 511)})}};
  AJson partitions = {{"type", "array"}, {"items", std::move(summary)}, {"element-id", 508}};
  AJson out{{"type", "record"},
            {"name", "manifest_file"},
            {"fields", AJson::array({ma::Required("manifest_path", "string", 500),
                                     ma::Required("manifest_length", "long", 501),
                                     ma::Required("partition_spec_id", "int", 502),
                                     ma::Required("content", "int", 517),
                                     ma::Required("sequence_number", "long", 515),
                                     ma::Required("min_sequence_number", "long", 516),
                                     ma::Required("added_snapshot_id", "long", 503),
                                     ma::Required("added_files_count", "int", 504),
                                     ma::Required("existing_files_count", "int", 505),
                                     ma::Required("deleted_files_count", "int", 506),
                                     ma::Required("added_rows_count", "long", 512),
                                     ma::Required("existing_rows_count", "long", 513),
                                     ma::Required("deleted_rows_count", "long", 514),
                                     ma::Optional("partitions", std::move(partitions), 507),
                                     ma::Optional("key_metadata", "bytes", 519)})}};
  if (format_version >= 3) out["fields"].push_back(ma::Optional("first_row_id", "long", 520));
  return out;
}

}  // namespace

Result<ManifestList> ReadManifestList(std::string_view bytes, std::string_view name) {
  std::string what = "manifest list '" + std::string(name) + "'";
  ATOLL_ASSIGN_OR_RETURN(auto reader,
                         avro::Reader::OpenBuffer(std::string(bytes), std::string(name)));
  ManifestList out;
  ATOLL_ASSIGN_OR_RETURN(out.format_version,
                         ma::ParseFormatVersion(reader->Metadata("format-version"), what));
  const Node& root = reader->schema()->root();
  if (root.type != avro::Type::kRecord)
    return Corruption(what, ": the Avro schema is not a record");
  Value row;
  for (;;) {
    ATOLL_ASSIGN_OR_RETURN(bool more, reader->Next(&row));
    if (!more) break;
    std::string row_what = what + " entry " + std::to_string(out.manifests.size());
    ATOLL_ASSIGN_OR_RETURN(ManifestFile m, ParseManifestFile(root, row, row_what));
    out.manifests.push_back(std::move(m));
  }
  return out;
}

Result<std::string> WriteManifestList(const std::vector<ManifestFile>& manifests,
                                      const ManifestListWriteOptions& options) {
  const int version = options.format_version;
  if (version != 2 && version != 3) {
    return InvalidArgument("cannot write a format version ", version, " manifest list");
  }
  ATOLL_ASSIGN_OR_RETURN(avro::SchemaPtr schema,
                         avro::Schema::FromJson(ManifestListSchemaJson(version)));
  const Node& root = schema->root();
  const Node* summary_node = nullptr;
  {
    ma::RecordBuilder probe(root);
    summary_node = probe.FieldNode(507)->items;
  }
  std::vector<Value> rows;
  for (const ManifestFile& m : manifests) {
    if (!m.added_snapshot_id || !m.added_files_count || !m.existing_files_count ||
        !m.deleted_files_count || !m.added_rows_count || !m.existing_rows_count ||
        !m.deleted_rows_count) {
      return InvalidArgument(
          "manifest '", m.manifest_path,
          "': a v2 manifest list needs added_snapshot_id and all file and row counts");
    }
    if (m.first_row_id && version < 3) {
      return InvalidArgument("manifest '", m.manifest_path,
                             "': first_row_id needs a v3 manifest list");
    }
    ma::RecordBuilder b(root);
    b.Set(500, Value::String(m.manifest_path));
    b.Set(501, Value::Long(m.manifest_length));
    b.Set(502, Value::Int(m.partition_spec_id));
    b.Set(517, Value::Int(static_cast<int32_t>(m.content)));
    b.Set(515, Value::Long(m.sequence_number));
    b.Set(516, Value::Long(m.min_sequence_number));
    b.Set(503, Value::Long(*m.added_snapshot_id));
    b.Set(504, Value::Int(*m.added_files_count));
    b.Set(505, Value::Int(*m.existing_files_count));
    b.Set(506, Value::Int(*m.deleted_files_count));
    b.Set(512, Value::Long(*m.added_rows_count));
    b.Set(513, Value::Long(*m.existing_rows_count));
    b.Set(514, Value::Long(*m.deleted_rows_count));
    std::vector<Value> summaries;
    for (const FieldSummary& s : m.partitions) {
      ma::RecordBuilder sb(*summary_node);
      sb.Set(509, Value::Boolean(s.contains_null));
      if (s.contains_nan) sb.Set(518, Value::Boolean(*s.contains_nan));
      if (s.lower_bound) sb.Set(510, Value::Bytes(*s.lower_bound));
      if (s.upper_bound) sb.Set(511, Value::Bytes(*s.upper_bound));
      summaries.push_back(std::move(sb).Build());
    }
    b.Set(507, Value::Array(std::move(summaries)));
    if (m.key_metadata) b.Set(519, Value::Bytes(*m.key_metadata));
    if (m.first_row_id) b.Set(520, Value::Long(*m.first_row_id));
    rows.push_back(std::move(b).Build());
  }
  avro::WriterOptions wo;
  wo.codec = options.codec;
  wo.sync_marker = options.sync_marker;
  wo.metadata = {
      {"snapshot-id", std::to_string(options.snapshot_id)},
      {"parent-snapshot-id",
       options.parent_snapshot_id ? std::to_string(*options.parent_snapshot_id) : "null"},
      {"sequence-number", std::to_string(options.sequence_number)},
      {"format-version", std::to_string(version)}};
  if (version >= 3) {
    wo.metadata.emplace_back("first-row-id", options.first_row_id
                                                 ? std::to_string(*options.first_row_id)
                                                 : std::string("null"));
  }
  return avro::WriteToString(std::move(schema), rows, std::move(wo))
      .WithContext("writing a manifest list");
}

int64_t AssignFirstRowIds(std::vector<ManifestFile>* manifests, int64_t next_row_id) {
  for (ManifestFile& m : *manifests) {
    if (m.content != ManifestContent::kData || m.first_row_id) continue;
    m.first_row_id = next_row_id;
    next_row_id += m.added_rows_count.value_or(0) + m.existing_rows_count.value_or(0);
  }
  return next_row_id;
}

}  // namespace atl::iceberg
