// Input files of prepare/: format detection and fetching into a local file.
//
// Formats are detected from the key's extension (".csv", ".tsv", ".json", ".ndjson",
// ".jsonl", ".avro", ".parquet", each text format optionally followed by ".gz"/".gzip" or
// ".zst"/".zstd"); when the extension says nothing, from the content: gzip and zstd
// magic numbers, "Obj\x01" (Avro), "PAR1" (Parquet), '[' (JSON array), '{' (NDJSON),
// anything else CSV (DuckDB's sniffer then finds the dialect).
//
// FetchToLocal copies an object into a local file, decompressing gzip (every member of a
// multi-member file) or zstd as it streams. It never holds more than one chunk in memory
// and stops with kInvalidArgument ("... exceeds the limit of N bytes") once the output
// passes `max_bytes`, so a decompression bomb costs at most max_bytes of local disk.
//
// Thread safety: the functions may be called concurrently for different files.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "atoll/common/result.h"
#include "atoll/storage/store.h"

namespace atl::lake {

enum class FileFormat { kUnknown, kCsv, kTsv, kJson, kNdjson, kAvro, kParquet, kOrc };
enum class Compression { kNone, kGzip, kZstd };

std::string_view FileFormatName(FileFormat format);  // "csv", ...; "unknown"
// "csv" → kCsv, ...; kUnknown for other names.
FileFormat FileFormatFromName(std::string_view name);

struct DetectedFormat {
  FileFormat format = FileFormat::kUnknown;  // kUnknown: sniff the content
  Compression compression = Compression::kNone;
};

// From the extension of `key`'s last segment (case-insensitive).
DetectedFormat DetectFromName(std::string_view key);

// Compression from the first bytes of a file.
Compression SniffCompression(std::string_view head);
// Format from the first (decompressed) bytes of a file.
FileFormat SniffFormat(std::string_view head);

// Copies `key` into the local file `path`, decompressing per `compression`. Returns the
// number of bytes written. kInvalidArgument when the output would exceed `max_bytes` or
// the compressed data is malformed or truncated; store errors are returned as they are.
Result<uint64_t> FetchToLocal(storage::Store& store, std::string_view key, Compression compression,
                              const std::string& path, uint64_t max_bytes);

// The first `n` bytes of a local file (fewer when it is shorter).
Result<std::string> ReadLocalHead(const std::string& path, size_t n);

}  // namespace atl::lake
