// Lake settings: the JSON document at `_atoll/settings.json` in the lake's bucket, so that
// every machine pointed at the bucket behaves the same (schema: docs/lake.md).
//
//   {"format": "atoll-lake-settings", "version": 1,
//    "zones": {"prepare": "prepare", "load": "load", "stg": "stg", ...},
//    "landing": {"partition_by": ["day(_etl_loaded_at)"], "target_file_size_bytes": 134217728},
//    "catalog": "in-bucket",
//    "prepare": {"batch_target_bytes": ..., "tables": {"shop.orders": {"delimiter": ";"}}}}
//
// Parsing is strict: an unknown key, a value of the wrong JSON type or an invalid value is
// kInvalidArgument naming the key by its path ("prepare.tables.shop.orders.delimitr").
// Keys that are absent take their defaults, so a document written by an older atoll (or
// by hand, with only a few keys) is complete after parsing. A document whose "version" is
// newer than kSettingsVersion is kNotSupported.
//
// Thread safety: plain values; the functions are pure.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "atoll/common/result.h"

namespace atl::lake {

inline constexpr int kSettingsVersion = 1;
inline constexpr std::string_view kSettingsFormat = "atoll-lake-settings";
// Where the settings live inside the lake's store.
inline constexpr std::string_view kSettingsKey = "_atoll/settings.json";

// The top-level folder of each zone. Every name is one key segment ([A-Za-z0-9._-], not
// starting with '.'), and the names are distinct.
struct Zones {
  std::string prepare = "prepare";
  std::string load = "load";
  std::string stg = "stg";
  std::string tmp = "tmp";
  std::string prd = "prd";
  std::string trail = "trail";
  std::string stats = "stats";
  std::string log = "log";
  std::string queries = "queries";
  std::string assets = "assets";
  std::string rejected = "_rejected";

  bool operator==(const Zones&) const = default;
};

// The zone names in document order, as (key, value) pairs.
std::vector<std::pair<std::string_view, const std::string*>> ZoneList(const Zones& zones);

// How prepare/ reads the files of one table. Every field is optional: absent fields fall
// back to PrepareSettings::defaults, then to detection (format by extension or content,
// CSV dialect and column types by DuckDB's sniffer).
struct TableOptions {
  std::optional<std::string> format;            // csv, tsv, json, ndjson, avro, parquet
  std::optional<std::string> delimiter;         // CSV: one character (or "\t")
  std::optional<bool> header;                   // CSV: first line holds the names
  std::optional<std::string> quote;             // CSV: one character, "" = none
  std::optional<std::string> escape;            // CSV: one character
  std::optional<std::string> null_string;       // CSV: the text read as NULL
  std::optional<std::string> timestamp_format;  // CSV/JSON: strptime format, e.g. "%d/%m/%Y %H:%M"
  std::optional<std::string> date_format;       // CSV/JSON: strptime format
  // Types for some columns (the others are detected): {"price": "DECIMAL(12,2)"}.
  std::vector<std::pair<std::string, std::string>> column_types;
  // The complete schema, in order (no detection at all); CSV and JSON only.
  std::vector<std::pair<std::string, std::string>> columns;

  bool operator==(const TableOptions&) const = default;
};

struct PrepareSettings {
  // Input bytes (as stored, before decompression) gathered into one output file.
  uint64_t batch_target_bytes = uint64_t{128} << 20;
  int max_files_per_batch = 1000;
  // A file whose decompressed content exceeds this is rejected (decompression bombs).
  uint64_t max_decompressed_bytes = uint64_t{4} << 30;
  // Longest CSV line / JSON document accepted.
  uint64_t max_line_bytes = uint64_t{16} << 20;
  // JSON and NDJSON files nested deeper than this are rejected before DuckDB reads them
  // (its reader recurses per level: json_guard.h). 1 to 1000.
  int max_json_depth = 64;
  // Files of prepare/ modified less than this long ago (milliseconds; by the store's
  // mtime) are left for a later run: a writer that pauses for less than this is never read
  // half-way. 0: files are taken at once; a file changing while it is read is still left
  // (source_check.h). In the document: "30s", "500ms", "2m", or a number of seconds.
  int64_t min_age_ms = 0;
  // DuckDB memory limit of prepare and ingest ("1GB"); DuckDB spills beyond it, so the
  // process stays near this size whatever the input (peak RSS goal: 1.5 GB).
  std::string memory_limit = "1GB";
  TableOptions defaults;
  std::map<std::string, TableOptions> tables;  // by "<db>.<table>"

  bool operator==(const PrepareSettings&) const = default;
};

struct Settings {
  int version = kSettingsVersion;
  Zones zones;
  // Partition fields of the tables landed in the stg zone, as Iceberg transforms:
  // "col" (identity), "year(col)", "month(col)", "day(col)", "hour(col)",
  // "bucket(N, col)", "truncate(W, col)". Empty: unpartitioned.
  std::vector<std::string> partition_by = {"day(_etl_loaded_at)"};
  uint64_t target_file_size_bytes = uint64_t{128} << 20;
  // "in-bucket", "sqlite:<path>", "sqlite:///abs/path", "postgresql://..." / "postgres://...".
  std::string catalog = "in-bucket";
  PrepareSettings prepare;

  bool operator==(const Settings&) const = default;

  // Checks every rule above; kInvalidArgument naming the key.
  Status Validate() const;

  // The options for one table: its entry in prepare.tables over prepare.defaults.
  TableOptions OptionsFor(std::string_view db, std::string_view table) const;
};

// Parses a settings document (see the top of this file).
Result<Settings> ParseSettings(std::string_view json_text);

// The document for `settings`: every key, pretty-printed, keys in a fixed order, so equal
// settings give equal text.
std::string SettingsToJson(const Settings& settings);

// "128MiB", "512MB", "1GiB", "4096", "2k" → bytes. kInvalidArgument otherwise.
Result<uint64_t> ParseByteSize(std::string_view text);

// "500ms", "30s", "2m", "1h", "45" (seconds) → milliseconds. kInvalidArgument otherwise.
Result<int64_t> ParseDurationMs(std::string_view text);
// 30000 → "30s", 1500 → "1500ms".
std::string FormatDurationMs(int64_t ms);

// Splits "day(ts), bucket(8, id)" at the top-level commas and checks each transform.
// "none" or "" gives an empty list.
Result<std::vector<std::string>> ParsePartitionList(std::string_view text);

// Checks one partition transform expression (see Settings::partition_by).
Status ValidatePartitionField(std::string_view field);

}  // namespace atl::lake
