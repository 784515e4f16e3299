#include "atoll/stream/record_json.h"

#include <nlohmann/json.hpp>

namespace atl::stream {

Status AppendJsonLine(const KafkaRecord& record, const lake::JsonLimits& limits, std::string* out) {
  if (record.value.empty()) return InvalidArgument("empty record (no value)");
  if (record.value.size() > limits.max_document_bytes) {
    return InvalidArgument("record of ", record.value.size(), " bytes is longer than ",
                           limits.max_document_bytes, " (prepare.max_line_bytes)");
  }
  lake::JsonScanner scanner(lake::JsonLayout::kAuto, limits);
  ATOLL_RETURN_NOT_OK(scanner.Feed(record.value));
  nlohmann::ordered_json doc;
  try {
    doc = nlohmann::ordered_json::parse(record.value);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument("not JSON: ", e.what());
  }
  if (!doc.is_object()) return InvalidArgument("not a JSON object (", doc.type_name(), ")");
  for (std::string_view name : kMetadataColumns) {
    if (doc.contains(name)) {
      return InvalidArgument("the record has a field ", name, ", which atoll stream adds itself");
    }
  }
  doc[std::string(kMetadataColumns[0])] = record.topic;
  doc[std::string(kMetadataColumns[1])] = record.partition;
  doc[std::string(kMetadataColumns[2])] = record.offset;
  if (record.timestamp_ms >= 0) {
    doc[std::string(kMetadataColumns[3])] = record.timestamp_ms;
  } else {
    doc[std::string(kMetadataColumns[3])] = nullptr;
  }
  try {
    *out += doc.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::strict);
  } catch (const nlohmann::json::exception& e) {
    return InvalidArgument("not valid UTF-8: ", e.what());
  }
  *out += '\n';
  return Status::OK();
}

std::string RowsQuery(const std::string& reader) {
  // sql-checked: `reader` is ReaderSql's (quoted paths and options); the rest is literal.
  return StrCat(
      "SELECT * REPLACE (CAST(_kafka_partition AS INTEGER) AS _kafka_partition, "
      "CAST(_kafka_offset AS BIGINT) AS _kafka_offset, "
      "CAST(to_timestamp(CAST(_kafka_timestamp AS BIGINT) / 1000.0) AS TIMESTAMPTZ) AS "
      "_kafka_timestamp) FROM ",
      reader);
}

}  // namespace atl::stream
