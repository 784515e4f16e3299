// Kafka records as rows: each record's value, a JSON object, becomes one line of a
// newline-JSON batch file with the record's metadata fields added, which DuckDB then reads
// with prepare/'s JSON reader (ingest/reader_sql.h: the same type inference).
//
// Metadata fields (names in kMetadataColumns): `_kafka_topic` (string), `_kafka_partition`,
// `_kafka_offset`, `_kafka_timestamp` (milliseconds since the epoch, null when the record
// has none; RowsQuery makes it a timestamptz). A record is refused (kInvalidArgument, the
// reason for its reject) when its value is empty, not JSON, not an object, nested deeper
// than the lake's prepare.max_json_depth, longer than prepare.max_line_bytes, or holds one of
// the metadata names itself.
//
// Thread safety: pure functions.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/ingest/json_guard.h"

namespace atl::stream {

inline constexpr std::array<std::string_view, 4> kMetadataColumns = {
    "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp"};

struct KafkaRecord {
  std::string_view topic;
  int32_t partition = 0;
  int64_t offset = 0;
  int64_t timestamp_ms = -1;  // -1: none
  std::string_view value;
};

// Appends the record's line (ending in '\n') to *out, or returns why it cannot be a row
// (*out unchanged).
Status AppendJsonLine(const KafkaRecord& record, const lake::JsonLimits& limits, std::string* out);

// The SELECT of a batch file's rows given `reader` (the DuckDB reader of the file,
// ReaderSql::Reader): the metadata columns typed (INTEGER partition, BIGINT offset,
// TIMESTAMPTZ timestamp).
std::string RowsQuery(const std::string& reader);

}  // namespace atl::stream
